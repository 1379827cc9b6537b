/*
 * stream.c - a dataset file read a chunk of sentences at a time
 * (xnr_dataset_stream_*, dataset.h): the readers of conll.c and jsonl.c fed
 * line by line into one dataset that is emptied before each chunk, so memory
 * holds one chunk's words, whatever the size of the file. A second pass
 * rewinds the file; labels keep their ids from pass to pass.
 *
 * A saved Hugging Face dataset (Arrow) is read whole by saved.c, an mmap of
 * its .arrow files plus the words' arrays, and the stream yields chunks of
 * that dataset under the same contract (file indices, the keep filter,
 * rewinding): its memory grows with the data, as Arrow has no lines to
 * read one at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	struct xnr_dataset *whole;           /* a saved dataset read whole, else NULL */
	size_t next_sentence, next_document; /* whole: where the next chunk starts */
	int at_end;                          /* the last line and the reader's end are done */
	enum xnr_status st;                  /* the first failure; the stream stays failed */
};

/* The chunk of a saved dataset: whole's path, split, files and labels. */
static enum xnr_status saved_chunk(struct xnr_dataset_stream *s, struct xnr_error *err)
{
	const struct xnr_dataset *w = s->whole;
	struct xnr_dataset *ds = xnr__dataset_new(w->path, w->format);
	enum xnr_status st = XNR_OK;
	int32_t id;

	if (!(s->ds = ds) || !(ds->chunking = calloc(1, sizeof *ds->chunking)) ||
	    (w->split && !(ds->split = strdup(w->split))) ||
	    (w->n_files && !(ds->files = calloc(w->n_files, sizeof *ds->files))))
		return xnr_fail_at(err, XNR_ERR_NOMEM, w->path, 0, "out of memory");
	for (; ds->n_files < w->n_files; ds->n_files++)
		if (!(ds->files[ds->n_files] = strdup(w->files[ds->n_files])))
			return xnr_fail_at(err, XNR_ERR_NOMEM, w->path, 0, "out of memory");
	for (size_t i = 0; st == XNR_OK && i < w->labels.n; i++)
		st = xnr_labels_add(&ds->labels, w->labels.names[i], strlen(w->labels.names[i]),
		                    &id, "label", err);
	return st;
}

static enum xnr_status open_saved(struct xnr_dataset_stream *s, const char *path,
                                  struct xnr_error *err)
{
	struct stat sb;
	enum xnr_status st;

	if (stat(path, &sb) != 0)
		return xnr_fail_open(err, path, errno);
	if ((st = xnr__saved_open(path, S_ISDIR(sb.st_mode), &s->p, &s->whole, err)) != XNR_OK)
		return st;
	return saved_chunk(s, err);
}

enum xnr_status xnr_dataset_stream_open(const char *path, const struct xnr_data_params *params,
                                        struct xnr_dataset_stream **out, struct xnr_error *err)
{
	struct xnr_dataset_stream *s = calloc(1, sizeof *s);
	enum xnr_status st;

	if (!s)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	s->p = params ? *params : xnr_data_default_params();
	if (s->p.format == XNR_DATA_ARROW || xnr_dataset_is_saved(path)) {
		st = open_saved(s, path, err);
		if (st != XNR_OK)
			goto fail;
		*out = s;
		return XNR_OK;
	}
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
	xnr_dataset_close(s->whole);
	free(s);
}

void xnr_dataset_stream_keep(struct xnr_dataset_stream *s, int (*keep)(void *ud, size_t sentence),
                             void *ud)
{
	s->ds->chunking->keep = keep;
	s->ds->chunking->keep_ud = ud;
}

/* The documents of whole that start before sentence `upto` (and those left
 * at its end when upto is its last), into the chunk. */
static enum xnr_status saved_documents(struct xnr_dataset_stream *s, size_t upto,
                                       struct xnr_error *err)
{
	const struct xnr_dataset *w = s->whole;
	enum xnr_status st = XNR_OK;

	while (st == XNR_OK && s->next_document < w->n_documents &&
	       (w->documents[s->next_document].first_sentence <= upto || upto == w->n_sentences)) {
		st = xnr__ds_document(s->ds, w->documents[s->next_document].line, err);
		s->next_document++;
	}
	return st;
}

/* Sentences of the saved dataset into the chunk, as its reader appended
 * them, until it holds max sentences or the data ends. */
static enum xnr_status fill_saved(struct xnr_dataset_stream *s, size_t max, struct xnr_error *err)
{
	const struct xnr_dataset *w = s->whole;
	struct xnr_dataset *ds = s->ds;
	enum xnr_status st = XNR_OK;

	while (st == XNR_OK && ds->n_sentences < max && s->next_sentence < w->n_sentences) {
		const struct xnr_sentence *ws = &w->sentences[s->next_sentence];
		if ((st = saved_documents(s, s->next_sentence, err)) != XNR_OK)
			break;
		for (size_t i = ws->first_word; st == XNR_OK && i < ws->first_word + ws->n_words;
		     i++)
			st = xnr__ds_word(ds, w->words[i], strlen(w->words[i]), w->tags[i],
			                  w->word_lines[i], &s->p, err);
		if (st == XNR_OK)
			st = xnr__ds_sentence(ds, ws->line, ws->id, err);
		s->next_sentence++;
	}
	if (st == XNR_OK && s->next_sentence == w->n_sentences)
		st = saved_documents(s, w->n_sentences, err);
	return st;
}

/* Lines into the chunk until it holds max sentences or the file ends. */
static enum xnr_status fill(struct xnr_dataset_stream *s, size_t max, struct xnr_error *err)
{
	struct xnr_dataset *ds = s->ds;
	enum xnr_status st = XNR_OK;

	if (s->whole)
		return fill_saved(s, max, err);

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
	if (s->whole) {
		s->next_sentence = s->next_document = 0;
	} else {
		xnr_lines_free(&s->lr);
		if (fseek(s->f, 0, SEEK_SET) != 0)
			return s->st = xnr_fail_at(err, XNR_ERR_IO, s->ds->path, 0,
			                           "cannot read the file again (is it a pipe?)");
		xnr_lines_init(&s->lr, s->f, s->ds->path, s->p.max_line_bytes);
	}
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
