/*
 * store/internal.h - what the files of the store share: the connection, the
 * one mapping from a SQLite failure to a status, migrations, the row
 * iterator with its column tables (rows.c), and the search's pieces
 * (search.c). The only header that includes sqlite3.h; with the tokenizer's,
 * the only one that includes pcre2.h.
 */
#ifndef XNR_STORE_INTERNAL_H
#define XNR_STORE_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sqlite3.h>
#include <stddef.h>

#include "core/ctl.h"
#include "core/status.h"
#include "store/read.h"
#include "store/store.h"

/* The mapping every connection reads the database through (store.c); a
 * run's writer turns it off while it writes (writer.c). */
#define XNR__STORE_MMAP "PRAGMA mmap_size = 1073741824"
/* The page cache of every connection (store.c), and of a run's writer while
 * it writes (writer.c): a piece dirties pages all over the indexes whose key
 * is not the row's order (words_by_text, ...), as many as the run has rows
 * up to this cap, where it spills to the WAL; smaller for the writer so a run
 * reaches its peak memory within its first few thousand sentences. */
#define XNR__STORE_CACHE  "PRAGMA cache_size = -65536"
#define XNR__WRITER_CACHE "PRAGMA cache_size = -16384"

struct xnr_store {
	sqlite3 *db;
	char *path;   /* the database's name, in messages */
	char *staged; /* the temporary file a new database is built in until
	               * xnr_store_publish (xnr_store_open_staged), or NULL */
	/* The busy wait (store.c): how long a lock is waited for, since when,
	 * and who may cut it short (xnr_store_set_ctl). */
	int busy_ms;
	double busy_since;
	const struct xnr_ctl *ctl;
	double deadline; /* a search's statements stop at this time (CLOCK_MONOTONIC s), 0: none */
	/* The sentences the last regular expression or entity string matched,
	 * kept for the next query with the same text (a page and its count):
	 * "run mode text" and the ids as a JSON array, or NULL. */
	char *memo_key, *memo_ids;
	/* Whether runs has the writer column (schema 6): 1 yes, -1 no (a database
	 * of an earlier version opened read-only), 0 not asked yet. */
	int runs_writer;
};

/* The connection's last failure: XNR_ERR_BUSY when it was locked past the
 * busy timeout (XNR_ERR_CANCELLED when its ctl cut the wait short),
 * XNR_ERR_LIMIT when a search went past its deadline or a regular
 * expression past its work limit (SQLITE_INTERRUPT, SQLITE_TOOBIG), else
 * XNR_ERR_DB, with "path: sqlite message". */
XNR_MUST_CHECK enum xnr_status xnr__store_fail(const struct xnr_store *s, struct xnr_error *err);

/* Run SQL with no results (xnr__store_fail on failure). */
XNR_MUST_CHECK enum xnr_status xnr__store_exec(const struct xnr_store *s, const char *sql,
                                               struct xnr_error *err);

/* Prepare sql and bind ?1 to run (xnr__store_fail on failure). */
XNR_MUST_CHECK enum xnr_status xnr__store_prepare(const struct xnr_store *s, const char *sql,
                                                  int64_t run, sqlite3_stmt **out,
                                                  struct xnr_error *err);

/* The condition on a row of runs that keeps only complete runs:
 * "writer IS NULL" (docs/schema.md: a run being written in pieces names its
 * writer), or "1" on a database from before that column, opened read-only,
 * which holds only complete runs. */
const char *xnr__store_complete(struct xnr_store *s);

/* Bring the schema of a read-write connection to XNR_STORE_SCHEMA_VERSION
 * (migrate.c). Errors: as xnr_store_open. */
XNR_MUST_CHECK enum xnr_status xnr__store_migrate(struct xnr_store *s, struct xnr_error *err);

/* ---- the writer of a run (writer.c; copy.c adds another run's rows) ---- */

enum {
	XNR__ST_LABEL,
	XNR__ST_DOC,
	XNR__ST_SENT,
	XNR__ST_SEARCH,
	XNR__ST_WORD,
	XNR__ST_HIDDEN,
	XNR__ST_TOKEN,
	XNR__ST_ENTITY,
	XNR__ST_SETTING,
	XNR__ST_COUNT
};

struct xnr_run_writer {
	struct xnr_store *store;
	sqlite3 *db;                     /* NULL once committed */
	sqlite3_stmt *st[XNR__ST_COUNT]; /* one insert per table */
	int64_t run_id;
	int n_labels;
	int hidden_size;
	int pieces;     /* pieces committed (xnr_run_piece): the run row is in the file */
	uint16_t *half; /* hidden_size: a hidden state converted, when stored as F16 */
};

/* ---- row iterators (rows.c) ---- */

enum xnr__kind { XNR__SENTENCE, XNR__WORD, XNR__TOKEN, XNR__ENTITY, XNR__HIDDEN };

