/*
 * stats.c - bootstrap intervals of entity F1, the paired bootstrap of two
 * runs and McNemar's test (see stats.h). Every step is written so that
 * tests/gen/gen_stats.py can repeat it in plain Python and get the same
 * bits: integer sums, scores from the summed counts, the columns' F1 added
 * in column order, numpy's linear quantile.
 */
#include "analysis/stats.h"
#include "core/pool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CELLS_MAX ((size_t)1 << 40)

void xnr_rng_seed(struct xnr_rng *r, uint64_t seed)
{
	r->state = seed;
}

#define RNG_GAMMA 0x9E3779B97F4A7C15u

uint64_t xnr_rng_next(struct xnr_rng *r)
{
	uint64_t z = (r->state += RNG_GAMMA);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

/* High 64 bits of x * n: one multiply where the compiler has a 128-bit type
 * (GCC and Clang on 64-bit targets), else from 32-bit halves (ISO C has
 * none); the same bits either way. */
static uint64_t mulhi(uint64_t x, uint64_t n)
{
#ifdef __SIZEOF_INT128__
	__extension__ typedef unsigned __int128 u128;
	return (uint64_t)((u128)x * n >> 64);
#else
	uint64_t xl = x & 0xffffffffu, xh = x >> 32, nl = n & 0xffffffffu, nh = n >> 32;
	uint64_t ll = xl * nl, lh = xl * nh, hl = xh * nl, hh = xh * nh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

uint64_t xnr_rng_below(struct xnr_rng *r, uint64_t n)
{
	return mulhi(xnr_rng_next(r), n);
}

/* ---- counts ---- */

enum xnr_status xnr_f1_counts_init(struct xnr_f1_counts *c, size_t n_rows, size_t n_cols,
                                   struct xnr_error *err)
{
	size_t cells = n_rows * n_cols;

	if (n_cols && (cells / n_cols != n_rows || cells > CELLS_MAX))
		return xnr_fail(err, XNR_ERR_LIMIT,
		                "bootstrap: %zu sentences x %zu types is too many", n_rows, n_cols);
	memset(c, 0, sizeof *c);
	if (!(c->c = calloc(cells * 3 + 1, sizeof *c->c)))
		return xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory for %zu counts",
		                cells * 3);
	c->n_rows = n_rows;
	c->n_cols = n_cols;
	return XNR_OK;
}

void xnr_f1_counts_free(struct xnr_f1_counts *c)
{
	free(c->c);
	memset(c, 0, sizeof *c);
}

/* Row and column of entity e, or -1 when it is not counted. */
static int64_t row_of(const struct xnr_entity *e, size_t n_sents, const int64_t *row_of_sent)
{
	if (e->sent >= n_sents)
		return -1;
	return row_of_sent ? row_of_sent[e->sent] : (int64_t)e->sent;
}

static int32_t col_of(const struct xnr_entity *e, size_t n_type_ids, const int32_t *col_of_type)
{
	if (e->type >= n_type_ids)
		return -1;
	return col_of_type ? col_of_type[e->type] : (int32_t)e->type;
}

/* End of the run of entities of v from i on that share sentence v[i].sent;
 * -1 when the next sentence comes before it (not sorted). */
static long group_end(const struct xnr_entities *v, size_t i)
{
	size_t j = i;
	while (j < v->n && v->v[j].sent == v->v[i].sent)
		j++;
	return j < v->n && v->v[j].sent < v->v[i].sent ? -1 : (long)j;
}

/* Is there a gold entity in g[gb, ge) with p's span and column? */
static int matched(const struct xnr_entities *g, size_t gb, size_t ge, const struct xnr_entity *p,
                   int32_t col, size_t n_type_ids, const int32_t *col_of_type)
{
	size_t i;
	for (i = gb; i < ge; i++)
		if (g->v[i].start == p->start && g->v[i].end == p->end &&
		    col_of(&g->v[i], n_type_ids, col_of_type) == col)
			return 1;
	return 0;
}

/* Count e into slot k (0 tp, 1 pred, 2 gold); -1 when its row or column is outside c. */
static int count(struct xnr_f1_counts *c, int64_t row, int32_t col, int k)
{
	if (row < 0 || col < 0)
		return 0;
	if ((uint64_t)row >= c->n_rows || (size_t)col >= c->n_cols)
		return -1;
	c->c[((size_t)row * c->n_cols + (size_t)col) * 3 + (size_t)k]++;
	return 0;
}

/* The gold entities of the sentences in order, each pred group matched
 * against the gold group of its sentence. */
enum xnr_status xnr_f1_counts_add(struct xnr_f1_counts *c, const struct xnr_entities *gold,
                                  const struct xnr_entities *pred, size_t n_sents,
                                  const int64_t *row_of_sent, size_t n_type_ids,
                                  const int32_t *col_of_type, struct xnr_error *err)
{
	size_t gi = 0, pi, gb = 0, ge = 0;
	long end;

	for (; gi < gold->n; gi++) {
		const struct xnr_entity *e = &gold->v[gi];
		if (gi > 0 && e->sent < gold->v[gi - 1].sent)
			return xnr_fail(err, XNR_ERR_INPUT, "bootstrap: gold entities not sorted");
		if (count(c, row_of(e, n_sents, row_of_sent), col_of(e, n_type_ids, col_of_type),
		          2))
			return xnr_fail(err, XNR_ERR_INPUT,
			                "bootstrap: an entity outside the counts");
	}
	for (pi = 0; pi < pred->n; pi = (size_t)end) {
		uint32_t sent = pred->v[pi].sent;
		size_t i;
		if ((end = group_end(pred, pi)) < 0)
			return xnr_fail(err, XNR_ERR_INPUT,
			                "bootstrap: predicted entities not sorted");
		while (gb < gold->n && gold->v[gb].sent < sent)
			gb++;
		for (ge = gb; ge < gold->n && gold->v[ge].sent == sent; ge++)
			;
		for (i = pi; i < (size_t)end; i++) {
			const struct xnr_entity *p = &pred->v[i];
			int64_t row = row_of(p, n_sents, row_of_sent);
			int32_t col = col_of(p, n_type_ids, col_of_type);
			if (count(c, row, col, 1) ||
			    (matched(gold, gb, ge, p, col, n_type_ids, col_of_type) &&
			     count(c, row, col, 0)))
				return xnr_fail(err, XNR_ERR_INPUT,
				                "bootstrap: an entity outside the counts");
		}
	}
	return XNR_OK;
}

/* ---- scores ---- */

static double f1_of(int64_t tp, int64_t n_pred, int64_t n_true)
{
	int64_t d = n_pred + n_true;
	return d ? 2.0 * (double)tp / (double)d : 0.0;
}

/* Micro, macro and each column's F1 of summed counts sum (n_cols, 3) into
 * out (2 + n_cols). */
static void score(const int64_t *sum, size_t n_cols, double *out)
{
	int64_t tp = 0, np = 0, nt = 0;
	double macro = 0.0;
	size_t j;

	for (j = 0; j < n_cols; j++) {
		const int64_t *s = sum + 3 * j;
		out[2 + j] = f1_of(s[0], s[1], s[2]);
		macro += out[2 + j];
		tp += s[0];
		np += s[1];
		nt += s[2];
	}
	out[0] = f1_of(tp, np, nt);
	out[1] = n_cols ? macro / (double)n_cols : 0.0;
}

/* A count matrix's nonzero cells by row (CSR), so rows of a sparse matrix
 * (the buckets': a case falls in one bucket per attribute) cost what they
 * hold. When no resample can sum a field past 2^21 (n_rows times the
 * largest count), a cell's (tp, pred, gold) are packed into one uint64 at
 * bits 0, 21 and 42 and summed by one add (no count is negative); otherwise
 * each field is an entry of its own. Integer sums: the same numbers either way. */
#define PACK_BITS 21

struct sparse {
	int packed;
	size_t *first; /* (n_rows + 1) into at and val */
	uint32_t *at;  /* (nnz) accumulator: the column when packed, else 3 col + field */
	uint64_t *val; /* (nnz) */
	uint64_t *acc; /* (3 n_cols + 1) */
};

static void sparse_free(struct sparse *sp)
{
	free(sp->first);
	free(sp->at);
	free(sp->val);
	free(sp->acc);
}

/* n_draws: how many times a resample can take a row in all (n_rows, or the
 * whole sample's rows when c is a chunk of it), which bounds a field's sum. */
static int sparse_make(const struct xnr_f1_counts *c, size_t n_draws, struct sparse *sp)
{
	size_t i, j, f, nnz = 0, cells = c->n_rows * c->n_cols;
	const int32_t *v = c->c;
	int64_t top = 0, low = 0;

	for (i = 0; i < 3 * cells; i++) {
		nnz += v[i] != 0;
		top = v[i] > top ? v[i] : top;
		low = v[i] < low ? v[i] : low;
	}
	sp->packed = low == 0 && (double)top * (double)n_draws < (double)(1 << PACK_BITS);
	sp->first = malloc((c->n_rows + 1) * sizeof *sp->first);
	sp->at = malloc((nnz + 1) * sizeof *sp->at);
	sp->val = malloc((nnz + 1) * sizeof *sp->val);
	sp->acc = malloc((3 * c->n_cols + 1) * sizeof *sp->acc);
	if (!sp->first || !sp->at || !sp->val || !sp->acc)
		return -1;
	for (i = 0, nnz = 0; i < c->n_rows; i++) {
		sp->first[i] = nnz;
		for (j = 0; j < c->n_cols; j++) {
			const int32_t *x = v + 3 * (i * c->n_cols + j);
			if (sp->packed && (x[0] || x[1] || x[2])) {
				sp->at[nnz] = (uint32_t)j;
				sp->val[nnz++] = (uint64_t)x[0] | (uint64_t)x[1] << PACK_BITS |
				                 (uint64_t)x[2] << (2 * PACK_BITS);
			}
			for (f = 0; !sp->packed && f < 3; f++)
				if (x[f]) {
					sp->at[nnz] = (uint32_t)(3 * j + f);
					sp->val[nnz++] = (uint64_t)x[f];
				}
		}
	}
	sp->first[c->n_rows] = nnz;
	return 0;
}

/* Sum the rows of c, row r taken mult[r] times (mult NULL: every row once),
 * into sum (n_cols * 3), over its nonzero cells sp. Rows in order: the
 * multiplicities of a resample instead of its draws, so memory is read
 * front to back. Each row's end is read once, before its adds (which the
 * compiler cannot move past them: acc and first might alias). */
static void sum_rows(const struct xnr_f1_counts *c, const struct sparse *sp, const size_t *mult,
                     uint64_t *acc, int64_t *sum)
{
	const size_t *first = sp->first;
	const uint32_t *at = sp->at;
	const uint64_t *val = sp->val;
	size_t r, k = first[0], end, width = c->n_cols * 3;
	uint64_t mask = ((uint64_t)1 << PACK_BITS) - 1;

	memset(acc, 0, (width + 1) * sizeof *acc);
	for (r = 0; r < c->n_rows; r++, k = end) {
		uint64_t w = mult ? (uint64_t)mult[r] : 1;
		end = first[r + 1];
		if (!w)
			continue;
		for (; k < end; k++)
			acc[at[k]] += w * val[k];
	}
	for (k = 0; k < width; k++)
		sum[k] = sp->packed ? (int64_t)(acc[k / 3] >> (PACK_BITS * (k % 3)) & mask)
		                    : (int64_t)acc[k];
}

/* ---- the bootstrap ---- */

struct xnr_boot_params xnr_boot_default_params(void)
{
	struct xnr_boot_params p = {1, 1000, 0.95, 1};
	return p;
}

void xnr_f1_boot_free(struct xnr_f1_boot *b)
{
	free(b->col);
	memset(b, 0, sizeof *b);
}

static void swap_d(double *v, ptrdiff_t i, ptrdiff_t j)
{
	double t = v[i];
	v[i] = v[j];
	v[j] = t;
}

/* Reorder v (n > k) so that v[k] is the value a sort would put there, with
 * nothing larger before it and nothing smaller after it (Hoare's select,
 * median-of-three pivots): the order statistics an interval needs, in
 * linear time instead of a sort's n log n. */
static void select_nth(double *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;

	while (lo < hi) {
		ptrdiff_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double pivot;
		if (v[mid] < v[lo])
			swap_d(v, mid, lo);
		if (v[hi] < v[lo])
			swap_d(v, hi, lo);
		if (v[hi] < v[mid])
			swap_d(v, hi, mid);
		pivot = v[mid];
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
				swap_d(v, i++, j--);
		}
		if (want <= j)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			return; /* between j and i: every value there is the pivot */
	}
}

