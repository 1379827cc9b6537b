/*
 * cmd_run.c - `explainer run`: a model over every sentence of a dataset
 * split, every prediction, probability, loss, hidden state and entity stored
 * in the run database (docs/schema.md) in one transaction, and the seqeval
 * report printed. Asking again for the same model, data and options reuses
 * the stored run.
 */
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/entities.h"
#include "analysis/losses.h"
#include "analysis/seqeval.h"
#include "analysis/tagset.h"
#include "cli/cli.h"
#include "cli/run.h"
#include "core/file.h"
#include "core/hash.h"
#include "core/progress.h"
#include "data/dataset.h"
#include "infer/infer.h"
#include "model/hub.h"
#include "store/store.h"

#define RUN_CHUNK 512 /* sentences per engine call */

static const char run_usage[] =
    "usage: explainer run --model DIR --data PATH [options] -o RUN.db\n"
    "\n"
    "Runs a token-classification model over every sentence of a dataset split and\n"
    "stores every prediction, probability, loss, hidden state and entity in a SQLite\n"
    "database (schema: docs/schema.md), then prints the seqeval report. The same\n"
    "model, data and options again reuse the stored run.\n"
    "\n"
    "options:\n"
    "  -m, --model DIR        model folder, or a Hugging Face id in the local hub cache\n"
    "  -d, --data PATH        CoNLL or JSONL file, or a folder with train/dev/test files\n"
    "  -s, --split NAME       split of a folder: train, dev or test (default test)\n"
    "  -o, --output RUN.db    the database to add the run to (created if missing)\n"
    "  -l, --limit N          only the first N sentences\n"
    "      --sample N         N sentences drawn at random (with --seed, default 0)\n"
    "      --seed S           seed of --sample\n"
    "      --tag-column N     CoNLL column of the tag, 1-based (default: the last)\n"
    "      --labels L         JSONL integer tags: label names in id order, comma separated\n"
    "      --label-map M      rename dataset labels: FROM=TO,FROM=TO\n"
    "  -n, --threads N        compute threads (default: the number of cores)\n"
    "  -L, --max-length N     tokens per window including special tokens\n"
    "  -q, --quiet            no progress bar and no report\n"
    "  -h, --help             this help\n";

