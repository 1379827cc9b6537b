/*
 * run.c - an analysis run (pipeline.h): the dataset split and the model
 * loaded, the data's tagging scheme converted to the model's and its labels
 * matched, the sentences selected (all, the first N, or a seeded sample),
 * the run keyed by a hash of model files, data file, options and version,
 * then every sentence through the engine in chunks into one store
 * transaction, with progress and cancel between chunks. The data is read
 * twice as a stream (data/dataset.h): counts, scheme and labels first, then
 * one chunk of sentences at a time, so memory does not grow with the file.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/tagset.h"
#include "core/file.h"
#include "core/hash.h"
#include "core/progress.h"
#include "data/dataset.h"
#include "data/labels.h"
#include "data/scheme.h"
#include "infer/infer.h"
#include "model/hub.h"
#include "pipeline/internal.h"
#include "store/read.h"
#include "store/store.h"

#define RUN_CHUNK 128 /* sentences per engine call: also how often cancel is checked */
/* Sentences per committed piece of a run (xnr_run_piece): with the demo
 * model some 25 MB of WAL, with BERT-base some 60 MB. */
#define RUN_PIECE 1024

struct xnr_run_opts xnr_run_default_opts(void)
{
	struct xnr_run_opts o;
	memset(&o, 0, sizeof o);
	o.threads = 1;
	return o;
}

void xnr_run_outcome_free(struct xnr_run_outcome *o)
{
	if (!o)
		return;
	free(o->report);
	memset(o, 0, sizeof *o);
}

/* splitmix64: a small, well-mixed generator, so a seed means the same sample everywhere. */
static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A sparse array of size_t over [0, n) where every unset entry holds its own
 * index: the virtual swaps of a partial Fisher-Yates shuffle, in memory that
 * grows with the draws, not with n. Open addressing, linear probing. */
struct swaps {
	size_t *key, *val;
	size_t cap; /* a power of two, at least twice the entries */
};

static size_t *swap_slot(struct swaps *m, size_t k)
{
	size_t h = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 7) & (m->cap - 1);
	while (m->key[h] != (size_t)-1 && m->key[h] != k)
		h = (h + 1) & (m->cap - 1);
	if (m->key[h] == (size_t)-1) {
		m->key[h] = k;
		m->val[h] = k;
	}
	return &m->val[h];
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* --sample: `want` of n sentences drawn with the seed, into x->sel in file
 * order; the same draw as a partial Fisher-Yates over an array of n. */
static enum xnr_status draw_sample(struct xnr__run *x, size_t n, size_t want, struct xnr_error *err)
{
	struct swaps m = {NULL, NULL, 16};
	uint64_t state = (uint64_t)x->opts->seed;
	size_t i;

	while (m.cap < 4 * want)
		m.cap *= 2;
	m.key = malloc(m.cap * sizeof *m.key);
	m.val = malloc(m.cap * sizeof *m.val);
	x->sel = malloc((want + 1) * sizeof *x->sel);
	if (!m.key || !m.val || !x->sel) {
		free(m.key);
		free(m.val);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	memset(m.key, 0xff, m.cap * sizeof *m.key);
	for (i = 0; i < want; i++) {
		size_t j = i + (size_t)(splitmix64(&state) % (uint64_t)(n - i));
		size_t *vi = swap_slot(&m, i), *vj = swap_slot(&m, j), t = *vi;
		*vi = *vj;
		*vj = t;
		x->sel[i] = *vi;
	}
	free(m.key);
	free(m.val);
	qsort(x->sel, want, sizeof *x->sel, cmp_size);
	return XNR_OK;
}

/* The sentences to run, in file order: all, the first --limit, or a seeded --sample. */
static enum xnr_status select_sentences(struct xnr__run *x, struct xnr_error *err)
{
	size_t n = x->n_file, want = n;
	enum xnr_status st;

