/*
 * precision.c - the encoder's Linear layers in bf16 or int8 (issue #13,
 * tensor/lowp.h): each weight matrix converted once when a precision is set,
 * the f32 weights kept for everything else (embeddings, the classifier, and
 * going back to fp32).
 */
#include <stdlib.h>

#include "model/internal.h"

static void free_layers(struct xnr__lowp_layer *ls, int n)
{
	int i;

	for (i = 0; ls && i < n; i++) {
		xnr_lowp_w_free(&ls[i].q);
		xnr_lowp_w_free(&ls[i].k);
		xnr_lowp_w_free(&ls[i].v);
		xnr_lowp_w_free(&ls[i].o);
		xnr_lowp_w_free(&ls[i].ff1);
		xnr_lowp_w_free(&ls[i].ff2);
	}
	free(ls);
}

void xnr__model_lowp_free(struct xnr_model *m)
{
	free_layers(m->lowp, m->cfg.n_layers);
	xnr_lowp_w_free(&m->lowp_proj);
	m->lowp = NULL;
	m->prec = XNR_PRECISION_FP32;
}

/* One layer's six Linears in p. */
static enum xnr_status make_layer(const struct xnr__layer *ly, const struct xnr_model_config *c,
                                  enum xnr_precision p, struct xnr__lowp_layer *out,
                                  struct xnr_error *err)
{
	int H = c->hidden_size, I = c->intermediate_size;
	enum xnr_status st;

	if ((st = xnr_lowp_w_make(p, ly->q_w, H, H, &out->q, err)) ||
	    (st = xnr_lowp_w_make(p, ly->k_w, H, H, &out->k, err)) ||
	    (st = xnr_lowp_w_make(p, ly->v_w, H, H, &out->v, err)) ||
	    (st = xnr_lowp_w_make(p, ly->o_w, H, H, &out->o, err)) ||
	    (st = xnr_lowp_w_make(p, ly->ff1_w, I, H, &out->ff1, err)))
		return st;
	return xnr_lowp_w_make(p, ly->ff2_w, H, I, &out->ff2, err);
}

enum xnr_status xnr_model_set_precision(struct xnr_model *model, enum xnr_precision p,
                                        struct xnr_error *err)
{
	const struct xnr_model_config *c = &model->cfg;
	struct xnr__lowp_layer *ls;
	struct xnr_lowp_w proj = {0};
	enum xnr_status st;
	int l;

	if ((st = xnr_precision_check(p, err)) != XNR_OK)
		return st;
	if (p == model->prec)
		return XNR_OK;
	if (p == XNR_PRECISION_FP32) {
		xnr__model_lowp_free(model);
		return XNR_OK;
	}
	ls = calloc((size_t)c->n_layers + 1, sizeof *ls);
	if (!ls)
		return xnr_fail(err, XNR_ERR_NOMEM, "model: no memory for %s weights",
		                xnr_precision_name(p));
	for (l = 0; l < c->n_layers; l++)
		if ((st = make_layer(&model->layers[l], c, p, &ls[l], err)) != XNR_OK)
			goto fail;
	if (model->emb.proj_w && (st = xnr_lowp_w_make(p, model->emb.proj_w, c->hidden_size,
	                                               c->embedding_size, &proj, err)) != XNR_OK)
		goto fail;
	xnr__model_lowp_free(model);
	model->lowp = ls;
	model->lowp_proj = proj;
	model->prec = p;
	return XNR_OK;
fail:
	free_layers(ls, c->n_layers);
	return st;
}

enum xnr_precision xnr_model_precision(const struct xnr_model *model)
{
	return model->prec;
}