static enum xnr_status parse_run(int argc, char **argv, struct xnr_run_opts *o, int *rc)
{
	enum { OPT_SAMPLE = 256, OPT_SEED, OPT_TAGCOL, OPT_LABELS, OPT_LABELMAP };
	static const struct option longopts[] = {
	    {"model", required_argument, NULL, 'm'},
	    {"data", required_argument, NULL, 'd'},
	    {"split", required_argument, NULL, 's'},
	    {"output", required_argument, NULL, 'o'},
	    {"limit", required_argument, NULL, 'l'},
	    {"sample", required_argument, NULL, OPT_SAMPLE},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"tag-column", required_argument, NULL, OPT_TAGCOL},
	    {"labels", required_argument, NULL, OPT_LABELS},
	    {"label-map", required_argument, NULL, OPT_LABELMAP},
	    {"threads", required_argument, NULL, 'n'},
	    {"max-length", required_argument, NULL, 'L'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof *o);
	o->threads = xnr_cli_default_threads();
	optind = 1;
	opterr = 0;
	*rc = XNR_EXIT_USAGE;
	while ((c = getopt_long(argc, argv, "m:d:s:o:l:n:L:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->model = optarg;
			break;
		case 'd':
			o->data = optarg;
			break;
		case 's':
			o->split = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'l':
			if (xnr_cli_parse_int("run", "--limit", optarg, 1, 1 << 30, &o->limit))
				return XNR_ERR_INPUT;
			break;
		case OPT_SAMPLE:
			if (xnr_cli_parse_int("run", "--sample", optarg, 1, 1 << 30, &o->sample))
				return XNR_ERR_INPUT;
			break;
		case OPT_SEED:
			if (xnr_cli_parse_int("run", "--seed", optarg, 0, 0x7fffffff, &o->seed))
				return XNR_ERR_INPUT;
			break;
		case OPT_TAGCOL:
			if (xnr_cli_parse_int("run", "--tag-column", optarg, 2, 1000,
			                      &o->tag_column))
				return XNR_ERR_INPUT;
			break;
		case OPT_LABELS:
			o->labels = optarg;
			break;
		case OPT_LABELMAP:
			o->label_map = optarg;
			break;
		case 'n':
			if (xnr_cli_parse_int("run", "--threads", optarg, 1, 256, &o->threads))
				return XNR_ERR_INPUT;
			break;
		case 'L':
			if (xnr_cli_parse_int("run", "--max-length", optarg, 4, 1 << 20,
			                      &o->max_length))
				return XNR_ERR_INPUT;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			fputs(run_usage, stdout);
			*rc = XNR_EXIT_OK;
			return XNR_ERR_INPUT;
		default:
			xnr_cli_usage_error("run", "unknown option or missing value: %s",
			                    argv[optind - 1]);
			return XNR_ERR_INPUT;
		}
	}
	if (optind < argc)
		xnr_cli_usage_error("run", "unexpected argument \"%s\"", argv[optind]);
	else if (!o->model || !o->data || !o->output)
		xnr_cli_usage_error("run", "--model, --data and --output are required");
	else if (o->limit && o->sample)
		xnr_cli_usage_error("run", "--limit and --sample exclude each other");
	else
		return XNR_OK;
	return XNR_ERR_INPUT;
}

/* splitmix64: a small, well-mixed generator, so a seed means the same sample everywhere. */
static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* The sentences to run, in dataset order: all, the first --limit, or a seeded --sample. */
static enum xnr_status select_sentences(struct xnr_run_ctx *x, struct xnr_error *err)
{
	size_t n = x->ds->n_sentences, i, want = n;
	uint64_t state = (uint64_t)x->opts.seed;

	if (x->opts.limit && (size_t)x->opts.limit < n)
		want = (size_t)x->opts.limit;
	if (x->opts.sample && (size_t)x->opts.sample < n)
		want = (size_t)x->opts.sample;
	x->sel = malloc((n + 1) * sizeof *x->sel);
	if (!x->sel)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		x->sel[i] = i;
	if (x->opts.sample) {
		for (i = 0; i < want; i++) { /* partial Fisher-Yates */
			size_t j = i + (size_t)(splitmix64(&state) % (uint64_t)(n - i)),
			       t = x->sel[i];
			x->sel[i] = x->sel[j];
			x->sel[j] = t;
		}
		qsort(x->sel, want, sizeof *x->sel, cmp_size);
	}
	x->n_sel = want;
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

/* Detect the data's scheme, convert it to the model's, map its labels to
 * model ids. *scheme_json describes what was found (caller frees). */
static enum xnr_status prepare_labels(struct xnr_run_ctx *x, char **scheme_json,
                                      struct xnr_error *err)
{
	struct xnr_scheme_report rep;
	struct xnr_label_map map;
	enum xnr_scheme to = model_scheme(x->cfg);
	enum xnr_status st;
	json_t *j;
	int i;