	if (x->opts->limit && (size_t)x->opts->limit < n)
		want = (size_t)x->opts->limit;
	if (x->opts->sample && (size_t)x->opts->sample < n)
		want = (size_t)x->opts->sample;
	if (x->opts->sample && (st = draw_sample(x, n, want, err)) != XNR_OK)
		return st;
	x->n_sel = want;
	xnr__run_shard(x);
	return XNR_OK;
}

/* The model's tagging scheme from its label names (B-/I- only: IOB2). */
static enum xnr_scheme model_scheme(const struct xnr_model_config *cfg)
{
	int has[128] = {0}, i;
	for (i = 0; i < cfg->n_labels; i++) {
		struct xnr_tag t;
		if (xnr_tag_parse(cfg->id2label[i], strlen(cfg->id2label[i]), &t) == 0 &&
		    (unsigned char)t.prefix < 128)
			has[(unsigned char)t.prefix] = 1;
	}
	if (has['L'] || has['U'])
		return XNR_SCHEME_BILOU;
	if (has['S'] || (has['E'] && has['B']))
		return XNR_SCHEME_IOBES;
	if (has['E'])
		return XNR_SCHEME_IOE2;
	if (has['B'])
		return XNR_SCHEME_IOB2;
	return XNR_SCHEME_IO;
}

/* The data's scheme (from the first pass's tally), whether it is converted
 * to the model's, its labels mapped to model ids. *scheme_json describes
 * what was found (caller frees). */
static enum xnr_status prepare_labels(struct xnr__run *x, char **scheme_json, struct xnr_error *err)
{
	struct xnr_scheme_report rep;
	struct xnr_label_map map;
	const struct xnr_labels *labels;
	enum xnr_status st;
	json_t *j;
	int i;

	memset(&map, 0, sizeof map);
	x->to = model_scheme(x->cfg);
	if ((st = xnr_scheme_tally_detect(&x->tally, x->info->path, &rep, err)) != XNR_OK)
		return st;
	j = json_pack("{s:s,s:s,s:I}", "data", xnr_scheme_name(rep.scheme), "model",
	              xnr_scheme_name(x->to), "ill_formed", (json_int_t)rep.n_ill_formed);
	*scheme_json = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (x->opts->on_warning && rep.n_ill_formed) {
		char msg[XNR_ERROR_MSG_MAX];
		snprintf(msg, sizeof msg,
		         "%s: %zu ill-formed %s tag sequences (repaired as conlleval)",
		         x->info->path, rep.n_ill_formed, xnr_scheme_name(rep.scheme));
		x->opts->on_warning(x->opts->hook_ud, msg);
	}
	x->convert = rep.scheme != x->to;
	labels = x->convert ? &x->tally.converted[x->to] : &x->info->labels;
	if (x->opts->label_map &&
	    (st = xnr_label_map_parse(x->opts->label_map, &map, err)) != XNR_OK)
		goto done;
	x->label_ids = malloc((labels->n + 1) * sizeof *x->label_ids);
	if (!x->label_ids) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto done;
	}
	st = xnr_labels_match(labels, (const char *const *)x->cfg->id2label,
	                      (size_t)x->cfg->n_labels, x->opts->label_map ? &map : NULL,
	                      x->info->path, x->label_ids, err);
	for (i = 0, x->o_label = 0; i < x->cfg->n_labels; i++)
		if (strcmp(x->cfg->id2label[i], "O") == 0)
			x->o_label = i;
done:
	xnr_label_map_free(&map);
	xnr_scheme_report_free(&rep);
	return st;
}

static enum xnr_status build_tagset(struct xnr__run *x, struct xnr_error *err)
{
	enum xnr_status st = xnr_tagset_open(&x->tags, err);
	int i;
	for (i = 0; i < x->cfg->n_labels && st == XNR_OK; i++) {
		int32_t id;
		st = xnr_tagset_add(x->tags, x->cfg->id2label[i], strlen(x->cfg->id2label[i]), &id,
		                    err);
		if (st == XNR_OK && id != i)
			st = xnr_fail(err, XNR_ERR_INPUT,
			              "config.json: label \"%s\" appears twice in id2label",
			              x->cfg->id2label[i]);
	}
	return st;
}

static int is_safetensors(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 12 && strcmp(e->d_name + n - 12, ".safetensors") == 0;
}

/* pytorch_model.bin and its shards (pytorch_model-00001-of-00002.bin). */
static int is_torch_bin(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return strncmp(e->d_name, "pytorch_model", 13) == 0 && n > 17 &&
	       strcmp(e->d_name + n - 4, ".bin") == 0;
}

