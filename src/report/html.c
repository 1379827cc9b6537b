/*
 * html.c - `explainer report --html`: a whole report as one self-contained
 * HTML file (report.h: xnr_report_html), for a CI artefact or a pull
 * request: inline CSS, charts as inline SVG drawn here, no script and no
 * request to anywhere, so it opens from disk and from an artefact store
 * that blocks the network. Rendered from the report's JSON (what
 * `explainer report --json` prints, with "meta", "buckets" and "compare").
 */
#include <math.h>
#include <string.h>

#include "report/internal.h"

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#111827;"
    "padding:0 16px}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid "
    "#e5e7eb}table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px "
    "solid #e5e7eb;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}.ci{color:#6b7280;font-size:12px}.muted{color:#6b7280}.ok{color:#15803d;"
    "font-weight:600}.bad{color:#b91c1c;font-weight:600}.charts{display:flex;flex-wrap:wrap;"
    "gap:12px}.chart{border:1px solid #e5e7eb;border-radius:6px;padding:8px}.chart h3{margin:0;"
    "font-size:14px}svg text{font-size:10px;fill:#6b7280}.a{fill:#6b7280}.b{fill:#2563eb}"
    ".w{stroke:#111827;fill:none}.g{stroke:#e5e7eb}details{margin:4px 0}";

static void cell_ci(struct xnr__out *o, double est, double lo, double hi)
{
	if (isnan(est))
		xnr__out_printf(o, "<td class=n>&ndash;</td>");
	else if (isnan(lo))
		xnr__out_printf(o, "<td class=n>%.4f</td>", est);
	else
		xnr__out_printf(o, "<td class=n>%.4f <span class=ci>[%.4f, %.4f]</span></td>", est,
		                lo, hi);
}

static void header(struct xnr__out *o, const json_t *r)
{
	const json_t *meta = json_object_get(r, "meta");

	xnr__out_printf(
	    o,
	    "<!doctype html><html lang=en><head><meta charset=utf-8><meta "
	    "name=viewport content=\"width=device-width\"><title>ExplaiNER report: run "
	    "%lld</title><style>%s</style></head><body><h1>ExplaiNER report: run %lld</h1>"
	    "<p class=muted>model ",
	    (long long)xnr__num(r, "run"), style, (long long)xnr__num(r, "run"));
	xnr__out_escaped(o, xnr__str(meta, "model_path"));
	xnr__out_printf(o, " on ");
	xnr__out_escaped(o, xnr__str(meta, "data_path"));
	xnr__out_printf(o, "; %lld sentences, %lld words; ExplaiNER %s</p>",
	                (long long)xnr__num(meta, "n_sentences"),
	                (long long)xnr__num(meta, "n_words"), xnr__str(meta, "version"));
}

static void scores(struct xnr__out *o, const json_t *r)
{
	const json_t *def = json_object_get(r, "seqeval_default"),
	             *iv = json_object_get(r, "intervals");
	const char *name;
	json_t *c;

	xnr__out_printf(o,
	                "<h2 id=scores>Scores</h2><p class=muted>seqeval default mode (conlleval)");
	if (iv)
		xnr__out_printf(
		    o,
		    "; F1 with %g%% bootstrap intervals over sentences, %lld resamples, "
		    "seed %lld",
		    100.0 * xnr__num(iv, "level"), (long long)xnr__num(iv, "resamples"),
		    (long long)xnr__num(iv, "seed"));
	xnr__out_printf(o, ".</p><table><tr><th>type</th><th class=n>precision</th><th "
	                   "class=n>recall</th><th class=n>F1 [interval]</th><th "
	                   "class=n>support</th></tr>");
	json_object_foreach((json_t *)def, name, c)
	{
		json_t *ci = json_object_get(iv, name);
		xnr__out_printf(o, "<tr><td>");
		xnr__out_escaped(o, name);
		xnr__out_printf(o, "</td><td class=n>%.4f</td><td class=n>%.4f</td>",
		                xnr__num(c, "precision"), xnr__num(c, "recall"));
		cell_ci(o, xnr__num(c, "f1-score"), xnr__num(ci, "lo"), xnr__num(ci, "hi"));
		xnr__out_printf(o, "<td class=n>%lld</td></tr>", (long long)xnr__num(c, "support"));
	}
	xnr__out_printf(o, "</table>");
}

