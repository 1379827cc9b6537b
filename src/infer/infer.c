/*
 * infer.c - tokenise, window (window.c), pack by length, run, scatter back.
 * See infer.h.
 *
 * A bare encoder (no classification head, e.g. a sentence-transformers folder,
 * hf-formats.md 7) gives hidden states only; its sentence_bert_config.json
 * max_seq_length is the default window length.
 */
#include "infer/infer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "infer/internal.h"
#include "model/hub.h"
#include "tensor/gemm.h"
#include "tensor/kernels.h"

struct xnr_engine {
	struct xnr_engine_params params;
	char dir[512]; /* the folder or hub id as given, for messages */
	struct xnr_model *model;
	struct xnr_tokenizer *tok;
	struct xnr_pool *pool;
	struct xnr_state *state;
	struct xnr__windows win; /* how inputs are cut into windows */
	int max_seq;             /* framed tokens of the longest window */
	/* packing buffers, sized max_tokens */
	int32_t *ids;
	int32_t *type_ids;
	int32_t *seq_start;  /* max_tokens + 1 */
	int32_t *src_input;  /* per packed token: input index or -1 (special) */
	int32_t *src_tok;    /* per packed token: body token index */
	int32_t *src_window; /* per packed token: window index within its input */
	struct xnr_encoding frame;
};

struct window {
	int input;
	int k;     /* index among the input's windows */
	int begin; /* body token range */
	int end;
};

struct xnr_engine_params xnr_engine_default_params(void)
{
	struct xnr_engine_params p = {
	    .n_threads = 1,
	    .max_tokens = 4096,
	    .max_seq_len = 0,
	    .keep_hidden = 0,
	    .keep_layers = 0,
	};
	return p;
}

static enum xnr_status alloc_buffers(struct xnr_engine *e, struct xnr_error *err)
{
	size_t n = (size_t)e->params.max_tokens;
	e->ids = malloc(n * sizeof *e->ids);
	e->type_ids = malloc(n * sizeof *e->type_ids);
	e->seq_start = malloc((n + 1) * sizeof *e->seq_start);
	e->src_input = malloc(n * sizeof *e->src_input);
	e->src_tok = malloc(n * sizeof *e->src_tok);
	e->src_window = malloc(n * sizeof *e->src_window);
	if (!e->ids || !e->type_ids || !e->seq_start || !e->src_input || !e->src_tok ||
	    !e->src_window)
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate batch buffers for %zu tokens",
		                n);
	return XNR_OK;
}

static enum xnr_status check_vocab(const struct xnr_engine *e, struct xnr_error *err)
{
	int n_tok = xnr_tokenizer_vocab_size(e->tok);
	int n_model = xnr_model_config(e->model)->vocab_size;
	if (n_tok > n_model)
		return xnr_fail(err, XNR_ERR_MISMATCH,
		                "the tokenizer has %d tokens but the model's vocab_size is %d "
		                "(tokenizer files and weights come from different models?)",
		                n_tok, n_model);
	return XNR_OK;
}

enum xnr_status xnr_engine_need_head(const struct xnr_engine *e, struct xnr_error *err)
{
	if (xnr_model_config(e->model)->has_classifier)
		return XNR_OK;
	return xnr_fail(err, XNR_ERR_UNSUPPORTED,
	                "model %s has no token-classification head (it is an encoder, e.g. "
	                "sentence-transformers): use it as the Find Duplicates encoder",
	                e->dir);
}

/* *max = sentence-transformers' max_seq_length (sentence_bert_config.json)
 * when it is within 1..limit, else limit. A missing, unreadable or odd file
 * is no error (the folder still works as an encoder); running out of memory
 * reading it is. */
static enum xnr_status st_max_seq(const char *path, int limit, int *max, struct xnr_error *err)
{
	char file[4096];
	json_t *root = NULL;
	struct xnr_error ignored;
	int64_t v = 0;
	enum xnr_status st;

