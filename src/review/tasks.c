/*
 * tasks.c - a run's sentences as tasks for re-annotation (review.h), in
 * the formats the tools import today:
 *   Label Studio: the import JSON, a list of tasks {"data": {"text"},
 *     "annotations": [{"result"}], "predictions": [{"model_version",
 *     "score", "result"}]}, each result a "labels" region with character
 *     offsets "start"/"end", "text" and "labels" (labelstud.io/guide/
 *     predictions); the labeling config names them <Labels name="label"
 *     toName="text"> over <Text name="text" value="$text">.
 *   Argilla 2.x: records as the dicts `dataset.records.log` takes (keys =
 *     field and question names; docs.argilla.io, "Add, update, and delete
 *     records" and rg.Suggestion), one JSON object a line: fields "text"
 *     and "gold", the span question "entities" with its suggestion, a list
 *     of {"start", "end", "label"}, and "score"/"agent" to map as
 *     entities.suggestion.score / .agent.
 *   spaCy: the JSON training format (spacy.io/api/data-formats#json-input)
 *     that `python -m spacy convert FILE.json .` turns into a DocBin: one
 *     doc per sentence, tokens with "orth" and a BILUO "ner".
 * Spans are decoded as conlleval reads tags (via IOB2, data/scheme.h);
 * offsets count code points over the words joined by single spaces.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/scheme.h"
#include "review/review.h"
#include "store/read.h"

static const char *const format_names[XNR_TASKS_FORMAT_COUNT] = {"label-studio", "argilla",
                                                                 "spacy"};

int xnr_tasks_format_parse(const char *name, enum xnr_tasks_format *out)
{
	for (int f = 0; name && f < XNR_TASKS_FORMAT_COUNT; f++)
		if (strcmp(name, format_names[f]) == 0) {
			*out = (enum xnr_tasks_format)f;
			return 0;
		}
	return -1;
}

/* An entity: words [start, end) of type (len bytes, not NUL-terminated). */
struct span {
	int start, end;
	const char *type;
	size_t type_len;
};

/* One sentence being written. */
struct sent {
	int64_t id;
	long line;
	char *source_id, *text;
	int n;        /* words */
	char **words; /* (n) owned copies */
	int *offset;  /* (n + 1) code point where word i starts; [n]: text length + 1 */
	size_t *byte; /* (n + 1) the same in bytes */
	const char **gold, **pred, **fixed; /* (n) label names: gold, prediction, corrected gold */
	double score;                       /* mean probability of the predictions; NaN: none */
	int corrected;                      /* a current label_error verdict covers it */
	struct xnr_tag *tags, *iob2;        /* (n) scratch */
	struct span *spans;                 /* (n) scratch */
};

/* What the whole export shares. */
struct tasks {
	struct xnr_run run;
	const struct xnr_verdict *v; /* current label errors, by sentence, then time */
	size_t n_v, next_v;
	enum xnr_tasks_format format;
	FILE *out;
	size_t n_written;
	char model_version[64];
};

static void sent_clear(struct sent *s)
{
	for (int i = 0; s->words && i < s->n; i++)
		free(s->words[i]);
	free(s->words);
	free(s->source_id);
	free(s->text);
	free(s->offset);
	free(s->byte);
	free(s->gold);
	free(s->pred);
	free(s->fixed);
	free(s->tags);
	free(s->iob2);
	free(s->spans);
	memset(s, 0, sizeof *s);
}

