/* losses.c - cross-entropy, entropy, argmax (see losses.h). */
#include "analysis/losses.h"

#include <math.h>

double xnr_loss_ce(const float *logits, int n, int gold)
{
	double max = logits[0], sum = 0.0;
	int j;

	for (j = 1; j < n; j++)
		if (logits[j] > max)
			max = logits[j];
	for (j = 0; j < n; j++)
		sum += exp((double)logits[j] - max);
	/* sum >= 1: the largest logit adds exp(0). */
	/* cppcheck-suppress invalidFunctionArg */
	return max + log(sum) - (double)logits[gold];
}

double xnr_entropy(const float *probs, int n)
{
	double h = 0.0;
	int j;

	for (j = 0; j < n; j++)
		if (probs[j] > 0.0f)
			h -= (double)probs[j] * log((double)probs[j]);
	return h;
}

int xnr_argmax(const float *v, int n)
{
	int j, best = 0;
	for (j = 1; j < n; j++)
		if (v[j] > v[best])
			best = j;
	return best;
}

struct xnr_loss_stats xnr_loss_stats_sorted(const double *sorted, size_t n)
{
	struct xnr_loss_stats s = {0, 0.0, 0.0, 0.0};
	size_t i;

	if (n == 0)
		return s;
	for (i = 0; i < n; i++)
		s.sum += sorted[i];
	s.count = (long)n;
	s.mean = s.sum / (double)n;
	s.median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
	return s;
}
