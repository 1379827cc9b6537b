/*
 * rewrite.c - a dataset file copied with some tags replaced (rewrite.h).
 * The file is mapped and walked line by line exactly as the readers walk
 * it (lines end at "\n", "\r\n" or a lone "\r", as core/lines.h has it,
 * and a BOM on the first line is not content); an untouched line is copied
 * as its bytes, and every line keeps its own ending. On a line
 * with an edit, CoNLL splits the columns as conll.c does and swaps the tag
 * column's bytes; JSONL scans the object (already validated by jansson
 * when the dataset was read) for the "ner_tags" (or "tags") array and
 * swaps the word's element. A word whose text is not where the dataset
 * says it is means the file changed since it was read: XNR_ERR_MISMATCH.
 */
#include "data/rewrite.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "data/internal.h"

/* An edit placed in the file: its line, and the word's index on that line
 * (0 in CoNLL, its token index in JSONL). */
struct placed {
	long line;
	size_t item, word;
	const char *tag;
};

static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

/* The sentence holding word w (sentences are ranges in word order). */
static const struct xnr_sentence *sentence_of(const struct xnr_dataset *ds, size_t w)
{
	size_t lo = 0, hi = ds->n_sentences;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ds->sentences[mid].first_word <= w)
			lo = mid;
		else
			hi = mid;
	}
	return &ds->sentences[lo];
}

static enum xnr_status place_edits(const struct xnr_dataset *ds, const struct xnr_tag_edit *edits,
                                   size_t n, struct placed *out, struct xnr_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *t = edits[i].tag;
		size_t w = edits[i].word;
		if (w >= ds->n_words)
			return xnr_fail(err, XNR_ERR_INPUT, "%s: no word %zu (it has %zu)",
			                ds->path, w, ds->n_words);
		if (!t || !t[0] || strpbrk(t, " \t\r\n"))
			return xnr_fail(err, XNR_ERR_INPUT,
			                "%s: \"%s\" cannot be a tag (one column, no spaces)",
			                ds->path, t ? t : "");
		out[i].word = w;
		out[i].tag = t;
		if (ds->format == XNR_DATA_JSONL) {
			const struct xnr_sentence *s = sentence_of(ds, w);
			out[i].line = s->line;
			out[i].item = w - s->first_word;
		} else {
			out[i].line = ds->word_lines[w];
			out[i].item = 0;
		}
	}
	qsort(out, n, sizeof *out, cmp_placed);
	for (size_t i = 1; i < n; i++)
		if (out[i].word == out[i - 1].word)
			return xnr_fail(err, XNR_ERR_INPUT, "%s:%ld: word %zu is edited twice",
			                ds->path, out[i].line, out[i].word);
	return XNR_OK;
}

/* ---- CoNLL ---- */

static enum xnr_status conll_line(const struct xnr_dataset *ds, const struct xnr_data_params *p,
                                  const char *s, size_t len, const struct placed *e, FILE *out,
                                  struct xnr_error *err)
{
	const char *word = ds->words[e->word];
	struct xnr__conll_cols c;

	xnr__conll_split(s, len, p->tag_column, &c);
	if (!c.first || !c.tag || c.first_len != strlen(word) ||
	    memcmp(c.first, word, c.first_len) != 0)
		return xnr_fail_at(err, XNR_ERR_MISMATCH, ds->path, e->line,
		                   "the word \"%.64s\" is no longer here (the file changed since "
		                   "it was read)",
		                   word);
	fwrite(s, 1, (size_t)(c.tag - s), out);
	fputs(e->tag, out);
	fwrite(c.tag + c.tag_len, 1, len - (size_t)(c.tag + c.tag_len - s), out);
	return XNR_OK;
}

/* ---- JSONL ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Past the string starting at p ('"'), or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Past the value starting at p, or NULL. Nesting is counted, not recursed. */
static const char *skip_value(const char *p, const char *end)
{
	size_t depth = 0;

	do {
		if (p >= end)
			return NULL;
		if (*p == '"') {
			if (!(p = skip_string(p, end)))
				return NULL;
			continue;
		}
		if (*p == '[' || *p == '{')
			depth++;
		else if (*p == ']' || *p == '}')
			depth--;
		else if (depth == 0) {
			while (p < end && !strchr(",]} \t\r\n", *p))
				p++;
			return p;
		}
		p++;
	} while (depth > 0);
	return p;
}

