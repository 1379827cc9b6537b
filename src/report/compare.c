/*
 * compare.c - two stored runs side by side (compare.h): the runs loaded,
 * their sentences paired (by index over the same data, else by text),
 * their entity types mapped by name to shared columns, F1's counts per pair
 * for the paired bootstrap, and every entity decision of the pairs whose
 * gold agrees, with the sentences B fixed, broke, or both got wrong
 * differently. The JSON is compare_json.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"

struct xnr_compare_params xnr_compare_default_params(void)
{
	struct xnr_compare_params p;
	p.boot = xnr_boot_default_params();
	p.type = NULL;
	p.top = 20;
	return p;
}

static void side_free(struct xnr__cmp_side *s)
{
	size_t i;
	if (s->texts)
		for (i = 0; i < s->v->n_sents; i++)
			free(s->texts[i]);
	free(s->texts);
	free(s->col);
	free(s->row);
	free(s->first_gold);
	free(s->first_pred);
	xnr_seqeval_report_free(&s->r);
	xnr_run_view_free(s->v);
	xnr_run_free(&s->run);
}

static void cmp_free(struct xnr__cmp *c)
{
	int k;
	side_free(&c->s[0]);
	side_free(&c->s[1]);
	free(c->pair_a);
	free(c->pair_b);
	free(c->cols);
	xnr_f1_boot_free(&c->boot);
	xnr_f1_counts_free(&c->counts[0]);
	xnr_f1_counts_free(&c->counts[1]);
	free(c->units);
	for (k = 0; k < XNR__CMP_KINDS; k++)
		free(c->sents[k]);
}

/* Every sentence's text, by id (the view checked ids are 0..n-1). */
static enum xnr_status load_texts(struct xnr_store *st, struct xnr__cmp_side *s,
                                  struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(s->run.id);
	struct xnr_sentence_row row;
	struct xnr_rows *rows = NULL;
	enum xnr_status rc;
	int more = 1;

	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	if (!(s->texts = calloc(s->v->n_sents + 1, sizeof *s->texts)))
		return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	if ((rc = xnr_store_sentences(st, &q, &rows, err)) != XNR_OK)
		return rc;
	while ((rc = xnr_rows_sentence(rows, &row, &more, err)) == XNR_OK && more) {
		if (row.id < 0 || (size_t)row.id >= s->v->n_sents) {
			rc = xnr_fail(err, XNR_ERR_FORMAT, "run %lld: sentence ids are not 0..n-1",
			              (long long)s->run.id);
			break;
		}
		if (!(s->texts[row.id] = strdup(row.text ? row.text : ""))) {
			rc = xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
			break;
		}
	}
	xnr_rows_close(rows);
	return rc;
}

/* Where each sentence's entities start in e (sorted by sentence, so a
 * prefix sum of the counts). */
static size_t *index_entities(const struct xnr_entities *e, size_t n_sents)
{
	size_t *first = calloc(n_sents + 2, sizeof *first), i;
	if (!first)
		return NULL;
	for (i = 0; i < e->n; i++)
		if (e->v[i].sent < n_sents)
			first[e->v[i].sent + 1]++;
	for (i = 0; i < n_sents; i++)
		first[i + 1] += first[i];
	return first;
}

static enum xnr_status load_side(struct xnr_store *st, int64_t id, struct xnr__cmp_side *s,
                                 struct xnr_error *err)
{
	struct xnr_seqeval_params sp = xnr_seqeval_default_params();
	struct xnr_tagged_corpus corpus;
	enum xnr_status rc;

	if ((rc = xnr_store_run_get(st, id, &s->run, err)) != XNR_OK ||
	    (rc = xnr_run_view_load(st, id, &s->v, err)) != XNR_OK)
		return rc;
	corpus.tags = s->v->tags;
	corpus.n_sents = s->v->n_sents;
	corpus.sent_start = s->v->sent_start;
	corpus.gold = s->v->gold;
	corpus.pred = s->v->pred;
	if ((rc = xnr_seqeval_evaluate(&corpus, &sp, &s->r, err)) != XNR_OK ||
	    (rc = load_texts(st, s, err)) != XNR_OK)
		return rc;
	s->row = malloc((s->v->n_sents + 1) * sizeof *s->row);
	s->first_gold = index_entities(&s->r.gold, s->v->n_sents);
	s->first_pred = index_entities(&s->r.pred, s->v->n_sents);
	if (!s->row || !s->first_gold || !s->first_pred)
		return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	memset(s->row, 0xff, (s->v->n_sents + 1) * sizeof *s->row);
	return XNR_OK;
}

