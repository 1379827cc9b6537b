/*
 * compute.c - xnr_issues_compute (issues.h): the run and its reference
 * split (run through the run's model by the pipeline, reused by key), the
 * out-of-sample check, every signal, their combination, the leakage, and
 * the scores written in one transaction. Stored scores made with the same
 * method, reference, k and weights are kept unless a recompute is asked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/progress.h"
#include "issues/internal.h"
#include "pipeline/pipeline.h"

#define OVERFIT_ACCURACY 0.99 /* a split the model gets this right it has probably seen */

struct xnr_issues_params xnr_issues_default_params(void)
{
	struct xnr_issues_params p;

	memset(&p, 0, sizeof p);
	p.k = 10;
	p.threads = 1;
	p.weights = (struct xnr_issue_weights){0.2, 0.4, 0.4, 0.25};
	return p;
}

/* Everything one computation holds. */
struct job {
	const struct xnr_issues_params *p;
	const char *path;
	struct xnr_store *s;
	int64_t run, ref_run;
	struct xnr__types t;
	struct xnr__corpus split, ref;
	struct xnr__signals g;
	struct xnr__scores sc;
	struct xnr_issue_run rec; /* strings borrowed from the job */
	char weights[256], reason[256];
	double accuracy;
	int same_data; /* the split is the reference's data */
	json_t *leakage;
	char too_big[XNR_ERROR_MSG_MAX]; /* why the neighbour search would not fit, or "" */
};

static void warn_no_hidden(const struct job *j)
{
	char msg[XNR_ERROR_MSG_MAX + 64];

	if (!j->p->on_warning)
		return;
	if (*j->too_big)
		snprintf(msg, sizeof msg, "the neighbour signal is left out: %s", j->too_big);
	else
		snprintf(msg, sizeof msg,
		         "run %lld stores no hidden states: the neighbour signal is left out",
		         (long long)j->run);
	j->p->on_warning(j->p->hook_ud, msg);
}

static enum xnr_status check_params(const struct xnr_issues_params *p, struct xnr_error *err)
{
	const struct xnr_issue_weights *w = &p->weights;

	if (p->k < 1 || p->k > 256 || p->threads < 1 || p->threads > 256 || p->run < 0)
		return xnr_fail(err, XNR_ERR_INPUT,
		                "issues: k = %d (1..256), %d threads (1..256), run %lld", p->k,
		                p->threads, (long long)p->run);
	if (!(w->confidence >= 0 && w->neighbours >= 0 && w->consistency >= 0 &&
	      w->over_confident >= 0 && w->confidence + w->neighbours + w->consistency > 0))
		return xnr_fail(err, XNR_ERR_INPUT,
		                "issues: the weights must be >= 0 and not all 0");
	return XNR_OK;
}

/* The reference split through the run's model, with the run's options. */
static enum xnr_status run_reference(struct job *j, const struct xnr_ctl *ctl, int *reused,
                                     struct xnr_error *err)
{
	struct xnr_run_opts o = xnr_run_default_opts();
	struct xnr_run_outcome res;
	json_t *opts =
	    j->split.info.options_json ? json_loads(j->split.info.options_json, 0, NULL) : NULL;
	enum xnr_status st;

	o.model = j->split.info.model_path;
	o.data = j->p->reference;
	o.split = j->p->split ? j->p->split : "train";
	o.output = j->path;
	o.labels = json_string_value(json_object_get(opts, "labels"));
	o.label_map = j->p->label_map ? j->p->label_map
	                              : json_string_value(json_object_get(opts, "label_map"));
	o.tag_column = (int)json_integer_value(json_object_get(opts, "tag_column"));
	o.max_length = (int)json_integer_value(json_object_get(opts, "max_length"));
	/* the neighbours compare hidden states: the reference's must be of the same layer */
	o.hidden_layer = (int)json_integer_value(json_object_get(opts, "hidden_layer"));
	o.threads = j->p->threads;
	xnr_ctl_progress(ctl, 0.0, "reference");
	st = xnr_pipeline_run(&o, ctl, &res, err);
	json_decref(opts);
	if (st != XNR_OK) {
		xnr_error_prefix(err, "the reference split: ");
		return st;
	}
	j->ref_run = res.run_id;
	*reused = res.reused;
	xnr_run_outcome_free(&res);
	return XNR_OK;
}

