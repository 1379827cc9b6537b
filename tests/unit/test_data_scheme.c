/*
 * test_data_scheme.c - tag parsing, ill-formed transition checks per scheme,
 * scheme detection on small datasets and conversion between every pair of
 * schemes (round trips through IOB2), with the conlleval "begin" repair.
 * Cases are written as space-separated tag strings.
 */
#include <stdio.h>
#include <string.h>

#include "data/dataset.h"
#include "testutil.h"

#define MAX_TAGS 32

/* Parse "B-PER I-PER O" into tags; the strings stay in `buf`. */
static size_t parse(const char *text, char *buf, struct xnr_tag *tags)
{
	size_t n = 0;
	char *save = NULL;

	strcpy(buf, text);
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		assert_true(n < MAX_TAGS);
		assert_int_equal(xnr_tag_parse(t, strlen(t), &tags[n]), 0);
		n++;
	}
	return n;
}

static const char *format(const struct xnr_tag *tags, size_t n)
{
	static char out[512];
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (tags[i].prefix == 'O')
			len += (size_t)snprintf(out + len, sizeof out - len, "%sO", i ? " " : "");
		else
			len +=
			    (size_t)snprintf(out + len, sizeof out - len, "%s%c-%.*s", i ? " " : "",
			                     tags[i].prefix, (int)tags[i].type_len, tags[i].type);
	}
	return out;
}

static const char *convert(enum xnr_scheme to, const char *text)
{
	char buf[512];
	struct xnr_tag in[MAX_TAGS], out[MAX_TAGS];
	size_t n = parse(text, buf, in);

	xnr_scheme_convert(to, in, n, out);
	return format(out, n);
}

static size_t check(enum xnr_scheme s, const char *text, enum xnr_ill_kind *first_kind,
                    size_t *first_word)
{
	char buf[512];
	struct xnr_tag in[MAX_TAGS];
	struct xnr_ill_formed ill[MAX_TAGS];
	size_t n = parse(text, buf, in);
	size_t found = xnr_scheme_check(s, in, n, ill, MAX_TAGS);

	if (found && first_kind) {
		*first_kind = ill[0].kind;
		*first_word = ill[0].word;
	}
	return found;
}

static void test_tag_parse(void **state)
{
	struct xnr_tag t;
	const char *bad[] = {"B_PER", "X-PER", "B-", "PER", "", "o", "B", "-PER", "OO"};
	(void)state;

	assert_int_equal(xnr_tag_parse("I-ARGM-LOC", 10, &t), 0);
	assert_int_equal(t.prefix, 'I');
	assert_int_equal(t.type_len, 8);
	assert_int_equal(xnr_tag_parse("O", 1, &t), 0);
	assert_int_equal(t.prefix, 'O');
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(xnr_tag_parse(bad[i], strlen(bad[i]), &t), -1);
}

static void test_scheme_names(void **state)
{
	enum xnr_scheme s;
	struct xnr_error err = {0};
	(void)state;

	assert_int_equal(xnr_scheme_parse("bio", &s, &err), XNR_OK);
	assert_int_equal(s, XNR_SCHEME_IOB2);
	assert_int_equal(xnr_scheme_parse("BILOU", &s, &err), XNR_OK);
	assert_int_equal(s, XNR_SCHEME_BILOU);
	assert_string_equal(xnr_scheme_name(XNR_SCHEME_IOE1), "IOE1");
	assert_int_equal(xnr_scheme_parse("BMES", &s, &err), XNR_ERR_INPUT);
	assert_non_null(strstr(err.msg, "IOBES"));
}

