/*
 * search.c - a sentence query's text (read.h): words mode is a query of the
 * full-text index `search` (SQLite FTS5, unicode61 tokens: case and accents
 * folded, punctuation not indexed); a regular expression runs as the SQL
 * function xnr_regexp over the sentences' text, through PCRE2 (UTF, Unicode
 * properties, case ignored, work per sentence capped); entity mode takes
 * the index's candidates for the phrase and keeps the sentences with a gold
 * or predicted entity whose words are exactly the text. The sentences a
 * regular expression or an entity string matches are found once per store
 * and text, so a page and its count pay for one pass. Every statement of a
 * query with text stops after XNR_SEARCH_SECONDS (SQLite's progress
 * handler), so no query holds a request for long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/internal.h"

#define MATCH_LIMIT  200000 /* PCRE2 backtracking steps for one sentence */
#define DEPTH_LIMIT  20000  /* PCRE2 backtracking depth (and heap) for one sentence */
#define PROGRESS_OPS 2000   /* SQLite VM steps between two deadline checks */

struct xnr__sregex {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int literal;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void xnr__sregex_free(struct xnr__sregex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mc);
	pcre2_code_free(re->code);
	free(re);
}

enum xnr_status xnr__sregex_new(const char *pattern, int literal, struct xnr__sregex **out,
                                struct xnr_error *err)
{
	/* UTF mode folds the case of every character; UCP (Unicode \w, \b, \d)
	 * is a pattern's, not a literal's */
	uint32_t opts = PCRE2_UTF | PCRE2_CASELESS |
	                (literal ? PCRE2_LITERAL | PCRE2_ANCHORED | PCRE2_ENDANCHORED : PCRE2_UCP);
	struct xnr__sregex *re = calloc(1, sizeof *re);
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE at = 0;
	int code = 0;

	if (!re)
		return xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
	re->literal = literal;
	re->code =
	    pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &at, NULL);
	if (!re->code) {
		pcre2_get_error_message(code, msg, sizeof msg);
		xnr__sregex_free(re);
		return xnr_fail(err, XNR_ERR_INPUT,
		                "q: not a regular expression PCRE2 reads: %s (at byte %zu)",
		                (const char *)msg, (size_t)at);
	}
	re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	re->mc = pcre2_match_context_create(NULL);
	if (!re->md || !re->mc) {
		xnr__sregex_free(re);
		return xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
	}
	/* A hostile pattern ((a+)+b) must not hold a request: bounded work. */
	pcre2_set_match_limit(re->mc, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mc, DEPTH_LIMIT);
	pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE); /* the interpreter when it fails */
	*out = re;
	return XNR_OK;
}

static int over_limit(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

int xnr__sregex_test(struct xnr__sregex *re, const char *text, size_t len)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)text, len, 0, 0, re->md, re->mc);

	return rc >= 0 ? 1 : over_limit(rc) ? -1 : 0;
}

int xnr__sregex_each(struct xnr__sregex *re, const char *text, size_t len,
                     int (*fn)(void *arg, size_t start, size_t end), void *arg)
{
	size_t pos = 0;

	while (pos <= len) {
		int rc = pcre2_match(re->code, (PCRE2_SPTR)text, len, pos, 0, re->md, re->mc);
		PCRE2_SIZE *ov;

		if (rc < 0)
			return over_limit(rc) ? -1 : 0;
		ov = pcre2_get_ovector_pointer(re->md);
		if (ov[1] < ov[0] || ov[1] > len)
			return 0; /* \K in a lookahead can end a match before it starts */
		if (fn(arg, ov[0], ov[1]))
			return 0;
		if (ov[1] > pos) {
			pos = ov[1];
			continue;
		}
		/* an empty match: step over one whole character */
		for (pos++; pos < len && ((unsigned char)text[pos] & 0xc0) == 0x80; pos++)
			;
	}
	return 0;
}

