/*
 * gate.c - the CI gate of `explainer report` (cli.h): --fail-under's rules
 * (a plain number for the micro F1, TYPE=F1 per entity type) and
 * --fail-if-regressed against a baseline run, which fails only when the
 * paired bootstrap over the shared sentences (report/compare.h) finds a
 * drop of the micro F1, or of a gated type's F1, significant at --alpha.
 * Every rule gives one line; the failed ones go to stderr.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/compare.h"

void xnr_cli_gate_free(struct xnr_cli_gate *g)
{
	free(g->buf);
	g->buf = NULL;
	g->n_types = 0;
}

/* A whole decimal number in [0, 1] at s: 0, or -1. */
static int parse_f1(const char *s, double *out)
{
	char *end = NULL;
	double v;

	if (!*s)
		return -1;
	v = strtod(s, &end);
	if (*end || !(v >= 0.0 && v <= 1.0))
		return -1;
	*out = v;
	return 0;
}

/* One entry of the list: "F1" (the micro F1) or "TYPE=F1". */
static int parse_entry(char *e, struct xnr_cli_gate *g)
{
	char *eq = strchr(e, '=');
	size_t i;

	if (!eq && g->micro_min >= 0.0)
		return xnr_cli_usage_error("report", "--fail-under: the micro F1 is given twice");
	if (!eq && parse_f1(e, &g->micro_min) != 0)
		return xnr_cli_usage_error(
		    "report",
		    "--fail-under: \"%s\" is no F1 in [0, 1] (give 0.85 or TYPE=0.85,...)", e);
	if (!eq)
		return XNR_EXIT_OK;
	*eq = '\0';
	if (!*e || g->n_types == XNR_CLI_GATE_MAX_TYPES ||
	    parse_f1(eq + 1, &g->type_min[g->n_types]))
		return xnr_cli_usage_error(
		    "report",
		    "--fail-under: \"%s=%s\" is no TYPE=F1 with an F1 in [0, 1] "
		    "(at most %d types)",
		    e, eq + 1, XNR_CLI_GATE_MAX_TYPES);
	for (i = 0; i < g->n_types; i++)
		if (strcmp(g->types[i], e) == 0)
			return xnr_cli_usage_error("report", "--fail-under: %s is given twice", e);
	g->types[g->n_types++] = e;
	return XNR_EXIT_OK;
}

int xnr_cli_gate_parse_under(const char *spec, struct xnr_cli_gate *g)
{
	char *e, *next;
	int rc = XNR_EXIT_OK;

	g->micro_min = -1.0;
	if (!spec)
		return XNR_EXIT_OK;
	if (!(g->buf = strdup(spec))) {
		fprintf(stderr, "explainer: out of memory\n");
		return XNR_EXIT_FAIL;
	}
	for (e = g->buf; rc == XNR_EXIT_OK && e; e = next) {
		if ((next = strchr(e, ',')))
			*next++ = '\0';
		rc = parse_entry(e, g);
	}
	return rc;
}

int xnr_cli_gate_parse_baseline(const char *spec, struct xnr_cli_gate *g)
{
	const char *colon = strrchr(spec, ':');
	int id = 0;

	if (!colon || colon == spec)
		return xnr_cli_usage_error(
		    "report",
		    "--baseline: give RUN.db:ID (the database and the run id), got \"%s\"", spec);
	if (xnr_cli_parse_int("report", "--baseline's ID", colon + 1, 1, 0x7fffffff, &id) !=
	    XNR_EXIT_OK)
		return XNR_EXIT_USAGE;
	g->baseline_db_len = (size_t)(colon - spec);
	g->baseline_db = spec;
	g->baseline_run = id;
	return XNR_EXIT_OK;
}

/* The types named by --fail-under must be entity types of the run. */
enum xnr_status xnr_cli_gate_check_types(const struct xnr_cli_gate *g,
                                         const struct xnr_tagset *tags, int64_t run,
                                         struct xnr_error *err)
{
	size_t i, t, n = xnr_tagset_n_types(tags);

	for (i = 0; i < g->n_types; i++) {
		for (t = 0; t < n; t++)
			if (strcmp(xnr_tagset_type(tags, (uint32_t)t), g->types[i]) == 0)
				break;
		if (t == n)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "--fail-under: run %lld has no entity type \"%s\" (its "
			                "labels name the types; see explainer report)",
			                (long long)run, g->types[i]);
	}
	return XNR_OK;
}

/* Append one rule's outcome to rules (the JSON "gate" list). */
static void add_rule(json_t *rules, json_t *rule, int passed, const char *message)
{
	json_object_set_new(rule, "passed", json_boolean(passed));
	json_object_set_new(rule, "message", json_string(message));
	json_array_append_new(rules, rule);
}

/* The F1 of class name in the report; -1 when it has no such class (no
 * gold and no predicted entity of the type). */
static double class_f1(const struct xnr_seqeval_report *r, const char *name)
{
	size_t c;
	for (c = 0; c < r->n_classes; c++)
		if (strcmp(r->classes[c].name, name) == 0)
			return r->classes[c].score.f1;
	return -1.0;
}

static void under_rule(json_t *rules, const char *type, double f1, double min)
{
	char msg[256];
	int passed = f1 >= min;

	if (f1 < 0.0)
		snprintf(msg, sizeof msg,
		         "%s F1: no gold or predicted %s entity, so no F1 to hold to "
		         "--fail-under %s=%g",
		         type, type, type, min);
	else
		snprintf(msg, sizeof msg, "%s F1 %.4f is %s --fail-under %.4f", type, f1,
		         passed ? "at or above" : "below", min);
	add_rule(rules,
	         json_pack("{s:s,s:s,s:o,s:f}", "rule", "fail-under", "type", type, "f1",
	                   f1 < 0.0 ? json_null() : json_real(f1), "min", min),
	         passed, msg);
}

