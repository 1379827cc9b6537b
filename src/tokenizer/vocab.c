/*
 * vocab.c - token string <-> id tables for the tokenizer models: an
 * open-addressing hash (FNV-1a, linear probing, load <= 1/2) over a single
 * string pool, and a dense id -> string array. Read-only after loading, so
 * lookups are thread-safe.
 */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/internal.h"

/* Largest id accepted from a file; keeps the id -> string table bounded. */
#define XNR_VOCAB_MAX_ID (1 << 26)

static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

void xnr__vocab_free(struct xnr__vocab *v)
{
	if (!v)
		return;
	free(v->pool);
	free(v->str_off);
	free(v->str_len);
	free(v->ids);
	free(v->slots);
	free(v->by_id);
	memset(v, 0, sizeof *v);
}

static int32_t find_slot(const struct xnr__vocab *v, const char *s, size_t len, uint32_t *slot)
{
	uint32_t mask = v->n_slots - 1;
	uint32_t i = hash_bytes(s, len) & mask;

	for (;;) {
		int32_t e = v->slots[i];
		if (e < 0) {
			*slot = i;
			return -1;
		}
		if (v->str_len[e] == len && memcmp(v->pool + v->str_off[e], s, len) == 0) {
			*slot = i;
			return e;
		}
		i = (i + 1) & mask;
	}
}

static enum xnr_status rehash(struct xnr__vocab *v)
{
	uint32_t n_slots = v->n_slots ? v->n_slots * 2 : 64;
	int32_t *slots = malloc(sizeof *slots * n_slots);
	int e;

	if (!slots)
		return XNR_ERR_NOMEM;
	memset(slots, 0xff, sizeof *slots * n_slots);
	free(v->slots);
	v->slots = slots;
	v->n_slots = n_slots;
	for (e = 0; e < v->n; e++) {
		uint32_t slot;
		find_slot(v, v->pool + v->str_off[e], v->str_len[e], &slot);
		v->slots[slot] = e;
	}
	return XNR_OK;
}

static enum xnr_status grow_entries(struct xnr__vocab *v)
{
	int cap = v->cap ? v->cap * 2 : 64;
	uint32_t *off = realloc(v->str_off, sizeof *off * (size_t)cap);
	uint32_t *len;
	int32_t *ids;

	if (!off)
		return XNR_ERR_NOMEM;
	v->str_off = off;
	len = realloc(v->str_len, sizeof *len * (size_t)cap);
	if (!len)
		return XNR_ERR_NOMEM;
	v->str_len = len;
	ids = realloc(v->ids, sizeof *ids * (size_t)cap);
	if (!ids)
		return XNR_ERR_NOMEM;
	v->ids = ids;
	v->cap = cap;
	return XNR_OK;
}

enum xnr_status xnr__vocab_add(struct xnr__vocab *v, const char *s, size_t len, int32_t id,
                               struct xnr_error *err)
{
	uint32_t slot;

	if (len > UINT32_MAX / 2 || v->pool_len + len + 1 > UINT32_MAX)
		return xnr_fail(err, XNR_ERR_LIMIT, "vocab: more than 4 GiB of token text");
	if ((uint32_t)(v->n + 1) * 2 > v->n_slots && rehash(v) != XNR_OK)
		return xnr_fail(err, XNR_ERR_NOMEM, "vocab: out of memory");
	if (find_slot(v, s, len, &slot) >= 0)
		return XNR_OK;
	if (v->n == v->cap && grow_entries(v) != XNR_OK)
		return xnr_fail(err, XNR_ERR_NOMEM, "vocab: out of memory");
	if (v->pool_len + len + 1 > v->pool_cap) {
		size_t cap = (v->pool_cap ? v->pool_cap * 2 : 4096) + len + 1;
		char *p = realloc(v->pool, cap);
		if (!p)
			return xnr_fail(err, XNR_ERR_NOMEM, "vocab: out of memory");
		v->pool = p;
		v->pool_cap = cap;
	}
	memcpy(v->pool + v->pool_len, s, len);
	v->pool[v->pool_len + len] = '\0';
	v->str_off[v->n] = (uint32_t)v->pool_len;
	v->str_len[v->n] = (uint32_t)len;
	v->ids[v->n] = id;
	v->pool_len += len + 1;
	v->slots[slot] = v->n++;
	if (id > v->max_id)
		v->max_id = id;
	return XNR_OK;
}

int32_t xnr__vocab_get(const struct xnr__vocab *v, const char *s, size_t len)
{
	uint32_t slot;
	int32_t e;

	if (!v->n_slots)
		return -1;
	e = find_slot(v, s, len, &slot);
	return e < 0 ? -1 : v->ids[e];
}

enum xnr_status xnr__vocab_finish(struct xnr__vocab *v, struct xnr_error *err)
{
	int e;

	free(v->by_id);
	v->by_id = NULL;
	if (v->n == 0)
		return XNR_OK;
	if (v->max_id >= XNR_VOCAB_MAX_ID)
		return xnr_fail(err, XNR_ERR_FORMAT, "vocab: id %d too large (max %d)",
		                (int)v->max_id, XNR_VOCAB_MAX_ID - 1);
	v->by_id = calloc((size_t)v->max_id + 1, sizeof *v->by_id);
	if (!v->by_id)
		return xnr_fail(err, XNR_ERR_NOMEM, "vocab: out of memory");
	for (e = 0; e < v->n; e++) {
		if (v->ids[e] < 0)
			return xnr_fail(err, XNR_ERR_FORMAT, "vocab: negative id %d for \"%s\"",
			                (int)v->ids[e], v->pool + v->str_off[e]);
		if (!v->by_id[v->ids[e]])
			v->by_id[v->ids[e]] = v->pool + v->str_off[e];
	}
	return XNR_OK;
}

const char *xnr__vocab_token(const struct xnr__vocab *v, int32_t id)
{
	if (!v->by_id || id < 0 || id > v->max_id)
		return NULL;
	return v->by_id[id];
}
