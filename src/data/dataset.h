/*
 * dataset.h - an NER dataset in memory: documents, sentences, words and gold
 * tags, read from CoNLL files (word first, tag in the last or a chosen
 * column, -DOCSTART- document boundaries) or JSONL ({"tokens", "ner_tags"}
 * per line, HF datasets style), from a folder of train/dev/test splits, or
 * from a dataset saved by Hugging Face `datasets` (save_to_disk, a
 * DatasetDict, the datasets cache: Arrow IPC files, labels from the
 * ClassLabel feature of dataset_info.json).
 *
 * Words live in one string pool (a few large blocks, not one malloc per
 * word); per-word arrays are indexed by a global word index, sentences are
 * ranges of it. Every word, sentence and document keeps its 1-based source
 * line, so any later message can say "test.txt:1204". Reading is
 * all-or-nothing: on any error nothing is returned and the message says
 * "file:line: what (how to fix)". A dataset is immutable after opening
 * except for xnr_dataset_convert; read-only use may be shared by threads.
 */
#ifndef XNR_DATA_DATASET_H
#define XNR_DATA_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"
#include "data/labels.h"
#include "data/scheme.h"

enum xnr_data_format {
	XNR_DATA_AUTO, /* by extension: .jsonl is JSONL, anything else CoNLL */
	XNR_DATA_CONLL,
	XNR_DATA_JSONL,
	XNR_DATA_ARROW, /* a saved Hugging Face dataset, found by its folder or .arrow file */
};

struct xnr_data_params {
	enum xnr_data_format format;
	int tag_column;        /* CoNLL: 1-based column of the tag (>= 2); 0 = the last */
	const char *labels;    /* JSONL integer ner_tags: "O,B-PER,..." in id order, or NULL */
	const char *split;     /* folder: "train", "dev" (= "valid", "validation") or "test";
	                          NULL picks "test"; a DatasetDict or cache folder also
	                          takes any split name it lists */
	size_t max_line_bytes; /* longer lines are XNR_ERR_LIMIT */
	size_t max_words;      /* more words in the file is XNR_ERR_LIMIT */
	/* Reading stops with XNR_ERR_CANCELLED when this asks to (checked every
	 * XNR_DATA_CANCEL_LINES lines; NULL: never). Borrowed. */
	const struct xnr_ctl *ctl;
};

#define XNR_DATA_CANCEL_LINES 4096

struct xnr_sentence {
	size_t index;      /* its index among the file's sentences */
	size_t first_word; /* index of its first word in the dataset's word arrays */
	size_t n_words;    /* >= 1 (a JSONL line with no tokens is refused) */
	size_t document;   /* its document's index among the file's (a whole dataset:
	                      into documents) */
	long line;         /* source line of its first word (JSONL: its line; Arrow: its
	                      1-based row in the split) */
	const char *id;    /* JSONL "id" as text, else NULL; in the pool */
};

struct xnr_document {
	size_t index;          /* among the file's documents */
	size_t first_sentence; /* index among the file's sentences */
	size_t n_sentences;    /* may be 0 (two -DOCSTART- lines in a row); in a
	                          stream's chunk, those read with the chunk */
	long line;             /* the -DOCSTART- line, or the first sentence's line */
};

struct xnr__pool;
struct xnr__chunking;

struct xnr_dataset {
	char *path;  /* the file read (owned); Arrow: the .arrow file, or the folder
	                of the split (save_to_disk) or of the cache */
	char *split; /* the split name when opened from a folder ("test"), else NULL */
	enum xnr_data_format format;
	size_t n_words, n_sentences, n_documents;
	const char **words;             /* (n_words) NUL-terminated UTF-8, in the pool */
	int32_t *tags;                  /* (n_words) index into labels */
	long *word_lines;               /* (n_words) 1-based source line */
	struct xnr_sentence *sentences; /* (n_sentences) */
	struct xnr_document *documents; /* (n_documents) */
	struct xnr_labels labels;       /* tag names; CoNLL: in order of first use;
	                                   JSONL with ids: the --labels list */
	char **files;   /* Arrow: the files the data came from, in order (dataset_info.json
	                   when its labels were used, then the .arrow files); owned */
	size_t n_files; /* 0 for CoNLL and JSONL: path is the one file */
	struct xnr__pool *pool;
	struct xnr__chunking *chunking; /* a stream's chunk (stream.c), else NULL */
	size_t cap_words, cap_sentences, cap_documents;
};