static enum xnr_status hash_one(struct xnr_sha256 *h, const char *dir, const char *name,
                                struct xnr_error *err)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return xnr_fail(err, XNR_ERR_LIMIT, "%s: path too long", dir);
	if (!xnr_file_exists(path))
		return XNR_OK;
	xnr_sha256_update(h, name, strlen(name) + 1);
	return xnr_sha256_file(h, path, err);
}

/* SHA-256 over the files that decide a model's outputs: config, tokenizer,
 * and every .safetensors file (shards included), in a fixed order; the
 * pytorch_model*.bin files instead when there is no .safetensors file, as the
 * loader reads them only then. */
static enum xnr_status hash_model(const char *dir, char hex[XNR_SHA256_HEX], struct xnr_error *err)
{
	static const char *const files[] = {"config.json", "model.safetensors.index.json",
	                                    "tokenizer.json", "vocab.txt", "tokenizer_config.json"};
	struct xnr_sha256 *h = NULL;
	struct dirent **list = NULL;
	enum xnr_status st = xnr_sha256_open(&h, err);
	int i, n = st == XNR_OK ? scandir(dir, &list, is_safetensors, alphasort) : 0;

	if (st == XNR_OK && n == 0) {
		free(list);
		list = NULL;
		n = scandir(dir, &list, is_torch_bin, alphasort);
		if (n > 0)
			st = hash_one(h, dir, "pytorch_model.bin.index.json", err);
	}

	if (n < 0 && st == XNR_OK)
		st = xnr_fail_at(err, errno == ENOMEM ? XNR_ERR_NOMEM : XNR_ERR_IO, dir, 0,
		                 "cannot list the folder: %s", strerror(errno));
	for (i = 0; st == XNR_OK && i < (int)(sizeof files / sizeof files[0]); i++)
		st = hash_one(h, dir, files[i], err);
	for (i = 0; i < n; i++) {
		if (st == XNR_OK)
			st = hash_one(h, dir, list[i]->d_name, err);
		free(list[i]);
	}
	free(list);
	if (st == XNR_OK)
		xnr_sha256_hex(h, hex);
	xnr_sha256_close(h);
	return st;
}

/* The options that change results, as JSON (caller frees). */
static char *options_json(const struct xnr_run_opts *o, const struct xnr_dataset *ds)
{
	/* set only when not the default, so the keys of earlier runs stay what they were */
	const char *prec =
	    o->precision == XNR_PRECISION_FP32 ? NULL : xnr_precision_name(o->precision);
	json_t *j = json_pack(
	    "{s:s?,s:i,s:i,s:i,s:i,s:s?,s:s?,s:i,s:s*,s:s*,s:o*}", "split", ds->split, "limit",
	    o->limit, "sample", o->sample, "seed", o->sample ? o->seed : 0, "tag_column",
	    o->tag_column, "labels", o->labels, "label_map", o->label_map, "max_length",
	    o->max_length, "precision", prec, "hidden_dtype", o->hidden_f16 ? "f16" : NULL,
	    "hidden_layer", o->hidden_layer ? json_integer(o->hidden_layer) : NULL);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return s;
}

struct run_ids {
	char model_dir[4096];
	char model_hash[XNR_SHA256_HEX], data_hash[XNR_SHA256_HEX], key[XNR_SHA256_HEX];
	char run_key[XNR_SHA256_HEX]; /* a shard: the key of the whole run, else key */
	char *options;
};

static enum xnr_status make_key(struct xnr__run *x, struct run_ids *id, struct xnr_error *err)
{
	struct xnr_sha256 *h = NULL;
	enum xnr_status st;

	if ((st = xnr_hub_resolve(x->opts->model, id->model_dir, sizeof id->model_dir, err)) !=
	        XNR_OK ||
	    (st = hash_model(id->model_dir, id->model_hash, err)) != XNR_OK ||
	    (st = xnr_sha256_open(&h, err)) != XNR_OK)
		return st;
	if ((st = xnr_dataset_hash(x->info, h, err)) == XNR_OK) {
		xnr_sha256_hex(h, id->data_hash);
		if (!(id->options = options_json(x->opts, x->info))) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		} else {
			xnr_sha256_update(h, id->model_hash, strlen(id->model_hash) + 1);
			xnr_sha256_update(h, id->data_hash, strlen(id->data_hash) + 1);
			xnr_sha256_update(h, id->options, strlen(id->options) + 1);
			xnr_sha256_update(h, XNR_VERSION, strlen(XNR_VERSION) + 1);
			xnr_sha256_hex(h, id->run_key);
			memcpy(id->key, id->run_key, sizeof id->key);
		}
	}
	xnr_sha256_close(h);
	if (st == XNR_OK && x->opts->shard_count)
		st = xnr__shard_key(id->run_key, x->opts->shard_index, x->opts->shard_count,
		                    id->key, err);
	return st;
}

