/*
 * cmd_verdict.c - `explainer verdict RUN.db`: a reviewer's verdict on words
 * of a run's sentence recorded from the command line (what the Label
 * issues page records), the verdicts on the run's data listed with their
 * state (current, stale, not in the run), or one deleted. Stored by the
 * store (store/verdicts.h); listed as JSON by the review module.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "review/review.h"
#include "store/store.h"
#include "store/verdicts.h"

static const char verdict_usage[] =
    "usage: explainer verdict RUN.db --sentence N --word W --kind KIND [options]\n"
    "       explainer verdict RUN.db --list [--json] [--sentence N]\n"
    "       explainer verdict RUN.db --delete ID\n"
    "\n"
    "Records a reviewer's verdict on words W to END-1 of sentence N of the run (ids as in\n"
    "the web app and the database). Verdicts are kept with the data, not the run: every\n"
    "later run of the same data shows them, and a verdict whose sentence changed in the\n"
    "data file is kept and listed as stale, never applied.\n"
    "\n"
    "options:\n"
    "  -r, --run ID          the run (default: the newest)\n"
    "  -s, --sentence N      the run's sentence\n"
    "  -w, --word W          the first word of the span (0-based)\n"
    "  -e, --end E           one past the last word (default W + 1)\n"
    "  -k, --kind KIND       label_error, model_error, ambiguous or skip\n"
    "  -l, --label L,...     label_error: the corrected labels, one per word of the span\n"
    "      --who NAME        the reviewer (default: $USER, else the login name)\n"
    "      --why TEXT        the reason\n"
    "      --list            list the verdicts on the run's data\n"
    "  -j, --json            --list as JSON\n"
    "      --delete ID       delete verdict ID\n"
    "  -h, --help            this help\n";

struct verdict_opts {
	const char *db, *labels, *who, *why, *kind;
	int run, sentence, word, end, list, json, del;
};

static int parse_verdict(int argc, char **argv, struct verdict_opts *o)
{
	const struct xnr_cli_opt opts[] = {
	    {"run", 'r', XNR_OPT_INT, &o->run, 1, 0x7fffffff, NULL},
	    {"sentence", 's', XNR_OPT_INT, &o->sentence, 0, 0x7fffffff, NULL},
	    {"word", 'w', XNR_OPT_INT, &o->word, 0, 1 << 20, NULL},
	    {"end", 'e', XNR_OPT_INT, &o->end, 1, 1 << 20, NULL},
	    {"kind", 'k', XNR_OPT_STR, &o->kind, 0, 0, NULL},
	    {"label", 'l', XNR_OPT_STR, &o->labels, 0, 0, NULL},
	    {"who", 0, XNR_OPT_STR, &o->who, 0, 0, NULL},
	    {"why", 0, XNR_OPT_STR, &o->why, 0, 0, NULL},
	    {"list", 0, XNR_OPT_FLAG, &o->list, 0, 0, NULL},
	    {"json", 'j', XNR_OPT_FLAG, &o->json, 0, 0, NULL},
	    {"delete", 0, XNR_OPT_INT, &o->del, 1, 0x7fffffff, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {
	    "verdict", verdict_usage, 1, 1, &o->db, NULL, "give exactly one run database"};
	int rc;

	memset(o, 0, sizeof *o);
	o->sentence = o->word = -1;
	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK)
		return rc;
	if (o->list + (o->del > 0) + (o->kind != NULL) != 1)
		return xnr_cli_usage_error("verdict", "give one of --kind (a new verdict), --list "
		                                      "or --delete");
	if (o->kind && (o->sentence < 0 || o->word < 0))
		return xnr_cli_usage_error("verdict", "a verdict needs --sentence and --word");
	if (o->end && o->end <= o->word)
		return xnr_cli_usage_error("verdict", "--end must be past --word");
	return XNR_EXIT_OK;
}

/* Split "A,B,C" into n (the span's length) names in a new array of
 * pointers into a copy (both freed through *copy and the array). */
static int split_labels(const char *list, int n, char **copy, const char ***out)
{
	const char **v = calloc((size_t)n + 1, sizeof *v);
	char *c = strdup(list), *save = NULL, *tok;
	int i = 0;

	*copy = c;
	*out = v;
	if (!v || !c)
		return -1;
	for (tok = strtok_r(c, ",", &save); tok && i <= n; tok = strtok_r(NULL, ",", &save))
		v[i++] = tok;
	return i == n ? 0 : 1;
}

