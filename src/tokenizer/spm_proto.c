/*
 * spm_proto.c - a reader of just the sentencepiece ModelProto fields the
 * slow-to-fast converters use (sentencepiece_model.proto, proto2;
 * hf-formats.md 4.9): pieces (piece 1, score 2, type 3), trainer_spec
 * (model_type 3, byte_fallback 35, unk/bos/eos/pad ids 40-43) and
 * normalizer_spec (precompiled_charsmap 2, add_dummy_prefix 3,
 * remove_extra_whitespaces 4, escape_whitespaces 5). Every other field is
 * skipped by its wire type. Nothing is copied but the piece table: strings
 * and the charsmap point into the caller's buffer. Errors name the field and
 * the byte offset where reading stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/internal.h"

/* More pieces than any released model (XLM-R: 250,002; mT5: 250,100). */
#define XNR_SPM_MAX_PIECES (1 << 24)

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* A byte range of the buffer being decoded; off is absolute in the file. */
struct pb {
	const unsigned char *buf;
	size_t off, end;
	const char *path;
	struct xnr_error *err;
};

/* One decoded field: its number, wire type, the byte offset of its key, and
 * its value (varint / fixed value, or the [off, end) of a LEN payload). */
struct pb_field {
	uint32_t num;
	int wt;
	size_t at;
	uint64_t v;
	size_t s, e;
};

static enum xnr_status pb_fail(const struct pb *r, size_t at, const char *field, const char *what)
{
	return xnr_fail_at(r->err, XNR_ERR_FORMAT, r->path, 0,
	                   "byte %zu: %s: %s (not a sentencepiece model, or a truncated one)", at,
	                   field, what);
}