enum xnr__col_type {
	XNR__COL_INT,  /* int; NULL reads as -1 */
	XNR__COL_LONG, /* long; NULL reads as -1 */
	XNR__COL_REAL, /* double; NULL reads as NaN */
	XNR__COL_TEXT, /* const char *, and its length in the int at len_off (when not 0) */
	XNR__COL_SIDE, /* int: 1 for 'pred' */
	XNR__COL_VEC   /* const float * (copied, aligned), its bytes in the int at len_off */
};

/* One result column: the SQL expression selecting it (its table is t), and
 * where it goes in the row struct of its kind. Each table's columns are
 * listed once, in the file of its concept (sentences.c, words.c, vectors.c):
 * a renamed column changes one line. */
struct xnr__col {
	const char *sql;
	enum xnr__col_type type;
	size_t off, len_off;
};

/* "c1, c2, ..." of cols into buf (size > the list's length). */
void xnr__cols_sql(const struct xnr__col *cols, size_t n, char *buf, size_t size);

/* Rows of kind from a prepared statement whose columns are cols (borrowed,
 * static); takes stmt, and ids_json (the JSON id list bound to it, or NULL),
 * whatever happens. Closing them ends the store's search deadline. */
XNR_MUST_CHECK enum xnr_status xnr__rows_open(struct xnr_store *s, enum xnr__kind kind,
                                              const struct xnr__col *cols, size_t n_cols,
                                              sqlite3_stmt *stmt, char *ids_json,
                                              struct xnr_rows **out, struct xnr_error *err);

/* Read vector blobs of exactly 2 x dim bytes as F16 (rows.c read_vec): the
 * hidden states of a run stored with --hidden-dtype f16. */
void xnr__rows_f16_dim(struct xnr_rows *r, int dim);

/* The ids as a JSON array "[3,17,42]" (malloc'd) for json_each, NULL when
 * out of memory. */
char *xnr__ids_json(const int64_t *ids, size_t n);

/* A growing list of ids; a zeroed one is empty, free(v) frees it. */
struct xnr__idlist {
	int64_t *v;
	size_t n, cap;
};
/* Append id: 0, or -1 when out of memory. */
int xnr__idlist_push(struct xnr__idlist *l, int64_t id);

/* ---- search (search.c) ---- */

/* What a sentence query's text puts into its SQL (sentences.c binds them). */
struct xnr__search {
	char *fts;      /* words mode: the FTS5 expression for `search MATCH`; NULL otherwise */
	char *ids_json; /* regex and entity modes: the ids of the run's sentences that match,
	                   as a JSON array; NULL otherwise */
};

/* Check q's text (xnr_store_text_check), and ready the connection for it:
 * *out's parts (the matching sentences of a regular expression or an entity
 * string are found here, once for the store's queries with the same text),
 * and a deadline of XNR_SEARCH_SECONDS from now for its statements (when q
 * has text; ended by xnr__search_end). *out is zeroed first;
 * xnr__search_free frees it. */
XNR_MUST_CHECK enum xnr_status xnr__search_begin(struct xnr_store *s,
                                                 const struct xnr_sentence_query *q,
                                                 struct xnr__search *out, struct xnr_error *err);
void xnr__search_free(struct xnr__search *b);

/* The user's words as an FTS5 expression (malloc'd; NULL when out of
 * memory): every "quoted phrase" and every word an FTS5 string (so no word
 * is read as FTS5 syntax: OR, NEAR, column filters), a trailing * kept as a
 * prefix, all ANDed; phrase (entity mode): the whole text as one phrase.
 * Words with nothing indexable are left out, as FTS5 itself leaves them out
 * of a phrase; none left: "" (matches nothing). */
char *xnr__fts_expression(const char *text, int phrase);

/* Entity mode: of the run's sentences in the index's answer to fts (the
 * text as a phrase), those with a gold or predicted entity whose words are
 * exactly q->text (case ignored), as a JSON array into *ids_json (matches.c). */
XNR_MUST_CHECK enum xnr_status xnr__entity_ids(struct xnr_store *s,
                                               const struct xnr_sentence_query *q, const char *fts,
                                               char **ids_json, struct xnr_error *err);
/* No deadline for the connection's statements from now on. */
void xnr__search_end(struct xnr_store *s);

/* A regular expression of a search: PCRE2 with UTF, Unicode properties and
 * case ignored, its work per subject capped. literal: the pattern is plain
 * text, and must match a whole subject. */
struct xnr__sregex;
XNR_MUST_CHECK enum xnr_status xnr__sregex_new(const char *pattern, int literal,
                                               struct xnr__sregex **out, struct xnr_error *err);
void xnr__sregex_free(struct xnr__sregex *re); /* NULL is fine */
/* 1: a match in (of, when literal) the len bytes of text; 0: none (also
 * for text that is not UTF-8); -1: over the work limit. */
int xnr__sregex_test(struct xnr__sregex *re, const char *text, size_t len);
/* Every match of re in text, left to right, as byte ranges given to
 * fn(arg, start, end); fn returning non-zero stops. -1 over the work limit. */
int xnr__sregex_each(struct xnr__sregex *re, const char *text, size_t len,
                     int (*fn)(void *arg, size_t start, size_t end), void *arg);

#endif
