/*
 * buckets.c - ExplainaBoard's NER cases and attributes (buckets.h): cases
 * merged from gold and predicted spans, the reference's statistics (its
 * vocabulary with dense frequency ranks, efre_dic and econ_dic of
 * processors/named_entity_recognition.py, over word ids of an interner so
 * every token sequence is a key without copying), and each case's
 * attributes. The bucket edges are in bucketing.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/buckets.h"
#include "analysis/internal.h"

const char *const xnr_bucket_attr_names[] = {"span_length",
                                             "sentence_length",
                                             "entity_density",
                                             "oov_rate",
                                             "token_frequency_rank",
                                             "entity_frequency",
                                             "label_consistency",
                                             "capitalisation",
                                             "relative_position",
                                             "document",
                                             NULL};

const char *const xnr_bucket_caps_names[] = {"low_caps", "full_caps", "first_caps",
                                             "not_first_caps", NULL};

int xnr_bucket_attr_discrete(enum xnr_bucket_attr a)
{
	return a == XNR_BATTR_CAPS || a == XNR_BATTR_DOCUMENT;
}

struct xnr_bucket_ref {
	int n_types;
	struct {
		struct xnr__intern *exact;  /* case-sensitive words: the vocabulary */
		struct xnr__intern *folded; /* lower-cased words */
		struct xnr__intern *ents;   /* entity strings as folded word-id sequences */
	} t;
	int32_t *rank;    /* (exact count) dense frequency rank */
	int32_t n_ranked; /* distinct words: the rank of an unseen one */
	int32_t *efre;    /* (ents count) gold spans with the string */
	int32_t *econ;    /* (ents count, n_types + 1) occurrences per class, 0: O */
	int32_t max_len;  /* the longest entity string, in words */
};

void xnr_bucket_ref_free(struct xnr_bucket_ref *r)
{
	if (!r)
		return;
	xnr__intern_close(r->t.exact);
	xnr__intern_close(r->t.folded);
	xnr__intern_close(r->t.ents);
	free(r->rank);
	free(r->efre);
	free(r->econ);
	free(r);
}

/* ---- cases ---- */

static int span_before(const struct xnr_cons_span *a, const struct xnr_cons_span *b)
{
	if (a->sent != b->sent)
		return a->sent < b->sent;
	if (a->start != b->start)
		return a->start < b->start;
	return a->end < b->end;
}

static int spans_ok(const struct xnr_bucket_corpus *c, const struct xnr_cons_span *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct xnr_cons_span *s = &v[i];
		if (s->sent < 0 || (size_t)s->sent >= c->n_sents || s->start < 0 ||
		    s->end <= s->start ||
		    (size_t)s->end > c->sent_start[s->sent + 1] - c->sent_start[s->sent] ||
		    s->type < 1 || (i && span_before(s, &v[i - 1])))
			return 0;
	}
	return 1;
}

enum xnr_status xnr_bucket_cases(const struct xnr_bucket_corpus *c, struct xnr_bucket_case **out,
                                 size_t *n, struct xnr_error *err)
{
	struct xnr_bucket_case *v;
	size_t i = 0, j = 0, k = 0;

	if (!spans_ok(c, c->gold, c->n_gold) || !spans_ok(c, c->pred, c->n_pred))
		return xnr_fail(err, XNR_ERR_INPUT, "buckets: entities out of order or range");
	if (!(v = malloc((c->n_gold + c->n_pred + 1) * sizeof *v)))
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	while (i < c->n_gold || j < c->n_pred) {
		const struct xnr_cons_span *g = i < c->n_gold ? &c->gold[i] : NULL;
		const struct xnr_cons_span *p = j < c->n_pred ? &c->pred[j] : NULL;
		const struct xnr_cons_span *first = g && (!p || !span_before(p, g)) ? g : p;
		struct xnr_bucket_case *x = &v[k++];
		if (!first)
			break;
		x->sent = first->sent;
		x->start = first->start;
		x->end = first->end;
		x->gold = x->pred = 0;
		if (g && !span_before(first, g) && !span_before(g, first))
			x->gold = c->gold[i++].type;
		if (p && !span_before(first, p) && !span_before(p, first))
			x->pred = c->pred[j++].type;
	}
	if (!k) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = k;
	return XNR_OK;
}