	memset(&map, 0, sizeof map);
	if ((st = xnr_dataset_detect(x->ds, 0, &rep, err)) != XNR_OK)
		return st;
	j = json_pack("{s:s,s:s,s:I}", "data", xnr_scheme_name(rep.scheme), "model",
	              xnr_scheme_name(to), "ill_formed", (json_int_t)rep.n_ill_formed);
	*scheme_json = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!x->opts.quiet && rep.n_ill_formed)
		fprintf(stderr,
		        "explainer: %s: %zu ill-formed %s tag sequences (repaired as conlleval)\n",
		        x->ds->path, rep.n_ill_formed, xnr_scheme_name(rep.scheme));
	if (rep.scheme != to && (st = xnr_dataset_convert(x->ds, to, err)) != XNR_OK)
		goto done;
	if (x->opts.label_map && (st = xnr_label_map_parse(x->opts.label_map, &map, err)) != XNR_OK)
		goto done;
	x->label_ids = malloc((x->ds->labels.n + 1) * sizeof *x->label_ids);
	if (!x->label_ids) {
		st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		goto done;
	}
	st = xnr_labels_match(&x->ds->labels, (const char *const *)x->cfg->id2label,
	                      (size_t)x->cfg->n_labels, x->opts.label_map ? &map : NULL,
	                      x->ds->path, x->label_ids, err);
	for (i = 0, x->o_label = 0; i < x->cfg->n_labels; i++)
		if (strcmp(x->cfg->id2label[i], "O") == 0)
			x->o_label = i;
done:
	xnr_label_map_free(&map);
	xnr_scheme_report_free(&rep);
	return st;
}

static enum xnr_status build_tagset(struct xnr_run_ctx *x, struct xnr_error *err)
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
 * and every .safetensors file (shards included), in a fixed order. */
static enum xnr_status hash_model(const char *dir, char hex[XNR_SHA256_HEX], struct xnr_error *err)
{
	static const char *const files[] = {"config.json", "model.safetensors.index.json",
	                                    "tokenizer.json", "vocab.txt", "tokenizer_config.json"};
	struct xnr_sha256 *h = NULL;
	struct dirent **list = NULL;
	enum xnr_status st = xnr_sha256_open(&h, err);
	int i, n = st == XNR_OK ? scandir(dir, &list, is_safetensors, alphasort) : 0;

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
	json_t *j = json_pack("{s:s?,s:i,s:i,s:i,s:i,s:s?,s:s?,s:i}", "split", ds->split, "limit",
	                      o->limit, "sample", o->sample, "seed", o->sample ? o->seed : 0,
	                      "tag_column", o->tag_column, "labels", o->labels, "label_map",
	                      o->label_map, "max_length", o->max_length);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return s;
}

struct run_ids {
	char model_dir[4096];
	char model_hash[XNR_SHA256_HEX], data_hash[XNR_SHA256_HEX], key[XNR_SHA256_HEX];
	char *options;
};

static enum xnr_status make_key(struct xnr_run_ctx *x, struct run_ids *id, struct xnr_error *err)
{
	struct xnr_sha256 *h = NULL;
	enum xnr_status st;

	if ((st = xnr_hub_resolve(x->opts.model, id->model_dir, sizeof id->model_dir, err)) !=
	        XNR_OK ||
	    (st = hash_model(id->model_dir, id->model_hash, err)) != XNR_OK ||
	    (st = xnr_sha256_open(&h, err)) != XNR_OK)
		return st;
	if ((st = xnr_sha256_file(h, x->ds->path, err)) == XNR_OK) {
		xnr_sha256_hex(h, id->data_hash);
		if (!(id->options = options_json(&x->opts, x->ds))) {
			st = xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		} else {
			xnr_sha256_update(h, id->model_hash, strlen(id->model_hash) + 1);
			xnr_sha256_update(h, id->data_hash, strlen(id->data_hash) + 1);
			xnr_sha256_update(h, id->options, strlen(id->options) + 1);
			xnr_sha256_update(h, XNR_VERSION, strlen(XNR_VERSION) + 1);
			xnr_sha256_hex(h, id->key);
		}
	}
	xnr_sha256_close(h);
	return st;
}

/* Words of each selected sentence laid out back to back: sent_start, gold, pred. */
static enum xnr_status alloc_words(struct xnr_run_ctx *x, struct xnr_error *err)
{
	size_t i, n = 0;
	x->sent_start = malloc((x->n_sel + 1) * sizeof *x->sent_start);
	if (!x->sent_start)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = 0; i < x->n_sel; i++) {
		x->sent_start[i] = n;
		n += x->ds->sentences[x->sel[i]].n_words;
	}
	x->sent_start[x->n_sel] = n;
	x->gold = malloc((n + 1) * sizeof *x->gold);
	x->pred = malloc((n + 1) * sizeof *x->pred);
	if (!x->gold || !x->pred)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	return XNR_OK;
}

