/*
 * test_analysis_cases.c - runs every tests/fixtures/metrics/<name>.case file
 * (format in tests/fixtures/metrics/README.md): entities found by seqeval's
 * default and strict modes and nervaluate's loader, per-class counts,
 * nervaluate categories, and the errors seqeval/nervaluate raise.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/entities.h"
#include "analysis/nervaluate.h"
#include "analysis/seqeval.h"
#include "analysis/tagset.h"
#include "core/file.h"

#define MAXW 256

struct side {
	int32_t ids[MAXW];
	size_t starts[MAXW + 1];
	size_t n_sents, n_words;
	int given;
};

struct tcase {
	const char *file;
	char mode[16], scheme[16];
	struct side gold, pred;
	struct xnr_tagset *ts;
	const char *kv[64][2];
	size_t n_kv;
};

static void parse_sents(struct tcase *tc, const char *text, struct side *s)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", text);
	s->n_sents = 0;
	s->n_words = 0;
	s->starts[0] = 0;
	s->given = 1;
	char *save = NULL;
	for (char *sent = strtok_r(buf, "|", &save); sent; sent = strtok_r(NULL, "|", &save)) {
		char *save2 = NULL;
		for (char *tag = strtok_r(sent, " ", &save2); tag;
		     tag = strtok_r(NULL, " ", &save2)) {
			struct xnr_error err;
			assert_true(s->n_words < MAXW);
			assert_int_equal(
			    xnr_tagset_add(tc->ts, tag, strlen(tag), &s->ids[s->n_words++], &err),
			    XNR_OK);
		}
		s->starts[++s->n_sents] = s->n_words;
	}
}

/* "TYPE@sent:start-end ..." or "-" into entities (types interned in ts). */
static void parse_spans(struct xnr_tagset *ts, const char *text, struct xnr_entities *e)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", text);
	e->n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strcmp(tok, "-") == 0)
			continue;
		char *at = strrchr(tok, '@');
		assert_non_null(at);
		*at = '\0';
		unsigned sent;
		long long a, b;
		assert_int_equal(sscanf(at + 1, "%u:%lld-%lld", &sent, &a, &b), 3);
		/* intern the type through a tag "B-TYPE" so it gets a type id */
		char tag[300];
		snprintf(tag, sizeof(tag), "B-%s", tok);
		int32_t id;
		struct xnr_error err;
		assert_int_equal(xnr_tagset_add(ts, tag, strlen(tag), &id, &err), XNR_OK);
		int32_t type = xnr_tagset_find_type(ts, tok, strlen(tok));
		assert_true(type >= 0);
		if (e->n == e->cap) {
			e->cap = e->cap ? 2 * e->cap : 16;
			e->v = realloc(e->v, e->cap * sizeof(*e->v));
			assert_non_null(e->v);
		}
		e->v[e->n++] = (struct xnr_entity){(uint32_t)type, sent, a, b};
	}
}

static void expect_entities(struct tcase *tc, const struct xnr_entities *got, const char *want)
{
	struct xnr_entities exp = {0};
	parse_spans(tc->ts, want, &exp);
	if (got->n != exp.n)
		fail_msg("%s: %zu entities, expected %zu (%s)", tc->file, got->n, exp.n, want);
	for (size_t k = 0; k < exp.n; k++) {
		const struct xnr_entity *a = &got->v[k], *b = &exp.v[k];
		if (a->type != b->type || a->sent != b->sent || a->start != b->start ||
		    a->end != b->end)
			fail_msg("%s: entity %zu is %s@%u:%lld-%lld, expected %s", tc->file, k,
			         xnr_tagset_type(tc->ts, a->type), a->sent, (long long)a->start,
			         (long long)a->end, want);
	}
	xnr_entities_free(&exp);
}

static const char *get(struct tcase *tc, const char *key)
{
	for (size_t k = 0; k < tc->n_kv; k++)
		if (strcmp(tc->kv[k][0], key) == 0)
			return tc->kv[k][1];
	return NULL;
}

