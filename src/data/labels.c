/*
 * labels.c - label sets with a hash index, --labels and --label-map parsing,
 * and matching dataset labels to a model's id2label (the check the original
 * ExplaiNER skips: it indexes label2id and fails with a KeyError).
 */
#include "data/labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xnr_labels_init(struct xnr_labels *ls)
{
	memset(ls, 0, sizeof *ls);
}

void xnr_labels_free(struct xnr_labels *ls)
{
	if (!ls)
		return;
	for (size_t i = 0; i < ls->n; i++)
		free(ls->names[i]);
	free(ls->names);
	free(ls->slots);
	memset(ls, 0, sizeof *ls);
}

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static size_t slot_of(const struct xnr_labels *ls, const char *name, size_t len)
{
	size_t mask = ls->n_slots - 1;
	size_t i = (size_t)hash(name, len) & mask;

	for (;;) {
		int32_t id = ls->slots[i];
		if (id < 0)
			return i;
		if (strncmp(ls->names[id], name, len) == 0 && ls->names[id][len] == '\0')
			return i;
		i = (i + 1) & mask;
	}
}

int32_t xnr_labels_find(const struct xnr_labels *ls, const char *name, size_t len)
{
	if (ls->n_slots == 0)
		return -1;
	return ls->slots[slot_of(ls, name, len)];
}

/* Keep the table at most half full so probes stay short. */
static int rehash(struct xnr_labels *ls)
{
	size_t n_slots = ls->n_slots ? ls->n_slots * 2 : 64;
	int32_t *slots = malloc(n_slots * sizeof *slots);

	if (!slots)
		return -1;
	free(ls->slots);
	ls->slots = slots;
	ls->n_slots = n_slots;
	for (size_t i = 0; i < n_slots; i++)
		slots[i] = -1;
	for (size_t id = 0; id < ls->n; id++)
		slots[slot_of(ls, ls->names[id], strlen(ls->names[id]))] = (int32_t)id;
	return 0;
}

enum xnr_status xnr_labels_add(struct xnr_labels *ls, const char *name, size_t len, int32_t *id,
                               const char *what, struct xnr_error *err)
{
	int32_t found = xnr_labels_find(ls, name, len);
	char *copy;

	if (found >= 0) {
		*id = found;
		return XNR_OK;
	}
	if (ls->n >= XNR_LABELS_MAX)
		return xnr_fail_at(err, XNR_ERR_LIMIT, what, 0,
		                   "more than %d distinct labels (is the tag column right?)",
		                   XNR_LABELS_MAX);
	if ((ls->n + 1) * 2 > ls->n_slots && rehash(ls) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, what, 0, "out of memory");
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 16;
		char **names = realloc(ls->names, cap * sizeof *names);
		if (!names)
			return xnr_fail_at(err, XNR_ERR_NOMEM, what, 0, "out of memory");
		ls->names = names;
		ls->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return xnr_fail_at(err, XNR_ERR_NOMEM, what, 0, "out of memory");
	memcpy(copy, name, len);
	copy[len] = '\0';
	ls->names[ls->n] = copy;
	ls->slots[slot_of(ls, name, len)] = (int32_t)ls->n;
	*id = (int32_t)ls->n++;
	return XNR_OK;
}

/* One item of a comma-separated list: s[0..len), not NUL-terminated. */
typedef enum xnr_status (*item_fn)(void *ctx, const char *s, size_t len, struct xnr_error *err);

/* Call fn on each item of a comma-separated list, in order; the first
 * failure stops the walk with err->item its 1-based position. */
static enum xnr_status each_item(const char *list, item_fn fn, void *ctx, struct xnr_error *err)
{
	const char *p = list;
	long k;

	for (k = 1;; k++) {
		size_t len = strcspn(p, ",");
		enum xnr_status st = fn(ctx, p, len, err);
		if (st != XNR_OK) {
			xnr_error_set_item(err, k);
			return st;
		}
		if (p[len] == '\0')
			return XNR_OK;
		p += len + 1;
	}
}

static enum xnr_status add_label(void *ctx, const char *s, size_t len, struct xnr_error *err)
{
	struct xnr_labels *ls = ctx;
	int32_t id;

	if (len == 0 || len > XNR_LABEL_MAX_BYTES)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "--labels: label %zu is empty or too long (give names like "
		                "O,B-PER,I-PER in id order)",
		                ls->n + 1);
	if (xnr_labels_find(ls, s, len) >= 0)
		return xnr_fail(err, XNR_ERR_INPUT, "--labels: %.*s appears twice (list each once)",
		                (int)len, s);
	return xnr_labels_add(ls, s, len, &id, "--labels", err);
}

enum xnr_status xnr_labels_parse(const char *list, struct xnr_labels *out, struct xnr_error *err)
{
	struct xnr_labels ls;
	enum xnr_status st;

	xnr_labels_init(&ls);
	st = each_item(list, add_label, &ls, err);
	if (st != XNR_OK) {
		xnr_labels_free(&ls);
		return st;
	}
	*out = ls;
	return XNR_OK;
}

