/*
 * api_settings.c - GET and PUT /api/v1/runs/{id}/settings: the colour and
 * icon of each entity type of a run, as the original's colour and emoji
 * pickers set them (matplotlib Set1 and an emoji per common type by
 * default), stored per run through the store's settings table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"
#include "store/read.h"
#include "store/store.h"

#define MAX_CLASSES    256 /* entity types of a run shown in settings */
#define ICON_MAX_BYTES 8   /* one emoji, possibly with a variation selector */

struct class_set {
	int n;
	char name[MAX_CLASSES][64];
	char color[MAX_CLASSES][8];
	char icon[MAX_CLASSES][ICON_MAX_BYTES + 1];
};

/* matplotlib's Set1 at i / n, as the original coloured its classes. */
static const char *set1_color(int i, int n)
{
	static const char *const set1[9] = {"#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00",
	                                    "#ffff33", "#a65628", "#f781bf", "#999999"};
	int k = (int)((double)i / n * 9);
	return set1[k < 0 ? 0 : k > 8 ? 8 : k];
}

static const char *default_icon(const char *type)
{
	static const char *const icons[][2] = {
	    {"PER", "\xf0\x9f\x91\xa4"},     {"ORG", "\xf0\x9f\x8f\xa2"},
	    {"LOC", "\xf0\x9f\x93\x8d"},     {"MISC", "\xe2\x9c\xb3\xef\xb8\x8f"},
	    {"PERSON", "\xf0\x9f\x91\xa4"},  {"GPE", "\xf0\x9f\x93\x8d"},
	    {"DATE", "\xf0\x9f\x93\x85"},    {"TIME", "\xf0\x9f\x95\x92"},
	    {"MONEY", "\xf0\x9f\x92\xb0"},   {"PERCENT", "%"},
	    {"PRODUCT", "\xf0\x9f\x93\xa6"}, {"EVENT", "\xf0\x9f\x8e\x89"},
	};
	size_t i;

	for (i = 0; i < sizeof icons / sizeof icons[0]; i++)
		if (strcmp(icons[i][0], type) == 0)
			return icons[i][1];
	return "\xf0\x9f\x8f\xb7\xef\xb8\x8f"; /* a label tag */
}

/* The run's entity types in the order of its label list, with defaults. */
static void load_classes(const struct xnr_run *run, struct class_set *c)
{
	int i, k;

	c->n = 0;
	for (k = 0; k < run->n_labels && c->n < MAX_CLASSES; k++) {
		const char *type = xnr__label_type(run->labels[k]);
		if (!type || strlen(type) >= sizeof c->name[0] || !xnr__is_text(type))
			continue;
		for (i = 0; i < c->n && strcmp(c->name[i], type) != 0; i++)
			;
		if (i == c->n)
			snprintf(c->name[c->n++], sizeof c->name[0], "%s", type);
	}
	for (i = 0; i < c->n; i++) {
		snprintf(c->color[i], sizeof c->color[0], "%s", set1_color(i, c->n));
		snprintf(c->icon[i], sizeof c->icon[0], "%s", default_icon(c->name[i]));
	}
}

static int class_index(const struct class_set *c, const char *name)
{
	int i;

	for (i = 0; i < c->n && strcmp(c->name[i], name) != 0; i++)
		;
	return i < c->n ? i : -1;
}

static int is_color(const char *s)
{
	return strlen(s) == 7 && s[0] == '#' && strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}

/* Stored settings over the defaults: keys "color.TYPE" and "icon.TYPE";
 * a value the PUT would refuse is left out. */
static enum xnr_status apply_stored(struct xnr_store *store, int64_t run, struct class_set *c,
                                    struct xnr_error *err)
{
	struct xnr_setting *kv = NULL;
	size_t n = 0, i;
	enum xnr_status st = xnr_settings_load(store, run, &kv, &n, err);

	for (i = 0; st == XNR_OK && i < n; i++) {
		int color = strncmp(kv[i].key, "color.", 6) == 0;
		int icon = strncmp(kv[i].key, "icon.", 5) == 0;
		int k = color || icon ? class_index(c, kv[i].key + (color ? 6 : 5)) : -1;
		if (k >= 0 && color && is_color(kv[i].value))
			memcpy(c->color[k], kv[i].value, 8);
		else if (k >= 0 && icon && strlen(kv[i].value) <= ICON_MAX_BYTES &&
		         xnr__is_text(kv[i].value))
			snprintf(c->icon[k], sizeof c->icon[0], "%s", kv[i].value);
	}
	xnr_settings_free(kv, n);
	return st;
}

