/*
 * dataset_scheme.c - scheme detection, checking and conversion over a whole
 * dataset, on top of the per-sentence functions of scheme.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"

/* Parsed labels plus scratch sized for the longest sentence. */
struct scratch {
	struct xnr_tag *label_tags; /* (labels.n) */
	struct xnr_tag *tags;       /* (longest sentence) */
	struct xnr_ill_formed *ill; /* (longest sentence) */
	struct xnr_tag *out;        /* (longest sentence) */
};

static void scratch_free(struct scratch *s)
{
	free(s->label_tags);
	free(s->tags);
	free(s->ill);
	free(s->out);
}

static int scratch_init(struct scratch *s, const struct xnr_dataset *ds)
{
	size_t longest = 1;

	for (size_t i = 0; i < ds->n_sentences; i++)
		if (ds->sentences[i].n_words > longest)
			longest = ds->sentences[i].n_words;
	s->label_tags = calloc(ds->labels.n ? ds->labels.n : 1, sizeof *s->label_tags);
	s->tags = calloc(longest, sizeof *s->tags);
	s->ill = calloc(longest, sizeof *s->ill);
	s->out = calloc(longest, sizeof *s->out);
	if (!s->label_tags || !s->tags || !s->ill || !s->out) {
		scratch_free(s);
		return -1;
	}
	for (size_t i = 0; i < ds->labels.n; i++) {
		const char *l = ds->labels.names[i];
		if (xnr_tag_parse(l, strlen(l), &s->label_tags[i]) != 0)
			s->label_tags[i] = (struct xnr_tag){'O', "", 0};
	}
	return 0;
}

static const struct xnr_tag *gather(struct scratch *s, const struct xnr_dataset *ds, size_t si)
{
	const struct xnr_sentence *sen = &ds->sentences[si];
	for (size_t w = 0; w < sen->n_words; w++)
		s->tags[w] = s->label_tags[ds->tags[sen->first_word + w]];
	return s->tags;
}

static enum xnr_status check(const struct xnr_dataset *ds, struct scratch *s,
                             enum xnr_scheme scheme, size_t max_items,
                             struct xnr_scheme_report *out, struct xnr_error *err)
{
	struct xnr_scheme_report r = {0};

	r.scheme = scheme;
	if (max_items && !(r.items = calloc(max_items, sizeof *r.items)))
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, 0, "out of memory");
	for (size_t si = 0; si < ds->n_sentences; si++) {
		const struct xnr_sentence *sen = &ds->sentences[si];
		size_t n =
		    xnr_scheme_check(scheme, gather(s, ds, si), sen->n_words, s->ill, sen->n_words);
		for (size_t k = 0; k < n; k++) {
			struct xnr_ill_formed *it = &s->ill[k];
			it->sentence = si;
			it->line = ds->word_lines[sen->first_word + it->word];
			r.n_by_kind[it->kind]++;
			if (r.n_items < max_items)
				r.items[r.n_items++] = *it;
		}
		r.n_ill_formed += n;
	}
	*out = r;
	return XNR_OK;
}

enum xnr_status xnr_dataset_check(const struct xnr_dataset *ds, enum xnr_scheme scheme,
                                  size_t max_items, struct xnr_scheme_report *out,
                                  struct xnr_error *err)
{
	struct scratch s;
	enum xnr_status st;

	if ((unsigned)scheme >= XNR_SCHEME_COUNT)
		return xnr_fail(err, XNR_ERR_INPUT, "unknown tagging scheme %d", (int)scheme);
	if (scratch_init(&s, ds) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, 0, "out of memory");
	st = check(ds, &s, scheme, max_items, out, err);
	scratch_free(&s);
	return st;
}

void xnr_scheme_report_free(struct xnr_scheme_report *r)
{
	if (r) {
		free(r->items);
		memset(r, 0, sizeof *r);
	}
}

static int covers(enum xnr_scheme scheme, const char *used)
{
	for (const char *p = used; *p; p++)
		if (!xnr_scheme_allows(scheme, *p))
			return 0;
	return 1;
}