static size_t code_points(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The entities of tags names[0..n) into s->spans; their count. */
static int decode(struct sent *s, const char *const *names)
{
	int n = 0;

	for (int i = 0; i < s->n; i++)
		if (!names[i] || xnr_tag_parse(names[i], strlen(names[i]), &s->tags[i]) != 0)
			s->tags[i] = (struct xnr_tag){'O', "", 0};
	xnr_scheme_convert(XNR_SCHEME_IOB2, s->tags, (size_t)s->n, s->iob2);
	for (int i = 0; i < s->n; i++) {
		if (s->iob2[i].prefix == 'B') {
			s->spans[n++] =
			    (struct span){i, i + 1, s->iob2[i].type, s->iob2[i].type_len};
		} else if (s->iob2[i].prefix == 'I' && n > 0 && s->spans[n - 1].end == i) {
			s->spans[n - 1].end = i + 1;
		}
	}
	return n;
}

/* Room for n words in s. */
static int sent_alloc(struct sent *s, int n)
{
	size_t k = (size_t)n + 1;

	s->words = calloc(k, sizeof *s->words);
	s->offset = calloc(k, sizeof *s->offset);
	s->byte = calloc(k, sizeof *s->byte);
	s->gold = calloc(k, sizeof *s->gold);
	s->pred = calloc(k, sizeof *s->pred);
	s->fixed = calloc(k, sizeof *s->fixed);
	s->tags = calloc(k, sizeof *s->tags);
	s->iob2 = calloc(k, sizeof *s->iob2);
	s->spans = calloc(k, sizeof *s->spans);
	return s->words && s->offset && s->byte && s->gold && s->pred && s->fixed && s->tags &&
	               s->iob2 && s->spans
	           ? 0
	           : -1;
}

/* The run's words, walked alongside its sentences (both in id order). */
struct word_walk {
	struct xnr_rows *rows;
	struct xnr_word_row row;
	int more;
};

/* Sentence row r with its words from w into s. */
static enum xnr_status load_sentence(struct tasks *t, const struct xnr_sentence_row *r,
                                     struct word_walk *w, struct sent *s, struct xnr_error *err)
{
	double sum = 0.0;
	int n_prob = 0;
	enum xnr_status st = XNR_OK;

	s->id = r->id;
	s->line = r->source_line;
	s->n = r->n_words > 0 ? r->n_words : 0;
	if (sent_alloc(s, s->n) != 0 || !(s->text = strdup(r->text ? r->text : "")) ||
	    (r->source_id && !(s->source_id = strdup(r->source_id))))
		return xnr_fail(err, XNR_ERR_NOMEM, "tasks: out of memory");
	while (w->more && w->row.sentence_id < r->id &&
	       (st = xnr_rows_word(w->rows, &w->row, &w->more, err)) == XNR_OK)
		;
	for (; st == XNR_OK && w->more && w->row.sentence_id == r->id;
	     st = xnr_rows_word(w->rows, &w->row, &w->more, err)) {
		int i = w->row.idx;
		if (i < 0 || i >= s->n)
			continue;
		if (!(s->words[i] = strdup(w->row.text ? w->row.text : "")))
			return xnr_fail(err, XNR_ERR_NOMEM, "tasks: out of memory");
		s->gold[i] = s->fixed[i] = xnr_run_label_name(&t->run, w->row.gold);
		s->pred[i] = xnr_run_label_name(&t->run, w->row.pred);
		if (!isnan(w->row.prob_pred)) {
			sum += w->row.prob_pred;
			n_prob++;
		}
	}
	s->score = n_prob ? sum / n_prob : NAN;
	for (int i = 0; i < s->n; i++) {
		if (!s->words[i] && !(s->words[i] = strdup("")))
			return xnr_fail(err, XNR_ERR_NOMEM, "tasks: out of memory");
		s->offset[i + 1] = s->offset[i] + (int)code_points(s->words[i]) + 1;
		s->byte[i + 1] = s->byte[i] + strlen(s->words[i]) + 1;
	}
	return st;
}

/* Lay the current label errors on sentence s over its gold labels. */
static void correct(struct tasks *t, struct sent *s)
{
	while (t->next_v < t->n_v && t->v[t->next_v].sentence_id < s->id)
		t->next_v++;
	for (; t->next_v < t->n_v && t->v[t->next_v].sentence_id == s->id; t->next_v++) {
		const struct xnr_verdict *v = &t->v[t->next_v];
		for (int i = v->start; i < v->end && i < s->n; i++)
			s->fixed[i] = v->labels[i - v->start];
		s->corrected = 1;
	}
}

static int cmp_verdict(const void *a, const void *b)
{
	const struct xnr_verdict *x = a, *y = b;
	int c;

	if (x->sentence_id != y->sentence_id)
		return x->sentence_id < y->sentence_id ? -1 : 1;
	if ((c = strcmp(x->updated_at, y->updated_at)) != 0)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Keep the current label errors of list, sorted for correct(). */
static size_t keep_corrections(struct xnr_verdict *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == XNR_VERDICT_LABEL_ERROR && v[i].state == XNR_VERDICT_CURRENT) {
			struct xnr_verdict keep = v[i];
			v[i] = v[k];
			v[k++] = keep;
		}
	}
	qsort(v, k, sizeof *v, cmp_verdict);
	return k;
}

/* ---- the three formats ---- */

