/*
 * cmd_compare.c - `explainer compare RUN.db --a 1 --b 2`: two stored runs
 * side by side: each entity type's F1 for both with the difference, its
 * paired bootstrap interval and p-value, McNemar's test on the entity
 * decisions, and the sentences and entities B fixed and broke, with both
 * predictions. The numbers come from the report module (report/compare.h);
 * this file is options and printing.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "report/compare.h"
#include "store/store.h"

static const char compare_usage[] =
    "usage: explainer compare RUN.db --a ID --b ID [options]\n"
    "\n"
    "Compares run B with run A of one database: sentences paired by index when both\n"
    "read the same data, else by text (how many matched is printed); entity types by\n"
    "name (labels one run lacks are listed). Per type: precision, recall and F1 of\n"
    "both on the paired sentences, B - A with its paired bootstrap 95% interval and\n"
    "p-value; McNemar's test on the entity decisions; the sentences and entities B\n"
    "fixed, broke (regressed) or both got wrong differently, with both predictions.\n"
    "\n"
    "options:\n"
    "      --a ID            the baseline run\n"
    "      --b ID            the run compared with it\n"
    "  -t, --top N           sentences and entities listed per kind (default 10)\n"
    "      --type TYPE       list only what involves this entity type (PER, ...)\n"
    "      --seed N          the bootstrap's seed (default 1): same seed, same numbers\n"
    "      --resamples N     bootstrap resamples (default 1000)\n"
    "      --level L         of the intervals (default 0.95)\n"
    "  -j, --json            one JSON object instead of text\n"
    "  -h, --help            this help\n"
    "\n"
    "exit status: 0 done, 1 a run does not exist or the runs share no sentence,\n"
    "2 bad usage.\n";

struct compare_opts {
	const char *db, *type;
	int a, b, top, seed, resamples, json;
	double level;
};

static int parse_compare(int argc, char **argv, struct compare_opts *o)
{
	const struct xnr_cli_opt opts[] = {
	    {"a", 0, XNR_OPT_INT, &o->a, 1, 0x7fffffff, NULL},
	    {"b", 0, XNR_OPT_INT, &o->b, 1, 0x7fffffff, NULL},
	    {"top", 't', XNR_OPT_INT, &o->top, 0, 100000, NULL},
	    {"type", 0, XNR_OPT_STR, &o->type, 0, 0, NULL},
	    {"seed", 0, XNR_OPT_INT, &o->seed, 0, 0x7fffffff, NULL},
	    {"resamples", 0, XNR_OPT_INT, &o->resamples, 1, XNR_BOOT_MAX_RESAMPLES, NULL},
	    {"level", 0, XNR_OPT_REAL, &o->level, 0.5, 0.999, NULL},
	    {"json", 'j', XNR_OPT_FLAG, &o->json, 0, 0, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {
	    "compare", compare_usage, 1, 1, &o->db, NULL, "give exactly one run database"};
	int rc;

	memset(o, 0, sizeof *o);
	o->top = 10;
	o->seed = 1;
	o->resamples = 1000;
	o->level = 0.95;
	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK)
		return rc;
	if (!o->a || !o->b)
		return xnr_cli_usage_error("compare", "give both runs: --a ID --b ID");
	return XNR_EXIT_OK;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static json_int_t integer(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "?";
}

static void print_head(json_t *j)
{
	json_t *a = json_object_get(j, "a"), *b = json_object_get(j, "b");
	json_t *p = json_object_get(j, "pairing"), *l = json_object_get(j, "labels");
	json_t *bs = json_object_get(j, "bootstrap"), *v;
	size_t i;

	printf("A: run %lld, %s on %s\n", (long long)integer(a, "id"), str(a, "model_path"),
	       str(a, "data_path"));
	printf("B: run %lld, %s on %s\n", (long long)integer(b, "id"), str(b, "model_path"),
	       str(b, "data_path"));
	printf("sentences: %lld paired by %s%s; %lld only in A, %lld only in B",
	       (long long)integer(p, "pairs"), str(p, "by"),
	       strcmp(str(p, "by"), "index") ? " (different data)" : " (same data)",
	       (long long)integer(p, "only_a"), (long long)integer(p, "only_b"));
	if (integer(p, "gold_differs"))
		printf("; %lld with different gold (left out of decisions)",
		       (long long)integer(p, "gold_differs"));
	printf("\n");
	if (json_array_size(json_object_get(l, "only_a")) ||
	    json_array_size(json_object_get(l, "only_b"))) {
		printf("labels that do not map by name:");
		json_array_foreach(json_object_get(l, "only_a"), i, v)
		    printf(" %s (A only)", json_string_value(v));
		json_array_foreach(json_object_get(l, "only_b"), i, v)
		    printf(" %s (B only)", json_string_value(v));
		printf("\n");
	}
	printf("bootstrap: %lld resamples of the paired sentences, seed %lld, %g%% intervals\n\n",
	       (long long)integer(bs, "resamples"), (long long)integer(bs, "seed"),
	       100.0 * num(bs, "level"));
}

static void print_row(const char *name, json_t *row)
{
	json_t *a = json_object_get(row, "a"), *b = json_object_get(row, "b");
	json_t *d = json_object_get(row, "diff");

	printf("%-12s %7lld  %.4f [%.4f, %.4f]  %.4f [%.4f, %.4f]  %+.4f [%+.4f, %+.4f]  %.4f\n",
	       name, (long long)integer(a, "support"), num(a, "f1"), num(a, "lo"), num(a, "hi"),
	       num(b, "f1"), num(b, "lo"), num(b, "hi"), num(d, "f1"), num(d, "lo"), num(d, "hi"),
	       num(d, "p_value"));
}

static void print_scores(json_t *j)
{
	json_t *t, *m = json_object_get(j, "mcnemar");
	size_t i;

	printf("%-12s %7s  %-24s  %-24s  %-27s  %s\n", "type", "support", "F1 A [interval]",
	       "F1 B [interval]", "B - A [interval]", "p");
	json_array_foreach(json_object_get(j, "types"), i, t) print_row(str(t, "type"), t);
	print_row("micro avg", json_object_get(j, "micro"));
	print_row("macro avg", json_object_get(j, "macro"));
	printf("\nMcNemar on %lld entity decisions: A alone right %lld, B alone right %lld; "
	       "chi2 %.4f (p %.4g), exact binomial p %.4g\n\n",
	       (long long)integer(m, "decisions"), (long long)integer(m, "a_only_right"),
	       (long long)integer(m, "b_only_right"), num(m, "chi2"), num(m, "p_chi2"),
	       num(m, "p_exact"));
}

/* One line of words, each non-O word marked word/LABEL. */
static void print_tagged(const char *who, json_t *words, json_t *labels)
{
	json_t *w;
	size_t i;

	printf("    %-5s", who);
	json_array_foreach(words, i, w)
	{
		const char *l = json_string_value(json_array_get(labels, i));
		if (l && strcmp(l, "O") != 0)
			printf(" %s/%s", json_string_value(w), l);
		else
			printf(" %s", json_string_value(w));
	}
	printf("\n");
}

