/*
 * api_model.c - GET /api/v1/runs/{id}/model: the shape of the run's model
 * (architecture, layers, sizes, labels) from its config.json, for the
 * controls of the Probing, Activations and Hidden States pages. The pages
 * that run the model or look at its vectors have files of their own:
 * api_probe.c, api_activations.c, api_projection.c, api_duplicates.c.
 */
#include <limits.h>
#include <stdio.h>

#include "model/config.h"
#include "server/internal.h"

static enum xnr_status api_model(struct xnr__req *r, json_t **out, struct xnr_error *err)
{
	static const char *const allowed[] = {NULL};
	struct xnr_model_config cfg;
	struct xnr_run run;
	char dir[PATH_MAX], path[PATH_MAX + 16];
	json_t *labels;
	enum xnr_status st;
	int i;

	if ((st = xnr__query_allow(&r->query, allowed, err)) != XNR_OK ||
	    (st = xnr__req_run(r, &run, err)) != XNR_OK)
		return st;
	st = xnr__model_dir(r->app, &run, dir, sizeof dir, err);
	xnr_run_free(&run);
	if (st != XNR_OK)
		return st;
	snprintf(path, sizeof path, "%s/config.json", dir);
	if ((st = xnr_config_load(path, &cfg, err)) != XNR_OK)
		return st;
	labels = json_array();
	for (i = 0; labels && i < cfg.n_labels; i++)
		json_array_append_new(labels, json_string(cfg.id2label[i]));
	*out = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:o}", "dir", dir,
	                 "architecture", cfg.architecture, "model_type", cfg.model_type, "n_layers",
	                 cfg.n_layers, "hidden_size", cfg.hidden_size, "intermediate_size",
	                 cfg.intermediate_size, "max_positions", cfg.max_positions, "n_labels",
	                 cfg.n_labels, "labels", labels);
	xnr_config_free(&cfg);
	return *out ? XNR_OK : xnr_fail(err, XNR_ERR_NOMEM, "model: out of memory");
}

static const struct xnr__route routes[] = {
    {"GET", "/api/v1/runs/{id}/model", api_model, NULL, XNR__DB},
};

XNR__ROUTE_GROUP(model, routes);
