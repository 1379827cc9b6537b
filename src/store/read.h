/*
 * read.h - the read side of the run database (docs/schema.md): runs with
 * their labels, sentences, words and sub-tokens as row iterators with the
 * filters, sorts and paging the pages and `explainer report` need (sentences
 * also by their text: words, phrases, entity strings, regular expressions,
 * with the words each matched), entity spans, stored hidden states, the
 * report's bulk loads, and the sentences a user pinned. This is the one
 * place that knows the tables and their columns: callers get structs.
 *
 * Queries are typed structs checked here (XNR_ERR_INPUT for a value out of
 * range); user input reaches SQL only as bound parameters. Every failure is
 * one of XNR_ERR_NOT_FOUND (no such run or sentence: the message names it),
 * XNR_ERR_BUSY (the database stayed locked past the busy timeout),
 * XNR_ERR_DB (SQLite failed: "path: sqlite message"), XNR_ERR_LIMIT (a
 * search over its time or work limit), XNR_ERR_NOMEM.
 *
 * Values the database holds as NULL read as NaN (reals), -1 (integers) and
 * NULL (text). A store and its iterators are used by one thread at a time;
 * every thread opens its own (xnr_store_open_read).
 */
#ifndef XNR_STORE_READ_H
#define XNR_STORE_READ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"
#include "store/store.h"

/* ---- runs ---- */

/* One row of `runs` (strings owned, NULL when NULL) with its labels. */
struct xnr_run {
	int64_t id;
	char *key, *created_at, *version;
	char *model_path, *model_hash, *model_arch;
	char *data_path, *data_hash, *split;
	char *options_json, *scheme_json, *summary_json;
	double duration_s; /* NaN: not recorded */
	int64_t n_sentences, n_words, n_tokens;
	int64_t hidden_size;
	double micro_f1; /* the summary's seqeval default micro F1; NaN when it has none */
	int n_labels;
	char **labels; /* (n_labels) names, index = label id; none from xnr_store_runs */
};

/* Run id into *out (release with xnr_run_free; untouched on failure). The
 * one "no such run" check: XNR_ERR_NOT_FOUND "run ID: no such run".
 * XNR_ERR_FORMAT when its label ids are not 0..n-1. */
XNR_MUST_CHECK enum xnr_status xnr_store_run_get(struct xnr_store *s, int64_t id,
                                                 struct xnr_run *out, struct xnr_error *err);
void xnr_run_free(struct xnr_run *r); /* the fields; NULL is fine */

/* Every run, oldest first, without labels: *out (n of them; NULL when none)
 * is released with xnr_runs_free. */
XNR_MUST_CHECK enum xnr_status xnr_store_runs(struct xnr_store *s, struct xnr_run **out, size_t *n,
                                              struct xnr_error *err);
void xnr_runs_free(struct xnr_run *v, size_t n);

/* The newest run's id, 0 when the database holds none. */
XNR_MUST_CHECK enum xnr_status xnr_store_run_latest(struct xnr_store *s, int64_t *id,
                                                    struct xnr_error *err);

/* The id of label name in run r, -1 when it has none. */
int xnr_run_label_id(const struct xnr_run *r, const char *name);
/* The name of label id, NULL when r has no such label. */
const char *xnr_run_label_name(const struct xnr_run *r, int64_t id);

/* XNR_ERR_INPUT "run ID stores no hidden states (hidden_size N)" unless the
 * run's hidden_size is 2 to 65536. */
XNR_MUST_CHECK enum xnr_status xnr_run_hidden_check(const struct xnr_run *r, struct xnr_error *err);

/* ---- row iterators ---- */

/* An open query: its rows one at a time. Each opener says which row struct
 * its rows read as; a row's strings and vectors are borrowed until the next
 * read or xnr_rows_close. Fields a query does not read are 0 (NaN for reals,
 * NULL for pointers). */
struct xnr_rows;

/* Read the next row: *more = 1 and *row filled, or *more = 0 at the end.
 * XNR_ERR_INTERNAL when the rows are of another kind. */
