/*
 * internal.h - what the dataset readers (conll.c, jsonl.c, arrow.c, saved.c) share with
 * dataset.c (a whole file) and stream.c (a file chunk by chunk): the string
 * pool and the calls that append words, sentences and documents to a
 * dataset under construction.
 */
#ifndef XNR_DATA_INTERNAL_H
#define XNR_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "data/dataset.h"

/* What a dataset that is a stream's chunk (stream.c) knows of the file
 * beyond the chunk. */
struct xnr__chunking {
	size_t words_read, sentences_read; /* in the file so far, kept or not */
	size_t documents_before;           /* documents of the file before the chunk's */
	/* keep(keep_ud, i): whether sentence i of the file is stored; NULL: all */
	int (*keep)(void *ud, size_t sentence);
	void *keep_ud;
};

/* A new empty dataset of path (copied); NULL when out of memory. */
struct xnr_dataset *xnr__dataset_new(const char *path, enum xnr_data_format format);

/* The file path stands for (itself, or a folder's split as
 * xnr_dataset_open picks it) as a new empty dataset: path, split, format. */
XNR_MUST_CHECK enum xnr_status xnr__dataset_resolve(const char *path,
                                                    const struct xnr_data_params *p,
                                                    struct xnr_dataset **out,
                                                    struct xnr_error *err);

/* Empty a chunk for the next: its words, sentences, documents and strings
 * go, its labels stay (ids are the file's). */
void xnr__ds_reset_chunk(struct xnr_dataset *ds);

/* XNR_ERR_INPUT "name: no sentences (...)". */
XNR_MUST_CHECK enum xnr_status xnr__no_sentences(const char *name, enum xnr_data_format format,
                                                 struct xnr_error *err);

/* Copy len bytes plus a NUL into the dataset's pool; NULL when out of memory. */
const char *xnr__pool_str(struct xnr_dataset *ds, const char *s, size_t len);

/* Append a word with label id `tag`; fails with XNR_ERR_LIMIT past max_words. */
XNR_MUST_CHECK enum xnr_status xnr__ds_word(struct xnr_dataset *ds, const char *word, size_t len,
                                            int32_t tag, long line, const struct xnr_data_params *p,
                                            struct xnr_error *err);

/* Close the sentence made of the words appended since the last one; nothing
 * happens when there are none. */
XNR_MUST_CHECK enum xnr_status xnr__ds_sentence(struct xnr_dataset *ds, long line, const char *id,
                                                struct xnr_error *err);

/* Start a new document at line. */
XNR_MUST_CHECK enum xnr_status xnr__ds_document(struct xnr_dataset *ds, long line,
                                                struct xnr_error *err);

/* XNR_ERR_FORMAT "name:line: invalid UTF-8 at byte N" unless s is valid UTF-8. */
XNR_MUST_CHECK enum xnr_status xnr__utf8_check(const char *s, size_t len, const char *name,
                                               long line, struct xnr_error *err);

/* One line of a dataset file (no newline, the first line without its UTF-8
 * BOM) and its 1-based number. */
typedef enum xnr_status (*xnr__line_fn)(void *ctx, const char *s, size_t len, long line,
                                        struct xnr_error *err);

struct xnr_lines;

/* The next line of lr (NULL at the end), its UTF-8 BOM dropped on line 1;
 * XNR_ERR_CANCELLED when p->ctl asks to (checked every few thousand lines). */
XNR_MUST_CHECK enum xnr_status xnr__next_line(struct xnr_lines *lr, const char *name,
                                              const struct xnr_data_params *p, const char **s,
                                              size_t *len, struct xnr_error *err);

/* Call fn on every line of f, lines capped at p->max_line_bytes bytes,
 * messages naming `name`; stop at the first failure, or with
 * XNR_ERR_CANCELLED when p->ctl asks to. *n_lines is the number of lines
 * read. */
XNR_MUST_CHECK enum xnr_status xnr__read_lines(FILE *f, const char *name,
                                               const struct xnr_data_params *p, xnr__line_fn fn,
                                               void *ctx, long *n_lines, struct xnr_error *err);

/* The columns of a CoNLL line split on runs of spaces and tabs: how many,
 * the first (the word) and the tag column (tag_column, 1-based; 0: the
 * last). The reader and the rewriter must see the same columns. */
struct xnr__conll_cols {
	size_t n;
	const char *first, *tag;
	size_t first_len, tag_len;
};
void xnr__conll_split(const char *s, size_t len, int tag_column, struct xnr__conll_cols *c);

/* A reader fed line by line: its line function, its state (malloc'd, the
 * caller frees it) and what it does at the end of the file (NULL: nothing). */
struct xnr__reader {
	xnr__line_fn line;
	enum xnr_status (*end)(void *ctx, long n_lines, struct xnr_error *err);
	void *ctx;
};

/* The readers of ds (empty, path set; p borrowed for the reader's life);
 * xnr__reader_open picks by ds->format. */
XNR_MUST_CHECK enum xnr_status xnr__reader_open(struct xnr_dataset *ds,
                                                const struct xnr_data_params *p,
                                                struct xnr__reader *r, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__conll_reader(struct xnr_dataset *ds,
                                                 const struct xnr_data_params *p,
                                                 struct xnr__reader *out, struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr__jsonl_reader(struct xnr_dataset *ds,
                                                 const struct xnr_data_params *p,
                                                 struct xnr__reader *out, struct xnr_error *err);

/* --labels: ds->labels replaced by the tag names of integer ner_tags, in id
 * order (JSONL and Arrow). Errors: XNR_ERR_INPUT naming a name that is no
 * tag (err->item its position), as xnr_labels_parse. */
XNR_MUST_CHECK enum xnr_status xnr__id_labels(struct xnr_dataset *ds, const char *list,
                                              struct xnr_error *err);

/*
 * One Arrow IPC file (n bytes at buf, stream or file format; arrow.c)
 * appended to ds, a sentence a row; messages name `name`. id_labels: ds->labels
 * holds the names of integer tags (else integer tags are XNR_ERR_INPUT saying
 * to pass --labels). *rows counts the rows before this file (words' and
 * sentences' "line" is the 1-based row over the split) and is advanced.
 * Errors: XNR_ERR_FORMAT ("name: offset N: what" for a bad file, "name: row N:
 * what" for a bad row, err->item its token), XNR_ERR_UNSUPPORTED (compressed,
 * big-endian, view types), XNR_ERR_INPUT, XNR_ERR_LIMIT, XNR_ERR_NOMEM,
 * XNR_ERR_CANCELLED.
 */
XNR_MUST_CHECK enum xnr_status xnr__arrow_read(struct xnr_dataset *ds, const uint8_t *buf, size_t n,
                                               const char *name, int id_labels, long *rows,
                                               const struct xnr_data_params *p,
                                               struct xnr_error *err);

/* 1 when path (a folder) holds a saved Hugging Face dataset: dataset_dict.json,
 * state.json, or .arrow files; 0 otherwise. */
int xnr__saved_detect(const char *dir);

/* A saved dataset (saved.c): a save_to_disk folder, a DatasetDict folder, a
 * datasets cache folder, or one .arrow file. Same contract as
 * xnr_dataset_open. */
XNR_MUST_CHECK enum xnr_status xnr__saved_open(const char *path, int is_dir,
                                               const struct xnr_data_params *p,
                                               struct xnr_dataset **out, struct xnr_error *err);

#endif