/* A scheme check over a whole dataset. */
struct xnr_scheme_report {
	enum xnr_scheme scheme;
	size_t n_ill_formed; /* all problems found */
	size_t n_by_kind[XNR_ILL_KIND_COUNT];
	struct xnr_ill_formed *items; /* the first n_items problems, in order */
	size_t n_items;
};

/* Defaults: AUTO format, last column, 1 MiB lines, 50 million words, split NULL. */
struct xnr_data_params xnr_data_default_params(void);

/*
 * Read the dataset at path (a file, or a folder holding train/dev/valid/test
 * files with extension .txt, .conll, .iob, .bio or .jsonl; params->split
 * picks one; or a saved Hugging Face dataset: a .arrow file, a folder of
 * save_to_disk (state.json), of a DatasetDict (dataset_dict.json, one folder
 * a split) or of the datasets cache (<name>-<split>[-NNNNN-of-NNNNN].arrow)). params may be NULL
 * for the defaults. On success *out is a new dataset the caller closes with xnr_dataset_close.
 * Errors: XNR_ERR_NOT_FOUND (no such file or folder; a folder without the
 * split, listing the ones present), XNR_ERR_IO (unreadable), XNR_ERR_FORMAT
 * (ragged columns, a tag that is not a tag, bad JSON, invalid UTF-8),
 * XNR_ERR_INPUT (empty file, two files for one split, ids without --labels),
 * XNR_ERR_LIMIT (a line over max_line_bytes, too many words or labels),
 * XNR_ERR_UNSUPPORTED (Arrow data compressed, big-endian or of view types),
 * XNR_ERR_CANCELLED (params->ctl asked to stop).
 * err->path names the file (or folder), err->line the line when there is one,
 * and err->item the 1-based token of a JSONL line whose token or tag is bad.
 */
XNR_MUST_CHECK enum xnr_status xnr_dataset_open(const char *path,
                                                const struct xnr_data_params *params,
                                                struct xnr_dataset **out, struct xnr_error *err);

/* Parse n bytes of CoNLL or JSONL text (format must not be AUTO); `name`
 * stands for the file in messages. Same contract as xnr_dataset_open. */
XNR_MUST_CHECK enum xnr_status xnr_dataset_from_memory(const char *data, size_t n, const char *name,
                                                       const struct xnr_data_params *params,
                                                       struct xnr_dataset **out,
                                                       struct xnr_error *err);

void xnr_dataset_close(struct xnr_dataset *ds);

/* 1 when path names a saved Hugging Face dataset xnr_dataset_open reads as
 * Arrow (a .arrow file, or a folder with dataset_dict.json, state.json or
 * .arrow files), else 0. Such data cannot be written back (rewrite.h). */
int xnr_dataset_is_saved(const char *path);

struct xnr_sha256;

/* Add the bytes the dataset was read from to h: its file, or for a saved
 * dataset every file of ds->files in order (the data hash of a run).
 * Errors: as xnr_sha256_file. */
XNR_MUST_CHECK enum xnr_status xnr_dataset_hash(const struct xnr_dataset *ds, struct xnr_sha256 *h,
                                                struct xnr_error *err);

/*
 * The same file read a chunk of sentences at a time, in memory that does not
 * grow with the file: what a run over millions of sentences reads with.
 * A chunk is a dataset (the sentences read since the last call; their
 * `index`, `document` and documents' `first_sentence` count in the whole
 * file; documents are the ones that start in the chunk) borrowed until the
 * next call. Its labels are the file's so far, ids as xnr_dataset_open gives
 * them. The checks and messages are xnr_dataset_open's, each made when its
 * line is read; a stream that failed stays failed.
 */
struct xnr_dataset_stream;

/* Open path (as xnr_dataset_open: a file or a folder's split). A saved
 * Hugging Face dataset (xnr_dataset_is_saved, or format XNR_DATA_ARROW) has
 * no lines: it is read whole here, with all of xnr_dataset_open's errors, and
 * the chunks are cut from it, so its memory grows with the data; the chunk's
 * `files` are the dataset's, for xnr_dataset_hash. Errors: those of
 * xnr_dataset_open that do not need the file's lines. */
XNR_MUST_CHECK enum xnr_status xnr_dataset_stream_open(const char *path,
                                                       const struct xnr_data_params *params,
                                                       struct xnr_dataset_stream **out,
                                                       struct xnr_error *err);

/* The next chunk: up to max_sentences (>= 1) kept sentences; none at the end
 * of the file (XNR_ERR_INPUT there when the file had no sentence at all).
 * Errors: xnr_dataset_open's. */
