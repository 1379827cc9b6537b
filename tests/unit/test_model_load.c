/*
 * test_model_load.c - xnr_model_open on the demo model (conll03-bert-mini) and
 * on copies of it rewritten by a small safetensors writer below: F16, BF16,
 * unaligned F32, two shards + index.json, unprefixed and gamma/beta names,
 * and broken variants (missing or misshapen tensors, wrong dtype, missing
 * files) that must fail with a message naming the file and the tensor.
 *
 * White-box: includes model/internal.h to read the bound weight pointers.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "model/internal.h"

#define MINI "demo/model" /* a copy of conll03-bert-mini */

/* How a copy of the model is written. */
struct copy_opts {
	const char *dtype;     /* "F32", "F16", "BF16", or "I64"-style override via bad_dtype */
	int misalign;          /* shift the data buffer so F32 tensors are not 4-byte aligned */
	int strip_prefix;      /* drop "bert." */
	int old_ln_names;      /* LayerNorm.weight/bias -> gamma/beta */
	const char *drop;      /* leave this tensor out */
	const char *bad_shape; /* write this tensor with its first dim one less */
	const char *bad_dtype; /* write this tensor as I32 */
	int extras;            /* add pooler and position_ids tensors that must be ignored */
	int first, last;       /* tensor index range [first, last) of the source; last 0 = all */
	const uint16_t *cls_bias_bits; /* F16 only: raw bits for classifier.bias (9 values) */
};

/* IEEE binary32 -> binary16, round to nearest even (subnormals, overflow to inf). */
static uint16_t f32_to_f16(float f)
{
	uint32_t x, man, sign, r, rem, half;
	int32_t exp;
	memcpy(&x, &f, sizeof x);
	sign = (x >> 16) & 0x8000u;
	man = x & 0x7FFFFFu;
	if (((x >> 23) & 0xFF) == 0xFF)
		return (uint16_t)(sign | 0x7C00u | (man ? 0x200u : 0));
	exp = (int32_t)((x >> 23) & 0xFF) - 112;
	if (exp >= 31)
		return (uint16_t)(sign | 0x7C00u);
	if (exp <= 0) {
		int shift = 14 - exp;
		if (shift > 24)
			return (uint16_t)sign;
		man |= 0x800000u;
		half = 1u << (shift - 1);
		r = man >> shift;
		rem = man & ((1u << shift) - 1);
		if (rem > half || (rem == half && (r & 1)))
			r++;
		return (uint16_t)(sign | r);
	}
	r = ((uint32_t)exp << 10) | (man >> 13);
	rem = man & 0x1FFFu;
	if (rem > 0x1000u || (rem == 0x1000u && (r & 1)))
		r++;
	return (uint16_t)(sign | r);
}

static uint16_t f32_to_bf16(float f)
{
	uint32_t x;
	memcpy(&x, &f, sizeof x);
	return (uint16_t)((x + 0x7FFFu + ((x >> 16) & 1)) >> 16);
}

/* Source tensor -> output bytes in the requested dtype (malloc'd). */
static void *encode(const struct xnr_st_tensor *t, const char *dtype, size_t *n_bytes)
{
	const float *src = t->data;
	size_t n = (size_t)t->n_elems, i;
	unsigned char *out;

	if (t->dtype != XNR_DTYPE_F32 || strcmp(dtype, "F32") == 0) {
		out = malloc(t->n_bytes + 1);
		memcpy(out, t->data, t->n_bytes);
		*n_bytes = t->n_bytes;
		return out;
	}
	out = malloc(2 * n + 1);
	for (i = 0; i < n; i++) {
		uint16_t h = strcmp(dtype, "F16") == 0 ? f32_to_f16(src[i]) : f32_to_bf16(src[i]);
		out[2 * i] = (unsigned char)(h & 0xFF);
		out[2 * i + 1] = (unsigned char)(h >> 8);
	}
	*n_bytes = 2 * n;
	return out;
}