enum xnr_status xnr_dataset_detect(const struct xnr_dataset *ds, size_t max_items,
                                   struct xnr_scheme_report *out, struct xnr_error *err)
{
	static const enum xnr_scheme order[] = {XNR_SCHEME_IOB2, XNR_SCHEME_IOBES, XNR_SCHEME_BILOU,
	                                        XNR_SCHEME_IOE2, XNR_SCHEME_IO,    XNR_SCHEME_IOB1,
	                                        XNR_SCHEME_IOE1};
	char used[8] = "";
	size_t best_count = (size_t)-1;
	int best = -1;
	struct scratch s;
	struct xnr_scheme_report r;
	enum xnr_status st = XNR_OK;

	if (scratch_init(&s, ds) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, 0, "out of memory");
	for (size_t w = 0; w < ds->n_words; w++) {
		char p = s.label_tags[ds->tags[w]].prefix;
		if (p != 'O' && !strchr(used, p))
			used[strlen(used)] = p;
	}
	for (size_t k = 0; k < sizeof order / sizeof *order && st == XNR_OK; k++) {
		if (!covers(order[k], used))
			continue;
		st = check(ds, &s, order[k], 0, &r, err);
		if (st == XNR_OK && r.n_ill_formed < best_count) {
			best_count = r.n_ill_formed;
			best = (int)order[k];
		}
	}
	if (st == XNR_OK && best < 0)
		st = xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, 0,
		                 "the tags use prefixes %s, which no scheme has together (IOBES "
		                 "uses B I E S, BILOU uses B I L U; fix the tags)",
		                 used);
	if (st == XNR_OK)
		st = check(ds, &s, (enum xnr_scheme)best, max_items, out, err);
	scratch_free(&s);
	return st;
}

/* The label of converted tag t into labels, its id in *id. */
static enum xnr_status add_converted(struct xnr_labels *labels, const struct xnr_tag *t,
                                     int32_t *id, const char *path, struct xnr_error *err)
{
	char name[XNR_LABEL_MAX_BYTES + 3];
	int len = t->prefix == 'O' ? snprintf(name, sizeof name, "O")
	                           : snprintf(name, sizeof name, "%c-%.*s", t->prefix,
	                                      (int)t->type_len, t->type);
	return xnr_labels_add(labels, name, (size_t)len, id, path, err);
}

enum xnr_status xnr_dataset_convert(struct xnr_dataset *ds, enum xnr_scheme to,
                                    struct xnr_error *err)
{
	struct xnr_labels labels;
	struct scratch s;
	int32_t *tags = malloc((ds->n_words ? ds->n_words : 1) * sizeof *tags);
	enum xnr_status st = XNR_OK;

	xnr_labels_init(&labels);
	if (!tags || scratch_init(&s, ds) != 0) {
		free(tags);
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, 0, "out of memory");
	}
	for (size_t si = 0; si < ds->n_sentences && st == XNR_OK; si++) {
		const struct xnr_sentence *sen = &ds->sentences[si];
		xnr_scheme_convert(to, gather(&s, ds, si), sen->n_words, s.out);
		for (size_t w = 0; w < sen->n_words && st == XNR_OK; w++)
			st = add_converted(&labels, &s.out[w], &tags[sen->first_word + w], ds->path,
			                   err);
	}
	scratch_free(&s);
	if (st != XNR_OK) {
		xnr_labels_free(&labels);
		free(tags);
		return st;
	}
	xnr_labels_free(&ds->labels);
	ds->labels = labels;
	free(ds->tags);
	ds->tags = tags;
	return XNR_OK;
}

void xnr_scheme_tally_init(struct xnr_scheme_tally *t)
{
	memset(t, 0, sizeof *t);
	for (int k = 0; k < XNR_SCHEME_COUNT; k++)
		xnr_labels_init(&t->converted[k]);
}

void xnr_scheme_tally_free(struct xnr_scheme_tally *t)
{
	if (!t)
		return;
	for (int k = 0; k < XNR_SCHEME_COUNT; k++)
		xnr_labels_free(&t->converted[k]);
	memset(t, 0, sizeof *t);
}