/* numpy.quantile(v, q, method='linear') of n values (reordered in place):
 * the values sorted ranks i and i + 1 would hold, by selection. */
static double quantile(double *v, size_t n, double q)
{
	double x = (double)(n - 1) * q, prev = floor(x), t, a, b, diff;
	size_t i, j;

	if (x >= (double)(n - 1)) {
		select_nth(v, n, n - 1);
		return v[n - 1];
	}
	if (x < 0) {
		select_nth(v, n, 0);
		return v[0];
	}
	i = (size_t)prev;
	t = x - prev;
	select_nth(v, n, i);
	a = v[i];
	b = v[i + 1];
	for (j = i + 2; j < n; j++) /* the smallest value after rank i */
		b = v[j] < b ? v[j] : b;
	diff = b - a;
	return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

/* The interval of n resampled values (reordered in place) around est. */
static struct xnr_interval interval(double est, double *v, size_t n, double level)
{
	struct xnr_interval iv;
	double q = (1.0 - level) / 2.0;

	iv.est = est;
	iv.lo = quantile(v, n, q);
	iv.hi = quantile(v, n, 1.0 - q);
	return iv;
}

/* One score's result from its estimates and its resampled values of a, b
 * and their difference (each n long, reordered in place). */
static struct xnr_paired summarise(double est_a, double est_b, double *va, double *vb, double *vd,
                                   size_t n, double level)
{
	struct xnr_paired s;
	double d = est_b - est_a;
	size_t i, extreme = 0;

	for (i = 0; i < n; i++)
		extreme += fabs(vd[i] - d) >= fabs(d);
	s.p_value = (double)(1 + extreme) / (double)(n + 1);
	s.a = interval(est_a, va, n, level);
	s.b = interval(est_b, vb, n, level);
	s.diff = interval(d, vd, n, level);
	return s;
}

/* One run's score: b is a, so the difference is 0 in every resample (its
 * interval [0, 0], every resample as extreme as 0: p 1), what summarise
 * gives for b = a without ordering the copies. */
static struct xnr_paired summarise_one(double est, double *v, size_t n, double level)
{
	struct xnr_paired s;

	s.a = interval(est, v, n, level);
	s.b = s.a;
	s.diff.est = s.diff.lo = s.diff.hi = 0.0;
	s.p_value = (double)(1 + n) / (double)(n + 1);
	return s;
}

static enum xnr_status check_boot(const struct xnr_f1_counts *a, const struct xnr_f1_counts *b,
                                  const struct xnr_boot_params *p, struct xnr_error *err)
{
	if (p->n_resamples < 1 || p->n_resamples > XNR_BOOT_MAX_RESAMPLES)
		return xnr_fail(err, XNR_ERR_INPUT, "bootstrap: resamples must be 1 to %d, got %d",
		                XNR_BOOT_MAX_RESAMPLES, p->n_resamples);
	if (!(p->level > 0.0 && p->level < 1.0))
		return xnr_fail(err, XNR_ERR_INPUT, "bootstrap: level must be in (0, 1), got %g",
		                p->level);
	if (a->n_rows == 0)
		return xnr_fail(err, XNR_ERR_INPUT, "bootstrap: no sentence to resample");
	if (b && (b->n_rows != a->n_rows || b->n_cols != a->n_cols))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "bootstrap: paired runs of %zu x %zu and %zu x %zu counts",
		                a->n_rows, a->n_cols, b->n_rows, b->n_cols);
	return XNR_OK;
}

