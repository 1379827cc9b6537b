/*
 * torchbin.c - reads a pytorch_model.bin (torch >= 1.6 zip checkpoint,
 * reference/hf-formats.md 2.1-2.2; PyTorchStreamReader's rules) into memory.
 *
 * The zip is read with libzip, which checks the central directory against the
 * local headers and every entry's CRC-32 as it is read. The record prefix is
 * the first entry's folder, as PyTorchStreamReader takes it. data.pkl goes
 * through the restricted unpickler (pickle.c); each storage it names
 * (<prefix>/data/<key>) must hold exactly numel x element size bytes and is
 * read once, 64-byte aligned, into one allocation sized first; tensors are
 * views of it. A tensor must be a contiguous view (any offset): strided
 * views are refused, never guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "model/internal.h"

/* data.pkl of a state dict is ~100 bytes per tensor; far bigger is no state dict. */
#define TB_MAX_PICKLE_BYTES (256u << 20)
#define TB_ALIGN            64

struct tb {
	const char *path;
	zip_t *za;
	char prefix[256];
	struct xnr_error *err;
};

static size_t elem_bytes(enum xnr_dtype dtype)
{
	switch (dtype) {
	case XNR_DTYPE_F64:
	case XNR_DTYPE_I64:
		return 8;
	case XNR_DTYPE_F32:
	case XNR_DTYPE_I32:
		return 4;
	case XNR_DTYPE_F16:
	case XNR_DTYPE_BF16:
	case XNR_DTYPE_I16:
		return 2;
	default:
		return 1;
	}
}

/* The index of <prefix>/<name>, or -1 when absent. */
static zip_int64_t locate(struct tb *t, const char *name, char *full, size_t n)
{
	if (snprintf(full, n, "%s/%s", t->prefix, name) >= (int)n)
		return -1;
	return zip_name_locate(t->za, full, ZIP_FL_ENC_RAW);
}

/* Read entry idx (named full) into buf of exactly want bytes; reading one byte
 * past the end makes libzip compare the CRC. */
static enum xnr_status read_entry(struct tb *t, zip_int64_t idx, const char *full, void *buf,
                                  zip_uint64_t want)
{
	zip_file_t *f = zip_fopen_index(t->za, (zip_uint64_t)idx, 0);
	char extra;
	zip_int64_t got = 0, more = 0;
	enum xnr_status s = XNR_OK;

	if (!f)
		return xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0, "entry %s: %s", full,
		                   zip_strerror(t->za));
	if (want > 0)
		got = zip_fread(f, buf, want);
	if (got >= 0)
		more = zip_fread(f, &extra, 1);
	if (got < 0 || more < 0)
		s = xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0, "entry %s: %s (corrupt file?)",
		                full, zip_error_strerror(zip_file_get_error(f)));
	else if ((zip_uint64_t)got != want || more != 0)
		s = xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0,
		                "entry %s: holds other than its %llu bytes (corrupt file?)", full,
		                (unsigned long long)want);
	zip_fclose(f);
	return s;
}