/* ---- the reference ---- */

/* Folded word ids of words [a, b) of c in ids; -1 for a word the folded
 * interner t lacks (add: every word gets one). 0, or -2 out of memory. */
static int folded_ids(const struct xnr_bucket_corpus *c, size_t a, size_t b, struct xnr__intern *t,
                      int add, int32_t *ids, char *buf, size_t buf_len)
{
	for (size_t w = a; w < b; w++) {
		size_t len = strlen(c->text[w]);
		char *s = len < buf_len ? buf : malloc(len + 1);
		if (!s)
			return -2;
		memcpy(s, c->text[w], len);
		xnr__fold_ascii(s, len);
		ids[w - a] = xnr__intern(t, s, len, add);
		if (s != buf)
			free(s);
		if (ids[w - a] == -2)
			return -2;
	}
	return 0;
}

static int cmp_desc(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
	return (a < b) - (a > b);
}

/* Dense ranks of the exact words' counts: the most frequent count is 1. */
static int rank_words(struct xnr_bucket_ref *r, const int32_t *count, int32_t n)
{
	int32_t *sorted = malloc(((size_t)n + 1) * sizeof *sorted), i, lo, hi, mid, n_distinct = 0;

	if (!(r->rank = malloc(((size_t)n + 1) * sizeof *r->rank)) || !sorted) {
		free(sorted);
		return -1;
	}
	for (i = 0; i < n; i++)
		sorted[i] = count[i];
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_desc);
	for (i = 0; i < n; i++)
		if (!n_distinct || sorted[n_distinct - 1] != sorted[i])
			sorted[n_distinct++] = sorted[i];
	for (i = 0; i < n; i++) {
		lo = 0;
		hi = n_distinct - 1;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (sorted[mid] > count[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		r->rank[i] = lo + 1;
	}
	r->n_ranked = n;
	free(sorted);
	return 0;
}

/* Count id in *v (grown to hold it; *cap its size). 0, or -1 out of memory. */
static int bump(int32_t **v, size_t *cap, int32_t id)
{
	if ((size_t)id >= *cap) {
		size_t n = *cap ? *cap * 2 : 1024, i;
		int32_t *g;
		while (n <= (size_t)id)
			n *= 2;
		if (!(g = realloc(*v, n * sizeof *g)))
			return -1;
		for (i = *cap; i < n; i++)
			g[i] = 0;
		*v = g;
		*cap = n;
	}
	(*v)[id]++;
	return 0;
}

/* The vocabulary, its ranks, and the folded ids of every word (fid). */
static int count_words(struct xnr_bucket_ref *r, const struct xnr_bucket_corpus *c, int32_t *fid)
{
	size_t n_words = c->sent_start[c->n_sents], w, cap = 0;
	int32_t *count = NULL, id;
	char buf[256];
	int rc = -1;

	for (w = 0; w < n_words; w++)
		if ((id = xnr__intern(r->t.exact, c->text[w], strlen(c->text[w]), 1)) < 0 ||
		    bump(&count, &cap, id) != 0)
			goto done;
	if (folded_ids(c, 0, n_words, r->t.folded, 1, fid, buf, sizeof buf) != 0 ||
	    rank_words(r, count, xnr__intern_count(r->t.exact)) != 0)
		goto done;
	rc = 0;
done:
	free(count);
	return rc;
}

/* efre_dic: the gold spans' strings (folded word-id sequences) counted. */
static int count_entities(struct xnr_bucket_ref *r, const struct xnr_bucket_corpus *c,
                          const int32_t *fid)
{
	size_t i, cap = 0;
	int32_t id;

	for (i = 0; i < c->n_gold; i++) {
		const struct xnr_cons_span *s = &c->gold[i];
		const int32_t *key = fid + c->sent_start[s->sent] + s->start;
		if ((id = xnr__intern(r->t.ents, key, (size_t)(s->end - s->start) * sizeof *key,
		                      1)) < 0 ||
		    bump(&r->efre, &cap, id) != 0)
			return -1;
		if (s->end - s->start > r->max_len)
			r->max_len = s->end - s->start;
	}
	return 0;
}

/* econ_dic: every occurrence of an entity string in the reference's token
 * stream, counted under the gold type of a span exactly there, else O. */
static int count_labels(struct xnr_bucket_ref *r, const struct xnr_bucket_corpus *c,
                        const int32_t *fid)
{
	size_t n_words = c->sent_start[c->n_sents], n_ents = (size_t)xnr__intern_count(r->t.ents);
	size_t w, i, s, nc = (size_t)r->n_types + 1;
	int32_t *end = malloc((n_words + 1) * sizeof *end),
	        *type = malloc((n_words + 1) * sizeof *type);
	int32_t k, id;

	r->econ = calloc(n_ents * nc + 1, sizeof *r->econ);
	if (!end || !type || !r->econ) {
		free(end);
		free(type);
		return -1;
	}
	for (w = 0; w < n_words; w++)
		end[w] = -1;
	for (i = 0; i < c->n_gold; i++) {
		w = c->sent_start[c->gold[i].sent] + (size_t)c->gold[i].start;
		end[w] = c->gold[i].end + (int32_t)(c->sent_start[c->gold[i].sent]);
		type[w] = c->gold[i].type;
	}
	for (s = 0; s < c->n_sents; s++)
		for (w = c->sent_start[s]; w < c->sent_start[s + 1]; w++)
			for (k = 1; k <= r->max_len && w + (size_t)k <= c->sent_start[s + 1]; k++) {
				id = xnr__intern(r->t.ents, fid + w, (size_t)k * sizeof *fid, 0);
				if (id >= 0)
					r->econ[(size_t)id * nc +
					        (size_t)(end[w] == (int32_t)(w + (size_t)k)
					                     ? type[w]
					                     : 0)]++;
			}
	free(end);
	free(type);
	return 0;
}

enum xnr_status xnr_bucket_ref_build(const struct xnr_bucket_corpus *ref, int n_types,
                                     struct xnr_bucket_ref **out, struct xnr_error *err)
{
	size_t n_words = ref->sent_start[ref->n_sents], i;
	struct xnr_bucket_ref *r = calloc(1, sizeof *r);
	int32_t *fid = malloc((n_words + 1) * sizeof *fid);

	if (!spans_ok(ref, ref->gold, ref->n_gold)) {
		free(r);
		free(fid);
		return xnr_fail(err, XNR_ERR_INPUT,
		                "buckets: reference entities out of order or range");
	}
	for (i = 0; i < ref->n_gold; i++)
		if (ref->gold[i].type > n_types)
			break;
	if (i < ref->n_gold || n_types < 1) {
		free(r);
		free(fid);
		return xnr_fail(err, XNR_ERR_INPUT, "buckets: a reference type out of range");
	}
	if (!r || !fid || !(r->t.exact = xnr__intern_open()) ||
	    !(r->t.folded = xnr__intern_open()) || !(r->t.ents = xnr__intern_open()))
		goto nomem;
	r->n_types = n_types;
	if (count_words(r, ref, fid) != 0 || count_entities(r, ref, fid) != 0 ||
	    count_labels(r, ref, fid) != 0)
		goto nomem;
	free(fid);
	*out = r;
	return XNR_OK;
nomem:
	free(fid);
	xnr_bucket_ref_free(r);
	return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
}

/* ---- attributes ---- */

static int is_upper(char ch)
{
	return ch >= 'A' && ch <= 'Z';
}

static int is_lower(char ch)
{
	return ch >= 'a' && ch <= 'z';
}

/* cap_feature of the words [a, b) joined by spaces. */
static int caps_of(const struct xnr_bucket_corpus *c, size_t a, size_t b)
{
	int any_upper = 0, any_lower = 0;
	size_t w;

	for (w = a; w < b; w++)
		for (const char *p = c->text[w]; *p; p++) {
			any_upper |= is_upper(*p);
			any_lower |= is_lower(*p);
		}
	if (!any_upper)
		return XNR_BCAPS_LOW;
	if (!any_lower)
		return XNR_BCAPS_FULL;
	return is_upper(c->text[a][0]) ? XNR_BCAPS_FIRST : XNR_BCAPS_NOT_FIRST;
}

/* Sentence s's length, entity density, OOV rate and mean frequency rank. */
static void sentence_features(const struct xnr_bucket_corpus *c, const struct xnr_bucket_ref *r,
                              const struct xnr_cons_span *first_gold, size_t s, double *out)
{
	size_t a = c->sent_start[s], b = c->sent_start[s + 1], w;
	double n = (double)(b - a), oov = 0.0, rank = 0.0, ent = 0.0;
	const struct xnr_cons_span *g;

	for (w = a; w < b; w++) {
		int32_t id = xnr__intern(r->t.exact, c->text[w], strlen(c->text[w]), 0);
		oov += id < 0;
		rank += id < 0 ? (double)r->n_ranked : (double)r->rank[id];
	}
	for (g = first_gold; g < c->gold + c->n_gold && (size_t)g->sent == s; g++)
		ent += (double)(g->end - g->start);
	out[0] = n;
	out[1] = n > 0 ? ent / n : 0.0;
	out[2] = n > 0 ? oov / n : 0.0;
	out[3] = n > 0 ? rank / n : 0.0;
}

/* The reference's string id of a case's lower-cased text, -1 when unseen;
 * -2 out of memory. */
static int32_t entity_id(const struct xnr_bucket_corpus *c, const struct xnr_bucket_ref *r,
                         const struct xnr_bucket_case *x, int32_t *ids)
{
	size_t a = c->sent_start[x->sent] + (size_t)x->start, b = a + (size_t)(x->end - x->start);
	char buf[256];
	int32_t k;

	if (x->end - x->start > r->max_len)
		return -1;
	if (folded_ids(c, a, b, r->t.folded, 0, ids, buf, sizeof buf) != 0)
		return -2;
	for (k = 0; k < x->end - x->start; k++)
		if (ids[k] < 0)
			return -1;
	return xnr__intern(r->t.ents, ids, (size_t)(x->end - x->start) * sizeof *ids, 0);
}

enum xnr_status xnr_bucket_features(const struct xnr_bucket_corpus *c,
                                    const struct xnr_bucket_case *cases, size_t n,
                                    const struct xnr_bucket_ref *r, double *values,
                                    struct xnr_error *err)
{
	size_t i, g = 0, s = (size_t)-1, nc = (size_t)r->n_types + 1;
	int32_t *ids = malloc(((size_t)r->max_len + 1) * sizeof *ids), id;
	double sf[4] = {0};

	if (!ids)
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	for (i = 0; i < n; i++) {
		const struct xnr_bucket_case *x = &cases[i];
		size_t a = c->sent_start[x->sent];
		if ((size_t)x->sent != s) {
			s = (size_t)x->sent;
			while (g < c->n_gold && (size_t)c->gold[g].sent < s)
				g++;
			sentence_features(c, r, c->gold + g, s, sf);
		}
		if ((id = entity_id(c, r, x, ids)) == -2) {
			free(ids);
			return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
		}
		values[XNR_BATTR_SPAN_LEN * n + i] = (double)(x->end - x->start);
		values[XNR_BATTR_SENT_LEN * n + i] = sf[0];
		values[XNR_BATTR_DENSITY * n + i] = sf[1];
		values[XNR_BATTR_OOV * n + i] = sf[2];
		values[XNR_BATTR_TOKEN_RANK * n + i] = sf[3];
		values[XNR_BATTR_EFRE * n + i] = id >= 0 ? (double)r->efre[id] : 0.0;
		values[XNR_BATTR_ECON * n + i] = 0.0;
		if (id >= 0 && x->gold <= r->n_types) {
			const int32_t *e = r->econ + (size_t)id * nc;
			int64_t total = 0;
			for (size_t k = 0; k < nc; k++)
				total += e[k];
			values[XNR_BATTR_ECON * n + i] =
			    total ? (double)e[x->gold] / (double)total : 0.0;
		}
		values[XNR_BATTR_CAPS * n + i] =
		    (double)caps_of(c, a + (size_t)x->start, a + (size_t)x->end);
		values[XNR_BATTR_POSITION * n + i] = (double)x->start / sf[0];
		values[XNR_BATTR_DOCUMENT * n + i] = c->doc ? (double)c->doc[x->sent] : 0.0;
	}
	free(ids);
	return XNR_OK;
}