static void gate(struct xnr__out *o, const json_t *r)
{
	const json_t *g = json_object_get(r, "gate");
	json_t *rule;
	size_t i;

	if (!g)
		return;
	xnr__out_printf(o, "<h2 id=gate>CI gate: <span class=%s>%s</span></h2><ul>",
	                json_is_true(json_object_get(g, "passed")) ? "ok" : "bad",
	                json_is_true(json_object_get(g, "passed")) ? "passed" : "FAILED");
	json_array_foreach(json_object_get(g, "rules"), i, rule)
	{
		int ok = json_is_true(json_object_get(rule, "passed"));
		xnr__out_printf(o, "<li><span class=%s>%s</span> ", ok ? "ok" : "bad",
		                ok ? "ok" : "FAILED");
		xnr__out_escaped(o, xnr__str(rule, "message"));
		xnr__out_printf(o, "</li>");
	}
	xnr__out_printf(o, "</ul>");
}

/* The token confusion matrix, cells shaded by their row share. */
static void confusion(struct xnr__out *o, const json_t *r)
{
	const json_t *cm = json_object_get(r, "confusion");
	json_t *labels = json_object_get(cm, "labels"), *row, *l;
	size_t i, j;

	xnr__out_printf(o, "<h2 id=confusion>Token confusion</h2><p class=muted>rows: gold, "
	                   "columns: predicted</p><table><tr><th></th>");
	json_array_foreach(labels, j, l)
	{
		xnr__out_printf(o, "<th class=n>");
		xnr__out_escaped(o, json_string_value(l));
		xnr__out_printf(o, "</th>");
	}
	xnr__out_printf(o, "</tr>");
	json_array_foreach(json_object_get(cm, "counts"), i, row)
	{
		json_t *norm = json_array_get(json_object_get(cm, "normalized"), i), *x;
		xnr__out_printf(o, "<tr><th>");
		xnr__out_escaped(o, json_string_value(json_array_get(labels, i)));
		xnr__out_printf(o, "</th>");
		json_array_foreach(row, j, x)
		{
			double share = json_number_value(json_array_get(norm, j));
			xnr__out_printf(
			    o, "<td class=n style=\"background:rgba(%s,%.3f)\">%lld</td>",
			    i == j ? "21,128,61" : "185,28,28", isnan(share) ? 0.0 : share * 0.6,
			    (long long)json_integer_value(x));
		}
		xnr__out_printf(o, "</tr>");
	}
	xnr__out_printf(o, "</table>");
}

static void taxonomy(struct xnr__out *o, const json_t *r)
{
	static const char *const kinds[] = {"correct",        "wrong type",
	                                    "wrong boundary", "wrong type and boundary",
	                                    "missed",         "spurious"};
	const char *name;
	json_t *c;
	size_t k;

	xnr__out_printf(o, "<h2 id=errors>Entity errors</h2><table><tr><th>type</th>");
	for (k = 0; k < 6; k++)
		xnr__out_printf(o, "<th class=n>%s</th>", kinds[k]);
	xnr__out_printf(o, "</tr>");
	json_object_foreach(json_object_get(r, "entity_errors"), name, c)
	{
		xnr__out_printf(o, "<tr><td>");
		xnr__out_escaped(o, name);
		xnr__out_printf(o, "</td>");
		for (k = 0; k < 6; k++)
			xnr__out_printf(o, "<td class=n>%lld</td>",
			                (long long)xnr__num(c, kinds[k]));
		xnr__out_printf(o, "</tr>");
	}
	xnr__out_printf(o, "</table>");
}

/* A reliability diagram: each bin's accuracy as a bar against the diagonal. */
static void reliability(struct xnr__out *o, const char *title, const json_t *c)
{
	const json_t *bins = json_object_get(c, "bins");
	json_t *acc = json_object_get(bins, "accuracy");
	size_t n = json_array_size(acc), b;
	const double x0 = 30, y0 = 170, side = 160;

	xnr__out_printf(
	    o,
	    "<div class=chart><h3>%s: ECE %.4f, MCE %.4f</h3><svg width=200 "
	    "height=190 viewBox=\"0 0 200 190\" role=img><path class=g d=\"M%g %gH%gM%g "
	    "%gV%g\"/><path class=w stroke-dasharray=3 d=\"M%g %gL%g %g\"/>",
	    title, xnr__num(c, "ece"), xnr__num(c, "mce"), x0, y0, x0 + side, x0, y0, y0 - side, x0,
	    y0, x0 + side, y0 - side);
	for (b = 0; b < n; b++) {
		double a = json_number_value(json_array_get(acc, b)), w = side / (double)n;
		if (json_is_number(json_array_get(acc, b)))
			xnr__out_printf(
			    o,
			    "<rect class=b x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>",
			    x0 + (double)b * w + 1, y0 - a * side, w - 2, a * side);
	}
	xnr__out_printf(o,
	                "<text x=\"%g\" y=\"%g\">0</text><text x=\"%g\" y=\"%g\">1</text><text x=4 "
	                "y=\"%g\">1</text>"
	                "</svg></div>",
	                x0, y0 + 12, x0 + side - 4, y0 + 12, y0 - side + 8);
}

