/*
 * cmd_issues.c - `explainer issues RUN.db`: computes (or reuses) a run's
 * label-issue scores (issues/issues.h: confidence, neighbours, consistency,
 * ill-formed tags; with --reference, a reference split run through the
 * run's model into the same database) and prints the top issues with their
 * evidence, or one JSON object for scripts and CI. Options and printing;
 * the work is the issues module's.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "issues/issues.h"
#include "store/store.h"

static const char issues_usage[] =
    "usage: explainer issues RUN.db [options]\n"
    "\n"
    "Finds the words, entities and sentences of a stored run whose labels are\n"
    "probably wrong, from the model's confidence (cleanlab's confident learning),\n"
    "the labels of each word's nearest neighbours in hidden-state space, the labels\n"
    "the same string has elsewhere, and ill-formed tag sequences; stores the scores\n"
    "in RUN.db (docs/schema.md) and prints the top issues with their evidence.\n"
    "\n"
    "options:\n"
    "  -r, --run ID          the run (default: the newest)\n"
    "  -R, --reference PATH  a reference split, e.g. the training data: run through the\n"
    "                        run's model into RUN.db (reused when stored) for neighbours,\n"
    "                        consistency and leakage\n"
    "  -s, --split NAME      the reference's split when PATH is a folder (default train)\n"
    "      --label-map M     rename the reference's labels: FROM=TO,... (default: the run's)\n"
    "  -k, --k N             neighbours per word (default 10)\n"
    "  -t, --top N           issues to print (default 20)\n"
    "  -l, --level L         sentence (default), entity or word\n"
    "      --recompute       compute even when stored scores were made the same way\n"
    "  -n, --threads N       compute threads (default: the number of cores)\n"
    "  -j, --json            one JSON object: the summary and the top issues\n"
    "  -h, --help            this help\n";

struct issues_opts {
	const char *db;
	struct xnr_issues_params p;
	int top, json;
	enum xnr_issue_level level;
};

static int parse_level(const char *s, enum xnr_issue_level *out)
{
	static const char *const names[XNR_ISSUE_LEVELS] = {"sentence", "entity", "word"};
	for (int i = 0; i < XNR_ISSUE_LEVELS; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum xnr_issue_level)i;
			return XNR_EXIT_OK;
		}
	return xnr_cli_usage_error("issues", "--level wants sentence, entity or word, got \"%s\"",
	                           s);
}

/* XNR_EXIT_OK, -1 after --help, XNR_EXIT_USAGE after a usage error (printed). */
static int parse_issues(int argc, char **argv, struct issues_opts *o)
{
	const char *level = NULL;
	int run = 0;
	const struct xnr_cli_opt opts[] = {
	    {"run", 'r', XNR_OPT_INT, &run, 1, 0x7fffffff, NULL},
	    {"reference", 'R', XNR_OPT_STR, &o->p.reference, 0, 0, NULL},
	    {"split", 's', XNR_OPT_STR, &o->p.split, 0, 0, NULL},
	    {"label-map", 0, XNR_OPT_STR, &o->p.label_map, 0, 0, NULL},
	    {"k", 'k', XNR_OPT_INT, &o->p.k, 1, 256, NULL},
	    {"top", 't', XNR_OPT_INT, &o->top, 0, 100000, NULL},
	    {"level", 'l', XNR_OPT_STR, &level, 0, 0, NULL},
	    {"recompute", 0, XNR_OPT_FLAG, &o->p.recompute, 0, 0, NULL},
	    {"threads", 'n', XNR_OPT_INT, &o->p.threads, 1, 256, NULL},
	    {"json", 'j', XNR_OPT_FLAG, &o->json, 0, 0, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {
	    "issues", issues_usage, 1, 1, &o->db, NULL, "give exactly one run database"};
	int rc;

	memset(o, 0, sizeof *o);
	o->p = xnr_issues_default_params();
	o->p.threads = xnr_cli_default_threads();
	o->top = 20;
	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK)
		return rc;
	o->p.run = run;
	if (level && parse_level(level, &o->level) != XNR_EXIT_OK)
		return XNR_EXIT_USAGE;
	if ((o->p.split || o->p.label_map) && !o->p.reference)
		return xnr_cli_usage_error("issues", "--split and --label-map go with --reference");
	return XNR_EXIT_OK;
}

static double real(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void print_leakage(json_t *l)
{
	json_t *seen = json_object_get(l, "f1_seen"), *unseen = json_object_get(l, "f1_unseen");

	if (!l)
		return;
	printf("leakage: %lld of %lld sentences are in the reference (%lld exact, %lld after "
	       "lower-casing and digit folding); of %lld gold entities %lld are reference entities "
	       "of the same type, %lld of another type only, %lld unseen; entity F1 %.4f seen, "
	       "%.4f unseen\n",
	       (long long)(num(l, "exact") + num(l, "near")), (long long)num(l, "sentences"),
	       (long long)num(l, "exact"), (long long)num(l, "near"), (long long)num(l, "entities"),
	       (long long)num(l, "seen_same_type"), (long long)num(l, "seen_other_type"),
	       (long long)num(l, "unseen"), real(seen, "f1"), real(unseen, "f1"));
}

static void print_summary(json_t *s)
{
	json_t *sum = json_object_get(s, "summary");

	printf("run %lld: label issues of %lld sentences, %lld words", (long long)num(s, "run"),
	       (long long)num(sum, "sentences"), (long long)num(sum, "words"));
	if (json_is_integer(json_object_get(s, "reference_run")))
		printf("; reference: run %lld (the model gets %.2f%% of its words right)",
		       (long long)num(s, "reference_run"), 100.0 * real(s, "reference_accuracy"));
	printf("\n");
	if (json_is_true(json_object_get(s, "over_confident")))
		printf("note: %s; the ranking leans on the neighbours and the consistency\n",
		       str(s, "over_confident_reason"));
	if (!json_is_true(json_object_get(s, "neighbours")))
		printf("note: no neighbour signal (the run stores no hidden states, or they would "
		       "not fit in memory)\n");
	printf("signals: %lld confident-learning issues, %lld ill-formed tags; %lld words flagged "
	       "(combined score >= 0.5)\n",
	       (long long)num(sum, "cl_issues"), (long long)num(sum, "ill_formed"),
	       (long long)num(sum, "flagged"));
	print_leakage(json_object_get(sum, "leakage"));
	printf("\n");
}

/* "PER 3, O 1" of a counts object into buf. */
static const char *counts_text(json_t *o, char *buf, size_t size)
{
	const char *k;
	json_t *v;
	size_t used = 0;

	buf[0] = '\0';
	json_object_foreach(o, k, v) used +=
	    (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%s %lld",
	                     used ? ", " : "", k, (long long)json_integer_value(v));
	return buf[0] ? buf : "none";
}

/* A score, or "-" when the signal has none for the word. */
static const char *fmt(double v, char *buf, size_t size)
{
	if (isnan(v))
		return "-";
	snprintf(buf, size, "%.2f", v);
	return buf;
}

static void print_word(json_t *w)
{
	json_t *sig = json_object_get(w, "signals");
	double nb = real(sig, "knn_ref");
	char a[32], b[32], c[32];

	if (isnan(nb))
		nb = real(sig, "knn_split");
	printf("        %-16.16s %s", str(w, "text"), str(w, "gold"));
	if (json_is_string(json_object_get(w, "suggested")))
		printf(" -> %s (%s)", str(w, "suggested"), str(w, "kind"));
	printf(": score %.3f; self-confidence %s%s; neighbours disagree %s; consistency %s%s\n",
	       real(w, "combined"), fmt(real(sig, "self_confidence"), a, sizeof a),
	       json_is_true(json_object_get(sig, "cl_issue")) ? " (cleanlab issue)" : "",
	       fmt(nb, b, sizeof b), fmt(real(sig, "consistency"), c, sizeof c),
	       json_is_true(json_object_get(sig, "structure")) ? "; ill-formed tag" : "");
}

static void print_sentences(json_t *items)
{
	size_t i, j;
	json_t *it, *w;

	printf(" rank  sentence  score  text\n");
	json_array_foreach(items, i, it)
	{
		json_t *words = json_object_get(it, "words"), *worst = NULL;
		int shown = 0;
		printf("%5lld %9lld  %.3f  %.100s\n", (long long)num(it, "rank"),
		       (long long)num(it, "id"), real(it, "combined"), str(it, "text"));
		json_array_foreach(words, j, w)
		{
			if (!worst || real(w, "combined") > real(worst, "combined"))
				worst = w;
			if (real(w, "combined") >= 0.5 && ++shown)
				print_word(w);
		}
		if (!shown && worst)
			print_word(worst);
	}
}

static void print_entities(json_t *items)
{
	size_t i;
	json_t *it;
	char buf[256];

	printf(" rank  score  kind      side    type  -> suggested  sentence  text (other "
	       "occurrences)\n");
	json_array_foreach(items, i, it) printf(
	    "%5lld  %.3f  %-8s  %-6s  %-4s -> %-9s %9lld  %s (%s)\n", (long long)num(it, "rank"),
	    real(it, "combined"), str(it, "kind"), str(it, "side"), str(it, "type"),
	    str(it, "suggested"), (long long)num(it, "sentence"), str(it, "text"),
	    counts_text(json_object_get(json_object_get(it, "counts"), "split"), buf, sizeof buf));
}

static void print_words(json_t *items)
{
	size_t i;
	json_t *it;

	printf(" rank  sentence  word\n");
	json_array_foreach(items, i, it)
	{
		printf("%5lld %9lld  %.100s\n", (long long)num(it, "rank"),
		       (long long)num(it, "sentence"), str(it, "sentence_text"));
		print_word(it);
	}
}

/* Each flagged word of the sentence items gets its "evidence". */
static enum xnr_status add_evidence(struct xnr_store *s, int64_t run, json_t *items,
                                    struct xnr_error *err)
{
	size_t i, j;
	json_t *it, *w;

	json_array_foreach(items, i, it) json_array_foreach(json_object_get(it, "words"), j, w)
	{
		json_t *ev = NULL;
		enum xnr_status st;
		if (real(w, "combined") < 0.5)
			continue;
		st = xnr_issues_word_json(s, run, (int)num(w, "sentence"), (int)num(w, "idx"), &ev,
		                          err);
		if (st != XNR_OK)
			return st;
		json_object_set(w, "evidence", ev);
		json_object_del(json_object_get(ev, "word"), "text");
		json_decref(ev);
	}
	return XNR_OK;
}

static enum xnr_status print_issues(const struct issues_opts *o, int64_t run, struct xnr_error *err)
{
	struct xnr_store *s = NULL;
	struct xnr_issue_query q = xnr_issue_query_default(run, o->level);
	json_t *summary = NULL, *list = NULL, *items;
	enum xnr_status st;

	q.limit = o->top;
	if ((st = xnr_store_open_read(o->db, &s, err)) != XNR_OK ||
	    (st = xnr_issues_summary_json(s, run, &summary, err)) != XNR_OK ||
	    (st = xnr_issues_list_json(s, &q, &list, err)) != XNR_OK)
		goto done;
	items = json_object_get(list, "items");
	if (o->json) {
		char *text;
		if (o->level == XNR_ISSUE_SENTENCE &&
		    (st = add_evidence(s, run, items, err)) != XNR_OK)
			goto done;
		json_object_set(summary, "issues", list);
		if (!(text = json_dumps(summary, JSON_COMPACT | JSON_REAL_PRECISION(17)))) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
			goto done;
		}
		puts(text);
		free(text);
	} else {
		print_summary(summary);
		if (o->level == XNR_ISSUE_SENTENCE)
			print_sentences(items);
		else if (o->level == XNR_ISSUE_ENTITY)
			print_entities(items);
		else
			print_words(items);
	}
done:
	json_decref(summary);
	json_decref(list);
	xnr_store_close(s);
	return st;
}

enum xnr_status xnr_cli_issues_section(struct xnr_store *db, int64_t run, json_t *json,
                                       struct xnr_error *err)
{
	json_t *summary = NULL;
	enum xnr_status st = xnr_issues_summary_json(db, run, &summary, err);

	if (st == XNR_ERR_NOT_FOUND) /* not scored */
		return XNR_OK;
	if (st != XNR_OK)
		return st;
	if (json) {
		json_object_set_new(json, "label_issues", summary);
		return XNR_OK;
	}
	printf("label issues (explainer issues):\n");
	print_summary(summary);
	json_decref(summary);
	return XNR_OK;
}

static void on_warning(void *ud, const char *msg)
{
	(void)ud;
	fprintf(stderr, "explainer: %s\n", msg);
}

/* A one-line progress note on a terminal: the stage and how far it is. */
static void on_progress(void *ud, double done, const char *stage)
{
	(void)ud;
	fprintf(stderr, "\r%-12s %3.0f%%", stage, 100.0 * done);
	if (strcmp(stage, "scores") == 0)
		fprintf(stderr, "\r%-20s\r", "");
}

int xnr_cmd_issues(int argc, char **argv)
{
	struct issues_opts o;
	struct xnr_issues_outcome out;
	struct xnr_ctl ctl = {on_progress, NULL, NULL};
	struct xnr_error err;
	int rc = parse_issues(argc, argv, &o);

	if (rc != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	xnr_error_clear(&err);
	o.p.on_warning = on_warning;
	if (xnr_issues_compute(o.db, &o.p, isatty(2) && !o.json ? &ctl : NULL, &out, &err) !=
	        XNR_OK ||
	    print_issues(&o, out.run, &err) != XNR_OK)
		return xnr_cli_report(&err);
	return XNR_EXIT_OK;
}