XNR_MUST_CHECK enum xnr_status xnr_rows_sentence(struct xnr_rows *r, struct xnr_sentence_row *row,
                                                 int *more, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_rows_word(struct xnr_rows *r, struct xnr_word_row *row,
                                             int *more, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_rows_token(struct xnr_rows *r, struct xnr_token_row *row,
                                              int *more, struct xnr_error *err);

struct xnr_entity_row {
	int sentence_id;
	int is_pred; /* 0: a gold span, 1: a predicted one */
	int start, end;
	const char *type;
};
XNR_MUST_CHECK enum xnr_status xnr_rows_entity(struct xnr_rows *r, struct xnr_entity_row *row,
                                               int *more, struct xnr_error *err);

/* A stored hidden state: vec holds vec_bytes bytes (aligned, copied from the
 * database), NULL when the row has none; a well-formed one is hidden_size
 * floats. */
struct xnr_hidden_row {
	int sentence_id, idx;
	const float *vec;
	int vec_bytes;
};
XNR_MUST_CHECK enum xnr_status xnr_rows_hidden(struct xnr_rows *r, struct xnr_hidden_row *row,
                                               int *more, struct xnr_error *err);

void xnr_rows_close(struct xnr_rows *r); /* NULL is fine */

/* ---- sentences ---- */

enum xnr_sentence_sort {
	XNR_SENT_BY_LOSS,   /* total loss; sentences with no loss last */
	XNR_SENT_BY_ID,     /* dataset order */
	XNR_SENT_BY_ERRORS, /* word errors, then entity errors, then loss */
	XNR_SENT_BY_RANDOM, /* a pseudo-random order fixed by seed */
	XNR_SENT_SORT_COUNT
};

/* How the text of a sentence query is read (search.c). Case is ignored in
 * every mode. */
enum xnr_text_mode {
	XNR_TEXT_WORDS,  /* words that must all appear, "quoted phrases", word* prefixes;
	                    accents ignored (the full-text index `search`) */
	XNR_TEXT_ENTITY, /* a gold or predicted entity whose words are exactly the text */
	XNR_TEXT_REGEX,  /* a PCRE2 regular expression over the sentence's text */
	XNR_TEXT_MODE_COUNT
};

#define XNR_SEARCH_TEXT_MAX 500 /* bytes of a query's text */
#define XNR_SEARCH_SECONDS  2   /* a query with text stops after this (XNR_ERR_LIMIT) */

/* Which sentences, in which order. Ties are broken by ascending id. Every
 * filter is off in xnr_sentence_query_default; they combine with AND. */
struct xnr_sentence_query {
	int64_t run;
	enum xnr_sentence_sort sort;
	int ascending;         /* ignored by XNR_SENT_BY_RANDOM */
	int64_t seed;          /* XNR_SENT_BY_RANDOM: >= 0 */
	int64_t limit, offset; /* limit < 0: every row; offset >= 0 */
	int has_min_loss;      /* only sentences whose loss is at least min_loss */
	double min_loss;
	int has_max_loss; /* only sentences whose loss is at most max_loss */
	double max_loss;
	int with_errors;    /* only sentences with a word error */
	int gold, pred;     /* label ids: only sentences with a word of this gold and / or
	                       predicted label; -1 for any */
	int by_ids;         /* only the sentences in ids (ids that do not exist are ignored) */
	const int64_t *ids; /* (n_ids), each >= 0 */
	size_t n_ids;
	const char *text; /* only sentences that match it (NULL or "": any), read as text_mode;
	                     at most XNR_SEARCH_TEXT_MAX bytes */
	enum xnr_text_mode text_mode;
	const char *word;  /* only sentences with a word that is exactly this (NULL: any) */
	const char *token; /* ... whose first sub-token is exactly this (NULL: any) */
	const char *gold_type, *pred_type; /* entity types: only sentences with a gold / a
	                                      predicted entity of this type (NULL: any) */
	int pinned;                        /* only the run's pinned sentences (pins.c) */
};

/* Every sentence of run, by descending loss, no filter. */
struct xnr_sentence_query xnr_sentence_query_default(int64_t run);

/* The sentences q asks for (xnr_rows_sentence rows), and how many pass its
 * filters (paging aside). Neither checks that the run exists. */
XNR_MUST_CHECK enum xnr_status xnr_store_sentences(struct xnr_store *s,
                                                   const struct xnr_sentence_query *q,
                                                   struct xnr_rows **out, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_store_sentences_count(struct xnr_store *s,
                                                         const struct xnr_sentence_query *q,
                                                         int64_t *total, struct xnr_error *err);

/* Sentence id of run: *row, borrowed from *out (close it when done).
 * XNR_ERR_NOT_FOUND "run RUN: no sentence ID". */
XNR_MUST_CHECK enum xnr_status xnr_store_sentence_get(struct xnr_store *s, int64_t run, int64_t id,
                                                      struct xnr_sentence_row *row,
                                                      struct xnr_rows **out, struct xnr_error *err);

/* The entity spans of sentence id (xnr_rows_entity): gold ones first, each
 * side by start, then end. */
XNR_MUST_CHECK enum xnr_status xnr_store_entities(struct xnr_store *s, int64_t run, int64_t id,
                                                  struct xnr_rows **out, struct xnr_error *err);
/* Every entity span of the run (xnr_rows_entity) by sentence id, in one
 * pass over its index (within a sentence in no particular order). */
XNR_MUST_CHECK enum xnr_status xnr_store_run_entities(struct xnr_store *s, int64_t run,
                                                      struct xnr_rows **out, struct xnr_error *err);

/* The label distributions of a sentence's rows (probs.c): p is n_rows x
 * n_labels floats, row-major, rows in word (sub-token) order; NAN for a row
 * stored without probabilities. */
struct xnr_probs {
	float *p;
	size_t n_rows;
	int n_labels;
};

/* Every label's probability for each word of sentence sid of run (tokens:
 * each sub-token), n_labels a row (the run's labels). *out is the caller's:
 * xnr_probs_free. An unknown sentence has no rows. Errors: XNR_ERR_INPUT
 * (n_labels < 1), XNR_ERR_NOMEM, the store's. */
XNR_MUST_CHECK enum xnr_status xnr_store_sentence_probs(struct xnr_store *s, int64_t run,
                                                        int64_t sid, int tokens, int n_labels,
                                                        struct xnr_probs *out,
                                                        struct xnr_error *err);
/* Free p's rows (p may be NULL). */
void xnr_probs_free(struct xnr_probs *p);

/* ---- search: the words a query matched (search.c) ---- */

/* Words [start, end) of a sentence. */
struct xnr_span {
	int start, end;
};

/* XNR_ERR_INPUT (the message says why, for a person) when q's text cannot
 * be searched: a regular expression PCRE2 does not compile, words mode
 * without a letter or digit, text over XNR_SEARCH_TEXT_MAX bytes. The
 * sentence queries check it too; this is for callers that want the message
 * before they read anything. */
XNR_MUST_CHECK enum xnr_status xnr_store_text_check(const struct xnr_sentence_query *q,
                                                    struct xnr_error *err);

/* What made sentences pass q, sentence by sentence (matches.c): the words
 * a page highlights. From q's text when it has one (the words a match
 * touches; entity mode: the matching entities), else the words of q's word
 * or token, else those with q's gold and / or predicted label, else the
 * entities of q's types; none for the other filters. q and its strings are
 * borrowed: they must outlive the matcher. Errors: those of the queries,
 * XNR_ERR_INPUT (as xnr_store_text_check). */
struct xnr_matcher;

/* Which of q's criteria marks the words, as above: the first that applies. */
enum xnr_mark_by {
	XNR_MARK_NONE,
	XNR_MARK_TEXT,  /* q->text */
	XNR_MARK_TOKEN, /* q->token */
	XNR_MARK_WORDS, /* q->word, q->gold, q->pred */
	XNR_MARK_TYPES  /* q->gold_type, q->pred_type */
};
enum xnr_mark_by xnr_sentence_query_mark_by(const struct xnr_sentence_query *q);

XNR_MUST_CHECK enum xnr_status xnr_store_matcher(struct xnr_store *s,
                                                 const struct xnr_sentence_query *q,
                                                 struct xnr_matcher **out, struct xnr_error *err);
/* The matched words of sentence sid of q's run: *spans (*n of them, sorted,
 * overlaps merged; NULL when none), borrowed until the next call or close.
 * A sentence that does not pass q may still have spans; an unknown one has
 * none. Errors: those of the queries, XNR_ERR_LIMIT (a regular expression
 * that needs too much work on this sentence). */
XNR_MUST_CHECK enum xnr_status xnr_matcher_spans(struct xnr_matcher *m, int64_t sid,
                                                 const struct xnr_span **spans, size_t *n,
                                                 struct xnr_error *err);
void xnr_matcher_close(struct xnr_matcher *m); /* NULL is fine */

/* ---- pins: sentences a user keeps, per run (pins.c) ---- */

struct xnr_pin {
	int64_t sentence_id;
	char *note;       /* "" when none */
	char *created_at; /* UTC, ISO 8601 */
};

#define XNR_PIN_NOTE_MAX 2000 /* bytes of a pin's note */

/* Pin sentence sid of run with note (NULL: ""; at most XNR_PIN_NOTE_MAX
 * bytes), or change the note of a pin (its time stays). Needs a read-write
 * store. Errors: XNR_ERR_NOT_FOUND (no such run or sentence), XNR_ERR_INPUT
 * (note too long), XNR_ERR_BUSY (a run holds the write lock: the message
 * says to pin again when it has finished), XNR_ERR_DB. */
XNR_MUST_CHECK enum xnr_status xnr_store_pin(struct xnr_store *s, int64_t run, int64_t sid,
                                             const char *note, struct xnr_error *err);
/* Unpin (nothing to do when sid is not pinned). Errors: as xnr_store_pin. */
XNR_MUST_CHECK enum xnr_status xnr_store_unpin(struct xnr_store *s, int64_t run, int64_t sid,
                                               struct xnr_error *err);
/* Every pin of run by sentence id: *out (n; NULL when none) is released
 * with xnr_pins_free. A database whose schema predates pins has none. */
XNR_MUST_CHECK enum xnr_status xnr_store_pins(struct xnr_store *s, int64_t run,
                                              struct xnr_pin **out, size_t *n,
                                              struct xnr_error *err);
void xnr_pins_free(struct xnr_pin *v, size_t n);

/* ---- words and sub-tokens ---- */

enum xnr_word_sort {
	XNR_WORD_BY_POSITION, /* dataset order: sentence, then index */
	XNR_WORD_BY_LOSS,
	XNR_WORD_BY_PROB, /* prob_pred */
	XNR_WORD_BY_ENTROPY,
	XNR_WORD_BY_TEXT, /* bytes */
	XNR_WORD_SORT_COUNT
};

/* Which words (or sub-tokens), in which order. Ties are broken by ascending
 * position, and rows without the sorted value come last either way. */
struct xnr_word_query {
	int64_t run;
	int tokens; /* 1: sub-tokens (xnr_rows_token rows), 0: words (xnr_rows_word) */
	enum xnr_word_sort sort;
	int ascending;
	int64_t limit, offset; /* limit < 0: every row; offset >= 0 */
	const char *text;      /* only rows whose text contains it (NULL or "": any) */
	int match_case;        /* 0: ASCII letters of text match either case */
	int gold, pred;        /* label ids; -1 for any (sub-tokens: gold is on first ones) */
	int errors;            /* only rows whose prediction differs from a gold label */
	int by_sentences;      /* only rows of these sentences */
	const int64_t *sentences;
	size_t n_sentences;
};

/* Every word of run in dataset order. */
struct xnr_word_query xnr_word_query_default(int64_t run);

/* The rows q asks for, and how many pass its filters (paging aside). */
XNR_MUST_CHECK enum xnr_status xnr_store_words(struct xnr_store *s, const struct xnr_word_query *q,
                                               struct xnr_rows **out, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_store_words_count(struct xnr_store *s,
                                                     const struct xnr_word_query *q, int64_t *total,
                                                     struct xnr_error *err);

/* The report's bulk loads, each one pass over a compact index:
 * xnr_store_word_labels: every word's sentence_id, idx, gold, pred and loss
 * (xnr_rows_word), in no particular order;
 * xnr_store_word_texts: every word's sentence_id, idx and text
 * (xnr_rows_word), in no particular order;
 * xnr_store_text_losses: every word (tokens: sub-token) with a loss, its text
 * and loss only, ordered by text, then loss. */
XNR_MUST_CHECK enum xnr_status xnr_store_word_labels(struct xnr_store *s, int64_t run,
                                                     struct xnr_rows **out, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_store_word_texts(struct xnr_store *s, int64_t run,
                                                    struct xnr_rows **out, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_store_text_losses(struct xnr_store *s, int64_t run, int tokens,
                                                     struct xnr_rows **out, struct xnr_error *err);

/* The losses of run's words with gold label `gold` and predicted label
 * `pred` (xnr_rows_word: loss only), ascending, NULL losses left out: a
 * range of the (run_id, gold, pred, loss) index, no sort. */
XNR_MUST_CHECK enum xnr_status xnr_store_pair_losses(struct xnr_store *s, int64_t run, int gold,
                                                     int pred, struct xnr_rows **out,
                                                     struct xnr_error *err);

/* How many words of run have each (gold, pred) pair with gold != pred,
 * ordered by gold, then pred: *out (n pairs; NULL when none) is free()d by
 * the caller. */
struct xnr_label_pair {
	int gold, pred;
	int64_t count;
};
XNR_MUST_CHECK enum xnr_status xnr_store_label_pairs(struct xnr_store *s, int64_t run,
                                                     struct xnr_label_pair **out, size_t *n,
                                                     struct xnr_error *err);

/* ---- vectors ---- */

/* Every stored hidden state of run (xnr_rows_hidden), in dataset order, as
 * float32 whether the run stored float32 or F16 (--hidden-dtype f16). */
XNR_MUST_CHECK enum xnr_status xnr_store_hidden(struct xnr_store *s, int64_t run,
                                                struct xnr_rows **out, struct xnr_error *err);

/* The stored hidden states of the n words at keys (sentence_id, idx pairs)
 * of run, as xnr_store_hidden gives them, in dataset order; a key with no
 * row gives none. Each is read through the primary key: a sample of a few
 * thousand words of a large run reads only their rows. */
XNR_MUST_CHECK enum xnr_status xnr_store_hidden_at(struct xnr_store *s, int64_t run,
                                                   const int64_t *keys, size_t n,
                                                   struct xnr_rows **out, struct xnr_error *err);

/* Each sentence's word count of run, by sentence id: (*ids)[i] has
 * (*counts)[i] words, ids ascending (*n sentences; both malloc'd). */
XNR_MUST_CHECK enum xnr_status xnr_store_sentence_lengths(struct xnr_store *s, int64_t run,
                                                          int32_t **ids, int32_t **counts,
                                                          size_t *n, struct xnr_error *err);

/* Write run's hidden states to f as a NumPy .npy file (format 1.0, '<f4',
 * C order, shape (words, hidden_size)): row i is the i-th row of `hidden`
 * in (sentence_id, idx) order; *n_rows and *dim say the shape. A little-endian
 * host is assumed, as for every stored vector. Errors: XNR_ERR_INPUT (the
 * run stores no hidden states), XNR_ERR_DB, XNR_ERR_IO (a write to f failed;
 * what was written is then incomplete), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_store_hidden_npy(struct xnr_store *s, int64_t run, FILE *f,
                                                    int64_t *n_rows, int64_t *dim,
                                                    struct xnr_error *err);

#endif
