/*
 * arrow.c - the Arrow IPC reader of saved Hugging Face datasets: one .arrow
 * file (the IPC streaming format `datasets` writes, or the IPC file format,
 * "ARROW1" + stream + footer) appended to a dataset, one sentence a row,
 * from its `tokens` (or `words`) and `ner_tags` (or `tags`) columns.
 *
 * Mirrors the Arrow columnar format specification (arrow.apache.org/docs/
 * format/Columnar.html; metadata in format/Schema.fbs and Message.fbs): an
 * encapsulated message is the continuation marker 0xFFFFFFFF, an i32
 * metadata length, a FlatBuffers Message (flatbuf.h) and its body; the
 * stream is a Schema, then DictionaryBatch and RecordBatch messages, then
 * 0xFFFFFFFF 0x00000000. A RecordBatch lists one FieldNode (length, null
 * count) per field in depth-first order and its buffers (offset and length
 * in the body): for a list and a string validity bitmap and offsets (i32; i64
 * for large_list / large_string), then a string's data or a list's child;
 * an int its validity and values. Little-endian only; compressed bodies
 * (LZ4/ZSTD, which `datasets` never writes) and view types are refused.
 * Every offset and length is checked: a bad one is "file: offset N: what".
 */
#include <inttypes.h>
#include <string.h>

#include "data/flatbuf.h"
#include "data/internal.h"

enum {
	TYPE_NULL = 1,
	TYPE_INT = 2,
	TYPE_UTF8 = 5,
	TYPE_LIST = 12,
	TYPE_STRUCT = 13,
	TYPE_UNION = 14,
	TYPE_FIXED_LIST = 16,
	TYPE_MAP = 17,
	TYPE_LARGE_UTF8 = 20,
	TYPE_LARGE_LIST = 21,
	TYPE_RUN_END = 22,
	TYPE_BINARY_VIEW = 23,
	TYPE_UTF8_VIEW = 24,
	TYPE_LIST_VIEW = 25,
	TYPE_LARGE_LIST_VIEW = 26,
	TYPE_COUNT
};

static const char *const type_names[TYPE_COUNT] = {"none",
                                                   "null",
                                                   "int",
                                                   "float",
                                                   "binary",
                                                   "string",
                                                   "bool",
                                                   "decimal",
                                                   "date",
                                                   "time",
                                                   "timestamp",
                                                   "interval",
                                                   "list",
                                                   "struct",
                                                   "union",
                                                   "fixed_size_binary",
                                                   "fixed_size_list",
                                                   "map",
                                                   "duration",
                                                   "large_binary",
                                                   "large_string",
                                                   "large_list",
                                                   "run_end_encoded",
                                                   "binary_view",
                                                   "string_view",
                                                   "list_view",
                                                   "large_list_view"};

/* Buffers of each type's own array, children apart (Columnar.html, "Buffer
 * listing for each layout"); -1 for a type this reader refuses. */
static const signed char type_buffers[TYPE_COUNT] = {-1, 0, 2, 2, 3, 3, 2, 2, 2, 2,  2,  2, 2, 1,
                                                     -1, 2, 1, 2, 2, 3, 3, 2, 0, -1, -1, 3, 3};

#define MAX_DEPTH 32
#define MAX_NODES 65536 /* fields in one schema, children included */

/* A column the reader takes: where its nodes and buffers start in a batch. */
struct column {
	const char *want;           /* "tokens" or "ner_tags" */
	int found, rank;            /* rank: 0 the main name, 1 the other ("words", "tags") */
	struct xnr__fb_table field; /* its Field in the schema */
	size_t node, buf;
	int list_wide;    /* large_list: i64 offsets */
	int child;        /* TYPE_INT, TYPE_UTF8 or TYPE_LARGE_UTF8 */
	size_t int_bytes; /* child int width */
	int int_signed;
};

struct arrow {
	struct xnr_dataset *ds;
	const struct xnr_data_params *p;
	struct xnr_error *err;
	const char *name;
	const uint8_t *buf; /* the whole file */
	size_t n;
	int id_labels; /* integer tags have names (dataset_info.json or --labels) */
	long rows;     /* rows read before, over every file of the split */
	int have_schema;
	int file_format; /* the schema came from the footer; the stream's copy is skipped */
	size_t n_nodes, n_bufs, n_visited;
	struct column tokens, tags;
};