static enum xnr_seqeval_scheme scheme_of(const char *name)
{
	for (int s = 0; s < XNR_SEQEVAL_SCHEME_COUNT; s++)
		if (strcmp(xnr_seqeval_scheme_name((enum xnr_seqeval_scheme)s), name) == 0)
			return (enum xnr_seqeval_scheme)s;
	fail_msg("unknown scheme %s", name);
	return XNR_SEQEVAL_AUTO;
}

static void run_seqeval(struct tcase *tc, const struct xnr_tagged_corpus *c)
{
	struct xnr_seqeval_params pa = xnr_seqeval_default_params();
	struct xnr_seqeval_report r;
	struct xnr_error err;
	if (strcmp(tc->mode, "strict") == 0) {
		pa.mode = XNR_SEQEVAL_STRICT;
		pa.scheme = scheme_of(tc->scheme);
	}
	enum xnr_status st = xnr_seqeval_evaluate(c, &pa, &r, &err);
	if (get(tc, "error")) {
		if (st != XNR_ERR_INPUT)
			fail_msg("%s: status %d, expected an input error", tc->file, st);
		printf("  %s: %s\n", tc->file, err.msg);
		return;
	}
	if (st != XNR_OK)
		fail_msg("%s: %s", tc->file, err.msg);
	if (get(tc, "gold_entities"))
		expect_entities(tc, &r.gold, get(tc, "gold_entities"));
	if (get(tc, "pred_entities"))
		expect_entities(tc, &r.pred, get(tc, "pred_entities"));
	size_t n_class = 0;
	for (size_t k = 0; k < tc->n_kv; k++) {
		if (strcmp(tc->kv[k][0], "class") != 0)
			continue;
		char name[256];
		long long cor, pred, tru;
		assert_int_equal(
		    sscanf(tc->kv[k][1], "%255s %lld %lld %lld", name, &cor, &pred, &tru), 4);
		if (n_class >= r.n_classes)
			fail_msg("%s: only %zu classes", tc->file, r.n_classes);
		const struct xnr_seqeval_class *cl = &r.classes[n_class++];
		if (strcmp(cl->name, name) != 0 || cl->n_correct != cor || cl->n_pred != pred ||
		    cl->n_true != tru)
			fail_msg("%s: class %s %lld %lld %lld, expected %s", tc->file, cl->name,
			         (long long)cl->n_correct, (long long)cl->n_pred,
			         (long long)cl->n_true, tc->kv[k][1]);
	}
	if (n_class && n_class != r.n_classes)
		fail_msg("%s: %zu classes, expected %zu", tc->file, r.n_classes, n_class);
	xnr_seqeval_report_free(&r);
}

static void check_counts(struct tcase *tc, const struct xnr_nerval_counts *c, const char *want)
{
	long long v[5];
	char scheme[32];
	assert_int_equal(sscanf(want, "%31s %lld %lld %lld %lld %lld", scheme, &v[0], &v[1], &v[2],
	                        &v[3], &v[4]),
	                 6);
	int s = 0;
	while (s < XNR_NERVAL_N_SCHEMES &&
	       strcmp(xnr_nerval_scheme_name((enum xnr_nerval_scheme)s), scheme) != 0)
		s++;
	assert_true(s < XNR_NERVAL_N_SCHEMES);
	const struct xnr_nerval_counts *x = &c[s];
	if (x->correct != v[0] || x->incorrect != v[1] || x->partial != v[2] || x->missed != v[3] ||
	    x->spurious != v[4])
		fail_msg("%s: %s is %lld %lld %lld %lld %lld, expected %s", tc->file, scheme,
		         (long long)x->correct, (long long)x->incorrect, (long long)x->partial,
		         (long long)x->missed, (long long)x->spurious, want);
}

