/*
 * dataset.c - the in-memory dataset: string pool, growing word/sentence/
 * document arrays, opening a file, a folder of splits, or bytes in memory.
 * The readers themselves are conll.c and jsonl.c.
 */
#include "data/dataset.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "core/file.h"
#include "core/hash.h"
#include "core/lines.h"
#include "data/internal.h"

#define POOL_BLOCK_BYTES (256u * 1024u)

struct pool_block {
	struct pool_block *next;
	size_t used, cap;
	char data[];
};

struct xnr__pool {
	struct pool_block *head;
	/* where the pool stood after the last sentence kept (a stream's chunk) */
	struct pool_block *mark;
	size_t mark_used;
};

struct xnr_data_params xnr_data_default_params(void)
{
	struct xnr_data_params p = {0};
	p.format = XNR_DATA_AUTO;
	p.max_line_bytes = 1u << 20;
	p.max_words = 50u * 1000u * 1000u;
	return p;
}

const char *xnr__pool_str(struct xnr_dataset *ds, const char *s, size_t len)
{
	struct pool_block *b = ds->pool->head;
	char *dst;

	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > POOL_BLOCK_BYTES ? len + 1 : POOL_BLOCK_BYTES;
		b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = ds->pool->head;
		ds->pool->head = b;
	}
	dst = b->data + b->used;
	memcpy(dst, s, len);
	dst[len] = '\0';
	b->used += len + 1;
	return dst;
}

/* Free the blocks above the mark and go back to it. */
static void pool_rollback(struct xnr__pool *pool)
{
	while (pool->head && pool->head != pool->mark) {
		struct pool_block *next = pool->head->next;
		free(pool->head);
		pool->head = next;
	}
	if (pool->head)
		pool->head->used = pool->mark_used;
}

static void pool_set_mark(struct xnr__pool *pool)
{
	pool->mark = pool->head;
	pool->mark_used = pool->head ? pool->head->used : 0;
}

void xnr__ds_reset_chunk(struct xnr_dataset *ds)
{
	/* keep one block for the next chunk; the others go */
	struct pool_block *b = ds->pool->head;
	while (b && b->next) {
		struct pool_block *next = b->next->next;
		free(b->next);
		b->next = next;
	}
	if (b)
		b->used = 0;
	pool_set_mark(ds->pool);
	ds->chunking->documents_before += ds->n_documents;
	ds->n_words = ds->n_sentences = ds->n_documents = 0;
}

/* Grow *arr (of elem-byte items, capacity *cap) to hold one more than n. */
static int reserve(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 1024;
	p = realloc(*arr, c * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}

static int reserve_words(struct xnr_dataset *ds)
{
	size_t cap = ds->cap_words;

	if (reserve((void **)&ds->words, &cap, ds->n_words, sizeof *ds->words) != 0)
		return -1;
	cap = ds->cap_words;
	if (reserve((void **)&ds->tags, &cap, ds->n_words, sizeof *ds->tags) != 0)
		return -1;
	cap = ds->cap_words;
	if (reserve((void **)&ds->word_lines, &cap, ds->n_words, sizeof *ds->word_lines) != 0)
		return -1;
	ds->cap_words = cap;
	return 0;
}

enum xnr_status xnr__ds_word(struct xnr_dataset *ds, const char *word, size_t len, int32_t tag,
                             long line, const struct xnr_data_params *p, struct xnr_error *err)
{
	const char *w;
	size_t *n_read = ds->chunking ? &ds->chunking->words_read : NULL;

	if ((n_read ? *n_read : ds->n_words) >= p->max_words)
		return xnr_fail_at(err, XNR_ERR_LIMIT, ds->path, line,
		                   "more than %zu words (split the file)", p->max_words);
	if (reserve_words(ds) != 0 || !(w = xnr__pool_str(ds, word, len)))
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, line, "out of memory");
	ds->words[ds->n_words] = w;
	ds->tags[ds->n_words] = tag;
	ds->word_lines[ds->n_words] = line;
	ds->n_words++;
	if (n_read)
		++*n_read;
	return XNR_OK;
}

/* Documents and sentences of the file before the chunk's, and so far. */
static size_t docs_before(const struct xnr_dataset *ds)
{
	return ds->chunking ? ds->chunking->documents_before : 0;
}

static size_t sents_read(const struct xnr_dataset *ds)
{
	return ds->chunking ? ds->chunking->sentences_read : ds->n_sentences;
}

