/*
 * routes.c - the server's one route table, merged once from the route groups
 * of the resource files (internal.h), so each file keeps its own routes next
 * to its handlers and GET /api/v1 lists them all.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

static const struct xnr__route_group *const groups[] = {
    &xnr__routes_runs,
    &xnr__routes_sentences,
    &xnr__routes_sentence,
    &xnr__routes_metrics,
    &xnr__routes_sentences_by_ids,
    &xnr__routes_samples,
    &xnr__routes_model,
    &xnr__routes_probe,
    &xnr__routes_activations,
    &xnr__routes_projection,
    &xnr__routes_duplicates,
    &xnr__routes_run_start,
    &xnr__routes_setup,
    &xnr__routes_settings,
    &xnr__routes_debug,
    &xnr__routes_jobs,
    &xnr__routes_issues,
    &xnr__routes_compare,
    &xnr__routes_verdicts,
    &xnr__routes_buckets,
    &xnr__routes_pins,
    &xnr__routes_sentences_export,
    &xnr__routes_metrics_export,
    &xnr__routes_assets,
};

static struct xnr__route *table;
static size_t table_n;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Concatenate the groups in order: earlier groups win on equal patterns,
 * and the assets' catch-all comes last. */
static void merge(void)
{
	size_t g, total = 0;

	for (g = 0; g < sizeof groups / sizeof groups[0]; g++)
		total += groups[g]->n;
	table = calloc(total ? total : 1, sizeof *table);
	if (!table)
		return;
	for (g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		memcpy(table + table_n, groups[g]->routes, groups[g]->n * sizeof *table);
		table_n += groups[g]->n;
	}
}

const struct xnr__route *xnr__routes(size_t *n)
{
	pthread_once(&once, merge);
	*n = table ? table_n : 0;
	return table;
}