/* 1 if the JSON string token [p, q) decodes to name. */
static int key_is(const char *p, const char *q, const char *name)
{
	size_t n = (size_t)(q - p) - 2;
	json_t *j;
	int same;

	if (!memchr(p + 1, '\\', n))
		return n == strlen(name) && memcmp(p + 1, name, n) == 0;
	j = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY, NULL);
	same = json_is_string(j) && strcmp(json_string_value(j), name) == 0;
	json_decref(j);
	return same;
}

/* The value of key `name` in the object in [s, end), or NULL. */
static const char *find_key(const char *s, const char *end, const char *name)
{
	const char *p = skip_ws(s, end), *found = NULL;

	if (p >= end || *p != '{')
		return NULL;
	for (p = skip_ws(p + 1, end); p < end && *p == '"';) {
		const char *k = p, *v;
		if (!(p = skip_string(p, end)) || (p = skip_ws(p, end)) >= end || *p != ':')
			return NULL;
		v = skip_ws(p + 1, end);
		if (!found && key_is(k, p, name))
			found = v;
		if (!(p = skip_value(v, end)))
			return NULL;
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	return found;
}

/* Element item of the array at a: [*at, *at_end). -1 when it has none. */
static int array_element(const char *a, const char *end, size_t item, const char **at,
                         const char **at_end)
{
	const char *p = a + 1;

	for (size_t i = 0;; i++) {
		const char *q;
		p = skip_ws(p, end);
		if (p >= end || *p == ']' || !(q = skip_value(p, end)))
			return -1;
		if (i == item) {
			*at = p;
			*at_end = q;
			return 0;
		}
		p = skip_ws(q, end);
		if (p >= end || *p != ',')
			return -1;
		p++;
	}
}

/* 1 if the JSON value [p, q) is the string word. */
static int token_is(const char *p, const char *q, const char *word)
{
	json_t *j = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY, NULL);
	int same = json_is_string(j) && json_string_length(j) == strlen(word) &&
	           memcmp(json_string_value(j), word, strlen(word)) == 0;

	json_decref(j);
	return same;
}

/* The new element for a tag: a JSON string, or its id in labels when the
 * old element is a number. */
static enum xnr_status element_text(const struct xnr_dataset *ds, const struct xnr_labels *labels,
                                    const char *old, const struct placed *e, char *buf, size_t size,
                                    char **heap, struct xnr_error *err)
{
	json_t *j;

	if (*old == '-' || (*old >= '0' && *old <= '9')) {
		int32_t id = labels ? xnr_labels_find(labels, e->tag, strlen(e->tag)) : -1;
		if (id < 0)
			return xnr_fail_at(
			    err, XNR_ERR_INPUT, ds->path, e->line,
			    "the tags are ids, and \"%s\" is not in --labels (add it "
			    "to the list)",
			    e->tag);
		snprintf(buf, size, "%d", (int)id);
		return XNR_OK;
	}
	j = json_string(e->tag);
	*heap = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	json_decref(j);
	return *heap ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", ds->path);
}

/* Line s (len bytes) with the n edits e (all of this line, by item). */
static enum xnr_status jsonl_line(const struct xnr_dataset *ds, const struct xnr_labels *labels,
                                  const char *s, size_t len, const struct placed *e, size_t n,
                                  FILE *out, struct xnr_error *err)
{
	const char *end = s + len, *done = s, *a = find_key(s, end, "ner_tags");
	const char *toks = find_key(s, end, "tokens");
	enum xnr_status st = XNR_OK;

	if (!a)
		a = find_key(s, end, "tags");
	for (size_t i = 0; i < n && st == XNR_OK; i++) {
		const char *at, *at_end, *w, *w_end;
		char num[16], *heap = NULL;
		if (!a || *a != '[' || !toks || *toks != '[' ||
		    array_element(a, end, e[i].item, &at, &at_end) != 0 ||
		    array_element(toks, end, e[i].item, &w, &w_end) != 0 ||
		    !token_is(w, w_end, ds->words[e[i].word]))
			return xnr_fail_at(
			    err, XNR_ERR_MISMATCH, ds->path, e[i].line,
			    "token %zu is no longer \"%.64s\" (the file changed since "
			    "it was read)",
			    e[i].item + 1, ds->words[e[i].word]);
		st = element_text(ds, labels, at, &e[i], num, sizeof num, &heap, err);
		if (st == XNR_OK) {
			fwrite(done, 1, (size_t)(at - done), out);
			fputs(heap ? heap : num, out);
			done = at_end;
		}
		free(heap);
	}
	fwrite(done, 1, (size_t)(end - done), out);
	return st;
}