struct out_tensor {
	char name[256];
	const char *dtype;
	int n_dims;
	int64_t shape[XNR_ST_MAX_DIMS];
	void *data;
	size_t n_bytes;
};

static void rename_tensor(const char *src, const struct copy_opts *o, char *dst, size_t n)
{
	size_t len;
	snprintf(dst, n, "%s", o->strip_prefix && strncmp(src, "bert.", 5) == 0 ? src + 5 : src);
	len = strlen(dst);
	if (o->old_ln_names && len > 16 && strcmp(dst + len - 16, "LayerNorm.weight") == 0)
		strcpy(dst + len - 6, "gamma");
	else if (o->old_ln_names && len > 14 && strcmp(dst + len - 14, "LayerNorm.bias") == 0)
		strcpy(dst + len - 4, "beta");
}

/* Write tensors as a safetensors file; misalign pads the header so the data
 * starts at an offset that is 2 mod 4. */
static void write_safetensors(const char *path, struct out_tensor *ts, int n, int misalign)
{
	json_t *hdr = json_object();
	size_t off = 0, hlen, pad;
	char *text;
	FILE *f;
	int i;

	json_object_set_new(hdr, "__metadata__", json_pack("{s:s}", "format", "pt"));
	for (i = 0; i < n; i++) {
		json_t *shape = json_array();
		for (int d = 0; d < ts[i].n_dims; d++)
			json_array_append_new(shape, json_integer(ts[i].shape[d]));
		json_object_set_new(hdr, ts[i].name,
		                    json_pack("{s:s,s:o,s:[I,I]}", "dtype", ts[i].dtype, "shape",
		                              shape, "data_offsets", (json_int_t)off,
		                              (json_int_t)(off + ts[i].n_bytes)));
		off += ts[i].n_bytes;
	}
	text = json_dumps(hdr, JSON_PRESERVE_ORDER | JSON_COMPACT);
	hlen = strlen(text);
	pad = (8 - (8 + hlen) % 8) % 8 + (misalign ? 2 : 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	for (i = 0; i < 8; i++)
		fputc((int)(((uint64_t)(hlen + pad) >> (8 * i)) & 0xFF), f);
	fwrite(text, 1, hlen, f);
	for (size_t k = 0; k < pad; k++)
		fputc(' ', f);
	for (i = 0; i < n; i++)
		fwrite(ts[i].data, 1, ts[i].n_bytes, f);
	fclose(f);
	free(text);
	json_decref(hdr);
}

static void add_extra(struct out_tensor *o, const char *name, const char *dtype, int64_t d0,
                      int64_t d1, size_t elem_bytes)
{
	snprintf(o->name, sizeof o->name, "%s", name);
	o->dtype = dtype;
	o->n_dims = 2;
	o->shape[0] = d0;
	o->shape[1] = d1;
	o->n_bytes = (size_t)(d0 * d1) * elem_bytes;
	o->data = calloc(1, o->n_bytes + 1);
}

/* Copy tensors [first, last) of the demo model into path, transformed per o. */
static void write_copy(const char *path, const struct copy_opts *o)
{
	struct xnr_safetensors *src = NULL;
	struct xnr_error err;
	struct out_tensor *ts;
	int i, n = 0, last;

	assert_int_equal(xnr_safetensors_open(tu_src(MINI "/model.safetensors"), &src, &err),
	                 XNR_OK);
	last = o->last ? o->last : xnr_safetensors_count(src);
	ts = calloc((size_t)last + 2, sizeof *ts);
	for (i = o->first; i < last; i++) {
		const struct xnr_st_tensor *t = xnr_safetensors_at(src, i);
		struct out_tensor *w = &ts[n];
		if (o->drop && strcmp(t->name, o->drop) == 0)
			continue;
		rename_tensor(t->name, o, w->name, sizeof w->name);
		w->dtype = o->dtype ? o->dtype : "F32";
		w->n_dims = t->n_dims;
		memcpy(w->shape, t->shape, sizeof w->shape);
		w->data = encode(t, w->dtype, &w->n_bytes);
		if (o->cls_bias_bits && strcmp(t->name, "classifier.bias") == 0)
			memcpy(w->data, o->cls_bias_bits, w->n_bytes);
		if (o->bad_dtype && strcmp(t->name, o->bad_dtype) == 0)
			w->dtype = strcmp(w->dtype, "F32") == 0 ? "I32" : "I16";
		if (o->bad_shape && strcmp(t->name, o->bad_shape) == 0) {
			w->shape[w->n_dims - 1] -= 1;
			w->n_bytes = w->n_bytes / (size_t)t->shape[t->n_dims - 1] *
			             (size_t)w->shape[w->n_dims - 1];
		}
		n++;
	}
	if (o->extras) {
		add_extra(&ts[n++], "bert.pooler.dense.weight", "F32", 256, 256, 4);
		add_extra(&ts[n++], "bert.embeddings.position_ids", "I64", 1, 512, 8);
	}
	write_safetensors(path, ts, n, o->misalign);
	for (i = 0; i < n; i++)
		free(ts[i].data);
	free(ts);
	xnr_safetensors_close(src);
}

/* A model folder: the demo config.json and a rewritten model.safetensors. */
static const char *make_copy(const char *name, const struct copy_opts *o)
{
	static char dir[4096];
	char path[4200];
	snprintf(dir, sizeof dir, "%s", tu_tmpdir(name));
	snprintf(path, sizeof path, "%s/config.json", dir);
	tu_copy(tu_src(MINI "/config.json"), path);
	snprintf(path, sizeof path, "%s/model.safetensors", dir);
	write_copy(path, o);
	return dir;
}

/* Every bound weight of a model as (pointer, element count), in a fixed order. */
struct weights {
	const float *p[128];
	size_t n[128];
	int count;
};

static void add_w(struct weights *w, const float *p, size_t n)
{
	w->p[w->count] = p;
	w->n[w->count++] = n;
}

static void weights_of(const struct xnr_model *m, struct weights *w)
{
	const struct xnr_model_config *c = &m->cfg;
	size_t h = (size_t)c->hidden_size, i = (size_t)c->intermediate_size;
	size_t e = (size_t)c->embedding_size;
	int l;

	w->count = 0;
	add_w(w, m->emb.word, (size_t)c->vocab_size * e);
	add_w(w, m->emb.position, (size_t)c->max_positions * e);
	add_w(w, m->emb.token_type, (size_t)c->type_vocab_size * e);
	add_w(w, m->emb.ln_w, e);
	add_w(w, m->emb.ln_b, e);
	add_w(w, m->emb.proj_w, m->emb.proj_w ? h * e : 0);
	add_w(w, m->emb.proj_b, m->emb.proj_w ? h : 0);
	for (l = 0; l < c->n_layers; l++) {
		const struct xnr__layer *y = &m->layers[l];
		add_w(w, y->q_w, h * h);
		add_w(w, y->q_b, h);
		add_w(w, y->k_w, h * h);
		add_w(w, y->k_b, h);
		add_w(w, y->v_w, h * h);
		add_w(w, y->v_b, h);
		add_w(w, y->o_w, h * h);
		add_w(w, y->o_b, h);
		add_w(w, y->ln1_w, h);
		add_w(w, y->ln1_b, h);
		add_w(w, y->ff1_w, i * h);
		add_w(w, y->ff1_b, i);
		add_w(w, y->ff2_w, h * i);
		add_w(w, y->ff2_b, h);
		add_w(w, y->ln2_w, h);
		add_w(w, y->ln2_b, h);
	}
	add_w(w, m->cls_w, (size_t)c->n_labels * h);
	add_w(w, m->cls_b, (size_t)c->n_labels);
}

static size_t total_elems(const struct weights *w)
{
	size_t n = 0;
	for (int k = 0; k < w->count; k++)
		n += w->n[k];
	return n;
}

/* max |a - b| / (|b| + floor) over all weights; identical pointers lists expected */
static double max_rel_diff(const struct xnr_model *a, const struct xnr_model *b, double floor)
{
	struct weights wa, wb;
	double worst = 0;
	weights_of(a, &wa);
	weights_of(b, &wb);
	assert_int_equal(wa.count, wb.count);
	for (int k = 0; k < wa.count; k++) {
		assert_int_equal(wa.n[k], wb.n[k]);
		for (size_t j = 0; j < wa.n[k]; j++) {
			double d =
			    fabs((double)wa.p[k][j] - wb.p[k][j]) / (fabs(wb.p[k][j]) + floor);
			if (d > worst)
				worst = d;
		}
	}
	return worst;
}

static struct xnr_model *open_ok(const char *dir)
{
	struct xnr_model *m = NULL;
	struct xnr_error err = {0};
	enum xnr_status s = xnr_model_open(dir, &m, &err);
	if (s != XNR_OK)
		fail_msg("%s: %s", dir, err.msg);
	return m;
}

/* Values read with /usr/bin/python3: the safetensors JSON header + numpy
 * frombuffer(float32) on the demo model.safetensors; the F16 / BF16 columns
 * are torch.tensor(v).half().float() and .bfloat16().float() of the same value. */
static const struct {
	size_t tensor; /* index into weights_of() order */
	size_t at;     /* flat element index */
	float f32, f16, bf16;
} probes[] = {
    {0, 100 * 256 + 7, -0.0133677116f, -0.0133666992f, -0.0133666992f}, /* word[100,7] */
    {7 + 3 * 16 + 12, 255 * 1024 + 1023, -0.0270660985f, -0.0270690918f, -0.0270996094f},
    {7 + 1, 0, 0.006002435f, 0.0060043335f, 0.00601196289f}, /* layer 0 query.bias[0] */
    {7 + 4 * 16, 8 * 256 + 255, -0.0260593984f, -0.0260620117f, -0.0260009766f}, /* classifier */
    {3, 3, 0.943326712f, 0.943359375f, 0.94140625f}, /* embeddings LN weight[3] */
    {7 + 2 * 16 + 10, 1000 * 256 + 17, -0.00707918173f, -0.00708007812f, -0.00708007812f},
};

static void check_probes(const struct xnr_model *m, int column)
{
	struct weights w;
	weights_of(m, &w);
	for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
		float want = column == 0   ? probes[k].f32
		             : column == 1 ? probes[k].f16
		                           : probes[k].bf16;
		assert_float_equal(w.p[probes[k].tensor][probes[k].at], want, 1e-9);
	}
}