/* Room for a chunk of n sentences and n_words words: gold, pred, conv, conf, sent_start. */
static enum xnr_status reserve_chunk(struct xnr__run *x, size_t n_words, struct xnr_error *err)
{
	int32_t *g, *p, *c;
	double *f;

	if (!x->sent_start && !(x->sent_start = malloc((RUN_CHUNK + 1) * sizeof *x->sent_start)))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	if (n_words <= x->cap_words && x->gold)
		return XNR_OK;
	g = realloc(x->gold, (n_words + 1) * sizeof *g);
	if (g)
		x->gold = g;
	p = realloc(x->pred, (n_words + 1) * sizeof *p);
	if (p)
		x->pred = p;
	c = realloc(x->conv, (n_words + 1) * sizeof *c);
	if (c)
		x->conv = c;
	f = realloc(x->conf, (n_words + 1) * sizeof *f);
	if (f)
		x->conf = f;
	if (!g || !p || !c || !f)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	x->cap_words = n_words;
	return XNR_OK;
}

/* The gold model label ids of a chunk's words (converted to the model's
 * scheme when it differs from the data's), into x->gold, and sent_start. */
static enum xnr_status chunk_gold(struct xnr__run *x, const struct xnr_dataset *c,
                                  struct xnr_error *err)
{
	const int32_t *tags = c->tags;
	enum xnr_status st;
	size_t i, w;

	if ((st = reserve_chunk(x, c->n_words, err)) != XNR_OK)
		return st;
	if (x->convert) {
		st = xnr_dataset_convert_ids(c, x->to, &x->tally.converted[x->to], x->conv, err);
		tags = x->conv;
	}
	for (w = 0; st == XNR_OK && w < c->n_words; w++)
		x->gold[w] = x->label_ids[tags[w]];
	for (i = 0; i <= c->n_sentences; i++)
		x->sent_start[i] = i < c->n_sentences ? c->sentences[i].first_word : c->n_words;
	return st;
}

/* Run the sentences of a chunk through the engine and write them. */
static enum xnr_status run_chunk(struct xnr__run *x, const struct xnr_dataset *c,
                                 struct xnr_input *in, struct xnr_result *res,
                                 struct xnr_error *err)
{
	size_t i, w, n = c->n_sentences;
	enum xnr_status st;
	size_t *lens = malloc((c->n_words + 1) * sizeof *lens);

	if (!lens)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (w = 0; w < c->n_words; w++)
		lens[w] = strlen(c->words[w]);
	for (i = 0; i < n; i++) {
		const struct xnr_sentence *s = &c->sentences[i];
		memset(&in[i], 0, sizeof in[i]);
		in[i].words = c->words + s->first_word;
		in[i].word_lens = lens + s->first_word;
		in[i].n_words = (int)s->n_words;
	}
	st = xnr_engine_run(x->engine, in, (int)n, res, err);
	if (st != XNR_OK && err && err->item >= 1 && (size_t)err->item <= n) {
		const struct xnr_sentence *s = &c->sentences[err->item - 1];
		xnr_error_at(err, c->path, s->line);
		xnr_error_set_item(err, (long)s->index + 1);
	}
	if (st == XNR_OK)
		st = chunk_gold(x, c, err);
	for (i = 0; st == XNR_OK && i < n; i++) {
		const struct xnr_sentence *s = &c->sentences[i];
		st = xnr__run_write_sentence(x, c, s, x->sel_base + x->n_done++,
		                             x->gold + s->first_word, x->pred + s->first_word,
		                             x->conf + s->first_word, &res[i], err);
	}
	if (st == XNR_OK)
		st = xnr__run_score(x, n, x->sent_start, x->gold, x->pred, x->conf, err);
	free(lens);
	return st;
}

static enum xnr_status cancelled(struct xnr_error *err)
{
	return xnr_fail(err, XNR_ERR_CANCELLED, "run cancelled (nothing was written)");
}