/* Resamples [r0, r1) of R: the scores of each of the k matrices v (same
 * rows) per resample into vals[i], laid out (2 + n_cols of v[i], R); one
 * set of draws for all of them. Resample r takes n_total draws from the
 * seed's stream, whose state moves by RNG_GAMMA a draw, so a range starts
 * where the stream stands after r0 * n_total draws: any split of the
 * resamples gives the same numbers. The hot loop of every interval.
 * A chunk (sums non-NULL, k 1): v holds rows [row0, row0 + n_rows) of a
 * sample of n_total; the draws that land there are summed into sums
 * (R, 3 n_cols) instead of scored, so that chunk after chunk adds up to
 * what the whole sample gives. Otherwise row0 is 0 and n_total n_rows. */
struct resample_job {
	const struct xnr_f1_counts *const *v;
	const struct sparse *sp;
	size_t k, R, max_cols, row0, n_total;
	uint64_t seed;
	double *const *vals;
	int64_t *sums;
	unsigned char failed[16]; /* by thread: without memory for its buffers */
};

/* The sums of one resample: scored into the vals of each matrix, or (a
 * chunk) added to its row of j->sums. */
static void resample_out(const struct resample_job *j, size_t r, const size_t *rows, uint64_t *acc,
                         int64_t *sum, double *s)
{
	size_t i, c, m;

	for (i = 0; i < j->k; i++) {
		sum_rows(j->v[i], &j->sp[i], rows, acc, sum);
		if (j->sums) {
			int64_t *to = j->sums + r * 3 * j->v[i]->n_cols;
			for (c = 0; c < 3 * j->v[i]->n_cols; c++)
				to[c] += sum[c];
			continue;
		}
		score(sum, j->v[i]->n_cols, s);
		for (c = 0, m = 2 + j->v[i]->n_cols; c < m; c++)
			j->vals[i][c * j->R + r] = s[c];
	}
}