/* Run sentences [b, e) of the selection through the engine and write them. */
static enum xnr_status run_chunk(struct xnr_run_ctx *x, size_t b, size_t e, struct xnr_input *in,
                                 struct xnr_result *res, struct xnr_error *err)
{
	size_t i, w, n_len = 0;
	enum xnr_status st;
	size_t *lens = malloc((x->sent_start[e] - x->sent_start[b] + 1) * sizeof *lens);

	if (!lens)
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = b; i < e; i++) {
		const struct xnr_sentence *s = &x->ds->sentences[x->sel[i]];
		memset(&in[i - b], 0, sizeof in[i - b]);
		in[i - b].words = x->ds->words + s->first_word;
		in[i - b].word_lens = lens + n_len;
		in[i - b].n_words = (int)s->n_words;
		for (w = 0; w < s->n_words; w++)
			lens[n_len++] = strlen(x->ds->words[s->first_word + w]);
	}
	st = xnr_engine_run(x->engine, in, (int)(e - b), res, err);
	if (st != XNR_OK) {
		int bad = 0;
		if (sscanf(err->msg, "input %d:", &bad) == 1 && bad >= 1 && (size_t)bad <= e - b)
			xnr_error_prefix(err, "%s:%ld: ", x->ds->path,
			                 x->ds->sentences[x->sel[b + (size_t)bad - 1]].line);
	}
	for (i = b; st == XNR_OK && i < e; i++)
		st = xnr_run_write_sentence(x, i, (int)x->ds->sentences[x->sel[i]].document,
		                            &res[i - b], err);
	free(lens);
	return st;
}

static enum xnr_status run_all(struct xnr_run_ctx *x, struct xnr_error *err)
{
	struct xnr_input *in = calloc(RUN_CHUNK, sizeof *in);
	struct xnr_result *res = calloc(RUN_CHUNK, sizeof *res);
	struct xnr_progress bar;
	enum xnr_status st = XNR_OK;
	size_t b, i;

	if (!in || !res) {
		free(in);
		free(res);
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < RUN_CHUNK; i++)
		xnr_result_init(&res[i]);
	for (i = 0; st == XNR_OK && i < x->ds->n_documents; i++)
		st = xnr_run_add_document(x->writer, (int)i, x->ds->documents[i].line, err);
	xnr_progress_init(&bar, x->opts.quiet ? NULL : stderr, 0, (long)x->n_sel, "sentences");
	for (b = 0; st == XNR_OK && b < x->n_sel; b += RUN_CHUNK) {
		size_t e = b + RUN_CHUNK < x->n_sel ? b + RUN_CHUNK : x->n_sel;
		st = run_chunk(x, b, e, in, res, err);
		xnr_progress_add(&bar, (long)(e - b));
	}
	if (st == XNR_OK)
		xnr_progress_finish(&bar);
	for (i = 0; i < RUN_CHUNK; i++)
		xnr_result_free(&res[i]);
	free(in);
	free(res);
	return st;
}

static void ctx_free(struct xnr_run_ctx *x)
{
	xnr_run_abort(x->writer);
	xnr_tagset_close(x->tags);
	xnr_engine_close(x->engine);
	xnr_dataset_close(x->ds);
	free(x->label_ids);
	free(x->sel);
	free(x->sent_start);
	free(x->gold);
	free(x->pred);
}

static enum xnr_status open_inputs(struct xnr_run_ctx *x, char **scheme_json, struct xnr_error *err)
{
	struct xnr_data_params dp = xnr_data_default_params();
	struct xnr_engine_params ep = xnr_engine_default_params();
	enum xnr_status st;

