/*
 * store.h - the run database (SQLite; schema in docs/schema.md): opening it,
 * finding a stored run, writing a new run in one transaction so it becomes
 * visible only when complete, and per-run display settings. Reading runs
 * back: store/read.h. Only src/store/ talks to SQLite.
 *
 * Failures of the database itself are XNR_ERR_BUSY (locked by another
 * writer past the busy timeout), XNR_ERR_CANCELLED (the wait for the lock
 * cut short, xnr_store_set_ctl) and XNR_ERR_DB ("path: sqlite message").
 * A store is used by one thread at a time.
 */
#ifndef XNR_STORE_STORE_H
#define XNR_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctl.h"
#include "core/status.h"

#define XNR_STORE_SCHEMA_VERSION 7

struct xnr_store;

/* Open (create == 1: create if missing) the database at path for reading
 * and writing and bring its schema to XNR_STORE_SCHEMA_VERSION. Errors:
 * XNR_ERR_NOT_FOUND (no file there and create == 0), XNR_ERR_IO (cannot
 * open it), XNR_ERR_FORMAT (not an ExplaiNER database), XNR_ERR_UNSUPPORTED
 * (made by a newer ExplaiNER), XNR_ERR_BUSY, XNR_ERR_DB. */
XNR_MUST_CHECK enum xnr_status xnr_store_open(const char *path, int create, struct xnr_store **out,
                                              struct xnr_error *err);

/* Open path for writing a run that must leave no new file behind if it
 * fails. An existing path is opened as xnr_store_open(path, 1) opens it. A
 * missing one is built in a new file of its own next to it,
 * "PATH.tmp-PID-N", and appears at path only when xnr_store_publish
 * succeeds; xnr_store_close before that deletes it (a process killed with
 * SIGKILL leaves the PATH.tmp-* files, never PATH). Messages name path.
 * Errors: as xnr_store_open, XNR_ERR_NOT_FOUND (no such folder). */
XNR_MUST_CHECK enum xnr_status xnr_store_open_staged(const char *path, struct xnr_store **out,
                                                     struct xnr_error *err);

/* Give the database of a staged store its path: its WAL checkpointed into
 * the file, the connection closed, the file renamed to path if path still
 * does not exist. Nothing to do for a store that opened an existing file.
 * After it, success or not, only xnr_store_close may follow (which deletes a
 * staged database that was not published). Errors: XNR_ERR_BUSY (another program created
 * path meanwhile: the staged database is deleted, nothing was written),
 * XNR_ERR_IO, XNR_ERR_DB. */
XNR_MUST_CHECK enum xnr_status xnr_store_publish(struct xnr_store *store, struct xnr_error *err);

/* Open an existing database read-only with a short busy timeout, for one
 * reader (a request, a job): it never blocks the writer (WAL) and sees the
 * runs complete when a read starts. The schema is not checked (open once
 * with xnr_store_open for that). Errors: XNR_ERR_DB. */
XNR_MUST_CHECK enum xnr_status xnr_store_open_read(const char *path, struct xnr_store **out,
                                                   struct xnr_error *err);
void xnr_store_close(struct xnr_store *store);

/* Reads that pass over a whole run once (a finished run keeping its loss
 * tables) with lean on: without the mapping and with the small page cache a
 * run's writer has, so the process's RSS does not grow with the database
 * (mapped pages a scan touches stay in it); lean off puts the readers'
 * settings back. Errors: the database's. */
XNR_MUST_CHECK enum xnr_status xnr_store_lean(struct xnr_store *s, int lean, struct xnr_error *err);

/* From now on, a wait of store for another writer's lock ends as soon as
 * ctl asks to stop (checked every few milliseconds): the call that waited
 * fails with XNR_ERR_CANCELLED. ctl is borrowed (NULL: wait the whole busy
 * timeout again). */
void xnr_store_set_ctl(struct xnr_store *store, const struct xnr_ctl *ctl);

/* The SQLite library's version ("3.40.1"), for the Debug page. */
const char *xnr_store_sqlite_version(void);

