/*
 * corrected.c - the dataset with the accepted corrections (review.h): the
 * run's data file read again as the run read it, each label_error verdict
 * placed on the file's sentence at its line or JSONL id (kept out, as
 * stale, when that sentence's words are not the verdict's), and the tags
 * of each corrected sentence worked out the way the run converted them:
 *   file tags F --(to the model's scheme)--> C --(--label-map)--> gold
 *   C with the corrections mapped back, repaired as conlleval reads it: C2
 *   F0 = C in the file's scheme, F1 = C2 in the file's scheme.
 * Only words where F0 and F1 differ are rewritten (data/rewrite.h), so an
 * ill-formed tag the run repaired, but nobody corrected, stays as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "data/dataset.h"
#include "data/labels.h"
#include "data/rewrite.h"
#include "data/scheme.h"
#include "core/json.h"
#include "review/review.h"
#include "store/read.h"

/* Everything one export holds. */
struct fix {
	struct xnr_run run;
	struct xnr_data_params params; /* as the run read its data */
	char *labels, *label_map;      /* the run's --labels and --label-map */
	struct xnr_label_map map;
	enum xnr_scheme data_scheme, model_scheme;
	struct xnr_dataset *ds;
	struct xnr_verdict *verdicts;
	size_t n_verdicts;
	struct xnr_tag *f, *c, *c2, *f0, *f1; /* (longest sentence) scratch */
	struct xnr_tag_edit *edits;
	size_t n_edits, cap_edits;
};

static void fix_free(struct fix *x)
{
	xnr_run_free(&x->run);
	free(x->labels);
	free(x->label_map);
	xnr_label_map_free(&x->map);
	xnr_dataset_close(x->ds);
	xnr_verdicts_free(x->verdicts, x->n_verdicts);
	free(x->f);
	free(x->c);
	free(x->c2);
	free(x->f0);
	free(x->f1);
	for (size_t i = 0; i < x->n_edits; i++)
		free((char *)x->edits[i].tag);
	free(x->edits);
}

/* The run's options that decide how its data was read and labelled. */
static enum xnr_status read_options(struct fix *x, struct xnr_error *err)
{
	const char *what = "the run's options", *labels = NULL, *map = NULL;
	json_t *o = NULL;
	int64_t col = 0;
	enum xnr_status st = XNR_OK;

	x->params = xnr_data_default_params();
	if (x->run.options_json &&
	    (st = xnr_json_parse(x->run.options_json, strlen(x->run.options_json), what, &o,
	                         err)) != XNR_OK)
		return st;
	if (xnr_json_int(o, "tag_column", &col, what, err) < 0 ||
	    xnr_json_str(o, "labels", &labels, what, err) < 0 ||
	    xnr_json_str(o, "label_map", &map, what, err) < 0 || col < 0 || col > 1000)
		st = xnr_fail(err, XNR_ERR_FORMAT, "run %lld: malformed options %s",
		              (long long)x->run.id, x->run.options_json);
	else if ((labels && !(x->labels = strdup(labels))) ||
	         (map && !(x->label_map = strdup(map))))
		st = xnr_fail(err, XNR_ERR_NOMEM, "export: out of memory");
	json_decref(o);
	x->params.tag_column = (int)col;
	x->params.labels = x->labels;
	if (st == XNR_OK && x->label_map)
		st = xnr_label_map_parse(x->label_map, &x->map, err);
	return st;
}

/* The file's tagging scheme and the model's, as the run found them. */
static enum xnr_status read_schemes(struct fix *x, struct xnr_error *err)
{
	const char *data = NULL, *model = NULL;
	json_t *j = NULL;
	enum xnr_status st;