/* Whether the second pass keeps sentence f of the file: it is in the slice. */
static int keep_sentence(void *ud, size_t f)
{
	const struct xnr__run *x = ud;
	if (!x->sel)
		return f >= x->sel_base && f < x->sel_base + x->n_sel;
	return bsearch(&f, x->sel, x->n_sel, sizeof *x->sel, cmp_size) != NULL;
}

/* The second pass: every document and the selected sentences into the
 * writer, chunk by chunk, with progress. */
static enum xnr_status pass_two(struct xnr__run *x, const struct xnr_ctl *ctl, struct xnr_input *in,
                                struct xnr_result *res, struct xnr_error *err)
{
	enum xnr_status st = xnr_dataset_stream_rewind(x->stream, err);
	const struct xnr_dataset *c = NULL;
	size_t d;

	xnr_dataset_stream_keep(x->stream, keep_sentence, x);
	while (st == XNR_OK &&
	       (st = xnr_dataset_stream_next(x->stream, RUN_CHUNK, &c, err)) == XNR_OK) {
		for (d = 0; st == XNR_OK && d < c->n_documents; d++)
			st = xnr_run_add_document(x->writer, (int)c->documents[d].index,
			                          c->documents[d].line, err);
		if (st != XNR_OK || (c->n_sentences == 0 && c->n_documents == 0))
			break;
		if (c->n_sentences && (st = run_chunk(x, c, in, res, err)) != XNR_OK)
			break;
		if (x->n_done / RUN_PIECE != (x->n_done - c->n_sentences) / RUN_PIECE &&
		    (st = xnr_run_piece(x->writer, err)) != XNR_OK)
			break;
		if (c->n_sentences)
			xnr_ctl_progress(ctl, x->n_sel ? (double)x->n_done / (double)x->n_sel : 1.0,
			                 "sentences");
		if (xnr_ctl_cancelled(ctl))
			st = cancelled(err);
	}
	if (st == XNR_OK && x->n_done != x->n_sel)
		st = xnr_fail_at(err, XNR_ERR_INPUT, x->info->path, 0,
		                 "%zu sentences on the second reading, %zu on the first (did the "
		                 "file change while it was read?)",
		                 x->n_done, x->n_sel);
	return st;
}

/* Every document and sentence into the writer, with progress. */
static enum xnr_status run_all(struct xnr__run *x, const struct xnr_ctl *ctl, struct xnr_error *err)
{
	struct xnr_input *in = calloc(RUN_CHUNK, sizeof *in);
	struct xnr_result *res = calloc(RUN_CHUNK, sizeof *res);
	enum xnr_status st;
	size_t i;

	if (!in || !res) {
		free(in);
		free(res);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < RUN_CHUNK; i++)
		xnr_result_init(&res[i]);
	if (x->opts->on_count)
		x->opts->on_count(x->opts->hook_ud, (long)x->n_sel);
	xnr_ctl_progress(ctl, 0.0, "sentences");
	st = pass_two(x, ctl, in, res, err);
	for (i = 0; i < RUN_CHUNK; i++)
		xnr_result_free(&res[i]);
	free(in);
	free(res);
	return st;
}

static void ctx_free(struct xnr__run *x)
{
	xnr_run_abort(x->writer);
	xnr_tagset_close(x->tags);
	xnr_engine_close(x->engine);
	xnr_dataset_stream_close(x->stream);
	xnr_scheme_tally_free(&x->tally);
	xnr_run_metrics_acc_close(x->macc);
	free(x->label_ids);
	free(x->sel);
	free(x->doc_first);
	free(x->sent_start);
	free(x->gold);
	free(x->pred);
	free(x->conv);
	free(x->conf);
}

/* A shard's document starts, from a chunk of the first pass. */
static enum xnr_status add_doc_starts(struct xnr__run *x, const struct xnr_dataset *c,
                                      struct xnr_error *err)
{
	size_t *p;

	if (!x->opts->shard_count || !c->n_documents)
		return XNR_OK;
	p = realloc(x->doc_first, (x->n_docs + c->n_documents) * sizeof *p);
	if (!p)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	x->doc_first = p;
	for (size_t d = 0; d < c->n_documents; d++)
		x->doc_first[x->n_docs++] = c->documents[d].first_sentence;
	return XNR_OK;
}

