/*
 * act.h - the activation functions a feed-forward layer can use
 * (transformers ACT2FN names, reference/hf-formats.md 3.0).
 */
#ifndef XNR_TENSOR_ACT_H
#define XNR_TENSOR_ACT_H

enum xnr_act {
	XNR_ACT_GELU,      /* exact erf */
	XNR_ACT_GELU_TANH, /* gelu_new, gelu_pytorch_tanh */
	XNR_ACT_GELU_FAST,
	XNR_ACT_QUICK_GELU,
	XNR_ACT_RELU,
	XNR_ACT_SILU,
	XNR_ACT_TANH,
	XNR_ACT_LINEAR,
	XNR_ACT_COUNT
};

#endif