	*max = limit;
	if (xnr_path_join(file, sizeof file, path, "sentence_bert_config.json", &ignored) !=
	        XNR_OK ||
	    !xnr_file_exists(file))
		return XNR_OK;
	st = xnr_json_load(file, 1u << 16, &root, &ignored);
	if (st == XNR_ERR_NOMEM)
		return xnr_fail_at(err, st, file, 0, "out of memory");
	if (st != XNR_OK)
		return XNR_OK;
	if (json_is_object(root) && xnr_json_int(root, "max_seq_length", &v, file, &ignored) == 1 &&
	    v >= 1 && v <= limit)
		*max = (int)v;
	json_decref(root);
	return XNR_OK;
}

enum xnr_status xnr_engine_open(const char *dir, struct xnr_engine_params params,
                                struct xnr_engine **out, struct xnr_error *err)
{
	struct xnr_engine *e;
	const struct xnr_model_config *cfg;
	struct xnr_forward_opts opts = {params.keep_layers, params.keep_layers};
	int n_layers;
	char path[4096];
	enum xnr_status st;
	int limit;

	if (params.n_threads < 1 || params.n_threads > 256)
		return xnr_fail(err, XNR_ERR_INPUT, "--threads must be 1..256, got %d",
		                params.n_threads);
	e = calloc(1, sizeof *e);
	if (!e)
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate engine");
	e->params = params;
	snprintf(e->dir, sizeof e->dir, "%s", dir);
	xnr_encoding_init(&e->frame);
	if ((st = xnr_hub_resolve(dir, path, sizeof path, err)) != XNR_OK)
		goto fail;
	if ((st = xnr_model_open(path, &e->model, err)) != XNR_OK)
		goto fail;
	if ((st = xnr_tokenizer_open(path, &e->tok, err)) != XNR_OK)
		goto fail;
	if ((st = check_vocab(e, err)) != XNR_OK)
		goto fail;
	if ((st = xnr_model_set_precision(e->model, params.precision, err)) != XNR_OK)
		goto fail;
	/* without a head, only hidden states are worth computing */
	if (!params.keep_hidden && !params.keep_layers &&
	    (st = xnr_engine_need_head(e, err)) != XNR_OK)
		goto fail;
	cfg = xnr_model_config(e->model);
	n_layers = cfg->n_layers;
	if (params.hidden_layer < 0 || params.hidden_layer > n_layers) {
		st =
		    xnr_fail(err, XNR_ERR_INPUT,
		             "--hidden-layer %d: model %s has %d layers (give 1 to %d; the last is "
		             "the default)",
		             params.hidden_layer, dir, n_layers, n_layers);
		goto fail;
	}
	/* layer N below the last: the forward pass keeps every layer's output */
	if (params.hidden_layer == n_layers)
		e->params.hidden_layer = 0;
	else if (params.hidden_layer > 0)
		opts.all_hidden = 1;
	limit = cfg->max_positions - cfg->position_offset;
	if (!cfg->has_classifier && (st = st_max_seq(path, limit, &limit, err)) != XNR_OK)
		goto fail;
	e->max_seq =
	    params.max_seq_len > 0 && params.max_seq_len < limit ? params.max_seq_len : limit;
	xnr__windows_init(&e->win, e->max_seq - xnr_tokenizer_n_special(e->tok),
	                  xnr_tokenizer_n_special(e->tok));
	if (e->win.whole < 2) {
		st = xnr_fail(err, XNR_ERR_INPUT, "windows of %d tokens leave no room for text",
		              e->max_seq);
		goto fail;
	}
	if (e->params.max_tokens < e->max_seq)
		e->params.max_tokens = e->max_seq;
	if ((st = alloc_buffers(e, err)) != XNR_OK)
		goto fail;
	if ((st = xnr_pool_open(params.n_threads, &e->pool, err)) != XNR_OK)
		goto fail;
	xnr_gemm_set_threads(params.n_threads);
	st = xnr_state_open(e->model, e->params.max_tokens, e->max_seq, opts, &e->state, err);
	if (st != XNR_OK)
		goto fail;
	*out = e;
	return XNR_OK;
fail:
	xnr_engine_close(e);
	return st;
}