static void test_open_mini(void **state)
{
	struct xnr_model *m = open_ok(tu_src(MINI));
	const struct xnr_model_config *c = xnr_model_config(m);
	(void)state;
	assert_int_equal(c->arch, XNR_ARCH_BERT);
	assert_int_equal(c->n_layers, 4);
	assert_int_equal(c->hidden_size, 256);
	assert_int_equal(c->n_heads, 4);
	assert_int_equal(c->intermediate_size, 1024);
	assert_int_equal(c->vocab_size, 9000);
	assert_int_equal(c->n_labels, 9);
	assert_string_equal(c->id2label[1], "B-PER");
	assert_string_equal(c->id2label[8], "I-MISC");
	assert_float_equal(c->layer_norm_eps, 1e-12f, 1e-18);
	assert_int_equal(c->act, XNR_ACT_GELU);
	assert_int_equal(c->position_offset, 0);
	assert_null(m->emb.proj_w);
	check_probes(m, 0);
	/* aligned F32: all in place, nothing converted */
	assert_null(m->converted);
	assert_int_equal(xnr_model_weight_bytes(m), 22397932);
	xnr_model_close(m);
	xnr_model_close(NULL);
}

static void test_f16_bf16(void **state)
{
	struct copy_opts o16 = {.dtype = "F16"}, obf = {.dtype = "BF16"};
	struct xnr_model *ref = open_ok(tu_src(MINI));
	struct xnr_model *m16 = open_ok(make_copy("load_f16", &o16));
	struct xnr_model *mbf = open_ok(make_copy("load_bf16", &obf));
	struct weights w;
	double d16 = max_rel_diff(m16, ref, 6.2e-5), dbf = max_rel_diff(mbf, ref, 1e-38);
	(void)state;
	check_probes(m16, 1);
	check_probes(mbf, 2);
	weights_of(ref, &w);
	assert_int_equal(m16->converted_bytes, total_elems(&w) * sizeof(float));
	assert_int_equal(xnr_model_weight_bytes(mbf),
	                 xnr_safetensors_bytes(mbf->st) + total_elems(&w) * sizeof(float));
	/* half an ulp: 2^-11 relative for F16 normals (absolute 2^-25 below 2^-14
	 * folded into the floor), 2^-8 for BF16 */
	printf("max relative difference: F16 %.3g, BF16 %.3g\n", d16, dbf);
	assert_true(d16 <= 1.0 / 2048 + 1e-7);
	assert_true(dbf <= 1.0 / 256 + 1e-7);
	xnr_model_close(ref);
	xnr_model_close(m16);
	xnr_model_close(mbf);
}

