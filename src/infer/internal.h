/*
 * infer/internal.h - the window plan of the engine (window.c): which body
 * tokens of a long input each window holds and which window each token
 * takes its outputs from. Shared by infer.c and the unit tests, which count
 * the work a plan makes.
 */
#ifndef XNR_INFER_INTERNAL_H
#define XNR_INFER_INTERNAL_H

struct xnr__windows {
	int whole;  /* an input of up to this many body tokens is one window */
	int len;    /* body tokens per window of a longer input (<= whole) */
	int stride; /* first tokens of consecutive windows are this far apart */
};

/* The plan for windows of at most `whole` body tokens: longer inputs get
 * windows of min(whole, XNR_ENGINE_WINDOW - n_special) body tokens. */
void xnr__windows_init(struct xnr__windows *w, int whole, int n_special);

/* Windows of an input of n body tokens (0 for none). */
int xnr__windows_count(const struct xnr__windows *w, int n);

/* Body token range [*begin, *end) of window k (0 <= k < count). */
void xnr__windows_range(const struct xnr__windows *w, int n, int k, int *begin, int *end);

/* The window token t takes its outputs from: the one where min(t - begin,
 * end - 1 - t) is largest (the most context on both sides), the first on
 * ties. O(1): only the two or three windows around t are looked at. */
int xnr__windows_owner(const struct xnr__windows *w, int n, int t);

#endif
