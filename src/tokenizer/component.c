/*
 * component.c - what the three tokenizer.json component families share
 * (normalizer, pre_tokenizer, post_processor; hf-formats.md 4.4, 4.5, 4.7):
 * "type" dispatch through a family's table of types and field readers, the
 * Sequence type's recursion into members of the same family, and the field
 * readers several types use. Every failure names the JSON path of the field
 * ("normalizer.normalizers[1].pattern: ...").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tokenizer/internal.h"

const char *xnr__component_name(const struct xnr__family *f, int type)
{
	size_t i;

	for (i = 0; i < f->n_types; i++)
		if (f->types[i].type == type)
			return f->types[i].name;
	return "?";
}

/* The entry of j's "type" in f's table, or an error listing the supported ones. */
static enum xnr_status find_type(const struct xnr__family *f, const json_t *j, const char *path,
                                 const struct xnr__type_def **out, struct xnr_error *err)
{
	char names[512];
	const char *name = NULL;
	size_t i, used = 0;

	if (!json_is_object(j))
		return xnr_fail(err, XNR_ERR_FORMAT, "%s: expected an object", path);
	if (xnr_json_str(j, "type", &name, path, err) != 1)
		return xnr_fail(err, XNR_ERR_FORMAT, "%s: missing \"type\"", path);
	names[0] = '\0';
	for (i = 0; i < f->n_types; i++) {
		if (strcmp(name, f->types[i].name) == 0) {
			*out = &f->types[i];
			return XNR_OK;
		}
		used +=
		    (size_t)snprintf(names + used, used < sizeof names ? sizeof names - used : 0,
		                     "%s%s", i ? ", " : "", f->types[i].name);
		if (used >= sizeof names)
			used = sizeof names - 1;
	}
	return xnr_fail(err, XNR_ERR_UNSUPPORTED, "%s: unknown type \"%s\" (supported: %s)", path,
	                name, names);
}

/* A Sequence: every element of j[f->items_key] parsed as a member of f,
 * counted as it succeeds so a failure frees exactly the parsed ones. */
static enum xnr_status parse_members(const struct xnr__family *f, const json_t *j, const char *path,
                                     void *out, struct xnr_error *err)
{
	const json_t *arr = json_object_get(j, f->items_key);
	int *n_items = (int *)((char *)out + f->n_items_off);
	char *items;
	size_t i;

	if (!json_is_array(arr))
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.%s: missing or not an array", path,
		                f->items_key);
	items = calloc(json_array_size(arr) + 1, f->size);
	if (!items)
		return xnr_fail(err, XNR_ERR_NOMEM, "%s: out of memory", path);
	memcpy((char *)out + f->items_off, &items, sizeof items);
	for (i = 0; i < json_array_size(arr); i++) {
		char sub[256];
		enum xnr_status st;
		snprintf(sub, sizeof sub, "%s.%s[%zu]", path, f->items_key, i);
		st = xnr__component_parse(f, json_array_get(arr, i), sub, items + i * f->size, err);
		if (st != XNR_OK)
			return st;
		(*n_items)++;
	}
	return XNR_OK;
}

enum xnr_status xnr__component_parse(const struct xnr__family *f, const json_t *j, const char *path,
                                     void *out, struct xnr_error *err)
{
	const struct xnr__type_def *def = NULL;
	enum xnr_status st;

	memset(out, 0, f->size);
	st = find_type(f, j, path, &def, err);
	if (st != XNR_OK)
		return st;
	*(int *)((char *)out + f->type_off) = def->type;
	if (def->type == f->sequence)
		st = parse_members(f, j, path, out, err);
	else if (def->fields)
		st = def->fields(j, path, out, err);
	if (st != XNR_OK)
		f->free(out);
	return st;
}

enum xnr_status xnr__field_bool(const json_t *j, const char *key, int dflt, int *out,
                                const char *path, struct xnr_error *err)
{
	*out = dflt;
	return xnr_json_bool(j, key, out, path, err) < 0 ? XNR_ERR_FORMAT : XNR_OK;
}

enum xnr_status xnr__field_str(const json_t *j, const char *key, const char *path, char **out,
                               struct xnr_error *err)
{
	const json_t *v = json_object_get(j, key);

	if (!json_is_string(v))
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.%s: missing or not a string", path, key);
	*out = strdup(json_string_value(v));
	if (!*out)
		return xnr_fail(err, XNR_ERR_NOMEM, "%s.%s: out of memory", path, key);
	return XNR_OK;
}

enum xnr_status xnr__field_char(const json_t *j, const char *key, int32_t dflt, int32_t *out,
                                const char *path, struct xnr_error *err)
{
	const char *s = NULL;
	int r = xnr_json_str(j, key, &s, path, err);
	size_t len;

	*out = dflt;
	if (r < 0)
		return XNR_ERR_FORMAT;
	if (r == 0)
		return XNR_OK;
	len = strlen(s);
	if (len == 0 || xnr__utf8_invalid(s, len) != (size_t)-1 ||
	    xnr__utf8_dec(s, len, 0, out) != len)
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.%s: expected a single character", path,
		                key);
	return XNR_OK;
}

enum xnr_status xnr__field_choice(const json_t *j, const char *key, const char *const *names, int n,
                                  int dflt, int *out, const char *path, struct xnr_error *err)
{
	char list[256];
	const char *s = NULL;
	size_t used = 0;
	int r = xnr_json_str(j, key, &s, path, err), i;

	*out = dflt;
	if (r < 0)
		return XNR_ERR_FORMAT;
	if (r == 0)
		return XNR_OK;
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return XNR_OK;
		}
		used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
		                         "%s%s", i ? ", " : "", names[i]);
		if (used >= sizeof list)
			used = sizeof list - 1;
	}
	return xnr_fail(err, XNR_ERR_UNSUPPORTED, "%s.%s: unknown \"%s\" (supported: %s)", path,
	                key, s, list);
}

enum xnr_status xnr__field_pattern(const json_t *j, const char *path, pcre2_code **re,
                                   struct xnr_error *err)
{
	const json_t *pat = json_object_get(j, "pattern");
	const json_t *v;
	int literal = 1;

	if (!json_is_object(pat))
		return xnr_fail(err, XNR_ERR_FORMAT, "%s.pattern: missing or not an object", path);
	v = json_object_get(pat, "String");
	if (!v) {
		v = json_object_get(pat, "Regex");
		literal = 0;
	}
	if (!json_is_string(v))
		return xnr_fail(err, XNR_ERR_FORMAT,
		                "%s.pattern: expected {\"String\": ...} or {\"Regex\": ...}", path);
	return xnr__regex_compile(json_string_value(v), json_string_length(v), literal, re, path,
	                          err);
}
