/*
 * tagset.c - interning and parsing tags for the metrics (see tagset.h).
 * Mirrors how seqeval 1.2.2 splits a tag: default mode takes chunk = s[0],
 * type = s[1:].split('-', 1)[-1] or '_'; strict mode takes prefix = s[0]
 * (one of I O B E S U L) and tag = s[1:].strip('-') or '_'. Python slices
 * characters, so a non-ASCII first character is skipped whole.
 */
#include "analysis/tagset.h"

#include <stdlib.h>
#include <string.h>

/* Open-addressing string table: ids dense in insertion order. */
struct strtab {
	char **names;
	size_t *lens;
	size_t n, cap;
	int32_t *slots; /* -1 = empty; n_slots a power of two, at most half full */
	size_t n_slots;
};

struct xnr_tagset {
	struct strtab tag_names;
	struct xnr_tag_info *info; /* (info_cap) */
	size_t info_cap;
	struct strtab type_names;
};

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int32_t strtab_find(const struct strtab *t, const char *s, size_t len)
{
	if (t->n_slots == 0)
		return -1;
	size_t mask = t->n_slots - 1;
	for (size_t i = (size_t)str_hash(s, len) & mask;; i = (i + 1) & mask) {
		int32_t id = t->slots[i];
		if (id < 0)
			return -1;
		if (t->lens[id] == len && memcmp(t->names[id], s, len) == 0)
			return id;
	}
}

static int strtab_rehash(struct strtab *t, size_t n_slots)
{
	int32_t *slots = malloc(n_slots * sizeof(*slots));
	if (!slots)
		return -1;
	memset(slots, 0xff, n_slots * sizeof(*slots));
	for (size_t id = 0; id < t->n; id++) {
		size_t i = (size_t)str_hash(t->names[id], t->lens[id]) & (n_slots - 1);
		while (slots[i] >= 0)
			i = (i + 1) & (n_slots - 1);
		slots[i] = (int32_t)id;
	}
	free(t->slots);
	t->slots = slots;
	t->n_slots = n_slots;
	return 0;
}

/* Append s (not present yet); returns its id or -1 on allocation failure. */
static int32_t strtab_push(struct strtab *t, const char *s, size_t len)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **names = realloc(t->names, cap * sizeof(*names));
		if (!names)
			return -1;
		t->names = names;
		size_t *lens = realloc(t->lens, cap * sizeof(*lens));
		if (!lens)
			return -1;
		t->lens = lens;
		t->cap = cap;
	}
	if ((t->n + 1) * 2 > t->n_slots && strtab_rehash(t, t->n_slots ? t->n_slots * 2 : 32) != 0)
		return -1;
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	int32_t id = (int32_t)t->n;
	t->names[t->n] = copy;
	t->lens[t->n] = len;
	t->n++;
	size_t i = (size_t)str_hash(s, len) & (t->n_slots - 1);
	while (t->slots[i] >= 0)
		i = (i + 1) & (t->n_slots - 1);
	t->slots[i] = id;
	return id;
}

static void strtab_free(struct strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->lens);
	free(t->slots);
}

static int intern_exact(struct xnr_tagset *ts, const char *s, size_t len, uint32_t *out,
                        int empty_is_underscore)
{
	if (len == 0 && empty_is_underscore) {
		s = "_";
		len = 1;
	}
	int32_t id = strtab_find(&ts->type_names, s, len);
	if (id < 0)
		id = strtab_push(&ts->type_names, s, len);
	if (id < 0)
		return -1;
	*out = (uint32_t)id;
	return 0;
}

static int intern_type(struct xnr_tagset *ts, const char *s, size_t len, uint32_t *out)
{
	return intern_exact(ts, s, len, out, 1);
}

/* Bytes of the first UTF-8 character (Python's s[0]); 1 for invalid bytes. */
static size_t first_char_len(const char *s, size_t len)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	return n > len ? len : n;
}

static enum xnr_prefix prefix_of(char c)
{
	switch (c) {
	case 'I':
		return XNR_PREFIX_I;
	case 'O':
		return XNR_PREFIX_O;
	case 'B':
		return XNR_PREFIX_B;
	case 'E':
		return XNR_PREFIX_E;
	case 'S':
		return XNR_PREFIX_S;
	case 'U':
		return XNR_PREFIX_U;
	case 'L':
		return XNR_PREFIX_L;
	default:
		return XNR_PREFIX_NONE;
	}
}

static int parse_tag(struct xnr_tagset *ts, struct xnr_tag_info *ti, const char *s, size_t len)
{
	size_t head = first_char_len(s, len);
	const char *rest = s + head;
	size_t rest_len = len - head;
	int ascii = head == 1 && (unsigned char)s[0] < 0x80;

	ti->chunk = (char)(ascii ? s[0] : 0x7f);
	ti->prefix = ascii && head == 1 ? prefix_of(s[0]) : XNR_PREFIX_NONE;
	/* default: split('-', 1)[-1] is the text after the first '-', or all of it */
	const char *dash = memchr(rest, '-', rest_len);
	const char *dt = dash ? dash + 1 : rest;
	if (intern_type(ts, dt, rest_len - (size_t)(dt - rest), &ti->type_default) != 0)
		return -1;
	/* strict: strip('-') on both ends */
	const char *st = rest, *se = rest + rest_len;
	while (st < se && *st == '-')
		st++;
	while (se > st && se[-1] == '-')
		se--;
	if (intern_type(ts, st, (size_t)(se - st), &ti->type_strict) != 0)
		return -1;
	/* nervaluate's loaders: tag[2:], and only "B-"/"I-" may open an entity */
	size_t two = head < len ? head + first_char_len(s + head, len - head) : len;
	ti->nerval_bi = len >= 2 && (s[0] == 'B' || s[0] == 'I') && s[1] == '-';
	return intern_exact(ts, s + two, len - two, &ti->type_nerval, 0);
}