/* The id of the complete run stored under key, or 0 if there is none. */
XNR_MUST_CHECK enum xnr_status xnr_store_find_run(struct xnr_store *store, const char *key,
                                                  int64_t *run_id, struct xnr_error *err);

/* What identifies and describes a run (all strings borrowed). */
struct xnr_run_info {
	const char *key;
	const char *version;
	const char *model_path, *model_hash, *model_arch;
	const char *data_path, *data_hash, *split;
	const char *options_json;
	const char *scheme;
	int hidden_size;
	int hidden_f16; /* 1: store hidden states as IEEE half (2 bytes a value), else float32 */
	int n_labels;
	const char *const *labels; /* n_labels names, index = label id */
};

struct xnr_run_writer;

/* Start a run: a transaction that inserts the run row and its labels.
 * Nothing is visible to other connections until xnr_run_commit: a run
 * written in pieces (xnr_run_piece) is marked as being written by this
 * process (runs.writer, docs/schema.md) until then, which every reader
 * skips. First the runs whose writer on this machine has died (killed in
 * the middle of a run) are deleted with their rows. Errors: XNR_ERR_INPUT
 * (another live process is writing a run with the same key), the store's. */
XNR_MUST_CHECK enum xnr_status xnr_run_begin(struct xnr_store *store,
                                             const struct xnr_run_info *info,
                                             struct xnr_run_writer **out, struct xnr_error *err);

XNR_MUST_CHECK enum xnr_status xnr_run_add_document(struct xnr_run_writer *w, int id,
                                                    long first_line, struct xnr_error *err);

/* The rows of the sentences, words and tokens tables, as the writer takes
 * them and the read side (store/read.h) gives them back. */
struct xnr_sentence_row {
	int id, doc_id;
	long source_line;
	const char *source_id; /* may be NULL */
	const char *text;
	int n_words, n_tokens;
	double loss;
	int n_word_errors, n_entity_errors;
};
XNR_MUST_CHECK enum xnr_status xnr_run_add_sentence(struct xnr_run_writer *w,
                                                    const struct xnr_sentence_row *s,
                                                    struct xnr_error *err);

/* A word; NaN reals and first_token < 0 are stored as NULL (a word with no
 * sub-token has no prediction of its own). Read back without probs and hidden. */
struct xnr_word_row {
	int sentence_id, idx;
	const char *text;
	int text_len;
	int gold, pred;
	double prob_pred, prob_gold, loss, entropy;
	int first_token;
	const float *probs;  /* n_labels */
	const float *hidden; /* hidden_size, or NULL */
};
XNR_MUST_CHECK enum xnr_status
xnr_run_add_word(struct xnr_run_writer *w, const struct xnr_word_row *r, struct xnr_error *err);

struct xnr_token_row {
	int sentence_id, idx;
	int token_id;
	const char *text;
	int word_idx, start, end, is_first;
	int gold; /* < 0: NULL (not a first sub-token) */
	int pred;
	double prob_pred, loss, entropy; /* loss used only when gold >= 0 */
	const float *probs;              /* read back as NULL */
};
XNR_MUST_CHECK enum xnr_status
xnr_run_add_token(struct xnr_run_writer *w, const struct xnr_token_row *r, struct xnr_error *err);

XNR_MUST_CHECK enum xnr_status xnr_run_add_entity(struct xnr_run_writer *w, int sentence_id,
                                                  int is_pred, int start, int end, const char *type,
                                                  struct xnr_error *err);

/* The id of the run being written: its rows can be read through the
 * writer's store before the commit. */
int64_t xnr_run_writer_id(const struct xnr_run_writer *w);

/* A setting of the run being written (as xnr_settings_save, in the run's
 * transaction): a shard's slice (pipeline/shard.c). */
XNR_MUST_CHECK enum xnr_status xnr_run_add_setting(struct xnr_run_writer *w, const char *key,
                                                   const char *value, struct xnr_error *err);