/* "file: offset N: what" (N from the start of the file). */
static enum xnr_status bad_at(const struct arrow *a, size_t off, const char *what)
{
	return xnr_fail_at(a->err, XNR_ERR_FORMAT, a->name, 0, "offset %zu: %s", off, what);
}

/* A FlatBuffers failure inside the metadata that starts at file offset base. */
static enum xnr_status bad_meta(const struct arrow *a, const struct xnr__fb *fb, size_t base)
{
	return xnr_fail_at(a->err, XNR_ERR_FORMAT, a->name, 0,
	                   "offset %zu: bad metadata: %s (the file is corrupt or not Arrow)",
	                   base + fb->bad_at, fb->bad ? fb->bad : "unreadable");
}

/* "list<int64>"-like name of a field's type, for messages. */
static void describe(struct xnr__fb *fb, const struct xnr__fb_table *f, int depth, char *out,
                     size_t out_bytes)
{
	int64_t type = 0, width = 0, is_signed = 1;
	struct xnr__fb_table t, child;
	size_t first, n;
	int present;
	char inner[64] = "?";

	out[0] = '\0';
	if (xnr__fb_int(fb, f, 2, 1, 0, 0, &type) != 0 || type <= 0 || type >= TYPE_COUNT) {
		snprintf(out, out_bytes, "type %" PRId64, type);
		return;
	}
	if (type == TYPE_INT && xnr__fb_table(fb, f, 3, &t, &present) == 0 && present &&
	    xnr__fb_int(fb, &t, 0, 4, 1, 0, &width) == 0 &&
	    xnr__fb_int(fb, &t, 1, 1, 0, 0, &is_signed) == 0) {
		snprintf(out, out_bytes, "%sint%" PRId64, is_signed ? "" : "u", width);
		return;
	}
	if (depth < 2 && (type == TYPE_LIST || type == TYPE_LARGE_LIST) &&
	    xnr__fb_vector(fb, f, 5, 4, &first, &n) == 0 && n == 1 &&
	    xnr__fb_vector_table(fb, first, 0, &child) == 0)
		describe(fb, &child, depth + 1, inner, sizeof inner);
	if (type == TYPE_LIST || type == TYPE_LARGE_LIST)
		snprintf(out, out_bytes, "%s<%s>", type_names[type], inner);
	else
		snprintf(out, out_bytes, "%s", type_names[type]);
}

/* Count a field's nodes and buffers (its children's too) into a->n_nodes
 * and a->n_bufs. A dictionary-encoded field is one node of indices. */
static enum xnr_status count_field(struct arrow *a, struct xnr__fb *fb, size_t base,
                                   const struct xnr__fb_table *f, int depth)
{
	struct xnr__fb_table dict, child;
	int64_t type;
	size_t first, n;
	int present;
	char what[128];

	/* children may share one table: count visits, or a small file could ask for 2^32 */
	if (depth > MAX_DEPTH || ++a->n_visited > MAX_NODES)
		return bad_at(a, base + f->pos, "fields nested too deep or too many fields");
	if (xnr__fb_int(fb, f, 2, 1, 0, 0, &type) != 0 ||
	    xnr__fb_table(fb, f, 4, &dict, &present) != 0)
		return bad_meta(a, fb, base);
	a->n_nodes++;
	if (present) {
		a->n_bufs += 2;
		return XNR_OK;
	}
	if (type <= 0 || type >= TYPE_COUNT || type_buffers[type] < 0) {
		describe(fb, f, 0, what, sizeof what);
		return xnr_fail_at(
		    a->err, XNR_ERR_UNSUPPORTED, a->name, 0,
		    "offset %zu: a column of type %s, which this reader does not "
		    "take (save the dataset with `datasets`, whose strings and lists "
		    "are string and list)",
		    base + f->pos, what);
	}
	a->n_bufs += (size_t)type_buffers[type];
	if (xnr__fb_vector(fb, f, 5, 4, &first, &n) != 0)
		return bad_meta(a, fb, base);
	for (size_t i = 0; i < n; i++) {
		enum xnr_status st;
		if (xnr__fb_vector_table(fb, first, i, &child) != 0)
			return bad_meta(a, fb, base);
		if ((st = count_field(a, fb, base, &child, depth + 1)) != XNR_OK)
			return st;
	}
	return XNR_OK;
}

