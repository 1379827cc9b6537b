/*
 * cmd_predict.c - `explainer predict`: tag text with a model and print each
 * word's label and probability as a table, or one JSON object per input line.
 * Word labels come from each word's first sub-token (infer.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/lines.h"
#include "infer/infer.h"

#define PREDICT_MAX_LINE (1 << 20) /* bytes per input line */
#define PREDICT_CHUNK    64        /* lines per engine run */

static const char predict_usage[] =
    "usage: explainer predict --model DIR [--text TEXT] [options]\n"
    "\n"
    "Tags text with a token-classification model and prints each word's label and\n"
    "probability. Without --text, reads one text per line from standard input.\n"
    "\n"
    "options:\n"
    "  -m, --model DIR      model folder (config.json, model.safetensors, tokenizer), or\n"
    "                       a Hugging Face model id (org/name[@revision]): taken from\n"
    "                       the hub cache, else downloaded into it (HF_ENDPOINT,\n"
    "                       HF_TOKEN; HF_HUB_OFFLINE=1: never)\n"
    "  -t, --text TEXT      the text to tag\n"
    "  -w, --words          inputs are pre-split words separated by spaces\n"
    "                       (Hugging Face is_split_into_words)\n"
    "  -j, --json           one JSON object per input line: tokens (id, text, byte\n"
    "                       offsets, word) and words (label, prob, every label's prob)\n"
    "  -n, --threads N      compute threads (default: the number of cores)\n"
    "  -L, --max-length N   tokens of the longest input run whole, special tokens\n"
    "                       included (default: the model's maximum); longer inputs\n"
    "                       are split into windows of at most 128 tokens\n"
    "      --precision P    fp32 (default, exact), bf16 (AVX-512 BF16) or int8 (AVX-512\n"
    "                       VNNI): faster, at a measured cost in accuracy (README)\n"
    "  -h, --help           this help\n";

struct predict_opts {
	const char *model_dir;
	const char *text;
	int words;
	int json;
	struct xnr_engine_params params;
};

/* One input line and, in --words mode, its words (pointers into line). */
struct line_input {
	char *line;
	size_t len;
	char **words;
	size_t *word_lens;
	size_t *word_pos; /* byte position of each word in line */
	int n_words;
};

static void line_input_free(struct line_input *li)
{
	free(li->line);
	free(li->words);
	free(li->word_lens);
	free(li->word_pos);
	memset(li, 0, sizeof *li);
}

static int split_words(struct line_input *li)
{
	size_t i = 0, cap = li->len / 2 + 1;
	li->words = malloc(cap * sizeof *li->words);
	li->word_lens = malloc(cap * sizeof *li->word_lens);
	li->word_pos = malloc(cap * sizeof *li->word_pos);
	if (!li->words || !li->word_lens || !li->word_pos)
		return -1;
	while (i < li->len) {
		size_t b;
		while (i < li->len && (li->line[i] == ' ' || li->line[i] == '\t'))
			i++;
		if (i >= li->len)
			break;
		b = i;
		while (i < li->len && li->line[i] != ' ' && li->line[i] != '\t')
			i++;
		li->words[li->n_words] = li->line + b;
		li->word_lens[li->n_words] = i - b;
		li->word_pos[li->n_words] = b;
		li->n_words++;
	}
	return 0;
}

static int display_width(const char *s, size_t len)
{
	utf8proc_ssize_t i = 0;
	int w = 0;
	while ((size_t)i < len) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)len - i, &c);
		if (n <= 0)
			break;
		w += c >= 0 ? utf8proc_charwidth(c) : 1;
		i += n;
	}
	return w;
}

/* Byte position of word w's start in the line (word mode) or 0 (text mode). */
static size_t word_base(const struct line_input *li, const struct xnr_result *r, int w)
{
	(void)r;
	return li->words ? li->word_pos[w] : 0;
}

static void print_table(const struct line_input *li, const struct xnr_result *r,
                        const struct xnr_model_config *cfg)
{
	int w, width = 4;
	const char *open_type = NULL;

	for (w = 0; w < r->n_words; w++) {
		int dw = display_width(li->line + word_base(li, r, w) + r->word_span[2 * w],
		                       (size_t)(r->word_span[2 * w + 1] - r->word_span[2 * w]));
		if (dw > width)
			width = dw < 40 ? dw : 40;
	}
	printf("%.*s\n", (int)li->len, li->line);
	printf("  %-*s  %-10s %s\n", width, "word", "label", "prob");
	for (w = 0; w < r->n_words; w++) {
		const char *text = li->line + word_base(li, r, w) + r->word_span[2 * w];
		int n = r->word_span[2 * w + 1] - r->word_span[2 * w];
		float prob = 0.0f;
		int label = xnr_result_word_label(r, w, &prob);
		int pad = width - display_width(text, (size_t)n);

		printf("  %.*s%*s  ", n, text, pad > 0 ? pad : 0, "");
		if (label < 0)
			printf("%-10s %s\n", "-", "(no tokens)");
		else
			printf("%-10s %.4f\n", cfg->id2label[label], prob);
	}
	printf("  entities:");
	for (w = 0; w < r->n_words; w++) {
		int label = xnr_result_word_label(r, w, NULL);
		const char *name = label >= 0 ? cfg->id2label[label] : "O";
		const char *type = strlen(name) > 2 && name[1] == '-' ? name + 2 : NULL;
		const char *text = li->line + word_base(li, r, w) + r->word_span[2 * w];
		int n = r->word_span[2 * w + 1] - r->word_span[2 * w];

		if (type && open_type && name[0] != 'B' && strcmp(type, open_type) == 0) {
			printf(" %.*s", n, text);
			continue;
		}
		if (open_type)
			printf(" (%s)", open_type);
		open_type = type;
		if (type)
			printf(" %.*s", n, text);
	}
	if (open_type)
		printf(" (%s)", open_type);
	printf("\n\n");
}

