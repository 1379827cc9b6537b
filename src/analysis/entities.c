/*
 * entities.c - seqeval's two entity finders (see entities.h).
 * Default mode replays get_entities over the corpus flattened with one 'O'
 * after every sentence (what seqeval does with nested lists), carrying its
 * state across sentences exactly as seqeval does. Strict mode replays
 * Tokens.entities per sentence with the scheme tables of seqeval 1.2.2.
 */
#include "analysis/entities.h"

#include <stdlib.h>
#include <string.h>

#define NO_TYPE     UINT32_MAX       /* seqeval's initial prev_type '' */
#define ABSENT_TYPE (UINT32_MAX - 1) /* '_' when no tag has that type */

/* Prefix bit flags (seqeval Prefix); ANY includes U and L as in 1.2.2. */
enum { PI = 1, PO = 2, PB = 4, PE = 8, PS = 16, PU = 32, PL = 64, PANY = 127 };
enum { SAME = 1, DIFF = 2, ANYT = 3 };

struct pattern {
	uint8_t prev, cur, cond;
};

struct scheme_def {
	const char *name;
	uint8_t allowed;
	const char *allowed_str;
	struct pattern start[6], inside[4], end[6];
	uint8_t n_start, n_inside, n_end;
};

/* seqeval/scheme.py, class by class (shared/reference/ner-analysis.md §2.2). */
static const struct scheme_def schemes[XNR_SEQEVAL_SCHEME_COUNT] = {
    [XNR_SEQEVAL_IOB1] =
        {"IOB1",
         PI | PO | PB,
         "I, O, B",
         {{PO, PI, ANYT}, {PI, PI, DIFF}, {PB, PI, ANYT}, {PI, PB, SAME}, {PB, PB, SAME}},
         {{PB, PI, SAME}, {PI, PI, SAME}},
         {{PI, PI, DIFF},
          {PI, PO, ANYT},
          {PI, PB, ANYT},
          {PB, PO, ANYT},
          {PB, PI, DIFF},
          {PB, PB, SAME}},
         5,
         2,
         6},
    [XNR_SEQEVAL_IOB2] = {"IOB2",
                          PI | PO | PB,
                          "I, O, B",
                          {{PANY, PB, ANYT}},
                          {{PB, PI, SAME}, {PI, PI, SAME}},
                          {{PI, PO, ANYT},
                           {PI, PI, DIFF},
                           {PI, PB, ANYT},
                           {PB, PO, ANYT},
                           {PB, PI, DIFF},
                           {PB, PB, ANYT}},
                          1,
                          2,
                          6},
    [XNR_SEQEVAL_IOE1] =
        {"IOE1",
         PI | PO | PE,
         "I, O, E",
         {{PO, PI, ANYT}, {PI, PI, DIFF}, {PE, PI, ANYT}, {PE, PE, SAME}},
         {{PI, PI, SAME}, {PI, PE, SAME}},
         {{PI, PI, DIFF}, {PI, PO, ANYT}, {PI, PE, DIFF}, {PE, PI, SAME}, {PE, PE, SAME}},
         4,
         2,
         5},
    [XNR_SEQEVAL_IOE2] = {"IOE2",
                          PI | PO | PE,
                          "I, O, E",
                          {{PO, PI, ANYT},
                           {PO, PE, ANYT},
                           {PE, PI, ANYT},
                           {PE, PE, ANYT},
                           {PI, PI, DIFF},
                           {PI, PE, DIFF}},
                          {{PI, PE, SAME}, {PI, PI, SAME}},
                          {{PE, PANY, ANYT}},
                          6,
                          2,
                          1},
    [XNR_SEQEVAL_IOBES] = {"IOBES",
                           PI | PO | PB | PE | PS,
                           "I, O, B, E, S",
                           {{PANY, PB, ANYT}, {PANY, PS, ANYT}},
                           {{PB, PI, SAME}, {PB, PE, SAME}, {PI, PI, SAME}, {PI, PE, SAME}},
                           {{PS, PANY, ANYT}, {PE, PANY, ANYT}},
                           2,
                           4,
                           2},
    [XNR_SEQEVAL_BILOU] = {"BILOU",
                           PB | PI | PL | PO | PU,
                           "B, I, L, O, U",
                           {{PANY, PB, ANYT}, {PANY, PU, ANYT}},
                           {{PB, PI, SAME}, {PB, PL, SAME}, {PI, PI, SAME}, {PI, PL, SAME}},
                           {{PU, PANY, ANYT}, {PL, PANY, ANYT}},
                           2,
                           4,
                           2},
};

