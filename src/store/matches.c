/*
 * matches.c - which words of a sentence a query matched (read.h), for the
 * pages to highlight, and entity mode's sentences. A sentence's text is its
 * words joined by single spaces (docs/schema.md), so a byte of the text
 * belongs to the word whose [start, start + length) holds it; the lengths
 * come from the words themselves, so a word holding a space (JSONL) does not
 * shift the others. Statements are prepared once per matcher.
 */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

enum { Q_WORDS, Q_TEXT, Q_ENTITIES, Q_TOKENS, Q_HIGHLIGHT, Q_COUNT };

/* ?1 run, ?2 sentence; ?3 the word (Q_WORDS), the token (Q_TOKENS), the FTS5
 * expression (Q_HIGHLIGHT: the matched tokens between 0xff and 0xfe, bytes
 * that UTF-8 text never holds). */
static const char *const sql[Q_COUNT] = {
    [Q_WORDS] = "SELECT length(CAST(text AS BLOB)), gold, pred, text = ?3 FROM words"
                " WHERE run_id = ?1 AND sentence_id = ?2 ORDER BY idx",
    [Q_TEXT] = "SELECT text FROM sentences WHERE run_id = ?1 AND id = ?2",
    [Q_ENTITIES] = "SELECT side = 'pred', start, end, type FROM entities"
                   " WHERE run_id = ?1 AND sentence_id = ?2",
    [Q_TOKENS] = "SELECT word_idx FROM tokens WHERE run_id = ?1 AND sentence_id = ?2"
                 " AND is_first = 1 AND text = ?3",
    [Q_HIGHLIGHT] = "SELECT highlight(search, 0, CAST(X'FF' AS TEXT), CAST(X'FE' AS TEXT))"
                    " FROM search WHERE search MATCH ?3 AND rowid = (?1 << 32) | ?2",
};

struct word {
	size_t start, len; /* bytes in the sentence's text */
	int gold, pred;
	int is_word; /* its text is the query's word */
};

struct xnr_matcher {
	struct xnr_store *s;
	const struct xnr_sentence_query *q;
	struct xnr__sregex *re; /* regex mode: the pattern; entity mode: the text, literal */
	char *fts;              /* words mode: the FTS5 expression */
	sqlite3_stmt *st[Q_COUNT];
	struct word *w; /* the sentence's words */
	size_t n_w, cap_w;
	struct xnr_span *spans;
	size_t n, cap;
	int oom; /* add_bytes ran out of memory */
};

void xnr_matcher_close(struct xnr_matcher *m)
{
	int i;

	if (!m)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(m->st[i]);
	xnr__sregex_free(m->re);
	free(m->fts);
	free(m->w);
	free(m->spans);
	free(m);
}

/* Statement i bound to the sentence (and ?3 to arg, when not NULL). */
static enum xnr_status stmt(struct xnr_matcher *m, int i, int64_t sid, const char *arg,
                            sqlite3_stmt **out, struct xnr_error *err)
{
	enum xnr_status st;

	if (!m->st[i] &&
	    (st = xnr__store_prepare(m->s, sql[i], m->q->run, &m->st[i], err)) != XNR_OK)
		return st;
	sqlite3_reset(m->st[i]);
	sqlite3_bind_int64(m->st[i], 1, m->q->run);
	sqlite3_bind_int64(m->st[i], 2, sid);
	sqlite3_bind_text(m->st[i], 3, arg, -1, SQLITE_STATIC);
	*out = m->st[i];
	return XNR_OK;
}

/* The end of a statement's rows: OK, or its failure. */
static enum xnr_status done(struct xnr_matcher *m, int rc, struct xnr_error *err)
{
	return rc == SQLITE_DONE ? XNR_OK : xnr__store_fail(m->s, err);
}