/* ---- pairing ---- */

static size_t n_words(const struct xnr_run_view *v, size_t s)
{
	return v->sent_start[s + 1] - v->sent_start[s];
}

static enum xnr_status add_pair(struct xnr__cmp *c, int64_t a, int64_t b)
{
	c->pair_a[c->n_pairs] = a;
	c->pair_b[c->n_pairs] = b;
	c->s[0].row[a] = (int64_t)c->n_pairs;
	c->s[1].row[b] = (int64_t)c->n_pairs;
	c->n_pairs++;
	return XNR_OK;
}

/* The same data (hash) read twice: sentence i with sentence i. */
static enum xnr_status pair_by_index(struct xnr__cmp *c, struct xnr_error *err)
{
	const struct xnr_run_view *va = c->s[0].v, *vb = c->s[1].v;
	size_t i;

	for (i = 0; i < va->n_sents; i++) {
		if (n_words(va, i) != n_words(vb, i))
			return xnr_fail(
			    err, XNR_ERR_MISMATCH,
			    "runs %lld and %lld read the same data, but sentence %zu has %zu "
			    "words in one and %zu in the other",
			    (long long)va->run, (long long)vb->run, i, n_words(va, i),
			    n_words(vb, i));
		(void)add_pair(c, (int64_t)i, (int64_t)i);
	}
	return XNR_OK;
}

static const struct xnr__cmp_side *sort_side;

/* Sentence ids by text, then id (qsort has no context argument). */
static int by_text(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	int d = strcmp(sort_side->texts[a], sort_side->texts[b]);
	return d ? d : (a > b) - (a < b);
}

static int by_pair_a(const void *x, const void *y)
{
	int64_t a = ((const int64_t *)x)[0], b = ((const int64_t *)y)[0];
	return (a > b) - (a < b);
}

static int64_t *sorted_ids(const struct xnr__cmp_side *s)
{
	int64_t *ids = malloc((s->v->n_sents + 1) * sizeof *ids);
	size_t i;
	if (!ids)
		return NULL;
	for (i = 0; i < s->v->n_sents; i++)
		ids[i] = (int64_t)i;
	sort_side = s;
	qsort(ids, s->v->n_sents, sizeof *ids, by_text);
	return ids;
}

/* Other data: equal texts pair up in order (the k-th "Hello ." of a with
 * the k-th of b), then the pairs go in a's order. */
static enum xnr_status pair_by_text(struct xnr__cmp *c, struct xnr_error *err)
{
	const struct xnr__cmp_side *A = &c->s[0], *B = &c->s[1];
	int64_t *ia = sorted_ids(A), *ib = sorted_ids(B), *tmp = NULL;
	size_t i = 0, j = 0, k;

	if (!ia || !ib || !(tmp = malloc((c->n_pairs + A->v->n_sents + 1) * 2 * sizeof *tmp))) {
		free(ia);
		free(ib);
		return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	}
	while (i < A->v->n_sents && j < B->v->n_sents) {
		int d = strcmp(A->texts[ia[i]], B->texts[ib[j]]);
		if (d == 0 && n_words(A->v, (size_t)ia[i]) == n_words(B->v, (size_t)ib[j])) {
			tmp[2 * c->n_pairs] = ia[i++];
			tmp[2 * c->n_pairs + 1] = ib[j++];
			c->n_pairs++;
		} else if (d <= 0)
			i++;
		else
			j++;
	}
	qsort(tmp, c->n_pairs, 2 * sizeof *tmp, by_pair_a);
	k = c->n_pairs;
	c->n_pairs = 0;
	for (i = 0; i < k; i++)
		(void)add_pair(c, tmp[2 * i], tmp[2 * i + 1]);
	free(ia);
	free(ib);
	free(tmp);
	return XNR_OK;
}

