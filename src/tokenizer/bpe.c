/*
 * bpe.c - the BPE model (Rust tokenizers models::bpe, hf-formats.md 4.6):
 * merges as "a b" strings or [a, b] pairs, continuing_subword_prefix,
 * end_of_word_suffix, byte_fallback, fuse_unk, ignore_merges. The merge loop
 * is Rust's Word::merge_all: a binary heap of (rank, position) candidates with
 * stale-entry checks, so a word of n chars costs O(n log n).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tokenizer/internal.h"

static uint32_t merge_hash(uint64_t key, uint32_t mask)
{
	return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static uint64_t merge_key(int32_t a, int32_t b)
{
	return ((uint64_t)(uint32_t)(a + 1) << 32) | (uint32_t)(b + 1);
}

static const struct xnr__merge_slot *merge_get(const struct xnr__model *m, int32_t a, int32_t b)
{
	uint64_t key = merge_key(a, b);
	uint32_t mask = m->n_merge_slots - 1, i;

	if (!m->n_merge_slots)
		return NULL;
	for (i = merge_hash(key, mask);; i = (i + 1) & mask) {
		if (m->merges[i].key == key)
			return &m->merges[i];
		if (m->merges[i].key == 0)
			return NULL;
	}
}

static void merge_put(struct xnr__model *m, int32_t a, int32_t b, int32_t rank, int32_t id)
{
	uint64_t key = merge_key(a, b);
	uint32_t mask = m->n_merge_slots - 1, i;

	for (i = merge_hash(key, mask);; i = (i + 1) & mask) {
		if (m->merges[i].key == key || m->merges[i].key == 0) {
			m->merges[i].key = key;
			m->merges[i].rank = rank;
			m->merges[i].id = id;
			return;
		}
	}
}

/* One merge entry: "a b" or ["a", "b"]. */
static int merge_parts(const json_t *v, const char **a, size_t *a_len, const char **b,
                       size_t *b_len)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		const char *sp = strchr(s, ' ');
		if (!sp || strchr(sp + 1, ' '))
			return 0;
		*a = s;
		*a_len = (size_t)(sp - s);
		*b = sp + 1;
		*b_len = strlen(sp + 1);
		return 1;
	}
	if (json_is_array(v) && json_array_size(v) == 2 && json_is_string(json_array_get(v, 0)) &&
	    json_is_string(json_array_get(v, 1))) {
		*a = json_string_value(json_array_get(v, 0));
		*a_len = json_string_length(json_array_get(v, 0));
		*b = json_string_value(json_array_get(v, 1));
		*b_len = json_string_length(json_array_get(v, 1));
		return 1;
	}
	return 0;
}

static enum xnr_status parse_merges(const json_t *arr, struct xnr__model *m, struct xnr_error *err)
{
	size_t n = json_array_size(arr), i, plen = strlen(m->prefix);
	char *buf = NULL;
	uint32_t slots = 16;
	enum xnr_status st = XNR_OK;

	while (slots < 2 * n + 2)
		slots *= 2;
	m->merges = calloc(slots, sizeof *m->merges);
	if (!m->merges)
		return xnr_fail(err, XNR_ERR_NOMEM, "model.merges: out of memory");
	m->n_merge_slots = slots;
	for (i = 0; i < n && st == XNR_OK; i++) {
		const char *a, *b;
		size_t al, bl;
		int32_t ia, ib, inew;
		char *nb;
		if (!merge_parts(json_array_get(arr, i), &a, &al, &b, &bl)) {
			st = xnr_fail(err, XNR_ERR_FORMAT,
			              "model.merges[%zu]: expected \"a b\" or [\"a\", \"b\"]", i);
			break;
		}
		ia = xnr__vocab_get(&m->vocab, a, al);
		ib = xnr__vocab_get(&m->vocab, b, bl);
		nb = realloc(buf, al + bl + 1);
		if (!nb) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "model.merges: out of memory");
			break;
		}
		buf = nb;
		memcpy(buf, a, al);
		if (bl >= plen)
			memcpy(buf + al, b + plen, bl - plen);
		inew = bl >= plen ? xnr__vocab_get(&m->vocab, buf, al + bl - plen) : -1;
		if (ia < 0 || ib < 0 || inew < 0) {
			st = xnr_fail(err, XNR_ERR_FORMAT,
			              "model.merges[%zu]: token not in vocab (a, b and the merged "
			              "token must all be in model.vocab)",
			              i);
			break;
		}
		merge_put(m, ia, ib, (int32_t)i, inew);
	}
	free(buf);
	return st;
}

