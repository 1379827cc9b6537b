/*
 * corpus.c - a stored run loaded for the label-issue scores: its labels as
 * entity types (B-PER and I-PER are PER; O and bare IO types as they are),
 * its words in dataset order with texts, gold and predicted labels and, when
 * asked, probabilities, and its gold and predicted entity spans.
 */
#include <stdlib.h>
#include <string.h>

#include "issues/internal.h"

void xnr__types_free(struct xnr__types *t)
{
	if (!t)
		return;
	for (int i = 0; t->names && i < t->n_types + 2; i++)
		free(t->names[i]);
	free(t->names);
	free(t->label_type);
	free(t->prefix);
	memset(t, 0, sizeof *t);
}

int32_t xnr__types_find(const struct xnr__types *t, const char *name)
{
	for (int i = 1; name && i <= t->n_types; i++)
		if (strcmp(t->names[i], name) == 0)
			return i;
	return -1;
}

/* Split a label into its prefix (0 when none) and type name. */
static const char *label_type_name(const char *label, char *prefix)
{
	*prefix = 0;
	if (strcmp(label, "O") == 0)
		return NULL;
	if (strlen(label) > 2 && label[1] == '-' && strchr("BIESLU", label[0])) {
		*prefix = label[0];
		return label + 2;
	}
	return label;
}

enum xnr_status xnr__types_init(const struct xnr_run *r, struct xnr__types *t,
                                struct xnr_error *err)
{
	int i;

	memset(t, 0, sizeof *t);
	t->n_labels = r->n_labels;
	t->names = calloc((size_t)r->n_labels + 2, sizeof *t->names);
	t->label_type = calloc((size_t)r->n_labels + 1, sizeof *t->label_type);
	t->prefix = calloc((size_t)r->n_labels + 1, 1);
	if (!t->names || !t->label_type || !t->prefix || !(t->names[0] = strdup("O")))
		goto nomem;
	for (i = 0; i < r->n_labels; i++) {
		const char *name = label_type_name(r->labels[i], &t->prefix[i]);
		int32_t cls = name ? xnr__types_find(t, name) : 0;
		if (cls < 0) {
			if (!(t->names[++t->n_types] = strdup(name)))
				goto nomem;
			cls = t->n_types;
		}
		t->label_type[i] = cls;
		t->has_begin |= t->prefix[i] == 'B';
	}
	if (!(t->names[t->n_types + 1] = strdup("part")))
		goto nomem;
	if (t->n_types == 0) {
		xnr__types_free(t);
		return xnr_fail(err, XNR_ERR_INPUT, "run %lld: its labels have no entity type",
		                (long long)r->id);
	}
	return XNR_OK;
nomem:
	xnr__types_free(t);
	return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
}

void xnr__corpus_free(struct xnr__corpus *c)
{
	if (!c)
		return;
	xnr_run_free(&c->info);
	free(c->sent_start);
	free(c->sent_of);
	free(c->text);
	free(c->arena);
	free(c->gold);
	free(c->pred);
	free(c->gold_cls);
	free(c->probs);
	free(c->has_probs);
	free(c->gold_spans);
	free(c->pred_spans);
	memset(c, 0, sizeof *c);
}

/* Loading state: the words arrive in dataset order. */
struct loader {
	struct xnr__corpus *c;
	const struct xnr__types *t;
	size_t cap, arena_len, arena_cap, *text_off;
	int with_probs, bad;
	size_t span_cap[2];
};

static int grow_words(struct loader *l)
{
	struct xnr__corpus *c = l->c;
	size_t cap = l->cap ? 2 * l->cap : 4096, k = (size_t)l->t->n_labels;
	void *p[6];

	p[0] = realloc(c->sent_of, cap * sizeof *c->sent_of);
	if (p[0])
		c->sent_of = p[0];
	p[1] = realloc(l->text_off, cap * sizeof *l->text_off);
	if (p[1])
		l->text_off = p[1];
	p[2] = realloc(c->gold, cap * sizeof *c->gold);
	if (p[2])
		c->gold = p[2];
	p[3] = realloc(c->pred, cap * sizeof *c->pred);
	if (p[3])
		c->pred = p[3];
	p[4] = realloc(c->has_probs, cap);
	if (p[4])
		c->has_probs = p[4];
	p[5] = l->with_probs ? realloc(c->probs, cap * k * sizeof *c->probs) : c;
	if (p[5] && l->with_probs)
		c->probs = p[5];
	for (int i = 0; i < 6; i++)
		if (!p[i])
			return -1;
	l->cap = cap;
	return 0;
}

static int add_text(struct loader *l, const char *text)
{
	size_t n = strlen(text ? text : "") + 1;

	if (l->arena_len + n > l->arena_cap) {
		size_t cap = l->arena_cap ? 2 * l->arena_cap : 65536;
		while (cap < l->arena_len + n)
			cap *= 2;
		char *a = realloc(l->c->arena, cap);
		if (!a)
			return -1;
		l->c->arena = a;
		l->arena_cap = cap;
	}
	memcpy(l->c->arena + l->arena_len, text ? text : "", n);
	l->text_off[l->c->n_words] = l->arena_len;
	l->arena_len += n;
	return 0;
}