static void test_f16_special_values(void **state)
{
	/* +0, -0, smallest subnormal, largest subnormal, smallest normal, max,
	 * +inf, -inf, nan */
	static const uint16_t bits[9] = {0x0000, 0x8000, 0x0001, 0x03FF, 0x0400,
	                                 0x7BFF, 0x7C00, 0xFC00, 0x7E00};
	struct copy_opts o = {.dtype = "F16", .cls_bias_bits = bits};
	struct xnr_model *m = open_ok(make_copy("load_f16_special", &o));
	const float *b = m->cls_b;
	(void)state;
	assert_true(b[0] == 0.0f && !signbit(b[0]));
	assert_true(b[1] == 0.0f && signbit(b[1]));
	assert_true(b[2] == ldexpf(1.0f, -24));
	assert_true(b[3] == ldexpf(1023.0f, -24));
	assert_true(b[4] == ldexpf(1.0f, -14));
	assert_true(b[5] == 65504.0f);
	assert_true(isinf(b[6]) && b[6] > 0);
	assert_true(isinf(b[7]) && b[7] < 0);
	assert_true(isnan(b[8]));
	xnr_model_close(m);
}

static void test_unaligned_f32(void **state)
{
	struct copy_opts o = {.misalign = 1};
	struct xnr_model *ref = open_ok(tu_src(MINI));
	struct xnr_model *m = open_ok(make_copy("load_unaligned", &o));
	struct weights w;
	(void)state;
	weights_of(m, &w);
	assert_int_equal(m->converted_bytes, total_elems(&w) * sizeof(float));
	assert_true(max_rel_diff(m, ref, 1e-30) == 0.0);
	check_probes(m, 0);
	xnr_model_close(ref);
	xnr_model_close(m);
}

