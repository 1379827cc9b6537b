/*
 * window.c - the window plan (infer/internal.h). An input that fits the
 * model runs whole. A longer one is cut into windows of L body tokens,
 * L = min(the model's length, XNR_ENGINE_WINDOW framed tokens), whose first
 * tokens are S = L - 2 * (L / 8) apart: every token runs in at most two
 * windows (L / S, about 4/3, on average) and is owned by one where it has at
 * least L / 8 tokens of context on each side (except near the input's
 * ends). These are spaCy's strided spans for transformer pipelines (window
 * 128, stride 96). Windows of the model's whole length with stride L / 2
 * ran every token twice with attention over 512 tokens: 3.8 times the
 * per-token cost of short sentences, for no better labels (README, "Speed").
 */
#include "infer/internal.h"

#include "infer/infer.h"

void xnr__windows_init(struct xnr__windows *w, int whole, int n_special)
{
	int len = XNR_ENGINE_WINDOW - n_special;

	w->whole = whole;
	w->len = len < whole && len >= 2 ? len : whole;
	w->stride = w->len - 2 * (w->len / 8);
}

int xnr__windows_count(const struct xnr__windows *w, int n)
{
	if (n <= w->whole)
		return n > 0 ? 1 : 0;
	return (n - w->len + w->stride - 1) / w->stride + 1;
}

void xnr__windows_range(const struct xnr__windows *w, int n, int k, int *begin, int *end)
{
	int b = k * w->stride;

	if (n <= w->whole) {
		*begin = 0;
		*end = n;
		return;
	}
	/* the last window ends at the input's end */
	if (b > n - w->len)
		b = n - w->len;
	*begin = b;
	*end = b + w->len;
}

/* Context of token t on its poorer side in window k, or -1 if t is not in it. */
static int margin(const struct xnr__windows *w, int n, int k, int t)
{
	int b, e;
	xnr__windows_range(w, n, k, &b, &e);
	if (t < b || t >= e)
		return -1;
	return t - b < e - 1 - t ? t - b : e - 1 - t;
}

int xnr__windows_owner(const struct xnr__windows *w, int n, int t)
{
	int kn = xnr__windows_count(w, n), k, m, best = 0, best_margin = -1;
	/* only windows starting in (t - len, t] can hold t, and the last one,
	 * which the input's end pulls back */
	int lo = t >= w->len ? (t - w->len) / w->stride : 0, hi = t / w->stride;

	if (hi > kn - 1)
		hi = kn - 1;
	for (k = lo; k <= hi; k++) {
		if ((m = margin(w, n, k, t)) > best_margin) {
			best_margin = m;
			best = k;
		}
	}
	if (hi < kn - 1 && margin(w, n, kn - 1, t) > best_margin)
		best = kn - 1;
	return best;
}