const char *xnr_seqeval_scheme_name(enum xnr_seqeval_scheme scheme)
{
	if (scheme == XNR_SEQEVAL_AUTO)
		return "auto";
	if ((unsigned)scheme >= XNR_SEQEVAL_SCHEME_COUNT)
		return "?";
	return schemes[scheme].name;
}

void xnr_entities_free(struct xnr_entities *e)
{
	if (!e)
		return;
	free(e->v);
	memset(e, 0, sizeof(*e));
}

int xnr_entities_push(struct xnr_entities *e, uint32_t type, size_t sent, int64_t start,
                      int64_t end)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 256;
		struct xnr_entity *v = realloc(e->v, cap * sizeof(*v));
		if (!v)
			return -1;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = (struct xnr_entity){type, (uint32_t)sent, start, end};
	return 0;
}

static uint32_t underscore_type(const struct xnr_tagset *ts)
{
	int32_t t = xnr_tagset_find_type(ts, "_", 1);
	return t < 0 ? ABSENT_TYPE : (uint32_t)t;
}

/* get_entities' scanner state, and one step of it at global position i. */
struct conll_state {
	char prev_tag;
	uint32_t prev_type;
	int64_t begin;
};

static int is_bs(char c)
{
	return c == 'B' || c == 'S';
}

static int conll_step(struct conll_state *st, char tag, uint32_t type, int64_t i, int64_t base,
                      size_t sent, struct xnr_entities *out)
{
	char pt = st->prev_tag;
	int end = pt == 'E' || pt == 'S' ||
	          ((pt == 'B' || pt == 'I') && (is_bs(tag) || tag == 'O')) ||
	          (pt != 'O' && pt != '.' && st->prev_type != type);
	int start = is_bs(tag) ||
	            ((pt == 'E' || pt == 'S' || pt == 'O') && (tag == 'E' || tag == 'I')) ||
	            (tag != 'O' && tag != '.' && st->prev_type != type);
	/* the chunk that ends here ends at i - 1, always a word of `sent` (never a separator 'O')
	 */
	if (end && xnr_entities_push(out, st->prev_type, sent, st->begin - base, i - base) != 0)
		return -1;
	if (start)
		st->begin = i;
	st->prev_tag = tag;
	st->prev_type = type;
	return 0;
}

static int extract_default(const struct xnr_tagged_corpus *c, const int32_t *ids,
                           struct xnr_entity_scan *scan, struct xnr_entities *out)
{
	struct conll_state st = {scan->prev_tag, scan->prev_type, scan->begin};
	uint32_t o_type = underscore_type(c->tags);
	int64_t g = scan->pos; /* position in the flattened corpus, separators included */
	for (size_t s = 0; s < c->n_sents; s++) {
		int64_t base = g;
		for (size_t w = c->sent_start[s]; w < c->sent_start[s + 1]; w++, g++) {
			const struct xnr_tag_info *ti = xnr_tagset_tag(c->tags, ids[w]);
			if (conll_step(&st, ti->chunk, ti->type_default, g, base, s, out) != 0)
				return -1;
		}
		if (conll_step(&st, 'O', o_type, g, base, s, out) != 0)
			return -1;
		g++;
	}
	/* seqeval's own seq + ['O'] after the last separator cannot end a chunk */
	scan->prev_tag = st.prev_tag;
	scan->prev_type = st.prev_type;
	scan->begin = st.begin;
	scan->pos = g;
	return 0;
}

static int match(const struct pattern *p, size_t n, uint8_t prev, uint8_t cur, int same)
{
	for (size_t k = 0; k < n; k++)
		if ((p[k].prev & prev) && (p[k].cur & cur) && (p[k].cond & (same ? SAME : DIFF)))
			return 1;
	return 0;
}

struct stok {
	uint8_t prefix; /* one flag bit */
	uint32_t type;
};

