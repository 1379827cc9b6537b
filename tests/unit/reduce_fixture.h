/*
 * reduce_fixture.h - reading tests/fixtures/reduce/<case>.{json,bin}, the
 * scikit-learn reference outputs written by tests/gen/gen_reduce.py, for the
 * test_reduce_* binaries (header-only: each test is its own executable), a
 * cmocka entry per fixture case, and a progress callback that checks and cancels.
 */
#ifndef XNR_TEST_REDUCE_FIXTURE_H
#define XNR_TEST_REDUCE_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "testutil.h"

struct rfx {
	json_t *meta;
	char *bin;
	size_t bin_len;
};

/* A cmocka test entry that runs fn with *state = the fixture case name, reported as
 * "fn(name)": one test function serves every case of a kind. */
/* clang-format off */
#define RFX_CASE(fn, name) {#fn "(" name ")", fn, NULL, NULL, (void *)(name)}
/* clang-format on */

static inline void rfx_open(struct rfx *f, const char *name)
{
	char rel[256];
	struct xnr_error err = {0};
	snprintf(rel, sizeof rel, "tests/fixtures/reduce/%s.json", name);
	assert_int_equal(xnr_json_load(tu_src(rel), 1 << 20, &f->meta, &err), XNR_OK);
	snprintf(rel, sizeof rel, "tests/fixtures/reduce/%s.bin", name);
	assert_int_equal(xnr_file_read(tu_src(rel), 1 << 24, &f->bin, &f->bin_len, &err), XNR_OK);
}

static inline void rfx_close(struct rfx *f)
{
	json_decref(f->meta);
	free(f->bin);
}

/* A numeric parameter of the call ("k", "n_iter", "tol") or a top-level scalar. */
static inline double rfx_num(const struct rfx *f, const char *key)
{
	const json_t *v = json_object_get(json_object_get(f->meta, "params"), key);
	if (!v)
		v = json_object_get(f->meta, key);
	assert_non_null(v);
	return json_number_value(v);
}

/* Array `key` as a malloc'd double copy; *count gets its number of values. */
static inline double *rfx_f64(const struct rfx *f, const char *key, long *count)
{
	const json_t *a = json_object_get(json_object_get(f->meta, "arrays"), key);
	assert_non_null(a);
	const json_t *shape = json_object_get(a, "shape");
	long n = 1;
	for (size_t i = 0; i < json_array_size(shape); i++)
		n *= (long)json_integer_value(json_array_get(shape, i));
	int is32 = strcmp(json_string_value(json_object_get(a, "dtype")), "f32") == 0;
	size_t off = (size_t)json_integer_value(json_object_get(a, "offset"));
	assert_true(off + (size_t)n * (is32 ? 4 : 8) <= f->bin_len);
	double *out = malloc(sizeof *out * (size_t)(n ? n : 1));
	assert_non_null(out);
	for (long i = 0; i < n; i++) {
		if (is32) {
			float v;
			memcpy(&v, f->bin + off + (size_t)i * 4, 4);
			out[i] = v;
		} else {
			memcpy(&out[i], f->bin + off + (size_t)i * 8, 8);
		}
	}
	*count = n;
	return out;
}

/* Array `key` as a malloc'd float copy. */
static inline float *rfx_f32(const struct rfx *f, const char *key, long *count)
{
	double *d = rfx_f64(f, key, count);
	float *out = malloc(sizeof *out * (size_t)(*count ? *count : 1));
	assert_non_null(out);
	for (long i = 0; i < *count; i++)
		out[i] = (float)d[i];
	free(d);
	return out;
}

/* max |got - want| over column j of [rows, cols] matrices, relative to max |want| there;
 * sign -1 compares with the negated reference. */
static inline double rfx_col_rel(const float *got, const double *want, long rows, long cols, long j,
                                 double sign)
{
	double diff = 0, scale = 0;
	for (long i = 0; i < rows; i++) {
		diff = fmax(diff, fabs(got[i * cols + j] - sign * want[i * cols + j]));
		scale = fmax(scale, fabs(want[i * cols + j]));
	}
	return scale > 0 ? diff / scale : diff;
}

/* Progress of a reduction (struct xnr_ctl's user data): each call names `stage` and
 * does not go back or beyond 1; at call cancel_after (0: never) it raises flag, which
 * serves as the cancel flag. */
struct rfx_watch {
	const char *stage;
	int calls, cancel_after, flag;
	double last;
};

static inline void rfx_on_progress(void *ud, double done, const char *stage)
{
	struct rfx_watch *w = ud;
	assert_string_equal(stage, w->stage);
	assert_true(done >= w->last && done <= 1.0);
	w->last = done;
	if (++w->calls == w->cancel_after)
		w->flag = 1;
}

#endif