static void calibration(struct xnr__out *o, const json_t *r)
{
	const json_t *cal = json_object_get(r, "calibration");

	if (!cal)
		return;
	xnr__out_printf(
	    o,
	    "<h2 id=calibration>Calibration</h2><p class=muted>accuracy per "
	    "confidence bin (%lld equal-width bins; a word's confidence: the probability "
	    "of its predicted label; an entity's: the lowest of its words')</p><div "
	    "class=charts>",
	    (long long)xnr__num(cal, "bins"));
	reliability(o, "words", json_object_get(json_object_get(cal, "word"), "all"));
	reliability(o, "entities", json_object_get(json_object_get(cal, "entity"), "all"));
	xnr__out_printf(o, "</div>");
}

/* One attribute's buckets as bars with interval whiskers, a bar per run. */
static void bucket_chart(struct xnr__out *o, const json_t *attr, size_t n_runs)
{
	const json_t *buckets = json_object_get(attr, "buckets");
	size_t n = json_array_size(buckets), k, i;
	const double l = 30, t = 8, w = 330, h = 120;
	double gw = n ? w / (double)n : w, bw = fmin(24, (gw - 6) / (double)n_runs);
	const char *label;
	json_t *b, *run;

	xnr__out_printf(o, "<div class=chart><h3>");
	xnr__out_escaped(o, xnr__str(attr, "name"));
	xnr__out_printf(o,
	                "</h3><svg width=370 height=160 viewBox=\"0 0 370 160\" role=img>"
	                "<path class=g d=\"M%g %gH%gM%g %gH%g\"/><text x=4 y=\"%g\">1</text>"
	                "<text x=4 y=\"%g\">0</text>",
	                l, t, l + w, l, t + h, l + w, t + 8, t + h);
	json_array_foreach(buckets, k, b)
	{
		double x0 = l + (double)k * gw + (gw - bw * (double)n_runs) / 2;
		json_array_foreach(json_object_get(b, "runs"), i, run)
		{
			double f1 = xnr__num(run, "f1"), lo = xnr__num(run, "lo"),
			       hi = xnr__num(run, "hi");
			double x = x0 + (double)i * bw, cx = x + (bw - 2) / 2;
			xnr__out_printf(o,
			                "<rect class=%s x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
			                "height=\"%.2f\"><title>",
			                i ? "b" : "a", x, t + h * (1 - f1), bw - 2, h * f1);
			xnr__out_escaped(o, xnr__str(b, "label"));
			xnr__out_printf(o,
			                ": F1 %.4f [%.4f, %.4f], %lld cases</title></rect><path "
			                "class=w d=\"M%.2f %.2fV%.2fM%.2f %.2fh6M%.2f %.2fh6\"/>",
			                f1, lo, hi, (long long)xnr__num(run, "cases"), cx,
			                t + h * (1 - lo), t + h * (1 - hi), cx - 3,
			                t + h * (1 - lo), cx - 3, t + h * (1 - hi));
		}
		label = xnr__str(b, "label");
		xnr__out_printf(o, "<text x=\"%.2f\" y=\"%g\" text-anchor=middle>%s",
		                l + (double)k * gw + gw / 2, t + h + 14,
		                strncmp(label, "document ", 9) ? "" : "#");
		xnr__out_escaped(o, strncmp(label, "document ", 9) ? label : label + 9);
		xnr__out_printf(o, "</text>");
	}
	xnr__out_printf(o, "</svg></div>");
}

static void buckets(struct xnr__out *o, const json_t *r)
{
	const json_t *bk = json_object_get(r, "buckets"), *ref = json_object_get(bk, "reference");
	size_t n_runs = json_array_size(json_object_get(bk, "runs")), i;
	json_t *a;

	if (!bk)
		return;
	xnr__out_printf(o,
	                "<h2 id=buckets>Buckets</h2><p class=muted>entity F1 by ExplainaBoard's "
	                "attributes, whiskers: bootstrap intervals%s; reference: run %lld, ",
	                n_runs > 1 ? "; grey A, blue B (A's edges)" : "",
	                (long long)xnr__num(ref, "run"));
	xnr__out_escaped(o, xnr__str(ref, "of"));
	xnr__out_printf(o, "</p><div class=charts>");
	json_array_foreach(json_object_get(bk, "attributes"), i, a) bucket_chart(o, a, n_runs);
	xnr__out_printf(o, "</div>");
}