static struct stok stok_at(const struct xnr_tagset *ts, const int32_t *ids, size_t a, size_t n,
                           size_t i, uint32_t o_type)
{
	if (i >= n)
		return (struct stok){PO, o_type};
	const struct xnr_tag_info *ti = xnr_tagset_tag(ts, ids[a + i]);
	return (struct stok){(uint8_t)(1u << ti->prefix), ti->type_strict};
}

/* Tokens.entities for one sentence of n words starting at word a. */
static int extract_sentence(const struct scheme_def *sd, const struct xnr_tagset *ts,
                            const int32_t *ids, size_t a, size_t n, size_t sent, uint32_t o_type,
                            struct xnr_entities *out)
{
	struct stok prev = {PO, o_type};
	size_t i = 0;
	while (i < n + 1) {
		struct stok tok = stok_at(ts, ids, a, n, i, o_type);
		if (match(sd->start, sd->n_start, prev.prefix, tok.prefix, prev.type == tok.type)) {
			size_t j = i + 1;
			struct stok p = tok, cur;
			/* the sentinel 'O' is never inside, so this stops by j = n */
			for (; j < n + 1; j++) {
				cur = stok_at(ts, ids, a, n, j, o_type);
				if (!match(sd->inside, sd->n_inside, p.prefix, cur.prefix,
				           p.type == cur.type))
					break;
				p = cur;
			}
			cur = stok_at(ts, ids, a, n, j, o_type);
			if (match(sd->end, sd->n_end, p.prefix, cur.prefix, p.type == cur.type) &&
			    xnr_entities_push(out, tok.type, sent, (int64_t)i, (int64_t)j) != 0)
				return -1;
			i = j;
		} else {
			i++;
		}
		prev = stok_at(ts, ids, a, n, i - 1, o_type);
	}
	return 0;
}

static enum xnr_status validate_strict(const struct xnr_tagged_corpus *c, const int32_t *ids,
                                       const char *side, const struct scheme_def *sd,
                                       size_t sent_base, struct xnr_error *err)
{
	for (size_t s = 0; s < c->n_sents; s++)
		for (size_t w = c->sent_start[s]; w < c->sent_start[s + 1]; w++) {
			const struct xnr_tag_info *ti = xnr_tagset_tag(c->tags, ids[w]);
			if (ti->prefix != XNR_PREFIX_NONE && (sd->allowed & (1u << ti->prefix)))
				continue;
			return xnr_fail(
			    err, XNR_ERR_INPUT,
			    "%s tags: sentence %zu, word %zu: invalid tag '%s' for scheme "
			    "%s (allowed prefixes: %s; use the default mode or another "
			    "scheme)",
			    side, sent_base + s, w - c->sent_start[s], ti->name, sd->name,
			    sd->allowed_str);
		}
	return XNR_OK;
}

void xnr_entity_scan_init(struct xnr_entity_scan *scan)
{
	memset(scan, 0, sizeof(*scan));
	scan->prev_tag = 'O';
	scan->prev_type = NO_TYPE;
}

enum xnr_status xnr_entities_extract_next(const struct xnr_tagged_corpus *c, const int32_t *ids,
                                          const char *side, enum xnr_seqeval_mode mode,
                                          enum xnr_seqeval_scheme scheme,
                                          struct xnr_entity_scan *scan, struct xnr_entities *out,
                                          struct xnr_error *err)
{
	struct xnr_entities e = {0};
	struct xnr_entity_scan next = *scan;
	enum xnr_status st = xnr_tagged_corpus_check_side(c, ids, "entities", err);
	if (st != XNR_OK)
		return st;
	if (mode == XNR_SEQEVAL_DEFAULT) {
		if (extract_default(c, ids, &next, &e) != 0)
			goto nomem;
	} else {
		if (scheme <= XNR_SEQEVAL_AUTO || scheme >= XNR_SEQEVAL_SCHEME_COUNT) {
			return xnr_fail(err, XNR_ERR_INPUT,
			                "entities: strict mode needs a scheme (detect it first)");
		}
		const struct scheme_def *sd = &schemes[scheme];
		st = validate_strict(c, ids, side, sd, scan->sents, err);
		if (st != XNR_OK)
			return st;
		uint32_t o_type = underscore_type(c->tags);
		for (size_t s = 0; s < c->n_sents; s++) {
			size_t a = c->sent_start[s];
			if (extract_sentence(sd, c->tags, ids, a, c->sent_start[s + 1] - a, s,
			                     o_type, &e) != 0)
				goto nomem;
		}
	}
	next.sents += c->n_sents;
	*scan = next;
	xnr_entities_free(out);
	*out = e;
	return XNR_OK;
nomem:
	xnr_entities_free(&e);
	return xnr_fail(err, XNR_ERR_NOMEM, "entities: out of memory");
}