static enum xnr_status add_span(struct xnr_matcher *m, int start, int end, struct xnr_error *err)
{
	if (start >= end)
		return XNR_OK;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		struct xnr_span *v = realloc(m->spans, cap * sizeof *v);
		if (!v)
			return xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
		m->spans = v;
		m->cap = cap;
	}
	m->spans[m->n].start = start;
	m->spans[m->n].end = end;
	m->n++;
	return XNR_OK;
}

/* The words touched by bytes [a, b) of the text (an xnr__sregex_each
 * callback: non-zero stops, when out of memory). */
static int add_bytes(void *arg, size_t a, size_t b)
{
	struct xnr_matcher *m = arg;
	struct xnr_error err;
	size_t i;
	int first = -1, last = -1;

	for (i = 0; i < m->n_w && a < b; i++)
		if (m->w[i].start < b && a < m->w[i].start + m->w[i].len) {
			if (first < 0)
				first = (int)i;
			last = (int)i;
		}
	if (first >= 0 && add_span(m, first, last + 1, &err) != XNR_OK)
		m->oom = 1;
	return m->oom;
}

/* The sentence's words into m->w. */
static enum xnr_status load_words(struct xnr_matcher *m, int64_t sid, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status s;
	size_t at = 0;
	int rc;

	m->n_w = 0;
	if ((s = stmt(m, Q_WORDS, sid, m->q->word, &st, err)) != XNR_OK)
		return s;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct word *w;
		if (m->n_w == m->cap_w) {
			size_t cap = m->cap_w ? 2 * m->cap_w : 64;
			if (!(w = realloc(m->w, cap * sizeof *w)))
				return xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
			m->w = w;
			m->cap_w = cap;
		}
		w = &m->w[m->n_w++];
		w->start = at;
		w->len = (size_t)sqlite3_column_int64(st, 0);
		w->gold =
		    sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 1);
		w->pred =
		    sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
		w->is_word = sqlite3_column_int(st, 3);
		at += w->len + 1;
	}
	return done(m, rc, err);
}

/* Words mode: the words holding the index's matched tokens. */
static enum xnr_status fts_spans(struct xnr_matcher *m, int64_t sid, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *h;
	enum xnr_status s;
	size_t i, n, at = 0, open = 0;
	int rc;

	if ((s = stmt(m, Q_HIGHLIGHT, sid, m->fts, &st, err)) != XNR_OK)
		return s;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return done(m, rc, err);
	h = sqlite3_column_text(st, 0);
	n = (size_t)sqlite3_column_bytes(st, 0);
	for (i = 0; h && i < n; i++) {
		if (h[i] == 0xff)
			open = at;
		else if (h[i] == 0xfe)
			add_bytes(m, open, at);
		else
			at++;
	}
	return m->oom ? xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory") : XNR_OK;
}

static enum xnr_status too_much_work(int64_t sid, struct xnr_error *err)
{
	return xnr_fail(err, XNR_ERR_LIMIT,
	                "the regular expression needs too much work on sentence %lld "
	                "(simplify it: nested repeats like (a+)+ backtrack without end)",
	                (long long)sid);
}

/* Regex mode: the words every match touches. */
static enum xnr_status regex_spans(struct xnr_matcher *m, int64_t sid, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *text;
	enum xnr_status s;
	int rc;

	if ((s = stmt(m, Q_TEXT, sid, NULL, &st, err)) != XNR_OK)
		return s;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return done(m, rc, err);
	if ((text = (const char *)sqlite3_column_text(st, 0)) &&
	    xnr__sregex_each(m->re, text, (size_t)sqlite3_column_bytes(st, 0), add_bytes, m) < 0)
		return too_much_work(sid, err);
	return m->oom ? xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory") : XNR_OK;
}

/* Whether entity [a, b) (side is_pred, type) is one the query asks for:
 * entity mode, its words are the text (a slice of the sentence's text);
 * else of the query's types. -1 over the regex work limit. */
