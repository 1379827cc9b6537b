/*
 * test_model_safetensors.c - the safetensors reader on hand-built files: one
 * case per validation rule of reference/hf-formats.md 1.3 (each must fail with
 * the right status and a message naming the file), valid edge cases (empty
 * and scalar tensors, padded headers, dtypes we never compute with), and
 * sharded index.json errors.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/safetensors.h"

/* Write an 8-byte little-endian header length n_hdr, then header, then data. */
static const char *write_raw(const char *dir, const char *name, uint64_t n_hdr, const char *header,
                             const void *data, size_t n_data)
{
	size_t hlen = strlen(header);
	unsigned char *buf = malloc(8 + hlen + n_data + 1);
	const char *path;
	for (int i = 0; i < 8; i++)
		buf[i] = (unsigned char)((n_hdr >> (8 * i)) & 0xFF);
	memcpy(buf + 8, header, hlen);
	if (n_data)
		memcpy(buf + 8 + hlen, data, n_data);
	path = tu_write(dir, name, buf, 8 + hlen + n_data);
	free(buf);
	return path;
}

static const char *write_st(const char *dir, const char *name, const char *header, const void *data,
                            size_t n_data)
{
	return write_raw(dir, name, strlen(header), header, data, n_data);
}

static const unsigned char zeros[64];

/* Open path, expect status want, and a message naming the file and holding `needle`. */
static void expect(const char *path, enum xnr_status want, const char *needle)
{
	struct xnr_safetensors *st = NULL;
	struct xnr_error err = {0};
	char copy[4200];
	enum xnr_status s;

	snprintf(copy, sizeof copy, "%s", path);
	s = xnr_safetensors_open(copy, &st, &err);
	if (s != want)
		fail_msg("%s: got %s (%s), want %s", copy, xnr_status_str(s), err.msg,
		         xnr_status_str(want));
	if (want == XNR_OK) {
		xnr_safetensors_close(st);
		return;
	}
	assert_null(st);
	if (!strstr(err.msg, copy) || !strstr(err.msg, needle) || strcmp(err.path, copy) != 0)
		fail_msg("message \"%s\" (path \"%s\") should name %s and say \"%s\"", err.msg,
		         err.path, copy, needle);
}

static void test_header_bounds(void **state)
{
	const char *dir = tu_tmpdir("st_bounds");
	(void)state;
	expect(tu_write(dir, "empty.safetensors", "", 0), XNR_ERR_FORMAT, "too small");
	expect(tu_write(dir, "short.safetensors", "\x02\0\0\0", 4), XNR_ERR_FORMAT, "too small");
	expect(write_raw(dir, "past.safetensors", 1000, "{}", NULL, 0), XNR_ERR_FORMAT,
	       "past the end");
	expect(write_raw(dir, "huge.safetensors", 100000001ULL, "{}", NULL, 0), XNR_ERR_LIMIT,
	       "more than the 100000000 allowed");
	expect(write_raw(dir, "max.safetensors", UINT64_MAX, "{}", NULL, 0), XNR_ERR_LIMIT,
	       "allowed");
}

static void test_header_json(void **state)
{
	const char *dir = tu_tmpdir("st_json");
	(void)state;
	expect(write_st(dir, "json.safetensors", "{\"a\": ", NULL, 0), XNR_ERR_FORMAT,
	       "invalid JSON");
	expect(write_st(dir, "utf8.safetensors", "{\"\xff\": 1}", NULL, 0), XNR_ERR_FORMAT,
	       "UTF-8");
	expect(write_st(dir, "surrogate.safetensors", "{\"\xed\xa0\x80\": 1}", NULL, 0),
	       XNR_ERR_FORMAT, "UTF-8");
	expect(write_st(dir, "array.safetensors", "[]", NULL, 0), XNR_ERR_FORMAT,
	       "not a JSON object");
	expect(write_st(dir, "dup.safetensors",
	                "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
	                "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}",
	                zeros, 2),
	       XNR_ERR_FORMAT, "duplicate");
	expect(write_st(dir, "meta.safetensors", "{\"__metadata__\":{\"format\":1}}", NULL, 0),
	       XNR_ERR_FORMAT, "__metadata__ \"format\" must be a string");
	expect(write_st(dir, "meta2.safetensors", "{\"__metadata__\":[]}", NULL, 0), XNR_ERR_FORMAT,
	       "__metadata__");
	expect(write_st(dir, "entry.safetensors", "{\"a\":3}", NULL, 0), XNR_ERR_FORMAT,
	       "not an object");
	expect(write_st(dir, "nodtype.safetensors", "{\"a\":{\"shape\":[],\"data_offsets\":[0,4]}}",
	                zeros, 4),
	       XNR_ERR_FORMAT, "\"dtype\"");
	expect(write_st(dir, "dtype.safetensors",
	                "{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", zeros,
	                4),
	       XNR_ERR_FORMAT, "unknown dtype \"F33\"");
	expect(write_st(dir, "shape.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", zeros,
	                4),
	       XNR_ERR_FORMAT, "shape[0]");
	expect(write_st(dir, "offs.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", zeros, 4),
	       XNR_ERR_FORMAT, "data_offsets");
}