/* The column c's type, checked: a list or large_list of strings (tokens),
 * or of strings or integers (tags). */
static enum xnr_status column_type(struct arrow *a, struct xnr__fb *fb, size_t base,
                                   const struct xnr__fb_table *f, struct column *c)
{
	struct xnr__fb_table child, t;
	int64_t type = 0, ctype = 0, width = 0, is_signed = 0;
	size_t first, n = 0;
	int dict = 0, cdict = 0, present = 0;
	char what[128];

	if (xnr__fb_int(fb, f, 2, 1, 0, 0, &type) != 0 || xnr__fb_table(fb, f, 4, &t, &dict) != 0 ||
	    xnr__fb_vector(fb, f, 5, 4, &first, &n) != 0)
		return bad_meta(a, fb, base);
	if (n == 1 && (xnr__fb_vector_table(fb, first, 0, &child) != 0 ||
	               xnr__fb_int(fb, &child, 2, 1, 0, 0, &ctype) != 0 ||
	               xnr__fb_table(fb, &child, 4, &t, &cdict) != 0))
		return bad_meta(a, fb, base);
	if (ctype == TYPE_INT && (xnr__fb_table(fb, &child, 3, &t, &present) != 0 ||
	                          (present && (xnr__fb_int(fb, &t, 0, 4, 1, 0, &width) != 0 ||
	                                       xnr__fb_int(fb, &t, 1, 1, 0, 0, &is_signed) != 0))))
		return bad_meta(a, fb, base);
	c->list_wide = type == TYPE_LARGE_LIST;
	c->child = (int)ctype;
	c->int_bytes = (size_t)width / 8;
	c->int_signed = is_signed != 0;
	if ((type == TYPE_LIST || type == TYPE_LARGE_LIST) && n == 1 && !dict && !cdict &&
	    (ctype == TYPE_UTF8 || ctype == TYPE_LARGE_UTF8 ||
	     (ctype == TYPE_INT && c == &a->tags &&
	      (width == 8 || width == 16 || width == 32 || width == 64))))
		return XNR_OK;
	describe(fb, f, 0, what, sizeof what);
	return xnr_fail_at(a->err, XNR_ERR_FORMAT, a->name, 0,
	                   "offset %zu: column %s is %s%s, expected %s", base + f->pos, c->want,
	                   dict || cdict ? "dictionary-encoded " : "", what,
	                   c == &a->tags ? "a list of strings or integers (Sequence of "
	                                   "ClassLabel or of string)"
	                                 : "a list of strings (Sequence of string)");
}

/* Which column a field name stands for, and how good a match it is. */
static struct column *wanted(struct arrow *a, const char *s, size_t len, int *rank)
{
	static const char *const names[][2] = {{"tokens", "words"}, {"ner_tags", "tags"}};

	for (int c = 0; c < 2; c++)
		for (int r = 0; r < 2; r++)
			if (strlen(names[c][r]) == len && memcmp(s, names[c][r], len) == 0) {
				*rank = r;
				return c == 0 ? &a->tokens : &a->tags;
			}
	return NULL;
}

