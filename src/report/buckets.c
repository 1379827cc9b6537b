/*
 * buckets.c - a stored run's F1 bucketed by ExplainaBoard's attributes
 * (report.h, analysis/buckets.h): the run's words, documents and
 * default-mode entities read back, its cases and their attributes against
 * the reference (the reference split of its label issues, else the run),
 * the bucket edges from the first run's values (or the user's), and per run
 * each bucket's counts with a bootstrap interval over sentences: one
 * xnr_f1_counts column per bucket of every attribute, one bootstrap.
 */
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"
#include "store/scores.h"

#define MAX_TYPES 1024

static void side_free(struct xnr__bkt_side *x)
{
	xnr_run_view_free(x->v);
	free(x->text);
	free(x->arena);
	free(x->doc);
	free(x->gold);
	free(x->pred);
	free(x->cases);
	free(x->values);
	free(x->bucket);
	xnr_f1_boot_free(&x->boot);
	xnr_f1_counts_free(&x->counts);
	memset(x, 0, sizeof *x);
}

/* Every word's text at its place, in one arena, from the words' rows. */
static enum xnr_status load_texts(struct xnr_store *s, struct xnr__bkt_side *x,
                                  struct xnr_error *err)
{
	const struct xnr_run_view *v = x->v;
	size_t n = v->n_words, i, len = 0, cap = 1 << 16, *off = NULL, seen = 0;
	struct xnr_rows *rows = NULL;
	struct xnr_word_row w;
	enum xnr_status rc;
	int more = 1;

	x->arena = malloc(cap);
	off = malloc((n + 1) * sizeof *off);
	x->text = malloc((n + 1) * sizeof *x->text);
	if (!x->arena || !off || !x->text) {
		free(off);
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	}
	for (i = 0; i < n; i++)
		off[i] = (size_t)-1;
	if ((rc = xnr_store_word_texts(s, x->run, &rows, err)) != XNR_OK)
		goto done;
	while ((rc = xnr_rows_word(rows, &w, &more, err)) == XNR_OK && more) {
		size_t wl = w.text ? (size_t)w.text_len : 0, at;
		if (w.sentence_id < 0 || (size_t)w.sentence_id >= v->n_sents || w.idx < 0 ||
		    (at = v->sent_start[w.sentence_id] + (size_t)w.idx) >=
		        v->sent_start[w.sentence_id + 1] ||
		    off[at] != (size_t)-1) {
			rc =
			    xnr_fail(err, XNR_ERR_FORMAT,
			             "run %lld has an inconsistent words table", (long long)x->run);
			break;
		}
		while (len + wl + 1 > cap) {
			char *g = realloc(x->arena, cap * 2);
			if (!g) {
				rc = xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
				goto done;
			}
			x->arena = g;
			cap *= 2;
		}
		memcpy(x->arena + len, w.text ? w.text : "", wl);
		x->arena[len + wl] = '\0';
		off[at] = len;
		len += wl + 1;
		seen++;
	}
	if (rc == XNR_OK && seen != n)
		rc = xnr_fail(err, XNR_ERR_FORMAT,
		              "run %lld: %zu words stored, its sentences hold %zu",
		              (long long)x->run, seen, n);
	for (i = 0; rc == XNR_OK && i < n; i++)
		x->text[i] = x->arena + off[i];
done:
	xnr_rows_close(rows);
	free(off);
	return rc;
}

/* Sentence text t (its words joined by single spaces, docs/schema.md) split
 * into the words of sentence s at off (into arena at len, grown): 0, 1 when
 * t does not hold the sentence's words exactly (a word with a space), -1 out
 * of memory. Its pieces are the words when there are as many as the
 * sentence has words, since each space inside a word would add one. */
static int split_text(struct xnr__bkt_side *x, size_t s, const char *t, size_t *off, size_t *len,
                      size_t *cap)
{
	size_t a = x->v->sent_start[s], n = x->v->sent_start[s + 1] - a, tl = t ? strlen(t) : 0;
	size_t i, k = 0;

	if (!n || !t)
		return n || tl ? 1 : 0;
	while (*len + tl + 1 > *cap) {
		char *g = realloc(x->arena, *cap * 2);
		if (!g)
			return -1;
		x->arena = g;
		*cap *= 2;
	}
	memcpy(x->arena + *len, t, tl);
	x->arena[*len + tl] = '\0';
	off[a] = *len;
	for (i = 0; i < tl; i++)
		if (x->arena[*len + i] == ' ') {
			x->arena[*len + i] = '\0';
			if (++k < n)
				off[a + k] = *len + i + 1;
		}
	*len += tl + 1;
	return k + 1 == n ? 0 : 1;
}