static void print_sentences(json_t *j)
{
	static const char *const kinds[3][2] = {{"fixed", "fixed (A wrong, B right)"},
	                                        {"regressed", "regressed (A right, B wrong)"},
	                                        {"both_wrong", "both wrong, differently"}};
	json_t *all = json_object_get(j, "sentences"), *s;
	size_t i;
	int k;

	for (k = 0; k < 3; k++) {
		json_t *list = json_object_get(all, kinds[k][0]);
		json_t *items = json_object_get(list, "items");
		printf("%s sentences: %lld%s\n", kinds[k][1], (long long)integer(list, "total"),
		       json_array_size(items) ? ", the most changed first" : "");
		json_array_foreach(items, i, s)
		{
			printf("  A #%lld / B #%lld, %lld decisions changed\n",
			       (long long)integer(s, "a_id"), (long long)integer(s, "b_id"),
			       (long long)integer(s, "changed"));
			print_tagged("gold", json_object_get(s, "words"),
			             json_object_get(s, "gold"));
			print_tagged("A", json_object_get(s, "words"),
			             json_object_get(s, "pred_a"));
			print_tagged("B", json_object_get(s, "words"),
			             json_object_get(s, "pred_b"));
		}
		printf("\n");
	}
}

static void print_entities(json_t *j)
{
	static const char *const kinds[2] = {"fixed", "regressed"};
	json_t *all = json_object_get(j, "entities"), *e;
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		json_t *list = json_object_get(all, kinds[k]);
		printf("%s entity decisions: %lld (gold entities first; A:, B: what each run "
		       "predicted on the span)\n",
		       kinds[k], (long long)integer(list, "total"));
		json_array_foreach(json_object_get(list, "items"), i, e)
		{
			const char *pa = json_string_value(json_object_get(e, "pred_a"));
			const char *pb = json_string_value(json_object_get(e, "pred_b"));
			printf("  A #%-5lld %-30.30s %-9s %-6s A: %-6s B: %s\n",
			       (long long)integer(e, "a_id"), str(e, "text"),
			       json_is_true(json_object_get(e, "gold")) ? "gold" : "not gold",
			       str(e, "type"), pa ? pa : "-", pb ? pb : "-");
		}
		printf("\n");
	}
}

int xnr_cmd_compare(int argc, char **argv)
{
	struct xnr_compare_params p = xnr_compare_default_params();
	struct compare_opts o;
	struct xnr_store *store = NULL;
	struct xnr_error err;
	enum xnr_status st;
	json_t *j = NULL;
	int rc = parse_compare(argc, argv, &o);

	if (rc != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	p.boot.seed = (uint64_t)o.seed;
	p.boot.n_resamples = o.resamples;
	p.boot.level = o.level;
	p.boot.n_threads = xnr_cli_default_threads(); /* the same numbers on any count */
	p.type = o.type;
	p.top = o.top;
	if ((st = xnr_store_open(o.db, 0, &store, &err)) == XNR_OK &&
	    (st = xnr_report_compare(store, o.a, o.b, &p, &j, &err)) == XNR_OK) {
		if (o.json) {
			char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
			if (!s)
				st = xnr_fail(&err, XNR_ERR_NOMEM, "out of memory");
			else
				puts(s);
			free(s);
		} else {
			print_head(j);
			print_scores(j);
			print_sentences(j);
			print_entities(j);
		}
	}
	rc = st == XNR_OK ? XNR_EXIT_OK : xnr_cli_report(&err);
	json_decref(j);
	xnr_store_close(store);
	return rc;
}
