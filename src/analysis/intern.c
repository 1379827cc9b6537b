/*
 * intern.c - byte strings to dense ids (analysis/internal.h): an
 * open-addressing table of (hash, id) over one growing arena of the keys.
 * FNV-1a 64 hashes; the table doubles at half full.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

struct slot {
	uint64_t hash;
	int32_t id; /* -1: empty */
};

struct xnr__intern {
	struct slot *slots;
	size_t cap; /* a power of two */
	char *arena;
	size_t arena_len, arena_cap;
	size_t *off, *len; /* (count) where each key is */
	int32_t count, count_cap;
};

static uint64_t fnv1a(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

struct xnr__intern *xnr__intern_open(void)
{
	struct xnr__intern *t = calloc(1, sizeof *t);

	if (!t || !(t->slots = malloc(1024 * sizeof *t->slots))) {
		free(t);
		return NULL;
	}
	t->cap = 1024;
	for (size_t i = 0; i < t->cap; i++)
		t->slots[i].id = -1;
	return t;
}

void xnr__intern_close(struct xnr__intern *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->arena);
	free(t->off);
	free(t->len);
	free(t);
}

int32_t xnr__intern_count(const struct xnr__intern *t)
{
	return t->count;
}

static int grow_table(struct xnr__intern *t)
{
	size_t cap = t->cap * 2;
	struct slot *s = malloc(cap * sizeof *s);

	if (!s)
		return -1;
	for (size_t i = 0; i < cap; i++)
		s[i].id = -1;
	for (size_t i = 0; i < t->cap; i++) {
		size_t j = t->slots[i].hash & (cap - 1);
		if (t->slots[i].id < 0)
			continue;
		while (s[j].id >= 0)
			j = (j + 1) & (cap - 1);
		s[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->cap = cap;
	return 0;
}

/* Append key to the arena and the id lists; -1 when out of memory. */
static int store_key(struct xnr__intern *t, const void *key, size_t len)
{
	if (t->arena_len + len > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap : 4096;
		while (cap < t->arena_len + len)
			cap *= 2;
		char *a = realloc(t->arena, cap);
		if (!a)
			return -1;
		t->arena = a;
		t->arena_cap = cap;
	}
	if (t->count == t->count_cap) {
		int32_t cap = t->count_cap ? t->count_cap * 2 : 256;
		size_t *o = realloc(t->off, (size_t)cap * sizeof *o), *l;
		if (!o)
			return -1;
		t->off = o;
		if (!(l = realloc(t->len, (size_t)cap * sizeof *l)))
			return -1;
		t->len = l;
		t->count_cap = cap;
	}
	memcpy(t->arena + t->arena_len, key, len);
	t->off[t->count] = t->arena_len;
	t->len[t->count] = len;
	t->arena_len += len;
	return 0;
}

int32_t xnr__intern(struct xnr__intern *t, const void *key, size_t len, int add)
{
	uint64_t h = fnv1a(key, len);
	size_t j = h & (t->cap - 1);

	for (; t->slots[j].id >= 0; j = (j + 1) & (t->cap - 1)) {
		int32_t id = t->slots[j].id;
		if (t->slots[j].hash == h && t->len[id] == len &&
		    memcmp(t->arena + t->off[id], key, len) == 0)
			return id;
	}
	if (!add)
		return -1;
	if (t->count == INT32_MAX || store_key(t, key, len) != 0)
		return -2;
	t->slots[j] = (struct slot){h, t->count};
	if ((size_t)++t->count * 2 > t->cap && grow_table(t) != 0)
		return -2;
	return t->count - 1;
}

void xnr__fold_ascii(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}