/* Schema (Schema.fbs): endianness 0, fields 1. */
static enum xnr_status schema(struct arrow *a, struct xnr__fb *fb, size_t base,
                              const struct xnr__fb_table *s)
{
	struct xnr__fb_table f;
	int64_t endian;
	size_t first, n;
	enum xnr_status st;

	if (a->have_schema)
		return bad_at(a, base + s->pos, "a second schema in one stream");
	if (xnr__fb_int(fb, s, 0, 2, 1, 0, &endian) != 0 ||
	    xnr__fb_vector(fb, s, 1, 4, &first, &n) != 0)
		return bad_meta(a, fb, base);
	if (endian != 0)
		return xnr_fail_at(a->err, XNR_ERR_UNSUPPORTED, a->name, 0,
		                   "big-endian Arrow data (write the dataset on a little-endian "
		                   "machine)");
	for (size_t i = 0; i < n; i++) {
		const char *name;
		size_t len, node = a->n_nodes, buf = a->n_bufs;
		struct column *c;
		int rank = 0;
		if (xnr__fb_vector_table(fb, first, i, &f) != 0 ||
		    xnr__fb_string(fb, &f, 0, &name, &len) != 0)
			return bad_meta(a, fb, base);
		if ((st = count_field(a, fb, base, &f, 0)) != XNR_OK)
			return st;
		c = name ? wanted(a, name, len, &rank) : NULL;
		if (!c || (c->found && c->rank <= rank))
			continue;
		c->found = 1;
		c->rank = rank;
		c->node = node;
		c->buf = buf;
		c->field = f;
	}
	a->have_schema = 1;
	if (!a->tokens.found || !a->tags.found)
		return xnr_fail_at(
		    a->err, XNR_ERR_FORMAT, a->name, 0,
		    "no column %s (a dataset for NER needs columns tokens and ner_tags)",
		    a->tokens.found ? "ner_tags (or tags)" : "tokens (or words)");
	/* types checked once the best-named columns are known ("tokens" before "words") */
	if ((st = column_type(a, fb, base, &a->tokens.field, &a->tokens)) != XNR_OK)
		return st;
	return column_type(a, fb, base, &a->tags.field, &a->tags);
}

/* A RecordBatch's body and where its node and buffer vectors are. */
struct batch {
	struct xnr__fb *fb;
	size_t base;           /* file offset of the metadata */
	size_t body, n_body;   /* file offset and bytes of the body */
	size_t nodes, buffers; /* first elements of the two vectors (16-byte structs) */
	size_t rows;
};

/* A list's or string's offsets and validity. */
struct varlen {
	const uint8_t *valid; /* NULL: no nulls */
	const uint8_t *off;
	size_t wide; /* 4 or 8 */
	size_t n;    /* entries; off holds n + 1 */
};

static int64_t off_at(const struct varlen *v, size_t i)
{
	uint64_t x = xnr__le(v->off + i * v->wide, v->wide);
	return v->wide == 4 ? (int64_t)(int32_t)(uint32_t)x : (int64_t)x;
}

static int is_null(const uint8_t *valid, size_t i)
{
	return valid && !((valid[i >> 3] >> (i & 7)) & 1);
}

static enum xnr_status node_at(const struct arrow *a, const struct batch *b, size_t i, size_t *len,
                               size_t *nulls)
{
	const uint8_t *p = b->fb->buf + b->nodes + 16 * i;
	int64_t l = (int64_t)xnr__le(p, 8), z = (int64_t)xnr__le(p + 8, 8);

	if (l < 0 || z < 0 || z > l || (uint64_t)l > SIZE_MAX / 16)
		return bad_at(a, b->base + b->nodes + 16 * i,
		              "a field node of bad length or null count");
	*len = (size_t)l;
	*nulls = (size_t)z;
	return XNR_OK;
}

static enum xnr_status buffer_at(const struct arrow *a, const struct batch *b, size_t i,
                                 const uint8_t **p, size_t *len)
{
	const uint8_t *q = b->fb->buf + b->buffers + 16 * i;
	int64_t o = (int64_t)xnr__le(q, 8), l = (int64_t)xnr__le(q + 8, 8);

	if (o < 0 || l < 0 || (uint64_t)o > b->n_body || (uint64_t)l > b->n_body - (uint64_t)o)
		return bad_at(
		    a, b->base + b->buffers + 16 * i,
		    "a buffer outside the message body (the file is truncated or corrupt)");
	*p = a->buf + b->body + (size_t)o;
	*len = (size_t)l;
	return XNR_OK;
}

/* The validity bitmap of node `node` (n entries) from buffer `buf`. */
static enum xnr_status validity(const struct arrow *a, const struct batch *b, size_t buf, size_t n,
                                size_t nulls, const uint8_t **out)
{
	const uint8_t *p;
	size_t len;
	enum xnr_status st = buffer_at(a, b, buf, &p, &len);

	if (st != XNR_OK)
		return st;
	*out = NULL;
	if (nulls == 0)
		return XNR_OK;
	if (len < (n + 7) / 8)
		return bad_at(a, b->base + b->buffers + 16 * buf, "a validity bitmap too short");
	*out = p;
	return XNR_OK;
}

/* Offsets from buffer `buf` for n entries: non-decreasing, from >= 0 to
 * at most limit. */