static void run_nerval(struct tcase *tc, const struct xnr_tagged_corpus *c)
{
	struct xnr_entities g = {0}, p = {0};
	struct xnr_error err;
	size_t n_docs = c->n_sents;
	if (get(tc, "gold_spans")) {
		parse_spans(tc->ts, get(tc, "gold_spans"), &g);
		parse_spans(tc->ts, get(tc, "pred_spans"), &p);
		n_docs = 1;
		for (size_t k = 0; k < g.n; k++)
			n_docs = g.v[k].sent + 1 > n_docs ? g.v[k].sent + 1 : n_docs;
	} else {
		enum xnr_status st = xnr_nerval_entities_from_bio(c, c->gold, "gold", &g, &err);
		if (st == XNR_OK)
			st = xnr_nerval_entities_from_bio(c, c->pred, "predicted", &p, &err);
		if (get(tc, "error")) {
			if (st != XNR_ERR_INPUT)
				fail_msg("%s: status %d, expected an input error", tc->file, st);
			printf("  %s: %s\n", tc->file, err.msg);
			xnr_entities_free(&g);
			xnr_entities_free(&p);
			return;
		}
		if (st != XNR_OK)
			fail_msg("%s: %s", tc->file, err.msg);
		if (get(tc, "gold_entities"))
			expect_entities(tc, &g, get(tc, "gold_entities"));
	}
	struct xnr_nerval_params pa = xnr_nerval_default_params();
	struct xnr_nerval_result r;
	if (xnr_nerval_evaluate(&g, &p, n_docs, tc->ts, &pa, &r, &err) != XNR_OK)
		fail_msg("%s: %s", tc->file, err.msg);
	for (size_t k = 0; k < tc->n_kv; k++) {
		if (strcmp(tc->kv[k][0], "nerval") == 0)
			check_counts(tc, r.overall, tc->kv[k][1]);
		if (strcmp(tc->kv[k][0], "nerval_type") != 0)
			continue;
		char type[256];
		int off = 0;
		assert_int_equal(sscanf(tc->kv[k][1], "%255s %n", type, &off), 1);
		size_t t = 0;
		while (t < r.n_types && strcmp(r.types[t].name, type) != 0)
			t++;
		if (t == r.n_types)
			fail_msg("%s: no type %s", tc->file, type);
		check_counts(tc, r.types[t].by_scheme, tc->kv[k][1] + off);
	}
	xnr_nerval_result_free(&r);
	xnr_entities_free(&g);
	xnr_entities_free(&p);
}

static void run_case(const char *dir, const char *name)
{
	char path[2048], *text = NULL;
	size_t len = 0;
	struct xnr_error err;
	struct tcase tc = {0};
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(xnr_file_read(path, 1 << 16, &text, &len, &err), XNR_OK);
	tc.file = name;
	assert_int_equal(xnr_tagset_open(&tc.ts, &err), XNR_OK);
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strstr(line, ": ");
		if (line[0] == '#' || !colon)
			continue;
		*colon = '\0';
		assert_true(tc.n_kv < 64);
		tc.kv[tc.n_kv][0] = line;
		tc.kv[tc.n_kv++][1] = colon + 2;
	}
	snprintf(tc.mode, sizeof(tc.mode), "%s", get(&tc, "mode"));
	snprintf(tc.scheme, sizeof(tc.scheme), "%s", get(&tc, "scheme") ? get(&tc, "scheme") : "");
	if (get(&tc, "gold"))
		parse_sents(&tc, get(&tc, "gold"), &tc.gold);
	if (get(&tc, "pred"))
		parse_sents(&tc, get(&tc, "pred"), &tc.pred);
	else
		tc.pred = tc.gold;
	assert_int_equal(tc.gold.n_words, tc.pred.n_words);
	struct xnr_tagged_corpus c = {tc.ts, tc.gold.n_sents, tc.gold.starts, tc.gold.ids,
	                              tc.pred.ids};
	if (strcmp(tc.mode, "nerval") == 0)
		run_nerval(&tc, &c);
	else
		run_seqeval(&tc, &c);
	xnr_tagset_close(tc.ts);
	free(text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_cases(void **state)
{
	(void)state;
	const char *dir = tu_src("tests/fixtures/metrics");
	char dirbuf[1024];
	snprintf(dirbuf, sizeof(dirbuf), "%s", dir);
	DIR *d = opendir(dirbuf);
	assert_non_null(d);
	char *names[512];
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d));) {
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".case") == 0 && n < 512)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	assert_true(n >= 20);
	for (size_t k = 0; k < n; k++) {
		run_case(dirbuf, names[k]);
		free(names[k]);
	}
	printf("  %zu cases\n", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
