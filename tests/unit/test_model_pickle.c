/*
 * test_model_pickle.c - the restricted unpickler (model/pickle.c) on the
 * data.pkl that torch.save wrote for small state dicts (protocol 2 and 4,
 * committed as the fuzz seeds tests/fuzz/corpus/model_pickle/ by
 * tests/gen/gen_torchbin.py --seeds), on hostile pickles and on hand-written
 * opcode sequences: everything outside a state dict is refused by name, every
 * truncation and byte change fails cleanly with a one-line message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"
#include "testutil.h"

#define SEEDS "tests/fuzz/corpus/model_pickle/"

static unsigned char *slurp(const char *rel, size_t *n)
{
	FILE *f = fopen(tu_src(rel), "rb");
	unsigned char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static enum xnr_status parse(const void *buf, size_t n, struct xnr__pt_dict *d,
                             struct xnr_error *err)
{
	memset(err, 0, sizeof *err);
	return xnr__pickle_state_dict(buf, n, "m.bin", "archive/data.pkl", d, err);
}

static const struct xnr__pt_tensor *get(const struct xnr__pt_dict *d, const char *name)
{
	for (int i = 0; i < d->n_tensors; i++)
		if (strcmp(d->tensors[i].name, name) == 0)
			return &d->tensors[i];
	fail_msg("no tensor %s", name);
	return NULL;
}

static void check_mixed(const char *seed)
{
	size_t n;
	unsigned char *buf = slurp(seed, &n);
	struct xnr__pt_dict d;
	struct xnr_error err;
	const struct xnr__pt_tensor *t;

	if (parse(buf, n, &d, &err) != XNR_OK)
		fail_msg("%s: %s", seed, err.msg);
	assert_int_equal(d.n_tensors, 7);
	assert_string_equal(d.tensors[0].name, "view.weight"); /* state dict order */
	t = get(&d, "view.weight");
	assert_int_equal(t->dtype, XNR_DTYPE_F32);
	assert_int_equal(t->offset, 2);
	assert_int_equal(t->storage_numel, 7);
	assert_int_equal(t->n_dims, 2);
	assert_true(t->size[0] == 1 && t->size[1] == 5 && t->stride[0] == 5 && t->stride[1] == 1);
	assert_string_equal(get(&d, "base")->key, t->key); /* one storage, two tensors */
	assert_int_equal(get(&d, "half")->dtype, XNR_DTYPE_F16);
	assert_int_equal(get(&d, "bf16")->dtype, XNR_DTYPE_BF16);
	t = get(&d, "position_ids");
	assert_true(t->dtype == XNR_DTYPE_I64 && t->size[1] == 300 && t->storage_numel == 300);
	assert_int_equal(get(&d, "param")->size[0], 2); /* _rebuild_parameter unwrapped */
	assert_int_equal(get(&d, "scalar")->n_dims, 0);
	xnr__pt_dict_free(&d);
	free(buf);
}

static void test_torch_written(void **state)
{
	size_t n;
	unsigned char *buf = slurp(SEEDS "linear.pkl", &n);
	struct xnr__pt_dict d;
	struct xnr_error err;
	(void)state;

	assert_int_equal(parse(buf, n, &d, &err), XNR_OK);
	assert_int_equal(d.n_tensors, 2);
	assert_string_equal(d.tensors[0].name, "weight");
	assert_true(d.tensors[0].size[0] == 2 && d.tensors[0].size[1] == 3);
	assert_string_equal(d.tensors[1].name, "bias");
	assert_string_not_equal(d.tensors[0].key, d.tensors[1].key);
	xnr__pt_dict_free(&d);
	free(buf);
	check_mixed(SEEDS "mixed.pkl");
	check_mixed(SEEDS "mixed_proto4.pkl");
}

static void expect_refused(const void *buf, size_t n, enum xnr_status want, const char *needle)
{
	struct xnr__pt_dict d = {0};
	struct xnr_error err;
	enum xnr_status s = parse(buf, n, &d, &err);

	if (s != want || !strstr(err.msg, needle) || !strstr(err.msg, "m.bin") ||
	    !strstr(err.msg, "archive/data.pkl") || strchr(err.msg, '\n'))
		fail_msg("got %s \"%s\", want %s with \"%s\"", xnr_status_str(s), err.msg,
		         xnr_status_str(want), needle);
	assert_null(d.tensors);
}

