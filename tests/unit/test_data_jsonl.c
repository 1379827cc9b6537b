/*
 * test_data_jsonl.c - the JSONL reader (tag strings, integer ids with a
 * --labels list, "id" as string or integer, BOM, blank lines, lines ending
 * with a lone CR), --labels and --label-map parsing, and matching dataset
 * labels to a model's id2label.
 */
#include <stdio.h>
#include <string.h>

#include "data/dataset.h"
#include "testutil.h"

static void test_jsonl_strings(void **state)
{
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	(void)state;

	if (xnr_dataset_open(tu_src("tests/fixtures/data/strings.jsonl"), NULL, &ds, &err) !=
	    XNR_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(ds->format, XNR_DATA_JSONL);
	assert_int_equal(ds->n_sentences, 2);
	assert_int_equal(ds->n_documents, 1);
	assert_int_equal(ds->n_words, 5);
	assert_string_equal(ds->words[0], "EU");
	assert_string_equal(ds->labels.names[ds->tags[0]], "B-ORG");
	assert_string_equal(ds->sentences[0].id, "s1");
	assert_string_equal(ds->sentences[1].id, "7");
	assert_int_equal(ds->sentences[1].line, 3);
	assert_int_equal(ds->word_lines[4], 3);
	assert_string_equal(ds->words[4], "Köln");
	xnr_dataset_close(ds);
}

/* Lines that end with a lone CR (old Mac) are lines, numbered as such. */
static void test_jsonl_cr(void **state)
{
	const char *text = "{\"tokens\": [\"EU\"], \"ner_tags\": [\"B-ORG\"]}\r\r"
	                   "{\"tokens\": [\"in\", \"Bonn\"], \"ner_tags\": [\"O\", \"B-LOC\"]}\r";
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	(void)state;

	p.format = XNR_DATA_JSONL;
	if (xnr_dataset_from_memory(text, strlen(text), "cr.jsonl", &p, &ds, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(ds->n_sentences, 2);
	assert_int_equal(ds->n_words, 3);
	assert_int_equal(ds->sentences[1].line, 3);
	assert_string_equal(ds->words[2], "Bonn");
	xnr_dataset_close(ds);
}

static void test_jsonl_ids(void **state)
{
	const char *text = "{\"tokens\": [\"Peter\", \"lives\", \"in\", \"Bonn\"], "
	                   "\"ner_tags\": [1, 0, 0, 3]}\n";
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};
	(void)state;

	p.format = XNR_DATA_JSONL;
	assert_int_equal(xnr_dataset_from_memory(text, strlen(text), "ids.jsonl", &p, &ds, &err),
	                 XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "ids.jsonl:1: ner_tags are ids"));
	assert_non_null(strstr(err.msg, "--labels"));
	assert_null(ds);

	p.labels = "O,B-PER,I-PER,B-LOC,I-LOC";
	if (xnr_dataset_from_memory(text, strlen(text), "ids.jsonl", &p, &ds, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(ds->labels.n, 5);
	assert_int_equal(ds->tags[0], 1);
	assert_int_equal(ds->tags[3], 3);
	assert_string_equal(ds->labels.names[ds->tags[3]], "B-LOC");
	xnr_dataset_close(ds);
	ds = NULL;

	p.labels = "O,B-PER";
	assert_int_equal(xnr_dataset_from_memory(text, strlen(text), "ids.jsonl", &p, &ds, &err),
	                 XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "ids.jsonl:1: tag 4 is id 3"));
	p.labels = "O,B_PER";
	assert_int_equal(xnr_dataset_from_memory(text, strlen(text), "ids.jsonl", &p, &ds, &err),
	                 XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "B_PER"));
	p.labels = "O,,B-PER";
	assert_int_equal(xnr_dataset_from_memory(text, strlen(text), "ids.jsonl", &p, &ds, &err),
	                 XNR_ERR_INPUT);
	assert_int_equal(err.item, 2); /* the empty name */
	assert_null(ds);
}

static void test_label_map_parse(void **state)
{
	struct xnr_label_map map;
	struct xnr_error err = {0};
	const char *bad[] = {"A", "=B", "A=", "A=B,", "A=B=C", ""};
	(void)state;

	assert_int_equal(xnr_label_map_parse("B-PERSON=B-PER,I-PERSON=I-PER", &map, &err), XNR_OK);
	assert_int_equal(map.n, 2);
	assert_string_equal(map.from[1], "I-PERSON");
	assert_string_equal(map.to[1], "I-PER");
	xnr_label_map_free(&map);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(xnr_label_map_parse(bad[i], &map, &err), XNR_ERR_INPUT);
		assert_non_null(strstr(err.msg, "--label-map"));
	}
	assert_int_equal(xnr_label_map_parse("A=B,C=D,E", &map, &err), XNR_ERR_INPUT);
	assert_int_equal(err.item, 3);
	assert_non_null(strstr(err.msg, "\"E\" is not a pair"));
}

static void test_labels_match(void **state)
{
	const char *model[] = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC"};
	const char *disjoint[] = {"LABEL_0", "LABEL_1"};
	struct xnr_labels data;
	struct xnr_label_map map;
	struct xnr_error err = {0};
	int32_t ids[3] = {-7, -7, -7};
	(void)state;

	assert_int_equal(xnr_labels_parse("B-PERSON,O,I-LOC", &data, &err), XNR_OK);
	assert_int_equal(xnr_labels_match(&data, model, 5, NULL, "test.txt", ids, &err),
	                 XNR_ERR_MISMATCH);
	assert_int_equal(ids[0], -7);
	assert_non_null(strstr(err.msg, "test.txt: label B-PERSON is not among the model's labels "
	                                "O, B-PER, I-PER, B-LOC, I-LOC"));
	assert_non_null(strstr(err.msg, "--label-map B-PERSON=B-PER"));

	assert_int_equal(xnr_label_map_parse("B-PERSON=B-PER", &map, &err), XNR_OK);
	assert_int_equal(xnr_labels_match(&data, model, 5, &map, "test.txt", ids, &err), XNR_OK);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 0);
	assert_int_equal(ids[2], 4);

	assert_int_equal(xnr_labels_match(&data, disjoint, 2, &map, "test.txt", ids, &err),
	                 XNR_ERR_MISMATCH);
	assert_non_null(strstr(err.msg, "labels B-PERSON, O, I-LOC are not among"));
	assert_non_null(strstr(err.msg, "dataset labels: B-PERSON, O, I-LOC"));
	xnr_label_map_free(&map);
	xnr_labels_free(&data);
}

static void test_labels_many(void **state)
{
	struct xnr_labels ls;
	struct xnr_error err = {0};
	char name[32];
	int32_t id;
	(void)state;

	xnr_labels_init(&ls);
	for (int i = 0; i < XNR_LABELS_MAX; i++) {
		int n = snprintf(name, sizeof name, "B-T%d", i);
		assert_int_equal(xnr_labels_add(&ls, name, (size_t)n, &id, "x", &err), XNR_OK);
		assert_int_equal(id, i);
	}
	assert_int_equal(xnr_labels_find(&ls, "B-T77", 5), 77);
	assert_int_equal(xnr_labels_add(&ls, "B-new", 5, &id, "x", &err), XNR_ERR_LIMIT);
	xnr_labels_free(&ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jsonl_strings), cmocka_unit_test(test_jsonl_cr),
	    cmocka_unit_test(test_jsonl_ids),     cmocka_unit_test(test_label_map_parse),
	    cmocka_unit_test(test_labels_match),  cmocka_unit_test(test_labels_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
