/*
 * safetensors.c - a validating, memory-mapped reader for .safetensors files
 * and sharded checkpoints (model.safetensors.index.json).
 *
 * Mirrors the checks of the reference reader (safetensors/src/tensor.rs,
 * SafeTensors::read_metadata; reference/hf-formats.md 1.3 and 1.5), plus the
 * duplicate-key rejection the reference leaves out. Every file is mapped
 * read-only and never copied; tensors point into the mapping and are kept
 * sorted by name so lookups are a binary search.
 */
#include "model/safetensors.h"

#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "model/internal.h"

/* safetensors' MAX_HEADER_SIZE: a bigger header is refused before parsing. */
#define ST_MAX_HEADER_BYTES 100000000ULL
/* The index is a small name -> file map; anything bigger is not an index. */
#define ST_MAX_INDEX_BYTES (64u << 20)

struct st_shard {
	char *path;
	struct xnr_mmap map;          /* a .safetensors file */
	struct xnr__torch_file torch; /* a pytorch_model.bin, read into memory */
};

struct xnr_safetensors {
	struct st_shard *shards;
	int n_shards;
	struct xnr_st_tensor *tensors; /* sorted by name */
	int n_tensors;
	int cap_tensors;
	json_t *headers; /* the parsed headers: tensor names point into them */
	char *source;    /* the weights file or index opened, for messages */
};

/* How a shard named by an index is opened. */
typedef enum xnr_status (*shard_reader)(struct xnr_safetensors *st, const char *path,
                                        struct xnr_error *err);

/* One header entry while the offsets are checked. */
struct st_entry {
	uint64_t begin, end;
	int index; /* into xnr_safetensors.tensors */
};

static const struct {
	const char *name;
	enum xnr_dtype dtype;
	unsigned bits;
} dtype_table[] = {
    {"F32", XNR_DTYPE_F32, 32},
    {"F16", XNR_DTYPE_F16, 16},
    {"BF16", XNR_DTYPE_BF16, 16},
    {"F64", XNR_DTYPE_F64, 64},
    {"I64", XNR_DTYPE_I64, 64},
    {"I32", XNR_DTYPE_I32, 32},
    {"I16", XNR_DTYPE_I16, 16},
    {"I8", XNR_DTYPE_I8, 8},
    {"U8", XNR_DTYPE_U8, 8},
    {"BOOL", XNR_DTYPE_BOOL, 8},
    {"U16", XNR_DTYPE_OTHER, 16},
    {"U32", XNR_DTYPE_OTHER, 32},
    {"U64", XNR_DTYPE_OTHER, 64},
    {"C64", XNR_DTYPE_OTHER, 64},
    {"F8_E5M2", XNR_DTYPE_OTHER, 8},
    {"F8_E4M3", XNR_DTYPE_OTHER, 8},
    {"F8_E8M0", XNR_DTYPE_OTHER, 8},
    {"F8_E4M3FNUZ", XNR_DTYPE_OTHER, 8},
    {"F8_E5M2FNUZ", XNR_DTYPE_OTHER, 8},
    {"F6_E2M3", XNR_DTYPE_OTHER, 6},
    {"F6_E3M2", XNR_DTYPE_OTHER, 6},
    {"F4", XNR_DTYPE_OTHER, 4},
};

const char *xnr_dtype_str(enum xnr_dtype dtype)
{
	static const char *const names[XNR_DTYPE_COUNT] = {
	    [XNR_DTYPE_F32] = "F32",
	    [XNR_DTYPE_F16] = "F16",
	    [XNR_DTYPE_BF16] = "BF16",
	    [XNR_DTYPE_F64] = "F64",
	    [XNR_DTYPE_I64] = "I64",
	    [XNR_DTYPE_I32] = "I32",
	    [XNR_DTYPE_I16] = "I16",
	    [XNR_DTYPE_I8] = "I8",
	    [XNR_DTYPE_U8] = "U8",
	    [XNR_DTYPE_BOOL] = "BOOL",
	    [XNR_DTYPE_OTHER] = "OTHER (one of U16, U32, U64, C64, F8_*, F6_*, F4)",
	};
	if ((unsigned)dtype >= XNR_DTYPE_COUNT)
		return "invalid dtype";
	return names[dtype];
}

/* Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF); returns the
 * offset of the first bad byte or len when all is valid. */
static size_t utf8_bad_at(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i], n, k;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			return i;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return i;
		i += n + 1;
	}
	return len;
}

/* Append a zeroed tensor; NULL when out of memory. */
static struct xnr_st_tensor *add_tensor(struct xnr_safetensors *st)
{
	if (st->n_tensors == st->cap_tensors) {
		int cap = st->cap_tensors ? 2 * st->cap_tensors : 64;
		void *p = realloc(st->tensors, (size_t)cap * sizeof *st->tensors);
		if (!p)
			return NULL;
		st->tensors = p;
		st->cap_tensors = cap;
	}
	memset(&st->tensors[st->n_tensors], 0, sizeof *st->tensors);
	return &st->tensors[st->n_tensors++];
}

static int json_u64(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return 0;
	*out = (uint64_t)json_integer_value(v);
	return 1;
}

static enum xnr_status parse_dtype(const json_t *entry, const char *path, const char *name,
                                   enum xnr_dtype *dtype, unsigned *bits, struct xnr_error *err)
{
	const json_t *v = json_object_get(entry, "dtype");
	size_t i;

	if (!json_is_string(v))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "tensor %s: \"dtype\" missing or not a string", name);
	for (i = 0; i < sizeof dtype_table / sizeof dtype_table[0]; i++) {
		if (strcmp(json_string_value(v), dtype_table[i].name) == 0) {
			*dtype = dtype_table[i].dtype;
			*bits = dtype_table[i].bits;
			return XNR_OK;
		}
	}
	return xnr_fail_at(
	    err, XNR_ERR_FORMAT, path, 0,
	    "tensor %s: unknown dtype \"%.40s\" (the safetensors format knows F32, F16, BF16, F64, "
	    "I64, I32, I16, I8, U8, BOOL, U16, U32, U64, C64, F8_*, F6_*, F4)",
	    name, json_string_value(v));
}

static enum xnr_status parse_shape(const json_t *entry, const char *path, struct xnr_st_tensor *t,
                                   unsigned bits, struct xnr_error *err)
{
	const json_t *shape = json_object_get(entry, "shape");
	uint64_t numel = 1, dim;
	size_t i;

	if (!json_is_array(shape))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "tensor %s: \"shape\" missing or not an array", t->name);
	if (json_array_size(shape) > XNR_ST_MAX_DIMS)
		return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, path, 0,
		                   "tensor %s has %zu dimensions, at most %d are supported",
		                   t->name, json_array_size(shape), XNR_ST_MAX_DIMS);
	for (i = 0; i < json_array_size(shape); i++) {
		if (!json_u64(json_array_get(shape, i), &dim))
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "tensor %s: shape[%zu] is not a non-negative integer",
			                   t->name, i);
		if (dim != 0 && numel > (uint64_t)INT64_MAX / dim)
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "tensor %s: element count overflows", t->name);
		numel *= dim;
		t->shape[i] = (int64_t)dim;
	}
	t->n_dims = (int)i;
	if (numel > UINT64_MAX / bits)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "tensor %s: size in bits overflows", t->name);
	if (numel * bits % 8 != 0)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "tensor %s: %llu elements of %u bits are not a whole number of bytes", t->name,
		    (unsigned long long)numel, bits);
	t->n_elems = (int64_t)numel;
	t->n_bytes = (size_t)(numel * bits / 8);
	return XNR_OK;
}

