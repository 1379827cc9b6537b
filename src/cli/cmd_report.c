/*
 * cmd_report.c - `explainer report RUN.db`: a stored run's classification
 * reports (seqeval default and strict mode), token confusion matrix, entity
 * error taxonomy (nervaluate's categories per scheme) and worst sentences,
 * for a terminal or as JSON; --fail-under makes it a CI gate.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/confusion.h"
#include "analysis/nervaluate.h"
#include "analysis/seqeval.h"
#include "analysis/taxonomy.h"
#include "cli/cli.h"
#include "cli/report.h"
#include "store/store.h"

static const char report_usage[] =
    "usage: explainer report RUN.db [options]\n"
    "\n"
    "Prints a stored run's classification reports (seqeval default and strict mode),\n"
    "token confusion matrix, entity error taxonomy and worst sentences.\n"
    "\n"
    "options:\n"
    "  -r, --run ID          the run (default: the newest)\n"
    "  -t, --top N           worst sentences to list (default 10)\n"
    "  -j, --json            one JSON object instead of text\n"
    "  -f, --fail-under F1   exit 1 when the micro F1 (default mode) is below F1\n"
    "  -h, --help            this help\n";

struct report_opts {
	const char *db;
	int run, top, json;
	double fail_under;
};

/* The run's labels and every word's gold and predicted ids, by sentence. */
struct run_words {
	int64_t run;
	int n_labels;
	char **labels;
	size_t n_sents, n_words;
	size_t *sent_start;
	int32_t *gold, *pred;
	double *loss; /* NaN for a word without a sub-token */
	struct xnr_tagset *tags;
};

static void run_words_free(struct run_words *w)
{
	int i;
	for (i = 0; i < w->n_labels; i++)
		free(w->labels[i]);
	free(w->labels);
	free(w->sent_start);
	free(w->gold);
	free(w->pred);
	free(w->loss);
	xnr_tagset_close(w->tags);
}