void xnr_engine_close(struct xnr_engine *e)
{
	if (!e)
		return;
	xnr_state_close(e->state);
	xnr_pool_close(e->pool);
	xnr_tokenizer_close(e->tok);
	xnr_model_close(e->model);
	xnr_encoding_free(&e->frame);
	free(e->ids);
	free(e->type_ids);
	free(e->seq_start);
	free(e->src_input);
	free(e->src_tok);
	free(e->src_window);
	free(e);
}

const struct xnr_model_config *xnr_engine_config(const struct xnr_engine *e)
{
	return xnr_model_config(e->model);
}

const struct xnr_tokenizer *xnr_engine_tokenizer(const struct xnr_engine *e)
{
	return e->tok;
}

const struct xnr_model *xnr_engine_model(const struct xnr_engine *e)
{
	return e->model;
}

void xnr_result_init(struct xnr_result *res)
{
	memset(res, 0, sizeof *res);
	xnr_encoding_init(&res->enc);
}

void xnr_result_free(struct xnr_result *res)
{
	if (!res)
		return;
	xnr_encoding_free(&res->enc);
	free(res->logits);
	free(res->probs);
	free(res->hidden);
	free(res->layers);
	free(res->ffn_acts);
	free(res->word_tok);
	free(res->word_span);
	xnr_result_init(res);
}

int xnr_result_word_label(const struct xnr_result *res, int w, float *prob)
{
	int t, j, best = 0;
	const float *p;

	if (w < 0 || w >= res->n_words || (t = res->word_tok[w]) < 0 || res->n_labels < 1)
		return -1;
	p = res->probs + (size_t)t * (size_t)res->n_labels;
	for (j = 1; j < res->n_labels; j++)
		if (p[j] > p[best])
			best = j;
	if (prob)
		*prob = p[best];
	return best;
}

/* Word index of every token is enc.word_ids; fill word_tok and word_span. */
static enum xnr_status map_words(struct xnr_result *r, const struct xnr_input *in,
                                 struct xnr_error *err)
{
	int t, w, n_words = in->words ? in->n_words : 0;

	for (t = 0; t < r->enc.n_tokens; t++)
		if (r->enc.word_ids[t] >= n_words)
			n_words = r->enc.word_ids[t] + 1;
	r->n_words = n_words;
	r->word_tok = malloc(((size_t)n_words + 1) * sizeof *r->word_tok);
	r->word_span = malloc(((size_t)n_words + 1) * 2 * sizeof *r->word_span);
	if (!r->word_tok || !r->word_span)
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate word maps");
	for (w = 0; w < n_words; w++) {
		r->word_tok[w] = -1;
		r->word_span[2 * w] = 0;
		r->word_span[2 * w + 1] = in->words ? (int32_t)in->word_lens[w] : 0;
	}
	for (t = 0; t < r->enc.n_tokens; t++) {
		w = r->enc.word_ids[t];
		if (w < 0)
			continue;
		if (r->word_tok[w] < 0) {
			r->word_tok[w] = t;
			if (!in->words)
				r->word_span[2 * w] = r->enc.offsets[2 * t];
		}
		if (!in->words && r->enc.offsets[2 * t + 1] > r->word_span[2 * w + 1])
			r->word_span[2 * w + 1] = r->enc.offsets[2 * t + 1];
	}
	return XNR_OK;
}

static enum xnr_status prepare(struct xnr_engine *e, const struct xnr_input *in,
                               struct xnr_result *r, struct xnr_error *err)
{
	const struct xnr_model_config *cfg = xnr_model_config(e->model);
	enum xnr_status st;
	size_t n;

