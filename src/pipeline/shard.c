/*
 * shard.c - one slice of a run for a cluster's array job (`explainer run
 * --shard I/N`): the selected sentences cut into N slices by sentence index,
 * cut points moved forward to the next document boundary so documents stay
 * whole (a selection inside one document, as JSONL or CoNLL without
 * -DOCSTART-, is cut at any sentence). The slice, the whole run's key and
 * size are stored in the run's settings for `explainer merge` (merge.c).
 */
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "pipeline/internal.h"

/* The document of selection position p: the last whose first sentence is
 * at or before the position's sentence (an empty document shares its first
 * sentence with the next, which holds it). */
static size_t doc_of(const struct xnr__run *x, size_t p)
{
	size_t f = x->sel ? x->sel[p] : p, lo = 0, hi = x->n_docs;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->doc_first[mid] <= f)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The first unit boundary at or after selection position t. */
static size_t cut_at(const struct xnr__run *x, uint64_t t, int one_document)
{
	size_t i = (size_t)t;
	while (!one_document && i > 0 && i < x->n_sel && doc_of(x, i) == doc_of(x, i - 1))
		i++;
	return i;
}

void xnr__run_shard(struct xnr__run *x)
{
	uint64_t n = x->n_sel, k = (uint64_t)x->opts->shard_index,
	         N = (uint64_t)x->opts->shard_count;
	int one_document;
	size_t lo, hi;

	x->n_total = x->n_sel;
	if (N == 0)
		return;
	/* the selection is in file order and documents follow it: one document
	 * when the first and the last sentence share it */
	one_document = n == 0 || doc_of(x, 0) == doc_of(x, (size_t)n - 1);
	lo = cut_at(x, k * n / N, one_document);
	hi = cut_at(x, (k + 1) * n / N, one_document);
	if (x->sel)
		memmove(x->sel, x->sel + lo, (hi - lo) * sizeof *x->sel);
	x->sel_base = lo;
	x->n_sel = hi - lo;
}

enum xnr_status xnr__shard_key(const char *run_key, int index, int count, char *out,
                               struct xnr_error *err)
{
	struct xnr_sha256 *h = NULL;
	char slice[64];
	enum xnr_status st = xnr_sha256_open(&h, err);

	if (st != XNR_OK)
		return st;
	snprintf(slice, sizeof slice, "shard %d/%d", index, count);
	xnr_sha256_update(h, run_key, strlen(run_key) + 1);
	xnr_sha256_update(h, slice, strlen(slice) + 1);
	xnr_sha256_hex(h, out);
	xnr_sha256_close(h);
	return XNR_OK;
}

enum xnr_status xnr__shard_settings(struct xnr__run *x, const char *run_key, struct xnr_error *err)
{
	char slice[64], first[32], total[32];
	enum xnr_status st;

	if (x->opts->shard_count == 0)
		return XNR_OK;
	snprintf(slice, sizeof slice, "%d/%d", x->opts->shard_index, x->opts->shard_count);
	snprintf(first, sizeof first, "%zu", x->sel_base);
	snprintf(total, sizeof total, "%zu", x->n_total);
	if ((st = xnr_run_add_setting(x->writer, XNR__SHARD_SLICE, slice, err)) != XNR_OK ||
	    (st = xnr_run_add_setting(x->writer, XNR__SHARD_RUN_KEY, run_key, err)) != XNR_OK ||
	    (st = xnr_run_add_setting(x->writer, XNR__SHARD_FIRST, first, err)) != XNR_OK)
		return st;
	return xnr_run_add_setting(x->writer, XNR__SHARD_TOTAL, total, err);
}