XNR_MUST_CHECK enum xnr_status xnr_dataset_stream_next(struct xnr_dataset_stream *s,
                                                       size_t max_sentences,
                                                       const struct xnr_dataset **chunk,
                                                       struct xnr_error *err);

/* Only the sentences for which keep(ud, file index) is true are stored in
 * the chunks (the others are read and checked, then dropped); NULL keeps
 * all. Borrowed; set before a pass. */
void xnr_dataset_stream_keep(struct xnr_dataset_stream *s, int (*keep)(void *ud, size_t sentence),
                             void *ud);

/* Back to the first line for another pass (labels keep their ids). Errors:
 * XNR_ERR_IO. */
XNR_MUST_CHECK enum xnr_status xnr_dataset_stream_rewind(struct xnr_dataset_stream *s,
                                                         struct xnr_error *err);

/* The file read, its split ("test") or NULL, and the sentences and documents
 * read so far (all of them after the last chunk). */
const struct xnr_dataset *xnr_dataset_stream_info(const struct xnr_dataset_stream *s,
                                                  size_t *n_sentences, size_t *n_documents);

void xnr_dataset_stream_close(struct xnr_dataset_stream *s);

/*
 * Check every sentence against a scheme (xnr_dataset_detect picks the one
 * with the fewest problems among those whose prefixes cover the dataset's,
 * preferring IOB2, IOBES, BILOU, IOE2, IO, IOB1, IOE1 on ties). At most
 * max_items problems are listed; all are counted. Caller frees *out with
 * xnr_scheme_report_free. Errors: XNR_ERR_FORMAT when the tags mix prefixes
 * no scheme has together (B- with L- and E-), XNR_ERR_NOMEM.
 */
XNR_MUST_CHECK enum xnr_status xnr_dataset_check(const struct xnr_dataset *ds,
                                                 enum xnr_scheme scheme, size_t max_items,
                                                 struct xnr_scheme_report *out,
                                                 struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_dataset_detect(const struct xnr_dataset *ds, size_t max_items,
                                                  struct xnr_scheme_report *out,
                                                  struct xnr_error *err);
void xnr_scheme_report_free(struct xnr_scheme_report *r);

/*
 * Rewrite every sentence's tags into scheme `to` (xnr_scheme_convert: the
 * conlleval "begin" repair fixes ill-formed spans; run xnr_dataset_check
 * first to count them). Labels are rebuilt in order of first use.
 * Errors: XNR_ERR_NOMEM; on failure the dataset is unchanged.
 */
XNR_MUST_CHECK enum xnr_status xnr_dataset_convert(struct xnr_dataset *ds, enum xnr_scheme to,
                                                   struct xnr_error *err);

/*
 * Scheme detection and conversion over a file seen in chunks (a stream):
 * per scheme the count of ill-formed sequences and the labels that
 * converting to it gives, in order of first use, added chunk by chunk.
 * xnr_scheme_tally_detect then says what xnr_dataset_detect (max_items 0)
 * says of the whole file, and converted[to] is what the labels of
 * xnr_dataset_convert(whole file, to) are.
 */
struct xnr_scheme_tally {
	char used[8]; /* the prefixes used, other than O */
	size_t n_ill[XNR_SCHEME_COUNT];
	struct xnr_labels converted[XNR_SCHEME_COUNT];
};

void xnr_scheme_tally_init(struct xnr_scheme_tally *t);
void xnr_scheme_tally_free(struct xnr_scheme_tally *t);
/* Errors: XNR_ERR_NOMEM, XNR_ERR_LIMIT (too many labels). */
XNR_MUST_CHECK enum xnr_status xnr_scheme_tally_add(struct xnr_scheme_tally *t,
                                                    const struct xnr_dataset *chunk,
                                                    struct xnr_error *err);
/* The report (no items) of the scheme with the fewest problems; errors as
 * xnr_dataset_detect, the message naming path. */
XNR_MUST_CHECK enum xnr_status xnr_scheme_tally_detect(const struct xnr_scheme_tally *t,
                                                       const char *path,
                                                       struct xnr_scheme_report *out,
                                                       struct xnr_error *err);

/* Every word's tag of ds converted to scheme `to` (as xnr_dataset_convert),
 * as ids into labels (a tally's converted[to]), into out (ds->n_words).
 * Errors: XNR_ERR_INPUT (a converted tag not in labels), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_dataset_convert_ids(const struct xnr_dataset *ds,
                                                       enum xnr_scheme to,
                                                       const struct xnr_labels *labels,
                                                       int32_t *out, struct xnr_error *err);

#endif