	xnr_result_free(r);
	if (in->words)
		st = xnr_tokenizer_encode_words(e->tok, in->words, in->word_lens, in->n_words, 0,
		                                &r->enc, err);
	else
		st = xnr_tokenizer_encode(e->tok, in->text, in->text_len, 0, &r->enc, err);
	if (st != XNR_OK)
		return st;
	r->n_labels = cfg->n_labels;
	r->hidden_size = cfg->hidden_size;
	n = (size_t)r->enc.n_tokens + 1;
	if (cfg->n_labels > 0) {
		r->logits = malloc(n * (size_t)cfg->n_labels * sizeof *r->logits);
		r->probs = malloc(n * (size_t)cfg->n_labels * sizeof *r->probs);
	}
	if (e->params.keep_hidden)
		r->hidden = malloc(n * (size_t)cfg->hidden_size * sizeof *r->hidden);
	if (e->params.keep_layers) {
		r->n_layers = cfg->n_layers;
		r->ffn_size = cfg->intermediate_size;
		r->layers = malloc(n * (size_t)(cfg->n_layers + 1) * (size_t)cfg->hidden_size *
		                   sizeof *r->layers);
		r->ffn_acts = malloc(n * (size_t)cfg->n_layers * (size_t)cfg->intermediate_size *
		                     sizeof *r->ffn_acts);
	}
	if ((cfg->n_labels > 0 && (!r->logits || !r->probs)) ||
	    (e->params.keep_hidden && !r->hidden) ||
	    (e->params.keep_layers && (!r->layers || !r->ffn_acts)))
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate results for %d tokens",
		                r->enc.n_tokens);
	r->n_windows = xnr__windows_count(&e->win, r->enc.n_tokens);
	return map_words(r, in, err);
}

static int cmp_window_len(const void *a, const void *b)
{
	const struct window *x = a, *y = b;
	int lx = x->end - x->begin, ly = y->end - y->begin;
	if (lx != ly)
		return ly - lx;
	if (x->input != y->input)
		return x->input - y->input;
	return x->k - y->k;
}

/* Copy row p of every layer of a (n_layers, N, width) block to row t of the
 * (n_layers, n_tokens, width) block of a result. */
static void scatter_layers(float *dst, const float *src, int n_layers, int n_tokens, int N, int p,
                           int t, int width)
{
	int l;
	for (l = 0; l < n_layers; l++)
		memcpy(dst + ((size_t)l * (size_t)n_tokens + (size_t)t) * (size_t)width,
		       src + ((size_t)l * (size_t)N + (size_t)p) * (size_t)width,
		       (size_t)width * sizeof(float));
}

/* Copy the outputs of packed tokens back to the windows' owners. */
static void scatter(struct xnr_engine *e, const struct xnr_outputs *o, struct xnr_result *results)
{
	int p;
	for (p = 0; p < o->n_tokens; p++) {
		struct xnr_result *r;
		int t = e->src_tok[p], L, H;
		if (e->src_input[p] < 0)
			continue;
		r = &results[e->src_input[p]];
		if (xnr__windows_owner(&e->win, r->enc.n_tokens, t) != e->src_window[p])
			continue;
		L = r->n_labels;
		H = r->hidden_size;
		if (L > 0) {
			memcpy(r->logits + (size_t)t * L, o->logits + (size_t)p * L,
			       (size_t)L * sizeof(float));
			xnr_softmax_probs(r->logits + (size_t)t * L, r->probs + (size_t)t * L, L);
		}
		if (r->hidden)
			memcpy(r->hidden + (size_t)t * H,
			       (e->params.hidden_layer > 0
			            ? o->all_hidden + (size_t)e->params.hidden_layer *
			                                  (size_t)o->n_tokens * (size_t)H
			            : o->hidden) +
			           (size_t)p * H,
			       (size_t)H * sizeof(float));
		if (r->layers) {
			scatter_layers(r->layers, o->all_hidden, r->n_layers + 1, r->enc.n_tokens,
			               o->n_tokens, p, t, H);
			scatter_layers(r->ffn_acts, o->ffn_acts, r->n_layers, r->enc.n_tokens,
			               o->n_tokens, p, t, r->ffn_size);
		}
	}
}