/* Parse one "name": {dtype, shape, data_offsets} entry into a new tensor. */
static enum xnr_status parse_entry(struct xnr_safetensors *st, const char *path, const char *name,
                                   const json_t *entry, struct st_entry *e, struct xnr_error *err)
{
	struct xnr_st_tensor *t;
	const json_t *offs = json_object_get(entry, "data_offsets");
	unsigned bits = 8;
	enum xnr_status s;

	if (!json_is_object(entry))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "tensor %s: entry is not an object", name);
	t = add_tensor(st);
	if (!t)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory for tensor %s",
		                   name);
	t->name = name;
	t->shard = st->n_shards - 1;
	s = parse_dtype(entry, path, name, &t->dtype, &bits, err);
	if (s == XNR_OK)
		s = parse_shape(entry, path, t, bits, err);
	if (s != XNR_OK)
		return s;
	if (!json_is_array(offs) || json_array_size(offs) != 2 ||
	    !json_u64(json_array_get(offs, 0), &e->begin) ||
	    !json_u64(json_array_get(offs, 1), &e->end))
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "tensor %s: \"data_offsets\" must be [BEGIN, END] with non-negative integers",
		    name);
	if (e->end < e->begin)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "tensor %s: data_offsets [%llu, %llu] end before they begin",
		                   name, (unsigned long long)e->begin, (unsigned long long)e->end);
	if (e->end - e->begin != t->n_bytes)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "tensor %s: data_offsets span %llu bytes, but %lld elements of %s need %zu",
		    name, (unsigned long long)(e->end - e->begin), (long long)t->n_elems,
		    json_string_value(json_object_get(entry, "dtype")), t->n_bytes);
	e->index = st->n_tensors - 1;
	return XNR_OK;
}

static enum xnr_status check_metadata(const json_t *meta, const char *path, struct xnr_error *err)
{
	const char *key;
	const json_t *v;

	if (!json_is_object(meta))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "\"__metadata__\" must be an object of strings");
	json_object_foreach((json_t *)meta, key, v)
	{
		if (!json_is_string(v))
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "__metadata__ \"%s\" must be a string", key);
	}
	return XNR_OK;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct st_entry *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

/* The data buffer must be covered exactly: sorted by offsets, each tensor
 * starts where the previous ended, the last ends at the end of the file. */
static enum xnr_status check_offsets(struct xnr_safetensors *st, struct st_entry *e, size_t n,
                                     const unsigned char *buf, uint64_t buf_len, const char *path,
                                     struct xnr_error *err)
{
	uint64_t start = 0;
	size_t i;

	qsort(e, n, sizeof *e, entry_cmp);
	for (i = 0; i < n; i++) {
		struct xnr_st_tensor *t = &st->tensors[e[i].index];
		if (e[i].begin != start)
			return xnr_fail_at(
			    err, XNR_ERR_FORMAT, path, 0,
			    "tensor %s: data_offsets begin at %llu, expected %llu (%s)", t->name,
			    (unsigned long long)e[i].begin, (unsigned long long)start,
			    e[i].begin > start ? "a gap between tensors"
			                       : "overlaps the previous tensor");
		if (e[i].end > buf_len)
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "tensor %s: data_offsets end at %llu, past the %llu "
			                   "bytes of data (truncated file?)",
			                   t->name, (unsigned long long)e[i].end,
			                   (unsigned long long)buf_len);
		t->data = buf + e[i].begin;
		start = e[i].end;
	}
	if (start != buf_len)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "%llu bytes after the last tensor (the file has extra data)",
		                   (unsigned long long)(buf_len - start));
	return XNR_OK;
}

static enum xnr_status parse_header(struct xnr_safetensors *st, const json_t *hdr,
                                    const unsigned char *buf, uint64_t buf_len, const char *path,
                                    struct xnr_error *err)
{
	struct st_entry *entries;
	const char *key;
	json_t *v;
	size_t n = 0;
	enum xnr_status s = XNR_OK;