static void test_sharded(void **state)
{
	struct xnr_safetensors *src = NULL;
	struct xnr_error err;
	const char *dir = tu_tmpdir("load_sharded");
	char path[4200];
	json_t *map = json_object(), *index;
	int n, split, i;
	(void)state;
	assert_int_equal(xnr_safetensors_open(tu_src(MINI "/model.safetensors"), &src, &err),
	                 XNR_OK);
	n = xnr_safetensors_count(src);
	split = n / 2;
	for (i = 0; i < n; i++)
		json_object_set_new(map, xnr_safetensors_at(src, i)->name,
		                    json_string(i < split ? "model-00001-of-00002.safetensors"
		                                          : "model-00002-of-00002.safetensors"));
	xnr_safetensors_close(src);
	index = json_pack("{s:{s:I},s:o}", "metadata", "total_size", (json_int_t)22389796,
	                  "weight_map", map);
	snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
	assert_int_equal(json_dump_file(index, path, JSON_INDENT(2)), 0);
	json_decref(index);
	snprintf(path, sizeof path, "%s/config.json", dir);
	tu_copy(tu_src(MINI "/config.json"), path);
	snprintf(path, sizeof path, "%s/model-00001-of-00002.safetensors", dir);
	write_copy(path, &(struct copy_opts){.first = 0, .last = split});
	snprintf(path, sizeof path, "%s/model-00002-of-00002.safetensors", dir);
	write_copy(path, &(struct copy_opts){.first = split});

	struct xnr_model *ref = open_ok(tu_src(MINI));
	struct xnr_model *m = open_ok(dir);
	assert_true(max_rel_diff(m, ref, 1e-30) == 0.0);
	check_probes(m, 0);
	xnr_model_close(ref);
	xnr_model_close(m);

	/* a tensor the index puts in a shard that does not hold it */
	snprintf(path, sizeof path, "%s/model-00002-of-00002.safetensors", dir);
	write_copy(path, &(struct copy_opts){.first = split, .drop = "classifier.weight"});
	snprintf(path, sizeof path, "%s/model-00001-of-00002.safetensors", dir);
	write_copy(path, &(struct copy_opts){.first = 0, .last = split});
	m = NULL;
	assert_int_equal(xnr_model_open(dir, &m, &err), XNR_ERR_FORMAT);
	assert_null(m);
	assert_non_null(strstr(err.msg, "model.safetensors.index.json"));
	assert_non_null(strstr(err.msg, "classifier.weight"));
}