/* The size of entry idx. */
static enum xnr_status entry_size(struct tb *t, zip_int64_t idx, const char *full,
                                  zip_uint64_t *out)
{
	zip_stat_t st;

	if (zip_stat_index(t->za, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
		return xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0, "entry %s: %s", full,
		                   zip_strerror(t->za));
	*out = st.size;
	return XNR_OK;
}

static enum xnr_status open_zip(struct tb *t)
{
	int code = 0;
	zip_error_t ze;
	const char *first, *slash;

	t->za = zip_open(t->path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
	if (!t->za) {
		enum xnr_status s = code == ZIP_ER_NOZIP ? XNR_ERR_UNSUPPORTED : XNR_ERR_FORMAT;
		zip_error_init_with_code(&ze, code);
		s = xnr_fail_at(t->err, code == ZIP_ER_OPEN || code == ZIP_ER_READ ? XNR_ERR_IO : s,
		                t->path, 0, "%s%s", zip_error_strerror(&ze),
		                code == ZIP_ER_NOZIP ? ": only the zip checkpoints of torch >= 1.6 "
		                                       "are read (re-save it, or as safetensors)"
		                                     : "");
		zip_error_fini(&ze);
		return s;
	}
	first = zip_get_name(t->za, 0, ZIP_FL_ENC_RAW);
	slash = first ? strchr(first, '/') : NULL;
	if (!slash || slash == first || (size_t)(slash - first) >= sizeof t->prefix)
		return xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0,
		                   "the zip's first entry is not in a record folder (not a torch "
		                   "checkpoint?)");
	memcpy(t->prefix, first, (size_t)(slash - first));
	t->prefix[slash - first] = '\0';
	return XNR_OK;
}

/* <prefix>/byteorder, when present, must say little. */
static enum xnr_status check_byteorder(struct tb *t)
{
	char full[320], order[8] = {0};
	zip_uint64_t n;
	zip_int64_t idx = locate(t, "byteorder", full, sizeof full);
	enum xnr_status s;

	if (idx < 0)
		return XNR_OK;
	if ((s = entry_size(t, idx, full, &n)) != XNR_OK)
		return s;
	if (n >= sizeof order)
		return xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0, "entry %s: %llu bytes", full,
		                   (unsigned long long)n);
	if ((s = read_entry(t, idx, full, order, n)) != XNR_OK)
		return s;
	if (strcmp(order, "little") != 0)
		return xnr_fail_at(
		    t->err, XNR_ERR_UNSUPPORTED, t->path, 0,
		    "entry %s: byte order \"%s\"; only little-endian checkpoints are "
		    "read",
		    full, order);
	return XNR_OK;
}

static enum xnr_status read_pickle(struct tb *t, struct xnr__pt_dict *dict)
{
	char full[320];
	zip_uint64_t n;
	unsigned char *buf = NULL;
	zip_int64_t idx = locate(t, "data.pkl", full, sizeof full);
	enum xnr_status s;

	if (idx < 0)
		return xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0,
		                   "no entry %s/data.pkl (not a torch checkpoint?)", t->prefix);
	if ((s = entry_size(t, idx, full, &n)) != XNR_OK)
		return s;
	if (n > TB_MAX_PICKLE_BYTES)
		return xnr_fail_at(t->err, XNR_ERR_LIMIT, t->path, 0,
		                   "entry %s: %llu bytes, more than the %u a state dict needs",
		                   full, (unsigned long long)n, TB_MAX_PICKLE_BYTES);
	buf = malloc(n ? n : 1);
	if (!buf)
		return xnr_fail_at(t->err, XNR_ERR_NOMEM, t->path, 0, "out of memory");
	s = read_entry(t, idx, full, buf, n);
	if (s == XNR_OK)
		s = xnr__pickle_state_dict(buf, n, t->path, full, dict, t->err);
	free(buf);
	return s;
}

/* One storage record and where it lands in the data buffer. */
struct tb_storage {
	const char *key;
	enum xnr_dtype dtype;
	int64_t numel;
	size_t at, n_bytes;
};

static int storage_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tb_storage *)a)->key, ((const struct tb_storage *)b)->key);
}

/* The distinct storages the tensors name, sorted by key; tensors sharing one
 * (tied weights) must agree on its dtype and size. */
static enum xnr_status list_storages(struct tb *t, const struct xnr__pt_dict *d,
                                     struct tb_storage **out, int *n_out)
{
	struct tb_storage *sv = calloc((size_t)(d->n_tensors ? d->n_tensors : 1), sizeof *sv);
	int n = 0;

