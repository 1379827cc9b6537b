/*
 * buckets_json.c - the buckets' parameters (defaults, the user's edges as
 * "span_length:1,2;sentence_length:10,20") and their JSON (report.h): per
 * attribute, per bucket, per run the counts, F1 with its bootstrap interval
 * and the first cases, errors first.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"

struct xnr_bucket_params xnr_bucket_default_params(void)
{
	struct xnr_bucket_params p;

	memset(&p, 0, sizeof p);
	p.boot = xnr_boot_default_params();
	p.n_continuous = 4;
	p.n_discrete = 10;
	p.samples = 20;
	return p;
}

/* One "name:e1,e2" part of len bytes into p. */
static enum xnr_status parse_part(const char *part, size_t len, struct xnr_bucket_params *p,
                                  struct xnr_error *err)
{
	const char *colon = memchr(part, ':', len), *end = part + len, *q;
	int a, n = 0;

	for (a = 0; colon && a < XNR_BATTR_COUNT; a++)
		if (strlen(xnr_bucket_attr_names[a]) == (size_t)(colon - part) &&
		    !strncmp(xnr_bucket_attr_names[a], part, (size_t)(colon - part)))
			break;
	if (!colon || a == XNR_BATTR_COUNT || xnr_bucket_attr_discrete((enum xnr_bucket_attr)a))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "buckets: \"%.*s\" is no numeric attribute with edges "
		                "(NAME:E1,E2,...; names: span_length, sentence_length, ...)",
		                (int)len, part);
	for (q = colon + 1; q < end; n++) {
		char *stop;
		double x;
		errno = 0;
		x = strtod(q, &stop);
		if (stop == q || errno || stop > end || (stop < end && *stop != ',') ||
		    n == XNR_BUCKET_MAX - 1 || !isfinite(x) || (n && !(x > p->fixed[a][n - 1])))
			return xnr_fail(err, XNR_ERR_INPUT,
			                "buckets: edges of %s must be up to %d ascending numbers, "
			                "got \"%.*s\"",
			                xnr_bucket_attr_names[a], XNR_BUCKET_MAX - 1,
			                (int)(end - colon - 1), colon + 1);
		p->fixed[a][n] = x;
		q = stop < end ? stop + 1 : stop;
	}
	if (!n)
		return xnr_fail(err, XNR_ERR_INPUT, "buckets: %s has no edge",
		                xnr_bucket_attr_names[a]);
	p->n_fixed[a] = n;
	return XNR_OK;
}

enum xnr_status xnr_bucket_edges_parse(const char *spec, struct xnr_bucket_params *p,
                                       struct xnr_error *err)
{
	enum xnr_status rc;

	while (spec && *spec) {
		const char *semi = strchr(spec, ';');
		size_t len = semi ? (size_t)(semi - spec) : strlen(spec);
		if ((rc = parse_part(spec, len, p, err)) != XNR_OK)
			return rc;
		spec += len + (semi != NULL);
	}
	return XNR_OK;
}

/* Some descriptions are one string in two literals, not two strings.
 * NOLINTBEGIN(bugprone-suspicious-missing-comma) */