/* ---- the walk ---- */

struct walk {
	const struct xnr_dataset *ds;
	const struct xnr_data_params *p;
	const struct xnr_labels *labels; /* JSONL ids, or NULL */
	const struct placed *e;
	size_t n;
	FILE *out;
};

/* The line at pos: *stop is the end of its content, *next the start of the
 * next line, past its "\n", "\r\n" or lone "\r" (core/lines.h). */
static void line_at(const char *data, size_t size, size_t pos, size_t *stop, size_t *next)
{
	size_t i = pos;

	while (i < size && data[i] != '\n' && data[i] != '\r')
		i++;
	*stop = i;
	*next = i + (i < size) + (i + 1 < size && data[i] == '\r' && data[i + 1] == '\n');
}

/* Copy the map to out, rewriting the lines with edits. */
static enum xnr_status walk(const struct walk *w, const char *data, size_t size,
                            struct xnr_error *err)
{
	size_t pos = 0, k = 0, stop, next, begin;
	long line = 0;

	for (; pos < size; pos = next) {
		enum xnr_status st = XNR_OK;

		line_at(data, size, pos, &stop, &next);
		begin = pos;
		if (++line == 1 && stop >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
			fwrite(data, 1, 3, w->out);
			begin += 3;
		}
		if (k < w->n && w->e[k].line == line) {
			size_t j = k;
			while (j < w->n && w->e[j].line == line)
				j++;
			if (w->ds->format == XNR_DATA_JSONL)
				st = jsonl_line(w->ds, w->labels, data + begin, stop - begin,
				                &w->e[k], j - k, w->out, err);
			else if (j - k == 1)
				st = conll_line(w->ds, w->p, data + begin, stop - begin, &w->e[k],
				                w->out, err);
			else
				st = xnr_fail_at(err, XNR_ERR_INTERNAL, w->ds->path, line,
				                 "two words on one CoNLL line");
			if (st != XNR_OK)
				return st;
			k = j;
		} else {
			fwrite(data + begin, 1, stop - begin, w->out);
		}
		fwrite(data + stop, 1, next - stop, w->out);
	}
	if (k < w->n)
		return xnr_fail_at(err, XNR_ERR_MISMATCH, w->ds->path, w->e[k].line,
		                   "the file is shorter than when it was read (it changed)");
	return XNR_OK;
}

enum xnr_status xnr_dataset_rewrite(const struct xnr_dataset *ds,
                                    const struct xnr_data_params *params,
                                    const struct xnr_tag_edit *edits, size_t n_edits, FILE *out,
                                    struct xnr_error *err)
{
	struct xnr_data_params p = params ? *params : xnr_data_default_params();
	struct placed *e = malloc((n_edits + 1) * sizeof *e);
	struct xnr_labels labels = {0};
	struct xnr_mmap map = {0};
	struct walk w = {ds, &p, NULL, e, n_edits, out};
	enum xnr_status st;

	if (ds->format == XNR_DATA_ARROW) {
		free(e);
		return xnr_fail_at(err, XNR_ERR_UNSUPPORTED, ds->path, 0, XNR_REWRITE_SAVED_MSG);
	}
	if (!e)
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", ds->path);
	if ((st = place_edits(ds, edits, n_edits, e, err)) != XNR_OK)
		goto done;
	if (ds->format == XNR_DATA_JSONL && p.labels) {
		if ((st = xnr_labels_parse(p.labels, &labels, err)) != XNR_OK)
			goto done;
		w.labels = &labels;
	}
	if ((st = xnr_mmap_init(&map, ds->path, err)) != XNR_OK ||
	    (st = walk(&w, (const char *)map.data, map.n_bytes, err)) != XNR_OK)
		goto done;
	if (fflush(out) != 0 || ferror(out))
		st = xnr_fail(err, XNR_ERR_IO, "%s: cannot write the copy", ds->path);
done:
	xnr_mmap_free(&map);
	xnr_labels_free(&labels);
	free(e);
	return st;
}