static int resample(const struct resample_job *j, size_t r0, size_t r1)
{
	size_t n_rows = j->v[0]->n_rows, width = 3 * j->max_cols + 1, r, i;
	size_t *rows = malloc((n_rows + 1) * sizeof *rows);
	int64_t *sum = malloc(width * sizeof *sum);
	uint64_t *acc = malloc(width * sizeof *acc);
	double *s = malloc((2 + j->max_cols) * sizeof *s);
	struct xnr_rng rng;

	if (!rows || !sum || !acc || !s) {
		free(rows);
		free(sum);
		free(acc);
		free(s);
		return -1;
	}
	xnr_rng_seed(&rng, j->seed);
	rng.state += (uint64_t)r0 * (uint64_t)j->n_total * RNG_GAMMA;
	for (r = r0; r < r1; r++) {
		memset(rows, 0, n_rows * sizeof *rows);
		for (i = 0; i < j->n_total; i++) {
			/* below row0 wraps to a value past n_rows */
			uint64_t d = xnr_rng_below(&rng, j->n_total) - (uint64_t)j->row0;
			if (d < n_rows)
				rows[d]++;
		}
		resample_out(j, r, rows, acc, sum, s);
	}
	free(rows);
	free(sum);
	free(acc);
	free(s);
	return 0;
}

