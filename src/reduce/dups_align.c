/*
 * dups_align.c - where two near-duplicate sentences' gold labels disagree:
 * their words aligned as diff does (the common prefix and suffix, then a
 * longest common subsequence of the normalised words in between, by the
 * textbook dynamic programme over suffixes), and the aligned words whose
 * gold labels differ. The programme is skipped above 2^20 word pairs (two
 * sentences of over a thousand words): then only the prefix and suffix align.
 */
#include <stdlib.h>

#include "reduce/dups_internal.h"

#define LCS_MAX_CELLS (1L << 20)

struct diff {
	int *pos, cap, n;
};

static void aligned(const struct xnr_dup_doc *a, const struct xnr_dup_doc *b, int i, int j,
                    struct diff *d)
{
	if (a->gold[i] == b->gold[j])
		return;
	if (d->n < d->cap) {
		d->pos[2 * d->n] = i;
		d->pos[2 * d->n + 1] = j;
	}
	d->n++;
}

/* The LCS of ha[0, na) and hb[0, nb), its matches offset by (oa, ob). */
static int middle(const uint64_t *ha, int na, const uint64_t *hb, int nb,
                  const struct xnr_dup_doc *a, const struct xnr_dup_doc *b, int oa, int ob,
                  struct diff *d)
{
	if (na == 0 || nb == 0 || (long)na * nb > LCS_MAX_CELLS)
		return 0;
	int w = nb + 1, *l = calloc((size_t)(na + 1) * (size_t)w, sizeof *l);
	if (!l)
		return -1;
	for (int i = na - 1; i >= 0; i--)
		for (int j = nb - 1; j >= 0; j--)
			l[i * w + j] = ha[i] == hb[j] ? l[(i + 1) * w + j + 1] + 1
			               : l[(i + 1) * w + j] >= l[i * w + j + 1] ? l[(i + 1) * w + j]
			                                                        : l[i * w + j + 1];
	for (int i = 0, j = 0; i < na && j < nb;) {
		if (ha[i] == hb[j])
			aligned(a, b, oa + i++, ob + j++, d);
		else if (l[(i + 1) * w + j] >= l[i * w + j + 1])
			i++;
		else
			j++;
	}
	free(l);
	return 0;
}

/* pos is written through d. NOLINTNEXTLINE(readability-non-const-parameter) */
int xnr_dup_label_diff(const struct xnr_dup_doc *a, const struct xnr_dup_doc *b, int *pos, int cap)
{
	struct diff d = {pos, cap, 0};
	int na = a->n_words, nb = b->n_words, pre = 0, suf = 0, i, rc;

	if (!a->gold || !b->gold)
		return 0;
	uint64_t *ha = malloc(sizeof *ha * (size_t)(na + nb + 1)), *hb;
	if (!ha)
		return -1;
	hb = ha + na;
	for (i = 0; i < na; i++)
		xnr__dup_word(a->words[i], &ha[i]);
	for (i = 0; i < nb; i++)
		xnr__dup_word(b->words[i], &hb[i]);
	while (pre < na && pre < nb && ha[pre] == hb[pre])
		aligned(a, b, pre, pre, &d), pre++;
	while (suf < na - pre && suf < nb - pre && ha[na - 1 - suf] == hb[nb - 1 - suf])
		suf++;
	rc = middle(ha + pre, na - pre - suf, hb + pre, nb - pre - suf, a, b, pre, pre, &d);
	for (i = suf; rc == 0 && i > 0; i--)
		aligned(a, b, na - i, nb - i, &d);
	free(ha);
	return rc ? -1 : d.n;
}
