/*
 * json_util.c - the counts behind the consistency and neighbour signals as
 * the JSON stored with each word and entity (docs/schema.md): class names,
 * non-zero counts only.
 */
#include <stdlib.h>
#include <string.h>

#include "issues/internal.h"

json_t *xnr__class_counts(const struct xnr__types *t, const int32_t *counts)
{
	json_t *o = json_object();

	for (int k = 0; o && k < t->n_types + 2; k++)
		if (counts[k] > 0)
			json_object_set_new(o, t->names[k], json_integer(counts[k]));
	return o;
}

json_t *xnr__counts_json(const struct xnr__types *t, const int32_t *counts)
{
	static const char *const keys[XNR_CONS_N_COUNTS] = {"split", "reference", "split_folded",
	                                                    "reference_folded"};
	json_t *o = json_object();
	int nc = t->n_types + 2;

	for (int i = 0; o && i < XNR_CONS_N_COUNTS; i++)
		json_object_set_new(o, keys[i], xnr__class_counts(t, counts + i * nc));
	return o;
}

static char *dump(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

char *xnr__join(const struct xnr__corpus *c, size_t b, size_t e)
{
	size_t len = 1, i;
	char *s;

	for (i = b; i < e; i++)
		len += strlen(c->text[i]) + 1;
	if (!(s = malloc(len)))
		return NULL;
	s[0] = '\0';
	for (i = b, len = 0; i < e; i++) {
		size_t n = strlen(c->text[i]);
		if (i > b)
			s[len++] = ' ';
		memcpy(s + len, c->text[i], n + 1);
		len += n;
	}
	return s;
}

char *xnr__cons_json(const struct xnr__corpus *c, const struct xnr__types *t,
                     const struct xnr__signals *g, size_t i)
{
	size_t per = (size_t)XNR_CONS_N_COUNTS * (size_t)(t->n_types + 2);
	json_t *o = json_object();
	int32_t occ = g->cons_occ[i];

	json_object_set_new(o, "word", xnr__counts_json(t, g->cons.word_counts + i * per));
	if (occ >= 0) {
		const struct xnr_cons_occ *x = &g->cons.occ[occ];
		size_t b = c->sent_start[x->sent];
		char *text = xnr__join(c, b + (size_t)x->start, b + (size_t)x->end);
		json_object_set_new(
		    o, "string",
		    json_pack("{s:i,s:i,s:s?,s:s,s:o}", "start", x->start, "end", x->end, "text",
		              text, "class", t->names[x->cls], "counts",
		              xnr__counts_json(t, g->cons.occ_counts + (size_t)occ * per)));
		free(text);
	}
	return dump(o);
}

char *xnr__knn_json(const struct xnr__types *t, const struct xnr__signals *g, size_t i)
{
	size_t nc = (size_t)t->n_types + 2;
	json_t *o = json_object();

	if (g->nb_counts)
		json_object_set_new(o, "split", xnr__class_counts(t, g->nb_counts + i * nc));
	if (g->ref_nb_counts)
		json_object_set_new(o, "reference",
		                    xnr__class_counts(t, g->ref_nb_counts + i * nc));
	return dump(o);
}