static int entity_wanted(struct xnr_matcher *m, const char *text, size_t len, int is_pred, int a,
                         int b, const char *type)
{
	const struct xnr_sentence_query *q = m->q;
	size_t from, to;

	if (m->re) {
		if (!text || a < 0 || b <= a || (size_t)b > m->n_w)
			return 0;
		from = m->w[a].start;
		to = m->w[b - 1].start + m->w[b - 1].len;
		return to <= len ? xnr__sregex_test(m->re, text + from, to - from) : 0;
	}
	if (!type)
		return 0;
	return (!is_pred && q->gold_type && strcmp(type, q->gold_type) == 0) ||
	       (is_pred && q->pred_type && strcmp(type, q->pred_type) == 0);
}

/* Entity mode (m->re set) or the query's types: the entities wanted. */
static enum xnr_status entity_spans(struct xnr_matcher *m, int64_t sid, struct xnr_error *err)
{
	sqlite3_stmt *ts = NULL, *es = NULL;
	const char *text = NULL;
	size_t len = 0;
	enum xnr_status s;
	int rc, hit;

	if (m->re) {
		if ((s = stmt(m, Q_TEXT, sid, NULL, &ts, err)) != XNR_OK)
			return s;
		if ((rc = sqlite3_step(ts)) != SQLITE_ROW)
			return done(m, rc, err);
		text = (const char *)sqlite3_column_text(ts, 0);
		len = (size_t)sqlite3_column_bytes(ts, 0);
	}
	if ((s = stmt(m, Q_ENTITIES, sid, NULL, &es, err)) != XNR_OK)
		return s;
	while ((rc = sqlite3_step(es)) == SQLITE_ROW) {
		int a = sqlite3_column_int(es, 1), b = sqlite3_column_int(es, 2);
		hit = entity_wanted(m, text, len, sqlite3_column_int(es, 0), a, b,
		                    (const char *)sqlite3_column_text(es, 3));
		if (hit < 0)
			return too_much_work(sid, err);
		if (hit && (s = add_span(m, a, b, err)) != XNR_OK)
			return s;
	}
	return done(m, rc, err);
}

/* The words whose first sub-token is the query's token. */
static enum xnr_status token_spans(struct xnr_matcher *m, int64_t sid, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum xnr_status s;
	int rc, i;

	if ((s = stmt(m, Q_TOKENS, sid, m->q->token, &st, err)) != XNR_OK)
		return s;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = sqlite3_column_int(st, 0);
		if ((s = add_span(m, i, i + 1, err)) != XNR_OK)
			return s;
	}
	return done(m, rc, err);
}

/* The words of the query's word, or with its gold and / or predicted label. */
static enum xnr_status word_spans(struct xnr_matcher *m, struct xnr_error *err)
{
	const struct xnr_sentence_query *q = m->q;
	enum xnr_status s;
	size_t i;

	for (i = 0; i < m->n_w; i++) {
		const struct word *w = &m->w[i];
		int hit = q->word ? w->is_word
		                  : (q->gold < 0 || w->gold == q->gold) &&
		                        (q->pred < 0 || w->pred == q->pred);
		if (hit && (s = add_span(m, (int)i, (int)i + 1, err)) != XNR_OK)
			return s;
	}
	return XNR_OK;
}

static int by_start(const void *a, const void *b)
{
	const struct xnr_span *x = a, *y = b;

	return x->start != y->start ? (x->start > y->start) - (x->start < y->start)
	                            : (x->end > y->end) - (x->end < y->end);
}

/* Sort the spans, merging the ones that overlap. */
static void spans_tidy(struct xnr_matcher *m)
{
	size_t i, k = 0;

	if (m->n > 1)
		qsort(m->spans, m->n, sizeof *m->spans, by_start);
	for (i = 0; i < m->n; i++) {
		if (k && m->spans[i].start < m->spans[k - 1].end) {
			if (m->spans[i].end > m->spans[k - 1].end)
				m->spans[k - 1].end = m->spans[i].end;
			continue;
		}
		m->spans[k++] = m->spans[i];
	}
	m->n = k;
}