	if (!x->run.scheme_json)
		return xnr_fail(err, XNR_ERR_FORMAT, "run %lld: no tagging scheme recorded",
		                (long long)x->run.id);
	if ((st = xnr_json_parse(x->run.scheme_json, strlen(x->run.scheme_json), "the run's scheme",
	                         &j, err)) != XNR_OK)
		return st;
	if (xnr_json_str(j, "data", &data, "the run's scheme", err) != 1 ||
	    xnr_json_str(j, "model", &model, "the run's scheme", err) != 1)
		st = xnr_fail(err, XNR_ERR_FORMAT, "run %lld: no data and model scheme recorded",
		              (long long)x->run.id);
	else if ((st = xnr_scheme_parse(data, &x->data_scheme, err)) == XNR_OK)
		st = xnr_scheme_parse(model, &x->model_scheme, err);
	json_decref(j);
	return st;
}

/* The name, before --label-map, of run label `label` on a word whose tag was
 * t; NULL when t already maps to it (keep t). */
static const char *unmap(const struct fix *x, const struct xnr_tag *t, const char *label)
{
	char name[XNR_LABEL_MAX_BYTES + 8];
	const char *mapped = name;
	size_t i;

	if (t->prefix == 'O')
		strcpy(name, "O");
	else
		snprintf(name, sizeof name, "%c-%.*s", t->prefix, (int)t->type_len, t->type);
	for (i = 0; i < x->map.n; i++)
		if (strcmp(x->map.from[i], name) == 0) {
			mapped = x->map.to[i];
			break;
		}
	if (strcmp(mapped, label) == 0)
		return NULL;
	for (i = 0; i < x->map.n; i++)
		if (strcmp(x->map.to[i], label) == 0)
			return x->map.from[i];
	return label;
}

/* XNR_ERR_MISMATCH (unless force) when the file is not what the run read. */
static enum xnr_status check_hash(const struct xnr_run *run, int force, int *changed,
                                  struct xnr_error *err)
{
	struct xnr_sha256 *h = NULL;
	char hex[XNR_SHA256_HEX];
	enum xnr_status st;

	if (xnr_dataset_is_saved(run->data_path))
		return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, run->data_path, 0,
		                   XNR_REWRITE_SAVED_MSG);
	if ((st = xnr_sha256_open(&h, err)) != XNR_OK)
		return st;
	st = xnr_sha256_file(h, run->data_path, err);
	if (st == XNR_OK)
		xnr_sha256_hex(h, hex);
	xnr_sha256_close(h);
	if (st != XNR_OK)
		return st;
	*changed = !run->data_hash || strcmp(hex, run->data_hash) != 0;
	if (*changed && !force)
		return xnr_fail_at(err, XNR_ERR_MISMATCH, run->data_path, 0,
		                   "changed since run %lld read it (the verdicts were given on the "
		                   "old content): analyse it again with `explainer run`, or export "
		                   "with --force to apply only the verdicts whose sentences are "
		                   "unchanged",
		                   (long long)run->id);
	return XNR_OK;
}

static enum xnr_status scratch(struct fix *x, struct xnr_error *err)
{
	size_t longest = 1;

	for (size_t i = 0; i < x->ds->n_sentences; i++)
		if (x->ds->sentences[i].n_words > longest)
			longest = x->ds->sentences[i].n_words;
	x->f = calloc(longest, sizeof *x->f);
	x->c = calloc(longest, sizeof *x->c);
	x->c2 = calloc(longest, sizeof *x->c2);
	x->f0 = calloc(longest, sizeof *x->f0);
	x->f1 = calloc(longest, sizeof *x->f1);
	if (!x->f || !x->c || !x->c2 || !x->f0 || !x->f1)
		return xnr_fail(err, XNR_ERR_NOMEM, "export: out of memory");
	return XNR_OK;
}

/* The run, its data file (hash checked), the dataset, the verdicts. */
static enum xnr_status open_all(struct fix *x, struct xnr_store *s, int64_t run, int force,
                                struct xnr_corrected_summary *sum, struct xnr_error *err)
{
	enum xnr_status st;

	if ((st = xnr_store_run_get(s, run, &x->run, err)) != XNR_OK ||
	    (st = read_options(x, err)) != XNR_OK || (st = read_schemes(x, err)) != XNR_OK ||
	    (st = check_hash(&x->run, force, &sum->data_changed, err)) != XNR_OK ||
	    (st = xnr_dataset_open(x->run.data_path, &x->params, &x->ds, err)) != XNR_OK ||
	    (st = xnr_store_verdicts(s, run, -1, &x->verdicts, &x->n_verdicts, err)) != XNR_OK)
		return st;
	return scratch(x, err);
}