/* Every sentence's document id and, from the sentence texts, every word's
 * text at its place in one arena (*whole 0 when a sentence's text does not
 * split into its words: the caller reads them from the words). One pass
 * over the sentence rows instead of one over every word's row. */
static enum xnr_status load_sentences(struct xnr_store *s, struct xnr__bkt_side *x, int *whole,
                                      struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(x->run);
	size_t n = x->v->n_words, len = 0, cap = 1 << 16, i, *off;
	struct xnr_rows *rows = NULL;
	struct xnr_sentence_row r;
	enum xnr_status rc;
	int more = 1, split;

	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	*whole = 1;
	x->doc = calloc(x->v->n_sents + 1, sizeof *x->doc);
	x->arena = malloc(cap);
	x->text = malloc((n + 1) * sizeof *x->text);
	off = malloc((n + 1) * sizeof *off);
	if (!x->doc || !x->arena || !x->text || !off) {
		free(off);
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	}
	if ((rc = xnr_store_sentences(s, &q, &rows, err)) != XNR_OK) {
		free(off);
		return rc;
	}
	for (i = 0; (rc = xnr_rows_sentence(rows, &r, &more, err)) == XNR_OK && more; i++) {
		if (r.id >= 0 && (size_t)r.id < x->v->n_sents)
			x->doc[r.id] = r.doc_id;
		if (!*whole)
			continue;
		if ((size_t)r.id != i || (split = split_text(x, i, r.text, off, &len, &cap)) > 0)
			*whole = 0;
		else if (split < 0) {
			rc = xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
			break;
		}
	}
	xnr_rows_close(rows);
	if (rc == XNR_OK && i != x->v->n_sents)
		*whole = 0;
	for (i = 0; rc == XNR_OK && *whole && i < n; i++)
		x->text[i] = x->arena + off[i];
	free(off);
	if (rc == XNR_OK && !*whole) { /* load_texts starts over */
		free(x->arena);
		free(x->text);
		x->arena = NULL;
		x->text = NULL;
	}
	return rc;
}

/* The 1-based shared id of a type name, added when new (-1: too many). */
static int32_t type_id(struct xnr__bkt *b, const char *name)
{
	int i;

	for (i = 0; i < b->n_types; i++)
		if (!strcmp(b->types[i], name))
			return i + 1;
	if (b->n_types == MAX_TYPES)
		return -1;
	b->types[b->n_types++] = name;
	return b->n_types;
}

/* One side's default-mode entities as spans of shared type ids. */
static enum xnr_status side_spans(struct xnr__bkt *b, struct xnr__bkt_side *x, int pred,
                                  struct xnr_error *err)
{
	const struct xnr_run_view *v = x->v;
	struct xnr_tagged_corpus c = {v->tags, v->n_sents, v->sent_start, v->gold, v->pred};
	struct xnr_entities e;
	struct xnr_cons_span *sp;
	enum xnr_status rc;
	size_t i;

	memset(&e, 0, sizeof e);
	if ((rc = xnr_entities_extract(&c, pred ? v->pred : v->gold, pred ? "pred" : "gold",
	                               XNR_SEQEVAL_DEFAULT, XNR_SEQEVAL_AUTO, &e, err)) != XNR_OK)
		return rc;
	if (!(sp = malloc((e.n + 1) * sizeof *sp))) {
		xnr_entities_free(&e);
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	}
	for (i = 0; i < e.n; i++) {
		sp[i].sent = (int32_t)e.v[i].sent;
		sp[i].start = (int32_t)e.v[i].start;
		sp[i].end = (int32_t)e.v[i].end;
		if ((sp[i].type = type_id(b, xnr_tagset_type(v->tags, e.v[i].type))) < 0) {
			free(sp);
			xnr_entities_free(&e);
			return xnr_fail(err, XNR_ERR_LIMIT, "buckets: more than %d entity types",
			                MAX_TYPES);
		}
	}
	*(pred ? &x->pred : &x->gold) = sp;
	*(pred ? &x->n_pred : &x->n_gold) = e.n;
	xnr_entities_free(&e);
	return XNR_OK;
}