static const char *const descriptions[XNR_BATTR_COUNT] = {
    "words of the entity",
    "words of its sentence",
    "gold entity words / words of its sentence",
    "words of its sentence not in the reference (case-sensitive) / its words",
    "mean frequency rank in the reference of its sentence's words (1: the most frequent; "
    "unseen: the reference's distinct words)",
    "gold entities of the reference with its lower-cased text",
    "share of the reference's occurrences of its lower-cased text labelled with its gold "
    "type (O when not an entity; 0 when no reference entity has the text)",
    "low_caps, full_caps, first_caps or not_first_caps (ASCII letters)",
    "its first word / words of its sentence",
    "its sentence's document (the largest kept)",
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

static json_t *edge_json(double x)
{
	return isinf(x) ? json_null() : json_real(x);
}

/* "[1, 2]", "(1, 2]", "low_caps", "document 3". */
static void bucket_label(const struct xnr_bucketing *b, int a, int k, char *buf, size_t len)
{
	if (a == XNR_BATTR_CAPS && b->lo[k] >= 0 && b->lo[k] < XNR_BCAPS_COUNT)
		snprintf(buf, len, "%s", xnr_bucket_caps_names[(int)b->lo[k]]);
	else if (a == XNR_BATTR_DOCUMENT)
		snprintf(buf, len, "document %.0f", b->lo[k]);
	else if (b->kind == XNR_BUCKET_FIXED && isinf(b->lo[k]))
		snprintf(buf, len, "<= %.4g", b->hi[k]);
	else if (b->kind == XNR_BUCKET_FIXED && isinf(b->hi[k]))
		snprintf(buf, len, "> %.4g", b->lo[k]);
	else
		snprintf(buf, len, "%s%.4g, %.4g]", b->kind == XNR_BUCKET_FIXED ? "(" : "[",
		         b->lo[k], b->hi[k]);
}

static json_t *sample_json(const struct xnr__bkt *b, const struct xnr__bkt_side *x,
                           const struct xnr_bucket_case *c)
{
	size_t first = x->v->sent_start[c->sent], w, len = 1;
	json_t *o;
	char *text;

	for (w = first + (size_t)c->start; w < first + (size_t)c->end; w++)
		len += strlen(x->text[w]) + 1;
	if (!(text = calloc(len, 1)))
		return NULL;
	for (w = first + (size_t)c->start; w < first + (size_t)c->end; w++) {
		if (w > first + (size_t)c->start)
			strcat(text, " ");
		strcat(text, x->text[w]);
	}
	o = json_pack("{s:i,s:i,s:i,s:s,s:s,s:s}", "sentence", c->sent, "start", c->start, "end",
	              c->end, "text", text, "gold", c->gold ? b->types[c->gold - 1] : "O", "pred",
	              c->pred ? b->types[c->pred - 1] : "O");
	free(text);
	return o;
}

/* The first samples cases of bucket k of attribute a: errors, then the rest. */
static json_t *samples_json(const struct xnr__bkt *b, const struct xnr__bkt_side *x, int a, int k)
{
	json_t *arr = json_array();
	const int32_t *bk = x->bucket + (size_t)a * x->n_cases;
	size_t i;
	int pass;

	for (pass = 0; pass < 2 && arr; pass++)
		for (i = 0; i < x->n_cases && json_array_size(arr) < (size_t)b->p->samples; i++) {
			const struct xnr_bucket_case *c = &x->cases[i];
			if (bk[i] == k && (c->gold != c->pred) == !pass &&
			    json_array_append_new(arr, sample_json(b, x, c)) != 0) {
				json_decref(arr);
				return NULL;
			}
		}
	return arr;
}

static json_t *side_bucket_json(const struct xnr__bkt *b, const struct xnr__bkt_side *x, int a,
                                int k)
{
	size_t col = (size_t)b->first_col[a] + (size_t)k, i, n_cases = 0;
	int64_t sum[3] = {0, 0, 0};
	const struct xnr_interval *iv = &x->boot.col[col].a;

	for (i = 0; i < x->n_cases; i++)
		n_cases += x->bucket[(size_t)a * x->n_cases + i] == k;
	for (i = 0; i < x->counts.n_rows; i++)
		for (int j = 0; j < 3; j++)
			sum[j] += x->counts.c[(i * x->counts.n_cols + col) * 3 + (size_t)j];
	return json_pack("{s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:o*}", "cases", (json_int_t)n_cases, "gold",
	                 (json_int_t)sum[2], "pred", (json_int_t)sum[1], "tp", (json_int_t)sum[0],
	                 "f1", iv->est, "lo", iv->lo, "hi", iv->hi, "samples",
	                 samples_json(b, x, a, k));
}

static json_t *attribute_json(const struct xnr__bkt *b, int a)
{
	static const char *const kinds[] = {"continuous", "discrete", "fixed"};
	const struct xnr_bucketing *bk = &b->b[a];
	json_t *buckets = json_array();
	char label[96];
	int k, i;

	for (k = 0; buckets && k < bk->n; k++) {
		json_t *runs = json_array();
		for (i = 0; runs && i < b->n_sides; i++)
			if (json_array_append_new(runs, side_bucket_json(b, &b->s[i], a, k)) != 0) {
				json_decref(runs);
				runs = NULL;
			}
		bucket_label(bk, a, k, label, sizeof label);
		if (!runs || json_array_append_new(
		                 buckets, json_pack("{s:s,s:o,s:o,s:o}", "label", label, "lo",
		                                    edge_json(bk->lo[k]), "hi",
		                                    edge_json(bk->hi[k]), "runs", runs)) != 0) {
			json_decref(buckets);
			buckets = NULL;
		}
	}
	return json_pack("{s:s,s:s,s:s,s:o*}", "name", xnr_bucket_attr_names[a], "description",
	                 descriptions[a], "kind", kinds[bk->kind], "buckets", buckets);
}

enum xnr_status xnr__bkt_json(const struct xnr__bkt *b, json_t **out, struct xnr_error *err)
{
	json_t *o, *attrs = json_array(), *runs = json_array();
	int a, i;

	for (i = 0; runs && i < b->n_sides; i++)
		json_array_append_new(runs,
		                      json_pack("{s:I,s:I,s:I}", "run", (json_int_t)b->s[i].run,
		                                "sentences", (json_int_t)b->s[i].v->n_sents,
		                                "cases", (json_int_t)b->s[i].n_cases));
	for (a = 0; attrs && a < XNR_BATTR_COUNT; a++)
		if (json_array_append_new(attrs, attribute_json(b, a)) != 0) {
			json_decref(attrs);
			attrs = NULL;
		}
	o = json_pack(
	    "{s:I,s:o,s:{s:I,s:s},s:{s:I,s:i,s:f,s:s},s:o*,s:o*}", "run", (json_int_t)b->s[0].run,
	    "compare", b->n_sides > 1 ? json_integer(b->s[1].run) : json_null(), "reference", "run",
	    (json_int_t)b->ref_run, "of",
	    b->ref_self ? "the run itself (its label issues have no reference split)"
	                : "the reference split of the run's label issues",
	    "bootstrap", "seed", (json_int_t)b->p->boot.seed, "resamples", b->p->boot.n_resamples,
	    "level", b->p->boot.level, "unit", "sentence", "runs", runs, "attributes", attrs);
	if (!o || !runs || !attrs) {
		json_decref(o);
		return xnr_fail(err, XNR_ERR_NOMEM, "buckets: out of memory");
	}
	*out = o;
	return XNR_OK;
}
