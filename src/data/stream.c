/*
 * stream.c - a dataset file read a chunk of sentences at a time
 * (xnr_dataset_stream_*, dataset.h): the readers of conll.c and jsonl.c fed
 * line by line into one dataset that is emptied before each chunk, so memory
 * holds one chunk's words, whatever the size of the file. A second pass
 * rewinds the file; labels keep their ids from pass to pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/lines.h"
#include "data/dataset.h"
#include "data/internal.h"

struct xnr_dataset_stream {
	struct xnr_data_params p; /* params with its strings borrowed from the caller */
	struct xnr_dataset *ds;   /* the chunk */
	struct xnr__reader rd;
	FILE *f;
	struct xnr_lines lr;
	int at_end;         /* the last line and the reader's end are done */
	enum xnr_status st; /* the first failure; the stream stays failed */
};

enum xnr_status xnr_dataset_stream_open(const char *path, const struct xnr_data_params *params,
                                        struct xnr_dataset_stream **out, struct xnr_error *err)
{
	struct xnr_dataset_stream *s = calloc(1, sizeof *s);
	enum xnr_status st;

	if (!s)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	s->p = params ? *params : xnr_data_default_params();
	if ((st = xnr__dataset_resolve(path, &s->p, &s->ds, err)) != XNR_OK)
		goto fail;
	if (!(s->ds->chunking = calloc(1, sizeof *s->ds->chunking))) {
		st = xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
		goto fail;
	}
	if ((st = xnr__reader_open(s->ds, &s->p, &s->rd, err)) != XNR_OK ||
	    (st = xnr_file_fopen(s->ds->path, &s->f, err)) != XNR_OK)
		goto fail;
	xnr_lines_init(&s->lr, s->f, s->ds->path, s->p.max_line_bytes);
	*out = s;
	return XNR_OK;
fail:
	xnr_dataset_stream_close(s);
	return st;
}

void xnr_dataset_stream_close(struct xnr_dataset_stream *s)
{
	if (!s)
		return;
	if (s->f) {
		xnr_lines_free(&s->lr);
		fclose(s->f);
	}
	free(s->rd.ctx);
	xnr_dataset_close(s->ds);
	free(s);
}

void xnr_dataset_stream_keep(struct xnr_dataset_stream *s, int (*keep)(void *ud, size_t sentence),
                             void *ud)
{
	s->ds->chunking->keep = keep;
	s->ds->chunking->keep_ud = ud;
}

/* Lines into the chunk until it holds max sentences or the file ends. */
static enum xnr_status fill(struct xnr_dataset_stream *s, size_t max, struct xnr_error *err)
{
	struct xnr_dataset *ds = s->ds;
	enum xnr_status st = XNR_OK;

	while (!s->at_end && ds->n_sentences < max && st == XNR_OK) {
		const char *line;
		size_t len;
		if ((st = xnr__next_line(&s->lr, ds->path, &s->p, &line, &len, err)) != XNR_OK)
			break;
		if (line) {
			st = s->rd.line(s->rd.ctx, line, len, s->lr.line_no, err);
			continue;
		}
		s->at_end = 1;
		if (s->rd.end)
			st = s->rd.end(s->rd.ctx, s->lr.line_no, err);
		if (st == XNR_OK && ds->chunking->sentences_read == 0)
			st = xnr__no_sentences(ds->path, ds->format, err);
	}
	return st;
}

enum xnr_status xnr_dataset_stream_next(struct xnr_dataset_stream *s, size_t max_sentences,
                                        const struct xnr_dataset **chunk, struct xnr_error *err)
{
	if (s->st != XNR_OK)
		return xnr_fail_at(err, s->st, s->ds->path, 0, "the stream failed before");
	xnr__ds_reset_chunk(s->ds);
	s->st = fill(s, max_sentences ? max_sentences : 1, err);
	if (s->st != XNR_OK)
		return s->st;
	*chunk = s->ds;
	return XNR_OK;
}

enum xnr_status xnr_dataset_stream_rewind(struct xnr_dataset_stream *s, struct xnr_error *err)
{
	struct xnr__chunking *c = s->ds->chunking;

	if (s->st != XNR_OK)
		return xnr_fail_at(err, s->st, s->ds->path, 0, "the stream failed before");
	xnr_lines_free(&s->lr);
	if (fseek(s->f, 0, SEEK_SET) != 0)
		return s->st = xnr_fail_at(err, XNR_ERR_IO, s->ds->path, 0,
		                           "cannot read the file again (is it a pipe?)");
	xnr_lines_init(&s->lr, s->f, s->ds->path, s->p.max_line_bytes);
	xnr__ds_reset_chunk(s->ds);
	c->words_read = c->sentences_read = c->documents_before = 0;
	s->at_end = 0;
	return XNR_OK;
}

const struct xnr_dataset *xnr_dataset_stream_info(const struct xnr_dataset_stream *s,
                                                  size_t *n_sentences, size_t *n_documents)
{
	if (n_sentences)
		*n_sentences = s->ds->chunking->sentences_read;
	if (n_documents)
		*n_documents = s->ds->chunking->documents_before + s->ds->n_documents;
	return s->ds;
}