enum xnr_mark_by xnr_sentence_query_mark_by(const struct xnr_sentence_query *q)
{
	if (q->text && q->text[0])
		return XNR_MARK_TEXT;
	if (q->token && !q->word)
		return XNR_MARK_TOKEN;
	if (q->word || q->gold >= 0 || q->pred >= 0)
		return XNR_MARK_WORDS;
	return q->gold_type || q->pred_type ? XNR_MARK_TYPES : XNR_MARK_NONE;
}

enum xnr_status xnr_matcher_spans(struct xnr_matcher *m, int64_t sid, const struct xnr_span **spans,
                                  size_t *n, struct xnr_error *err)
{
	enum xnr_mark_by by = xnr_sentence_query_mark_by(m->q);
	enum xnr_status s = XNR_OK;

	m->n = 0;
	m->oom = 0;
	if ((s = load_words(m, sid, err)) != XNR_OK)
		return s;
	if (by == XNR_MARK_TEXT && m->q->text_mode == XNR_TEXT_WORDS)
		s = fts_spans(m, sid, err);
	else if (by == XNR_MARK_TEXT && m->q->text_mode == XNR_TEXT_REGEX)
		s = regex_spans(m, sid, err);
	else if (by == XNR_MARK_TEXT || by == XNR_MARK_TYPES) /* entity mode, or types */
		s = entity_spans(m, sid, err);
	else if (by == XNR_MARK_TOKEN)
		s = token_spans(m, sid, err);
	else if (by == XNR_MARK_WORDS)
		s = word_spans(m, err);
	if (s != XNR_OK)
		return s;
	spans_tidy(m);
	*spans = m->n ? m->spans : NULL;
	*n = m->n;
	return XNR_OK;
}

enum xnr_status xnr_store_matcher(struct xnr_store *s, const struct xnr_sentence_query *q,
                                  struct xnr_matcher **out, struct xnr_error *err)
{
	struct xnr_matcher *m;
	enum xnr_status st;
	int text = q->text && q->text[0];

	if ((st = xnr_store_text_check(q, err)) != XNR_OK)
		return st;
	if (!(m = calloc(1, sizeof *m)))
		return xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
	m->s = s;
	m->q = q;
	if (text && q->text_mode != XNR_TEXT_WORDS)
		st = xnr__sregex_new(q->text, q->text_mode == XNR_TEXT_ENTITY, &m->re, err);
	else if (text && !(m->fts = xnr__fts_expression(q->text, 0)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
	if (st != XNR_OK) {
		xnr_matcher_close(m);
		return st;
	}
	*out = m;
	return XNR_OK;
}

enum xnr_status xnr__entity_ids(struct xnr_store *s, const struct xnr_sentence_query *q,
                                const char *fts, char **ids_json, struct xnr_error *err)
{
	static const char cands[] = "SELECT rowid - (?1 << 32) FROM search WHERE search MATCH ?2"
	                            " AND rowid BETWEEN ?1 << 32 AND (?1 << 32) + 4294967295";
	struct xnr_matcher *m = NULL;
	struct xnr__idlist ids = {NULL, 0, 0};
	sqlite3_stmt *st = NULL;
	const struct xnr_span *spans;
	size_t n;
	enum xnr_status rc;
	int step;

	if ((rc = xnr_store_matcher(s, q, &m, err)) != XNR_OK ||
	    (rc = xnr__store_prepare(s, cands, q->run, &st, err)) != XNR_OK)
		goto done;
	sqlite3_bind_text(st, 2, fts, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t sid = sqlite3_column_int64(st, 0);
		if ((rc = xnr_matcher_spans(m, sid, &spans, &n, err)) != XNR_OK)
			goto done;
		if (n && xnr__idlist_push(&ids, sid) != 0) {
			rc = xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
			goto done;
		}
	}
	if (step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	else if (!(*ids_json = xnr__ids_json(ids.v, ids.n)))
		rc = xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
done:
	sqlite3_finalize(st);
	xnr_matcher_close(m);
	free(ids.v);
	return rc;
}
