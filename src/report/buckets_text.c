/*
 * buckets_text.c - the buckets of `explainer report --buckets`
 * (report.h: xnr_report_buckets) as a terminal table: per attribute, per
 * bucket, each run's cases and F1 with its bootstrap interval.
 */
#include <stdio.h>

#include "report/report.h"

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void print_attribute(FILE *f, json_t *attr, size_t n_runs)
{
	json_t *bucket, *r;
	size_t i, k;

	fprintf(f, "%s (%s; %s)\n%-22s", json_string_value(json_object_get(attr, "name")),
	        json_string_value(json_object_get(attr, "kind")),
	        json_string_value(json_object_get(attr, "description")), "bucket");
	for (k = 0; k < n_runs; k++)
		fprintf(f, " %7s %-24s", k ? "B cases" : "cases",
		        k ? "B F1 [interval]" : "F1 [interval]");
	fprintf(f, "\n");
	json_array_foreach(json_object_get(attr, "buckets"), i, bucket)
	{
		fprintf(f, "%-22.22s", json_string_value(json_object_get(bucket, "label")));
		json_array_foreach(json_object_get(bucket, "runs"), k, r)
		    fprintf(f, " %7lld %.4f [%.4f, %.4f]      ",
		            (long long)json_integer_value(json_object_get(r, "cases")),
		            num(r, "f1"), num(r, "lo"), num(r, "hi"));
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

void xnr_report_print_buckets(FILE *f, json_t *b)
{
	json_t *runs = json_object_get(b, "runs"), *boot = json_object_get(b, "bootstrap"), *a;
	json_t *ref = json_object_get(b, "reference");
	size_t i, n_runs = json_array_size(runs);

	if (!b)
		return;
	fprintf(f,
	        "buckets (ExplainaBoard's attributes; entity F1 per bucket with %g%% intervals, "
	        "%lld resamples of the sentences, seed %lld)\n",
	        100.0 * num(boot, "level"),
	        (long long)json_integer_value(json_object_get(boot, "resamples")),
	        (long long)json_integer_value(json_object_get(boot, "seed")));
	fprintf(f, "reference: run %lld, %s\n",
	        (long long)json_integer_value(json_object_get(ref, "run")),
	        json_string_value(json_object_get(ref, "of")));
	json_array_foreach(runs, i, a)
	    fprintf(f, "%s: run %lld, %lld cases\n", i ? "B" : "A",
	            (long long)json_integer_value(json_object_get(a, "run")),
	            (long long)json_integer_value(json_object_get(a, "cases")));
	fprintf(f, "\n");
	json_array_foreach(json_object_get(b, "attributes"), i, a) print_attribute(f, a, n_runs);
}