/* Span k of s as a JSON string of its text. */
static json_t *span_text(const struct sent *s, const struct span *p)
{
	size_t from = s->byte[p->start], to = s->byte[p->end] - 1;

	return to <= strlen(s->text) ? json_stringn(s->text + from, to - from) : json_string("");
}

/* The spans of names as Label Studio regions (prefix: region ids). */
static json_t *ls_result(struct sent *s, const char *const *names, char prefix)
{
	json_t *a = json_array();
	int n = decode(s, names);

	for (int k = 0; a && k < n; k++) {
		const struct span *p = &s->spans[k];
		char id[48];
		snprintf(id, sizeof id, "%c%lld-%d", prefix, (long long)s->id, k);
		if (json_array_append_new(
		        a,
		        json_pack("{s:s,s:s,s:s,s:s,s:{s:i,s:i,s:o,s:[s%]}}", "id", id, "from_name",
		                  "label", "to_name", "text", "type", "labels", "value", "start",
		                  s->offset[p->start], "end", s->offset[p->end] - 1, "text",
		                  span_text(s, p), "labels", p->type, p->type_len)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The spans of names as Argilla span values {"start", "end", "label"}. */
static json_t *argilla_spans(struct sent *s, const char *const *names)
{
	json_t *a = json_array();
	int n = decode(s, names);

	for (int k = 0; a && k < n; k++) {
		const struct span *p = &s->spans[k];
		if (json_array_append_new(
		        a, json_pack("{s:i,s:i,s:s%}", "start", s->offset[p->start], "end",
		                     s->offset[p->end] - 1, "label", p->type, p->type_len)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The gold spans as a line a person reads: "Angela Merkel (PER), Paris (LOC)". */
static json_t *gold_line(struct sent *s)
{
	int n = decode(s, s->gold);
	size_t cap = strlen(s->text) + 16 * (size_t)n + 8, len = 0;
	char *buf = malloc(cap);
	json_t *j;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	for (int k = 0; k < n; k++) {
		const struct span *p = &s->spans[k];
		len += (size_t)snprintf(buf + len, cap - len, "%s%.*s (%.*s)", k ? ", " : "",
		                        (int)(s->byte[p->end] - 1 - s->byte[p->start]),
		                        s->text + s->byte[p->start], (int)p->type_len, p->type);
		if (len >= cap)
			len = cap - 1;
	}
	j = json_string(n ? buf : "(no entities)");
	free(buf);
	return j;
}

static json_t *label_studio_task(const struct tasks *t, struct sent *s)
{
	const char *const *suggestion = s->corrected ? s->fixed : s->pred;
	json_t *pred = json_pack("{s:s,s:o}", "model_version",
	                         s->corrected ? "explainer verdicts" : t->model_version, "result",
	                         ls_result(s, suggestion, 'p'));

	if (pred && !s->corrected && !isnan(s->score))
		json_object_set_new(pred, "score", json_real(s->score));
	return json_pack("{s:{s:s,s:I,s:I,s:I,s:s?},s:[{s:o}],s:[o]}", "data", "text", s->text,
	                 "run", (json_int_t)t->run.id, "sentence", (json_int_t)s->id, "source_line",
	                 (json_int_t)s->line, "source_id", s->source_id, "annotations", "result",
	                 ls_result(s, s->gold, 'g'), "predictions", pred);
}

static json_t *argilla_record(const struct tasks *t, struct sent *s)
{
	char id[48];
	json_t *r;

	snprintf(id, sizeof id, "run%lld-s%lld", (long long)t->run.id, (long long)s->id);
	r = json_pack("{s:s,s:s,s:o,s:o,s:s,s:I,s:I}", "id", id, "text", s->text, "gold",
	              gold_line(s), "entities", argilla_spans(s, s->corrected ? s->fixed : s->pred),
	              "agent", s->corrected ? "explainer verdicts" : t->model_version, "sentence",
	              (json_int_t)s->id, "source_line", (json_int_t)s->line);
	if (r && !isnan(s->score) && !s->corrected)
		json_object_set_new(r, "score", json_real(s->score));
	return r;
}

/* BILUO tags of the corrected gold: a doc of one paragraph and sentence. */
static json_t *spacy_doc(struct sent *s)
{
	json_t *tokens = json_array();
	int n = decode(s, s->fixed), k = 0;

	for (int i = 0; tokens && i < s->n; i++) {
		char ner[300];
		const struct span *p = k < n ? &s->spans[k] : NULL;
		if (!p || i < p->start)
			strcpy(ner, "O");
		else
			snprintf(ner, sizeof ner, "%c-%.*s",
			         p->end - p->start == 1 ? 'U'
			         : i == p->start        ? 'B'
			         : i == p->end - 1      ? 'L'
			                                : 'I',
			         (int)p->type_len, p->type);
		if (p && i == p->end - 1)
			k++;
		if (json_array_append_new(tokens, json_pack("{s:i,s:s,s:s}", "id", i, "orth",
		                                            s->words[i], "ner", ner)) != 0) {
			json_decref(tokens);
			return NULL;
		}
	}
	return json_pack("{s:I,s:[{s:s,s:[{s:o}]}]}", "id", (json_int_t)s->id, "paragraphs", "raw",
	                 s->text, "sentences", "tokens", tokens);
}

static enum xnr_status write_task(struct tasks *t, struct sent *s, struct xnr_error *err)
{
	json_t *j = t->format == XNR_TASKS_LABEL_STUDIO ? label_studio_task(t, s)
	            : t->format == XNR_TASKS_ARGILLA    ? argilla_record(t, s)
	                                                : spacy_doc(s);
	int lined = t->format == XNR_TASKS_ARGILLA;

	if (!j)
		return xnr_fail(err, XNR_ERR_NOMEM, "tasks: out of memory");
	if (!lined)
		fputs(t->n_written ? ",\n" : "[\n", t->out);
	json_dumpf(j, t->out, JSON_COMPACT | JSON_REAL_PRECISION(6));
	if (lined)
		fputc('\n', t->out);
	json_decref(j);
	t->n_written++;
	return ferror(t->out) ? xnr_fail(err, XNR_ERR_IO, "tasks: write error") : XNR_OK;
}

/* Every selected sentence, with its words, through write_task. */
static enum xnr_status write_all(struct xnr_store *st, struct tasks *t, int only_errors,
                                 struct xnr_error *err)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(t->run.id);
	struct xnr_word_query wq = xnr_word_query_default(t->run.id);
	struct xnr_rows *sr = NULL;
	struct word_walk w = {NULL, {0}, 1};
	struct xnr_sentence_row r;
	enum xnr_status rc;
	int more = 1;

	q.sort = XNR_SENT_BY_ID;
	q.ascending = 1;
	q.with_errors = only_errors;
	if ((rc = xnr_store_sentences(st, &q, &sr, err)) != XNR_OK ||
	    (rc = xnr_store_words(st, &wq, &w.rows, err)) != XNR_OK ||
	    (rc = xnr_rows_word(w.rows, &w.row, &w.more, err)) != XNR_OK)
		goto done;
	while ((rc = xnr_rows_sentence(sr, &r, &more, err)) == XNR_OK && more) {
		struct sent s;
		memset(&s, 0, sizeof s);
		if ((rc = load_sentence(t, &r, &w, &s, err)) == XNR_OK) {
			correct(t, &s);
			rc = write_task(t, &s, err);
		}
		sent_clear(&s);
		if (rc != XNR_OK)
			break;
	}
	if (rc == XNR_OK && t->format != XNR_TASKS_ARGILLA)
		fputs(t->n_written ? "\n]\n" : "[]\n", t->out);
done:
	xnr_rows_close(sr);
	xnr_rows_close(w.rows);
	return rc;
}

enum xnr_status xnr_review_export_tasks(struct xnr_store *s, int64_t run,
                                        enum xnr_tasks_format format, int only_errors, FILE *out,
                                        size_t *n_tasks, struct xnr_error *err)
{
	struct xnr_verdict *v = NULL;
	struct tasks t;
	size_t n_v = 0;
	enum xnr_status rc;

	memset(&t, 0, sizeof t);
	t.format = format;
	t.out = out;
	if ((rc = xnr_store_run_get(s, run, &t.run, err)) == XNR_OK &&
	    (rc = xnr_store_verdicts(s, run, -1, &v, &n_v, err)) == XNR_OK) {
		t.v = v;
		t.n_v = keep_corrections(v, n_v);
		snprintf(t.model_version, sizeof t.model_version, "explainer run %lld",
		         (long long)run);
		rc = write_all(s, &t, only_errors, err);
	}
	if (rc == XNR_OK && fflush(out) != 0)
		rc = xnr_fail(err, XNR_ERR_IO, "tasks: write error");
	if (rc == XNR_OK)
		*n_tasks = t.n_written;
	xnr_verdicts_free(v, n_v);
	xnr_run_free(&t.run);
	return rc;
}
