/* taxonomy.c - entity error taxonomy (see taxonomy.h). */
#include "analysis/taxonomy.h"

#include <stdlib.h>
#include <string.h>

const char *xnr_err_kind_str(enum xnr_err_kind kind)
{
	static const char *const names[XNR_ERRK_COUNT] = {
	    "correct", "wrong type", "wrong boundary", "wrong type and boundary",
	    "missed",  "spurious"};
	return (unsigned)kind < XNR_ERRK_COUNT ? names[kind] : "?";
}

static int overlaps(const struct xnr_entity *a, const struct xnr_entity *b)
{
	return a->start < b->end && b->start < a->end;
}

/* The first unused gold entity in [gb, ge) with p's boundaries (exact = 1) or
 * overlapping p (exact = 0), or -1. */
static long pick(const struct xnr_entities *gold, size_t gb, size_t ge, const unsigned char *used,
                 const struct xnr_entity *p, int exact)
{
	size_t g;
	for (g = gb; g < ge; g++)
		if (!used[g] && (exact ? gold->v[g].start == p->start && gold->v[g].end == p->end
		                       : overlaps(&gold->v[g], p)))
			return (long)g;
	return -1;
}

enum xnr_err_kind xnr_taxonomy_kind(const struct xnr_entity *g, const struct xnr_entity *p)
{
	int same_bounds = g->start == p->start && g->end == p->end, same_type = g->type == p->type;
	if (same_bounds)
		return same_type ? XNR_ERRK_CORRECT : XNR_ERRK_TYPE;
	return same_type ? XNR_ERRK_BOUNDARY : XNR_ERRK_TYPE_BOUNDARY;
}

/* Pair the predictions [pb, pe) of one sentence with its gold entities
 * [gb, ge): exact boundaries first, then overlaps, so an exact match is
 * never stolen by an earlier overlapping prediction. */
static void match_sentence(const struct xnr_entities *gold, size_t gb, size_t ge,
                           const struct xnr_entities *pred, size_t pb, size_t pe,
                           unsigned char *used, long *match)
{
	size_t i;
	int pass;

	for (pass = 1; pass >= 0; pass--)
		for (i = pb; i < pe; i++) {
			long g;
			if (match[i] >= 0 || (g = pick(gold, gb, ge, used, &pred->v[i], pass)) < 0)
				continue;
			used[g] = 1;
			match[i] = g;
		}
}

enum xnr_status xnr_taxonomy_match(const struct xnr_entities *gold, const struct xnr_entities *pred,
                                   long *match, struct xnr_error *err)
{
	unsigned char *used = calloc(gold->n + 1, 1);
	size_t gb = 0, ge, pb = 0, pe, i;

	if (!used)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = 0; i < pred->n; i++)
		match[i] = -1;
	while (gb < gold->n || pb < pred->n) {
		uint32_t sent =
		    gb < gold->n && (pb >= pred->n || gold->v[gb].sent <= pred->v[pb].sent)
		        ? gold->v[gb].sent
		        : pred->v[pb].sent;
		for (ge = gb; ge < gold->n && gold->v[ge].sent == sent; ge++)
			;
		for (pe = pb; pe < pred->n && pred->v[pe].sent == sent; pe++)
			;
		match_sentence(gold, gb, ge, pred, pb, pe, used, match);
		gb = ge;
		pb = pe;
	}
	free(used);
	return XNR_OK;
}

static void count(struct xnr_taxonomy *t, uint32_t type, enum xnr_err_kind k)
{
	t->counts[type][k]++;
	t->total[k]++;
}

enum xnr_status xnr_taxonomy_compute(const struct xnr_entities *gold,
                                     const struct xnr_entities *pred, size_t n_types,
                                     struct xnr_taxonomy *out, struct xnr_error *err)
{
	struct xnr_taxonomy t;
	unsigned char *paired = calloc(gold->n + 1, 1);
	long *match = malloc((pred->n + 1) * sizeof *match);
	enum xnr_status st;
	size_t i;

	memset(&t, 0, sizeof t);
	t.n_types = n_types;
	t.counts = calloc(n_types + 1, sizeof *t.counts);
	if (!paired || !match || !t.counts) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < gold->n; i++)
		if (gold->v[i].type >= n_types)
			goto bad_type;
	for (i = 0; i < pred->n; i++)
		if (pred->v[i].type >= n_types)
			goto bad_type;
	if ((st = xnr_taxonomy_match(gold, pred, match, err)) != XNR_OK)
		goto fail;
	for (i = 0; i < pred->n; i++)
		if (match[i] < 0) {
			count(&t, pred->v[i].type, XNR_ERRK_SPURIOUS);
		} else {
			paired[match[i]] = 1;
			count(&t, gold->v[match[i]].type,
			      xnr_taxonomy_kind(&gold->v[match[i]], &pred->v[i]));
		}
	for (i = 0; i < gold->n; i++)
		if (!paired[i])
			count(&t, gold->v[i].type, XNR_ERRK_MISSED);
	free(paired);
	free(match);
	*out = t;
	return XNR_OK;
bad_type:
	st = xnr_fail(err, XNR_ERR_INPUT, "entity type id out of range (%zu types)", n_types);
fail:
	free(paired);
	free(match);
	free(t.counts);
	return st;
}

void xnr_taxonomy_free(struct xnr_taxonomy *t)
{
	if (t) {
		free(t->counts);
		memset(t, 0, sizeof *t);
	}
}
