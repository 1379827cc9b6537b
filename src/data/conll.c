/*
 * conll.c - the CoNLL reader (CoNLL-2003 layout: "word POS chunk NER",
 * space or tab separated, a blank line between sentences, "-DOCSTART-"
 * lines between documents). The word is the first column, the tag the last
 * or params->tag_column. Lines starting with '#' are comments unless they
 * look like a word line ("# O": the same column count and a valid tag).
 * Lines are read through xnr_lines, so one is never longer than the cap.
 */
#include <stdlib.h>
#include <string.h>

#include "data/internal.h"

static int is_sep(char c)
{
	return c == ' ' || c == '\t';
}

void xnr__conll_split(const char *s, size_t len, int tag_column, struct xnr__conll_cols *c)
{
	size_t i = 0;

	memset(c, 0, sizeof *c);
	while (i < len) {
		size_t start;
		while (i < len && is_sep(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_sep(s[i]))
			i++;
		c->n++;
		if (c->n == 1) {
			c->first = s + start;
			c->first_len = i - start;
		}
		if (tag_column == 0 || c->n == (size_t)tag_column) {
			c->tag = s + start;
			c->tag_len = i - start;
		}
	}
}

static int is_comment(const struct xnr__conll_cols *c, size_t expected, int tag_column)
{
	struct xnr_tag t;

	if (c->first[0] != '#')
		return 0;
	if (c->n < 2 || (expected && c->n != expected) || (size_t)tag_column > c->n)
		return 1;
	return xnr_tag_parse(c->tag, c->tag_len, &t) != 0;
}

static enum xnr_status word_line(struct xnr_dataset *ds, const struct xnr__conll_cols *c,
                                 size_t *expected, long line, const struct xnr_data_params *p,
                                 struct xnr_error *err)
{
	struct xnr_tag t;
	int32_t id;
	enum xnr_status st;

	if (*expected == 0) {
		if (c->n < 2)
			return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
			                   "1 column, expected a word and a tag (separate the "
			                   "columns with a space or tab)");
		if ((size_t)p->tag_column > c->n)
			return xnr_fail_at(
			    err, XNR_ERR_FORMAT, ds->path, line,
			    "%zu columns, but --tag-column is %d (give a column between 2 and %zu)",
			    c->n, p->tag_column, c->n);
		*expected = c->n;
	}
	if (c->n != *expected)
		return xnr_fail_at(err, XNR_ERR_FORMAT, ds->path, line,
		                   "%zu column%s, expected %zu (every word line needs the same "
		                   "columns; use --tag-column)",
		                   c->n, c->n == 1 ? "" : "s", *expected);
	if (xnr_tag_parse(c->tag, c->tag_len, &t) != 0 || c->tag_len > XNR_LABEL_MAX_BYTES)
		return xnr_fail_at(
		    err, XNR_ERR_FORMAT, ds->path, line,
		    "\"%.*s\" is not a tag (tags are O, or B-, I-, E-, S-, L-, U- and a type, as "
		    "B-PER; use --tag-column N if the tags are in column N)",
		    (int)(c->tag_len > 64 ? 64 : c->tag_len), c->tag);
	st = xnr_labels_add(&ds->labels, c->tag, c->tag_len, &id, ds->path, err);
	if (st != XNR_OK)
		return st;
	return xnr__ds_word(ds, c->first, c->first_len, id, line, p, err);
}

/* What the reader carries from line to line. */
struct conll_read {
	struct xnr_dataset *ds;
	const struct xnr_data_params *p;
	size_t expected; /* columns of a word line; 0 until the first */
};

static enum xnr_status one_line(void *ctx, const char *s, size_t len, long line,
                                struct xnr_error *err)
{
	struct conll_read *r = ctx;
	struct xnr__conll_cols c;
	enum xnr_status st = xnr__utf8_check(s, len, r->ds->path, line, err);

	if (st != XNR_OK)
		return st;
	xnr__conll_split(s, len, r->p->tag_column, &c);
	if (c.n == 0)
		return xnr__ds_sentence(r->ds, line, NULL, err);
	if (c.first_len == 10 && memcmp(c.first, "-DOCSTART-", 10) == 0) {
		st = xnr__ds_sentence(r->ds, line, NULL, err);
		return st != XNR_OK ? st : xnr__ds_document(r->ds, line, err);
	}
	if (is_comment(&c, r->expected, r->p->tag_column))
		return XNR_OK;
	return word_line(r->ds, &c, &r->expected, line, r->p, err);
}

static enum xnr_status at_end(void *ctx, long n_lines, struct xnr_error *err)
{
	const struct conll_read *r = ctx;
	return xnr__ds_sentence(r->ds, n_lines, NULL, err);
}

enum xnr_status xnr__conll_reader(struct xnr_dataset *ds, const struct xnr_data_params *p,
                                  struct xnr__reader *out, struct xnr_error *err)
{
	struct conll_read *r;

	if (p->tag_column < 0 || p->tag_column == 1)
		return xnr_fail(
		    err, XNR_ERR_INPUT,
		    "--tag-column %d: the tag column must be 2 or more (column 1 is the "
		    "word)",
		    p->tag_column);
	if (!(r = calloc(1, sizeof *r)))
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, 0, "out of memory");
	r->ds = ds;
	r->p = p;
	out->line = one_line;
	out->end = at_end;
	out->ctx = r;
	return XNR_OK;
}
