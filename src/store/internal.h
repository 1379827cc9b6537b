/*
 * store/internal.h - what the files of the store share: the connection, the
 * one mapping from a SQLite failure to a status, migrations, and the row
 * iterator with its column tables (rows.c). The only header that includes
 * sqlite3.h.
 */
#ifndef XNR_STORE_INTERNAL_H
#define XNR_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/ctl.h"
#include "core/status.h"
#include "store/read.h"
#include "store/store.h"

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
};

/* The connection's last failure: XNR_ERR_BUSY when it was locked past the
 * busy timeout (XNR_ERR_CANCELLED when its ctl cut the wait short), else
 * XNR_ERR_DB, with "path: sqlite message". */
XNR_MUST_CHECK enum xnr_status xnr__store_fail(const struct xnr_store *s, struct xnr_error *err);

/* Run SQL with no results (xnr__store_fail on failure). */
XNR_MUST_CHECK enum xnr_status xnr__store_exec(const struct xnr_store *s, const char *sql,
                                               struct xnr_error *err);

/* Prepare sql and bind ?1 to run (xnr__store_fail on failure). */
XNR_MUST_CHECK enum xnr_status xnr__store_prepare(const struct xnr_store *s, const char *sql,
                                                  int64_t run, sqlite3_stmt **out,
                                                  struct xnr_error *err);

/* Bring the schema of a read-write connection to XNR_STORE_SCHEMA_VERSION
 * (migrate.c). Errors: as xnr_store_open. */
XNR_MUST_CHECK enum xnr_status xnr__store_migrate(struct xnr_store *s, struct xnr_error *err);

/* ---- the writer of a run (writer.c; copy.c adds another run's rows) ---- */

enum {
	XNR__ST_LABEL,
	XNR__ST_DOC,
	XNR__ST_SENT,
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
 * whatever happens. */
XNR_MUST_CHECK enum xnr_status xnr__rows_open(const struct xnr_store *s, enum xnr__kind kind,
                                              const struct xnr__col *cols, size_t n_cols,
                                              sqlite3_stmt *stmt, char *ids_json,
                                              struct xnr_rows **out, struct xnr_error *err);

/* Read vector blobs of exactly 2 x dim bytes as F16 (rows.c read_vec): the
 * hidden states of a run stored with --hidden-dtype f16. */
void xnr__rows_f16_dim(struct xnr_rows *r, int dim);

/* The ids as a JSON array "[3,17,42]" (malloc'd) for json_each, NULL when
 * out of memory. */
char *xnr__ids_json(const int64_t *ids, size_t n);

#endif