static int pb_varint(struct pb *r, uint64_t *v)
{
	int shift;

	*v = 0;
	for (shift = 0; shift < 64 && r->off < r->end; shift += 7) {
		unsigned char b = r->buf[r->off++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* The next field of r into f (r->off < r->end); `msg` names the message. */
static enum xnr_status pb_next(struct pb *r, const char *msg, struct pb_field *f)
{
	uint64_t key, len;
	size_t n;

	f->at = r->off;
	if (pb_varint(r, &key) != 0)
		return pb_fail(r, f->at, msg, "field key runs past the end");
	f->num = (uint32_t)(key >> 3);
	f->wt = (int)(key & 7);
	if (f->num == 0 || key >> 32)
		return pb_fail(r, f->at, msg, "invalid field number");
	switch (f->wt) {
	case WT_VARINT:
		if (pb_varint(r, &f->v) != 0)
			return pb_fail(r, f->at, msg, "varint runs past the end");
		return XNR_OK;
	case WT_I64:
	case WT_I32:
		n = f->wt == WT_I64 ? 8 : 4;
		if (r->end - r->off < n)
			return pb_fail(r, f->at, msg, "fixed-size value runs past the end");
		f->v = 0;
		while (n--)
			f->v |= (uint64_t)r->buf[r->off + n] << (8 * n);
		r->off += f->wt == WT_I64 ? 8 : 4;
		return XNR_OK;
	case WT_LEN:
		if (pb_varint(r, &len) != 0 || len > r->end - r->off) {
			char what[96];
			snprintf(what, sizeof what,
			         "field %u: length runs past the end (%zu bytes left)",
			         (unsigned)f->num, r->end - r->off);
			return pb_fail(r, f->at, msg, what);
		}
		f->s = r->off;
		f->e = r->off + (size_t)len;
		r->off = f->e;
		return XNR_OK;
	default:
		return pb_fail(r, f->at, msg,
		               "unsupported wire type (groups are not used by "
		               "sentencepiece)");
	}
}

/* f must have wire type wt; `name` is the field's path in messages. */
static enum xnr_status pb_expect(const struct pb *r, const struct pb_field *f, int wt,
                                 const char *name)
{
	return f->wt == wt ? XNR_OK : pb_fail(r, f->at, name, "unexpected wire type");
}

static enum xnr_status parse_piece(struct pb *outer, const struct pb_field *pf, int i,
                                   struct xnr__spm_piece *p)
{
	struct pb r = {outer->buf, pf->s, pf->e, outer->path, outer->err};
	struct pb_field f;
	char name[64];
	enum xnr_status st;

	p->type = XNR__SPM_NORMAL;
	p->score = 0.0f;
	p->s = NULL;
	snprintf(name, sizeof name, "ModelProto.pieces[%d]", i);
	while (r.off < r.end) {
		if ((st = pb_next(&r, name, &f)) != XNR_OK)
			return st;
		if (f.num == 1) {
			if ((st = pb_expect(&r, &f, WT_LEN, name)) != XNR_OK)
				return st;
			p->s = (const char *)r.buf + f.s;
			p->len = f.e - f.s;
			if (xnr__utf8_invalid(p->s, p->len) != (size_t)-1)
				return pb_fail(&r, f.at, name, "piece is not valid UTF-8");
		} else if (f.num == 2) {
			uint32_t bits = (uint32_t)f.v;
			if ((st = pb_expect(&r, &f, WT_I32, name)) != XNR_OK)
				return st;
			memcpy(&p->score, &bits, sizeof p->score);
		} else if (f.num == 3) {
			if ((st = pb_expect(&r, &f, WT_VARINT, name)) != XNR_OK)
				return st;
			if (f.v < XNR__SPM_NORMAL || f.v > XNR__SPM_BYTE)
				return pb_fail(&r, f.at, name, "unknown piece type");
			p->type = (int)f.v;
		}
	}
	if (!p->s)
		return pb_fail(&r, pf->at, name, "piece has no string (field 1)");
	return XNR_OK;
}

static enum xnr_status parse_trainer(struct pb *outer, const struct pb_field *pf,
                                     struct xnr__spm *m)
{
	struct pb r = {outer->buf, pf->s, pf->e, outer->path, outer->err};
	struct pb_field f;
	enum xnr_status st;

	while (r.off < r.end) {
		int32_t *id = NULL;
		if ((st = pb_next(&r, "ModelProto.trainer_spec", &f)) != XNR_OK)
			return st;
		if (f.num != 3 && f.num != 35 && (f.num < 40 || f.num > 43))
			continue;
		if ((st = pb_expect(&r, &f, WT_VARINT, "ModelProto.trainer_spec")) != XNR_OK)
			return st;
		if (f.num == 3)
			m->model_type = f.v > 16 ? 0 : (int)f.v;
		else if (f.num == 35)
			m->byte_fallback = f.v != 0;
		else
			id = f.num == 40   ? &m->unk_id
			     : f.num == 41 ? &m->bos_id
			     : f.num == 42 ? &m->eos_id
			                   : &m->pad_id;
		if (id)
			*id = (int32_t)(int64_t)f.v; /* int32 varints are sign-extended */
	}
	return XNR_OK;
}

static enum xnr_status parse_normalizer(struct pb *outer, const struct pb_field *pf,
                                        struct xnr__spm *m)
{
	struct pb r = {outer->buf, pf->s, pf->e, outer->path, outer->err};
	struct pb_field f;
	enum xnr_status st;

	while (r.off < r.end) {
		if ((st = pb_next(&r, "ModelProto.normalizer_spec", &f)) != XNR_OK)
			return st;
		if (f.num == 2) {
			if ((st = pb_expect(&r, &f, WT_LEN, "ModelProto.normalizer_spec")) !=
			    XNR_OK)
				return st;
			m->charsmap = f.e > f.s ? r.buf + f.s : NULL;
			m->charsmap_len = f.e - f.s;
		} else if (f.num >= 3 && f.num <= 5) {
			if ((st = pb_expect(&r, &f, WT_VARINT, "ModelProto.normalizer_spec")) !=
			    XNR_OK)
				return st;
			*(f.num == 3   ? &m->add_dummy_prefix
			  : f.num == 4 ? &m->remove_extra_whitespaces
			               : &m->escape_whitespaces) = f.v != 0;
		}
	}
	return XNR_OK;
}

/* First pass: count the pieces so the table is allocated once. */
static enum xnr_status count_pieces(struct pb r, int *n)
{
	struct pb_field f;
	enum xnr_status st;

	*n = 0;
	while (r.off < r.end) {
		if ((st = pb_next(&r, "ModelProto", &f)) != XNR_OK)
			return st;
		if (f.num != 1)
			continue;
		if ((st = pb_expect(&r, &f, WT_LEN, "ModelProto.pieces")) != XNR_OK)
			return st;
		if (++*n > XNR_SPM_MAX_PIECES)
			return xnr_fail_at(r.err, XNR_ERR_LIMIT, r.path, 0, "more than %d pieces",
			                   XNR_SPM_MAX_PIECES);
	}
	if (*n == 0)
		return xnr_fail_at(r.err, XNR_ERR_FORMAT, r.path, 0,
		                   "ModelProto.pieces: none (not a sentencepiece model)");
	return XNR_OK;
}

enum xnr_status xnr__spm_parse(const unsigned char *buf, size_t len, const char *path,
                               struct xnr__spm *out, struct xnr_error *err)
{
	struct pb r = {buf, 0, len, path, err};
	struct pb_field f;
	struct xnr__spm m;
	enum xnr_status st;
	int n = 0;

	memset(&m, 0, sizeof m);
	m.model_type = XNR__SPM_UNIGRAM;
	m.unk_id = 0;
	m.bos_id = 1;
	m.eos_id = 2;
	m.pad_id = -1;
	m.add_dummy_prefix = m.remove_extra_whitespaces = m.escape_whitespaces = 1;
	if ((st = count_pieces(r, &n)) != XNR_OK)
		return st;
	m.pieces = calloc((size_t)n, sizeof *m.pieces);
	if (!m.pieces)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	while (r.off < r.end && st == XNR_OK) {
		st = pb_next(&r, "ModelProto", &f);
		if (st != XNR_OK)
			break;
		if (f.num == 1)
			st = parse_piece(&r, &f, m.n_pieces, &m.pieces[m.n_pieces]), m.n_pieces++;
		else if (f.num == 2 || f.num == 3)
			st = pb_expect(&r, &f, WT_LEN,
			               f.num == 2 ? "ModelProto.trainer_spec"
			                          : "ModelProto.normalizer_spec");
		if (st == XNR_OK && f.num == 2)
			st = parse_trainer(&r, &f, &m);
		else if (st == XNR_OK && f.num == 3)
			st = parse_normalizer(&r, &f, &m);
	}
	if (st != XNR_OK) {
		xnr__spm_free(&m);
		return st;
	}
	*out = m;
	return XNR_OK;
}

void xnr__spm_free(struct xnr__spm *m)
{
	if (!m)
		return;
	free(m->pieces);
	memset(m, 0, sizeof *m);
}