static enum xnr_status pair_sentences(struct xnr__cmp *c, struct xnr_error *err)
{
	const struct xnr_run *a = &c->s[0].run, *b = &c->s[1].run;
	size_t n = c->s[0].v->n_sents;
	enum xnr_status rc;

	c->pair_a = malloc((n + 1) * sizeof *c->pair_a);
	c->pair_b = malloc((n + 1) * sizeof *c->pair_b);
	if (!c->pair_a || !c->pair_b)
		return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	c->by_text = !(a->data_hash && b->data_hash && strcmp(a->data_hash, b->data_hash) == 0 &&
	               n == c->s[1].v->n_sents);
	rc = c->by_text ? pair_by_text(c, err) : pair_by_index(c, err);
	if (rc == XNR_OK && c->n_pairs == 0)
		return xnr_fail(err, XNR_ERR_MISMATCH,
		                "runs %lld and %lld share no sentence (%s and %s hold different "
		                "texts): nothing to compare",
		                (long long)a->id, (long long)b->id,
		                a->data_path ? a->data_path : "?",
		                b->data_path ? b->data_path : "?");
	return rc;
}

/* ---- entity types by name ---- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int32_t find_col(const struct xnr__cmp *c, const char *name)
{
	const char **hit = bsearch(&name, c->cols, c->n_cols, sizeof *c->cols, cmp_str);
	return hit ? (int32_t)(hit - c->cols) : -1;
}

/* The union of both reports' classes, sorted and unique, and each side's
 * type id -> column. */
static enum xnr_status map_types(struct xnr__cmp *c, struct xnr_error *err)
{
	size_t n = c->s[0].r.n_classes + c->s[1].r.n_classes, i, k, m = 0;
	int side;

	if (!(c->cols = malloc((n + 1) * sizeof *c->cols)))
		return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	for (side = 0; side < 2; side++)
		for (i = 0; i < c->s[side].r.n_classes; i++)
			c->cols[m++] = c->s[side].r.classes[i].name;
	qsort(c->cols, m, sizeof *c->cols, cmp_str);
	for (i = 0, k = 0; i < m; i++)
		if (k == 0 || strcmp(c->cols[k - 1], c->cols[i]) != 0)
			c->cols[k++] = c->cols[i];
	c->n_cols = k;
	for (side = 0; side < 2; side++) {
		struct xnr__cmp_side *s = &c->s[side];
		size_t n_types = xnr_tagset_n_types(s->v->tags);
		if (!(s->col = malloc((n_types + 1) * sizeof *s->col)))
			return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
		for (i = 0; i < n_types; i++)
			s->col[i] = find_col(c, xnr_tagset_type(s->v->tags, (uint32_t)i));
	}
	c->filter_col = c->p->type ? find_col(c, c->p->type) : -1;
	if (c->p->type && c->filter_col < 0)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "compare: no entity of type \"%s\" in run %lld or %lld", c->p->type,
		                (long long)c->s[0].run.id, (long long)c->s[1].run.id);
	return XNR_OK;
}

/* ---- scores ---- */

static enum xnr_status bootstrap(struct xnr__cmp *c, struct xnr_error *err)
{
	enum xnr_status rc = XNR_OK;
	int side;

	for (side = 0; side < 2 && rc == XNR_OK; side++) {
		struct xnr__cmp_side *s = &c->s[side];
		if ((rc = xnr_f1_counts_init(&c->counts[side], c->n_pairs, c->n_cols, err)) ==
		    XNR_OK)
			rc = xnr_f1_counts_add(&c->counts[side], &s->r.gold, &s->r.pred,
			                       s->v->n_sents, s->row,
			                       xnr_tagset_n_types(s->v->tags), s->col, err);
	}
	if (rc == XNR_OK)
		rc = xnr_stats_bootstrap_f1(&c->counts[0], &c->counts[1], &c->p->boot, &c->boot,
		                            err);
	return rc;
}