	dp.split = x->opts.split;
	dp.tag_column = x->opts.tag_column;
	dp.labels = x->opts.labels;
	ep.n_threads = x->opts.threads;
	ep.max_seq_len = x->opts.max_length;
	ep.keep_hidden = 1;
	if ((st = xnr_dataset_open(x->opts.data, &dp, &x->ds, err)) != XNR_OK ||
	    (st = xnr_engine_open(x->opts.model, ep, &x->engine, err)) != XNR_OK)
		return st;
	x->cfg = xnr_engine_config(x->engine);
	if ((st = build_tagset(x, err)) != XNR_OK ||
	    (st = prepare_labels(x, scheme_json, err)) != XNR_OK ||
	    (st = select_sentences(x, err)) != XNR_OK)
		return st;
	return alloc_words(x, err);
}

/* The run: returns the exit code; the database is untouched unless it succeeds. */
static int do_run(struct xnr_run_ctx *x, struct xnr_error *err)
{
	struct xnr_store *store = NULL;
	struct run_ids id;
	struct xnr_run_info info;
	char *scheme_json = NULL, *summary = NULL, *report = NULL;
	double t0 = xnr_now();
	int64_t run_id = 0;
	enum xnr_status st;

	memset(&id, 0, sizeof id);
	if ((st = open_inputs(x, &scheme_json, err)) != XNR_OK ||
	    (st = make_key(x, &id, err)) != XNR_OK ||
	    (st = xnr_store_open(x->opts.output, 1, &store, err)) != XNR_OK ||
	    (st = xnr_store_find_run(store, id.key, &run_id, err)) != XNR_OK)
		goto done;
	if (run_id) {
		if (!x->opts.quiet)
			printf("run %lld in %s already holds this model, data and options: reusing "
			       "it\n",
			       (long long)run_id, x->opts.output);
		goto done;
	}
	memset(&info, 0, sizeof info);
	info.key = id.key;
	info.version = XNR_VERSION;
	info.model_path = id.model_dir;
	info.model_hash = id.model_hash;
	info.model_arch = x->cfg->architecture;
	info.data_path = x->ds->path;
	info.data_hash = id.data_hash;
	info.split = x->ds->split;
	info.options_json = id.options;
	info.scheme = scheme_json;
	info.hidden_size = x->cfg->hidden_size;
	info.n_labels = x->cfg->n_labels;
	info.labels = (const char *const *)x->cfg->id2label;
	if ((st = xnr_run_begin(store, &info, &x->writer, err)) != XNR_OK ||
	    (st = run_all(x, err)) != XNR_OK ||
	    (st = xnr_run_summary(x, scheme_json, &summary, &report, err)) != XNR_OK)
		goto done;
	st = xnr_run_commit(x->writer, (int)x->n_sel, x->n_words, x->n_tokens, xnr_now() - t0,
	                    summary, &run_id, err);
	x->writer = NULL;
	if (st == XNR_OK && !x->opts.quiet)
		printf(
		    "%s\nrun %lld written to %s: %zu sentences, %ld words, %ld tokens in %.1f s\n",
		    report ? report : "", (long long)run_id, x->opts.output, x->n_sel, x->n_words,
		    x->n_tokens, xnr_now() - t0);
done:
	xnr_run_abort(x->writer);
	x->writer = NULL;
	xnr_store_close(store);
	free(id.options);
	free(scheme_json);
	free(summary);
	free(report);
	return st == XNR_OK ? XNR_EXIT_OK : xnr_cli_report(err);
}

int xnr_cmd_run(int argc, char **argv)
{
	struct xnr_run_ctx x;
	struct xnr_error err;
	int rc;

	memset(&x, 0, sizeof x);
	xnr_error_clear(&err);
	if (parse_run(argc, argv, &x.opts, &rc) != XNR_OK)
		return rc;
	rc = do_run(&x, &err);
	ctx_free(&x);
	return rc;
}