/* The first pass: every line checked, the scheme tallied, the sentences
 * counted (and a shard's document starts kept). */
static enum xnr_status pass_one(struct xnr__run *x, const struct xnr_ctl *ctl,
                                struct xnr_error *err)
{
	struct xnr_data_params dp = xnr_data_default_params();
	const struct xnr_dataset *c = NULL;
	enum xnr_status st;

	dp.split = x->opts->split;
	dp.tag_column = x->opts->tag_column;
	dp.labels = x->opts->labels;
	dp.ctl = ctl;
	xnr_scheme_tally_init(&x->tally);
	if ((st = xnr_dataset_stream_open(x->opts->data, &dp, &x->stream, err)) != XNR_OK)
		return st;
	do {
		st = xnr_dataset_stream_next(x->stream, 8 * RUN_CHUNK, &c, err);
		if (st == XNR_OK)
			st = xnr_scheme_tally_add(&x->tally, c, err);
		if (st == XNR_OK)
			st = add_doc_starts(x, c, err);
	} while (st == XNR_OK && (c->n_sentences || c->n_documents));
	x->info = xnr_dataset_stream_info(x->stream, &x->n_file, NULL);
	return st;
}

/* The data's first pass, the model and the labels matched; stops between
 * its stages (and while reading the data) when ctl asks to. */
static enum xnr_status open_inputs(struct xnr__run *x, const struct xnr_ctl *ctl,
                                   char **scheme_json, struct xnr_error *err)
{
	struct xnr_engine_params ep = xnr_engine_default_params();
	char dir[4096];
	enum xnr_status st;

	ep.n_threads = x->opts->threads;
	ep.max_seq_len = x->opts->max_length;
	ep.precision = x->opts->precision;
	ep.keep_hidden = 1;
	ep.hidden_layer = x->opts->hidden_layer;
	if ((st = pass_one(x, ctl, err)) != XNR_OK)
		return st;
	if (xnr_ctl_cancelled(ctl))
		return cancelled(err);
	/* a hub id not in the cache is downloaded here, where ctl can stop it */
	if ((st = xnr_hub_resolve_ctl(x->opts->model, ctl, dir, sizeof dir, err)) != XNR_OK)
		return st;
	if ((st = xnr_engine_open(x->opts->model, ep, &x->engine, err)) != XNR_OK ||
	    (st = xnr_engine_need_head(x->engine, err)) != XNR_OK)
		return st;
	if (xnr_ctl_cancelled(ctl))
		return cancelled(err);
	x->cfg = xnr_engine_config(x->engine);
	if ((st = build_tagset(x, err)) != XNR_OK ||
	    (st = prepare_labels(x, scheme_json, err)) != XNR_OK)
		return st;
	return select_sentences(x, err);
}

/* Options a caller (not only the CLI) may get wrong. */
static enum xnr_status check_opts(const struct xnr_run_opts *o, struct xnr_error *err)
{
	if (!o->model || !o->data || !o->output)
		return xnr_fail(err, XNR_ERR_INPUT, "run: model, data and output are required");
	if (o->limit < 0 || o->sample < 0)
		return xnr_fail(err, XNR_ERR_INPUT, "run: limit and sample must be >= 0");
	if (o->limit && o->sample)
		return xnr_fail(err, XNR_ERR_INPUT, "run: limit and sample exclude each other");
	if (o->shard_count < 0 || o->shard_count > XNR_RUN_MAX_SHARDS || o->shard_index < 0 ||
	    (o->shard_count && o->shard_index >= o->shard_count))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "run: shard %d/%d: the index must be 0 to N-1 and N 1 to %d",
		                o->shard_index, o->shard_count, XNR_RUN_MAX_SHARDS);
	return XNR_OK;
}

/* The counts of stored run id, for the outcome of a reused run. */
static enum xnr_status stored_counts(struct xnr_store *store, int64_t id,
                                     struct xnr_run_outcome *res, struct xnr_error *err)
{
	struct xnr_run run;
	enum xnr_status st = xnr_store_run_get(store, id, &run, err);

	if (st != XNR_OK)
		return st;
	res->n_sentences = (long)run.n_sentences;
	res->n_words = (long)run.n_words;
	res->n_tokens = (long)run.n_tokens;
	xnr_run_free(&run);
	return XNR_OK;
}

