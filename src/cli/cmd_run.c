/*
 * cmd_run.c - `explainer run`: the options of an analysis run
 * (pipeline/pipeline.h does the work: a model over every sentence of a
 * dataset split into the run database, docs/schema.md), a progress bar on
 * the terminal, and the seqeval report printed. Asking again for the same
 * model, data and options reuses the stored run. Ctrl-C (SIGINT) or SIGTERM
 * cancels the run cleanly (nothing written, no new database left), then
 * ends the process by that signal; a second one ends it at once.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/progress.h"
#include "pipeline/pipeline.h"

static const char run_usage[] =
    "usage: explainer run --model DIR --data PATH [options] -o RUN.db\n"
    "\n"
    "Runs a token-classification model over every sentence of a dataset split and\n"
    "stores every prediction, probability, loss, hidden state and entity in a SQLite\n"
    "database (schema: docs/schema.md), then prints the seqeval report. The same\n"
    "model, data and options again reuse the stored run.\n"
    "\n"
    "options:\n"
    "  -m, --model DIR        model folder, or a Hugging Face id (org/name[@revision]):\n"
    "                         from the hub cache, else downloaded into it\n"
    "  -d, --data PATH        CoNLL or JSONL file, or a folder with train/dev/test files\n"
    "  -s, --split NAME       split of a folder: train, dev or test (default test)\n"
    "  -o, --output RUN.db    the database to add the run to (created if missing, when\n"
    "                         the run succeeds)\n"
    "  -l, --limit N          only the first N sentences\n"
    "      --sample N         N sentences drawn at random (with --seed, default 0)\n"
    "      --seed S           seed of --sample\n"
    "      --tag-column N     CoNLL column of the tag, 1-based (default: the last)\n"
    "      --labels L         JSONL integer tags: label names in id order, comma separated\n"
    "      --label-map M      rename dataset labels: FROM=TO,FROM=TO\n"
    "  -n, --threads N        compute threads (default: the number of cores)\n"
    "  -L, --max-length N     tokens of the longest sentence run whole (default: the\n"
    "                         model's maximum); longer ones run in windows of 128\n"
    "      --hidden-dtype T   how hidden states are stored: f32 (default) or f16 (IEEE\n"
    "                         half: half the bytes; read back as float32)\n"
    "      --hidden-layer N   store layer N's hidden states (1 to the model's layers, as\n"
    "                         transformers' hidden_states[N]) instead of the last's;\n"
    "                         recorded in the run's options (export --vectors --layer N)\n"
    "      --precision P      fp32 (default, exact), bf16 (AVX-512 BF16) or int8 (AVX-512\n"
    "                         VNNI): faster, at a measured cost in accuracy (README);\n"
    "                         recorded in the run's options\n"
    "  -q, --quiet            no progress bar and no report\n"
    "  -h, --help             this help\n";

/* A non-negative decimal environment variable into *out, and whether it is
 * set into *set: XNR_EXIT_OK, or XNR_EXIT_USAGE (printed) for no number. */
static int env_int(const char *name, long *out, int *set)
{
	const char *v = getenv(name);
	char *end;

	*set = v != NULL;
	if (!v)
		return 0;
	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno || end == v || *end || *out < 0 || *out > 0x7fffffff)
		return xnr_cli_usage_error("run", "--shard auto: %s=\"%s\" is no shard number",
		                           name, v);
	return 0;
}