static void resample_part(void *ctx, int ith, int nth)
{
	struct resample_job *j = ctx;
	long r0, r1;

	xnr_split_range((long)j->R, ith, nth, &r0, &r1);
	j->failed[ith] = r0 < r1 && resample(j, (size_t)r0, (size_t)r1) != 0;
}

/* All R resamples, on params' threads when there are more than one and
 * enough work to share (a pool that cannot start: on this thread). */
static int resample_all(struct resample_job *j, int n_threads)
{
	struct xnr_pool *pool = NULL;
	struct xnr_error err;
	int i, failed = 0;

	if (n_threads > 1 && j->R >= 64 &&
	    xnr_pool_open(n_threads < 16 ? n_threads : 16, &pool, &err) == XNR_OK) {
		xnr_pool_run(pool, resample_part, j);
		for (i = 0; i < xnr_pool_n_threads(pool); i++)
			failed |= j->failed[i];
		xnr_pool_close(pool);
		return failed ? -1 : 0;
	}
	return resample(j, 0, j->R);
}

/* The work of both entry points: k matrices of the same rows, each scored
 * on its own (paired 0: out[i] from v[i]) or v[0] and v[1] paired (out[0]). */
struct boot_work {
	size_t k, R, max_cols;
	int64_t *sum;
	double *est, **vals;
	struct sparse *sp;
};

