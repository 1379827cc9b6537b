/*
 * cache.c - results kept per run (internal.h): stored runs never change, so
 * what the Metrics, Misclassified and Loss pages compute from a run, and the
 * results of its finished jobs (projections, duplicates), are kept under a
 * name per run and answered again without recomputing. One cache per server
 * (struct xnr__app), so two servers in one process share nothing.
 *
 * Design: one lock guards the map of the CACHE_RUNS runs used last; each
 * run's entry is reference counted (the map holds one reference, each user
 * one more), so a request keeps reading an entry another request dropped,
 * and a value lives as long as its entry. Values are immutable once put.
 * The bytes of all values are bounded: putting one drops the least recently
 * used other runs, and a value too big for the bound is not kept.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

#define CACHE_RUNS  4            /* runs whose results stay in memory */
#define CACHE_BYTES (256u << 20) /* the values of all of them */

struct value {
	char *name;
	void *v;
	void (*free_fn)(void *);
	size_t bytes;
	struct value *next;
};

struct xnr__cache_entry {
	int64_t run;
	int refs;      /* the map's reference plus one per user */
	uint64_t used; /* tick of the last use, for dropping the oldest */
	size_t bytes;  /* of its values */
	struct value *values;
};

struct xnr__cache {
	pthread_mutex_t lock;
	struct xnr__cache_entry *map[CACHE_RUNS];
	uint64_t ticks;
	size_t bytes; /* of the values of the runs in map */
};

static void entry_free(struct xnr__cache_entry *e)
{
	struct value *v, *next;

	for (v = e->values; v; v = next) {
		next = v->next;
		if (v->free_fn)
			v->free_fn(v->v);
		free(v->name);
		free(v);
	}
	free(e);
}

/* Drop one reference (lock held). */
static void unref_locked(struct xnr__cache_entry *e)
{
	if (--e->refs == 0)
		entry_free(e);
}

/* Take map slot i out of the map (lock held). */
static void drop_locked(struct xnr__cache *c, size_t i)
{
	c->bytes -= c->map[i]->bytes;
	unref_locked(c->map[i]);
	c->map[i] = NULL;
}

enum xnr_status xnr__cache_open(struct xnr__app *app, struct xnr_error *err)
{
	struct xnr__cache *c = calloc(1, sizeof *c);

	if (!c)
		return xnr_fail(err, XNR_ERR_NOMEM, "cache: out of memory");
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return xnr_fail(err, XNR_ERR_NOMEM, "cache: cannot make a mutex");
	}
	app->cache = c;
	return XNR_OK;
}

void xnr__cache_close(struct xnr__app *app)
{
	struct xnr__cache *c = app ? app->cache : NULL;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < CACHE_RUNS; i++)
		if (c->map[i])
			drop_locked(c, i);
	pthread_mutex_destroy(&c->lock);
	free(c);
	app->cache = NULL;
}

struct xnr__cache_entry *xnr__cache_get(struct xnr__app *app, int64_t run)
{
	struct xnr__cache *c = app->cache;
	struct xnr__cache_entry *e = NULL;
	size_t i, slot = 0;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < CACHE_RUNS; i++) {
		if (c->map[i] && c->map[i]->run == run) {
			e = c->map[i];
			break;
		}
		if (!c->map[i] || (c->map[slot] && c->map[i]->used < c->map[slot]->used))
			slot = i;
	}
	if (!e && (e = calloc(1, sizeof *e)) != NULL) {
		e->run = run;
		e->refs = 1;
		if (c->map[slot])
			drop_locked(c, slot);
		c->map[slot] = e;
	}
	if (e) {
		e->refs++;
		e->used = ++c->ticks;
	}
	pthread_mutex_unlock(&c->lock);
	return e;
}

void xnr__cache_release(struct xnr__app *app, struct xnr__cache_entry *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&app->cache->lock);
	unref_locked(e);
	pthread_mutex_unlock(&app->cache->lock);
}

static struct value *find_locked(struct xnr__cache_entry *e, const char *name)
{
	struct value *v;

	for (v = e->values; v && strcmp(v->name, name) != 0; v = v->next)
		;
	return v;
}

void *xnr__cache_find(struct xnr__app *app, struct xnr__cache_entry *e, const char *name)
{
	struct value *v;

	pthread_mutex_lock(&app->cache->lock);
	v = find_locked(e, name);
	pthread_mutex_unlock(&app->cache->lock);
	return v ? v->v : NULL;
}

/* Make room for bytes more in e's run: drop the least recently used other
 * runs while over the bound. 0 when it fits (lock held). */
static int make_room_locked(struct xnr__cache *c, const struct xnr__cache_entry *e, size_t bytes)
{
	size_t i, oldest;

	while (c->bytes + bytes > CACHE_BYTES) {
		for (oldest = CACHE_RUNS, i = 0; i < CACHE_RUNS; i++)
			if (c->map[i] && c->map[i] != e &&
			    (oldest == CACHE_RUNS || c->map[i]->used < c->map[oldest]->used))
				oldest = i;
		if (oldest == CACHE_RUNS)
			return -1;
		drop_locked(c, oldest);
	}
	return 0;
}

/* 1 when e is still in the map (lock held). */
static int in_map(const struct xnr__cache *c, const struct xnr__cache_entry *e)
{
	size_t i;

	for (i = 0; i < CACHE_RUNS; i++)
		if (c->map[i] == e)
			return 1;
	return 0;
}

void *xnr__cache_put(struct xnr__app *app, struct xnr__cache_entry *e, const char *name,
                     void *value, size_t bytes, void (*free_fn)(void *))
{
	struct xnr__cache *c = app->cache;
	struct value *v, *kept;
	int mapped;

	pthread_mutex_lock(&c->lock);
	if ((kept = find_locked(e, name)) != NULL) {
		pthread_mutex_unlock(&c->lock);
		if (free_fn)
			free_fn(value);
		return kept->v;
	}
	v = calloc(1, sizeof *v);
	mapped = in_map(c, e);
	if (!v || !(v->name = strdup(name)) || bytes > CACHE_BYTES ||
	    (mapped && make_room_locked(c, e, bytes) != 0)) {
		pthread_mutex_unlock(&c->lock);
		if (v)
			free(v->name);
		free(v);
		return NULL;
	}
	v->v = value;
	v->free_fn = free_fn;
	v->bytes = bytes;
	v->next = e->values;
	e->values = v;
	e->bytes += bytes;
	if (mapped)
		c->bytes += bytes;
	pthread_mutex_unlock(&c->lock);
	return value;
}