static int on_word(void *ud, const void *row)
{
	const struct xnr_word_probs *w = row;
	struct loader *l = ud;
	struct xnr__corpus *c = l->c;
	size_t i = c->n_words, k = (size_t)l->t->n_labels;
	int first = i == 0 || w->sentence_id != c->sent_of[i - 1];

	/* sentences 0..n-1, words 0..len-1 in each: as the pipeline writes them */
	if (w->gold < 0 || w->gold >= l->t->n_labels || w->pred < 0 || w->pred >= l->t->n_labels ||
	    (first ? w->idx != 0 || w->sentence_id != (i ? c->sent_of[i - 1] + 1 : 0)
	           : w->idx != (int)(i - c->sent_start[c->n_sents - 1]))) {
		l->bad = 1;
		return 1;
	}
	if ((i == l->cap && grow_words(l) != 0) || add_text(l, w->text) != 0) {
		l->bad = 2;
		return 1;
	}
	if (first) {
		size_t *g = realloc(c->sent_start, (c->n_sents + 2) * sizeof *g);
		if (!g) {
			l->bad = 2;
			return 1;
		}
		c->sent_start = g;
		c->sent_start[c->n_sents++] = i;
	}
	c->sent_of[i] = w->sentence_id;
	c->gold[i] = w->gold;
	c->pred[i] = w->pred;
	c->has_probs[i] = w->probs && w->n_probs == (int)k;
	if (l->with_probs && c->has_probs[i])
		memcpy(c->probs + i * k, w->probs, k * sizeof *c->probs);
	c->n_words++;
	return 0;
}

static int on_span(void *ud, const void *row)
{
	const struct xnr_entity_row *e = row;
	struct loader *l = ud;
	struct xnr__corpus *c = l->c;
	struct xnr_cons_span **v = e->is_pred ? &c->pred_spans : &c->gold_spans;
	size_t *n = e->is_pred ? &c->n_pred : &c->n_gold, *cap = &l->span_cap[e->is_pred != 0];
	int32_t type = xnr__types_find(l->t, e->type);

	if (type < 0 || e->sentence_id < 0 || (size_t)e->sentence_id >= c->n_sents ||
	    e->start < 0 || e->start >= e->end ||
	    (size_t)e->end > c->sent_start[e->sentence_id + 1] - c->sent_start[e->sentence_id]) {
		l->bad = 1;
		return 1;
	}
	if (*n == *cap) {
		size_t grown = *cap ? 2 * *cap : 1024;
		struct xnr_cons_span *g = realloc(*v, grown * sizeof *g);
		if (!g) {
			l->bad = 2;
			return 1;
		}
		*v = g;
		*cap = grown;
	}
	(*v)[(*n)++] = (struct xnr_cons_span){e->sentence_id, e->start, e->end, type};
	return 0;
}

/* The texts as pointers, the classes, the sentence ends. */
static enum xnr_status finish(struct loader *l, struct xnr_error *err)
{
	struct xnr__corpus *c = l->c;
	size_t i;

	c->text = malloc((c->n_words + 1) * sizeof *c->text);
	c->gold_cls = malloc((c->n_words + 1) * sizeof *c->gold_cls);
	if (!c->text || !c->gold_cls ||
	    (!c->sent_start && !(c->sent_start = malloc(sizeof(size_t)))))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = 0; i < c->n_words; i++) {
		c->text[i] = c->arena + l->text_off[i];
		c->gold_cls[i] = l->t->label_type[c->gold[i]];
	}
	c->sent_start[c->n_sents] = c->n_words;
	return XNR_OK;
}

enum xnr_status xnr__corpus_load(struct xnr_store *s, int64_t run, int with_probs,
                                 const struct xnr__types *t, struct xnr__corpus *c,
                                 struct xnr_error *err)
{
	struct loader l;
	enum xnr_status st;

	memset(c, 0, sizeof *c);
	memset(&l, 0, sizeof l);
	l.c = c;
	l.t = t;
	l.with_probs = with_probs;
	if ((st = xnr_store_run_get(s, run, &c->info, err)) != XNR_OK ||
	    (st = xnr_store_word_table(s, run, with_probs, on_word, &l, err)) != XNR_OK)
		goto done;
	if (!l.bad && c->sent_start)
		c->sent_start[c->n_sents] = c->n_words; /* for the spans' checks */
	if (!l.bad && (st = xnr_store_entity_spans(s, run, on_span, &l, err)) != XNR_OK)
		goto done;
	if (l.bad)
		st = l.bad == 2
		         ? xnr_fail(err, XNR_ERR_NOMEM, "out of memory")
		         : xnr_fail(err, XNR_ERR_FORMAT,
		                    "run %lld: its words or entities are not as a run writes "
		                    "them (numbering, labels or spans out of range)",
		                    (long long)run);
	else
		st = finish(&l, err);
done:
	free(l.text_off);
	if (st != XNR_OK)
		xnr__corpus_free(c);
	return st;
}

struct xnr_cons_corpus xnr__cons_view(const struct xnr__corpus *c)
{
	struct xnr_cons_corpus v = {c->n_sents,  c->sent_start, (const char *const *)c->text,
	                            c->gold_cls, c->gold_spans, c->n_gold};
	return v;
}
