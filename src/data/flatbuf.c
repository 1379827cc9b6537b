/*
 * flatbuf.c - the bounds-checked FlatBuffers table reader of flatbuf.h.
 * Positions are size_t and every addition is checked against the buffer's
 * length before it is made, so no crafted offset can wrap or point outside.
 */
#include "data/flatbuf.h"

uint64_t xnr__le(const uint8_t *p, size_t bytes)
{
	uint64_t v = 0;

	for (size_t i = bytes; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static int bad(struct xnr__fb *fb, size_t at, const char *what)
{
	if (!fb->bad) {
		fb->bad = what;
		fb->bad_at = at;
	}
	return -1;
}

/* 1 when bytes bytes at pos lie inside the buffer. */
static int fits(const struct xnr__fb *fb, size_t pos, size_t bytes)
{
	return pos <= fb->n && bytes <= fb->n - pos;
}

/* The position a u32 offset stored at pos points to. */
static int follow(struct xnr__fb *fb, size_t pos, size_t *out)
{
	uint64_t off;

	if (!fits(fb, pos, 4))
		return bad(fb, pos, "offset past the end of the metadata");
	off = xnr__le(fb->buf + pos, 4);
	if (off == 0 || off > fb->n - pos)
		return bad(fb, pos, "offset points outside the metadata");
	*out = pos + (size_t)off;
	return 0;
}

static int table_at(struct xnr__fb *fb, size_t pos, struct xnr__fb_table *out)
{
	int64_t soff;
	size_t vt, vt_bytes;

	if (!fits(fb, pos, 4))
		return bad(fb, pos, "table past the end of the metadata");
	soff = (int32_t)(uint32_t)xnr__le(fb->buf + pos, 4);
	/* vtable = table - soffset, inside the buffer */
	if ((soff > 0 && (uint64_t)soff > pos) || (soff < 0 && (uint64_t)-soff > fb->n - pos))
		return bad(fb, pos, "vtable outside the metadata");
	vt = soff > 0 ? pos - (size_t)soff : pos + (size_t)-soff;
	if (!fits(fb, vt, 4))
		return bad(fb, vt, "vtable past the end of the metadata");
	vt_bytes = (size_t)xnr__le(fb->buf + vt, 2);
	if (vt_bytes < 4 || vt_bytes % 2 != 0 || !fits(fb, vt, vt_bytes))
		return bad(fb, vt, "vtable of a bad size");
	out->pos = pos;
	out->vt = vt;
	out->n_vt = (vt_bytes - 4) / 2;
	out->n_tab = (size_t)xnr__le(fb->buf + vt + 2, 2);
	if (out->n_tab < 4 || !fits(fb, pos, out->n_tab))
		return bad(fb, pos, "table larger than the metadata");
	return 0;
}

int xnr__fb_root(struct xnr__fb *fb, struct xnr__fb_table *out)
{
	size_t pos;

	return follow(fb, 0, &pos) != 0 ? -1 : table_at(fb, pos, out);
}

/* Position of field id holding `bytes` bytes, or 0 when absent. */
static int field(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id, size_t bytes,
                 size_t *pos)
{
	size_t off;

	*pos = 0;
	if (id >= t->n_vt)
		return 0;
	off = (size_t)xnr__le(fb->buf + t->vt + 4 + 2 * (size_t)id, 2);
	if (off == 0)
		return 0;
	if (off < 4 || off > t->n_tab || bytes > t->n_tab - off)
		return bad(fb, t->pos, "field outside its table");
	*pos = t->pos + off;
	return 0;
}

int xnr__fb_int(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id, size_t bytes,
                int is_signed, int64_t def, int64_t *out)
{
	uint64_t v;
	size_t pos;

	if (field(fb, t, id, bytes, &pos) != 0)
		return -1;
	if (!pos) {
		*out = def;
		return 0;
	}
	v = xnr__le(fb->buf + pos, bytes);
	if (is_signed && bytes < 8 && (v >> (8 * bytes - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * bytes);
	*out = (int64_t)v;
	return 0;
}

int xnr__fb_table(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id,
                  struct xnr__fb_table *out, int *present)
{
	size_t pos, target;

	*present = 0;
	if (field(fb, t, id, 4, &pos) != 0)
		return -1;
	if (!pos)
		return 0;
	if (follow(fb, pos, &target) != 0 || table_at(fb, target, out) != 0)
		return -1;
	*present = 1;
	return 0;
}

int xnr__fb_vector(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id,
                   size_t elem_bytes, size_t *first, size_t *n_elems)
{
	size_t pos, target;
	uint64_t n;

	*first = 0;
	*n_elems = 0;
	if (field(fb, t, id, 4, &pos) != 0)
		return -1;
	if (!pos)
		return 0;
	if (follow(fb, pos, &target) != 0)
		return -1;
	if (!fits(fb, target, 4))
		return bad(fb, target, "vector past the end of the metadata");
	n = xnr__le(fb->buf + target, 4);
	if (n > (fb->n - target - 4) / elem_bytes)
		return bad(fb, target, "vector longer than the metadata");
	*first = target + 4;
	*n_elems = (size_t)n;
	return 0;
}

int xnr__fb_vector_table(struct xnr__fb *fb, size_t first, size_t i, struct xnr__fb_table *out)
{
	size_t target;

	return follow(fb, first + 4 * i, &target) != 0 ? -1 : table_at(fb, target, out);
}

static int string_at(struct xnr__fb *fb, size_t target, const char **s, size_t *len)
{
	uint64_t n;

	if (!fits(fb, target, 4))
		return bad(fb, target, "string past the end of the metadata");
	n = xnr__le(fb->buf + target, 4);
	if (n > fb->n - target - 4)
		return bad(fb, target, "string longer than the metadata");
	*s = (const char *)fb->buf + target + 4;
	*len = (size_t)n;
	return 0;
}

int xnr__fb_string(struct xnr__fb *fb, const struct xnr__fb_table *t, unsigned id, const char **s,
                   size_t *len)
{
	size_t pos, target;

	*s = NULL;
	*len = 0;
	if (field(fb, t, id, 4, &pos) != 0)
		return -1;
	if (!pos)
		return 0;
	return follow(fb, pos, &target) != 0 ? -1 : string_at(fb, target, s, len);
}

int xnr__fb_vector_string(struct xnr__fb *fb, size_t first, size_t i, const char **s, size_t *len)
{
	size_t target;

	return follow(fb, first + 4 * i, &target) != 0 ? -1 : string_at(fb, target, s, len);
}