static void work_free(struct boot_work *w)
{
	size_t i;

	for (i = 0; w->sp && i < w->k; i++)
		sparse_free(&w->sp[i]);
	for (i = 0; w->vals && i < w->k + 1; i++)
		free(w->vals[i]);
	free(w->sp);
	free(w->vals);
	free(w->sum);
	free(w->est);
}

/* Allocate w for v and resample; w->est gets each matrix's scores on the
 * whole sample (row i: 2 + max_cols), w->vals[i] its resampled ones and
 * w->vals[k] room for one more (a difference). */
static enum xnr_status work_run(struct boot_work *w, const struct xnr_f1_counts *const *v, size_t k,
                                const struct xnr_boot_params *p, struct xnr_error *err)
{
	struct resample_job job;
	size_t i, m;
	int ok;

	memset(w, 0, sizeof *w);
	w->k = k;
	w->R = (size_t)p->n_resamples;
	for (i = 0; i < k; i++)
		w->max_cols = v[i]->n_cols > w->max_cols ? v[i]->n_cols : w->max_cols;
	m = 2 + w->max_cols;
	w->sum = malloc((3 * w->max_cols + 1) * sizeof *w->sum);
	w->est = malloc(k * m * sizeof *w->est);
	w->sp = calloc(k, sizeof *w->sp);
	w->vals = calloc(k + 1, sizeof *w->vals);
	ok = w->sum && w->est && w->sp && w->vals;
	for (i = 0; ok && i < k + 1; i++)
		ok = (w->vals[i] = malloc(m * w->R * sizeof **w->vals)) != NULL &&
		     (i == k || sparse_make(v[i], v[i]->n_rows, &w->sp[i]) == 0);
	if (!ok)
		return xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory for %zu resamples",
		                w->R);
	for (i = 0; i < k; i++) {
		sum_rows(v[i], &w->sp[i], NULL, w->sp[i].acc, w->sum);
		score(w->sum, v[i]->n_cols, w->est + i * m);
	}
	job.v = v;
	job.sp = w->sp;
	job.k = k;
	job.R = w->R;
	job.max_cols = w->max_cols;
	job.row0 = 0;
	job.n_total = v[0]->n_rows;
	job.seed = p->seed;
	job.vals = w->vals;
	job.sums = NULL;
	memset(job.failed, 0, sizeof job.failed);
	if (resample_all(&job, p->n_threads) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory for %zu resamples",
		                w->R);
	return XNR_OK;
}

/* out from the per-score results res (2 + n_cols). */
static enum xnr_status fill_out(struct xnr_f1_boot *out, const struct xnr_paired *res,
                                size_t n_cols, const struct xnr_boot_params *p,
                                struct xnr_error *err)
{
	memset(out, 0, sizeof *out);
	out->params = *p;
	out->n_cols = n_cols;
	out->micro = res[0];
	out->macro = res[1];
	if (n_cols && !(out->col = malloc(n_cols * sizeof *out->col)))
		return xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory");
	if (n_cols)
		memcpy(out->col, res + 2, n_cols * sizeof *out->col);
	return XNR_OK;
}

enum xnr_status xnr_stats_bootstrap_f1(const struct xnr_f1_counts *a, const struct xnr_f1_counts *b,
                                       const struct xnr_boot_params *params,
                                       struct xnr_f1_boot *out, struct xnr_error *err)
{
	const struct xnr_f1_counts *v[2] = {a, b};
	enum xnr_status st = check_boot(a, b, params, err);
	size_t m = 2 + a->n_cols, j, R = (size_t)params->n_resamples;
	struct xnr_paired *res = NULL;
	struct boot_work w;