/* --shard auto or auto/N (n: N, 0 when not given) from the scheduler's variables. */
static int shard_from_env(long n, struct xnr_run_opts *o)
{
	long id, count, min = 0, max = 0;
	int has_id, has_count, has_min, has_max, has_k8s, rc;

	if ((rc = env_int("SLURM_ARRAY_TASK_ID", &id, &has_id)) ||
	    (rc = env_int("SLURM_ARRAY_TASK_COUNT", &count, &has_count)) ||
	    (rc = env_int("SLURM_ARRAY_TASK_MIN", &min, &has_min)) ||
	    (rc = env_int("SLURM_ARRAY_TASK_MAX", &max, &has_max)))
		return rc;
	if (has_id) {
		if (!has_count || (has_min && has_max && max - min + 1 != count))
			return xnr_cli_usage_error("run",
			                           "--shard auto: the Slurm array must be one "
			                           "range with step 1 (sbatch --array=0-%ld)",
			                           has_count ? count - 1 : 3);
		if (n && n != count)
			return xnr_cli_usage_error("run",
			                           "--shard auto/%ld: the Slurm array has %ld "
			                           "tasks",
			                           n, count);
		o->shard_index = (int)(id - min);
		o->shard_count = (int)count;
		return XNR_EXIT_OK;
	}
	if ((rc = env_int("JOB_COMPLETION_INDEX", &id, &has_k8s)) != 0)
		return rc;
	if (!has_k8s)
		return xnr_cli_usage_error("run", "--shard auto: neither SLURM_ARRAY_TASK_ID nor "
		                                  "JOB_COMPLETION_INDEX is set (use --shard I/N)");
	if (!n)
		return xnr_cli_usage_error("run", "--shard auto: JOB_COMPLETION_INDEX needs the "
		                                  "count: --shard auto/N, N the Job's completions");
	o->shard_index = (int)id;
	o->shard_count = (int)n;
	return XNR_EXIT_OK;
}

/* --shard I/N, auto or auto/N into o->shard_index and o->shard_count. */
static int parse_shard(const char *spec, struct xnr_run_opts *o)
{
	const char *slash = strchr(spec, '/');
	char head[16];
	int n = 0, rc;

	if (slash && (rc = xnr_cli_parse_int("run", "--shard", slash + 1, 1, XNR_RUN_MAX_SHARDS,
	                                     &n)) != XNR_EXIT_OK)
		return rc;
	if (!slash && strcmp(spec, "auto") != 0)
		return xnr_cli_usage_error("run", "--shard \"%s\": expected I/N or auto", spec);
	snprintf(head, sizeof head, "%.*s", slash ? (int)(slash - spec) : 15, spec);
	if (strcmp(head, "auto") == 0)
		rc = shard_from_env(n, o);
	else if ((rc = xnr_cli_parse_int("run", "--shard", head, 0, n - 1, &o->shard_index)) ==
	         XNR_EXIT_OK)
		o->shard_count = n;
	if (rc == XNR_EXIT_OK && o->shard_index >= o->shard_count)
		return xnr_cli_usage_error("run", "--shard: index %d is not below the count %d",
		                           o->shard_index, o->shard_count);
	return rc;
}

/* XNR_EXIT_OK to run, -1 after --help, XNR_EXIT_USAGE after a usage error (printed). */
static int parse_run(int argc, char **argv, struct xnr_run_opts *o, int *quiet)
{
	const char *hidden_dtype = NULL;
	const char *precision = NULL;
	const char *shard = NULL;
	const struct xnr_cli_opt opts[] = {
	    {"model", 'm', XNR_OPT_STR, &o->model, 0, 0, NULL},
	    {"data", 'd', XNR_OPT_STR, &o->data, 0, 0, NULL},
	    {"split", 's', XNR_OPT_STR, &o->split, 0, 0, NULL},
	    {"output", 'o', XNR_OPT_STR, &o->output, 0, 0, NULL},
	    {"limit", 'l', XNR_OPT_INT, &o->limit, 1, 1 << 30, NULL},
	    {"sample", 0, XNR_OPT_INT, &o->sample, 1, 1 << 30, NULL},
	    {"seed", 0, XNR_OPT_INT, &o->seed, 0, 0x7fffffff, NULL},
	    {"tag-column", 0, XNR_OPT_INT, &o->tag_column, 2, 1000, NULL},
	    {"labels", 0, XNR_OPT_STR, &o->labels, 0, 0, NULL},
	    {"label-map", 0, XNR_OPT_STR, &o->label_map, 0, 0, NULL},
	    {"threads", 'n', XNR_OPT_INT, &o->threads, 1, 256, NULL},
	    {"precision", 0, XNR_OPT_STR, &precision, 0, 0, NULL},
	    {"max-length", 'L', XNR_OPT_INT, &o->max_length, 4, 1 << 20, NULL},
	    {"hidden-dtype", 0, XNR_OPT_STR, &hidden_dtype, 0, 0, NULL},
	    {"hidden-layer", 0, XNR_OPT_INT, &o->hidden_layer, 1, 1000, NULL},
	    {"shard", 0, XNR_OPT_STR, &shard, 0, 0, NULL},
	    {"quiet", 'q', XNR_OPT_FLAG, quiet, 0, 0, NULL},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {"run", run_usage, 0, 0, NULL, NULL, NULL};
	int rc;

	*o = xnr_run_default_opts();
	*quiet = 0;
	o->threads = xnr_cli_default_threads();
	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK ||
	    (rc = xnr_cli_precision("run", precision, &o->precision)) != XNR_EXIT_OK)
		return rc;
	if (!o->model || !o->data || !o->output)
		return xnr_cli_usage_error("run", "--model, --data and --output are required");
	if (o->limit && o->sample)
		return xnr_cli_usage_error("run", "--limit and --sample exclude each other");
	if (hidden_dtype && strcmp(hidden_dtype, "f16") != 0 && strcmp(hidden_dtype, "f32") != 0)
		return xnr_cli_usage_error("run", "--hidden-dtype is f32 or f16, not \"%s\"",
		                           hidden_dtype);
	o->hidden_f16 = hidden_dtype && strcmp(hidden_dtype, "f16") == 0;
	return shard ? parse_shard(shard, o) : XNR_EXIT_OK;
}

