/*
 * convert_spm.c - sentencepiece folders without tokenizer.json, rebuilt as
 * transformers' converters do (convert_slow_tokenizer.py, hf-formats.md 4.9):
 *   sentencepiece.bpe.model, XLMRobertaConverter: vocab <s> <pad> </s> <unk>
 *     (score 0), then spm pieces[3:] (HF id = spm id + 1, fairseq's offset),
 *     then <mask>; unk_id 3; Sequence[Precompiled, Strip(right),
 *     Replace(" {2,}" -> "▁")]; Metaspace(always); <s> $A </s>.
 *   spm.model, DebertaV2Converter: spm ids unchanged, unk_id from the
 *     trainer; Sequence[Lowercase if do_lower_case, Strip, Precompiled,
 *     Replace(" {2,}" -> " ")]; Sequence[Punctuation if split_by_punct,
 *     Metaspace(always)]; [CLS] $A [SEP].
 * CONTROL pieces become special added tokens and USER_DEFINED ones plain
 * added tokens (normalized false), then the slow class's special tokens.
 * Only Unigram models convert this way: BPE, WORD and CHAR are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "tokenizer/internal.h"

#define XNR_SPM_FILE_MAX_BYTES ((size_t)256 << 20)

static const char *const spm_keys[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                       "pad_token", "cls_token", "mask_token"};
static const char *const xlmr_dflt[] = {"<s>", "</s>", "<unk>", "</s>", "<pad>", "<s>", "<mask>"};
static const char *const deberta_dflt[] = {"[CLS]", "[SEP]", "[UNK]", "[SEP]",
                                           "[PAD]", "[CLS]", "[MASK]"};

static int32_t vocab_id(const void *vocab, const char *s)
{
	return xnr__vocab_get((const struct xnr__vocab *)vocab, s, strlen(s));
}

/* Standard base64 of b[0..n) (tokenizer.json's precompiled_charsmap); NULL
 * when out of memory. */
static char *base64(const unsigned char *b, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < n; i += 3, o += 4) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
		o[0] = tab[v >> 18];
		o[1] = tab[(v >> 12) & 63];
		o[2] = tab[(v >> 6) & 63];
		o[3] = tab[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0);
		o[0] = tab[v >> 18];
		o[1] = tab[(v >> 12) & 63];
		o[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		o[3] = '=';
		o += 4;
	}
	*o = '\0';
	return out;
}

/* The Unigram vocab array ([piece, score]) and its piece -> id map. */
static enum xnr_status build_vocab(const struct xnr__spm *m, int xlmr, json_t *arr,
                                   struct xnr__vocab *map, struct xnr_error *err)
{
	static const char *const front[] = {"<s>", "<pad>", "</s>", "<unk>"};
	int i, id = 0;

	for (i = 0; xlmr && i < 4; i++, id++)
		if (json_array_append_new(arr, json_pack("[s,f]", front[i], 0.0)) != 0 ||
		    xnr__vocab_add(map, front[i], strlen(front[i]), id, err) != XNR_OK)
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	for (i = xlmr ? 3 : 0; i < m->n_pieces; i++, id++) {
		const struct xnr__spm_piece *p = &m->pieces[i];
		if (json_array_append_new(
		        arr, json_pack("[s%,f]", p->s, p->len, (double)p->score)) != 0 ||
		    xnr__vocab_add(map, p->s, p->len, id, err) != XNR_OK)
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	if (xlmr && (json_array_append_new(arr, json_pack("[s,f]", "<mask>", 0.0)) != 0 ||
	             xnr__vocab_add(map, "<mask>", 6, id, err) != XNR_OK))
		return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	return XNR_OK;
}

/* CONTROL pieces as special added tokens, USER_DEFINED as plain ones, in
 * spm order, with the id their content has in the converted vocab. */
static enum xnr_status spm_added(const struct xnr__spm *m, const struct xnr__vocab *map,
                                 struct xnr__conv_added_list *l, struct xnr_error *err)
{
	int i;