	if (!sv)
		return xnr_fail_at(t->err, XNR_ERR_NOMEM, t->path, 0, "out of memory");
	for (int i = 0; i < d->n_tensors; i++) {
		sv[i].key = d->tensors[i].key;
		sv[i].dtype = d->tensors[i].dtype;
		sv[i].numel = d->tensors[i].storage_numel;
	}
	if (d->n_tensors > 0)
		qsort(sv, (size_t)d->n_tensors, sizeof *sv, storage_cmp);
	for (int i = 0; i < d->n_tensors; i++) {
		if (n > 0 && strcmp(sv[n - 1].key, sv[i].key) == 0) {
			if (sv[n - 1].dtype == sv[i].dtype && sv[n - 1].numel == sv[i].numel)
				continue;
			const char *key = sv[i].key; /* in the dict's strings, not in sv */
			free(sv);
			return xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0,
			                   "storage %s is named with two dtypes or sizes", key);
		}
		sv[n++] = sv[i];
	}
	*out = sv;
	*n_out = n;
	return XNR_OK;
}

/* Size each storage against its record and lay them out TB_ALIGN-aligned. */
static enum xnr_status size_storages(struct tb *t, struct tb_storage *sv, int n, size_t *total)
{
	char full[320];
	size_t at = 0;

	for (int i = 0; i < n; i++) {
		zip_uint64_t have;
		size_t es = elem_bytes(sv[i].dtype);
		zip_int64_t idx = -1;
		enum xnr_status s;

		if (snprintf(full, sizeof full, "%s/data/%s", t->prefix, sv[i].key) <
		    (int)sizeof full)
			idx = zip_name_locate(t->za, full, ZIP_FL_ENC_RAW);
		if (idx < 0)
			return xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0,
			                   "no entry %s/data/%.200s for a storage data.pkl names",
			                   t->prefix, sv[i].key);
		if ((s = entry_size(t, idx, full, &have)) != XNR_OK)
			return s;
		if ((uint64_t)sv[i].numel > (SIZE_MAX - TB_ALIGN) / es / 2 ||
		    have != (zip_uint64_t)sv[i].numel * es)
			return xnr_fail_at(
			    t->err, XNR_ERR_FORMAT, t->path, 0,
			    "entry %s: %llu bytes, but data.pkl gives its storage %lld "
			    "elements of %zu bytes",
			    full, (unsigned long long)have, (long long)sv[i].numel, es);
		sv[i].n_bytes = (size_t)have;
		sv[i].at = at;
		if (sv[i].n_bytes > SIZE_MAX - at - TB_ALIGN)
			return xnr_fail_at(t->err, XNR_ERR_LIMIT, t->path, 0, "storages too large");
		at += (sv[i].n_bytes + TB_ALIGN - 1) / TB_ALIGN * TB_ALIGN;
	}
	*total = at;
	return XNR_OK;
}

static enum xnr_status read_storages(struct tb *t, const struct tb_storage *sv, int n,
                                     unsigned char *data)
{
	char full[320];

	for (int i = 0; i < n; i++) {
		enum xnr_status s;
		snprintf(full, sizeof full, "%s/data/%s", t->prefix, sv[i].key);
		s = read_entry(t, zip_name_locate(t->za, full, ZIP_FL_ENC_RAW), full,
		               data + sv[i].at, sv[i].n_bytes);
		if (s != XNR_OK)
			return s;
	}
	return XNR_OK;
}

/* A view of its storage: contiguous (row-major strides over the dims that are
 * not 1) and inside it. */
static enum xnr_status make_tensor(struct tb *t, const struct xnr__pt_tensor *p,
                                   const struct tb_storage *st, const unsigned char *data,
                                   struct xnr_st_tensor *o)
{
	int64_t n = 1, want = 1;
	size_t es = elem_bytes(p->dtype);

