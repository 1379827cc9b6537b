/*
 * tagset.h - the tag strings of an evaluation (a model's id2label, or the
 * distinct tags of a file) interned to dense ids, each parsed once the two
 * ways seqeval parses a tag: its default (conlleval) mode and its strict
 * mode (seqeval/metrics/sequence_labeling.py get_entities, seqeval/scheme.py
 * Token). Metrics then work on int32 ids only, so scoring stays linear.
 * Entity types are interned too; type ids are dense in first-seen order.
 */
#ifndef XNR_ANALYSIS_TAGSET_H
#define XNR_ANALYSIS_TAGSET_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Longest tag accepted, in bytes, and most distinct tags (XNR_ERR_LIMIT beyond). */
#define XNR_TAGSET_TAG_MAX_BYTES 1024
#define XNR_TAGSET_MAX_TAGS      (1u << 20)

/* Strict-mode prefixes (seqeval Prefix flags); XNR_PREFIX_NONE for any other
 * first character, which strict mode rejects. */
enum xnr_prefix {
	XNR_PREFIX_I,
	XNR_PREFIX_O,
	XNR_PREFIX_B,
	XNR_PREFIX_E,
	XNR_PREFIX_S,
	XNR_PREFIX_U,
	XNR_PREFIX_L,
	XNR_PREFIX_NONE
};

/* One interned tag, parsed. */
struct xnr_tag_info {
	const char *name; /* NUL-terminated, owned by the set */
	size_t name_len;
	char chunk;             /* default mode: first character if ASCII, else 0x7f ("other") */
	uint32_t type_default;  /* default mode: s[1:].split('-', 1)[-1] or '_' */
	enum xnr_prefix prefix; /* strict mode */
	uint32_t type_strict;   /* strict mode: s[1:].strip('-') or '_' */
	uint32_t type_nerval;   /* nervaluate: s[2:] (may be the empty type "") */
	int nerval_bi;          /* nervaluate: starts with "B-" or "I-" */
};

struct xnr_tagset;

/* A corpus of labelled sentences: gold and predicted tag ids per word, all
 * borrowed. Sentence s covers words [sent_start[s], sent_start[s + 1]). */
struct xnr_tagged_corpus {
	const struct xnr_tagset *tags;
	size_t n_sents;
	const size_t *sent_start; /* (n_sents + 1), non-decreasing, sent_start[0] = 0 */
	const int32_t *gold;      /* (sent_start[n_sents]) ids into tags */
	const int32_t *pred;      /* (sent_start[n_sents]) ids into tags */
};

/* New empty set (*out owned by the caller; xnr_tagset_close frees).
 * Errors: XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_tagset_open(struct xnr_tagset **out, struct xnr_error *err);
void xnr_tagset_close(struct xnr_tagset *ts);

/* Id of tag (len bytes, need not be NUL-terminated), adding it when new:
 * ids are dense in insertion order, so adding a model's id2label in order
 * keeps its ids. Errors: XNR_ERR_INPUT (empty tag or one containing NUL),
 * XNR_ERR_LIMIT (too long / too many tags), XNR_ERR_NOMEM. Not thread-safe;
 * a set no longer modified may be read from any number of threads. */
XNR_MUST_CHECK enum xnr_status xnr_tagset_add(struct xnr_tagset *ts, const char *tag, size_t len,
                                              int32_t *id, struct xnr_error *err);

/* Id of tag, or -1 when absent. */
int32_t xnr_tagset_find(const struct xnr_tagset *ts, const char *tag, size_t len);

size_t xnr_tagset_count(const struct xnr_tagset *ts);
/* Parsed tag `id` (0 <= id < count), or NULL when out of range. */
const struct xnr_tag_info *xnr_tagset_tag(const struct xnr_tagset *ts, int32_t id);

size_t xnr_tagset_n_types(const struct xnr_tagset *ts);
/* Name of entity type `type` (NUL-terminated, owned by the set), NULL when out of range. */
const char *xnr_tagset_type(const struct xnr_tagset *ts, uint32_t type);

/* Id of entity type `name`, or -1 when no tag has that type. */
int32_t xnr_tagset_find_type(const struct xnr_tagset *ts, const char *name, size_t len);

/* Check a corpus: sentence starts well-formed and every id in range.
 * Errors: XNR_ERR_INPUT naming the sentence/word. */
XNR_MUST_CHECK enum xnr_status xnr_tagged_corpus_check(const struct xnr_tagged_corpus *c,
                                                       struct xnr_error *err);

/* xnr_tagged_corpus_check, and that ids is the corpus' gold or pred array
 * (XNR_ERR_INPUT naming `who` otherwise). */
XNR_MUST_CHECK enum xnr_status xnr_tagged_corpus_check_side(const struct xnr_tagged_corpus *c,
                                                            const int32_t *ids, const char *who,
                                                            struct xnr_error *err);

#endif