/* Stored scores made the same way: nothing to do. */
static int same_scores(struct job *j)
{
	struct xnr_issue_run r;
	struct xnr_error e;
	int same;

	if (j->p->recompute || xnr_store_issue_run(j->s, j->run, &r, &e) != XNR_OK)
		return 0;
	same = r.method == XNR_ISSUES_METHOD && r.k == j->p->k && r.reference_run == j->ref_run &&
	       r.weights_json && strcmp(r.weights_json, j->weights) == 0;
	xnr_issue_run_free(&r);
	return same;
}

/* The model's word accuracy on c: over the words it made a prediction for
 * when their probabilities were loaded, else over every word. */
static double accuracy(const struct xnr__corpus *c, int with_probs)
{
	size_t ok = 0, n = 0;

	for (size_t i = 0; i < c->n_words; i++)
		if (!with_probs || c->has_probs[i]) {
			n++;
			ok += c->gold[i] == c->pred[i];
		}
	return n ? (double)ok / (double)n : NAN;
}

/* The out-of-sample check: probabilities of a split the model was trained
 * on are over-confident (docs/architecture.md, "Label issues"). */
static int over_confident(struct job *j)
{
	j->accuracy = accuracy(&j->split, 1);
	j->same_data = j->ref_run && j->split.info.data_hash && j->ref.info.data_hash &&
	               strcmp(j->split.info.data_hash, j->ref.info.data_hash) == 0;
	if (j->same_data) {
		snprintf(j->reason, sizeof j->reason,
		         "the run's data is the reference data (the same file): its probabilities "
		         "are not out of sample");
		return 1;
	}
	if (j->accuracy > OVERFIT_ACCURACY) {
		snprintf(
		    j->reason, sizeof j->reason,
		    "the model gets %.2f%% of this split's words right: it was probably trained "
		    "on it, so its probabilities are over-confident",
		    100.0 * j->accuracy);
		return 1;
	}
	return 0;
}

/* The two runs must share their labels: the same model made them. */
static enum xnr_status same_labels(const struct job *j, struct xnr_error *err)
{
	int same = j->split.info.n_labels == j->ref.info.n_labels;

	for (int i = 0; same && i < j->split.info.n_labels; i++)
		same = strcmp(j->split.info.labels[i], j->ref.info.labels[i]) == 0;
	return same ? XNR_OK
	            : xnr_fail(err, XNR_ERR_MISMATCH,
	                       "run %lld and reference run %lld have different labels",
	                       (long long)j->run, (long long)j->ref_run);
}

/* The run, its reference, their corpora, the check. */
static enum xnr_status prepare(struct job *j, const struct xnr_ctl *ctl,
                               struct xnr_issues_outcome *out, struct xnr_error *err)
{
	struct xnr_error hidden;
	enum xnr_status st;

	if (!j->run && (st = xnr_store_run_latest(j->s, &j->run, err)) != XNR_OK)
		return st;
	if (!j->run)
		return xnr_fail(err, XNR_ERR_NOT_FOUND,
		                "%s: holds no run yet (make one with explainer run)", j->path);
	if ((st = xnr_store_run_get(j->s, j->run, &j->split.info, err)) != XNR_OK)
		return st;
	if (j->p->reference && (st = run_reference(j, ctl, &out->reference_reused, err)) != XNR_OK)
		return st;
	xnr_run_free(&j->split.info);
	if (same_scores(j)) {
		out->reused = 1;
		return XNR_OK;
	}
	xnr_ctl_progress(ctl, 0.0, "signals");
	if ((st = xnr_store_run_get(j->s, j->run, &j->split.info, err)) != XNR_OK ||
	    (st = xnr__types_init(&j->split.info, &j->t, err)) != XNR_OK)
		return st;
	/* a search that cannot fit is left out before a million words are loaded for it */
	if (xnr_run_hidden_check(&j->split.info, &hidden) == XNR_OK &&
	    xnr__neighbours_fit(&j->split.info, j->p->k, j->t.n_types + 2, j->ref_run > 0,
	                        &hidden) != XNR_OK)
		snprintf(j->too_big, sizeof j->too_big, "%s", hidden.msg);
	xnr_run_free(&j->split.info);
	if ((st = xnr__corpus_load(j->s, j->run, 1, &j->t, &j->split, err)) != XNR_OK ||
	    (j->ref_run &&
	     (st = xnr__corpus_load(j->s, j->ref_run, 0, &j->t, &j->ref, err)) != XNR_OK))
		return st;
	return j->ref_run ? same_labels(j, err) : XNR_OK;
}