static enum xnr_status offsets(const struct arrow *a, const struct batch *b, size_t buf,
                               size_t wide, size_t n, size_t limit, struct varlen *v)
{
	size_t len, where = b->base + b->buffers + 16 * buf;
	enum xnr_status st = buffer_at(a, b, buf, &v->off, &len);
	int64_t prev;

	v->wide = wide;
	v->n = n;
	if (st != XNR_OK || n == 0)
		return st;
	if (len / wide < n + 1)
		return bad_at(a, where, "an offsets buffer too short for its entries");
	prev = off_at(v, 0);
	if (prev < 0)
		return bad_at(a, where, "a negative offset");
	for (size_t i = 1; i <= n; i++) {
		int64_t o = off_at(v, i);
		if (o < prev)
			return bad_at(a, where, "offsets that decrease");
		prev = o;
	}
	if ((uint64_t)prev > limit)
		return bad_at(a, where, "an offset past the end of its data");
	return XNR_OK;
}

/* A list column: its offsets into the child, the child's validity, and the
 * child's values (string offsets into *data, or *data integers). */
struct list_col {
	struct varlen list, str;
	const uint8_t *child_valid, *data;
	size_t n_data;
};

static enum xnr_status list_column(const struct arrow *a, const struct batch *b,
                                   const struct column *c, struct list_col *out)
{
	size_t len, nulls, clen, cnulls;
	enum xnr_status st;

	if ((st = node_at(a, b, c->node, &len, &nulls)) != XNR_OK ||
	    (st = node_at(a, b, c->node + 1, &clen, &cnulls)) != XNR_OK)
		return st;
	if (len != b->rows)
		return bad_at(a, b->base + b->nodes + 16 * c->node,
		              "a column whose length is not the batch's");
	if ((st = validity(a, b, c->buf, len, nulls, &out->list.valid)) != XNR_OK ||
	    (st = offsets(a, b, c->buf + 1, c->list_wide ? 8 : 4, len, clen, &out->list)) !=
	        XNR_OK ||
	    (st = validity(a, b, c->buf + 2, clen, cnulls, &out->child_valid)) != XNR_OK)
		return st;
	out->str.valid = NULL;
	if (c->child == TYPE_INT) {
		if ((st = buffer_at(a, b, c->buf + 3, &out->data, &out->n_data)) != XNR_OK)
			return st;
		if (out->n_data / c->int_bytes < clen)
			return bad_at(a, b->base + b->buffers + 16 * (c->buf + 3),
			              "an integer buffer too short for its values");
		return XNR_OK;
	}
	if ((st = buffer_at(a, b, c->buf + 4, &out->data, &out->n_data)) != XNR_OK)
		return st;
	return offsets(a, b, c->buf + 3, c->child == TYPE_LARGE_UTF8 ? 8 : 4, clen, out->n_data,
	               &out->str);
}

static enum xnr_status row_fail(const struct arrow *a, enum xnr_status st, long row, size_t item,
                                const char *what)
{
	xnr_fail_at(a->err, st, a->name, 0, "row %ld: %s", row, what);
	xnr_error_set_item(a->err, (long)item);
	return st;
}

/* The label id of tag j (child index) of the tags column. */
static enum xnr_status tag_of(struct arrow *a, const struct list_col *t, size_t j, long row,
                              size_t item, int32_t *id)
{
	const struct column *c = &a->tags;
	char msg[160];

	if (is_null(t->child_valid, j))
		return row_fail(a, XNR_ERR_FORMAT, row, item,
		                "a tag is null (every token needs a tag)");
	if (c->child == TYPE_INT) {
		uint64_t u = xnr__le(t->data + j * c->int_bytes, c->int_bytes);
		int neg = c->int_signed && (u >> (8 * c->int_bytes - 1)) & 1;
		if (!a->id_labels)
			return row_fail(
			    a, XNR_ERR_INPUT, row, item,
			    "ner_tags are ids but no label names were found (no "
			    "dataset_info.json with a ClassLabel feature beside the data: "
			    "pass --labels O,B-PER,... in id order)");
		if (neg || u >= a->ds->labels.n) {
			if (neg)
				snprintf(msg, sizeof msg, "tag %zu is a negative id", item);
			else
				snprintf(msg, sizeof msg,
				         "tag %zu is id %" PRIu64
				         ", but there are %zu label names (ids 0 "
				         "to %zu; check dataset_info.json's ClassLabel names or "
				         "--labels)",
				         item, u, a->ds->labels.n, a->ds->labels.n - 1);
			return row_fail(a, XNR_ERR_FORMAT, row, item, msg);
		}
		*id = (int32_t)u;
		return XNR_OK;
	}
	{
		size_t s = (size_t)off_at(&t->str, j), e = (size_t)off_at(&t->str, j + 1);
		const char *name = (const char *)t->data + s;
		struct xnr_tag tag;
		if (e - s > XNR_LABEL_MAX_BYTES || xnr_tag_parse(name, e - s, &tag) != 0) {
			snprintf(
			    msg, sizeof msg,
			    "\"%.*s\" (tag %zu) is not a tag (tags are O, or B-, I-, E-, S-, L-, "
			    "U- and a type, as B-PER)",
			    (int)(e - s > 64 ? 64 : e - s), name, item);
			return row_fail(a, XNR_ERR_FORMAT, row, item, msg);
		}
		return xnr_labels_add(&a->ds->labels, name, e - s, id, a->name, a->err);
	}
}

