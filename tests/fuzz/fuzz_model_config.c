/*
 * fuzz_model_config.c - config.json (model/config.c): the input is the file,
 * read from an in-memory file (memfd). A loaded config must keep every
 * promise load.c and forward.c build on: sizes in range, heads dividing the
 * hidden size, positions fitting, a label name for every id exactly when
 * there is a classifier. Seeds: the config.json of every fixture model and
 * of demo/model (tests/fuzz/corpus/model_config/).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/config.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct xnr_model_config *c)
{
	FUZZ_CHECK((unsigned)c->arch < XNR_ARCH_COUNT && (unsigned)c->act < XNR_ACT_COUNT);
	FUZZ_CHECK(strcmp(xnr_arch_str(c->arch), c->model_type) == 0);
	FUZZ_CHECK(strlen(xnr_act_str(c->act)) > 0 && strlen(c->architecture) > 0);
	FUZZ_CHECK(c->vocab_size > 0 && c->hidden_size > 0 && c->embedding_size > 0);
	FUZZ_CHECK(c->n_layers > 0 && c->n_heads > 0 && c->intermediate_size > 0);
	FUZZ_CHECK(c->hidden_size % c->n_heads == 0);
	FUZZ_CHECK(c->arch == XNR_ARCH_ELECTRA || xnr_arch_is_deberta(c->arch) ||
	           c->embedding_size == c->hidden_size);
	/* what deberta.c's log buckets divide by */
	FUZZ_CHECK(!xnr_arch_is_deberta(c->arch) ||
	           (c->deberta.max_relative_positions >= 1 && c->deberta.scale_factor >= 1));
	FUZZ_CHECK(!c->deberta.relative_attention || c->deberta.position_buckets <= 0 ||
	           (c->deberta.position_buckets >= 2 &&
	            c->deberta.max_relative_positions > c->deberta.position_buckets / 2 + 1));
	FUZZ_CHECK(c->type_vocab_size >= 0 && c->pad_token_id >= 0);
	FUZZ_CHECK(c->position_offset >= 0 && c->position_offset < c->max_positions);
	FUZZ_CHECK(c->layer_norm_eps > 0 && c->layer_norm_eps < 1);
	if (!c->has_classifier) {
		FUZZ_CHECK(c->n_labels == 0 && c->id2label == NULL);
		return;
	}
	FUZZ_CHECK(c->n_labels > 0 && c->id2label != NULL);
	for (int i = 0; i < c->n_labels; i++)
		FUZZ_CHECK(c->id2label[i] != NULL && strlen(c->id2label[i]) < ((size_t)16 << 20));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xnr_model_config cfg;
	struct xnr_error err;
	char path[64];
	int fd = memfd_create("config.json", MFD_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	xnr_error_clear(&err);
	if (fuzz_check_status(xnr_config_load(path, &cfg, &err), &err) == XNR_OK) {
		check(&cfg);
		xnr_config_free(&cfg);
		FUZZ_CHECK(cfg.id2label == NULL && cfg.n_labels == 0);
	}
	close(fd);
	return 0;
}
