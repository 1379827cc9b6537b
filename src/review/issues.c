/*
 * issues.c - the ranked label issues written out for scripts and
 * spreadsheets (review.h): CSV as RFC 4180 has it (a header row, fields
 * quoted by core/csv.h) or JSON lines; each issue with the verdict a
 * reviewer gave on it, if any. The issues come from the scoring stage as
 * structs, so this file knows no table.
 */
#include <math.h>
#include <string.h>

#include "core/csv.h"
#include "review/review.h"

void xnr_review_issues_verdicts(struct xnr_issue *issues, size_t n,
                                const struct xnr_verdict *verdicts, size_t n_verdicts)
{
	for (size_t i = 0; i < n; i++) {
		const struct xnr_verdict *newest = NULL;
		for (size_t k = 0; k < n_verdicts; k++) {
			const struct xnr_verdict *v = &verdicts[k];
			if (v->state != XNR_VERDICT_CURRENT ||
			    v->sentence_id != issues[i].sentence_id || v->end <= issues[i].start ||
			    v->start >= issues[i].end)
				continue;
			if (!newest || strcmp(v->updated_at, newest->updated_at) > 0 ||
			    (strcmp(v->updated_at, newest->updated_at) == 0 && v->id > newest->id))
				newest = v;
		}
		issues[i].verdict = newest ? xnr_verdict_kind_name(newest->kind) : NULL;
	}
}

/* A CSV field (core/csv.h); NULL is an empty one. */
static void csv_field(FILE *out, const char *s)
{
	xnr_csv_field(out, s, s ? strlen(s) : 0);
}

static void csv_real(FILE *out, double x)
{
	if (!isnan(x))
		fprintf(out, "%.6g", x);
}

static void csv_header(FILE *out, const struct xnr_issue *first)
{
	fputs("rank,level,sentence,start,end,source_line,source_id,text,gold,pred,kind,suggested,"
	      "score",
	      out);
	for (size_t k = 0; first && k < first->n_signals; k++) {
		fputc(',', out);
		csv_field(out, first->signals[k].name);
	}
	fputs(",verdict,sentence_text\r\n", out);
}

static void csv_row(FILE *out, const struct xnr_issue *e)
{
	fprintf(out, "%lld,", (long long)e->rank);
	csv_field(out, e->level);
	fprintf(out, ",%lld,%d,%d,%ld,", (long long)e->sentence_id, e->start, e->end,
	        e->source_line);
	csv_field(out, e->source_id);
	fputc(',', out);
	csv_field(out, e->text);
	fputc(',', out);
	csv_field(out, e->gold);
	fputc(',', out);
	csv_field(out, e->pred);
	fputc(',', out);
	csv_field(out, e->kind);
	fputc(',', out);
	csv_field(out, e->suggested);
	fputc(',', out);
	csv_real(out, e->score);
	for (size_t k = 0; k < e->n_signals; k++) {
		fputc(',', out);
		csv_real(out, e->signals[k].value);
	}
	fputc(',', out);
	csv_field(out, e->verdict);
	fputc(',', out);
	csv_field(out, e->sentence_text);
	fputs("\r\n", out);
}

static json_t *real_or_null(double x)
{
	return isnan(x) || isinf(x) ? json_null() : json_real(x);
}

static json_t *issue_json(const struct xnr_issue *e)
{
	json_t *signals = json_object();

	for (size_t k = 0; signals && k < e->n_signals; k++)
		if (json_object_set_new(signals, e->signals[k].name,
		                        real_or_null(e->signals[k].value)) != 0) {
			json_decref(signals);
			return NULL;
		}
	return json_pack(
	    "{s:I,s:s,s:I,s:i,s:i,s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:o,s:o,s:s?,s:s?}", "rank",
	    (json_int_t)e->rank, "level", e->level, "sentence", (json_int_t)e->sentence_id, "start",
	    e->start, "end", e->end, "source_line", (json_int_t)e->source_line, "source_id",
	    e->source_id, "text", e->text, "gold", e->gold, "pred", e->pred, "kind", e->kind,
	    "suggested", e->suggested, "score", real_or_null(e->score), "signals", signals,
	    "verdict", e->verdict, "sentence_text", e->sentence_text);
}

/* XNR_ERR_INPUT unless every issue has the first one's signals, in order. */
static enum xnr_status check_signals(const struct xnr_issue *issues, size_t n,
                                     struct xnr_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int same = issues[i].n_signals == issues[0].n_signals && issues[i].level;
		for (size_t k = 0; same && k < issues[i].n_signals; k++)
			same = issues[i].signals[k].name && issues[0].signals[k].name &&
			       strcmp(issues[i].signals[k].name, issues[0].signals[k].name) == 0;
		if (!same) {
			xnr_fail(err, XNR_ERR_INPUT,
			         "issues: issue %zu has no level or other signals than the first "
			         "(every issue needs the same signals, in the same order)",
			         i + 1);
			xnr_error_set_item(err, (long)i + 1);
			return XNR_ERR_INPUT;
		}
	}
	return XNR_OK;
}

enum xnr_status xnr_review_write_issues(const struct xnr_issue *issues, size_t n,
                                        enum xnr_issues_format format, FILE *out,
                                        struct xnr_error *err)
{
	enum xnr_status st = check_signals(issues, n, err);

	if (st != XNR_OK)
		return st;
	if (format == XNR_ISSUES_CSV)
		csv_header(out, n ? &issues[0] : NULL);
	for (size_t i = 0; i < n; i++) {
		json_t *j;
		if (format == XNR_ISSUES_CSV) {
			csv_row(out, &issues[i]);
			continue;
		}
		if (!(j = issue_json(&issues[i])))
			return xnr_fail(err, XNR_ERR_NOMEM, "issues: out of memory");
		json_dumpf(j, out, JSON_COMPACT | JSON_REAL_PRECISION(6));
		fputc('\n', out);
		json_decref(j);
	}
	if (fflush(out) != 0 || ferror(out))
		return xnr_fail(err, XNR_ERR_IO, "issues: write error");
	return XNR_OK;
}