static void worst(struct xnr__out *o, const json_t *r)
{
	json_t *s;
	size_t i;

	if (!json_array_size(json_object_get(r, "worst_sentences")))
		return;
	xnr__out_printf(o, "<h2 id=worst>Worst sentences</h2><table><tr><th class=n>id</th><th "
	                   "class=n>loss</th><th class=n>word errors</th><th>text</th></tr>");
	json_array_foreach(json_object_get(r, "worst_sentences"), i, s)
	{
		xnr__out_printf(
		    o, "<tr><td class=n>%lld</td><td class=n>%.3f</td><td class=n>%lld</td><td>",
		    (long long)xnr__num(s, "id"), xnr__num(s, "loss"),
		    (long long)xnr__num(s, "word_errors"));
		xnr__out_escaped(o, xnr__str(s, "text"));
		xnr__out_printf(o, "</td></tr>");
	}
	xnr__out_printf(o, "</table>");
}

/* Two runs: micro F1 of both, B - A with its interval and p, and the entity
 * decisions B fixed and broke. */
static void compare(struct xnr__out *o, const json_t *r)
{
	const json_t *c = json_object_get(r, "compare"), *mi = json_object_get(c, "micro");
	const json_t *d = json_object_get(mi, "diff"), *m = json_object_get(c, "mcnemar");
	static const char *const kinds[] = {"fixed", "regressed"};
	json_t *e;
	size_t i, k;

	if (!c)
		return;
	xnr__out_printf(o,
	                "<h2 id=compare>Against run %lld</h2><p>micro F1 A %.4f, B %.4f; B &minus; "
	                "A %+.4f <span class=ci>[%+.4f, %+.4f]</span>, p %.4f (paired bootstrap); "
	                "McNemar on %lld entity decisions: exact p %.4f</p>",
	                (long long)xnr__num(json_object_get(c, "b"), "id"),
	                xnr__num(json_object_get(mi, "a"), "f1"),
	                xnr__num(json_object_get(mi, "b"), "f1"), xnr__num(d, "f1"),
	                xnr__num(d, "lo"), xnr__num(d, "hi"), xnr__num(d, "p_value"),
	                (long long)xnr__num(m, "decisions"), xnr__num(m, "p_exact"));
	for (k = 0; k < 2; k++) {
		const json_t *list = json_object_get(json_object_get(c, "entities"), kinds[k]);
		xnr__out_printf(o,
		                "<h3>%s: %lld entity decisions</h3><table><tr><th>sentence</th>"
		                "<th>words</th><th>gold</th><th>A</th><th>B</th></tr>",
		                kinds[k], (long long)xnr__num(list, "total"));
		json_array_foreach(json_object_get(list, "items"), i, e)
		{
			xnr__out_printf(o, "<tr><td class=n>%lld</td><td>",
			                (long long)xnr__num(e, "a_id"));
			xnr__out_escaped(o, xnr__str(e, "text"));
			xnr__out_printf(o, "</td><td>%s",
			                json_is_true(json_object_get(e, "gold")) ? "" : "not ");
			xnr__out_escaped(o, xnr__str(e, "type"));
			xnr__out_printf(o, "</td><td>");
			xnr__out_escaped(o, json_is_string(json_object_get(e, "pred_a"))
			                        ? xnr__str(e, "pred_a")
			                        : "-");
			xnr__out_printf(o, "</td><td>");
			xnr__out_escaped(o, json_is_string(json_object_get(e, "pred_b"))
			                        ? xnr__str(e, "pred_b")
			                        : "-");
			xnr__out_printf(o, "</td></tr>");
		}
		xnr__out_printf(o, "</table>");
	}
}

enum xnr_status xnr_report_html(const json_t *r, char **out, size_t *len, struct xnr_error *err)
{
	struct xnr__out o;

	memset(&o, 0, sizeof o);
	header(&o, r);
	gate(&o, r);
	scores(&o, r);
	compare(&o, r);
	buckets(&o, r);
	calibration(&o, r);
	confusion(&o, r);
	taxonomy(&o, r);
	worst(&o, r);
	xnr__out_printf(&o, "</body></html>\n");
	return xnr__out_done(&o, out, len, err);
}