static void test_sizes(void **state)
{
	const char *dir = tu_tmpdir("st_sizes");
	(void)state;
	expect(write_st(dir, "size.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", zeros,
	                8),
	       XNR_ERR_FORMAT, "need 12");
	expect(
	    write_st(
	        dir, "rank.safetensors",
	        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}",
	        zeros, 1),
	    XNR_ERR_UNSUPPORTED, "9 dimensions");
	expect(write_st(dir, "overflow.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_"
	                "offsets\":[0,4]}}",
	                zeros, 4),
	       XNR_ERR_FORMAT, "overflows");
	expect(write_st(dir, "bits.safetensors",
	                "{\"a\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_"
	                "offsets\":[0,8]}}",
	                zeros, 8),
	       XNR_ERR_FORMAT, "overflows");
	expect(write_st(dir, "f4.safetensors",
	                "{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", zeros,
	                2),
	       XNR_ERR_FORMAT, "whole number of bytes");
	expect(write_st(dir, "endbegin.safetensors",
	                "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", zeros,
	                4),
	       XNR_ERR_FORMAT, "end before they begin");
}

static void test_offsets(void **state)
{
	const char *dir = tu_tmpdir("st_offsets");
	(void)state;
	expect(write_st(dir, "overlap.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
	                "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
	                zeros, 12),
	       XNR_ERR_FORMAT, "overlaps");
	expect(write_st(dir, "gap.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
	                "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
	                zeros, 12),
	       XNR_ERR_FORMAT, "gap");
	expect(write_st(dir, "start.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", zeros,
	                8),
	       XNR_ERR_FORMAT, "gap");
	expect(write_st(dir, "oob.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", zeros,
	                4),
	       XNR_ERR_FORMAT, "past the 4 bytes of data");
	expect(write_st(dir, "trailing.safetensors",
	                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", zeros,
	                7),
	       XNR_ERR_FORMAT, "3 bytes after the last tensor");
	expect(write_st(dir, "nodata.safetensors", "{}", zeros, 1), XNR_ERR_FORMAT,
	       "1 bytes after");
}

static void test_valid_files(void **state)
{
	const char *dir = tu_tmpdir("st_valid");
	struct xnr_safetensors *st = NULL;
	struct xnr_error err;
	const struct xnr_st_tensor *t;
	const float data[4] = {1.5f, -2.0f, 0.25f, 0.0f};
	const char *path;
	(void)state;
	expect(write_st(dir, "empty_header.safetensors", "{}", NULL, 0), XNR_OK, "");
	/* zero-length tensors (sorted before and between), a scalar, padded header */
	const char *hdr =
	    "{\"__metadata__\":{\"format\":\"pt\"},"
	    "\"z\":{\"dtype\":\"F16\",\"shape\":[0,5],\"data_offsets\":[0,0]},"
	    "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
	    "\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1},"
	    "\"e\":{\"dtype\":\"I64\",\"shape\":[0],\"data_offsets\":[8,8]},"
	    "\"u\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[12,14]}}    ";
	path = write_st(dir, "ok.safetensors", hdr, data, 14);
	assert_int_equal(xnr_safetensors_open(path, &st, &err), XNR_OK);
	assert_int_equal(xnr_safetensors_count(st), 5);
	assert_string_equal(xnr_safetensors_at(st, 0)->name, "e");
	assert_string_equal(xnr_safetensors_at(st, 4)->name, "z");
	assert_null(xnr_safetensors_at(st, 5));
	assert_null(xnr_safetensors_find(st, "nope"));
	assert_null(xnr_safetensors_find(st, "__metadata__"));
	t = xnr_safetensors_find(st, "v");
	assert_non_null(t);
	assert_int_equal(t->dtype, XNR_DTYPE_F32);
	assert_int_equal(t->n_dims, 1);
	assert_int_equal(t->shape[0], 2);
	assert_int_equal(t->n_bytes, 8);
	assert_memory_equal(t->data, data, 8);
	t = xnr_safetensors_find(st, "s");
	assert_int_equal(t->n_dims, 0);
	assert_int_equal(t->n_elems, 1);
	assert_memory_equal(t->data, &data[2], 4);
	t = xnr_safetensors_find(st, "z");
	assert_int_equal(t->n_elems, 0);
	assert_int_equal(t->n_dims, 2);
	assert_int_equal(xnr_safetensors_find(st, "u")->dtype, XNR_DTYPE_OTHER);
	assert_int_equal(xnr_safetensors_bytes(st), 8 + strlen(hdr) + 14);
	xnr_safetensors_close(st);
	xnr_safetensors_close(NULL);
	assert_string_equal(xnr_dtype_str(XNR_DTYPE_BF16), "BF16");
	assert_string_equal(xnr_dtype_str((enum xnr_dtype)99), "invalid dtype");
}