	if (st != XNR_OK)
		return st;
	if (b == a)
		v[1] = NULL;
	memset(&w, 0, sizeof w);
	if ((st = work_run(&w, v, v[1] ? 2 : 1, params, err)) != XNR_OK)
		goto done;
	if (!(res = calloc(m, sizeof *res))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory");
		goto done;
	}
	for (j = 0; j < m; j++) {
		double *va = w.vals[0] + j * R, *vb, *vd;
		if (!v[1]) {
			res[j] = summarise_one(w.est[j], va, R, params->level);
			continue;
		}
		vb = w.vals[1] + j * R;
		vd = w.vals[2] + j * R;
		for (size_t r = 0; r < R; r++)
			vd[r] = vb[r] - va[r];
		res[j] = summarise(w.est[j], w.est[m + j], va, vb, vd, R, params->level);
	}
	st = fill_out(out, res, a->n_cols, params, err);
done:
	work_free(&w);
	free(res);
	return st;
}

enum xnr_status xnr_stats_bootstrap_f1_each(const struct xnr_f1_counts *const *v, size_t k,
                                            const struct xnr_boot_params *params,
                                            struct xnr_f1_boot *out, struct xnr_error *err)
{
	size_t i, j, m, R = (size_t)params->n_resamples, done_k = 0;
	enum xnr_status st = XNR_OK;
	struct xnr_paired *res = NULL;
	struct boot_work w;

	if (!k)
		return XNR_OK;
	for (i = 0; i < k && st == XNR_OK; i++)
		if ((st = check_boot(v[i], NULL, params, err)) == XNR_OK &&
		    v[i]->n_rows != v[0]->n_rows)
			st = xnr_fail(err, XNR_ERR_INPUT,
			              "bootstrap: count matrices of %zu and %zu sentences",
			              v[0]->n_rows, v[i]->n_rows);
	if (st != XNR_OK)
		return st;
	if ((st = work_run(&w, v, k, params, err)) != XNR_OK)
		goto done;
	m = 2 + w.max_cols;
	if (!(res = calloc(m, sizeof *res))) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory");
		goto done;
	}
	for (i = 0; i < k && st == XNR_OK; i++) {
		for (j = 0; j < 2 + v[i]->n_cols; j++)
			res[j] =
			    summarise_one(w.est[i * m + j], w.vals[i] + j * R, R, params->level);
		if ((st = fill_out(&out[i], res, v[i]->n_cols, params, err)) == XNR_OK)
			done_k++;
	}
done:
	for (i = 0; st != XNR_OK && i < done_k; i++)
		xnr_f1_boot_free(&out[i]);
	work_free(&w);
	free(res);
	return st;
}

/* ---- the bootstrap of rows read a chunk at a time ---- */

struct xnr_f1_boot_stream {
	struct xnr_boot_params p;
	size_t n_rows, n_cols, added;
	int64_t *total; /* (3 n_cols): every row once */
	int64_t *sums;  /* (R, 3 n_cols): each resample's draws of the rows added */
};

enum xnr_status xnr_f1_boot_stream_open(size_t n_rows, size_t n_cols,
                                        const struct xnr_boot_params *params,
                                        struct xnr_f1_boot_stream **out, struct xnr_error *err)
{
	struct xnr_f1_counts shape = {n_rows, n_cols, NULL};
	enum xnr_status st = check_boot(&shape, NULL, params, err);
	struct xnr_f1_boot_stream *b;

	if (st != XNR_OK)
		return st;
	if (!(b = calloc(1, sizeof *b)) || !(b->total = calloc(3 * n_cols + 1, sizeof *b->total)) ||
	    !(b->sums = calloc(3 * n_cols * (size_t)params->n_resamples + 1, sizeof *b->sums))) {
		xnr_f1_boot_stream_close(b);
		return xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory for %d resamples",
		                params->n_resamples);
	}
	b->p = *params;
	b->n_rows = n_rows;
	b->n_cols = n_cols;
	*out = b;
	return XNR_OK;
}

void xnr_f1_boot_stream_close(struct xnr_f1_boot_stream *b)
{
	if (!b)
		return;
	free(b->total);
	free(b->sums);
	free(b);
}