/* xnr_regexp(pattern, text): 1 when the pattern matches the text. The
 * compiled pattern is kept with the statement (auxdata of the constant
 * argument). Over the work limit: SQLITE_TOOBIG, which the store reads as
 * XNR_ERR_LIMIT. */
static void regexp_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct xnr__sregex *re = sqlite3_get_auxdata(ctx, 0);
	const char *text = (const char *)sqlite3_value_text(argv[1]);
	struct xnr_error err;
	int fresh = !re, hit;

	(void)argc;
	if (!re &&
	    xnr__sregex_new((const char *)sqlite3_value_text(argv[0]), 0, &re, &err) != XNR_OK) {
		sqlite3_result_error(ctx, err.msg, -1);
		return;
	}
	hit = text ? xnr__sregex_test(re, text, (size_t)sqlite3_value_bytes(argv[1])) : 0;
	if (hit < 0) {
		sqlite3_result_error(
		    ctx,
		    "the regular expression needs too much work on one sentence "
		    "(simplify it: nested repeats like (a+)+ backtrack without end)",
		    -1);
		sqlite3_result_error_code(ctx, SQLITE_TOOBIG);
	} else {
		sqlite3_result_int(ctx, hit);
	}
	/* last: SQLite may free re at once */
	if (fresh)
		sqlite3_set_auxdata(ctx, 0, re, (void (*)(void *))xnr__sregex_free);
}

static int past_deadline(void *arg)
{
	const struct xnr_store *s = arg;

	return s->deadline > 0 && now_s() > s->deadline;
}

void xnr__search_end(struct xnr_store *s)
{
	if (s && s->deadline > 0) {
		s->deadline = 0;
		sqlite3_progress_handler(s->db, 0, NULL, NULL);
	}
}

void xnr__search_free(struct xnr__search *b)
{
	free(b->fts);
	free(b->ids_json);
	memset(b, 0, sizeof *b);
}

/* A letter, a digit or any non-ASCII byte: what unicode61 may index. */
static int indexable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return 1;
	}
	return 0;
}

/* Append n bytes of s to out as an FTS5 string ("..." with quotes doubled). */
static size_t quoted(char *out, const char *s, size_t n)
{
	size_t i, k = 0;

	out[k++] = '"';
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			out[k++] = '"';
		out[k++] = s[i];
	}
	out[k++] = '"';
	return k;
}

char *xnr__fts_expression(const char *text, int phrase)
{
	size_t len = strlen(text), i = 0, k = 0, n;
	char *out = malloc(3 * len + 8);

	if (!out)
		return NULL;
	while (i < len) {
		const char *w = text + i, *end;
		int prefix = 0;
		if (phrase) {
			n = len;
			i = len;
		} else if (*w == ' ' || *w == '\t') {
			i++;
			continue;
		} else if (*w == '"') { /* to the next quote, or the end */
			end = strchr(++w, '"');
			n = end ? (size_t)(end - w) : len - i - 1;
			i += n + (end ? 2 : 1);
		} else {
			n = strcspn(w, " \t\"");
			i += n;
			for (; n && w[n - 1] == '*'; n--)
				prefix = 1;
		}
		if (!indexable(w, n))
			continue;
		if (k)
			out[k++] = ' ';
		k += quoted(out + k, w, n);
		if (prefix)
			out[k++] = '*';
	}
	if (!k)
		k = quoted(out, "", 0);
	out[k] = '\0';
	return out;
}

/* The run's sentences whose text the pattern q->text matches, as a JSON
 * array: one pass of the SQL function xnr_regexp over their text. */