static json_t *tokens_json(const struct line_input *li, const struct xnr_result *r,
                           const struct xnr_tokenizer *tok)
{
	json_t *arr = json_array();
	int t;
	for (t = 0; t < r->enc.n_tokens; t++) {
		int w = r->enc.word_ids[t];
		size_t base = w >= 0 ? word_base(li, r, w) : 0;
		const char *s = xnr_tokenizer_id_to_token(tok, r->enc.ids[t]);
		json_array_append_new(
		    arr, json_pack("{s:i,s:s,s:I,s:I,s:i}", "id", r->enc.ids[t], "text", s ? s : "",
		                   "start", (json_int_t)base + r->enc.offsets[2 * t], "end",
		                   (json_int_t)base + r->enc.offsets[2 * t + 1], "word", w));
	}
	return arr;
}

static json_t *words_json(const struct line_input *li, const struct xnr_result *r,
                          const struct xnr_model_config *cfg)
{
	json_t *arr = json_array();
	int w, j;
	for (w = 0; w < r->n_words; w++) {
		size_t b = word_base(li, r, w) + (size_t)r->word_span[2 * w];
		size_t e = word_base(li, r, w) + (size_t)r->word_span[2 * w + 1];
		float prob = 0.0f;
		int label = xnr_result_word_label(r, w, &prob);
		json_t *o = json_pack("{s:s%,s:I,s:I}", "text", li->line + b, e - b, "start",
		                      (json_int_t)b, "end", (json_int_t)e);
		json_t *probs = json_object();

		if (label >= 0) {
			const float *p = r->probs + (size_t)r->word_tok[w] * (size_t)r->n_labels;
			json_object_set_new(o, "label", json_string(cfg->id2label[label]));
			json_object_set_new(o, "prob", json_real(prob));
			for (j = 0; j < r->n_labels; j++)
				json_object_set_new(probs, cfg->id2label[j], json_real(p[j]));
		} else {
			json_object_set_new(o, "label", json_null());
			json_object_set_new(o, "prob", json_null());
		}
		json_object_set_new(o, "probs", probs);
		json_array_append_new(arr, o);
	}
	return arr;
}

static int print_json(const struct line_input *li, const struct xnr_result *r,
                      const struct xnr_engine *e)
{
	json_t *o = json_pack("{s:s%,s:o,s:o}", "text", li->line, li->len, "tokens",
	                      tokens_json(li, r, xnr_engine_tokenizer(e)), "words",
	                      words_json(li, r, xnr_engine_config(e)));
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(o);
	if (!s)
		return -1;
	puts(s);
	free(s);
	return 0;
}