/* Load run's view, texts, documents and entities into x. */
static enum xnr_status side_load(struct xnr_store *s, struct xnr__bkt *b, int64_t run,
                                 struct xnr__bkt_side *x, struct xnr_error *err)
{
	enum xnr_status rc;
	int whole = 0;

	x->run = run;
	if ((rc = xnr_run_view_load(s, run, &x->v, err)) != XNR_OK ||
	    (rc = load_sentences(s, x, &whole, err)) != XNR_OK ||
	    (!whole && (rc = load_texts(s, x, err)) != XNR_OK) ||
	    (rc = side_spans(b, x, 0, err)) != XNR_OK || (rc = side_spans(b, x, 1, err)) != XNR_OK)
		return rc;
	x->corpus.n_sents = x->v->n_sents;
	x->corpus.sent_start = x->v->sent_start;
	x->corpus.text = (const char *const *)x->text;
	x->corpus.doc = x->doc;
	x->corpus.gold = x->gold;
	x->corpus.n_gold = x->n_gold;
	x->corpus.pred = x->pred;
	x->corpus.n_pred = x->n_pred;
	return XNR_OK;
}

/* Cases, attributes (against ref) and, with the edges set, buckets and counts. */
static enum xnr_status side_cases(struct xnr__bkt_side *x, const struct xnr_bucket_ref *ref,
                                  struct xnr_error *err)
{
	enum xnr_status rc;

	if ((rc = xnr_bucket_cases(&x->corpus, &x->cases, &x->n_cases, err)) != XNR_OK)
		return rc;
	x->values = malloc((XNR_BATTR_COUNT * x->n_cases + 1) * sizeof *x->values);
	x->bucket = malloc((XNR_BATTR_COUNT * x->n_cases + 1) * sizeof *x->bucket);
	if (!x->values || !x->bucket)
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	return xnr_bucket_features(&x->corpus, x->cases, x->n_cases, ref, x->values, err);
}

/* The edges of every attribute, from the first run's values or the user's. */
static enum xnr_status make_edges(struct xnr__bkt *b, struct xnr_error *err)
{
	const struct xnr__bkt_side *x = &b->s[0];
	enum xnr_status rc = XNR_OK;
	int a;

	b->first_col[0] = 0;
	for (a = 0; a < XNR_BATTR_COUNT && rc == XNR_OK; a++) {
		const double *v = x->values + (size_t)a * x->n_cases;
		if (b->p->n_fixed[a])
			rc = xnr_bucket_fixed(b->p->fixed[a], b->p->n_fixed[a], &b->b[a], err);
		else if (xnr_bucket_attr_discrete((enum xnr_bucket_attr)a))
			rc = xnr_bucket_discrete(v, x->n_cases, b->p->n_discrete, &b->b[a], err);
		else
			rc =
			    xnr_bucket_continuous(v, x->n_cases, b->p->n_continuous, &b->b[a], err);
		b->first_col[a + 1] = b->first_col[a] + b->b[a].n;
	}
	return rc;
}

/* Each case's bucket per attribute and the (sentence, bucket) counts. */
static enum xnr_status side_count(const struct xnr__bkt *b, struct xnr__bkt_side *x,
                                  struct xnr_error *err)
{
	size_t n = x->n_cases, i, cols = (size_t)b->first_col[XNR_BATTR_COUNT];
	enum xnr_status rc;
	int a;

	if ((rc = xnr_f1_counts_init(&x->counts, x->v->n_sents, cols ? cols : 1, err)) != XNR_OK)
		return rc;
	for (a = 0; a < XNR_BATTR_COUNT; a++)
		for (i = 0; i < n; i++) {
			const struct xnr_bucket_case *c = &x->cases[i];
			int k = xnr_bucket_of(&b->b[a], x->values[(size_t)a * n + i]);
			int32_t *cell;
			x->bucket[(size_t)a * n + i] = k;
			if (k < 0)
				continue;
			cell = x->counts.c + ((size_t)c->sent * x->counts.n_cols +
			                      (size_t)(b->first_col[a] + k)) *
			                         3;
			cell[0] += c->gold && c->gold == c->pred;
			cell[1] += c->pred != 0;
			cell[2] += c->gold != 0;
		}
	return XNR_OK;
}

/* Every side's bootstrap: one set of draws for both when they have as many
 * sentences (the same numbers as one bootstrap each, for half the draws). */