static enum xnr_status regex_ids(struct xnr_store *s, const struct xnr_sentence_query *q,
                                 char **ids_json, struct xnr_error *err)
{
	static const char sql[] =
	    "SELECT id FROM sentences WHERE run_id = ?1 AND xnr_regexp(?2, text)";
	struct xnr__idlist ids = {NULL, 0, 0};
	sqlite3_stmt *st = NULL;
	enum xnr_status rc;
	int step;

	if (sqlite3_create_function_v2(s->db, "xnr_regexp", 2,
	                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	                               regexp_fn, NULL, NULL, NULL) != SQLITE_OK)
		return xnr__store_fail(s, err);
	if ((rc = xnr__store_prepare(s, sql, q->run, &st, err)) != XNR_OK)
		return rc;
	sqlite3_bind_text(st, 2, q->text, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (xnr__idlist_push(&ids, sqlite3_column_int64(st, 0)) != 0)
			break;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = xnr__store_fail(s, err);
	else if (step == SQLITE_ROW || !(*ids_json = xnr__ids_json(ids.v, ids.n)))
		rc = xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
	sqlite3_finalize(st);
	free(ids.v);
	return rc;
}

/* Regex and entity modes: the matching sentences into out->ids_json, from
 * the store's memo when its last such query had the same run and text. */
static enum xnr_status matching_ids(struct xnr_store *s, const struct xnr_sentence_query *q,
                                    struct xnr__search *out, struct xnr_error *err)
{
	size_t size = strlen(q->text) + 48;
	char *key = malloc(size);
	enum xnr_status st = XNR_OK;

	if (!key)
		return xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
	snprintf(key, size, "%lld %d %s", (long long)q->run, (int)q->text_mode, q->text);
	if (!s->memo_key || strcmp(s->memo_key, key) != 0) {
		free(s->memo_key);
		free(s->memo_ids);
		s->memo_key = s->memo_ids = NULL;
		st = q->text_mode == XNR_TEXT_REGEX
		         ? regex_ids(s, q, &s->memo_ids, err)
		         : xnr__entity_ids(s, q, out->fts, &s->memo_ids, err);
		if (st == XNR_OK)
			s->memo_key = key, key = NULL;
	}
	free(key);
	if (st == XNR_OK && !(out->ids_json = strdup(s->memo_ids)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
	return st;
}

enum xnr_status xnr__search_begin(struct xnr_store *s, const struct xnr_sentence_query *q,
                                  struct xnr__search *out, struct xnr_error *err)
{
	enum xnr_status st;

	memset(out, 0, sizeof *out);
	if ((st = xnr_store_text_check(q, err)) != XNR_OK)
		return st;
	if (!q->text || !q->text[0])
		return XNR_OK;
	s->deadline = now_s() + XNR_SEARCH_SECONDS;
	sqlite3_progress_handler(s->db, PROGRESS_OPS, past_deadline, s);
	if (q->text_mode != XNR_TEXT_REGEX &&
	    !(out->fts = xnr__fts_expression(q->text, q->text_mode == XNR_TEXT_ENTITY)))
		st = xnr_fail(err, XNR_ERR_NOMEM, "search: out of memory");
	else if (q->text_mode != XNR_TEXT_WORDS)
		st = matching_ids(s, q, out, err);
	if (st != XNR_OK) {
		xnr__search_free(out);
		xnr__search_end(s);
	}
	return st;
}

enum xnr_status xnr_store_text_check(const struct xnr_sentence_query *q, struct xnr_error *err)
{
	struct xnr__sregex *re = NULL;
	enum xnr_status st;

	if (!q->text || !q->text[0])
		return XNR_OK;
	if ((unsigned)q->text_mode >= XNR_TEXT_MODE_COUNT)
		return xnr_fail(err, XNR_ERR_INPUT, "search: no such text mode");
	if (strlen(q->text) > XNR_SEARCH_TEXT_MAX)
		return xnr_fail(err, XNR_ERR_INPUT, "q: at most %d bytes", XNR_SEARCH_TEXT_MAX);
	if (q->text_mode == XNR_TEXT_REGEX) {
		st = xnr__sregex_new(q->text, 0, &re, err);
		xnr__sregex_free(re);
		return st;
	}
	if (!indexable(q->text, strlen(q->text)))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "q: no letter or digit to search for (punctuation is not in the "
		                "word index; search it with a regular expression, mode=regex)");
	return XNR_OK;
}
