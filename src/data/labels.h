/*
 * labels.h - label sets (the distinct tag names of a dataset or a model's
 * id2label), label maps parsed from "A=B,C=D" (--label-map), and matching a
 * dataset's labels to a model's so every gold tag has a model id.
 *
 * A label set interns names: ids are dense, in insertion order, and lookups
 * go through a hash table, so a hostile file with many distinct tags stays
 * linear. Not thread-safe while being modified; read-only use may be shared.
 */
#ifndef XNR_DATA_LABELS_H
#define XNR_DATA_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* At most this many distinct labels in one set (XNR_ERR_LIMIT beyond). */
#define XNR_LABELS_MAX 4096
/* Longest label name accepted, in bytes. */
#define XNR_LABEL_MAX_BYTES 256

struct xnr_labels {
	size_t n;
	char **names; /* (n) owned, NUL-terminated */
	size_t cap;
	int32_t *slots; /* hash table of ids, -1 = empty (n_slots a power of two) */
	size_t n_slots;
};

/* A parsed --label-map: dataset name from[i] becomes model name to[i]. */
struct xnr_label_map {
	size_t n;
	char **from; /* (n) owned */
	char **to;   /* (n) owned */
};

/* Empty set; xnr_labels_free releases it (and accepts a zeroed struct). */
void xnr_labels_init(struct xnr_labels *ls);
void xnr_labels_free(struct xnr_labels *ls);

/* Id of name (len bytes, need not be NUL-terminated), or -1. */
int32_t xnr_labels_find(const struct xnr_labels *ls, const char *name, size_t len);

/* Id of name, adding it (copied) when new. Errors: XNR_ERR_LIMIT (more than
 * XNR_LABELS_MAX labels; message names `what`), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_labels_add(struct xnr_labels *ls, const char *name, size_t len,
                                              int32_t *id, const char *what, struct xnr_error *err);

/* Split a comma-separated list ("O,B-PER,I-PER", as --labels) into a new set
 * in list order. Errors: XNR_ERR_INPUT on an empty or duplicate name,
 * XNR_ERR_LIMIT, XNR_ERR_NOMEM; err->item is the 1-based position of the
 * name in the list. */
XNR_MUST_CHECK enum xnr_status xnr_labels_parse(const char *list, struct xnr_labels *out,
                                                struct xnr_error *err);

/* Parse "A=B,C=D" (as --label-map) into *out (caller frees with
 * xnr_label_map_free). Errors: XNR_ERR_INPUT naming the bad pair (err->item
 * its 1-based position), XNR_ERR_NOMEM. */
XNR_MUST_CHECK enum xnr_status xnr_label_map_parse(const char *text, struct xnr_label_map *out,
                                                   struct xnr_error *err);
void xnr_label_map_free(struct xnr_label_map *map);

/*
 * For every dataset label, the id of the model label it corresponds to:
 * the same name, or the name `map` (may be NULL) gives it. `model` lists the
 * model's id2label in id order. `what` names the dataset in messages.
 * On success out[i] (caller-allocated, data->n entries) is set for all i.
 * Errors: XNR_ERR_MISMATCH when a label is unknown to the model, listing the
 * unknown labels and both sets and suggesting a --label-map; out untouched.
 */
XNR_MUST_CHECK enum xnr_status xnr_labels_match(const struct xnr_labels *data,
                                                const char *const *model, size_t n_model,
                                                const struct xnr_label_map *map, const char *what,
                                                int32_t *out, struct xnr_error *err);

#endif