static enum xnr_status bootstrap(struct xnr__bkt *b, struct xnr_error *err)
{
	const struct xnr_f1_counts *v[2] = {&b->s[0].counts, &b->s[1].counts};
	struct xnr_f1_boot out[2];
	enum xnr_status rc;
	int i;

	if (b->n_sides == 2 && v[0]->n_rows == v[1]->n_rows) {
		if ((rc = xnr_stats_bootstrap_f1_each(v, 2, &b->p->boot, out, err)) != XNR_OK)
			return rc;
		b->s[0].boot = out[0];
		b->s[1].boot = out[1];
		return XNR_OK;
	}
	for (i = 0; i < b->n_sides; i++)
		if ((rc = xnr_stats_bootstrap_f1(v[i], NULL, &b->p->boot, &b->s[i].boot, err)) !=
		    XNR_OK)
			return rc;
	return XNR_OK;
}

/* The reference: the label issues' reference split of the first run when
 * there is one (loaded into *ref_side), else the first run itself. */
static enum xnr_status load_reference(struct xnr_store *s, struct xnr__bkt *b, int64_t run,
                                      struct xnr__bkt_side *ref_side, struct xnr_error *err)
{
	struct xnr_issue_run ir;
	enum xnr_status rc;

	memset(&ir, 0, sizeof ir);
	rc = xnr_store_issue_run(s, run, &ir, err);
	b->ref_run = rc == XNR_OK ? ir.reference_run : 0;
	xnr_issue_run_free(&ir);
	if (rc != XNR_OK && rc != XNR_ERR_NOT_FOUND)
		return rc;
	b->ref_self = b->ref_run <= 0;
	if (b->ref_self) {
		b->ref_run = run;
		return XNR_OK;
	}
	return side_load(s, b, b->ref_run, ref_side, err);
}

static enum xnr_status compute(struct xnr_store *s, struct xnr__bkt *b, int64_t run,
                               int64_t compare, struct xnr__bkt_side *ref_side,
                               struct xnr_bucket_ref **ref, struct xnr_error *err)
{
	enum xnr_status rc;
	int i;

	if ((rc = load_reference(s, b, run, ref_side, err)) != XNR_OK)
		return rc;
	b->n_sides = compare > 0 ? 2 : 1;
	for (i = 0; i < b->n_sides; i++)
		if ((rc = side_load(s, b, i ? compare : run, &b->s[i], err)) != XNR_OK)
			return rc;
	if ((rc = xnr_bucket_ref_build(b->ref_self ? &b->s[0].corpus : &ref_side->corpus,
	                               b->n_types ? b->n_types : 1, ref, err)) != XNR_OK)
		return rc;
	for (i = 0; i < b->n_sides; i++)
		if ((rc = side_cases(&b->s[i], *ref, err)) != XNR_OK)
			return rc;
	if ((rc = make_edges(b, err)) != XNR_OK)
		return rc;
	for (i = 0; i < b->n_sides; i++)
		if ((rc = side_count(b, &b->s[i], err)) != XNR_OK)
			return rc;
	return bootstrap(b, err);
}

enum xnr_status xnr_report_buckets(struct xnr_store *s, int64_t run, int64_t compare,
                                   const struct xnr_bucket_params *p, json_t **out,
                                   struct xnr_error *err)
{
	struct xnr__bkt b;
	struct xnr__bkt_side ref_side;
	struct xnr_bucket_ref *ref = NULL;
	enum xnr_status rc;
	int i;

	memset(&b, 0, sizeof b);
	memset(&ref_side, 0, sizeof ref_side);
	b.p = p;
	if (p->samples < 0 || p->n_continuous < 1 || p->n_continuous > XNR_BUCKET_MAX ||
	    p->n_discrete < 1 || p->n_discrete > XNR_BUCKET_MAX)
		return xnr_fail(err, XNR_ERR_INPUT, "buckets: 1 to %d buckets and samples >= 0",
		                XNR_BUCKET_MAX);
	if (!(b.types = calloc(MAX_TYPES, sizeof *b.types)))
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	rc = compute(s, &b, run, compare, &ref_side, &ref, err);
	if (rc == XNR_OK)
		rc = xnr__bkt_json(&b, out, err);
	xnr_bucket_ref_free(ref);
	for (i = 0; i < 2; i++)
		side_free(&b.s[i]);
	side_free(&ref_side);
	free(b.types);
	return rc;
}