enum xnr_status xnr_entities_extract(const struct xnr_tagged_corpus *c, const int32_t *ids,
                                     const char *side, enum xnr_seqeval_mode mode,
                                     enum xnr_seqeval_scheme scheme, struct xnr_entities *out,
                                     struct xnr_error *err)
{
	struct xnr_entity_scan scan;
	xnr_entity_scan_init(&scan);
	return xnr_entities_extract_next(c, ids, side, mode, scheme, &scan, out, err);
}

static int in_sets(uint8_t set, const uint8_t *sets, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (sets[k] == set)
			return 1;
	return 0;
}

enum xnr_status xnr_seqeval_gold_prefixes(const struct xnr_tagged_corpus *c, size_t word_base,
                                          unsigned *set, struct xnr_error *err)
{
	enum xnr_status st = xnr_tagged_corpus_check(c, err);
	if (st != XNR_OK)
		return st;
	for (size_t w = 0; w < c->sent_start[c->n_sents]; w++) {
		const struct xnr_tag_info *ti = xnr_tagset_tag(c->tags, c->gold[w]);
		if (ti->prefix == XNR_PREFIX_NONE)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "gold tags: word %zu: tag '%s' has no scheme prefix "
			                "(I O B E S U L); use the default mode",
			                word_base + w, ti->name);
		*set |= 1u << ti->prefix;
	}
	return XNR_OK;
}

enum xnr_status xnr_seqeval_scheme_of_prefixes(unsigned prefixes, enum xnr_seqeval_scheme *out,
                                               struct xnr_error *err)
{
	static const uint8_t iob2[] = {PI | PO | PB, PI | PB, PB | PO, PB};
	static const uint8_t ioe2[] = {PI | PO | PE, PI | PE, PE | PO, PE};
	static const uint8_t iobes[] = {
	    PI | PO | PB | PE | PS, PI | PB | PE | PS, PI | PO | PB | PE,
	    PO | PB | PE | PS,      PI | PB | PE,      PB | PE | PS,
	    PO | PB | PE,           PB | PE,           PS};
	static const uint8_t bilou[] = {
	    PI | PO | PB | PL | PU, PI | PB | PL | PU, PI | PO | PB | PL,
	    PO | PB | PL | PU,      PI | PB | PL,      PB | PL | PU,
	    PO | PB | PL,           PB | PL,           PU};
	static const char letters[] = "IOBESUL";
	uint8_t set = (uint8_t)prefixes;
	if (in_sets(set, iob2, sizeof(iob2)))
		*out = XNR_SEQEVAL_IOB2;
	else if (in_sets(set, ioe2, sizeof(ioe2)))
		*out = XNR_SEQEVAL_IOE2;
	else if (in_sets(set, iobes, sizeof(iobes)))
		*out = XNR_SEQEVAL_IOBES;
	else if (in_sets(set, bilou, sizeof(bilou)))
		*out = XNR_SEQEVAL_BILOU;
	else {
		char found[16];
		size_t k = 0;
		for (int b = 0; b < 7; b++)
			if (set & (1u << b))
				found[k++] = letters[b];
		found[k] = '\0';
		return xnr_fail(err, XNR_ERR_INPUT,
		                "gold tags: prefixes {%s} match no scheme seqeval detects (IOB2, "
		                "IOE2, IOBES, BILOU); name the scheme explicitly",
		                found);
	}
	return XNR_OK;
}

enum xnr_status xnr_seqeval_detect_scheme(const struct xnr_tagged_corpus *c,
                                          enum xnr_seqeval_scheme *out, struct xnr_error *err)
{
	unsigned set = 0;
	enum xnr_status st = xnr_seqeval_gold_prefixes(c, 0, &set, err);
	return st != XNR_OK ? st : xnr_seqeval_scheme_of_prefixes(set, out, err);
}