/* ---- decisions ---- */

/* The entities of sentence s of one side, gold or predicted. */
struct span_list {
	const struct xnr_entity *v;
	size_t n;
	const int32_t *col;
};

static struct span_list spans(const struct xnr__cmp_side *s, int64_t sent, int gold)
{
	struct span_list l;
	const size_t *first = gold ? s->first_gold : s->first_pred;
	l.v = (gold ? s->r.gold.v : s->r.pred.v) + first[sent];
	l.n = first[sent + 1] - first[sent];
	l.col = s->col;
	return l;
}

static int has(struct span_list l, int64_t start, int64_t end, int32_t col)
{
	size_t i;
	for (i = 0; i < l.n; i++)
		if (l.v[i].start == start && l.v[i].end == end && l.col[l.v[i].type] == col)
			return 1;
	return 0;
}

/* The column of the span of l at [start, end), -1 when there is none. */
static int32_t col_at(struct span_list l, int64_t start, int64_t end)
{
	size_t i;
	for (i = 0; i < l.n; i++)
		if (l.v[i].start == start && l.v[i].end == end)
			return l.col[l.v[i].type];
	return -1;
}

/* Every span of x is in y and they are as many (seqeval's spans are sets). */
static int same(struct span_list x, struct span_list y)
{
	size_t i;
	if (x.n != y.n)
		return 0;
	for (i = 0; i < x.n; i++)
		if (!has(y, x.v[i].start, x.v[i].end, x.col[x.v[i].type]))
			return 0;
	return 1;
}

static enum xnr_status add_unit(struct xnr__cmp *c, const struct xnr__cmp_unit *u)
{
	if (c->n_units == c->cap_units) {
		size_t cap = c->cap_units ? 2 * c->cap_units : 1024;
		struct xnr__cmp_unit *p = realloc(c->units, cap * sizeof *p);
		if (!p)
			return XNR_ERR_NOMEM;
		c->units = p;
		c->cap_units = cap;
	}
	c->units[c->n_units++] = *u;
	c->n_ab += u->in_a == u->gold && u->in_b != u->gold;
	c->n_ba += u->in_a != u->gold && u->in_b == u->gold;
	return XNR_OK;
}

/* The decisions of pair k: its gold entities, then the predicted spans of a,
 * then those of b that are neither gold nor a's. */
static enum xnr_status pair_units(struct xnr__cmp *c, size_t k, struct span_list g,
                                  struct span_list pa, struct span_list pb)
{
	struct span_list lists[3] = {g, pa, pb};
	int l;
	size_t i;

	for (l = 0; l < 3; l++)
		for (i = 0; i < lists[l].n; i++) {
			const struct xnr_entity *e = &lists[l].v[i];
			struct xnr__cmp_unit u;
			u.pair = k;
			u.start = e->start;
			u.end = e->end;
			u.col = lists[l].col[e->type];
			if ((l >= 1 && has(g, u.start, u.end, u.col)) ||
			    (l == 2 && has(pa, u.start, u.end, u.col)))
				continue;
			u.gold = l == 0;
			u.in_a = (unsigned char)has(pa, u.start, u.end, u.col);
			u.in_b = (unsigned char)has(pb, u.start, u.end, u.col);
			u.col_a = col_at(pa, u.start, u.end);
			u.col_b = col_at(pb, u.start, u.end);
			if (add_unit(c, &u) != XNR_OK)
				return XNR_ERR_NOMEM;
		}
	return XNR_OK;
}

static enum xnr_status list_sentence(struct xnr__cmp *c, enum xnr__cmp_kind kind, size_t k,
                                     long changed)
{
	struct xnr__cmp_sent *p = realloc(c->sents[kind], (c->n_sents[kind] + 1) * sizeof *p);
	if (!p)
		return XNR_ERR_NOMEM;
	c->sents[kind] = p;
	p[c->n_sents[kind]].pair = k;
	p[c->n_sents[kind]++].changed = changed;
	return XNR_OK;
}