	for (int i = 0; i < p->n_dims; i++) {
		if (p->size[i] != 0 && n > INT64_MAX / p->size[i])
			return xnr_fail_at(t->err, XNR_ERR_FORMAT, t->path, 0,
			                   "tensor %s: too many elements", p->name);
		n *= p->size[i];
	}
	for (int i = p->n_dims - 1; i >= 0 && n > 0; i--) {
		if (p->size[i] != 1 && p->stride[i] != want)
			return xnr_fail_at(
			    t->err, XNR_ERR_UNSUPPORTED, t->path, 0,
			    "tensor %s is a non-contiguous view of its storage (dim %d "
			    "stride %lld); save it .contiguous()",
			    p->name, i, (long long)p->stride[i]);
		want *= p->size[i];
	}
	if (p->offset > st->numel || n > st->numel - p->offset)
		return xnr_fail_at(
		    t->err, XNR_ERR_FORMAT, t->path, 0,
		    "tensor %s: %lld elements at offset %lld run past its storage %s of "
		    "%lld",
		    p->name, (long long)n, (long long)p->offset, st->key, (long long)st->numel);
	o->name = p->name;
	o->dtype = p->dtype;
	o->n_dims = p->n_dims;
	memcpy(o->shape, p->size, sizeof o->shape);
	o->n_elems = n;
	o->data = data + st->at + (size_t)p->offset * es;
	o->n_bytes = (size_t)n * es;
	return XNR_OK;
}

static enum xnr_status make_tensors(struct tb *t, struct xnr__torch_file *f,
                                    const struct tb_storage *sv, int n_sv)
{
	const struct xnr__pt_dict *d = &f->dict;

	f->tensors = calloc((size_t)(d->n_tensors ? d->n_tensors : 1), sizeof *f->tensors);
	if (!f->tensors)
		return xnr_fail_at(t->err, XNR_ERR_NOMEM, t->path, 0, "out of memory");
	for (int i = 0; i < d->n_tensors; i++) {
		struct tb_storage key = {.key = d->tensors[i].key};
		const struct tb_storage *st =
		    bsearch(&key, sv, (size_t)n_sv, sizeof *sv, storage_cmp);
		enum xnr_status s = make_tensor(t, &d->tensors[i], st, f->data, &f->tensors[i]);
		if (s != XNR_OK)
			return s;
	}
	return XNR_OK;
}

static enum xnr_status read_all(struct tb *t, struct xnr__torch_file *f)
{
	struct tb_storage *sv = NULL;
	int n_sv = 0;
	size_t total = 0;
	enum xnr_status s = open_zip(t);

	if (s == XNR_OK)
		s = check_byteorder(t);
	if (s == XNR_OK)
		s = read_pickle(t, &f->dict);
	if (s == XNR_OK)
		s = list_storages(t, &f->dict, &sv, &n_sv);
	if (s == XNR_OK)
		s = size_storages(t, sv, n_sv, &total);
	if (s == XNR_OK) {
		f->data = aligned_alloc(TB_ALIGN, total ? total : TB_ALIGN);
		f->n_bytes = total;
		if (!f->data)
			s = xnr_fail_at(t->err, XNR_ERR_NOMEM, t->path, 0,
			                "out of memory for %zu bytes of weights", total);
	}
	if (s == XNR_OK)
		s = read_storages(t, sv, n_sv, f->data);
	if (s == XNR_OK)
		s = make_tensors(t, f, sv, n_sv);
	free(sv);
	return s;
}

enum xnr_status xnr__torch_file_read(const char *path, struct xnr__torch_file *out,
                                     struct xnr_error *err)
{
	struct tb t = {.path = path, .err = err};
	struct xnr__torch_file f = {0};
	enum xnr_status s = read_all(&t, &f);

	if (t.za)
		zip_discard(t.za);
	if (s != XNR_OK) {
		xnr__torch_file_free(&f);
		return s;
	}
	*out = f;
	return XNR_OK;
}

void xnr__torch_file_free(struct xnr__torch_file *f)
{
	if (!f)
		return;
	free(f->data);
	free(f->tensors);
	xnr__pt_dict_free(&f->dict);
	memset(f, 0, sizeof *f);
}