	for (i = 0; i < m->n_pieces; i++) {
		const struct xnr__spm_piece *p = &m->pieces[i];
		struct xnr__conv_added t = {0};
		enum xnr_status st;
		if (p->type != XNR__SPM_CONTROL && p->type != XNR__SPM_USER_DEFINED)
			continue;
		t.id = xnr__vocab_get(map, p->s, p->len);
		if (t.id < 0) /* XLM-R's front replaces spm pieces 0-2 */
			continue;
		t.special = p->type == XNR__SPM_CONTROL;
		t.content = strndup(p->s, p->len);
		if (!t.content)
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
		st = xnr__conv_added_put(l, &t, 0);
		free(t.content);
		if (st != XNR_OK)
			return xnr_fail(err, XNR_ERR_NOMEM, "out of memory");
	}
	return XNR_OK;
}

/* The normalizer Sequence of either converter. */
static json_t *normalizer(const struct xnr__spm *m, int xlmr, int lower, const char *charsmap)
{
	json_t *seq = json_array();

	if (!seq)
		return NULL;
	if (!xlmr && lower)
		json_array_append_new(seq, json_pack("{s:s}", "type", "Lowercase"));
	if (!xlmr)
		json_array_append_new(seq, json_pack("{s:s,s:b,s:b}", "type", "Strip", "strip_left",
		                                     1, "strip_right", 1));
	if (m->charsmap)
		json_array_append_new(seq, json_pack("{s:s,s:s}", "type", "Precompiled",
		                                     "precompiled_charsmap", charsmap));
	if (xlmr)
		json_array_append_new(seq, json_pack("{s:s,s:b,s:b}", "type", "Strip", "strip_left",
		                                     0, "strip_right", 1));
	json_array_append_new(seq,
	                      json_pack("{s:s,s:{s:s},s:s}", "type", "Replace", "pattern", "Regex",
	                                " {2,}", "content", xlmr ? "\xe2\x96\x81" : " "));
	return json_pack("{s:s,s:o}", "type", "Sequence", "normalizers", seq);
}

static json_t *pre_tokenizer(int xlmr, int split_by_punct)
{
	json_t *meta = json_pack("{s:s,s:s,s:s,s:b}", "type", "Metaspace", "replacement",
	                         "\xe2\x96\x81", "prepend_scheme", "always", "split", 1);
	json_t *seq;

	if (xlmr || !meta)
		return meta;
	seq = json_array();
	if (split_by_punct)
		json_array_append_new(
		    seq, json_pack("{s:s,s:s}", "type", "Punctuation", "behavior", "Isolated"));
	json_array_append_new(seq, meta);
	return json_pack("{s:s,s:o}", "type", "Sequence", "pretokenizers", seq);
}

/* Refuse what the converters do not turn into a Unigram tokenizer. */
static enum xnr_status check_model(const struct xnr__spm *m, const char *path,
                                   struct xnr_error *err)
{
	static const char *const names[] = {"?", "UNIGRAM", "BPE", "WORD", "CHAR"};

	if (m->model_type != XNR__SPM_UNIGRAM)
		return xnr_fail_at(
		    err, XNR_ERR_UNSUPPORTED, path, 0,
		    "sentencepiece model type %s is not supported (only UNIGRAM "
		    "models convert; save the tokenizer with tokenizer.json instead)",
		    m->model_type >= 1 && m->model_type <= 4 ? names[m->model_type] : "unknown");
	if (m->unk_id < 0 || m->unk_id >= m->n_pieces)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "trainer_spec.unk_id %d is not a piece (0..%d)", (int)m->unk_id,
		                   m->n_pieces - 1);
	return XNR_OK;
}

static enum xnr_status assemble(const struct xnr__spm *m, int xlmr, const struct xnr__conv_cfg *c,
                                json_t *vocab, const struct xnr__conv_added_list *added,
                                const struct xnr__vocab *map, const char *path,
                                struct xnr_tokenizer **out, struct xnr_error *err)
{
	const char *cls = xlmr ? "<s>" : "[CLS]", *sep = xlmr ? "</s>" : "[SEP]";
	int lower = 0, punct = 0;
	char *charsmap = NULL;
	json_t *doc = NULL;
	enum xnr_status st;

