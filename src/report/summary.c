/*
 * summary.c - a report for the places CI shows (report.h): Markdown for a
 * pull-request comment (scores with intervals, the gate's rules, the
 * comparison's micro F1 difference) and JUnit XML (one testcase per gate
 * rule and one per entity type's F1), rendered from the report's JSON.
 */
#include <math.h>
#include <string.h>

#include "report/internal.h"

static void md_ci(struct xnr__out *o, const json_t *iv, const char *name, double f1)
{
	const json_t *c = json_object_get(iv, name);

	if (c)
		xnr__out_printf(o, "%.4f [%.4f, %.4f]", f1, xnr__num(c, "lo"), xnr__num(c, "hi"));
	else
		xnr__out_printf(o, "%.4f", f1);
}

enum xnr_status xnr_report_markdown(const json_t *r, char **out, size_t *len, struct xnr_error *err)
{
	const json_t *iv = json_object_get(r, "intervals"), *g = json_object_get(r, "gate");
	const json_t *c = json_object_get(r, "compare");
	struct xnr__out o;
	const char *name;
	json_t *x;
	size_t i;

	memset(&o, 0, sizeof o);
	xnr__out_printf(&o, "### ExplaiNER report: run %lld\n\n", (long long)xnr__num(r, "run"));
	if (g)
		xnr__out_printf(&o, "**CI gate: %s**\n\n",
		                json_is_true(json_object_get(g, "passed")) ? "passed" : "FAILED");
	json_array_foreach(json_object_get(g, "rules"), i, x) xnr__out_printf(
	    &o, "- %s %s\n", json_is_true(json_object_get(x, "passed")) ? "ok" : "**FAILED**",
	    xnr__str(x, "message"));
	if (g)
		xnr__out_printf(&o, "\n");
	xnr__out_printf(&o,
	                "| type | precision | recall | F1 [%g%% interval] | support "
	                "|\n|---|---:|---:|---:|---:|\n",
	                iv ? 100.0 * xnr__num(iv, "level") : 95.0);
	json_object_foreach(json_object_get(r, "seqeval_default"), name, x)
	{
		xnr__out_printf(&o, "| %s | %.4f | %.4f | ", name, xnr__num(x, "precision"),
		                xnr__num(x, "recall"));
		md_ci(&o, iv, name, xnr__num(x, "f1-score"));
		xnr__out_printf(&o, " | %lld |\n", (long long)xnr__num(x, "support"));
	}
	if (iv)
		xnr__out_printf(
		    &o, "\nIntervals: bootstrap over sentences, %lld resamples, seed %lld.\n",
		    (long long)xnr__num(iv, "resamples"), (long long)xnr__num(iv, "seed"));
	if (c) {
		const json_t *mi = json_object_get(c, "micro"), *d = json_object_get(mi, "diff");
		xnr__out_printf(
		    &o,
		    "\nAgainst run %lld: micro F1 %.4f -> %.4f, %+.4f [%+.4f, %+.4f], "
		    "p %.4f (paired bootstrap); %lld entity decisions fixed, %lld regressed.\n",
		    (long long)xnr__num(json_object_get(c, "b"), "id"),
		    xnr__num(json_object_get(mi, "a"), "f1"),
		    xnr__num(json_object_get(mi, "b"), "f1"), xnr__num(d, "f1"), xnr__num(d, "lo"),
		    xnr__num(d, "hi"), xnr__num(d, "p_value"),
		    (long long)xnr__num(json_object_get(json_object_get(c, "entities"), "fixed"),
		                        "total"),
		    (long long)xnr__num(
		        json_object_get(json_object_get(c, "entities"), "regressed"), "total"));
	}
	return xnr__out_done(&o, out, len, err);
}

static void testcase(struct xnr__out *o, const char *cls, const char *name, const char *failure,
                     const char *text)
{
	xnr__out_printf(o, "  <testcase classname=\"");
	xnr__out_escaped(o, cls);
	xnr__out_printf(o, "\" name=\"");
	xnr__out_escaped(o, name);
	xnr__out_printf(o, "\" time=\"0\">");
	if (failure) {
		xnr__out_printf(o, "<failure message=\"");
		xnr__out_escaped(o, failure);
		xnr__out_printf(o, "\" type=\"gate\"/>");
	}
	xnr__out_printf(o, "<system-out>");
	xnr__out_escaped(o, text);
	xnr__out_printf(o, "</system-out></testcase>\n");
}

enum xnr_status xnr_report_junit(const json_t *r, char **out, size_t *len, struct xnr_error *err)
{
	const json_t *iv = json_object_get(r, "intervals"), *rules;
	const json_t *def = json_object_get(r, "seqeval_default");
	struct xnr__out o;
	size_t i, n_tests, n_fail = 0;
	const char *name;
	char text[256], what[160];
	json_t *x;

	memset(&o, 0, sizeof o);
	rules = json_object_get(json_object_get(r, "gate"), "rules");
	json_array_foreach(rules, i, x) n_fail += !json_is_true(json_object_get(x, "passed"));
	n_tests = json_array_size(rules) + json_object_size(def);
	xnr__out_printf(&o,
	                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"%zu\" "
	                "failures=\"%zu\">\n <testsuite name=\"explainer report run %lld\" "
	                "tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
	                n_tests, n_fail, (long long)xnr__num(r, "run"), n_tests, n_fail);
	json_array_foreach(rules, i, x)
	{
		int ok = json_is_true(json_object_get(x, "passed"));
		snprintf(what, sizeof what, "%s %s", xnr__str(x, "rule"), xnr__str(x, "type"));
		testcase(&o, "explainer.gate", what, ok ? NULL : xnr__str(x, "message"),
		         xnr__str(x, "message"));
	}
	json_object_foreach((json_t *)def, name, x)
	{
		const json_t *c = json_object_get(iv, name);
		snprintf(what, sizeof what, "F1 %s", name);
		if (c)
			snprintf(text, sizeof text,
			         "F1 %.4f [%.4f, %.4f], precision %.4f, recall %.4f, support %lld",
			         xnr__num(x, "f1-score"), xnr__num(c, "lo"), xnr__num(c, "hi"),
			         xnr__num(x, "precision"), xnr__num(x, "recall"),
			         (long long)xnr__num(x, "support"));
		else
			snprintf(text, sizeof text,
			         "F1 %.4f, precision %.4f, recall %.4f, support %lld",
			         xnr__num(x, "f1-score"), xnr__num(x, "precision"),
			         xnr__num(x, "recall"), (long long)xnr__num(x, "support"));
		testcase(&o, "explainer.scores", what, NULL, text);
	}
	xnr__out_printf(&o, " </testsuite>\n</testsuites>\n");
	return xnr__out_done(&o, out, len, err);
}
