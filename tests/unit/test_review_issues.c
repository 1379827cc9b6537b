/*
 * test_review_issues.c - the label-issue exports and the verdicts' JSON
 * (review/review.h) on issues made here (the scoring stage's rows): CSV
 * quoting as RFC 4180 has it, JSON lines with null for a signal not
 * computed, the verdict a reviewer gave on an overlapping span attached,
 * rows with other signals refused; a verdict request parsed from JSON, its
 * bad keys named.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"
#include "testutil.h"

static const struct xnr_issue_signal sig1[] = {{"self_confidence", 0.125}, {"knn", NAN}};
static const struct xnr_issue_signal sig2[] = {{"self_confidence", 0.5}, {"knn", 0.75}};

static void issues(struct xnr_issue *v)
{
	memset(v, 0, 2 * sizeof *v);
	v[0] = (struct xnr_issue){1,
	                          "entity",
	                          4,
	                          2,
	                          4,
	                          17,
	                          NULL,
	                          "U.N. \"envoy\"",
	                          "ORG",
	                          "LOC",
	                          0.9,
	                          sig1,
	                          2,
	                          NULL,
	                          "the U.N. \"envoy\", said",
	                          NULL,
	                          NULL};
	v[1] = (struct xnr_issue){2,       "word", 7,    0, 1,    30,   "s7",   "Bonn", "B-PER",
	                          "B-LOC", 0.4,    sig2, 2, NULL, NULL, "type", "B-LOC"};
}

static char *write_issues(const struct xnr_issue *v, size_t n, enum xnr_issues_format f,
                          enum xnr_status want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct xnr_error err;

	assert_int_equal(xnr_review_write_issues(v, n, f, out, &err), want);
	fclose(out);
	return buf;
}

static void test_csv_and_jsonl(void **state)
{
	struct xnr_issue v[2];
	struct xnr_verdict verdicts[2];
	char *csv, *jsonl;
	(void)state;

	issues(v);
	memset(verdicts, 0, sizeof verdicts);
	verdicts[0] = (struct xnr_verdict){.id = 1,
	                                   .kind = XNR_VERDICT_SKIP,
	                                   .start = 3,
	                                   .end = 4,
	                                   .updated_at = "2026-01-01T00:00:00Z",
	                                   .state = XNR_VERDICT_CURRENT,
	                                   .sentence_id = 4};
	verdicts[1] = verdicts[0];
	verdicts[1].id = 2;
	verdicts[1].kind = XNR_VERDICT_LABEL_ERROR;
	verdicts[1].updated_at = "2026-01-02T00:00:00Z";
	xnr_review_issues_verdicts(v, 2, verdicts, 2);
	assert_string_equal(v[0].verdict, "label_error");
	assert_null(v[1].verdict);
	csv = write_issues(v, 2, XNR_ISSUES_CSV, XNR_OK);
	assert_string_equal(
	    csv, "rank,level,sentence,start,end,source_line,source_id,text,gold,pred,kind,"
	         "suggested,score,self_confidence,knn,verdict,sentence_text\r\n"
	         "1,entity,4,2,4,17,,\"U.N. \"\"envoy\"\"\",ORG,LOC,,,0.9,0.125,,label_error,"
	         "\"the U.N. \"\"envoy\"\", said\"\r\n"
	         "2,word,7,0,1,30,s7,Bonn,B-PER,B-LOC,type,B-LOC,0.4,0.5,0.75,,\r\n");
	free(csv);
	jsonl = write_issues(v, 2, XNR_ISSUES_JSONL, XNR_OK);
	assert_non_null(strstr(jsonl, "\"signals\":{\"self_confidence\":0.125,\"knn\":null}"));
	assert_non_null(strstr(jsonl, "\"text\":\"U.N. \\\"envoy\\\"\""));
	assert_non_null(strstr(jsonl, "\"source_id\":\"s7\""));
	assert_non_null(strstr(jsonl, "\"kind\":\"type\",\"suggested\":\"B-LOC\""));
	assert_int_equal(strchr(jsonl, '\n') - jsonl + 1 < (long)strlen(jsonl), 1);
	free(jsonl);
	/* a row with other signals */
	v[1].n_signals = 1;
	free(write_issues(v, 2, XNR_ISSUES_CSV, XNR_ERR_INPUT));
	/* no rows: a header */
	csv = write_issues(v, 0, XNR_ISSUES_CSV, XNR_OK);
	assert_non_null(strstr(csv, "rank,level"));
	free(csv);
}

static void test_verdict_request(void **state)
{
	json_t *j =
	    json_loads("{\"sentence\": 3, \"start\": 1, \"end\": 3, \"kind\": "
	               "\"label_error\", \"labels\": [\"B-ORG\", \"I-ORG\"], \"why\": \"x\"}",
	               0, NULL);
	struct xnr_verdict_request r;
	struct xnr_error err;
	(void)state;

	assert_int_equal(xnr_review_verdict_request(j, "ann", &r, &err), XNR_OK);
	assert_int_equal(r.sentence, 3);
	assert_int_equal(r.in.kind, XNR_VERDICT_LABEL_ERROR);
	assert_int_equal(r.in.end, 3);
	assert_string_equal(r.in.labels[1], "I-ORG");
	assert_string_equal(r.in.who, "ann");
	xnr_verdict_request_free(&r);
	json_decref(j);
	j = json_loads("{\"sentence\": 3, \"start\": 1, \"kind\": \"label_error\", \"labels\": "
	               "[\"B-ORG\", \"I-ORG\"]}",
	               0, NULL);
	tu_expect_input(xnr_review_verdict_request(j, "ann", &r, &err), &err,
	                "must be an array of 1 label names");
	json_decref(j);
	j = json_loads("{\"sentence\": 3, \"start\": 1, \"kind\": \"wrong\"}", 0, NULL);
	tu_expect_input(xnr_review_verdict_request(j, "ann", &r, &err), &err,
	                "kind \"wrong\" is not one of");
	json_decref(j);
	j = json_loads("{\"start\": 1, \"kind\": \"skip\"}", 0, NULL);
	tu_expect_input(xnr_review_verdict_request(j, "ann", &r, &err), &err,
	                "\"sentence\", \"start\" (integers) and \"kind\" are required");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_and_jsonl),
	    cmocka_unit_test(test_verdict_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