#define ONE_U8 "{\"%s\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}"

static void write_shard(const char *dir, const char *file, const char *tensor)
{
	char hdr[256];
	snprintf(hdr, sizeof hdr, ONE_U8, tensor);
	write_st(dir, file, hdr, zeros, 1);
}

static void expect_dir(const char *dir, enum xnr_status want, const char *needle)
{
	struct xnr_safetensors *st = NULL;
	struct xnr_error err = {0};
	enum xnr_status s = xnr_safetensors_open_dir(dir, &st, &err);
	if (s != want || (needle && !strstr(err.msg, needle)))
		fail_msg("%s: got %s \"%s\", want %s with \"%s\"", dir, xnr_status_str(s), err.msg,
		         xnr_status_str(want), needle ? needle : "");
	if (s == XNR_OK) {
		assert_int_equal(xnr_safetensors_count(st), 3);
		assert_int_equal(xnr_safetensors_find(st, "c")->shard, 1);
		xnr_safetensors_close(st);
	}
	assert_true(s == XNR_OK || st == NULL);
}

static void index_with(const char *dir, const char *index_json)
{
	tu_write(dir, "model.safetensors.index.json", index_json, strlen(index_json));
}

static void test_sharded(void **state)
{
	const char *dir = tu_tmpdir("st_sharded");
	const char *ab = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
	                 "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
	(void)state;
	expect_dir(dir, XNR_ERR_NOT_FOUND, "pytorch_model.bin and pytorch_model.bin.index.json");
	write_st(dir, "s1.safetensors", ab, zeros, 2);
	write_shard(dir, "s2.safetensors", "c");
	index_with(dir, "{\"weight_map\":{\"a\":\"s1.safetensors\",\"c\":\"s2.safetensors\","
	                "\"b\":\"s1.safetensors\"}}");
	expect_dir(dir, XNR_OK, NULL);
	index_with(dir, "{\"weight_map\":{\"a\":\"s2.safetensors\"}}");
	expect_dir(dir, XNR_ERR_FORMAT, "tensor a is not in s2.safetensors");
	index_with(dir, "{\"weight_map\":{\"zz\":\"s1.safetensors\"}}");
	expect_dir(dir, XNR_ERR_FORMAT, "tensor zz is not in");
	index_with(dir, "{\"weight_map\":{\"a\":\"../s1.safetensors\"}}");
	expect_dir(dir, XNR_ERR_FORMAT, "must be a file name");
	index_with(dir, "{\"weight_map\":{\"a\":3}}");
	expect_dir(dir, XNR_ERR_FORMAT, "must be a file name");
	index_with(dir, "{\"weight_map\":{}}");
	expect_dir(dir, XNR_ERR_FORMAT, "weight_map");
	index_with(dir, "{\"weight_map\":{\"a\":\"missing.safetensors\"}}");
	expect_dir(dir, XNR_ERR_NOT_FOUND, "missing.safetensors");
	/* the same tensor name in two shards */
	write_shard(dir, "s3.safetensors", "a");
	index_with(dir, "{\"weight_map\":{\"a\":\"s1.safetensors\",\"x\":\"s3.safetensors\"}}");
	expect_dir(dir, XNR_ERR_FORMAT, "tensor a appears twice");
	index_with(dir, "{\"weight_map\":");
	expect_dir(dir, XNR_ERR_FORMAT, "invalid JSON");
	/* a broken shard names the shard file */
	tu_write(dir, "s2.safetensors", "x", 1);
	index_with(dir, "{\"weight_map\":{\"c\":\"s2.safetensors\"}}");
	expect_dir(dir, XNR_ERR_FORMAT, "s2.safetensors: 1 bytes, too small");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_bounds), cmocka_unit_test(test_header_json),
	    cmocka_unit_test(test_sizes),         cmocka_unit_test(test_offsets),
	    cmocka_unit_test(test_valid_files),   cmocka_unit_test(test_sharded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