static void test_check(void **state)
{
	enum xnr_ill_kind k;
	size_t w;
	(void)state;

	assert_int_equal(check(XNR_SCHEME_IOB2, "B-PER I-PER O B-LOC", NULL, NULL), 0);
	assert_int_equal(check(XNR_SCHEME_IOB2, "O I-PER I-PER", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_NO_START);
	assert_int_equal(w, 1);
	assert_int_equal(check(XNR_SCHEME_IOB2, "I-PER", &k, &w), 1);
	assert_int_equal(check(XNR_SCHEME_IOB2, "B-PER I-LOC", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_TYPE_SWITCH);
	assert_int_equal(check(XNR_SCHEME_IOB2, "S-PER", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_PREFIX);

	assert_int_equal(check(XNR_SCHEME_IOB1, "I-PER I-PER B-PER O I-LOC", NULL, NULL), 0);
	assert_int_equal(check(XNR_SCHEME_IOB1, "O B-PER", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_BOUNDARY);

	assert_int_equal(check(XNR_SCHEME_IOE2, "I-PER E-PER O E-LOC", NULL, NULL), 0);
	assert_int_equal(check(XNR_SCHEME_IOE2, "I-PER I-PER O", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_UNCLOSED);
	assert_int_equal(w, 1);
	assert_int_equal(check(XNR_SCHEME_IOE1, "I-PER E-PER I-PER O", NULL, NULL), 0);
	assert_int_equal(check(XNR_SCHEME_IOE1, "I-PER E-PER O", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_BOUNDARY);

	assert_int_equal(check(XNR_SCHEME_IOBES, "B-PER I-PER E-PER S-LOC O", NULL, NULL), 0);
	assert_int_equal(check(XNR_SCHEME_IOBES, "B-PER I-PER O", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_UNCLOSED);
	assert_int_equal(check(XNR_SCHEME_IOBES, "O E-PER", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_NO_START);
	assert_int_equal(check(XNR_SCHEME_IOBES, "B-PER E-LOC", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_TYPE_SWITCH);

	assert_int_equal(check(XNR_SCHEME_BILOU, "B-PER I-PER L-PER U-LOC O", NULL, NULL), 0);
	assert_int_equal(check(XNR_SCHEME_BILOU, "O L-PER", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_NO_START);
	assert_int_equal(check(XNR_SCHEME_BILOU, "B-PER", &k, &w), 1);
	assert_int_equal(k, XNR_ILL_UNCLOSED);
	assert_int_equal(check(XNR_SCHEME_IO, "I-PER I-LOC O", NULL, NULL), 0);
	assert_int_equal(check(XNR_SCHEME_IO, "B-PER", &k, &w), 1);
}

/* Same spans written in every scheme: "Peter Mueller" PER, "EU" ORG, then
 * two adjacent LOC spans "Bonn" "Berlin". */
static const char *const same[XNR_SCHEME_COUNT] = {
    [XNR_SCHEME_IO] = "I-PER I-PER O I-ORG I-LOC I-LOC",
    [XNR_SCHEME_IOB1] = "I-PER I-PER O I-ORG I-LOC B-LOC",
    [XNR_SCHEME_IOB2] = "B-PER I-PER O B-ORG B-LOC B-LOC",
    [XNR_SCHEME_IOE1] = "I-PER I-PER O I-ORG E-LOC I-LOC",
    [XNR_SCHEME_IOE2] = "I-PER E-PER O E-ORG E-LOC E-LOC",
    [XNR_SCHEME_IOBES] = "B-PER E-PER O S-ORG S-LOC S-LOC",
    [XNR_SCHEME_BILOU] = "B-PER L-PER O U-ORG U-LOC U-LOC",
};

static void test_convert_all_pairs(void **state)
{
	(void)state;
	for (int from = 0; from < XNR_SCHEME_COUNT; from++) {
		if (from == XNR_SCHEME_IO)
			continue; /* IO cannot tell the two LOC spans apart */
		assert_int_equal(check((enum xnr_scheme)from, same[from], NULL, NULL), 0);
		for (int to = 0; to < XNR_SCHEME_COUNT; to++) {
			const char *want = to == XNR_SCHEME_IO ? same[XNR_SCHEME_IO] : same[to];
			const char *got = convert((enum xnr_scheme)to, same[from]);
			if (strcmp(got, want) != 0)
				fail_msg("%s -> %s: got \"%s\", want \"%s\"",
				         xnr_scheme_name((enum xnr_scheme)from),
				         xnr_scheme_name((enum xnr_scheme)to), got, want);
		}
	}
	assert_string_equal(convert(XNR_SCHEME_IOB2, same[XNR_SCHEME_IO]),
	                    "B-PER I-PER O B-ORG B-LOC I-LOC");
}

static void test_convert_repairs(void **state)
{
	(void)state;
	/* conlleval "begin": I-X that cannot continue opens a span. */
	assert_string_equal(convert(XNR_SCHEME_IOB2, "I-ORG I-ORG I-ORG"), "B-ORG I-ORG I-ORG");
	assert_string_equal(convert(XNR_SCHEME_IOB2, "B-PER I-LOC O I-PER"), "B-PER B-LOC O B-PER");
	/* E/L without a start is a one-word span; an unclosed B still ends. */
	assert_string_equal(convert(XNR_SCHEME_IOB2, "O E-PER B-LOC I-LOC O"),
	                    "O B-PER B-LOC I-LOC O");
	assert_string_equal(convert(XNR_SCHEME_IOBES, "B-PER I-PER O"), "B-PER E-PER O");
	assert_string_equal(convert(XNR_SCHEME_BILOU, "B-PER I-PER L-PER U-PER"),
	                    "B-PER I-PER L-PER U-PER");
	/* After an end tag, I- opens a new span. */
	assert_string_equal(convert(XNR_SCHEME_IOB2, "I-PER E-PER I-PER"), "B-PER I-PER B-PER");
	assert_string_equal(convert(XNR_SCHEME_IOB2, "U-PER I-PER"), "B-PER B-PER");
}

static struct xnr_dataset *from_text(const char *text)
{
	struct xnr_data_params p = xnr_data_default_params();
	struct xnr_dataset *ds = NULL;
	struct xnr_error err = {0};

	p.format = XNR_DATA_CONLL;
	if (xnr_dataset_from_memory(text, strlen(text), "mem.conll", &p, &ds, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	return ds;
}

static enum xnr_scheme detect(const char *text, size_t *n_ill)
{
	struct xnr_dataset *ds = from_text(text);
	struct xnr_scheme_report r;
	struct xnr_error err = {0};
	enum xnr_scheme s;

	if (xnr_dataset_detect(ds, 4, &r, &err) != XNR_OK)
		fail_msg("%s", err.msg);
	s = r.scheme;
	*n_ill = r.n_ill_formed;
	xnr_scheme_report_free(&r);
	xnr_dataset_close(ds);
	return s;
}

static void test_detect(void **state)
{
	size_t n;
	(void)state;

	assert_int_equal(detect("a B-PER\nb I-PER\nc O\n\nd B-LOC\n", &n), XNR_SCHEME_IOB2);
	assert_int_equal(n, 0);
	assert_int_equal(detect("a I-PER\nb I-PER\nc B-PER\n\nd I-LOC\n", &n), XNR_SCHEME_IOB1);
	assert_int_equal(detect("a I-PER\nb O\n", &n), XNR_SCHEME_IO);
	assert_int_equal(detect("a I-PER\nb E-PER\nc O\nd E-LOC\n", &n), XNR_SCHEME_IOE2);
	assert_int_equal(detect("a I-PER\nb E-PER\nc I-PER\nd O\n", &n), XNR_SCHEME_IOE1);
	assert_int_equal(detect("a B-PER\nb E-PER\nc S-LOC\n", &n), XNR_SCHEME_IOBES);
	assert_int_equal(detect("a B-PER\nb L-PER\nc U-LOC\n", &n), XNR_SCHEME_BILOU);
	assert_int_equal(detect("a O\n", &n), XNR_SCHEME_IOB2);
	/* Mostly IOB2 with one I- after O: still IOB2, the slip is counted. */
	assert_int_equal(detect("a B-PER\nb I-PER\nc O\nd I-LOC\ne B-ORG\nf B-MISC\n", &n),
	                 XNR_SCHEME_IOB2);
	assert_int_equal(n, 1);
}

static void test_dataset_check_convert(void **state)
{
	struct xnr_dataset *ds = from_text("a B-PER\nb I-PER\n\nc O\nd I-LOC\ne O\n\nf E-ORG\n");
	struct xnr_dataset *mixed;
	struct xnr_scheme_report r;
	struct xnr_error err = {0};
	(void)state;

	assert_int_equal(xnr_dataset_check(ds, XNR_SCHEME_IOB2, 1, &r, &err), XNR_OK);
	assert_int_equal(r.n_ill_formed, 2);
	assert_int_equal(r.n_items, 1);
	assert_int_equal(r.items[0].sentence, 1);
	assert_int_equal(r.items[0].word, 1);
	assert_int_equal(r.items[0].line, 5);
	assert_int_equal(r.n_by_kind[XNR_ILL_NO_START], 1);
	assert_int_equal(r.n_by_kind[XNR_ILL_PREFIX], 1);
	xnr_scheme_report_free(&r);
	mixed = from_text("a E-PER\nb U-LOC\n");
	assert_int_equal(xnr_dataset_detect(mixed, 0, &r, &err), XNR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "no scheme has together"));
	xnr_dataset_close(mixed);

	assert_int_equal(xnr_dataset_convert(ds, XNR_SCHEME_BILOU, &err), XNR_OK);
	assert_string_equal(ds->labels.names[ds->tags[0]], "B-PER");
	assert_string_equal(ds->labels.names[ds->tags[1]], "L-PER");
	assert_string_equal(ds->labels.names[ds->tags[3]], "U-LOC");
	assert_string_equal(ds->labels.names[ds->tags[5]], "U-ORG");
	assert_int_equal(xnr_dataset_detect(ds, 0, &r, &err), XNR_OK);
	assert_int_equal(r.scheme, XNR_SCHEME_BILOU);
	assert_int_equal(r.n_ill_formed, 0);
	xnr_scheme_report_free(&r);
	xnr_dataset_close(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tag_parse),
	    cmocka_unit_test(test_scheme_names),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_convert_all_pairs),
	    cmocka_unit_test(test_convert_repairs),
	    cmocka_unit_test(test_detect),
	    cmocka_unit_test(test_dataset_check_convert),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