static void test_name_variants(void **state)
{
	struct copy_opts o = {.strip_prefix = 1, .old_ln_names = 1, .extras = 1};
	struct xnr_model *ref = open_ok(tu_src(MINI));
	struct xnr_model *m = open_ok(make_copy("load_names", &o));
	(void)state;
	assert_true(max_rel_diff(m, ref, 1e-30) == 0.0);
	xnr_model_close(ref);
	xnr_model_close(m);
}

static const char *fixture(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s", tu_src("tests/fixtures/models"));
	snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", name);
	return path;
}

/* The generated fixtures (tests/gen/gen_models.py): every architecture loads
 * with its class's quirks, and the BERT variants written from the same seed
 * (F16, BF16, sharded, unprefixed + gamma/beta + ignored tensors) bind the
 * same weights as the plain one. */
static void test_fixtures(void **state)
{
	static const struct {
		const char *name;
		enum xnr_arch arch;
		double tol; /* max relative difference to "bert"; < 0: not a bert copy */
	} cases[] = {
	    {"bert", XNR_ARCH_BERT, 0},
	    {"bert_sharded", XNR_ARCH_BERT, 0},
	    {"bert_noprefix", XNR_ARCH_BERT, 0},
	    {"bert_f16", XNR_ARCH_BERT, 1.0 / 2048 + 1e-7},
	    {"bert_bf16", XNR_ARCH_BERT, 1.0 / 256 + 1e-7},
	    {"bert_gelu_tanh", XNR_ARCH_BERT, -1},
	    {"distilbert", XNR_ARCH_DISTILBERT, -1},
	    {"roberta", XNR_ARCH_ROBERTA, -1},
	    {"xlm_roberta", XNR_ARCH_XLM_ROBERTA, -1},
	    {"electra", XNR_ARCH_ELECTRA, -1},
	};
	struct xnr_model *ref;
	(void)state;
	if (!xnr_file_exists(tu_src("tests/fixtures/models/bert/config.json")))
		skip();
	ref = open_ok(fixture("bert"));
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct xnr_model *m = open_ok(fixture(cases[k].name));
		const struct xnr_model_config *c = xnr_model_config(m);
		assert_int_equal(c->arch, cases[k].arch);
		if (cases[k].tol >= 0) {
			double d = max_rel_diff(m, ref, 6.2e-5);
			printf("%s: max relative difference to bert %.3g\n", cases[k].name, d);
			assert_true(d <= cases[k].tol);
		}
		if (c->arch == XNR_ARCH_DISTILBERT)
			assert_null(m->emb.token_type);
		if (c->arch == XNR_ARCH_ROBERTA || c->arch == XNR_ARCH_XLM_ROBERTA)
			assert_int_equal(c->position_offset, c->pad_token_id + 1);
		if (c->arch == XNR_ARCH_ELECTRA)
			assert_true((m->emb.proj_w != NULL) ==
			            (c->embedding_size != c->hidden_size));
		xnr_model_close(m);
	}
	xnr_model_close(ref);
}