static int parse_report(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
	    {"run", required_argument, NULL, 'r'}, {"top", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},      {"fail-under", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	memset(o, 0, sizeof *o);
	o->top = 10;
	o->fail_under = -1.0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:t:jf:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (xnr_cli_parse_int("report", "--run", optarg, 1, 0x7fffffff, &o->run))
				return XNR_EXIT_USAGE;
			break;
		case 't':
			if (xnr_cli_parse_int("report", "--top", optarg, 0, 100000, &o->top))
				return XNR_EXIT_USAGE;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'f':
			o->fail_under = strtod(optarg, &end);
			if (*end || end == optarg ||
			    !(o->fail_under >= 0.0 && o->fail_under <= 1.0))
				return xnr_cli_usage_error(
				    "report", "--fail-under wants a number from 0 to 1, got \"%s\"",
				    optarg);
			break;
		case 'h':
			fputs(report_usage, stdout);
			return -1;
		default:
			return xnr_cli_usage_error("report", "unknown option or missing value: %s",
			                           argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return xnr_cli_usage_error("report", "give exactly one run database");
	o->db = argv[optind];
	return XNR_EXIT_OK;
}

static enum xnr_status sql_fail(sqlite3 *db, const char *path, struct xnr_error *err)
{
	return xnr_fail(err, XNR_ERR_IO, "%s: %s", path, sqlite3_errmsg(db));
}

/* The run asked for, or the newest; its labels. */
static enum xnr_status load_labels(sqlite3 *db, const struct report_opts *o, struct run_words *w,
                                   struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status rc = XNR_OK;

	if (sqlite3_prepare_v2(
	        db, "SELECT id FROM runs WHERE ?1 = 0 OR id = ?1 ORDER BY id DESC LIMIT 1", -1, &st,
	        NULL) != SQLITE_OK)
		return sql_fail(db, o->db, err);
	sqlite3_bind_int(st, 1, o->run);
	w->run = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (!w->run)
		return o->run
		           ? xnr_fail(err, XNR_ERR_INPUT,
		                      "%s: no run %d (see: sqlite3 %s \"select id, data_path from "
		                      "runs\")",
		                      o->db, o->run, o->db)
		           : xnr_fail(err, XNR_ERR_INPUT,
		                      "%s: holds no run yet (make one with explainer run)", o->db);
	if (sqlite3_prepare_v2(db, "SELECT name FROM labels WHERE run_id = ? ORDER BY id", -1, &st,
	                       NULL) != SQLITE_OK)
		return sql_fail(db, o->db, err);
	sqlite3_bind_int64(st, 1, w->run);
	while (rc == XNR_OK && sqlite3_step(st) == SQLITE_ROW) {
		char **l = realloc(w->labels, (size_t)(w->n_labels + 1) * sizeof *l);
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!l || !(l[w->n_labels] = strdup(name ? name : ""))) {
			if (l)
				w->labels = l;
			rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
			break;
		}
		w->labels = l;
		w->n_labels++;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Sentence lengths give every sentence's first word; then the (gold, pred)
 * pairs come from the compact (run_id, gold, pred) index, which in a WITHOUT
 * ROWID table also holds (sentence_id, idx): no pass over the wide rows. */
static enum xnr_status load_words(sqlite3 *db, const char *path, struct run_words *w,
                                  struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t s = 0, cap = 256, i, n = 0;
	unsigned char *seen = NULL;
	enum xnr_status rc = XNR_OK;

	if (!(w->sent_start = malloc((cap + 1) * sizeof *w->sent_start)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db, "SELECT id, n_words FROM sentences WHERE run_id = ? ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, err);
	sqlite3_bind_int64(st, 1, w->run);
	while (rc == XNR_OK && sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != (int64_t)s || sqlite3_column_int64(st, 1) < 0)
			rc = xnr_fail(err, XNR_ERR_FORMAT,
			              "%s: run %lld: sentence ids are not 0..n-1", path,
			              (long long)w->run);
		if (rc == XNR_OK && s == cap) {
			size_t *p = realloc(w->sent_start, (2 * cap + 1) * sizeof *p);
			if (!p)
				rc = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
			else
				w->sent_start = p, cap *= 2;
		}
		if (rc == XNR_OK) {
			w->sent_start[s++] = n;
			n += (size_t)sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_finalize(st);
	if (rc != XNR_OK)
		return rc;
	w->sent_start[s] = n;
	w->n_sents = s;
	w->n_words = n;
	w->gold = malloc((n + 1) * sizeof *w->gold);
	w->pred = malloc((n + 1) * sizeof *w->pred);
	w->loss = malloc((n + 1) * sizeof *w->loss);
	seen = calloc(n + 1, 1);
	if (!w->gold || !w->pred || !w->loss || !seen) {
		free(seen);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for %zu words", n);
	}
	if (sqlite3_prepare_v2(db,
	                       "SELECT sentence_id, idx, gold, pred, loss FROM words INDEXED BY "
	                       "words_by_labels WHERE run_id = ?",
	                       -1, &st, NULL) != SQLITE_OK) {
		free(seen);
		return sql_fail(db, path, err);
	}
	sqlite3_bind_int64(st, 1, w->run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t sid = sqlite3_column_int64(st, 0), idx = sqlite3_column_int64(st, 1);
		if (sid < 0 || (size_t)sid >= s || idx < 0 ||
		    (size_t)idx >= w->sent_start[sid + 1] - w->sent_start[sid])
			break;
		i = w->sent_start[sid] + (size_t)idx;
		w->gold[i] = sqlite3_column_int(st, 2);
		w->pred[i] = sqlite3_column_int(st, 3);
		w->loss[i] =
		    sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
		seen[i] = 1;
	}
	sqlite3_finalize(st);
	for (i = 0; i < n && seen[i]; i++)
		;
	free(seen);
	if (i != n)
		return xnr_fail(err, XNR_ERR_FORMAT, "%s: run %lld has inconsistent words table",
		                path, (long long)w->run);
	return XNR_OK;
}

static enum xnr_status load_run(const struct report_opts *o, sqlite3 *db, struct run_words *w,
                                struct xnr_error *err)
{
	enum xnr_status st;
	int i;

	if ((st = load_labels(db, o, w, err)) != XNR_OK ||
	    (st = load_words(db, o->db, w, err)) != XNR_OK ||
	    (st = xnr_tagset_open(&w->tags, err)) != XNR_OK)
		return st;
	for (i = 0; i < w->n_labels && st == XNR_OK; i++) {
		int32_t id;
		st = xnr_tagset_add(w->tags, w->labels[i], strlen(w->labels[i]), &id, err);
	}
	return st;
}

/* Everything the report shows, computed from the stored words. */
struct report {
	struct xnr_seqeval_report def, strict;
	int strict_ok;
	char strict_error[XNR_ERROR_MSG_MAX];
	struct xnr_confusion cm;
	struct xnr_taxonomy tax;
	struct xnr_nerval_result nerval;
};

static void report_free(struct report *r)
{
	xnr_seqeval_report_free(&r->def);
	xnr_seqeval_report_free(&r->strict);
	xnr_confusion_free(&r->cm);
	xnr_taxonomy_free(&r->tax);
	xnr_nerval_result_free(&r->nerval);
}

static enum xnr_status compute(const struct run_words *w, struct report *r, struct xnr_error *err)
{
	struct xnr_tagged_corpus c = {w->tags, w->n_sents, w->sent_start, w->gold, w->pred};
	struct xnr_seqeval_params p = xnr_seqeval_default_params();
	struct xnr_nerval_params np = xnr_nerval_default_params();
	struct xnr_entities ng, npd;
	struct xnr_error e2;
	enum xnr_status st;

	memset(&ng, 0, sizeof ng);
	memset(&npd, 0, sizeof npd);
	if ((st = xnr_seqeval_evaluate(&c, &p, &r->def, err)) != XNR_OK)
		return st;
	p.mode = XNR_SEQEVAL_STRICT;
	p.scheme = XNR_SEQEVAL_AUTO;
	r->strict_ok = xnr_seqeval_evaluate(&c, &p, &r->strict, &e2) == XNR_OK;
	if (!r->strict_ok)
		memcpy(r->strict_error, e2.msg, sizeof r->strict_error);
	if ((st = xnr_confusion_compute(&c, &r->cm, err)) != XNR_OK ||
	    (st = xnr_taxonomy_compute(&r->def.gold, &r->def.pred, xnr_tagset_n_types(w->tags),
	                               &r->tax, err)) != XNR_OK)
		return st;
	/* nervaluate reads B-/I- only; other schemes get the taxonomy alone */
	if (xnr_nerval_entities_from_bio(&c, w->gold, "gold", &ng, &e2) == XNR_OK &&
	    xnr_nerval_entities_from_bio(&c, w->pred, "pred", &npd, &e2) == XNR_OK)
		st = xnr_nerval_evaluate(&ng, &npd, w->n_sents, w->tags, &np, &r->nerval, err);
	xnr_entities_free(&ng);
	xnr_entities_free(&npd);
	return st;
}

static void print_confusion(const struct run_words *w, const struct report *r)
{
	int i, j, width = 6;
	for (i = 0; i < w->n_labels; i++)
		if ((int)strlen(w->labels[i]) + 1 > width)
			width = (int)strlen(w->labels[i]) + 1;
	printf("token confusion (rows: gold, columns: predicted)\n%*s", width, "");
	for (j = 0; j < w->n_labels; j++)
		printf(" %*s", width, w->labels[j]);
	printf("\n");
	for (i = 0; i < w->n_labels; i++) {
		printf("%*s", width, w->labels[i]);
		for (j = 0; j < w->n_labels; j++)
			printf(" %*lld", width,
			       (long long)r->cm.counts[(size_t)i * r->cm.n_labels + (size_t)j]);
		printf("\n");
	}
	printf("\n");
}

static void print_taxonomy(const struct run_words *w, const struct report *r)
{
	static const char *const heads[XNR_ERRK_COUNT] = {"correct",    "type",   "boundary",
	                                                  "type+bound", "missed", "spurious"};
	size_t t;
	int k;
	printf(
	    "entity errors (default-mode spans; wrong type, wrong boundary, both: under the gold "
	    "type)\n%-12s",
	    "type");
	for (k = 0; k < XNR_ERRK_COUNT; k++)
		printf(" %11s", heads[k]);
	printf("\n");
	for (t = 0; t < r->tax.n_types; t++) {
		const char *name = xnr_tagset_type(w->tags, (uint32_t)t);
		int64_t any = 0;
		for (k = 0; k < XNR_ERRK_COUNT; k++)
			any += r->tax.counts[t][k];
		if (!any)
			continue;
		printf("%-12s", name);
		for (k = 0; k < XNR_ERRK_COUNT; k++)
			printf(" %11lld", (long long)r->tax.counts[t][k]);
		printf("\n");
	}
	printf("%-12s", "total");
	for (k = 0; k < XNR_ERRK_COUNT; k++)
		printf(" %11lld", (long long)r->tax.total[k]);
	printf("\n\n");
	if (r->nerval.types || r->nerval.overall[0].possible || r->nerval.overall[0].actual) {
		printf(
		    "nervaluate    COR    INC    PAR    MIS    SPU  precision  recall      f1\n");
		for (k = 0; k < XNR_NERVAL_N_SCHEMES; k++) {
			const struct xnr_nerval_counts *c = &r->nerval.overall[k];
			printf("%-10s %6lld %6lld %6lld %6lld %6lld     %.4f  %.4f  %.4f\n",
			       xnr_nerval_scheme_name((enum xnr_nerval_scheme)k),
			       (long long)c->correct, (long long)c->incorrect,
			       (long long)c->partial, (long long)c->missed, (long long)c->spurious,
			       c->precision, c->recall, c->f1);
		}
		printf("\n");
	}
}

/* The top sentences by total loss, as text lines or JSON objects. */
static enum xnr_status worst_sentences(sqlite3 *db, const char *path, int64_t run, int top,
                                       json_t *arr, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	int rank = 0;

	if (sqlite3_prepare_v2(db,
	                       "SELECT id, loss, n_word_errors, n_entity_errors, text FROM "
	                       "sentences WHERE run_id = ? ORDER BY loss DESC LIMIT ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, err);
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int(st, 2, top);
	if (!arr && top > 0)
		printf("worst sentences by total loss\n rank     id     loss  word errors  entity "
		       "errors  text\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 4);
		if (arr)
			json_array_append_new(
			    arr, json_pack("{s:I,s:f,s:i,s:i,s:s}", "id",
			                   (json_int_t)sqlite3_column_int64(st, 0), "loss",
			                   sqlite3_column_double(st, 1), "word_errors",
			                   sqlite3_column_int(st, 2), "entity_errors",
			                   sqlite3_column_int(st, 3), "text", text ? text : ""));
		else
			printf("%5d %6lld %8.3f %12d %14d  %.100s\n", ++rank,
			       (long long)sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
			       sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
			       text ? text : "");
	}
	sqlite3_finalize(st);
	return XNR_OK;
}

static json_t *prf(const struct xnr_prf *p)
{
	return json_pack("{s:o,s:o,s:o,s:I}", "precision",
	                 isnan(p->precision) ? json_null() : json_real(p->precision), "recall",
	                 isnan(p->recall) ? json_null() : json_real(p->recall), "f1-score",
	                 isnan(p->f1) ? json_null() : json_real(p->f1), "support",
	                 (json_int_t)p->support);
}

static json_t *seqeval_json(const struct xnr_seqeval_report *r)
{
	json_t *o = json_object();
	size_t k;
	for (k = 0; k < r->n_classes; k++)
		json_object_set_new(o, r->classes[k].name, prf(&r->classes[k].score));
	json_object_set_new(o, "micro avg", prf(&r->micro));
	json_object_set_new(o, "macro avg", prf(&r->macro));
	json_object_set_new(o, "weighted avg", prf(&r->weighted));
	return o;
}

/* Rows normalised by the gold label's count (the Metrics page's default view). */
static json_t *normalized_json(const struct xnr_confusion *cm)
{
	size_t n = cm->n_labels, i, j;
	double *m = malloc((n * n + 1) * sizeof *m);
	json_t *rows = json_array();
	if (!m)
		return rows;
	xnr_confusion_matrix(cm, 1, 0, m);
	for (i = 0; i < n; i++) {
		json_t *row = json_array();
		for (j = 0; j < n; j++)
			json_array_append_new(row, json_real(m[i * n + j]));
		json_array_append_new(rows, row);
	}
	free(m);
	return rows;
}

static json_t *report_json(const struct run_words *w, const struct report *r)
{
	json_t *o = json_object(), *cm = json_array(), *tax = json_object(), *nv = json_object();
	size_t i, j, t;
	int k;

	json_object_set_new(o, "run", json_integer((json_int_t)w->run));
	json_object_set_new(o, "seqeval_default", seqeval_json(&r->def));
	json_object_set_new(o, "seqeval_strict",
	                    r->strict_ok ? seqeval_json(&r->strict)
	                                 : json_pack("{s:s}", "error", r->strict_error));
	for (i = 0; i < r->cm.n_labels; i++) {
		json_t *row = json_array();
		for (j = 0; j < r->cm.n_labels; j++)
			json_array_append_new(row,
			                      json_integer(r->cm.counts[i * r->cm.n_labels + j]));
		json_array_append_new(cm, row);
	}
	json_object_set_new(o, "confusion",
	                    json_pack("{s:o,s:o,s:o}", "labels", json_array(), "counts", cm,
	                              "normalized", normalized_json(&r->cm)));
	for (i = 0; i < (size_t)w->n_labels; i++)
		json_array_append_new(json_object_get(json_object_get(o, "confusion"), "labels"),
		                      json_string(w->labels[i]));
	for (t = 0; t < r->tax.n_types; t++) {
		json_t *row = json_object();
		for (k = 0; k < XNR_ERRK_COUNT; k++)
			json_object_set_new(row, xnr_err_kind_str((enum xnr_err_kind)k),
			                    json_integer(r->tax.counts[t][k]));
		json_object_set_new(tax, xnr_tagset_type(w->tags, (uint32_t)t), row);
	}
	json_object_set_new(o, "entity_errors", tax);
	for (k = 0; k < XNR_NERVAL_N_SCHEMES; k++) {
		const struct xnr_nerval_counts *c = &r->nerval.overall[k];
		json_object_set_new(
		    nv, xnr_nerval_scheme_name((enum xnr_nerval_scheme)k),
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f}", "correct",
		              (json_int_t)c->correct, "incorrect", (json_int_t)c->incorrect,
		              "partial", (json_int_t)c->partial, "missed", (json_int_t)c->missed,
		              "spurious", (json_int_t)c->spurious, "precision", c->precision,
		              "recall", c->recall, "f1", c->f1));
	}
	json_object_set_new(o, "nervaluate", nv);
	return o;
}

/* The run's tagging-scheme note ({"data":"IOB2","model":"IOB2","ill_formed":0}), or NULL. */
static char *run_scheme(sqlite3 *db, int64_t run)
{
	sqlite3_stmt *st = NULL;
	char *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT scheme FROM runs WHERE id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		s = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

static void print_scheme(const char *scheme_json)
{
	json_t *j = scheme_json ? json_loads(scheme_json, 0, NULL) : NULL;
	const char *data = json_string_value(json_object_get(j, "data"));
	const char *model = json_string_value(json_object_get(j, "model"));
	json_int_t ill = json_integer_value(json_object_get(j, "ill_formed"));
	if (data && model)
		printf("tagging scheme: data %s, model %s%s; %lld ill-formed tag sequences in the "
		       "data\n\n",
		       data, model, strcmp(data, model) ? " (converted)" : "", (long long)ill);
	json_decref(j);
}

static enum xnr_status print_report(const struct report_opts *o, sqlite3 *db,
                                    const struct run_words *w, const struct report *r,
                                    struct xnr_error *err)
{
	enum xnr_status st;
	char *text = NULL;

	char *scheme = run_scheme(db, w->run);

	if (o->json) {
		json_t *j = report_json(w, r), *worst = json_array();
		char *s;
		json_object_set_new(j, "scheme",
		                    scheme ? json_loads(scheme, 0, NULL) : json_null());
		free(scheme);
		st = worst_sentences(db, o->db, w->run, o->top, worst, err);
		json_object_set_new(j, "worst_sentences", worst);
		if (st == XNR_OK)
			st = xnr_report_confusions(db, o->db, w->run, w->n_labels, o->top, j, err);
		if (st == XNR_OK) {
			json_t *losses = json_object();
			st = xnr_report_losses(db, o->db, w->run, o->top, losses, err);
			if (st == XNR_OK)
				st = xnr_report_label_losses((const char *const *)w->labels,
				                             w->n_labels, w->gold, w->loss,
				                             w->n_words, losses, err);
			json_object_set_new(j, "loss_by", losses);
		}
		s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
		json_decref(j);
		if (!s)
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		puts(s);
		free(s);
		return st;
	}
	printf("run %lld: %zu sentences, %zu words\n", (long long)w->run, w->n_sents, w->n_words);
	print_scheme(scheme);
	free(scheme);
	printf("seqeval, default mode (conlleval)\n");
	if ((st = xnr_seqeval_format(&r->def, 4, &text, err)) != XNR_OK)
		return st;
	printf("%s\n", text);
	free(text);
	text = NULL;
	if (r->strict_ok && (st = xnr_seqeval_format(&r->strict, 4, &text, err)) == XNR_OK)
		printf("seqeval, strict mode (%s)\n%s\n", xnr_seqeval_scheme_name(r->strict.scheme),
		       text);
	else if (!r->strict_ok)
		printf("seqeval, strict mode: not available (%s)\n\n", r->strict_error);
	free(text);
	print_confusion(w, r);
	print_taxonomy(w, r);
	if ((st = xnr_report_confusions(db, o->db, w->run, w->n_labels, o->top, NULL, err)) !=
	        XNR_OK ||
	    (st = xnr_report_losses(db, o->db, w->run, o->top, NULL, err)) != XNR_OK ||
	    (st = xnr_report_label_losses((const char *const *)w->labels, w->n_labels, w->gold,
	                                  w->loss, w->n_words, NULL, err)) != XNR_OK)
		return st;
	return worst_sentences(db, o->db, w->run, o->top, NULL, err);
}

int xnr_cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct xnr_store *store = NULL;
	struct run_words w;
	struct report r;
	struct xnr_error err;
	enum xnr_status st;
	int rc = parse_report(argc, argv, &o);

	if (rc != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	memset(&w, 0, sizeof w);
	memset(&r, 0, sizeof r);
	if ((st = xnr_store_open(o.db, 0, &store, &err)) == XNR_OK &&
	    (st = load_run(&o, xnr_store_db(store), &w, &err)) == XNR_OK &&
	    (st = compute(&w, &r, &err)) == XNR_OK)
		st = print_report(&o, xnr_store_db(store), &w, &r, &err);
	rc = st == XNR_OK ? XNR_EXIT_OK : xnr_cli_report(&err);
	if (rc == XNR_EXIT_OK && o.fail_under >= 0.0 && !(r.def.micro.f1 >= o.fail_under)) {
		fprintf(stderr, "explainer: micro F1 %.4f is below --fail-under %.4f\n",
		        r.def.micro.f1, o.fail_under);
		rc = XNR_EXIT_FAIL;
	}
	report_free(&r);
	run_words_free(&w);
	xnr_store_close(store);
	return rc;
}
