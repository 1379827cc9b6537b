/*
 * json.h - loading JSON documents with jansson, and typed lookups that fail
 * with a message naming the file and key. Every JSON file ExplaiNER reads
 * (config.json, tokenizer.json, safetensors headers) goes through here.
 */
#ifndef XNR_CORE_JSON_H
#define XNR_CORE_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Parse len bytes as one JSON value; duplicate object keys are an error.
 * `what` names the source in messages ("config.json"). Caller json_decref()s. */
XNR_MUST_CHECK enum xnr_status xnr_json_parse(const char *text, size_t len, const char *what,
                                              json_t **out, struct xnr_error *err);

/* Read and parse a file of at most max_bytes. */
XNR_MUST_CHECK enum xnr_status xnr_json_load(const char *path, size_t max_bytes, json_t **out,
                                             struct xnr_error *err);

/* Typed optional lookups: return 1 and set *out when key exists with the right
 * type; 0 when the key is absent or JSON null; -1 (with err set) on a wrong type. */
int xnr_json_int(const json_t *obj, const char *key, int64_t *out, const char *what,
                 struct xnr_error *err);
int xnr_json_num(const json_t *obj, const char *key, double *out, const char *what,
                 struct xnr_error *err);
int xnr_json_bool(const json_t *obj, const char *key, int *out, const char *what,
                  struct xnr_error *err);
int xnr_json_str(const json_t *obj, const char *key, const char **out, const char *what,
                 struct xnr_error *err);

/* Text as a JSON string, or JSON null when s is NULL or not UTF-8 (jansson
 * refuses such text; a hostile database may hold it). len < 0: strlen(s).
 * NULL only when out of memory. */
json_t *xnr_json_text(const char *s, long len);

#endif