/* Every signal and the scores. */
static enum xnr_status score(struct job *j, const struct xnr_ctl *ctl, struct xnr_error *err)
{
	int over = over_confident(j), same_data = j->same_data;
	struct xnr__knn_job kj = {j->s,      &j->split, &j->ref,       &j->t, j->ref_run,
	                          same_data, j->p->k,   j->p->threads, ctl};
	struct xnr_error hidden;
	enum xnr_status st;

	/* the split's own data as reference would count every word twice */
	if ((st = xnr__signals_compute(&j->split, j->ref_run && !same_data ? &j->ref : NULL, &j->t,
	                               &j->g, err)) != XNR_OK)
		return st;
	j->rec.neighbours = xnr_run_hidden_check(&j->split.info, &hidden) == XNR_OK && !*j->too_big;
	if (!j->rec.neighbours)
		warn_no_hidden(j);
	else if ((st = xnr__neighbours(&kj, &j->g, err)) != XNR_OK)
		return st;
	xnr_ctl_progress(ctl, 1.0, "scores");
	j->rec.over_confident = over;
	j->rec.over_confident_reason = over ? j->reason : NULL;
	if ((st = xnr__combine(&j->split, &j->t, &j->g, &j->p->weights, over, &j->sc, err)) !=
	    XNR_OK)
		return st;
	return j->ref_run ? xnr__leakage(&j->split, &j->ref, &j->t, &j->leakage, err) : XNR_OK;
}

static void job_free(struct job *j)
{
	xnr_store_close(j->s);
	xnr__types_free(&j->t);
	xnr__corpus_free(&j->split);
	xnr__corpus_free(&j->ref);
	xnr__signals_free(&j->g);
	xnr__scores_free(&j->sc);
	json_decref(j->leakage);
}

enum xnr_status xnr_issues_compute(const char *path, const struct xnr_issues_params *p,
                                   const struct xnr_ctl *ctl, struct xnr_issues_outcome *out,
                                   struct xnr_error *err)
{
	struct xnr_issues_outcome res;
	struct job j;
	double t0 = xnr_now();
	enum xnr_status st;

	memset(&j, 0, sizeof j);
	memset(&res, 0, sizeof res);
	j.p = p;
	j.path = path;
	j.run = p->run;
	snprintf(j.weights, sizeof j.weights,
	         "{\"confidence\":%.17g,\"neighbours\":%.17g,\"consistency\":%.17g,"
	         "\"over_confident\":%.17g}",
	         p->weights.confidence, p->weights.neighbours, p->weights.consistency,
	         p->weights.over_confident);
	if ((st = check_params(p, err)) != XNR_OK ||
	    (st = xnr_store_open(path, 0, &j.s, err)) != XNR_OK ||
	    (st = prepare(&j, ctl, &res, err)) != XNR_OK)
		goto done;
	if (!res.reused) {
		if ((st = score(&j, ctl, err)) != XNR_OK)
			goto done;
		if (xnr_ctl_cancelled(ctl)) {
			st = xnr_fail(err, XNR_ERR_CANCELLED,
			              "issues: cancelled (nothing was written)");
			goto done;
		}
		j.rec.run = j.run;
		j.rec.reference_run = j.ref_run;
		j.rec.version = XNR_VERSION;
		j.rec.method = XNR_ISSUES_METHOD;
		j.rec.k = p->k;
		j.rec.weights_json = j.weights;
		j.rec.reference_accuracy = j.ref_run ? accuracy(&j.ref, 0) : NAN;
		if ((st = xnr__write(j.s, &j.rec, &j.split, &j.t, &j.g, &j.sc, j.accuracy,
		                     j.leakage, err)) != XNR_OK)
			goto done;
	}
	res.run = j.run;
	res.reference_run = j.ref_run;
	res.seconds = xnr_now() - t0;
	*out = res;
done:
	job_free(&j);
	return st;
}