enum xnr_status xnr__ds_document(struct xnr_dataset *ds, long line, struct xnr_error *err)
{
	struct xnr_document *d;

	if (reserve((void **)&ds->documents, &ds->cap_documents, ds->n_documents, sizeof *d) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, line, "out of memory");
	d = &ds->documents[ds->n_documents++];
	d->index = docs_before(ds) + ds->n_documents - 1;
	d->first_sentence = sents_read(ds);
	d->n_sentences = 0;
	d->line = line;
	return XNR_OK;
}

/* A stream's sentence that is not kept: its words and strings go. */
static int drop_sentence(struct xnr_dataset *ds, size_t first)
{
	struct xnr__chunking *c = ds->chunking;
	if (!c)
		return 0;
	c->sentences_read++;
	if (!c->keep || c->keep(c->keep_ud, c->sentences_read - 1)) {
		pool_set_mark(ds->pool);
		return 0;
	}
	ds->n_words = first;
	pool_rollback(ds->pool);
	return 1;
}

enum xnr_status xnr__ds_sentence(struct xnr_dataset *ds, long line, const char *id,
                                 struct xnr_error *err)
{
	size_t first = ds->n_sentences ? ds->sentences[ds->n_sentences - 1].first_word +
	                                     ds->sentences[ds->n_sentences - 1].n_words
	                               : 0;
	size_t index = sents_read(ds);
	struct xnr_sentence *s;
	enum xnr_status st;

	if (first == ds->n_words)
		return XNR_OK;
	if (first < ds->n_words)
		line = ds->word_lines[first];
	if (ds->n_documents + docs_before(ds) == 0 &&
	    (st = xnr__ds_document(ds, line, err)) != XNR_OK)
		return st;
	if (ds->n_documents)
		ds->documents[ds->n_documents - 1].n_sentences++;
	if (drop_sentence(ds, first))
		return XNR_OK;
	if (reserve((void **)&ds->sentences, &ds->cap_sentences, ds->n_sentences, sizeof *s) != 0)
		return xnr_fail_at(err, XNR_ERR_NOMEM, ds->path, line, "out of memory");
	s = &ds->sentences[ds->n_sentences++];
	s->index = index;
	s->first_word = first;
	s->n_words = ds->n_words - first;
	s->document = docs_before(ds) + ds->n_documents - 1;
	s->line = line;
	s->id = id;
	return XNR_OK;
}

enum xnr_status xnr__utf8_check(const char *s, size_t len, const char *name, long line,
                                struct xnr_error *err)
{
	size_t i = 0;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n;
		if ((unsigned char)s[i] < 0x80) {
			if (s[i] == '\0')
				return xnr_fail_at(err, XNR_ERR_FORMAT, name, line,
				                   "NUL byte at byte %zu (is this a text file?)",
				                   i + 1);
			i++;
			continue;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i),
		                     &cp);
		if (n <= 0)
			return xnr_fail_at(
			    err, XNR_ERR_FORMAT, name, line,
			    "invalid UTF-8 at byte %zu (re-encode the file as UTF-8)", i + 1);
		i += (size_t)n;
	}
	return XNR_OK;
}

enum xnr_status xnr__next_line(struct xnr_lines *lr, const char *name,
                               const struct xnr_data_params *p, const char **s, size_t *len,
                               struct xnr_error *err)
{
	enum xnr_status st;

	/* A file of millions of lines takes seconds: a job must be able to stop it. */
	if (lr->line_no % XNR_DATA_CANCEL_LINES == 0 && xnr_ctl_cancelled(p->ctl))
		return xnr_fail_at(err, XNR_ERR_CANCELLED, name, lr->line_no,
		                   "cancelled while reading");
	st = xnr_lines_next(lr, s, len, err);
	if (st == XNR_OK && *s && lr->line_no == 1 && *len >= 3 &&
	    memcmp(*s, "\xEF\xBB\xBF", 3) == 0) {
		*s += 3;
		*len -= 3;
	}
	return st;
}