static void expect_seed_refused(const char *seed, enum xnr_status want, const char *needle)
{
	size_t n;
	unsigned char *buf = slurp(seed, &n);
	expect_refused(buf, n, want, needle);
	free(buf);
}

#define REFUSE(lit, want, needle) expect_refused(lit, sizeof lit - 1, want, needle)

static void test_refused(void **state)
{
	(void)state;
	expect_seed_refused(SEEDS "os_system.pkl", XNR_ERR_UNSUPPORTED,
	                    "refused global posix.system");
	expect_seed_refused(SEEDS "eval_proto4.pkl", XNR_ERR_UNSUPPORTED,
	                    "refused global builtins.eval");
	expect_seed_refused(SEEDS "list.pkl", XNR_ERR_FORMAT, "not a name and a tensor");
	REFUSE("\x80\x02"
	       "cos\nsystem\nX\x02\x00\x00\x00lsR.",
	       XNR_ERR_UNSUPPORTED, "byte 2: refused global os.system");
	REFUSE("\x80\x02(i__builtin__\nobject\n.", XNR_ERR_UNSUPPORTED,
	       "refused opcode 0x69 (INST)");
	REFUSE("\x80\x02"
	       "ctorch\nFloatStorage\n)R.",
	       XNR_ERR_FORMAT, "a storage class called as a function");
	REFUSE("\x80\x02"
	       "ccollections\nOrderedDict\n(K\x01K\x02tR.",
	       XNR_ERR_FORMAT, "OrderedDict called with arguments");
	REFUSE("\x80\x02]Nb.", XNR_ERR_FORMAT, "BUILD on something other than an OrderedDict");
	REFUSE("\x80\x02h\x05.", XNR_ERR_FORMAT, "memo GET of an index never PUT");
	REFUSE("\x80\x02r\xff\xff\xff\x7f.", XNR_ERR_FORMAT, "memo PUT of an empty stack");
	REFUSE("\x80\x02Nr\xff\xff\xff\x7f.", XNR_ERR_LIMIT, "memo index");
	REFUSE("\x80\x06}.", XNR_ERR_UNSUPPORTED, "protocol above 5");
	REFUSE("\x80\x02}(X\x01\x00\x00\x00"
	       "aK\x01u.",
	       XNR_ERR_FORMAT, "not a name and a tensor");
	REFUSE("\x80\x02}Q.", XNR_ERR_FORMAT, "a persistent id other than");
	REFUSE("\x80\x02}N.", XNR_ERR_FORMAT, "STOP with other than one value");
	REFUSE("\x80\x02t.", XNR_ERR_FORMAT, "no MARK");
	REFUSE("\x80\x02(\x85.", XNR_ERR_FORMAT, "a MARK inside a fixed-size tuple");
	REFUSE("\x80\x02\x8a\x09", XNR_ERR_UNSUPPORTED, "wider than 64 bits");
	REFUSE("\x80\x02N.", XNR_ERR_FORMAT, "no state dict");
	REFUSE("", XNR_ERR_FORMAT, "ends before STOP");
}

/* Every prefix and many one-byte changes of a torch-written pickle: a clean
 * failure or a state dict, never a crash (ASan watches this in test-asan). */
static void test_damaged(void **state)
{
	static const unsigned char flips[] = {0x00, 0x01, 0x80, 0xff};
	size_t n;
	unsigned char *buf = slurp(SEEDS "mixed.pkl", &n);
	struct xnr__pt_dict d;
	struct xnr_error err;
	int ok = 0;
	(void)state;

	for (size_t len = 0; len < n; len++) {
		assert_int_not_equal(parse(buf, len, &d, &err), XNR_OK);
		assert_true(err.msg[0] != '\0' && !strchr(err.msg, '\n'));
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char keep = buf[i];
		for (size_t f = 0; f < sizeof flips; f++) {
			buf[i] = keep ^ flips[f];
			if (parse(buf, n, &d, &err) == XNR_OK) {
				ok++;
				xnr__pt_dict_free(&d);
			} else {
				assert_true(err.msg[0] != '\0' && !strchr(err.msg, '\n'));
			}
		}
		buf[i] = keep;
	}
	printf("one-byte changes of mixed.pkl still parsing: %d of %zu\n", ok, 4 * n);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_torch_written),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
