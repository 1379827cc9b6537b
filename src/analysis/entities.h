/*
 * entities.h - entity spans from tag sequences, the way seqeval finds them:
 * default mode (conlleval chunking, seqeval/metrics/sequence_labeling.py
 * get_entities) and strict mode (per-scheme start/inside/end patterns,
 * seqeval/scheme.py Tokens.entities), plus strict mode's scheme
 * auto-detection (seqeval/scheme.py auto_detect).
 * See shared/reference/ner-analysis.md sections 2.1 and 2.2.
 */
#ifndef XNR_ANALYSIS_ENTITIES_H
#define XNR_ANALYSIS_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/tagset.h"
#include "core/status.h"

enum xnr_seqeval_mode {
	XNR_SEQEVAL_DEFAULT, /* conlleval-compatible, lenient: I-X after O opens an entity */
	XNR_SEQEVAL_STRICT   /* scheme patterns; ill-formed entities are dropped */
};

/* Strict-mode schemes (seqeval scheme classes). AUTO detects from the gold tags. */
enum xnr_seqeval_scheme {
	XNR_SEQEVAL_AUTO,
	XNR_SEQEVAL_IOB1,
	XNR_SEQEVAL_IOB2,
	XNR_SEQEVAL_IOE1,
	XNR_SEQEVAL_IOE2,
	XNR_SEQEVAL_IOBES,
	XNR_SEQEVAL_BILOU,
	XNR_SEQEVAL_SCHEME_COUNT
};

/*
 * One entity: words [start, end) of sentence `sent`, of entity type `type`
 * (a type id of the tag set: its default-mode type in default mode, its
 * strict-mode type in strict mode). Default mode keeps seqeval's quirk of a
 * stale start offset after bare unknown tags ("X" after a sentence end), so
 * there start can be negative (it then counts back into earlier sentences,
 * each followed by one virtual 'O'); with B/I/E/S tags it never is.
 */
struct xnr_entity {
	uint32_t type;
	uint32_t sent;
	int64_t start;
	int64_t end;
};

struct xnr_entities {
	struct xnr_entity *v; /* (n) in sentence order, then by end */
	size_t n;
	size_t cap;
};

/* "IOB2", ...; "auto"; "?" when out of range. */
const char *xnr_seqeval_scheme_name(enum xnr_seqeval_scheme scheme);

/* Append one entity, growing the array; -1 when out of memory. */
int xnr_entities_push(struct xnr_entities *e, uint32_t type, size_t sent, int64_t start,
                      int64_t end);

/* Release the entities (a zeroed struct is fine). */
void xnr_entities_free(struct xnr_entities *e);

/*
 * Entities of one side of a corpus: ids (c->gold or c->pred) tagged in mode
 * (scheme is ignored in default mode and must not be AUTO in strict mode).
 * *out must be zeroed or freed by the caller; it is replaced on success.
 * Errors: XNR_ERR_INPUT when the corpus is malformed or, in strict mode, a
 * tag's prefix is not allowed by the scheme (as seqeval raises ValueError);
 * the message names `side`, the sentence, the word and the tag.
 * XNR_ERR_NOMEM. Thread-safe for distinct outputs.
 */
XNR_MUST_CHECK enum xnr_status
xnr_entities_extract(const struct xnr_tagged_corpus *c, const int32_t *ids, const char *side,
                     enum xnr_seqeval_mode mode, enum xnr_seqeval_scheme scheme,
                     struct xnr_entities *out, struct xnr_error *err);

/*
 * Where the extraction of one side stands between corpora that continue one
 * another (a run's sentences in chunks): default mode's scanner, which
 * carries its state across sentences as seqeval does, and the sentences
 * before, which messages count from. Start it with xnr_entity_scan_init.
 */
struct xnr_entity_scan {
	char prev_tag;
	uint32_t prev_type;
	int64_t begin, pos; /* positions in the flattened corpus, separators included */
	size_t sents;       /* sentences already scanned */
};

void xnr_entity_scan_init(struct xnr_entity_scan *scan);

/*
 * xnr_entities_extract over a corpus that continues the ones *scan has seen:
 * the entities are the ones the whole corpus would give (their `sent` counts
 * from this corpus' first sentence), and messages number sentences from the
 * first of all. *scan advances on success only.
 */
XNR_MUST_CHECK enum xnr_status
xnr_entities_extract_next(const struct xnr_tagged_corpus *c, const int32_t *ids, const char *side,
                          enum xnr_seqeval_mode mode, enum xnr_seqeval_scheme scheme,
                          struct xnr_entity_scan *scan, struct xnr_entities *out,
                          struct xnr_error *err);

/*
 * seqeval's auto_detect over the gold tags only: the set of prefixes used
 * must be one of the fixed IOB2 / IOE2 / IOBES / BILOU prefix sets.
 * Errors: XNR_ERR_INPUT naming the prefixes found (e.g. an all-O corpus).
 */
XNR_MUST_CHECK enum xnr_status xnr_seqeval_detect_scheme(const struct xnr_tagged_corpus *c,
                                                         enum xnr_seqeval_scheme *out,
                                                         struct xnr_error *err);

/* xnr_seqeval_detect_scheme in two steps, for a corpus seen in pieces: the
 * gold prefixes of one piece added to *set (bit 1 << enum xnr_prefix; the
 * message numbers words from word_base), then the scheme of all of them. */
XNR_MUST_CHECK enum xnr_status xnr_seqeval_gold_prefixes(const struct xnr_tagged_corpus *c,
                                                         size_t word_base, unsigned *set,
                                                         struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_seqeval_scheme_of_prefixes(unsigned prefixes,
                                                              enum xnr_seqeval_scheme *out,
                                                              struct xnr_error *err);

#endif