enum xnr_status xnr__read_lines(FILE *f, const char *name, const struct xnr_data_params *p,
                                xnr__line_fn fn, void *ctx, long *n_lines, struct xnr_error *err)
{
	struct xnr_lines lr;
	enum xnr_status st;

	xnr_lines_init(&lr, f, name, p->max_line_bytes);
	for (;;) {
		const char *s;
		size_t len;
		st = xnr__next_line(&lr, name, p, &s, &len, err);
		if (st != XNR_OK || !s)
			break;
		if ((st = fn(ctx, s, len, lr.line_no, err)) != XNR_OK)
			break;
	}
	*n_lines = lr.line_no;
	xnr_lines_free(&lr);
	return st;
}

void xnr_dataset_close(struct xnr_dataset *ds)
{
	if (!ds)
		return;
	if (ds->pool) {
		struct pool_block *b = ds->pool->head;
		while (b) {
			struct pool_block *next = b->next;
			free(b);
			b = next;
		}
		free(ds->pool);
	}
	for (size_t i = 0; i < ds->n_files; i++)
		free(ds->files[i]);
	free(ds->files);
	free(ds->path);
	free(ds->split);
	free(ds->words);
	free(ds->tags);
	free(ds->word_lines);
	free(ds->sentences);
	free(ds->documents);
	xnr_labels_free(&ds->labels);
	free(ds->chunking);
	free(ds);
}

struct xnr_dataset *xnr__dataset_new(const char *path, enum xnr_data_format format)
{
	struct xnr_dataset *ds = calloc(1, sizeof *ds);

	if (!ds)
		return NULL;
	ds->format = format;
	ds->pool = calloc(1, sizeof *ds->pool);
	ds->path = strdup(path);
	if (!ds->pool || !ds->path) {
		xnr_dataset_close(ds);
		return NULL;
	}
	xnr_labels_init(&ds->labels);
	return ds;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum xnr_status xnr__reader_open(struct xnr_dataset *ds, const struct xnr_data_params *p,
                                 struct xnr__reader *r, struct xnr_error *err)
{
	if (ds->format == XNR_DATA_JSONL)
		return xnr__jsonl_reader(ds, p, r, err);
	return xnr__conll_reader(ds, p, r, err);
}

enum xnr_status xnr__no_sentences(const char *name, enum xnr_data_format format,
                                  struct xnr_error *err)
{
	return xnr_fail_at(err, XNR_ERR_INPUT, name, 0,
	                   "no sentences (the file is empty; expected %s)",
	                   format == XNR_DATA_JSONL ? "one {\"tokens\", \"ner_tags\"} object a line"
	                                            : "lines of word and tag columns");
}

/* Read a stream as one dataset; on success *out owns it. */
static enum xnr_status read_stream(FILE *f, const char *name, enum xnr_data_format format,
                                   const struct xnr_data_params *p, struct xnr_dataset **out,
                                   struct xnr_error *err)
{
	struct xnr_dataset *ds = xnr__dataset_new(name, format);
	struct xnr__reader r = {0};
	enum xnr_status st;
	long n_lines = 0;

	if (!ds)
		return xnr_fail_at(err, XNR_ERR_NOMEM, name, 0, "out of memory");
	st = xnr__reader_open(ds, p, &r, err);
	if (st == XNR_OK)
		st = xnr__read_lines(f, name, p, r.line, r.ctx, &n_lines, err);
	if (st == XNR_OK && r.end)
		st = r.end(r.ctx, n_lines, err);
	free(r.ctx);
	if (st == XNR_OK && ds->n_sentences == 0)
		st = xnr__no_sentences(name, format, err);
	if (st != XNR_OK) {
		xnr_dataset_close(ds);
		return st;
	}
	*out = ds;
	return XNR_OK;
}

/* One Arrow IPC file in memory, integer tags named by p->labels. */
static enum xnr_status arrow_from_memory(const uint8_t *data, size_t n, const char *name,
                                         const struct xnr_data_params *p, struct xnr_dataset **out,
                                         struct xnr_error *err)
{
	struct xnr_dataset *ds = xnr__dataset_new(name, XNR_DATA_ARROW);
	enum xnr_status st;
	long rows = 0;

	if (!ds)
		return xnr_fail_at(err, XNR_ERR_NOMEM, name, 0, "out of memory");
	st = p->labels ? xnr__id_labels(ds, p->labels, err) : XNR_OK;
	if (st == XNR_OK)
		st = xnr__arrow_read(ds, data, n, name, p->labels != NULL, &rows, p, err);
	if (st == XNR_OK && ds->n_sentences == 0)
		st = xnr_fail_at(err, XNR_ERR_INPUT, name, 0,
		                 "no sentences (the Arrow data has no rows)");
	if (st != XNR_OK) {
		xnr_dataset_close(ds);
		return st;
	}
	*out = ds;
	return XNR_OK;
}

enum xnr_status xnr_dataset_from_memory(const char *data, size_t n, const char *name,
                                        const struct xnr_data_params *params,
                                        struct xnr_dataset **out, struct xnr_error *err)
{
	struct xnr_data_params p = params ? *params : xnr_data_default_params();
	enum xnr_status st;
	FILE *f;

