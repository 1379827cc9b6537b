/*
 * test_model_hub.c - hub ids resolved in a Hugging Face cache laid out as
 * huggingface_hub does (refs/main, snapshots/<commit>/ with links to blobs).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/hub.h"

#define COMMIT "0123456789abcdef0123456789abcdef01234567"

static const char *make_cache(void)
{
	static char cache[4096];
	char cmd[8192];
	const char *tmp = tu_tmpdir("hub");
	snprintf(cache, sizeof cache, "%s/hub", tmp);
	snprintf(cmd, sizeof cmd,
	         "set -e; r='%s/models--acme--ner-mini'; mkdir -p \"$r/refs\" \"$r/blobs\" "
	         "\"$r/snapshots/" COMMIT "\"; printf '" COMMIT "' > \"$r/refs/main\"; "
	         "cp '%s/config.json' \"$r/blobs/abc\"; "
	         "ln -s ../../blobs/abc \"$r/snapshots/" COMMIT "/config.json\"",
	         cache, tu_src("demo/model"));
	assert_int_equal(system(cmd), 0);
	return cache;
}

static void test_resolve(void **state)
{
	char dir[4096];
	struct xnr_error err;
	const char *cache = make_cache();
	(void)state;

	setenv("HF_HUB_CACHE", cache, 1);
	assert_int_equal(xnr_hub_resolve("acme/ner-mini", dir, sizeof dir, &err), XNR_OK);
	assert_non_null(strstr(dir, "models--acme--ner-mini/snapshots/" COMMIT));
	assert_int_equal(xnr_hub_resolve("acme/ner-mini@" COMMIT, dir, sizeof dir, &err), XNR_OK);
	/* an existing folder is itself */
	assert_int_equal(xnr_hub_resolve(tu_src("demo/model"), dir, sizeof dir, &err), XNR_OK);
	assert_string_equal(dir, tu_src("demo/model"));
	/* not downloaded, and offline: say so, and never touch the network */
	setenv("HF_HUB_OFFLINE", "1", 1);
	assert_int_equal(xnr_hub_resolve("acme/other", dir, sizeof dir, &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "HF_HUB_OFFLINE=1 forbids downloading it"));
	assert_non_null(strstr(err.msg, "models--acme--other/refs/main"));
	assert_int_equal(xnr_hub_find("acme/other", dir, sizeof dir, &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "download it first"));
	/* found in the cache: no download, offline or not */
	assert_int_equal(xnr_hub_find("acme/ner-mini", dir, sizeof dir, &err), XNR_OK);
	assert_int_equal(xnr_hub_resolve("acme/ner-mini", dir, sizeof dir, &err), XNR_OK);
	assert_int_equal(xnr_hub_resolve("acme/ner-mini@v2", dir, sizeof dir, &err),
	                 XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "refs/v2"));
	/* not an id: no cache lookup, and nothing outside the cache */
	assert_int_equal(xnr_hub_resolve("../etc", dir, sizeof dir, &err), XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no such model folder"));
	assert_int_equal(xnr_hub_resolve("a/b/c", dir, sizeof dir, &err), XNR_ERR_NOT_FOUND);
	assert_int_equal(xnr_hub_resolve("acme/ner-mini@../../x", dir, sizeof dir, &err),
	                 XNR_ERR_NOT_FOUND);
	assert_int_equal(xnr_hub_resolve("acme/ner-mini@v1;rm", dir, sizeof dir, &err),
	                 XNR_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no such model folder"));
	unsetenv("HF_HUB_OFFLINE");
	unsetenv("HF_HUB_CACHE");
}

static void test_cache_dir(void **state)
{
	char buf[4096];
	(void)state;
	unsetenv("HF_HUB_CACHE");
	unsetenv("HUGGINGFACE_HUB_CACHE");
	setenv("HF_HOME", "/data/hf", 1);
	assert_int_equal(xnr_hub_cache_dir(buf, sizeof buf, NULL), XNR_OK);
	assert_string_equal(buf, "/data/hf/hub");
	unsetenv("HF_HOME");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	assert_int_equal(xnr_hub_cache_dir(buf, sizeof buf, NULL), XNR_OK);
	assert_string_equal(buf, "/xdg/huggingface/hub");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	assert_int_equal(xnr_hub_cache_dir(buf, sizeof buf, NULL), XNR_OK);
	assert_string_equal(buf, "/home/u/.cache/huggingface/hub");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_cache_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
