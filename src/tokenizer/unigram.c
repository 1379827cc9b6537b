/*
 * unigram.c - the Unigram (sentencepiece) model (Rust tokenizers
 * models::unigram, hf-formats.md 4.6): Viterbi over byte positions with the
 * lattice's tie rules (first-found best wins), an unk candidate of one char
 * with score min_score - 10 where no single-char piece exists, consecutive
 * unk pieces fused, byte_fallback to <0xXX> pieces. Prefix search is a hash
 * lookup per candidate length instead of a trie (same candidate order).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tokenizer/internal.h"

/* K_UNK_PENALTY of the Rust crate. */
#define XNR_UNK_PENALTY 10.0

enum xnr_status xnr__unigram_parse(const json_t *j, struct xnr__model *m, struct xnr_error *err)
{
	const json_t *vocab = json_object_get(j, "vocab");
	int64_t unk = -1;
	size_t i, n;
	double min_score = INFINITY;
	int r, b;
	enum xnr_status st;

	if (!json_is_array(vocab))
		return xnr_fail(err, XNR_ERR_FORMAT, "model.vocab: missing or not an array");
	n = json_array_size(vocab);
	if (n >= (1 << 26))
		return xnr_fail(err, XNR_ERR_FORMAT, "model.vocab: too many pieces");
	m->scores = malloc((n + 1) * sizeof *m->scores);
	if (!m->scores)
		return xnr_fail(err, XNR_ERR_NOMEM, "model.vocab: out of memory");
	/* From the end: a piece listed twice gets its last id (and that id's
	 * score), as the Rust crate's token map, which later entries overwrite. */
	for (i = n; i-- > 0;) {
		const json_t *e = json_array_get(vocab, i);
		const json_t *piece = json_array_get(e, 0), *score = json_array_get(e, 1);
		size_t len;
		if (!json_is_array(e) || !json_is_string(piece) || !json_is_number(score))
			return xnr_fail(err, XNR_ERR_FORMAT,
			                "model.vocab[%zu]: expected [\"piece\", score]", i);
		len = json_string_length(piece);
		st = xnr__vocab_add(&m->vocab, json_string_value(piece), len, (int32_t)i, err);
		if (st != XNR_OK)
			return st;
		m->scores[i] = json_number_value(score);
		if (m->scores[i] < min_score)
			min_score = m->scores[i];
		if (len > m->max_piece_len)
			m->max_piece_len = len;
	}
	if ((st = xnr__vocab_finish(&m->vocab, err)) != XNR_OK)
		return st;
	m->unk_score = (n ? min_score : 0.0) - XNR_UNK_PENALTY;
	r = xnr_json_int(j, "unk_id", &unk, "model", err);
	if (r < 0)
		return XNR_ERR_FORMAT; /* err names the key */
	if (r == 1 && (unk < 0 || (size_t)unk >= n))
		return xnr_fail(err, XNR_ERR_FORMAT, "model.unk_id: %lld is not a vocab index",
		                (long long)unk);
	m->unk_id = (int32_t)unk;
	m->fuse_unk = 1;
	m->byte_fallback = 0;
	if (xnr_json_bool(j, "byte_fallback", &m->byte_fallback, "model", err) < 0)
		return XNR_ERR_FORMAT; /* err names the key */
	for (b = 0; b < 256; b++) {
		char code[8];
		snprintf(code, sizeof code, "<0x%02X>", (unsigned)b);
		m->byte_ids[b] = xnr__vocab_get(&m->vocab, code, 6);
	}
	return XNR_OK;
}

/* Room for a lattice over n positions: best[n], back[2n] (start, id) and
 * after it a stack of up to n piece ends for the backtrack. */
static enum xnr_status reserve(struct xnr__work *w, size_t n)
{
	double *best;
	int32_t *back;

	if (n <= w->best_cap)
		return XNR_OK;
	best = realloc(w->best, n * sizeof *best);
	if (!best)
		return XNR_ERR_NOMEM;
	w->best = best;
	back = realloc(w->back, n * 3 * sizeof *back);
	if (!back)
		return XNR_ERR_NOMEM;
	w->back = back;
	w->best_cap = n;
	return XNR_OK;
}