	if (p.format == XNR_DATA_AUTO)
		return xnr_fail_at(err, XNR_ERR_INPUT, name, 0,
		                   "say whether the text is CoNLL or JSONL");
	if (n == 0)
		return xnr_fail_at(err, XNR_ERR_INPUT, name, 0,
		                   "no sentences (the input is empty)");
	if (p.format == XNR_DATA_ARROW)
		return arrow_from_memory((const uint8_t *)data, n, name, &p, out, err);
	f = fmemopen((void *)data, n, "r");
	if (!f)
		return xnr_fail_at(err, XNR_ERR_NOMEM, name, 0, "out of memory");
	st = read_stream(f, name, p.format, &p, out, err);
	fclose(f);
	return st;
}

static enum xnr_data_format format_of(const char *path, enum xnr_data_format format)
{
	if (format == XNR_DATA_AUTO)
		format = ends_with(path, ".arrow")   ? XNR_DATA_ARROW
		         : ends_with(path, ".jsonl") ? XNR_DATA_JSONL
		                                     : XNR_DATA_CONLL;
	return format;
}

static enum xnr_status open_file(const char *path, const struct xnr_data_params *p,
                                 struct xnr_dataset **out, struct xnr_error *err)
{
	enum xnr_data_format format = format_of(path, p->format);
	enum xnr_status st;
	FILE *f;

	if (format == XNR_DATA_ARROW)
		return xnr__saved_open(path, 0, p, out, err);
	if ((st = xnr_file_fopen(path, &f, err)) != XNR_OK)
		return st;
	st = read_stream(f, path, format, p, out, err);
	fclose(f);
	return st;
}

static const char *const split_exts[] = {".txt", ".conll", ".iob", ".bio", ".jsonl"};

/* The canonical split a file name stands for ("valid.txt" -> "dev"), or NULL. */
static const char *split_of(const char *name)
{
	static const char *const stems[][2] = {{"train", "train"},
	                                       {"dev", "dev"},
	                                       {"valid", "dev"},
	                                       {"validation", "dev"},
	                                       {"test", "test"}};
	for (size_t e = 0; e < sizeof split_exts / sizeof *split_exts; e++) {
		size_t n = strlen(name), m = strlen(split_exts[e]);
		if (n <= m || strcmp(name + n - m, split_exts[e]) != 0)
			continue;
		for (size_t s = 0; s < sizeof stems / sizeof *stems; s++)
			if (strlen(stems[s][0]) == n - m && strncmp(name, stems[s][0], n - m) == 0)
				return stems[s][1];
	}
	return NULL;
}

/* The file of split `want` in dir, into path; available splits listed in avail. */
static enum xnr_status find_split(const char *dir, const char *want, char *path, size_t path_bytes,
                                  char *avail, size_t avail_bytes, struct xnr_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n_avail = 0, n_found = 0;
	char found[256] = "";

	if (!d)
		return xnr_fail_at(err, XNR_ERR_IO, dir, 0, "cannot open the folder: %s",
		                   strerror(errno));
	avail[0] = '\0';
	while ((e = readdir(d)) != NULL) {
		const char *s = split_of(e->d_name);
		if (!s)
			continue;
		if (!strstr(avail, s)) {
			size_t len = strlen(avail);
			snprintf(avail + len, avail_bytes - len, "%s%s", n_avail++ ? ", " : "", s);
		}
		if (strcmp(s, want) != 0)
			continue;
		if (n_found++ > 0) {
			enum xnr_status st = xnr_fail_at(
			    err, XNR_ERR_INPUT, dir, 0,
			    "both %s and %s hold split %s (remove one or give the file)", found,
			    e->d_name, want);
			closedir(d);
			return st;
		}
		snprintf(found, sizeof found, "%s", e->d_name);
	}
	closedir(d);
	if (n_found == 0 && n_avail == 0)
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, dir, 0,
		                   "no train, dev (valid) or test file with extension .txt, "
		                   ".conll, .iob, .bio or .jsonl (give a file instead)");
	if (n_found == 0)
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, dir, 0,
		                   "no split \"%s\" (available: %s; pick one with --split)", want,
		                   avail);
	return xnr_path_join(path, path_bytes, dir, found, err);
}

