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

static enum xnr_err_kind kind_of(const struct xnr_entity *g, const struct xnr_entity *p)
{
	int same_bounds = g->start == p->start && g->end == p->end, same_type = g->type == p->type;
	if (same_bounds)
		return same_type ? XNR_ERRK_CORRECT : XNR_ERRK_TYPE;
	return same_type ? XNR_ERRK_BOUNDARY : XNR_ERRK_TYPE_BOUNDARY;
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
	unsigned char *used = calloc(gold->n + 1, 1), *taken = calloc(pred->n + 1, 1);
	size_t gb = 0, ge, pb = 0, pe, i;
	int pass;

	memset(&t, 0, sizeof t);
	t.n_types = n_types;
	t.counts = calloc(n_types + 1, sizeof *t.counts);
	if (!used || !taken || !t.counts) {
		free(used);
		free(taken);
		free(t.counts);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < gold->n; i++)
		if (gold->v[i].type >= n_types)
			goto bad_type;
	for (i = 0; i < pred->n; i++)
		if (pred->v[i].type >= n_types)
			goto bad_type;
	while (gb < gold->n || pb < pred->n) {
		uint32_t sent =
		    gb < gold->n && (pb >= pred->n || gold->v[gb].sent <= pred->v[pb].sent)
		        ? gold->v[gb].sent
		        : pred->v[pb].sent;
		for (ge = gb; ge < gold->n && gold->v[ge].sent == sent; ge++)
			;
		for (pe = pb; pe < pred->n && pred->v[pe].sent == sent; pe++)
			;
		/* exact boundaries first, then overlaps, so an exact match is never
		 * stolen by an earlier overlapping prediction */
		for (pass = 1; pass >= 0; pass--) {
			for (i = pb; i < pe; i++) {
				long g;
				if (taken[i] ||
				    (g = pick(gold, gb, ge, used, &pred->v[i], pass)) < 0)
					continue;
				used[g] = taken[i] = 1;
				count(&t, gold->v[g].type, kind_of(&gold->v[g], &pred->v[i]));
			}
		}
		for (i = pb; i < pe; i++)
			if (!taken[i])
				count(&t, pred->v[i].type, XNR_ERRK_SPURIOUS);
		for (i = gb; i < ge; i++)
			if (!used[i])
				count(&t, gold->v[i].type, XNR_ERRK_MISSED);
		gb = ge;
		pb = pe;
	}
	free(used);
	free(taken);
	*out = t;
	return XNR_OK;
bad_type:
	free(used);
	free(taken);
	free(t.counts);
	return xnr_fail(err, XNR_ERR_INPUT, "entity type id out of range (%zu types)", n_types);
}

void xnr_taxonomy_free(struct xnr_taxonomy *t)
{
	if (t) {
		free(t->counts);
		memset(t, 0, sizeof *t);
	}
}