/* Row r of the batch: one sentence. */
static enum xnr_status row(struct arrow *a, const struct list_col *w, const struct list_col *t,
                           size_t r)
{
	long line = a->rows + (long)r + 1;
	size_t w0, w1, t0, t1;
	char msg[160];
	enum xnr_status st;

	if (is_null(w->list.valid, r) || is_null(t->list.valid, r))
		return row_fail(a, XNR_ERR_FORMAT, line, 0,
		                is_null(w->list.valid, r)
		                    ? "tokens is null (every row needs tokens)"
		                    : "ner_tags is null (every row needs tags)");
	w0 = (size_t)off_at(&w->list, r), w1 = (size_t)off_at(&w->list, r + 1);
	t0 = (size_t)off_at(&t->list, r), t1 = (size_t)off_at(&t->list, r + 1);
	if (w1 - w0 != t1 - t0) {
		snprintf(msg, sizeof msg, "%zu tokens but %zu ner_tags (give one tag per token)",
		         w1 - w0, t1 - t0);
		return row_fail(a, XNR_ERR_FORMAT, line, 0, msg);
	}
	/* as the JSONL reader: an empty sentence has nothing to tag or score */
	if (w1 == w0)
		return row_fail(
		    a, XNR_ERR_FORMAT, line, 0,
		    "a sentence with no tokens (leave the row out: every sentence needs "
		    "at least one token)");
	for (size_t i = 0; i < w1 - w0; i++) {
		size_t j = w0 + i, s, e;
		int32_t tag;
		if (is_null(w->child_valid, j))
			return row_fail(a, XNR_ERR_FORMAT, line, i + 1, "a token is null");
		s = (size_t)off_at(&w->str, j), e = (size_t)off_at(&w->str, j + 1);
		if (e == s) {
			snprintf(msg, sizeof msg, "token %zu is empty", i + 1);
			return row_fail(a, XNR_ERR_FORMAT, line, i + 1, msg);
		}
		if (xnr__utf8_check((const char *)w->data + s, e - s, a->name, 0, a->err) !=
		    XNR_OK) {
			snprintf(
			    msg, sizeof msg,
			    "token %zu is not valid UTF-8 or holds a NUL byte (a dataset of text "
			    "needs UTF-8 strings)",
			    i + 1);
			return row_fail(a, XNR_ERR_FORMAT, line, i + 1, msg);
		}
		if ((st = tag_of(a, t, t0 + i, line, i + 1, &tag)) != XNR_OK)
			return st;
		if ((st = xnr__ds_word(a->ds, (const char *)w->data + s, e - s, tag, line, a->p,
		                       a->err)) != XNR_OK)
			return st;
	}
	return xnr__ds_sentence(a->ds, line, NULL, a->err);
}