enum xnr_status xnr__bpe_parse(const json_t *j, struct xnr__model *m, struct xnr_error *err)
{
	const json_t *merges = json_object_get(j, "merges");
	const char *s = NULL;
	enum xnr_status st;
	int b;

	if ((st = xnr__model_vocab(j, &m->vocab, err)) != XNR_OK ||
	    (st = xnr__model_str(j, "continuing_subword_prefix", NULL, &m->prefix, err)) !=
	        XNR_OK ||
	    (st = xnr__model_str(j, "end_of_word_suffix", NULL, &m->suffix, err)) != XNR_OK)
		return st;
	if (xnr_json_str(j, "unk_token", &s, "model", err) < 0)
		return XNR_ERR_FORMAT; /* err names the key */
	m->unk_id = s ? xnr__vocab_get(&m->vocab, s, strlen(s)) : -1;
	if (xnr_json_bool(j, "fuse_unk", &m->fuse_unk, "model", err) < 0 ||
	    xnr_json_bool(j, "byte_fallback", &m->byte_fallback, "model", err) < 0 ||
	    xnr_json_bool(j, "ignore_merges", &m->ignore_merges, "model", err) < 0)
		return XNR_ERR_FORMAT;
	for (b = 0; b < 256; b++) {
		char code[8];
		snprintf(code, sizeof code, "<0x%02X>", (unsigned)b);
		m->byte_ids[b] = xnr__vocab_get(&m->vocab, code, 6);
	}
	if (merges && !json_is_array(merges))
		return xnr_fail(err, XNR_ERR_FORMAT, "model.merges: expected an array");
	return parse_merges(merges, m, err);
}

/* ---- encoding ---- */

struct sym {
	int32_t c, prev, next, len, start;
};

struct cand {
	int32_t rank, pos, id;
};

struct word {
	struct sym *s;
	int n;
	struct cand *heap;
	int n_heap;
};

static int cand_less(const struct cand *a, const struct cand *b)
{
	return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos;
}

static void heap_push(struct word *w, int32_t rank, int32_t pos, int32_t id)
{
	int i = w->n_heap++;

	w->heap[i].rank = rank;
	w->heap[i].pos = pos;
	w->heap[i].id = id;
	while (i > 0) {
		int p = (i - 1) / 2;
		struct cand t;
		if (!cand_less(&w->heap[i], &w->heap[p]))
			break;
		t = w->heap[i];
		w->heap[i] = w->heap[p];
		w->heap[p] = t;
		i = p;
	}
}

static struct cand heap_pop(struct word *w)
{
	struct cand top = w->heap[0];
	int i = 0;

	w->heap[0] = w->heap[--w->n_heap];
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		struct cand t;
		if (l < w->n_heap && cand_less(&w->heap[l], &w->heap[m]))
			m = l;
		if (r < w->n_heap && cand_less(&w->heap[r], &w->heap[m]))
			m = r;
		if (m == i)
			break;
		t = w->heap[i];
		w->heap[i] = w->heap[m];
		w->heap[m] = t;
		i = m;
	}
	return top;
}

static void push_pair(const struct xnr__model *m, struct word *w, int pos)
{
	const struct xnr__merge_slot *ms;

	if (pos < 0 || w->s[pos].next < 0)
		return;
	ms = merge_get(m, w->s[pos].c, w->s[w->s[pos].next].c);
	if (ms)
		heap_push(w, ms->rank, pos, ms->id);
}

static void merge_all(const struct xnr__model *m, struct word *w)
{
	int i;

	for (i = 0; i + 1 < w->n; i++)
		push_pair(m, w, i);
	while (w->n_heap > 0) {
		struct cand top = heap_pop(w);
		struct sym *cur = &w->s[top.pos], *right;
		const struct xnr__merge_slot *ms;

		if (cur->len == 0 || cur->next < 0)
			continue;
		right = &w->s[cur->next];
		ms = merge_get(m, cur->c, right->c);
		if (!ms || ms->id != top.id)
			continue;
		cur->c = top.id;
		cur->len += right->len;
		cur->next = right->next;
		right->len = 0;
		if (cur->next >= 0)
			w->s[cur->next].prev = top.pos;
		push_pair(m, w, cur->prev);
		push_pair(m, w, top.pos);
	}
}