/* One sentence into every scheme's problem count and converted labels. */
static enum xnr_status tally_sentence(struct xnr_scheme_tally *t, struct scratch *s,
                                      const struct xnr_dataset *ds, size_t si,
                                      struct xnr_error *err)
{
	const struct xnr_sentence *sen = &ds->sentences[si];
	const struct xnr_tag *tags = gather(s, ds, si);
	enum xnr_status st = XNR_OK;

	for (size_t w = 0; w < sen->n_words; w++)
		if (tags[w].prefix != 'O' && !strchr(t->used, tags[w].prefix))
			t->used[strlen(t->used)] = tags[w].prefix;
	for (int k = 0; k < XNR_SCHEME_COUNT && st == XNR_OK; k++) {
		t->n_ill[k] += xnr_scheme_check((enum xnr_scheme)k, tags, sen->n_words, s->ill, 0);
		xnr_scheme_convert((enum xnr_scheme)k, tags, sen->n_words, s->out);
		for (size_t w = 0; w < sen->n_words && st == XNR_OK; w++) {
			int32_t id;
			st = add_converted(&t->converted[k], &s->out[w], &id, ds->path, err);
		}
	}
	return st;
}

enum xnr_status xnr_scheme_tally_add(struct xnr_scheme_tally *t, const struct xnr_dataset *ds,
                                     struct xnr_error *err)
{
	struct scratch s;
	enum xnr_status st = XNR_OK;

	if (scratch_init(&s, ds) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, 0, "out of memory");
	for (size_t si = 0; si < ds->n_sentences && st == XNR_OK; si++)
		st = tally_sentence(t, &s, ds, si, err);
	scratch_free(&s);
	return st;
}

enum xnr_status xnr_scheme_tally_detect(const struct xnr_scheme_tally *t, const char *path,
                                        struct xnr_scheme_report *out, struct xnr_error *err)
{
	static const enum xnr_scheme order[] = {XNR_SCHEME_IOB2, XNR_SCHEME_IOBES, XNR_SCHEME_BILOU,
	                                        XNR_SCHEME_IOE2, XNR_SCHEME_IO,    XNR_SCHEME_IOB1,
	                                        XNR_SCHEME_IOE1};
	size_t best_count = (size_t)-1;
	int best = -1;

	for (size_t k = 0; k < sizeof order / sizeof *order; k++)
		if (covers(order[k], t->used) && t->n_ill[order[k]] < best_count) {
			best_count = t->n_ill[order[k]];
			best = (int)order[k];
		}
	if (best < 0)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "the tags use prefixes %s, which no scheme has together (IOBES "
		                   "uses B I E S, BILOU uses B I L U; fix the tags)",
		                   t->used);
	memset(out, 0, sizeof *out);
	out->scheme = (enum xnr_scheme)best;
	out->n_ill_formed = best_count;
	return XNR_OK;
}

enum xnr_status xnr_dataset_convert_ids(const struct xnr_dataset *ds, enum xnr_scheme to,
                                        const struct xnr_labels *labels, int32_t *out,
                                        struct xnr_error *err)
{
	struct scratch s;
	enum xnr_status st = XNR_OK;

	if (scratch_init(&s, ds) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, 0, "out of memory");
	for (size_t si = 0; si < ds->n_sentences && st == XNR_OK; si++) {
		const struct xnr_sentence *sen = &ds->sentences[si];
		xnr_scheme_convert(to, gather(&s, ds, si), sen->n_words, s.out);
		for (size_t w = 0; w < sen->n_words && st == XNR_OK; w++) {
			char name[XNR_LABEL_MAX_BYTES + 3];
			const struct xnr_tag *tg = &s.out[w];
			int len = tg->prefix == 'O'
			              ? snprintf(name, sizeof name, "O")
			              : snprintf(name, sizeof name, "%c-%.*s", tg->prefix,
			                         (int)tg->type_len, tg->type);
			out[sen->first_word + w] = xnr_labels_find(labels, name, (size_t)len);
			if (out[sen->first_word + w] < 0)
				st = xnr_fail_at(
				    err, XNR_ERR_INPUT, ds->path,
				    ds->word_lines[sen->first_word + w],
				    "tag %s was not seen in the first pass (did the file "
				    "change while it was read?)",
				    name);
		}
	}
	scratch_free(&s);
	return st;
}