/* RecordBatch (Message.fbs): length 0, nodes 1, buffers 2, compression 3. */
static enum xnr_status record_batch(struct arrow *a, struct batch *b,
                                    const struct xnr__fb_table *rb)
{
	static const char *const codecs[] = {"LZ4_FRAME", "ZSTD"};
	struct xnr__fb_table comp;
	struct list_col w, t;
	int64_t length, codec = 0;
	size_t n_nodes, n_bufs;
	int compressed;
	enum xnr_status st;

	if (!a->have_schema)
		return bad_at(a, b->base, "a record batch before the schema");
	if (xnr__fb_int(b->fb, rb, 0, 8, 1, 0, &length) != 0 ||
	    xnr__fb_vector(b->fb, rb, 1, 16, &b->nodes, &n_nodes) != 0 ||
	    xnr__fb_vector(b->fb, rb, 2, 16, &b->buffers, &n_bufs) != 0 ||
	    xnr__fb_table(b->fb, rb, 3, &comp, &compressed) != 0 ||
	    (compressed && xnr__fb_int(b->fb, &comp, 0, 1, 1, 0, &codec) != 0))
		return bad_meta(a, b->fb, b->base);
	if (compressed)
		return xnr_fail_at(a->err, XNR_ERR_UNSUPPORTED, a->name, 0,
		                   "offset %zu: the record batch is compressed with %s, which this "
		                   "reader does not take (save the dataset with `datasets`, which "
		                   "writes it uncompressed)",
		                   b->base,
		                   codec >= 0 && codec < 2 ? codecs[codec] : "an unknown codec");
	if (length < 0 || n_nodes != a->n_nodes || n_bufs != a->n_bufs)
		return bad_at(a, b->base, "a record batch whose fields are not the schema's");
	b->rows = (size_t)length;
	if ((st = list_column(a, b, &a->tokens, &w)) != XNR_OK ||
	    (st = list_column(a, b, &a->tags, &t)) != XNR_OK)
		return st;
	for (size_t r = 0; r < b->rows; r++)
		if ((st = row(a, &w, &t, r)) != XNR_OK)
			return st;
	a->rows += (long)b->rows;
	return XNR_OK;
}

/* The message at file offset pos: *next is where the following one starts,
 * 0 at the end-of-stream marker. */
static enum xnr_status message(struct arrow *a, size_t pos, size_t end, size_t *next)
{
	struct xnr__fb fb = {0};
	struct xnr__fb_table m, h;
	int64_t version, type, body;
	size_t meta;
	int present;
	uint64_t len;

	if (end - pos < 8)
		return bad_at(a, pos,
		              "the stream ends without its end marker (the file is truncated)");
	if (xnr__le(a->buf + pos, 4) != 0xFFFFFFFFu)
		return bad_at(a, pos,
		              "no continuation marker 0xFFFFFFFF before a message (the file "
		              "is corrupt, or written by Arrow before 0.15)");
	len = xnr__le(a->buf + pos + 4, 4);
	if (len == 0) {
		*next = 0;
		return XNR_OK;
	}
	meta = pos + 8;
	if (len > end - meta)
		return bad_at(a, pos + 4, "message metadata past the end of the file (truncated?)");
	fb.buf = a->buf + meta;
	fb.n = (size_t)len;
	if (xnr__fb_root(&fb, &m) != 0 || xnr__fb_int(&fb, &m, 0, 2, 1, 0, &version) != 0 ||
	    xnr__fb_int(&fb, &m, 1, 1, 0, 0, &type) != 0 ||
	    xnr__fb_table(&fb, &m, 2, &h, &present) != 0 ||
	    xnr__fb_int(&fb, &m, 3, 8, 1, 0, &body) != 0)
		return bad_meta(a, &fb, meta);
	/* MetadataVersion V4 = 3 (Arrow 0.8) and V5 = 4 (1.0, what pyarrow writes) */
	if (version < 3 || version > 4)
		return xnr_fail_at(a->err, XNR_ERR_UNSUPPORTED, a->name, 0,
		                   "offset %zu: Arrow metadata version %" PRId64
		                   ", expected V4 or V5 (write the dataset with a current pyarrow)",
		                   pos, version + 1);
	if (!present)
		return bad_at(a, meta, "a message without a header");
	if (body < 0 || (uint64_t)body > end - meta - len)
		return bad_at(a, meta,
		              "a message body past the end of the file (the file is truncated)");
	*next = meta + (size_t)len + (size_t)body;
	if (type == 1)
		return a->file_format ? XNR_OK : schema(a, &fb, meta, &h);
	if (type == 3) {
		struct batch b = {&fb, meta, meta + (size_t)len, (size_t)body, 0, 0, 0};
		return record_batch(a, &b, &h);
	}
	if (type == 2)
		return XNR_OK; /* dictionaries of columns we skip (ours are checked not to be) */
	return bad_at(a, meta, "a message that is neither schema nor batch");
}

