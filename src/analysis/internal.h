/*
 * analysis/internal.h - what the files of the analysis module share: an
 * interner that gives byte strings dense ids (words, word-id sequences of
 * entity strings, sentences), for the consistency counts and the leakage
 * checks of the label-issue scores.
 */
#ifndef XNR_ANALYSIS_INTERNAL_H
#define XNR_ANALYSIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct xnr__intern;

/* An empty interner (NULL when out of memory). */
struct xnr__intern *xnr__intern_open(void);
void xnr__intern_close(struct xnr__intern *t); /* NULL is fine */

/* The id of the len bytes at key (ids are 0, 1, ... in first-seen order):
 * with add, a new key gets the next id; without, -1 when absent. -2 when
 * out of memory. */
int32_t xnr__intern(struct xnr__intern *t, const void *key, size_t len, int add);

/* How many keys it holds. */
int32_t xnr__intern_count(const struct xnr__intern *t);

/* ASCII letters to lower case, in place (the folding of `match_case` on the
 * pages: other bytes, UTF-8 included, stay as they are). */
void xnr__fold_ascii(char *s, size_t len);

#endif