/* A new run: begin, every sentence, the summary, commit. */
static enum xnr_status write_run(struct xnr__run *x, struct xnr_store *store,
                                 const struct run_ids *id, const char *scheme_json,
                                 const struct xnr_ctl *ctl, double t0, struct xnr_run_outcome *res,
                                 struct xnr_error *err)
{
	struct xnr_run_info info;
	char *summary = NULL, *report = NULL;
	enum xnr_status st;

	memset(&info, 0, sizeof info);
	info.key = id->key;
	info.version = XNR_VERSION;
	info.model_path = id->model_dir;
	info.model_hash = id->model_hash;
	info.model_arch = x->cfg->architecture;
	info.data_path = x->info->path;
	info.data_hash = id->data_hash;
	info.split = x->info->split;
	info.options_json = id->options;
	info.scheme = scheme_json;
	info.hidden_size = x->cfg->hidden_size;
	info.hidden_f16 = x->opts->hidden_f16;
	info.n_labels = x->cfg->n_labels;
	info.labels = (const char *const *)x->cfg->id2label;
	if ((st = xnr_run_begin(store, &info, &x->writer, err)) == XNR_OK &&
	    (st = xnr__shard_settings(x, id->run_key, err)) == XNR_OK &&
	    (st = run_all(x, ctl, err)) == XNR_OK) {
		xnr_ctl_progress(ctl, 1.0, "summary");
		st = xnr__run_summary(x, scheme_json, &summary, &report, err);
	}
	if (st == XNR_OK) {
		st = xnr_run_commit(x->writer, (int)x->n_sel, x->n_words, x->n_tokens,
		                    xnr_now() - t0, summary, &res->run_id, err);
		x->writer = NULL;
	}
	if (st == XNR_OK) {
		xnr__run_keep(x, store, res->run_id, info.labels, info.n_labels, scheme_json, res);
		res->n_sentences = (long)x->n_sel;
		res->n_words = x->n_words;
		res->n_tokens = x->n_tokens;
		res->report = report;
		report = NULL;
	}
	free(summary);
	free(report);
	return st;
}

enum xnr_status xnr_pipeline_run(const struct xnr_run_opts *o, const struct xnr_ctl *ctl,
                                 struct xnr_run_outcome *out, struct xnr_error *err)
{
	struct xnr__run x;
	struct xnr_store *store = NULL;
	struct xnr_run_outcome res;
	struct run_ids id;
	char *scheme_json = NULL;
	double t0 = xnr_now();
	enum xnr_status st;

	memset(&x, 0, sizeof x);
	memset(&res, 0, sizeof res);
	memset(&id, 0, sizeof id);
	x.opts = o;
	xnr_ctl_progress(ctl, 0.0, "loading");
	if ((st = check_opts(o, err)) != XNR_OK ||
	    (st = open_inputs(&x, ctl, &scheme_json, err)) != XNR_OK ||
	    (st = make_key(&x, &id, err)) != XNR_OK)
		goto done;
	/* before the store is opened, so a cancelled run does not even make the staged file */
	if (xnr_ctl_cancelled(ctl)) {
		st = cancelled(err);
		goto done;
	}
	if ((st = xnr_store_open_staged(o->output, &store, err)) != XNR_OK)
		goto done;
	/* Another writer may hold the database for minutes: waiting for it is
	 * cancellable too. */
	xnr_store_set_ctl(store, ctl);
	if ((st = xnr_store_find_run(store, id.key, &res.run_id, err)) != XNR_OK)
		goto done;
	if (res.run_id) {
		res.reused = 1;
		if ((st = stored_counts(store, res.run_id, &res, err)) == XNR_OK)
			xnr_ctl_progress(ctl, 1.0, "summary");
	} else if ((st = write_run(&x, store, &id, scheme_json, ctl, t0, &res, err)) == XNR_OK) {
		st = xnr_store_publish(store, err);
	}
	if (st == XNR_OK) {
		res.seconds = xnr_now() - t0;
		*out = res;
	} else {
		xnr_run_outcome_free(&res);
	}
done:
	if (st == XNR_ERR_CANCELLED) /* one message, whatever stage heard it */
		cancelled(err);
	ctx_free(&x);
	xnr_store_close(store);
	free(id.options);
	free(scheme_json);
	return st;
}