/* The file format (File.fbs): a Footer table (version 0, schema 1,
 * dictionaries 2, recordBatches 3: Blocks of i64 offset, i32 metadata length,
 * 4 bytes padding, i64 body length) at [pos, pos + len), the schema read
 * from it and every record batch from its block. Writers need not repeat the
 * schema in the stream (Arrow's JavaScript writer does not). */
static enum xnr_status file_footer(struct arrow *a, size_t pos, size_t len)
{
	struct xnr__fb fb = {a->buf + pos, len, 0, NULL};
	struct xnr__fb_table f, s;
	size_t first, n;
	int present;
	enum xnr_status st;

	if (xnr__fb_root(&fb, &f) != 0 || xnr__fb_table(&fb, &f, 1, &s, &present) != 0 ||
	    xnr__fb_vector(&fb, &f, 3, 24, &first, &n) != 0)
		return bad_meta(a, &fb, pos);
	if (!present)
		return bad_at(a, pos, "an Arrow file footer without a schema");
	if ((st = schema(a, &fb, pos, &s)) != XNR_OK)
		return st;
	a->file_format = 1;
	for (size_t i = 0; i < n; i++) {
		int64_t off = (int64_t)xnr__le(fb.buf + first + 24 * i, 8);
		size_t next;
		if (xnr_ctl_cancelled(a->p->ctl))
			return xnr_fail_at(a->err, XNR_ERR_CANCELLED, a->name, 0,
			                   "cancelled while reading");
		if (off < 8 || (uint64_t)off >= pos)
			return bad_at(a, pos + first + 24 * i,
			              "a record batch block outside the file");
		if ((st = message(a, (size_t)off, pos, &next)) != XNR_OK)
			return st;
		if (next == 0)
			return bad_at(a, (size_t)off,
			              "a record batch block at the end-of-stream marker");
	}
	return XNR_OK;
}

enum xnr_status xnr__arrow_read(struct xnr_dataset *ds, const uint8_t *buf, size_t n,
                                const char *name, int id_labels, long *rows,
                                const struct xnr_data_params *p, struct xnr_error *err)
{
	struct arrow a = {0};
	size_t pos = 0;
	enum xnr_status st = XNR_OK;

	a.ds = ds, a.p = p, a.err = err, a.name = name, a.buf = buf, a.n = n;
	a.id_labels = id_labels;
	a.rows = *rows;
	a.tokens.want = "tokens";
	a.tags.want = "ner_tags";
	if (n >= 6 && memcmp(buf, "ARROW1", 6) == 0) {
		uint64_t footer;
		/* file format: magic, padding to 8, the stream, footer, i32 footer length, magic */
		if (n < 8 + 10 || memcmp(buf + n - 6, "ARROW1", 6) != 0)
			return bad_at(&a, n,
			              "an Arrow file that does not end with ARROW1 (truncated?)");
		footer = xnr__le(buf + n - 10, 4);
		if (footer > n - 18)
			return bad_at(&a, n - 10, "a footer longer than the file");
		st = file_footer(&a, n - 10 - (size_t)footer, (size_t)footer);
		if (st == XNR_OK)
			*rows = a.rows;
		return st;
	} else if (n < 4 || xnr__le(buf, 4) != 0xFFFFFFFFu) {
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, name, 0,
		    "offset 0: not an Arrow IPC stream or file (it starts with neither "
		    "the continuation marker FF FF FF FF nor ARROW1; is this a file "
		    "`datasets` saved?)");
	}
	while (st == XNR_OK) {
		size_t next = 0;
		if (xnr_ctl_cancelled(p->ctl))
			return xnr_fail_at(err, XNR_ERR_CANCELLED, name, 0,
			                   "cancelled while reading");
		if ((st = message(&a, pos, n, &next)) != XNR_OK || next == 0)
			break;
		pos = next;
	}
	if (st == XNR_OK && !a.have_schema)
		st = bad_at(&a, pos, "a stream without a schema");
	if (st == XNR_OK)
		*rows = a.rows;
	return st;
}