static void under_rules(const struct xnr_cli_gate *g, const struct xnr_seqeval_report *def,
                        json_t *rules)
{
	size_t i;

	if (g->micro_min >= 0.0)
		under_rule(rules, "micro avg", def->micro.f1, g->micro_min);
	for (i = 0; i < g->n_types; i++)
		under_rule(rules, g->types[i], class_f1(def, g->types[i]), g->type_min[i]);
}

/* The row of type (or "micro") in the comparison's JSON. */
static json_t *compared_row(json_t *cmp, const char *type)
{
	json_t *t;
	size_t i;

	if (!strcmp(type, "micro avg"))
		return json_object_get(cmp, "micro");
	json_array_foreach(
	    json_object_get(cmp, "types"), i,
	    t) if (!strcmp(json_string_value(json_object_get(t, "type")), type)) return t;
	return NULL;
}

static void regressed_rule(const struct xnr_cli_gate *g, json_t *cmp, const char *type,
                           json_t *rules)
{
	json_t *row = compared_row(cmp, type), *d = json_object_get(row, "diff");
	double fa = json_number_value(json_object_get(json_object_get(row, "a"), "f1"));
	double fb = json_number_value(json_object_get(json_object_get(row, "b"), "f1"));
	double diff = json_number_value(json_object_get(d, "f1"));
	double p = json_number_value(json_object_get(d, "p_value"));
	int passed = !(diff < 0.0 && p < g->alpha);
	char msg[512];

	snprintf(msg, sizeof msg,
	         "%s F1 %.4f against %.4f of baseline run %lld of %.*s: %+.4f [%+.4f, %+.4f], "
	         "p %.4f %s alpha %g (%s)",
	         type, fb, fa, (long long)g->baseline_run, (int)g->baseline_db_len, g->baseline_db,
	         diff, json_number_value(json_object_get(d, "lo")),
	         json_number_value(json_object_get(d, "hi")), p,
	         p < g->alpha ? "<" : ">=", g->alpha,
	         passed ? (diff < 0.0 ? "a drop, not significant" : "no drop")
	                : "a significant drop: --fail-if-regressed");
	add_rule(rules,
	         json_pack("{s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "rule", "fail-if-regressed",
	                   "type", type, "f1", fb, "baseline_f1", fa, "diff", diff, "lo",
	                   json_number_value(json_object_get(d, "lo")), "hi",
	                   json_number_value(json_object_get(d, "hi")), "p_value", p, "alpha",
	                   g->alpha),
	         passed, msg);
}

/* The paired bootstrap of the run against the baseline, and its rules. */
static enum xnr_status regressed_rules(const struct xnr_cli_gate *g, struct xnr_store *store,
                                       int64_t run, const struct xnr_boot_params *bp, json_t *gate,
                                       struct xnr_error *err)
{
	struct xnr_compare_params p = xnr_compare_default_params();
	struct xnr_store *base = NULL;
	json_t *cmp = NULL, *rules = json_object_get(gate, "rules");
	char path[4096];
	enum xnr_status st;
	size_t i;

	if (g->baseline_db_len >= sizeof path)
		return xnr_fail(err, XNR_ERR_LIMIT, "--baseline: the path is too long");
	memcpy(path, g->baseline_db, g->baseline_db_len);
	path[g->baseline_db_len] = '\0';
	p.boot = *bp;
	p.top = 0;
	if ((st = xnr_store_open(path, 0, &base, err)) == XNR_OK &&
	    (st = xnr_report_compare_stores(base, g->baseline_run, store, run, &p, &cmp, err)) ==
	        XNR_OK) {
		json_object_set(gate, "pairing", json_object_get(cmp, "pairing"));
		json_object_set(gate, "bootstrap", json_object_get(cmp, "bootstrap"));
		regressed_rule(g, cmp, "micro avg", rules);
		for (i = 0; i < g->n_types; i++)
			if (compared_row(cmp, g->types[i]))
				regressed_rule(g, cmp, g->types[i], rules);
	} else if (st == XNR_ERR_NOT_FOUND && base)
		st = xnr_fail(err, st, "--baseline: %s holds no run %lld", path,
		              (long long)g->baseline_run);
	json_decref(cmp);
	xnr_store_close(base);
	return st;
}

enum xnr_status xnr_cli_gate_eval(const struct xnr_cli_gate *g, struct xnr_store *store,
                                  int64_t run, const struct xnr_seqeval_report *def,
                                  const struct xnr_boot_params *bp, json_t **out,
                                  struct xnr_error *err)
{
	json_t *gate = json_pack("{s:[]}", "rules"), *r;
	enum xnr_status st = XNR_OK;
	size_t i;
	int passed = 1;

	if (!gate)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	under_rules(g, def, json_object_get(gate, "rules"));
	if (g->baseline_db && (st = regressed_rules(g, store, run, bp, gate, err)) != XNR_OK) {
		json_decref(gate);
		return st;
	}
	json_array_foreach(json_object_get(gate, "rules"), i, r) passed &=
	    json_is_true(json_object_get(r, "passed"));
	json_object_set_new(gate, "passed", json_boolean(passed));
	*out = gate;
	return XNR_OK;
}

int xnr_cli_gate_report(json_t *gate)
{
	json_t *r;
	size_t i;
	int failed = 0;

	json_array_foreach(json_object_get(gate, "rules"), i, r)
	{
		if (json_is_true(json_object_get(r, "passed")))
			continue;
		fprintf(stderr, "explainer: gate failed: %s\n",
		        json_string_value(json_object_get(r, "message")));
		failed++;
	}
	return failed ? XNR_EXIT_GATE : XNR_EXIT_OK;
}