	if (!json_is_object(hdr))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0, "the header is not a JSON object");
	entries = malloc((json_object_size(hdr) + 1) * sizeof *entries);
	if (!entries)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory for the header");
	json_object_foreach((json_t *)hdr, key, v)
	{
		if (strcmp(key, "__metadata__") == 0)
			s = check_metadata(v, path, err);
		else
			s = parse_entry(st, path, key, v, &entries[n++], err);
		if (s != XNR_OK)
			goto fail;
	}
	s = check_offsets(st, entries, n, buf, buf_len, path, err);
fail:
	free(entries);
	return s;
}

/* Append an empty shard for path. */
static enum xnr_status new_shard(struct xnr_safetensors *st, const char *path,
                                 struct st_shard **out, struct xnr_error *err)
{
	struct st_shard *sh;
	void *p = realloc(st->shards, (size_t)(st->n_shards + 1) * sizeof *st->shards);

	if (!p)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	st->shards = p;
	sh = &st->shards[st->n_shards];
	memset(sh, 0, sizeof *sh);
	sh->path = strdup(path);
	if (!sh->path)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	st->n_shards++;
	*out = sh;
	return XNR_OK;
}

/* Read path as one more shard of st, a pytorch_model.bin, and append its tensors. */
static enum xnr_status add_torch_file(struct xnr_safetensors *st, const char *path,
                                      struct xnr_error *err)
{
	struct st_shard *sh;
	enum xnr_status s = new_shard(st, path, &sh, err);

	if (s == XNR_OK)
		s = xnr__torch_file_read(path, &sh->torch, err);
	for (int i = 0; s == XNR_OK && i < sh->torch.dict.n_tensors; i++) {
		struct xnr_st_tensor *t = add_tensor(st);
		if (!t)
			return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
		*t = sh->torch.tensors[i];
		t->shard = st->n_shards - 1;
	}
	return s;
}

/* Map path as one more shard of st and append its tensors. */
static enum xnr_status add_file(struct xnr_safetensors *st, const char *path, struct xnr_error *err)
{
	struct st_shard *sh;
	const unsigned char *d;
	uint64_t n_hdr;
	size_t bad;
	json_t *hdr = NULL;
	enum xnr_status s = new_shard(st, path, &sh, err);

	if (s != XNR_OK)
		return s;
	s = xnr_mmap_init(&sh->map, path, err);
	if (s != XNR_OK)
		return s;
	d = sh->map.data;
	if (sh->map.n_bytes < 8)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "%zu bytes, too small for a safetensors header (truncated file?)",
		    sh->map.n_bytes);
	n_hdr = 0;
	for (int i = 7; i >= 0; i--)
		n_hdr = (n_hdr << 8) | d[i];
	if (n_hdr > ST_MAX_HEADER_BYTES)
		return xnr_fail_at(
		    err, XNR_ERR_LIMIT, path, 0,
		    "header of %llu bytes, more than the %llu allowed (not a safetensors file?)",
		    (unsigned long long)n_hdr, ST_MAX_HEADER_BYTES);
	if (n_hdr > sh->map.n_bytes - 8)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, path, 0,
		    "header of %llu bytes runs past the end of the %zu-byte file (truncated file?)",
		    (unsigned long long)n_hdr, sh->map.n_bytes);
	bad = utf8_bad_at(d + 8, (size_t)n_hdr);
	if (bad != n_hdr)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "header is not valid UTF-8 at byte %zu", bad + 8);
	s = xnr_json_parse((const char *)d + 8, (size_t)n_hdr, path, &hdr, err);
	if (s != XNR_OK)
		return s;
	json_array_append_new(st->headers, hdr);
	return parse_header(st, hdr, d + 8 + n_hdr, sh->map.n_bytes - 8 - n_hdr, path, err);
}