enum xnr_status xnr_tagset_open(struct xnr_tagset **out, struct xnr_error *err)
{
	struct xnr_tagset *ts = calloc(1, sizeof(*ts));
	if (!ts)
		return xnr_fail(err, XNR_ERR_NOMEM, "tagset: out of memory");
	*out = ts;
	return XNR_OK;
}

void xnr_tagset_close(struct xnr_tagset *ts)
{
	if (!ts)
		return;
	strtab_free(&ts->tag_names);
	strtab_free(&ts->type_names);
	free(ts->info);
	free(ts);
}

int32_t xnr_tagset_find(const struct xnr_tagset *ts, const char *tag, size_t len)
{
	return strtab_find(&ts->tag_names, tag, len);
}

enum xnr_status xnr_tagset_add(struct xnr_tagset *ts, const char *tag, size_t len, int32_t *id,
                               struct xnr_error *err)
{
	int32_t found = xnr_tagset_find(ts, tag, len);
	if (found >= 0) {
		*id = found;
		return XNR_OK;
	}
	if (len == 0 || memchr(tag, '\0', len))
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "tagset: empty tag or tag with a NUL byte (every word needs a tag)");
	if (len > XNR_TAGSET_TAG_MAX_BYTES)
		return xnr_fail(err, XNR_ERR_LIMIT, "tagset: tag of %zu bytes, at most %d allowed",
		                len, XNR_TAGSET_TAG_MAX_BYTES);
	if (ts->tag_names.n >= XNR_TAGSET_MAX_TAGS)
		return xnr_fail(err, XNR_ERR_LIMIT, "tagset: more than %u distinct tags",
		                XNR_TAGSET_MAX_TAGS);
	if (ts->tag_names.n == ts->info_cap) {
		size_t cap = ts->info_cap ? ts->info_cap * 2 : 16;
		struct xnr_tag_info *info = realloc(ts->info, cap * sizeof(*info));
		if (!info)
			goto nomem;
		ts->info = info;
		ts->info_cap = cap;
	}
	struct xnr_tag_info ti;
	if (parse_tag(ts, &ti, tag, len) != 0)
		goto nomem;
	int32_t nid = strtab_push(&ts->tag_names, tag, len);
	if (nid < 0)
		goto nomem;
	ti.name = ts->tag_names.names[nid];
	ti.name_len = len;
	ts->info[nid] = ti;
	*id = nid;
	return XNR_OK;
nomem:
	return xnr_fail(err, XNR_ERR_NOMEM, "tagset: out of memory adding a tag");
}

size_t xnr_tagset_count(const struct xnr_tagset *ts)
{
	return ts->tag_names.n;
}

const struct xnr_tag_info *xnr_tagset_tag(const struct xnr_tagset *ts, int32_t id)
{
	if (id < 0 || (size_t)id >= ts->tag_names.n)
		return NULL;
	return &ts->info[id];
}

size_t xnr_tagset_n_types(const struct xnr_tagset *ts)
{
	return ts->type_names.n;
}

const char *xnr_tagset_type(const struct xnr_tagset *ts, uint32_t type)
{
	return type < ts->type_names.n ? ts->type_names.names[type] : NULL;
}

int32_t xnr_tagset_find_type(const struct xnr_tagset *ts, const char *name, size_t len)
{
	return strtab_find(&ts->type_names, name, len);
}

static enum xnr_status check_ids(const int32_t *ids, size_t s, size_t a, size_t b, size_t n_tags,
                                 const char *side, struct xnr_error *err)
{
	for (size_t w = a; w < b; w++)
		if (ids[w] < 0 || (size_t)ids[w] >= n_tags)
			return xnr_fail(
			    err, XNR_ERR_INPUT,
			    "corpus: sentence %zu, word %zu: %s tag id %d is not in the "
			    "tag set of %zu tags",
			    s, w - a, side, (int)ids[w], n_tags);
	return XNR_OK;
}

enum xnr_status xnr_tagged_corpus_check(const struct xnr_tagged_corpus *c, struct xnr_error *err)
{
	if (!c || !c->tags || !c->sent_start || (c->n_sents && (!c->gold || !c->pred)))
		return xnr_fail(err, XNR_ERR_INPUT, "corpus: missing tags, sentences or tag ids");
	if (c->sent_start[0] != 0)
		return xnr_fail(err, XNR_ERR_INPUT, "corpus: sentence 0 must start at word 0");
	size_t n_tags = xnr_tagset_count(c->tags);
	for (size_t s = 0; s < c->n_sents; s++) {
		size_t a = c->sent_start[s], b = c->sent_start[s + 1];
		if (b < a)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "corpus: sentence %zu ends before it starts", s);
		enum xnr_status st = check_ids(c->gold, s, a, b, n_tags, "gold", err);
		if (st == XNR_OK)
			st = check_ids(c->pred, s, a, b, n_tags, "predicted", err);
		if (st != XNR_OK)
			return st;
	}
	return XNR_OK;
}

enum xnr_status xnr_tagged_corpus_check_side(const struct xnr_tagged_corpus *c, const int32_t *ids,
                                             const char *who, struct xnr_error *err)
{
	enum xnr_status st = xnr_tagged_corpus_check(c, err);
	if (st == XNR_OK && ids != c->gold && ids != c->pred)
		st = xnr_fail(err, XNR_ERR_INPUT, "%s: ids must be the corpus' gold or pred", who);
	return st;
}