/* The file of split p->split (default "test") in folder dir, into path, and
 * its canonical name (a static string) into *canon. */
static enum xnr_status resolve_split(const char *dir, const struct xnr_data_params *p, char *path,
                                     size_t path_bytes, const char **canon, struct xnr_error *err)
{
	const char *want = p->split ? p->split : "test";
	char avail[128];

	*canon = NULL;
	for (size_t e = 0; e < sizeof split_exts / sizeof *split_exts && !*canon; e++) {
		char probe[64];
		snprintf(probe, sizeof probe, "%s%s", want, split_exts[e]);
		*canon = strlen(want) < 32 ? split_of(probe) : NULL;
	}
	if (!*canon)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "--split %s: not a split name (use train, dev, valid or test)",
		                want);
	return find_split(dir, *canon, path, path_bytes, avail, sizeof avail, err);
}

static enum xnr_status open_folder(const char *dir, const struct xnr_data_params *p,
                                   struct xnr_dataset **out, struct xnr_error *err)
{
	char path[4096];
	const char *canon = NULL;
	struct xnr_dataset *ds;
	enum xnr_status st;

	st = resolve_split(dir, p, path, sizeof path, &canon, err);
	if (st != XNR_OK)
		return st;
	st = open_file(path, p, &ds, err);
	if (st != XNR_OK)
		return st;
	ds->split = strdup(canon);
	if (!ds->split) {
		xnr_dataset_close(ds);
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	}
	*out = ds;
	return XNR_OK;
}

/* path (a file, or a folder's split) as an empty dataset: path, split, format. */
static enum xnr_status stat_path(const char *path, struct stat *sb, struct xnr_error *err)
{
	if (stat(path, sb) == 0)
		return XNR_OK;
	return errno == ENOENT || errno == ENOTDIR
	           ? xnr_fail_at(err, XNR_ERR_NOT_FOUND, path, 0,
	                         "no such file or folder (check the path)")
	           : xnr_fail_open(err, path, errno);
}

enum xnr_status xnr__dataset_resolve(const char *path, const struct xnr_data_params *p,
                                     struct xnr_dataset **out, struct xnr_error *err)
{
	char file[4096];
	const char *canon = NULL;
	struct xnr_dataset *ds;
	struct stat sb;
	enum xnr_status st;

	if ((st = stat_path(path, &sb, err)) != XNR_OK)
		return st;
	if (S_ISDIR(sb.st_mode) &&
	    (st = resolve_split(path, p, file, sizeof file, &canon, err)) != XNR_OK)
		return st;
	if (!canon)
		snprintf(file, sizeof file, "%s", path);
	ds = xnr__dataset_new(file, format_of(file, p->format));
	if (!ds || (canon && !(ds->split = strdup(canon)))) {
		xnr_dataset_close(ds);
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	}
	*out = ds;
	return XNR_OK;
}

int xnr_dataset_is_saved(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return 0;
	return S_ISDIR(sb.st_mode) ? xnr__saved_detect(path) : ends_with(path, ".arrow");
}

enum xnr_status xnr_dataset_hash(const struct xnr_dataset *ds, struct xnr_sha256 *h,
                                 struct xnr_error *err)
{
	enum xnr_status st = XNR_OK;

	if (ds->n_files == 0)
		return xnr_sha256_file(h, ds->path, err);
	for (size_t i = 0; st == XNR_OK && i < ds->n_files; i++)
		st = xnr_sha256_file(h, ds->files[i], err);
	return st;
}

enum xnr_status xnr_dataset_open(const char *path, const struct xnr_data_params *params,
                                 struct xnr_dataset **out, struct xnr_error *err)
{
	struct xnr_data_params p = params ? *params : xnr_data_default_params();
	struct stat sb;
	enum xnr_status st = stat_path(path, &sb, err);

	if (st != XNR_OK)
		return st;
	if (S_ISDIR(sb.st_mode))
		return xnr__saved_detect(path) ? xnr__saved_open(path, 1, &p, out, err)
		                               : open_folder(path, &p, out, err);
	return open_file(path, &p, out, err);
}