/* --who, else $USER, else the login name of the user running this. */
static const char *reviewer(const struct verdict_opts *o)
{
	const struct passwd *pw;

	if (o->who)
		return o->who;
	if (getenv("USER") && getenv("USER")[0])
		return getenv("USER");
	/* The CLI runs one thread: getpwuid's static buffer is fine. */
	/* cppcheck-suppress getpwuidCalled */
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : NULL;
}

static enum xnr_status add(const struct verdict_opts *o, struct xnr_store *store, int64_t run,
                           struct xnr_error *err)
{
	struct xnr_verdict_input in;
	const char **labels = NULL;
	char *copy = NULL;
	enum xnr_status st = XNR_OK;
	int64_t id = 0;
	int split;

	memset(&in, 0, sizeof in);
	in.start = o->word;
	in.end = o->end ? o->end : o->word + 1;
	in.who = reviewer(o);
	in.why = o->why;
	if (xnr_verdict_kind_parse(o->kind, &in.kind) != 0)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "--kind %s: not one of label_error, model_error, ambiguous, skip",
		                o->kind);
	if (o->labels) {
		if ((split = split_labels(o->labels, in.end - in.start, &copy, &labels)) < 0)
			st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		else if (split > 0)
			st = xnr_fail(err, XNR_ERR_INPUT,
			              "--label %s: give %d labels, one per word of the span",
			              o->labels, in.end - in.start);
		in.labels = labels;
	}
	if (st == XNR_OK &&
	    (st = xnr_verdict_add(store, run, o->sentence, &in, &id, err)) == XNR_OK)
		printf("verdict %lld recorded\n", (long long)id);
	free(labels);
	free(copy);
	return st;
}

static void print_text(const struct xnr_verdict *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		printf("%lld\t%s\t", (long long)v[i].id, xnr_verdict_state_name(v[i].state));
		if (v[i].sentence_id >= 0)
			printf("sentence %lld", (long long)v[i].sentence_id);
		else
			printf("line %ld", v[i].source_line);
		printf(" words %d-%d \"%s\"\t%s", v[i].start, v[i].end, v[i].span_text,
		       xnr_verdict_kind_name(v[i].kind));
		for (int w = 0; v[i].labels && w < v[i].end - v[i].start; w++)
			printf("%s%s", w ? "," : " -> ", v[i].labels[w]);
		printf("\t%s\t%s\t%s\n", v[i].who, v[i].updated_at, v[i].why);
	}
}

static enum xnr_status list(const struct verdict_opts *o, struct xnr_store *store, int64_t run,
                            struct xnr_error *err)
{
	struct xnr_verdict *v = NULL;
	size_t n = 0;
	enum xnr_status st = xnr_store_verdicts(store, run, o->sentence, &v, &n, err);
	json_t *j;

	if (st != XNR_OK)
		return st;
	if (!o->json) {
		print_text(v, n);
	} else if ((j = xnr_review_verdicts_json(v, n)) != NULL) {
		json_dumpf(j, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(j);
	} else {
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	xnr_verdicts_free(v, n);
	return st;
}

int xnr_cmd_verdict(int argc, char **argv)
{
	struct verdict_opts o;
	struct xnr_store *store = NULL;
	struct xnr_error err;
	enum xnr_status st;
	int64_t run = 0;
	int rc = parse_verdict(argc, argv, &o);

	if (rc != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	xnr_error_clear(&err);
	if ((st = xnr_store_open(o.db, 0, &store, &err)) == XNR_OK) {
		if (o.del)
			st = xnr_verdict_delete(store, o.del, &err);
		else if ((st = xnr_cli_pick_run(o.db, store, o.run, &run, &err)) == XNR_OK)
			st = o.list ? list(&o, store, run, &err) : add(&o, store, run, &err);
	}
	if (st == XNR_OK && o.del)
		printf("verdict %d deleted\n", o.del);
	xnr_store_close(store);
	return st == XNR_OK ? XNR_EXIT_OK : xnr_cli_report(&err);
}