static void relax(struct xnr__work *w, size_t s, size_t e, double score, int32_t id)
{
	double cand = w->best[s] + score;

	if (w->back[2 * e] == -2 || cand > w->best[e]) {
		w->best[e] = cand;
		w->back[2 * e] = (int32_t)s;
		w->back[2 * e + 1] = id;
	}
}

/* Forward Viterbi; back[2e] = start of the best piece ending at e (-2 none). */
static void viterbi(const struct xnr__model *m, const char *s, size_t len, struct xnr__work *w)
{
	size_t i, l;

	for (i = 0; i <= len; i++)
		w->back[2 * i] = -2;
	w->best[0] = 0.0;
	w->back[0] = -1;
	for (i = 0; i < len;) {
		int32_t cp;
		size_t cl = xnr__utf8_dec(s, len, i, &cp);
		int single = 0;
		if (w->back[2 * i] == -2) {
			i += cl;
			continue;
		}
		for (l = 1; l <= m->max_piece_len && i + l <= len; l++) {
			int32_t id;
			if (i + l < len && ((unsigned char)s[i + l] & 0xC0) == 0x80)
				continue;
			id = xnr__vocab_get(&m->vocab, s + i, l);
			if (id < 0)
				continue;
			relax(w, i, i + l, m->scores[id], id);
			single |= l == cl;
		}
		if (!single && m->unk_id >= 0)
			relax(w, i, i + cl, m->unk_score, m->unk_id);
		i += cl;
	}
}

/* Emit one (possibly fused) piece [s, e): vocab id, byte fallback or unk. */
static enum xnr_status emit_piece(const struct xnr__model *m, const char *str, size_t s, size_t e,
                                  struct xnr__emit *em)
{
	int32_t id = xnr__vocab_get(&m->vocab, str + s, e - s);
	size_t k;

	if (id >= 0)
		return xnr__emit(em, id, s, e);
	if (m->byte_fallback) {
		for (k = s; k < e && m->byte_ids[(unsigned char)str[k]] >= 0; k++)
			;
		if (k == e) {
			for (k = s; k < e; k++)
				if (xnr__emit(em, m->byte_ids[(unsigned char)str[k]], s, e) !=
				    XNR_OK)
					return XNR_ERR_NOMEM;
			return XNR_OK;
		}
	}
	if (m->unk_id < 0)
		return XNR_ERR_INPUT;
	return xnr__emit(em, m->unk_id, s, e);
}

enum xnr_status xnr__unigram(const struct xnr__model *m, const char *s, size_t len,
                             struct xnr__work *w, struct xnr__emit *e)
{
	size_t pos, n = 0, k, unk_start = 0;
	int in_unk = 0;
	enum xnr_status st;

	if (len == 0)
		return XNR_OK;
	if (reserve(w, len + 1) != XNR_OK)
		return XNR_ERR_NOMEM;
	viterbi(m, s, len, w);
	if (w->back[2 * len] == -2)
		return XNR_ERR_INPUT;
	/* Backtrack: piece end positions go on a stack after the lattice. */
	for (pos = len; pos > 0; pos = (size_t)w->back[2 * pos])
		w->back[2 * (len + 1) + n++] = (int32_t)pos;
	for (k = n, pos = 0; k-- > 0;) {
		size_t end = (size_t)w->back[2 * (len + 1) + k];
		int unk = w->back[2 * end + 1] == m->unk_id;
		if (unk) {
			if (!in_unk)
				unk_start = pos;
			in_unk = 1;
			pos = end;
			continue;
		}
		if (in_unk && (st = emit_piece(m, s, unk_start, pos, e)) != XNR_OK)
			return st;
		in_unk = 0;
		if ((st = emit_piece(m, s, pos, end, e)) != XNR_OK)
			return st;
		pos = end;
	}
	if (in_unk)
		return emit_piece(m, s, unk_start, pos, e);
	return XNR_OK;
}