/* Pair k's decisions, and its place in the lists. */
static enum xnr_status decide(struct xnr__cmp *c, size_t k)
{
	struct span_list ga = spans(&c->s[0], c->pair_a[k], 1),
	                 gb = spans(&c->s[1], c->pair_b[k], 1);
	struct span_list pa = spans(&c->s[0], c->pair_a[k], 0),
	                 pb = spans(&c->s[1], c->pair_b[k], 0);
	size_t first = c->n_units, i;
	int right_a, right_b;
	long changed = 0;

	if (!same(ga, gb)) {
		c->gold_differs++;
		return XNR_OK;
	}
	if (pair_units(c, k, ga, pa, pb) != XNR_OK)
		return XNR_ERR_NOMEM;
	for (i = first; i < c->n_units; i++)
		changed += c->units[i].in_a != c->units[i].in_b &&
		           (c->filter_col < 0 || c->units[i].col == c->filter_col);
	right_a = same(pa, ga);
	right_b = same(pb, ga);
	if (changed == 0 || (right_a && right_b))
		return XNR_OK;
	return list_sentence(c,
	                     right_b   ? XNR__CMP_FIXED
	                     : right_a ? XNR__CMP_REGRESSED
	                               : XNR__CMP_BOTH_WRONG,
	                     k, changed);
}

static int by_changed(const void *x, const void *y)
{
	const struct xnr__cmp_sent *a = x, *b = y;
	if (a->changed != b->changed)
		return a->changed < b->changed ? 1 : -1;
	return (a->pair > b->pair) - (a->pair < b->pair);
}

static enum xnr_status decisions(struct xnr__cmp *c, struct xnr_error *err)
{
	size_t k;
	int kind;

	for (k = 0; k < c->n_pairs; k++)
		if (decide(c, k) != XNR_OK)
			return xnr_fail(err, XNR_ERR_NOMEM, "compare: out of memory");
	for (kind = 0; kind < XNR__CMP_KINDS; kind++)
		if (c->n_sents[kind] > 0) /* qsort(NULL, 0) is undefined */
			qsort(c->sents[kind], c->n_sents[kind], sizeof *c->sents[kind], by_changed);
	return XNR_OK;
}

static enum xnr_status check_params(const struct xnr_compare_params *p, struct xnr_error *err)
{
	if (p->boot.n_resamples < 1 || p->boot.n_resamples > XNR_BOOT_MAX_RESAMPLES)
		return xnr_fail(err, XNR_ERR_INPUT, "compare: resamples must be 1 to %d, got %d",
		                XNR_BOOT_MAX_RESAMPLES, p->boot.n_resamples);
	if (!(p->boot.level > 0.0 && p->boot.level < 1.0))
		return xnr_fail(err, XNR_ERR_INPUT, "compare: level must be in (0, 1), got %g",
		                p->boot.level);
	return XNR_OK;
}

enum xnr_status xnr_report_compare(struct xnr_store *s, int64_t a, int64_t b,
                                   const struct xnr_compare_params *p, json_t **out,
                                   struct xnr_error *err)
{
	return xnr_report_compare_stores(s, a, s, b, p, out, err);
}

enum xnr_status xnr_report_compare_stores(struct xnr_store *sa, int64_t a, struct xnr_store *sb,
                                          int64_t b, const struct xnr_compare_params *p,
                                          json_t **out, struct xnr_error *err)
{
	struct xnr__cmp c;
	enum xnr_status rc;

	memset(&c, 0, sizeof c);
	c.p = p;
	if ((rc = check_params(p, err)) == XNR_OK &&
	    (rc = load_side(sa, a, &c.s[0], err)) == XNR_OK &&
	    (rc = load_side(sb, b, &c.s[1], err)) == XNR_OK &&
	    (rc = pair_sentences(&c, err)) == XNR_OK && (rc = map_types(&c, err)) == XNR_OK &&
	    (rc = bootstrap(&c, err)) == XNR_OK && (rc = decisions(&c, err)) == XNR_OK)
		rc = xnr__cmp_json(sa, &c, out, err);
	cmp_free(&c);
	return rc;
}