/* The terminal's progress bar, sized when the pipeline knows the sentence count. */
struct cli_bar {
	struct xnr_progress bar;
	int started;
};

static void on_count(void *ud, long n_sentences)
{
	struct cli_bar *b = ud;
	xnr_progress_init(&b->bar, stderr, 0, n_sentences, "sentences");
	b->started = 1;
}

static void on_warning(void *ud, const char *msg)
{
	(void)ud;
	fprintf(stderr, "explainer: %s\n", msg);
}

static void on_progress(void *ud, double done, const char *stage)
{
	struct cli_bar *b = ud;
	if (!b->started)
		return;
	if (strcmp(stage, "sentences") == 0) {
		long n = lround(done * (double)b->bar.total) - b->bar.done;
		if (n > 0)
			xnr_progress_add(&b->bar, n);
	} else if (strcmp(stage, "summary") == 0) {
		xnr_progress_finish(&b->bar);
	}
}

/* The signal that asked the run to stop (0: none): the pipeline's cancel flag. */
static int stop_signal;

static void on_stop(int sig)
{
	__atomic_store_n(&stop_signal, sig, __ATOMIC_RELAXED);
}

/* SIGINT and SIGTERM cancel the run, once (SA_RESETHAND), unless the shell
 * made the process ignore them (a background job). */
static void catch_stop_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	size_t i;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa, old;
		if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop;
		sa.sa_flags = SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

int xnr_cmd_run(int argc, char **argv)
{
	struct xnr_run_opts o;
	struct xnr_run_outcome out;
	struct cli_bar bar;
	struct xnr_ctl ctl = {on_progress, &bar, &stop_signal};
	struct xnr_error err;
	int rc, quiet, sig;

	memset(&bar, 0, sizeof bar);
	xnr_error_clear(&err);
	if ((rc = parse_run(argc, argv, &o, &quiet)) != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	if (!quiet) {
		o.on_count = on_count;
		o.on_warning = on_warning;
		o.hook_ud = &bar;
	} else {
		ctl.progress = NULL;
	}
	catch_stop_signals();
	if (xnr_pipeline_run(&o, &ctl, &out, &err) != XNR_OK) {
		if (bar.started && bar.bar.out) /* the message below the bar, not over it */
			fputc('\n', stderr);
		rc = xnr_cli_report(&err);
		/* the handler was reset: end by the signal, as the shell expects */
		if ((sig = __atomic_load_n(&stop_signal, __ATOMIC_RELAXED)) != 0)
			raise(sig);
		return rc;
	}
	if (!quiet && out.reused)
		printf("run %lld in %s already holds this model, data and options: reusing it\n",
		       (long long)out.run_id, o.output);
	else if (!quiet)
		printf(
		    "%s\nrun %lld written to %s: %ld sentences, %ld words, %ld tokens in %.1f s\n",
		    out.report ? out.report : "", (long long)out.run_id, o.output, out.n_sentences,
		    out.n_words, out.n_tokens, out.seconds);
	if (out.warning[0])
		fprintf(stderr, "explainer: warning: %s\n", out.warning);
	xnr_run_outcome_free(&out);
	return XNR_EXIT_OK;
}