/* 1 if sentence i of ds has exactly the verdict's words. */
static int same_words(const struct xnr_dataset *ds, size_t i, const struct xnr_verdict *v)
{
	const struct xnr_sentence *s = &ds->sentences[i];
	const char *t = v->sentence_text;

	if (s->n_words != (size_t)v->n_words || (size_t)v->end > s->n_words)
		return 0;
	for (size_t w = 0; w < s->n_words; w++) {
		size_t n = strlen(ds->words[s->first_word + w]);
		if ((w && *t++ != ' ') || strncmp(t, ds->words[s->first_word + w], n) != 0)
			return 0;
		t += n;
	}
	return *t == '\0';
}

/* The file's sentence a verdict is on (its id, nearest its line; else its
 * line), or -1. Sentences are in line order. */
static long sentence_at(const struct xnr_dataset *ds, const struct xnr_verdict *v)
{
	long best = -1, lo = 0, hi = (long)ds->n_sentences - 1;

	if (v->source_id) {
		for (size_t i = 0; i < ds->n_sentences; i++) {
			const struct xnr_sentence *s = &ds->sentences[i];
			if (s->id && strcmp(s->id, v->source_id) == 0 &&
			    (best < 0 || labs(s->line - v->source_line) <
			                     labs(ds->sentences[best].line - v->source_line)))
				best = (long)i;
		}
		return best;
	}
	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		if (ds->sentences[mid].line == v->source_line)
			return mid;
		if (ds->sentences[mid].line < v->source_line)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* A verdict placed on a sentence of the file. */
struct placed {
	size_t sentence;
	const struct xnr_verdict *v;
};

static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int c;

	if (x->sentence != y->sentence)
		return x->sentence < y->sentence ? -1 : 1;
	if ((c = strcmp(x->v->updated_at, y->v->updated_at)) != 0)
		return c;
	return x->v->id < y->v->id ? -1 : x->v->id > y->v->id;
}

/* Append an edit of word w to "P-TYPE" of t. */
static enum xnr_status add_edit(struct fix *x, size_t w, const struct xnr_tag *t,
                                struct xnr_error *err)
{
	char *name = malloc(t->type_len + 3);

	if (!name)
		return xnr_fail(err, XNR_ERR_NOMEM, "export: out of memory");
	if (t->prefix == 'O')
		strcpy(name, "O");
	else
		snprintf(name, t->type_len + 3, "%c-%.*s", t->prefix, (int)t->type_len, t->type);
	if (x->n_edits == x->cap_edits) {
		size_t cap = x->cap_edits ? 2 * x->cap_edits : 64;
		struct xnr_tag_edit *e = realloc(x->edits, cap * sizeof *e);
		if (!e) {
			free(name);
			return xnr_fail(err, XNR_ERR_NOMEM, "export: out of memory");
		}
		x->edits = e;
		x->cap_edits = cap;
	}
	x->edits[x->n_edits].word = w;
	x->edits[x->n_edits++].tag = name;
	return XNR_OK;
}

static int tag_eq(const struct xnr_tag *a, const struct xnr_tag *b)
{
	return a->prefix == b->prefix && a->type_len == b->type_len &&
	       memcmp(a->type, b->type, a->type_len) == 0;
}

/* Overwrite C2's words of v's span with its labels, named as the file's
 * labels are before --label-map. */
static enum xnr_status correct(struct fix *x, const struct xnr_verdict *v, struct xnr_error *err)
{
	for (int w = v->start; w < v->end; w++) {
		const char *name = unmap(x, &x->c[w], v->labels[w - v->start]);
		if (!name)
			x->c2[w] = x->c[w];
		else if (xnr_tag_parse(name, strlen(name), &x->c2[w]) != 0)
			return xnr_fail(
			    err, XNR_ERR_FORMAT,
			    "verdict %lld: \"%.64s\" is not a tag (B-, I-, ... and a type)",
			    (long long)v->id, name);
	}
	return XNR_OK;
}