static void add_sym(struct word *w, int32_t c, int32_t len, int32_t *pos)
{
	struct sym *s = &w->s[w->n];

	s->c = c;
	s->len = len;
	s->start = *pos;
	s->prev = w->n - 1;
	s->next = -1;
	if (w->n > 0)
		w->s[w->n - 1].next = w->n;
	w->n++;
	*pos += len;
}

/* Rust BPE::merge_word's symbol initialisation. */
static enum xnr_status init_word(const struct xnr__model *m, const char *s, size_t len,
                                 struct xnr__work *w, struct word *wd)
{
	size_t plen = strlen(m->prefix), slen = strlen(m->suffix), i = 0;
	int32_t pos = 0, unk_len = -1;

	if (xnr__work_scratch(w, plen + slen + 8) != XNR_OK)
		return XNR_ERR_NOMEM;
	while (i < len) {
		int32_t cp, id;
		size_t cl = xnr__utf8_dec(s, len, i, &cp), n = 0, k;
		if (i > 0) {
			memcpy(w->scratch, m->prefix, plen);
			n = plen;
		}
		memcpy(w->scratch + n, s + i, cl);
		n += cl;
		if (i + cl == len) {
			memcpy(w->scratch + n, m->suffix, slen);
			n += slen;
		}
		i += cl;
		id = xnr__vocab_get(&m->vocab, w->scratch, n);
		if (id >= 0) {
			if (unk_len >= 0)
				add_sym(wd, m->unk_id, unk_len, &pos);
			unk_len = -1;
			add_sym(wd, id, (int32_t)cl, &pos);
			continue;
		}
		if (m->byte_fallback) {
			for (k = 0; k < n && m->byte_ids[(unsigned char)w->scratch[k]] >= 0; k++)
				;
			if (k == n) {
				for (k = 0; k < n; k++)
					add_sym(wd, m->byte_ids[(unsigned char)w->scratch[k]], 1,
					        &pos);
				continue;
			}
		}
		if (m->unk_id < 0) {
			pos += (int32_t)cl;
			continue;
		}
		if (unk_len >= 0 && m->fuse_unk) {
			unk_len += (int32_t)cl;
			continue;
		}
		if (unk_len >= 0)
			add_sym(wd, m->unk_id, unk_len, &pos);
		unk_len = (int32_t)cl;
	}
	if (unk_len >= 0)
		add_sym(wd, m->unk_id, unk_len, &pos);
	return XNR_OK;
}

static enum xnr_status reserve_dp(struct xnr__work *w, size_t n_ints)
{
	int32_t *p;

	if (n_ints <= w->dp_cap)
		return XNR_OK;
	p = realloc(w->sym, n_ints * 2 * sizeof *p);
	if (!p)
		return XNR_ERR_NOMEM;
	w->sym = p;
	w->dp_cap = n_ints * 2;
	return XNR_OK;
}

enum xnr_status xnr__bpe(const struct xnr__model *m, const char *s, size_t len, struct xnr__work *w,
                         struct xnr__emit *e)
{
	struct word wd;
	size_t max_syms = (len + 1) * (strlen(m->prefix) + strlen(m->suffix) + 4);
	int32_t id, i;

	if (len == 0)
		return XNR_OK;
	if (m->ignore_merges && (id = xnr__vocab_get(&m->vocab, s, len)) >= 0)
		return xnr__emit(e, id, 0, len);
	/* Symbols (5 ints) plus at most 3 heap entries (3 ints) per symbol. */
	if (reserve_dp(w, max_syms * 14) != XNR_OK)
		return XNR_ERR_NOMEM;
	wd.s = (struct sym *)w->sym;
	wd.heap = (struct cand *)(w->sym + max_syms * 5);
	wd.n = 0;
	wd.n_heap = 0;
	if (init_word(m, s, len, w, &wd) != XNR_OK)
		return XNR_ERR_NOMEM;
	merge_all(m, &wd);
	for (i = 0; i < wd.n; i++) {
		size_t st, en;
		if (wd.s[i].len == 0)
			continue;
		st = (size_t)wd.s[i].start < len ? (size_t)wd.s[i].start : len - 1;
		en = (size_t)wd.s[i].start + (size_t)wd.s[i].len;
		en = en > len ? len : en < st + 1 ? st + 1 : en;
		if (xnr__emit(e, wd.s[i].c, st, en) != XNR_OK)
			return XNR_ERR_NOMEM;
	}
	return XNR_OK;
}