/* Frame window wd and append it to the packed batch at position *n_packed. */
static enum xnr_status pack_window(struct xnr_engine *e, const struct window *wd,
                                   const struct xnr_result *r, int *n_packed, struct xnr_error *err)
{
	enum xnr_status st;
	int j, body = wd->begin, base = *n_packed;

	st = xnr_tokenizer_frame(e->tok, &r->enc, wd->begin, wd->end, &e->frame, err);
	if (st != XNR_OK)
		return st;
	if (base + e->frame.n_tokens > e->params.max_tokens)
		return xnr_fail(err, XNR_ERR_INTERNAL, "window of %d tokens overflows the batch",
		                e->frame.n_tokens);
	for (j = 0; j < e->frame.n_tokens; j++) {
		e->ids[base + j] = e->frame.ids[j];
		e->type_ids[base + j] = e->frame.type_ids[j];
		e->src_input[base + j] = e->frame.special[j] ? -1 : wd->input;
		e->src_tok[base + j] = e->frame.special[j] ? -1 : body++;
		e->src_window[base + j] = wd->k;
	}
	*n_packed = base + e->frame.n_tokens;
	return XNR_OK;
}

static enum xnr_status run_windows(struct xnr_engine *e, const struct window *wins, int n_wins,
                                   struct xnr_result *results, struct xnr_error *err)
{
	int i = 0;
	int n_special = xnr_tokenizer_n_special(e->tok);

	while (i < n_wins) {
		struct xnr_batch batch;
		struct xnr_outputs out;
		enum xnr_status st;
		int n_seq = 0, n_packed = 0;

		e->seq_start[0] = 0;
		while (i < n_wins && n_packed + (wins[i].end - wins[i].begin) + n_special <=
		                         e->params.max_tokens) {
			st = pack_window(e, &wins[i], &results[wins[i].input], &n_packed, err);
			if (st != XNR_OK)
				return st;
			e->seq_start[++n_seq] = n_packed;
			i++;
		}
		batch.n_seq = n_seq;
		batch.ids = e->ids;
		batch.type_ids = e->type_ids;
		batch.seq_start = e->seq_start;
		st = xnr_model_forward(e->model, e->state, e->pool, &batch, &out, err);
		if (st != XNR_OK)
			return st;
		scatter(e, &out, results);
	}
	return XNR_OK;
}

enum xnr_status xnr_engine_run(struct xnr_engine *e, const struct xnr_input *inputs, int n,
                               struct xnr_result *results, struct xnr_error *err)
{
	struct window *wins = NULL;
	long n_wins = 0, cap = 0;
	enum xnr_status st = XNR_OK;
	int i, k;

	for (i = 0; i < n; i++) {
		st = prepare(e, &inputs[i], &results[i], err);
		if (st != XNR_OK) {
			xnr_error_set_item(err, i + 1);
			goto done;
		}
		cap += results[i].n_windows;
	}
	wins = malloc(((size_t)cap + 1) * sizeof *wins);
	if (!wins) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "cannot allocate %ld windows", cap);
		goto done;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < results[i].n_windows; k++) {
			struct window *w = &wins[n_wins++];
			w->input = i;
			w->k = k;
			xnr__windows_range(&e->win, results[i].enc.n_tokens, k, &w->begin, &w->end);
		}
	}
	qsort(wins, (size_t)n_wins, sizeof *wins, cmp_window_len);
	st = run_windows(e, wins, (int)n_wins, results, err);
done:
	free(wins);
	return st;
}