static int tensor_cmp(const void *a, const void *b)
{
	return strcmp(((const struct xnr_st_tensor *)a)->name,
	              ((const struct xnr_st_tensor *)b)->name);
}

/* Sort by name for lookups; a name in two shards is an error. */
static enum xnr_status finish(struct xnr_safetensors *st, const char *what, struct xnr_error *err)
{
	int i;

	if (st->n_tensors > 0)
		qsort(st->tensors, (size_t)st->n_tensors, sizeof *st->tensors, tensor_cmp);
	for (i = 1; i < st->n_tensors; i++) {
		if (strcmp(st->tensors[i - 1].name, st->tensors[i].name) == 0)
			return xnr_fail_at(err, XNR_ERR_FORMAT, what, 0, "tensor %s appears twice",
			                   st->tensors[i].name);
	}
	return XNR_OK;
}

static enum xnr_status st_new(struct xnr_safetensors **out, const char *source,
                              struct xnr_error *err)
{
	struct xnr_safetensors *st = calloc(1, sizeof *st);

	if (st) {
		st->headers = json_array();
		st->source = strdup(source);
	}
	if (!st || !st->headers || !st->source) {
		xnr_safetensors_close(st);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory opening safetensors");
	}
	*out = st;
	return XNR_OK;
}

/* Open one weights file with read. */
static enum xnr_status open_single(const char *path, shard_reader read,
                                   struct xnr_safetensors **out, struct xnr_error *err)
{
	struct xnr_safetensors *st;
	enum xnr_status s = st_new(&st, path, err);

	if (s != XNR_OK)
		return s;
	s = read(st, path, err);
	if (s == XNR_OK)
		s = finish(st, path, err);
	if (s != XNR_OK) {
		xnr_safetensors_close(st);
		return s;
	}
	*out = st;
	return XNR_OK;
}

enum xnr_status xnr_safetensors_open(const char *path, struct xnr_safetensors **out,
                                     struct xnr_error *err)
{
	return open_single(path, add_file, out, err);
}

/* A shard named by the index must be a plain file next to it: no folders,
 * no "..", so an index cannot make us map files elsewhere. */
static int plain_file_name(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && !strchr(name, '/') && !strchr(name, '\\');
}

/* Open every distinct shard of weight_map once, in order of first mention. */
static enum xnr_status open_shards(struct xnr_safetensors *st, const char *dir, const json_t *map,
                                   const char **names, const char *index, shard_reader read,
                                   struct xnr_error *err)
{
	const char *key;
	json_t *v;
	char path[4096];
	int n = 0, i;
	enum xnr_status s;

	json_object_foreach((json_t *)map, key, v)
	{
		const char *file = json_string_value(v);
		if (!file || !plain_file_name(file))
			return xnr_fail_at(
			    err, XNR_ERR_FORMAT, index, 0,
			    "weight_map \"%s\" must be a file name in the same folder", key);
		for (i = 0; i < n && strcmp(names[i], file) != 0; i++)
			;
		if (i < n)
			continue;
		names[n++] = file;
		s = xnr_path_join(path, sizeof path, dir, file, err);
		if (s == XNR_OK)
			s = read(st, path, err);
		if (s != XNR_OK)
			return s;
	}
	return XNR_OK;
}

/* Every tensor the index names must be in the shard it names. */
static enum xnr_status check_weight_map(const struct xnr_safetensors *st, const json_t *map,
                                        const char **names, const char *index,
                                        struct xnr_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)map, key, v)
	{
		const struct xnr_st_tensor *t = xnr_safetensors_find(st, key);
		if (!t || strcmp(names[t->shard], json_string_value(v)) != 0)
			return xnr_fail_at(err, XNR_ERR_FORMAT, index, 0,
			                   "tensor %s is not in %s, the shard weight_map names",
			                   key, json_string_value(v));
	}
	return XNR_OK;
}

