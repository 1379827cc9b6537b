/*
 * added.c - extraction of added tokens (Rust AddedVocabulary::find_matches /
 * split_with_indices, hf-formats.md 4.3): leftmost-longest, non-overlapping
 * matching of the contents (raw pass for normalized=false tokens, normalized
 * pass for normalized=true ones), single_word, lstrip and rstrip. Matching
 * tries every token at each position whose first byte can start one, which is
 * fast for the handful of added tokens NER tokenizers carry.
 */
#include <string.h>

#include "tokenizer/internal.h"

static int is_word_char(int32_t cp)
{
	return cp == '_' || xnr__is_alnum(cp);
}

/* Last char before byte i, or -1. */
static int32_t char_before(const char *s, size_t i)
{
	int32_t cp;
	size_t k = i;

	if (i == 0)
		return -1;
	while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
		k--;
	if (k > 0)
		k--;
	xnr__utf8_dec(s, i, k, &cp);
	return cp;
}

/* Longest token of the pass matching at byte i, or -1. */
static int longest_at(const struct xnr__added_set *set, int normalized, const char *s, size_t len,
                      size_t i)
{
	int k, best = -1;
	size_t best_len = 0;

	if (!set->first[normalized][(unsigned char)s[i]])
		return -1;
	for (k = 0; k < set->n; k++) {
		const struct xnr__added *t = &set->v[k];
		const char *c = normalized ? t->norm : t->content;
		size_t cl = normalized ? t->norm_len : t->len;
		if (t->normalized != normalized || cl == 0 || cl <= best_len || cl > len - i)
			continue;
		if (memcmp(s + i, c, cl) == 0) {
			best = k;
			best_len = cl;
		}
	}
	return best;
}

static int single_word_ok(const char *s, size_t len, size_t start, size_t stop)
{
	int32_t before = char_before(s, start), after = -1;

	if (stop < len)
		xnr__utf8_dec(s, len, stop, &after);
	return !(before >= 0 && is_word_char(before)) && !(after >= 0 && is_word_char(after));
}

enum xnr_status xnr__added_split(const struct xnr__added_set *set, int normalized,
                                 const struct xnr__nstr *n, struct xnr__splits *sp)
{
	size_t i = 0, prev_end = 0;

	while (i < n->len) {
		int32_t cp;
		int k = longest_at(set, normalized, n->s, n->len, i);
		const struct xnr__added *t;
		size_t start = i, stop;
		if (k < 0) {
			i += xnr__utf8_dec(n->s, n->len, i, &cp);
			continue;
		}
		t = &set->v[k];
		stop = i + (normalized ? t->norm_len : t->len);
		i = stop;
		if (t->single_word && !single_word_ok(n->s, n->len, start, stop))
			continue;
		if (t->lstrip) {
			while (start > prev_end && xnr__is_ws(char_before(n->s, start)))
				start -= xnr__utf8_len(char_before(n->s, start));
		}
		if (t->rstrip) {
			while (stop < n->len) {
				size_t cl = xnr__utf8_dec(n->s, n->len, stop, &cp);
				if (!xnr__is_ws(cp))
					break;
				stop += cl;
			}
			i = stop;
		}
		if (xnr__splits_add(sp, n, prev_end, start, -1) != XNR_OK ||
		    xnr__splits_add(sp, n, start, stop, t->id) != XNR_OK)
			return XNR_ERR_NOMEM;
		prev_end = stop;
	}
	return xnr__splits_add(sp, n, prev_end, n->len, -1);
}