static void expect_fail(const char *dir, enum xnr_status want, const char *s1, const char *s2)
{
	struct xnr_model *m = NULL;
	struct xnr_error err = {0};
	enum xnr_status s = xnr_model_open(dir, &m, &err);
	if (s != want || !strstr(err.msg, s1) || (s2 && !strstr(err.msg, s2)))
		fail_msg("%s: got %s \"%s\", want %s with \"%s\"", dir, xnr_status_str(s), err.msg,
		         xnr_status_str(want), s1);
	assert_null(m);
}

static void test_broken_models(void **state)
{
	const char *dir;
	char path[4200];
	json_t *cfg;
	(void)state;
	dir = make_copy("load_missing",
	                &(struct copy_opts){.drop = "bert.encoder.layer.3.output.dense.bias"});
	expect_fail(dir, XNR_ERR_MISMATCH,
	            "model.safetensors: no tensor bert.encoder.layer.3.output.dense.bias", NULL);

	dir =
	    make_copy("load_shape",
	              &(struct copy_opts){.bad_shape = "bert.encoder.layer.3.output.dense.weight"});
	expect_fail(dir, XNR_ERR_MISMATCH,
	            "model.safetensors: tensor bert.encoder.layer.3.output.dense.weight has shape "
	            "[256, 1023], config.json implies [256, 1024] (hidden_size, intermediate_size)",
	            NULL);

	dir = make_copy("load_dtype",
	                &(struct copy_opts){.bad_dtype = "bert.embeddings.LayerNorm.bias"});
	expect_fail(dir, XNR_ERR_UNSUPPORTED, "bert.embeddings.LayerNorm.bias has dtype I32", NULL);

	/* config.json with 8 labels against a 9-row classifier */
	dir = make_copy("load_labels", &(struct copy_opts){0});
	snprintf(path, sizeof path, "%s/config.json", dir);
	cfg = json_load_file(path, 0, NULL);
	assert_non_null(cfg);
	json_object_del(json_object_get(cfg, "id2label"), "8");
	assert_int_equal(json_dump_file(cfg, path, 0), 0);
	json_decref(cfg);
	expect_fail(
	    dir, XNR_ERR_MISMATCH,
	    "classifier.weight has shape [9, 256], config.json implies [8, 256] (len(id2label)",
	    NULL);

	/* no weights at all, then no config.json */
	dir = tu_tmpdir("load_noweights");
	snprintf(path, sizeof path, "%s/config.json", dir);
	tu_copy(tu_src(MINI "/config.json"), path);
	expect_fail(dir, XNR_ERR_NOT_FOUND, "model.safetensors.index.json",
	            "pytorch_model.bin.index.json");
	/* a pytorch_model.bin that is no zip: named, refused */
	tu_write(dir, "pytorch_model.bin", "PK", 2);
	expect_fail(dir, XNR_ERR_UNSUPPORTED, "Not a zip archive", "torch >= 1.6");
	dir = tu_tmpdir("load_noconfig");
	expect_fail(dir, XNR_ERR_NOT_FOUND, "config.json", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_mini),
	    cmocka_unit_test(test_f16_bf16),
	    cmocka_unit_test(test_f16_special_values),
	    cmocka_unit_test(test_unaligned_f32),
	    cmocka_unit_test(test_sharded),
	    cmocka_unit_test(test_name_variants),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_broken_models),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