	if (!xlmr && ((st = xnr__conv_cfg_bool(c, "do_lower_case", 0, &lower, err)) != XNR_OK ||
	              (st = xnr__conv_cfg_bool(c, "split_by_punct", 0, &punct, err)) != XNR_OK))
		return st;
	if (vocab_id(map, cls) < 0 || vocab_id(map, sep) < 0)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "the model has no \"%s\" or \"%s\" piece", cls, sep);
	if (m->charsmap && !(charsmap = base64(m->charsmap, m->charsmap_len)))
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	doc = json_pack("{s:s,s:o,s:o,s:o,s:o,s:{s:s,s:i,s:O,s:b}}", "version", "1.0",
	                "added_tokens", xnr__conv_added_json(added), "normalizer",
	                normalizer(m, xlmr, lower, charsmap), "pre_tokenizer",
	                pre_tokenizer(xlmr, punct), "post_processor",
	                xnr__conv_template(cls, vocab_id(map, cls), sep, vocab_id(map, sep), xlmr),
	                "model", "type", "Unigram", "unk_id", (json_int_t)(xlmr ? 3 : m->unk_id),
	                "vocab", vocab, "byte_fallback", 0);
	free(charsmap);
	st = doc ? xnr__tokenizer_from_json(doc, path, out, err)
	         : xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	json_decref(doc);
	return st;
}

enum xnr_status xnr__tokenizer_from_spm(const struct xnr__spm *m, int xlmr,
                                        const struct xnr__conv_cfg *c, const char *path,
                                        struct xnr_tokenizer **out, struct xnr_error *err)
{
	struct xnr__conv_added_list added = {0};
	struct xnr__vocab map;
	json_t *vocab = json_array();
	int32_t next_id;
	enum xnr_status st;

	memset(&map, 0, sizeof map);
	if (!vocab)
		return xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
	if ((st = check_model(m, path, err)) != XNR_OK)
		goto done;
	st = build_vocab(m, xlmr, vocab, &map, err);
	next_id = (int32_t)json_array_size(vocab);
	if (st == XNR_OK)
		st = spm_added(m, &map, &added, err);
	if (st == XNR_OK)
		st = xnr__conv_added_specials(&added, c, spm_keys, xlmr ? xlmr_dflt : deberta_dflt,
		                              7, xlmr ? "mask_token" : NULL, vocab_id, &map,
		                              &next_id, err);
	if (st == XNR_OK)
		st = assemble(m, xlmr, c, vocab, &added, &map, path, out, err);
	else
		xnr_error_at(err, path, 0);
done:
	json_decref(vocab);
	xnr__conv_added_free(&added);
	xnr__vocab_free(&map);
	return st;
}

enum xnr_status xnr__tokenizer_open_spm(const char *dir, struct xnr_tokenizer **out,
                                        struct xnr_error *err)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0;
	struct xnr__conv_cfg c;
	struct xnr__spm m;
	enum xnr_status st;
	int xlmr = 1;

	if ((st = xnr_path_join(path, sizeof path, dir, "sentencepiece.bpe.model", err)) != XNR_OK)
		return st;
	if (!xnr_file_exists(path)) {
		xlmr = 0;
		if ((st = xnr_path_join(path, sizeof path, dir, "spm.model", err)) != XNR_OK)
			return st;
		if (!xnr_file_exists(path))
			return xnr_fail_at(err, XNR_ERR_NOT_FOUND, dir, 0,
			                   "no sentencepiece.bpe.model or spm.model");
	}
	if ((st = xnr_file_read(path, XNR_SPM_FILE_MAX_BYTES, &buf, &len, err)) != XNR_OK)
		return st;
	st = xnr__spm_parse((const unsigned char *)buf, len, path, &m, err);
	if (st == XNR_OK) {
		st = xnr__conv_cfg_load(dir, &c, err);
		if (st == XNR_OK)
			st = xnr__tokenizer_from_spm(&m, xlmr, &c, path, out, err);
		xnr__conv_cfg_free(&c);
		xnr__spm_free(&m);
	}
	free(buf);
	return st;
}