/* Tag n lines and print them; first_line_no names them in error messages. */
static int run_chunk(struct xnr_engine *e, const struct predict_opts *o, struct line_input *lines,
                     int n, const char *source, long first_line_no)
{
	struct xnr_input inputs[PREDICT_CHUNK] = {{0}};
	struct xnr_result results[PREDICT_CHUNK];
	struct xnr_error err;
	int i, rc = XNR_EXIT_OK;

	for (i = 0; i < n; i++) {
		memset(&inputs[i], 0, sizeof inputs[i]);
		inputs[i].text = lines[i].line;
		inputs[i].text_len = lines[i].len;
		if (o->words) {
			inputs[i].words = (const char *const *)lines[i].words;
			inputs[i].word_lens = lines[i].word_lens;
			inputs[i].n_words = lines[i].n_words;
		}
		xnr_result_init(&results[i]);
	}
	if (xnr_engine_run(e, inputs, n, results, &err) != XNR_OK) {
		if (err.item >= 1 && err.item <= n)
			xnr_error_at(&err, source, first_line_no + err.item - 1);
		rc = xnr_cli_report(&err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (o->json) {
			if (print_json(&lines[i], &results[i], e) != 0) {
				fprintf(stderr, "explainer: %s:%ld: cannot format JSON output\n",
				        source, first_line_no + i);
				rc = XNR_EXIT_FAIL;
				goto done;
			}
		} else if (lines[i].len > 0) {
			print_table(&lines[i], &results[i], xnr_engine_config(e));
		}
	}
done:
	for (i = 0; i < n; i++)
		xnr_result_free(&results[i]);
	return rc;
}

static int set_line(struct line_input *li, const char *text, size_t len, int words)
{
	li->line = malloc(len + 1);
	if (!li->line)
		return -1;
	memcpy(li->line, text, len);
	li->line[len] = '\0';
	li->len = len;
	return words ? split_words(li) : 0;
}

/* A NUL means binary or UTF-16 input: refused with its place, as `run`
 * refuses it in a dataset. */
static int check_nul(const char *line, size_t len, long line_no)
{
	const char *nul = memchr(line, '\0', len);
	struct xnr_error err;

	if (!nul)
		return XNR_EXIT_OK;
	xnr_fail_at(&err, XNR_ERR_FORMAT, "stdin", line_no,
	            "NUL byte at byte %zu (is this a text file?)", (size_t)(nul - line) + 1);
	return xnr_cli_report(&err);
}

static int predict_stdin(struct xnr_engine *e, const struct predict_opts *o)
{
	struct line_input lines[PREDICT_CHUNK];
	struct xnr_lines lr;
	struct xnr_error err;
	int n = 0, rc = XNR_EXIT_OK, any = 0;
	long first = 1;

	memset(lines, 0, sizeof lines);
	xnr_lines_init(&lr, stdin, "stdin", PREDICT_MAX_LINE);
	for (;;) {
		const char *line;
		size_t len;
		if (xnr_lines_next(&lr, &line, &len, &err) != XNR_OK) {
			rc = xnr_cli_report(&err);
			break;
		}
		if (line && (rc = check_nul(line, len, lr.line_no)) != XNR_EXIT_OK)
			break;
		if (line) {
			if (set_line(&lines[n++], line, len, o->words) != 0) {
				fprintf(stderr, "explainer: stdin:%ld: out of memory\n",
				        lr.line_no);
				rc = XNR_EXIT_FAIL;
				break;
			}
			any |= len > 0;
		}
		if (n == PREDICT_CHUNK || (!line && n > 0)) {
			rc = run_chunk(e, o, lines, n, "stdin", first);
			while (n > 0)
				line_input_free(&lines[--n]);
			first = lr.line_no + 1;
			if (rc != XNR_EXIT_OK)
				break;
		}
		if (!line)
			break;
	}
	while (n > 0)
		line_input_free(&lines[--n]);
	xnr_lines_free(&lr);
	if (rc == XNR_EXIT_OK && !any) {
		fprintf(stderr,
		        "explainer: no text on standard input (give --text or pipe lines)\n");
		rc = XNR_EXIT_FAIL;
	}
	return rc;
}

static int parse_predict(int argc, char **argv, struct predict_opts *o)
{
	const char *precision = NULL;
	const struct xnr_cli_opt opts[] = {
	    {"model", 'm', XNR_OPT_STR, &o->model_dir, 0, 0, NULL},
	    {"text", 't', XNR_OPT_STR, &o->text, 0, 0, NULL},
	    {"words", 'w', XNR_OPT_FLAG, &o->words, 0, 0, NULL},
	    {"json", 'j', XNR_OPT_FLAG, &o->json, 0, 0, NULL},
	    {"threads", 'n', XNR_OPT_INT, &o->params.n_threads, 1, 256, NULL},
	    {"precision", 0, XNR_OPT_STR, &precision, 0, 0, NULL},
	    {"max-length", 'L', XNR_OPT_INT, &o->params.max_seq_len, 4, 1 << 20, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {"predict", predict_usage, 0, 0, NULL, NULL, NULL};
	int rc;

	memset(o, 0, sizeof *o);
	o->params = xnr_engine_default_params();
	o->params.n_threads = xnr_cli_default_threads();
	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK ||
	    (rc = xnr_cli_precision("predict", precision, &o->params.precision)) != XNR_EXIT_OK)
		return rc;
	if (!o->model_dir)
		return xnr_cli_usage_error("predict", "--model DIR is required");
	return XNR_EXIT_OK;
}

int xnr_cmd_predict(int argc, char **argv)
{
	struct predict_opts o;
	struct xnr_engine *e = NULL;
	struct xnr_error err;
	int rc = parse_predict(argc, argv, &o);

	if (rc != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	if (o.text && o.text[strspn(o.text, " \t\r\n")] == '\0') {
		fprintf(stderr, "explainer: --text is empty (give some text to tag)\n");
		return XNR_EXIT_FAIL;
	}
	if (xnr_engine_open(o.model_dir, o.params, &e, &err) != XNR_OK)
		return xnr_cli_report(&err);
	if (o.text) {
		struct line_input li;
		memset(&li, 0, sizeof li);
		if (set_line(&li, o.text, strlen(o.text), o.words) != 0) {
			fprintf(stderr, "explainer: out of memory\n");
			rc = XNR_EXIT_FAIL;
		} else {
			rc = run_chunk(e, &o, &li, 1, "--text", 1);
		}
		line_input_free(&li);
	} else {
		rc = predict_stdin(e, &o);
	}
	xnr_engine_close(e);
	return rc;
}
