/*
 * stats.h - how sure a score is: bootstrap over sentences of entity F1
 * (micro, macro and per type) with percentile intervals, the paired
 * bootstrap of the F1 difference of two runs with its p-value, and McNemar's
 * test on paired decisions (exact binomial and chi-square with continuity
 * correction). The resampling is reproducible: one seed gives the same
 * numbers on every machine, and tests/gen/gen_stats.py re-implements it
 * step for step (PRNG, draws, sums, numpy's linear quantile) for the tests.
 *
 * PRNG: splitmix64 (Steele, Lea, Flood 2014; the seeder of xoshiro):
 *   state += 0x9E3779B97F4A7C15;
 *   z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9;
 *   z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
 *   return z ^ (z >> 31);                        (all mod 2^64)
 * A draw below n is the high 64 bits of next() * n (Lemire's multiply-shift
 * without the rejection step: its bias, n / 2^64, is far below anything a
 * corpus of sentences can show).
 */
#ifndef XNR_ANALYSIS_STATS_H
#define XNR_ANALYSIS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/entities.h"
#include "core/status.h"

/* ---- the generator ---- */

struct xnr_rng {
	uint64_t state;
};

/* The generator started from seed (state = seed). */
void xnr_rng_seed(struct xnr_rng *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t xnr_rng_next(struct xnr_rng *r);
/* A draw in [0, n) (n >= 1). */
uint64_t xnr_rng_below(struct xnr_rng *r, uint64_t n);

/* ---- F1's sufficient statistics per sentence ---- */

/* Row s, column t: (true positives, predicted, gold) entities of type
 * column t in sentence row s. F1 of summed counts is 2 tp / (pred + gold),
 * 0 when both are 0 (seqeval's zero_division 0). */
struct xnr_f1_counts {
	size_t n_rows, n_cols;
	int32_t *c; /* (n_rows, n_cols, 3) */
};

/* Zeroed counts of n_rows sentences and n_cols types (free with
 * xnr_f1_counts_free). Errors: XNR_ERR_NOMEM, XNR_ERR_LIMIT (more than 2^40
 * cells). */
XNR_MUST_CHECK enum xnr_status xnr_f1_counts_init(struct xnr_f1_counts *c, size_t n_rows,
                                                  size_t n_cols, struct xnr_error *err);
void xnr_f1_counts_free(struct xnr_f1_counts *c); /* a zeroed struct is fine */

/*
 * Count one run's entities (seqeval's, sorted by sentence: entities.h) into
 * c: an entity of sentence s goes to row row_of_sent[s] (NULL: row s; < 0
 * or s >= n_sents: not counted) and column col_of_type[type] (NULL: column
 * type; < 0 or type >= n_type_ids: not counted). A predicted entity is a
 * true positive when a gold entity of the same sentence has its start, end
 * and column. Errors: XNR_ERR_INPUT (a row or column outside c, entities
 * not sorted by sentence), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_f1_counts_add(struct xnr_f1_counts *c,
                                                 const struct xnr_entities *gold,
                                                 const struct xnr_entities *pred, size_t n_sents,
                                                 const int64_t *row_of_sent, size_t n_type_ids,
                                                 const int32_t *col_of_type, struct xnr_error *err);

/* ---- the bootstrap ---- */

struct xnr_boot_params {
	uint64_t seed;
	int n_resamples; /* 1 .. XNR_BOOT_MAX_RESAMPLES */
	double level;    /* of the two-sided interval, in (0, 1): 0.95 */
	int n_threads;   /* resampling threads (at most 16; 1 or less: the caller's); the
	                    same numbers for every count */
};
#define XNR_BOOT_MAX_RESAMPLES 100000

/* Seed 1, 1000 resamples (ExplainaBoard's count), level 0.95, one thread. */
struct xnr_boot_params xnr_boot_default_params(void);

/* A score on the whole sample and its percentile interval: numpy's
 * quantile (method 'linear') of the resampled scores at (1 - level) / 2 and
 * 1 - (1 - level) / 2. */
struct xnr_interval {
	double est, lo, hi;
};

/* One score of two paired runs: each run's, and the difference b - a with
 * its two-sided p-value, (1 + #{|d* - d| >= |d|}) / (resamples + 1) over the
 * resampled differences d* (the bootstrap distribution shifted to the null
 * of no difference; Davison & Hinkley's +1 keeps it above 0). */
struct xnr_paired {
	struct xnr_interval a, b, diff;
	double p_value;
};

/* Micro F1, macro F1 (the mean of the columns' F1, in column order) and
 * each column's F1, for one run (b of every score is a's, diff 0, p 1) or
 * two paired ones. */
struct xnr_f1_boot {
	struct xnr_boot_params params;
	size_t n_cols;
	struct xnr_paired micro, macro;
	struct xnr_paired *col; /* (n_cols) */
};

/*
 * Bootstrap over sentence rows: each resample draws n_rows rows with
 * replacement (xnr_rng_below, the same rows for a and b), sums their counts
 * and scores the sums. b may be NULL (one run); otherwise it has a's shape
 * and row r of b is the sentence paired with row r of a. *out is filled on
 * success (xnr_f1_boot_free). About 10 ms per 1000 resamples of 1000
 * sentences and 4 types. Errors: XNR_ERR_INPUT (params out of range, a and
 * b of different shapes, no row), XNR_ERR_NOMEM. Reentrant.
 */
XNR_MUST_CHECK enum xnr_status xnr_stats_bootstrap_f1(const struct xnr_f1_counts *a,
                                                      const struct xnr_f1_counts *b,
                                                      const struct xnr_boot_params *params,
                                                      struct xnr_f1_boot *out,
                                                      struct xnr_error *err);
void xnr_f1_boot_free(struct xnr_f1_boot *b); /* a zeroed struct is fine */

/*
 * Each of k count matrices of the same sentence rows bootstrapped on its
 * own, from one set of draws: out[i] is what xnr_stats_bootstrap_f1(v[i],
 * NULL, params, &out[i]) gives, bit for bit (the draws depend only on the
 * seed and the number of rows), for the price of one run's draws (the
 * buckets of two runs of one data set). On failure no out[i] is left
 * allocated. Errors: XNR_ERR_INPUT (params out of range, no row, matrices
 * of different row counts), XNR_ERR_NOMEM. Reentrant.
 */
XNR_MUST_CHECK enum xnr_status xnr_stats_bootstrap_f1_each(const struct xnr_f1_counts *const *v,
                                                           size_t k,
                                                           const struct xnr_boot_params *params,
                                                           struct xnr_f1_boot *out,
                                                           struct xnr_error *err);

/*
 * The bootstrap of one run whose rows come a chunk at a time (a run's
 * sentences read back from its database): open with the number of rows and
 * columns, add every row in order in chunks of any size (each an
 * xnr_f1_counts of n_cols columns holding the next rows), then the result
 * is what xnr_stats_bootstrap_f1(all the rows, NULL, params) gives, bit for
 * bit, in memory of one chunk and the resamples' sums (3 n_cols int64 each).
 * Each chunk takes every resample's draws again (n_rows per resample), so
 * k chunks cost k times the draws of one. Errors: as
 * xnr_stats_bootstrap_f1; XNR_ERR_INPUT (a chunk of other columns or past
 * n_rows; a result before every row was added).
 */
struct xnr_f1_boot_stream;

XNR_MUST_CHECK enum xnr_status xnr_f1_boot_stream_open(size_t n_rows, size_t n_cols,
                                                       const struct xnr_boot_params *params,
                                                       struct xnr_f1_boot_stream **out,
                                                       struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_f1_boot_stream_add(struct xnr_f1_boot_stream *b,
                                                      const struct xnr_f1_counts *chunk,
                                                      struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_f1_boot_stream_result(const struct xnr_f1_boot_stream *b,
                                                         struct xnr_f1_boot *out,
                                                         struct xnr_error *err);
void xnr_f1_boot_stream_close(struct xnr_f1_boot_stream *b); /* NULL is fine */

/* ---- McNemar ---- */

/* McNemar's test on n_ab decisions only a got right and n_ba only b got
 * right: chi2 = max(0, |n_ab - n_ba| - 1)^2 / (n_ab + n_ba) (Edwards'
 * continuity correction, 0 when there is no discordant pair) with its
 * chi-square(1) p-value (scipy.stats.chi2.sf), and the exact two-sided
 * binomial p-value min(1, 2 P(X <= min(n_ab, n_ba))), X ~ Bin(n_ab + n_ba,
 * 1/2) (scipy.stats.binomtest(...).pvalue). */
struct xnr_mcnemar {
	int64_t n_ab, n_ba;
	double chi2, p_chi2, p_exact;
};
struct xnr_mcnemar xnr_stats_mcnemar(int64_t n_ab, int64_t n_ba);

#endif
