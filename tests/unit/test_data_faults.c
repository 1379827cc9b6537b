/* test_data_faults.c - every allocation of reading a dataset (CoNLL, JSONL
 * with tag names or ids, a folder of splits), of the label lists and maps,
 * and of checking and converting tagging schemes can fail: the call then
 * returns XNR_ERR_NOMEM with a message, leaks nothing and returns nothing
 * (faults.h). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "data/dataset.h"
#include "faults.h"

static const char conll[] = "-DOCSTART- -X- O\n\nEU B-ORG\nrejects O\nGerman B-MISC\n\n"
                            "# a comment\nPeter B-PER\nBlackburn I-PER\n\n-DOCSTART- -X- O\n\n"
                            "BRUSSELS I-LOC\n1996-08-22 O\n";
static const char jsonl[] =
    "{\"id\": 7, \"tokens\": [\"EU\", \"rejects\"], \"ner_tags\": "
    "[\"B-ORG\", \"O\"]}\n\n{\"id\": \"s2\", \"tokens\": [\"in\"], "
    "\"ner_tags\": [\"O\"]}\n{\"tokens\": [\"Peter\"], \"tags\": [\"S-PER\"]}\n";
static const char jsonl_ids[] = "{\"tokens\": [\"EU\", \"rejects\"], \"ner_tags\": [1, 0]}\n";

struct mem_case {
	const char *name, *text;
	enum xnr_data_format format;
	const char *labels;
};

static enum xnr_status from_memory(void *ctx, struct xnr_error *err)
{
	const struct mem_case *c = ctx;
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	enum xnr_status st;

	p.format = c->format;
	p.labels = c->labels;
	st = xnr_dataset_from_memory(c->text, strlen(c->text), "mem", &p, &ds, err);
	if (st != XNR_OK)
		assert_null(ds);
	xnr_dataset_close(ds);
	return st;
}

static enum xnr_status open_split(void *ctx, struct xnr_error *err)
{
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	enum xnr_status st;

	p.split = "valid";
	st = xnr_dataset_open(ctx, &p, &ds, err);
	if (st != XNR_OK)
		assert_null(ds);
	xnr_dataset_close(ds);
	return st;
}

static void test_readers(void **state)
{
	struct mem_case cases[] = {
	    {"CoNLL", conll, XNR_DATA_CONLL, NULL},
	    {"JSONL", jsonl, XNR_DATA_JSONL, NULL},
	    {"JSONL ids", jsonl_ids, XNR_DATA_JSONL, "O,B-ORG"},
	};
	const char *dir = tu_tmpdir("data_faults");
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_true(tu_fault_sweep(cases[i].name, from_memory, &cases[i]) > 0);
	tu_write(dir, "train.conll", conll, strlen(conll));
	tu_write(dir, "valid.conll", conll, strlen(conll));
	assert_true(tu_fault_sweep("folder split", open_split, (void *)dir) > 0);
}

static enum xnr_status labels(void *ctx, struct xnr_error *err)
{
	static const char *const model[] = {"O", "B-PER", "I-PER", "B-ORG"};
	struct xnr_labels ls;
	struct xnr_label_map map;
	int32_t ids[8];
	enum xnr_status st;

	(void)ctx;
	if ((st = xnr_labels_parse("O,B-PERSON,I-PERSON,B-ORG", &ls, err)) != XNR_OK)
		return st;
	st = xnr_label_map_parse("B-PERSON=B-PER,I-PERSON=I-PER", &map, err);
	if (st == XNR_OK)
		st = xnr_labels_match(&ls, model, 4, &map, "mem", ids, err);
	if (st == XNR_OK)
		xnr_label_map_free(&map);
	xnr_labels_free(&ls);
	return st;
}

static void test_labels(void **state)
{
	(void)state;
	assert_true(tu_fault_sweep("labels", labels, NULL) > 0);
}

/* Detect, check against IOBES, then convert to IOBES. */
static enum xnr_status schemes(void *ctx, struct xnr_error *err)
{
	struct xnr_dataset *ds = ctx;
	struct xnr_scheme_report r;
	enum xnr_status st = xnr_dataset_detect(ds, 4, &r, err);

	if (st != XNR_OK)
		return st;
	xnr_scheme_report_free(&r);
	if ((st = xnr_dataset_check(ds, XNR_SCHEME_IOBES, 4, &r, err)) != XNR_OK)
		return st;
	xnr_scheme_report_free(&r);
	return xnr_dataset_convert(ds, XNR_SCHEME_IOBES, err);
}

static void test_schemes(void **state)
{
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_error err;
	(void)state;
	p.format = XNR_DATA_CONLL;
	assert_int_equal(xnr_dataset_from_memory(conll, strlen(conll), "mem", &p, &ds, &err),
	                 XNR_OK);
	assert_true(tu_fault_sweep("schemes", schemes, ds) > 0);
	xnr_dataset_close(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_readers),
	    cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_schemes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