void xnr_label_map_free(struct xnr_label_map *map)
{
	if (!map)
		return;
	for (size_t i = 0; i < map->n; i++) {
		free(map->from[i]);
		free(map->to[i]);
	}
	free(map->from);
	free(map->to);
	memset(map, 0, sizeof *map);
}

static char *dup_n(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* One DATASET=MODEL pair into the map (which has room for every item). */
static enum xnr_status add_pair(void *ctx, const char *s, size_t len, struct xnr_error *err)
{
	struct xnr_label_map *map = ctx;
	const char *eq = memchr(s, '=', len);

	if (!eq || eq == s || eq + 1 == s + len || memchr(eq + 1, '=', (size_t)(s + len - eq - 1)))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "--label-map: \"%.*s\" is not a pair DATASET=MODEL (write "
		                "B-PERSON=B-PER,I-PERSON=I-PER)",
		                (int)len, s);
	map->from[map->n] = dup_n(s, (size_t)(eq - s));
	map->to[map->n] = dup_n(eq + 1, (size_t)(s + len - eq - 1));
	map->n++;
	if (!map->from[map->n - 1] || !map->to[map->n - 1])
		return xnr_fail(err, XNR_ERR_NOMEM, "--label-map: out of memory");
	return XNR_OK;
}

enum xnr_status xnr_label_map_parse(const char *text, struct xnr_label_map *out,
                                    struct xnr_error *err)
{
	struct xnr_label_map map = {0};
	size_t n_pairs = 1;
	enum xnr_status st;

	for (const char *q = text; *q; q++)
		n_pairs += *q == ',';
	map.from = calloc(n_pairs, sizeof *map.from);
	map.to = calloc(n_pairs, sizeof *map.to);
	if (!map.from || !map.to)
		st = xnr_fail(err, XNR_ERR_NOMEM, "--label-map: out of memory");
	else
		st = each_item(text, add_pair, &map, err);
	if (st != XNR_OK) {
		xnr_label_map_free(&map);
		return st;
	}
	*out = map;
	return XNR_OK;
}

static const char *mapped(const struct xnr_label_map *map, const char *name)
{
	for (size_t i = 0; map && i < map->n; i++)
		if (strcmp(map->from[i], name) == 0)
			return map->to[i];
	return name;
}

static int32_t model_id(const char *const *model, size_t n_model, const char *name)
{
	for (size_t i = 0; i < n_model; i++)
		if (strcmp(model[i], name) == 0)
			return (int32_t)i;
	return -1;
}

/* Append to a message buffer, truncating silently (messages are capped). */
static void put(char *buf, size_t cap, size_t *len, const char *s)
{
	int n = snprintf(buf + *len, cap - *len, "%s", s);
	if (n > 0)
		*len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

/* A model label to suggest for `name`: the first with the same prefix (B-, I-...). */
static const char *suggest(const char *const *model, size_t n_model, const char *name)
{
	const char *dash = strchr(name, '-');
	for (size_t i = 0; dash && i < n_model; i++)
		if (strncmp(model[i], name, (size_t)(dash - name) + 1) == 0)
			return model[i];
	return n_model ? model[n_model - 1] : "O";
}

static enum xnr_status unknown(const struct xnr_labels *data, const char *const *model,
                               size_t n_model, const struct xnr_label_map *map, const char *what,
                               size_t first, struct xnr_error *err)
{
	char unk[512], ml[512], dl[512];
	size_t nu = 0, nm = 0, nd = 0, n_unknown = 0;

	unk[0] = ml[0] = dl[0] = '\0';
	for (size_t i = first; i < data->n; i++) {
		if (model_id(model, n_model, mapped(map, data->names[i])) >= 0)
			continue;
		put(unk, sizeof unk, &nu, n_unknown++ ? ", " : "");
		put(unk, sizeof unk, &nu, data->names[i]);
	}
	for (size_t i = 0; i < n_model; i++) {
		put(ml, sizeof ml, &nm, i ? ", " : "");
		put(ml, sizeof ml, &nm, model[i]);
	}
	for (size_t i = 0; i < data->n; i++) {
		put(dl, sizeof dl, &nd, i ? ", " : "");
		put(dl, sizeof dl, &nd, data->names[i]);
	}
	return xnr_fail_at(err, XNR_ERR_MISMATCH, what, 0,
	                   "label%s %s %s not among the model's labels %s (dataset labels: %s; map "
	                   "it with --label-map %s=%s)",
	                   n_unknown > 1 ? "s" : "", unk, n_unknown > 1 ? "are" : "is", ml, dl,
	                   data->names[first], suggest(model, n_model, data->names[first]));
}

enum xnr_status xnr_labels_match(const struct xnr_labels *data, const char *const *model,
                                 size_t n_model, const struct xnr_label_map *map, const char *what,
                                 int32_t *out, struct xnr_error *err)
{
	for (size_t i = 0; i < data->n; i++)
		if (model_id(model, n_model, mapped(map, data->names[i])) < 0)
			return unknown(data, model, n_model, map, what, i, err);
	for (size_t i = 0; i < data->n; i++)
		out[i] = model_id(model, n_model, mapped(map, data->names[i]));
	return XNR_OK;
}
