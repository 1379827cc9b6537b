/*
 * fuzz_data_labels.c - --labels and --label-map (data/labels.c): the input's
 * parts (util.h FUZZ_SEP) are a --labels list, a --label-map and a model's
 * id2label as a comma list. A parsed list has its names once each, in order,
 * found by name; a parsed map has a non-empty name on both sides of each
 * pair; a match gives each dataset label the model id of its (mapped) name.
 * Seeds: the CoNLL-2003 tag set, OntoNotes-style and BIOES names, maps as the
 * README shows them (tests/fuzz/corpus/data_labels/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/labels.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_labels(const struct xnr_labels *ls, const char *list)
{
	const char *p = list;

	FUZZ_CHECK(ls->n > 0 && ls->n <= XNR_LABELS_MAX);
	for (size_t i = 0; i < ls->n; i++) {
		size_t len = strcspn(p, ",");
		FUZZ_CHECK(strlen(ls->names[i]) == len && memcmp(ls->names[i], p, len) == 0);
		FUZZ_CHECK(len > 0 && len <= XNR_LABEL_MAX_BYTES);
		FUZZ_CHECK(xnr_labels_find(ls, p, len) == (int32_t)i);
		p += len + (p[len] == ',');
	}
	FUZZ_CHECK(*p == '\0');
}

static void check_map(const struct xnr_label_map *map)
{
	FUZZ_CHECK(map->n > 0);
	for (size_t i = 0; i < map->n; i++)
		FUZZ_CHECK(map->from[i][0] && map->to[i][0] && !strchr(map->from[i], '=') &&
		           !strchr(map->to[i], '=') && !strchr(map->from[i], ','));
}

static const char *mapped(const struct xnr_label_map *map, const char *name)
{
	for (size_t i = 0; map && i < map->n; i++)
		if (strcmp(map->from[i], name) == 0)
			return map->to[i];
	return name;
}

static void check_match(const struct xnr_labels *ds, const struct xnr_labels *model,
                        const struct xnr_label_map *map)
{
	const char *const *names = (const char *const *)model->names;
	int32_t *ids = calloc(ds->n, sizeof *ids);
	struct xnr_error err;
	enum xnr_status st;

	FUZZ_CHECK(ids != NULL);
	xnr_error_clear(&err);
	st = xnr_labels_match(ds, names, model->n, map, "fuzz", ids, &err);
	if (fuzz_check_status(st, &err) == XNR_OK)
		for (size_t i = 0; i < ds->n; i++)
			FUZZ_CHECK(ids[i] >= 0 && (size_t)ids[i] < model->n &&
			           strcmp(model->names[ids[i]], mapped(map, ds->names[i])) == 0);
	free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[3];
	int n = fuzz_split(data, size, parts, 3);
	char *list = fuzz_strdup(parts[0]);
	char *map_text = fuzz_strdup(n > 1 ? parts[1] : (struct fuzz_part){"", 0});
	char *model_list = fuzz_strdup(n > 2 ? parts[2] : parts[0]);
	struct xnr_labels ds, model;
	struct xnr_label_map map = {0};
	struct xnr_error err;
	int have_map;

	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_labels_parse(list, &ds, &err), &err) != XNR_OK)
		goto done;
	check_labels(&ds, list);
	xnr_error_clear(&err);
	have_map = fuzz_check_status(xnr_label_map_parse(map_text, &map, &err), &err) == XNR_OK;
	if (have_map)
		check_map(&map);
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_labels_parse(model_list, &model, &err), &err) == XNR_OK) {
		check_match(&ds, &model, have_map ? &map : NULL);
		xnr_labels_free(&model);
	}
	xnr_label_map_free(&map);
	xnr_labels_free(&ds);
done:
	free(list);
	free(map_text);
	free(model_list);
	return 0;
}