static json_t *classes_json(const struct class_set *c)
{
	json_t *list = json_array();
	int i;

	for (i = 0; list && i < c->n; i++)
		if (json_array_append_new(list, json_pack("{ssssss}", "name", c->name[i], "color",
		                                          c->color[i], "icon", c->icon[i])) != 0) {
			json_decref(list);
			list = NULL;
		}
	return list ? json_pack("{so}", "classes", list) : NULL;
}

/* The classes of run id with their stored settings, from store. */
static enum xnr_status settings_answer(struct xnr_store *store, int64_t id, json_t **out,
                                       struct xnr_error *err)
{
	struct class_set *c = malloc(sizeof *c);
	struct xnr_run run;
	enum xnr_status st;

	if (!c)
		return xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
	if ((st = xnr_store_run_get(store, id, &run, err)) == XNR_OK) {
		load_classes(&run, c);
		xnr_run_free(&run);
		if ((st = apply_stored(store, id, c, err)) == XNR_OK && !(*out = classes_json(c)))
			st = xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
	}
	free(c);
	return st;
}

static enum xnr_status api_settings(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	enum xnr_status st = xnr__query_allow(&r->query, allowed, err);

	return st != XNR_OK ? st : settings_answer(r->store, r->ids[0], out, err);
}

/* One entry of a PUT body into up to two settings (kv, strings owned). */
static enum xnr_status parse_class(const struct class_set *c, const json_t *e,
                                   struct xnr_setting *kv, size_t *n, struct xnr_error *err)
{
	const json_t *name = json_object_get(e, "name"), *color = json_object_get(e, "color");
	const json_t *icon = json_object_get(e, "icon");
	char buf[96];
	size_t i;

	if (!json_is_object(e) || !json_is_string(name) ||
	    json_object_size(e) != 1u + (color != NULL) + (icon != NULL))
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "classes: each wants {\"name\", \"color\", \"icon\"} and nothing else");
	if (class_index(c, json_string_value(name)) < 0)
		return xnr_fail(err, XNR_ERR_INPUT, "class %s: not an entity type of this run",
		                json_string_value(name));
	if (color && (!json_is_string(color) || !is_color(json_string_value(color))))
		return xnr_fail(err, XNR_ERR_INPUT, "class %s: colour wants #rrggbb",
		                json_string_value(name));
	if (icon && (!json_is_string(icon) || json_string_length(icon) > ICON_MAX_BYTES ||
	             strlen(json_string_value(icon)) != json_string_length(icon)))
		return xnr_fail(err, XNR_ERR_INPUT, "class %s: icon wants at most %d bytes of text",
		                json_string_value(name), ICON_MAX_BYTES);
	for (i = 0; i < 2; i++) {
		const json_t *v = i == 0 ? color : icon;
		if (!v)
			continue;
		snprintf(buf, sizeof buf, "%s.%s", i == 0 ? "color" : "icon",
		         json_string_value(name));
		kv[*n].key = strdup(buf);
		kv[*n].value = strdup(json_string_value(v));
		if (i == 0 && kv[*n].value)
			for (char *p = kv[*n].value; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
		if (!kv[(*n)++].key || !kv[*n - 1].value)
			return xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
	}
	return XNR_OK;
}

static enum xnr_status api_settings_put(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	const json_t *list = json_object_get(r->body, "classes");
	struct class_set *c = malloc(sizeof *c);
	struct xnr_setting *kv = NULL;
	struct xnr_store *store = NULL;
	struct xnr_run run;
	size_t n = 0, i;
	enum xnr_status st;

	if (!c)
		return xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		goto done;
	load_classes(&run, c);
	xnr_run_free(&run);
	if (!json_is_object(r->body) || json_object_size(r->body) != 1 || !json_is_array(list) ||
	    json_array_size(list) > MAX_CLASSES) {
		st = xnr_fail(err, XNR_ERR_INPUT,
		              "request body: wants {\"classes\": [{\"name\": \"PER\", \"color\": "
		              "\"#e41a1c\", \"icon\": \"...\"}, ...]}");
		goto done;
	}
	if (!(kv = calloc(2 * json_array_size(list) + 1, sizeof *kv))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "settings: out of memory");
		goto done;
	}
	for (i = 0; st == XNR_OK && i < json_array_size(list); i++)
		st = parse_class(c, json_array_get(list, i), kv, &n, err);
	/* r->store is read-only: settings go through a store of their own. */
	if (st == XNR_OK && (st = xnr_store_open(r->app->db_path, 0, &store, err)) == XNR_OK &&
	    (st = xnr_settings_save(store, r->ids[0], kv, n, err)) == XNR_OK)
		st = settings_answer(store, r->ids[0], out, err);
done:
	xnr_store_close(store);
	xnr_settings_free(kv, n);
	free(c);
	return st;
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/settings", api_settings, NULL, XNR__DB},
    {"PUT", "/api/v1/runs/{id}/settings", api_settings_put, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(settings, routes);