static enum xnr_status open_index(const char *dir, const char *index, shard_reader read,
                                  struct xnr_safetensors **out, struct xnr_error *err)
{
	struct xnr_safetensors *st = NULL;
	const char **names = NULL;
	json_t *root = NULL, *map;
	enum xnr_status s = xnr_json_load(index, ST_MAX_INDEX_BYTES, &root, err);

	if (s != XNR_OK)
		return s;
	map = json_object_get(root, "weight_map");
	if (!json_is_object(map) || json_object_size(map) == 0) {
		s = xnr_fail_at(err, XNR_ERR_FORMAT, index, 0, "\"weight_map\" missing or empty");
		goto fail;
	}
	names = calloc(json_object_size(map), sizeof *names);
	s = names ? st_new(&st, index, err)
	          : xnr_fail_at(err, XNR_ERR_NOMEM, index, 0, "out of memory");
	if (s == XNR_OK)
		s = open_shards(st, dir, map, names, index, read, err);
	if (s == XNR_OK)
		s = finish(st, index, err);
	if (s == XNR_OK)
		s = check_weight_map(st, map, names, index, err);
	if (s != XNR_OK)
		goto fail;
	*out = st;
	st = NULL;
fail:
	xnr_safetensors_close(st);
	free(names);
	json_decref(root);
	return s;
}

enum xnr_status xnr_safetensors_open_dir(const char *dir, struct xnr_safetensors **out,
                                         struct xnr_error *err)
{
	/* transformers' order: safetensors first, then the pickled checkpoints. */
	static const struct {
		const char *name;
		int index;
		shard_reader read;
	} files[] = {
	    {"model.safetensors", 0, add_file},
	    {"model.safetensors.index.json", 1, add_file},
	    {"pytorch_model.bin", 0, add_torch_file},
	    {"pytorch_model.bin.index.json", 1, add_torch_file},
	};
	char path[4096];

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		enum xnr_status s = xnr_path_join(path, sizeof path, dir, files[i].name, err);
		if (s != XNR_OK)
			return s;
		if (!xnr_file_exists(path))
			continue;
		return files[i].index ? open_index(dir, path, files[i].read, out, err)
		                      : open_single(path, files[i].read, out, err);
	}
	return xnr_fail_at(err, XNR_ERR_NOT_FOUND, dir, 0,
	                   "no weights found (looked for model.safetensors, "
	                   "model.safetensors.index.json, pytorch_model.bin and "
	                   "pytorch_model.bin.index.json)");
}

void xnr_safetensors_close(struct xnr_safetensors *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < st->n_shards; i++) {
		xnr_mmap_free(&st->shards[i].map);
		xnr__torch_file_free(&st->shards[i].torch);
		free(st->shards[i].path);
	}
	free(st->shards);
	free(st->tensors);
	json_decref(st->headers);
	free(st->source);
	free(st);
}

int xnr_safetensors_count(const struct xnr_safetensors *st)
{
	return st->n_tensors;
}

const struct xnr_st_tensor *xnr_safetensors_at(const struct xnr_safetensors *st, int i)
{
	if (i < 0 || i >= st->n_tensors)
		return NULL;
	return &st->tensors[i];
}

const struct xnr_st_tensor *xnr_safetensors_find(const struct xnr_safetensors *st, const char *name)
{
	struct xnr_st_tensor key = {.name = name};

	if (st->n_tensors == 0)
		return NULL;
	return bsearch(&key, st->tensors, (size_t)st->n_tensors, sizeof key, tensor_cmp);
}

size_t xnr_safetensors_bytes(const struct xnr_safetensors *st)
{
	size_t n = 0;
	int i;

	for (i = 0; i < st->n_shards; i++)
		n += st->shards[i].map.n_bytes + st->shards[i].torch.n_bytes;
	return n;
}

const char *xnr_safetensors_source(const struct xnr_safetensors *st)
{
	return st->source;
}