/* The edits of sentence si from its verdicts p[0..n). */
static enum xnr_status fix_sentence(struct fix *x, size_t si, const struct placed *p, size_t n,
                                    struct xnr_error *err)
{
	const struct xnr_sentence *s = &x->ds->sentences[si];
	size_t len = s->n_words, w;
	enum xnr_status st = XNR_OK;

	for (w = 0; w < len; w++) {
		const char *l = x->ds->labels.names[x->ds->tags[s->first_word + w]];
		if (xnr_tag_parse(l, strlen(l), &x->f[w]) != 0)
			x->f[w] = (struct xnr_tag){'O', "", 0};
	}
	if (x->data_scheme != x->model_scheme)
		xnr_scheme_convert(x->model_scheme, x->f, len, x->c);
	else
		memcpy(x->c, x->f, len * sizeof *x->c);
	memcpy(x->c2, x->c, len * sizeof *x->c2);
	for (size_t i = 0; i < n && st == XNR_OK; i++)
		st = correct(x, p[i].v, err);
	if (st != XNR_OK)
		return st;
	/* repair the corrected sentence in the model's scheme, then back to the file's */
	xnr_scheme_convert(x->model_scheme, x->c2, len, x->f1);
	memcpy(x->c2, x->f1, len * sizeof *x->c2);
	xnr_scheme_convert(x->data_scheme, x->c, len, x->f0);
	xnr_scheme_convert(x->data_scheme, x->c2, len, x->f1);
	for (w = 0; w < len && st == XNR_OK; w++)
		if (!tag_eq(&x->f0[w], &x->f1[w]))
			st = add_edit(x, s->first_word + w, &x->f1[w], err);
	return st;
}

/* Place the label errors, then fix sentence by sentence. */
static enum xnr_status fix_all(struct fix *x, struct xnr_corrected_summary *sum,
                               struct xnr_error *err)
{
	struct placed *p = malloc((x->n_verdicts + 1) * sizeof *p);
	size_t n = 0, i, j;
	enum xnr_status st = XNR_OK;

	if (!p)
		return xnr_fail(err, XNR_ERR_NOMEM, "export: out of memory");
	for (i = 0; i < x->n_verdicts; i++) {
		const struct xnr_verdict *v = &x->verdicts[i];
		long si;
		if (v->kind != XNR_VERDICT_LABEL_ERROR)
			continue;
		sum->n_label_errors++;
		si = sentence_at(x->ds, v);
		if (si < 0 || !same_words(x->ds, (size_t)si, v)) {
			sum->n_stale++;
			continue;
		}
		p[n].sentence = (size_t)si;
		p[n++].v = v;
	}
	qsort(p, n, sizeof *p, cmp_placed);
	for (i = 0; i < n && st == XNR_OK; i = j) {
		size_t edits = x->n_edits;
		for (j = i; j < n && p[j].sentence == p[i].sentence; j++)
			;
		st = fix_sentence(x, p[i].sentence, p + i, j - i, err);
		sum->n_applied += j - i;
		sum->n_sentences += x->n_edits > edits;
	}
	sum->n_tags = x->n_edits;
	free(p);
	return st;
}

enum xnr_status xnr_review_export_corrected(struct xnr_store *s, int64_t run, int force, FILE *out,
                                            struct xnr_corrected_summary *summary,
                                            struct xnr_error *err)
{
	struct xnr_corrected_summary sum;
	struct fix x;
	enum xnr_status st;

	memset(&x, 0, sizeof x);
	memset(&sum, 0, sizeof sum);
	if ((st = open_all(&x, s, run, force, &sum, err)) == XNR_OK &&
	    (st = fix_all(&x, &sum, err)) == XNR_OK)
		st = xnr_dataset_rewrite(x.ds, &x.params, x.edits, x.n_edits, out, err);
	if (st == XNR_OK && summary)
		*summary = sum;
	fix_free(&x);
	return st;
}