/* Add the rows of run `run` of the database from (its sentences, words,
 * hidden states, sub-tokens and entities; its documents too when documents
 * is 1) to the run being written, every value as stored, in the order they
 * were written; from may be the writer's own store or another (read-only is
 * fine). Ids are kept: rows whose ids the run already holds fail with
 * XNR_ERR_DB. Errors: XNR_ERR_DB, XNR_ERR_BUSY (either database). */
XNR_MUST_CHECK enum xnr_status xnr_run_copy_rows(struct xnr_run_writer *w, struct xnr_store *from,
                                                 int64_t run, int documents, struct xnr_error *err);

/* Commit what the run has written so far and go on in a new transaction, so
 * the WAL (and its -shm index) and the page cache hold one piece, not the
 * whole run. The run
 * stays invisible to readers until xnr_run_commit; xnr_run_abort, or the
 * next xnr_run_begin after a SIGKILL, deletes it. Errors: the store's
 * (XNR_ERR_BUSY when another writer takes the lock meanwhile and keeps it
 * past the busy timeout). */
XNR_MUST_CHECK enum xnr_status xnr_run_piece(struct xnr_run_writer *w, struct xnr_error *err);

/* Record counts, duration and the summary JSON, commit, and give the run id.
 * The writer is freed whatever happens. */
XNR_MUST_CHECK enum xnr_status xnr_run_commit(struct xnr_run_writer *w, int n_sentences,
                                              long n_words, long n_tokens, double duration_s,
                                              const char *summary_json, int64_t *run_id,
                                              struct xnr_error *err);

/* Roll back and free; the database is as before xnr_run_begin (the pieces
 * committed are deleted). NULL is fine. */
void xnr_run_abort(struct xnr_run_writer *w);

/* Per-run display settings (the web app's class colours and icons), as
 * key/value text pairs in the `settings` table (docs/schema.md). */
struct xnr_setting {
	char *key, *value;
};

/* Every setting of run_id, sorted by key (a read-only store is fine). *out
 * (NULL when there are none) is freed with xnr_settings_free. Errors:
 * XNR_ERR_DB, XNR_ERR_BUSY, XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_settings_load(struct xnr_store *store, int64_t run_id,
                                                 struct xnr_setting **out, size_t *n,
                                                 struct xnr_error *err);
void xnr_settings_free(struct xnr_setting *s, size_t n);

/* Insert or replace n settings of run_id in one transaction (all or none).
 * Errors: XNR_ERR_BUSY (a run holds the database's write lock past the busy
 * timeout: the message says to save again when it has finished), XNR_ERR_DB
 * (no such run, SQLite). */
XNR_MUST_CHECK enum xnr_status xnr_settings_save(struct xnr_store *store, int64_t run_id,
                                                 const struct xnr_setting *s, size_t n,
                                                 struct xnr_error *err);

/* ---- results computed from a whole run, kept (run_results, schema 6) ----
 * A run's rows never change, so what is computed from all of them (the
 * server's metrics, confusions, loss tables) is kept under a name and read
 * back by the next server instead of scanning the run again.
 *
 * xnr_store_result_get: the bytes kept as name for run in *out (malloc'd,
 * caller frees; *n_bytes their length). XNR_ERR_NOT_FOUND when none is kept
 * (also in a database older than schema 6, read before it was upgraded);
 * XNR_ERR_BUSY, XNR_ERR_DB, XNR_ERR_NOMEM.
 * xnr_store_result_put: keep n_bytes of data as name for run (replacing);
 * needs a read-write store. XNR_ERR_BUSY, XNR_ERR_DB (no such run: the
 * foreign key). Both are as thread-safe as the store they use. */
XNR_MUST_CHECK enum xnr_status xnr_store_result_get(struct xnr_store *s, int64_t run,
                                                    const char *name, void **out, size_t *n_bytes,
                                                    struct xnr_error *err);
XNR_MUST_CHECK enum xnr_status xnr_store_result_put(struct xnr_store *s, int64_t run,
                                                    const char *name, const void *data,
                                                    size_t n_bytes, struct xnr_error *err);

#endif