enum xnr_status xnr_f1_boot_stream_add(struct xnr_f1_boot_stream *b,
                                       const struct xnr_f1_counts *chunk, struct xnr_error *err)
{
	const struct xnr_f1_counts *v[1] = {chunk};
	int64_t *sum = NULL;
	struct resample_job job;
	struct sparse sp;
	size_t c;
	int failed;

	if (chunk->n_cols != b->n_cols || chunk->n_rows > b->n_rows - b->added)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "bootstrap: a chunk of %zu x %zu counts after %zu of %zu x %zu",
		                chunk->n_rows, chunk->n_cols, b->added, b->n_rows, b->n_cols);
	if (!chunk->n_rows)
		return XNR_OK;
	memset(&sp, 0, sizeof sp);
	memset(&job, 0, sizeof job);
	job.v = v;
	job.sp = &sp;
	job.k = 1;
	job.R = (size_t)b->p.n_resamples;
	job.max_cols = b->n_cols;
	job.row0 = b->added;
	job.n_total = b->n_rows;
	job.seed = b->p.seed;
	job.sums = b->sums;
	failed = sparse_make(chunk, b->n_rows, &sp) != 0 ||
	         !(sum = malloc((3 * b->n_cols + 1) * sizeof *sum));
	if (!failed) { /* every row once: the estimate's counts */
		sum_rows(chunk, &sp, NULL, sp.acc, sum);
		for (c = 0; c < 3 * b->n_cols; c++)
			b->total[c] += sum[c];
		failed = resample_all(&job, b->p.n_threads) != 0;
	}
	free(sum);
	sparse_free(&sp);
	if (failed)
		return xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory for %d resamples",
		                b->p.n_resamples);
	b->added += chunk->n_rows;
	return XNR_OK;
}

enum xnr_status xnr_f1_boot_stream_result(const struct xnr_f1_boot_stream *b,
                                          struct xnr_f1_boot *out, struct xnr_error *err)
{
	size_t m = 2 + b->n_cols, R = (size_t)b->p.n_resamples, r, j;
	double *vals = malloc(m * R * sizeof *vals), *est = malloc(m * sizeof *est),
	       *s = malloc(m * sizeof *s);
	struct xnr_paired *res = calloc(m, sizeof *res);
	enum xnr_status st;

	if (b->added != b->n_rows)
		st = xnr_fail(err, XNR_ERR_INPUT, "bootstrap: %zu of %zu rows added", b->added,
		              b->n_rows);
	else if (!vals || !est || !s || !res)
		st = xnr_fail(err, XNR_ERR_NOMEM, "bootstrap: out of memory");
	else {
		score(b->total, b->n_cols, est);
		for (r = 0; r < R; r++) {
			score(b->sums + r * 3 * b->n_cols, b->n_cols, s);
			for (j = 0; j < m; j++)
				vals[j * R + r] = s[j];
		}
		for (j = 0; j < m; j++)
			res[j] = summarise_one(est[j], vals + j * R, R, b->p.level);
		st = fill_out(out, res, b->n_cols, &b->p, err);
	}
	free(vals);
	free(est);
	free(s);
	free(res);
	return st;
}

/* ---- McNemar ---- */

/* P(X <= k) for X ~ Bin(n, 1/2), summed from the smallest term up. */
static double binom_half_cdf(int64_t k, int64_t n)
{
	double lg = lgamma((double)n + 1.0) - (double)n * log(2.0), p = 0.0;
	int64_t i;

	for (i = 0; i <= k; i++)
		p += exp(lg - lgamma((double)i + 1.0) - lgamma((double)(n - i) + 1.0));
	return p;
}

struct xnr_mcnemar xnr_stats_mcnemar(int64_t n_ab, int64_t n_ba)
{
	struct xnr_mcnemar m = {n_ab, n_ba, 0.0, 1.0, 1.0};
	int64_t n = n_ab + n_ba, k = n_ab < n_ba ? n_ab : n_ba;
	double d;

	if (n <= 0)
		return m;
	d = fabs((double)(n_ab - n_ba)) - 1.0;
	m.chi2 = d > 0 ? d * d / (double)n : 0.0;
	m.p_chi2 = erfc(sqrt(m.chi2 / 2.0));
	m.p_exact = n_ab == n_ba ? 1.0 : fmin(1.0, 2.0 * binom_half_cdf(k, n));
	return m;
}
