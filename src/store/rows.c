/*
 * rows.c - the row iterator of the read side (read.h): a prepared statement
 * whose result columns are described by a column table (internal.h), read
 * one row at a time into the row struct of its kind. NULL becomes NaN, -1 or
 * NULL; blobs (hidden states) are copied to an aligned buffer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/half.h"
#include "store/internal.h"

struct xnr_rows {
	struct xnr_store *store;
	sqlite3_stmt *stmt;
	enum xnr__kind kind;
	const struct xnr__col *cols;
	size_t n_cols;
	char *ids_json; /* bound to stmt */
	float *vec;     /* the current row's vector */
	size_t vec_cap; /* bytes */
	int f16_dim;    /* > 0: a blob of 2 x f16_dim bytes is F16, read as f16_dim floats */
};

void xnr__rows_f16_dim(struct xnr_rows *r, int dim)
{
	r->f16_dim = dim;
}

void xnr__cols_sql(const struct xnr__col *cols, size_t n, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < size; i++)
		used +=
		    (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", cols[i].sql);
}

char *xnr__ids_json(const int64_t *ids, size_t n)
{
	size_t size = n * 21 + 3, used = 1, i;
	char *s = malloc(size);

	if (!s)
		return NULL;
	s[0] = '[';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(s + used, size - used, "%s%lld", i ? "," : "",
		                         (long long)ids[i]);
	snprintf(s + used, size - used, "]");
	return s;
}

int xnr__idlist_push(struct xnr__idlist *l, int64_t id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		int64_t *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return 0;
}

enum xnr_status xnr__rows_open(struct xnr_store *s, enum xnr__kind kind,
                               const struct xnr__col *cols, size_t n_cols, sqlite3_stmt *stmt,
                               char *ids_json, struct xnr_rows **out, struct xnr_error *err)
{
	struct xnr_rows *r = calloc(1, sizeof *r);

	if (!r) {
		sqlite3_finalize(stmt);
		xnr__search_end(s);
		free(ids_json);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	r->store = s;
	r->stmt = stmt;
	r->kind = kind;
	r->cols = cols;
	r->n_cols = n_cols;
	r->ids_json = ids_json;
	*out = r;
	return XNR_OK;
}

void xnr_rows_close(struct xnr_rows *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->stmt);
	xnr__search_end(r->store);
	free(r->ids_json);
	free(r->vec);
	free(r);
}

/* Copy column i's blob into r->vec (grown as needed); -1 when out of memory. */
/* A vector blob, copied to an aligned buffer; F16 blobs (runs made with
 * --hidden-dtype f16) widened to float32 there. -1 when out of memory. */
static int read_vec(struct xnr_rows *r, int i, const float **vec, int *bytes)
{
	const unsigned char *blob = sqlite3_column_blob(r->stmt, i);
	size_t n = (size_t)sqlite3_column_bytes(r->stmt, i);
	int half = r->f16_dim > 0 && n == 2 * (size_t)r->f16_dim;
	size_t need = half ? 2 * n : n;

	*vec = NULL;
	*bytes = (int)need;
	if (!blob)
		return 0;
	if (need > r->vec_cap) {
		float *v = realloc(r->vec, need);
		if (!v)
			return -1;
		r->vec = v;
		r->vec_cap = need;
	}
	if (half)
		for (size_t k = 0; k < n / 2; k++)
			r->vec[k] = xnr_f16_to_f32((uint16_t)(blob[2 * k] | blob[2 * k + 1] << 8));
	else
		memcpy(r->vec, blob, n); /* blobs need not be float-aligned */
	*vec = r->vec;
	return 0;
}

/* The current row into row, column by column. -1 when out of memory. */
static int fill(struct xnr_rows *r, void *row)
{
	size_t i;

	for (i = 0; i < r->n_cols; i++) {
		const struct xnr__col *c = &r->cols[i];
		char *field = (char *)row + c->off;
		int null = sqlite3_column_type(r->stmt, (int)i) == SQLITE_NULL;

		switch (c->type) {
		case XNR__COL_INT:
			*(int *)field = null ? -1 : sqlite3_column_int(r->stmt, (int)i);
			break;
		case XNR__COL_LONG:
			*(long *)field = null ? -1 : (long)sqlite3_column_int64(r->stmt, (int)i);
			break;
		case XNR__COL_REAL:
			/* field is the column's member of the row struct (offsetof), a double. */
			/* cppcheck-suppress invalidPointerCast */
			*(double *)field = null ? NAN : sqlite3_column_double(r->stmt, (int)i);
			break;
		case XNR__COL_TEXT:
			*(const char **)field = (const char *)sqlite3_column_text(r->stmt, (int)i);
			if (c->len_off)
				*(int *)((char *)row + c->len_off) =
				    sqlite3_column_bytes(r->stmt, (int)i);
			break;
		case XNR__COL_SIDE:
			*(int *)field =
			    !null &&
			    strcmp((const char *)sqlite3_column_text(r->stmt, (int)i), "pred") == 0;
			break;
		case XNR__COL_VEC:
			if (read_vec(r, (int)i, (const float **)field,
			             (int *)((char *)row + c->len_off)) != 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* The defaults of fields no column fills: NaN reals, zero otherwise. */
static void row_clear(enum xnr__kind kind, void *row, size_t size)
{
	memset(row, 0, size);
	if (kind == XNR__WORD) {
		struct xnr_word_row *w = row;
		w->prob_pred = w->prob_gold = w->loss = w->entropy = NAN;
	} else if (kind == XNR__TOKEN) {
		struct xnr_token_row *t = row;
		t->prob_pred = t->loss = t->entropy = NAN;
	} else if (kind == XNR__SENTENCE) {
		((struct xnr_sentence_row *)row)->loss = NAN;
	}
}

static enum xnr_status next(struct xnr_rows *r, enum xnr__kind kind, void *row, size_t size,
                            int *more, struct xnr_error *err)
{
	int rc;

	if (r->kind != kind)
		return xnr_fail(err, XNR_ERR_INTERNAL, "store: rows of one kind read as another");
	rc = sqlite3_step(r->stmt);
	if (rc == SQLITE_DONE) {
		*more = 0;
		return XNR_OK;
	}
	if (rc != SQLITE_ROW)
		return xnr__store_fail(r->store, err);
	row_clear(kind, row, size);
	if (fill(r, row) != 0)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory for a stored vector");
	*more = 1;
	return XNR_OK;
}

enum xnr_status xnr_rows_sentence(struct xnr_rows *r, struct xnr_sentence_row *row, int *more,
                                  struct xnr_error *err)
{
	return next(r, XNR__SENTENCE, row, sizeof *row, more, err);
}

enum xnr_status xnr_rows_word(struct xnr_rows *r, struct xnr_word_row *row, int *more,
                              struct xnr_error *err)
{
	return next(r, XNR__WORD, row, sizeof *row, more, err);
}

enum xnr_status xnr_rows_token(struct xnr_rows *r, struct xnr_token_row *row, int *more,
                               struct xnr_error *err)
{
	return next(r, XNR__TOKEN, row, sizeof *row, more, err);
}

enum xnr_status xnr_rows_entity(struct xnr_rows *r, struct xnr_entity_row *row, int *more,
                                struct xnr_error *err)
{
	return next(r, XNR__ENTITY, row, sizeof *row, more, err);
}

enum xnr_status xnr_rows_hidden(struct xnr_rows *r, struct xnr_hidden_row *row, int *more,
                                struct xnr_error *err)
{
	return next(r, XNR__HIDDEN, row, sizeof *row, more, err);
}
