/*
 * convert_bpe.c - RoBERTa / GPT-2 style folders without tokenizer.json:
 * vocab.json (token -> id) + merges.txt, rebuilt as transformers'
 * RobertaConverter and RobertaTokenizerFast do (hf-formats.md 4.9): no
 * normalizer, ByteLevel(add_prefix_space, trim_offsets, use_regex),
 * BPE(continuing_subword_prefix "", end_of_word_suffix "", no unk, fuse_unk
 * false), RobertaProcessing(sep, cls, add_prefix_space, trim_offsets), the
 * slow class's special tokens (<mask> with lstrip). merges.txt is read like
 * RobertaTokenizer: the first line is a header, one "a b" pair per line.
 */
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/json.h"
#include "tokenizer/internal.h"

#define XNR_BPE_FILE_MAX_BYTES ((size_t)128 << 20)

static int32_t json_vocab_id(const void *vocab, const char *s)
{
	const json_t *v = json_object_get((const json_t *)vocab, s);
	return json_is_integer(v) ? (int32_t)json_integer_value(v) : -1;
}

/* vocab.json: an object of token -> id in [0, 2^26). */
static enum xnr_status read_vocab(const char *path, json_t **vocab, int32_t *max_id,
                                  struct xnr_error *err)
{
	const char *key;
	json_t *v;
	enum xnr_status st = xnr_json_load(path, XNR_BPE_FILE_MAX_BYTES, vocab, err);

	if (st != XNR_OK)
		return st;
	if (!json_is_object(*vocab) || json_object_size(*vocab) == 0)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "expected a non-empty object of token -> id");
	*max_id = -1;
	json_object_foreach(*vocab, key, v)
	{
		json_int_t id = json_is_integer(v) ? json_integer_value(v) : -1;
		if (id < 0 || id >= (1 << 26))
			return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
			                   "\"%s\": expected an id in 0..2^26", key);
		if (id > *max_id)
			*max_id = (int32_t)id;
	}
	return XNR_OK;
}

/* The next whitespace-separated word of s[*i..e) (Python's str.split()). */
static int next_word(const char *s, size_t *i, size_t e, size_t *ws, size_t *we)
{
	while (*i < e &&
	       (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r' || s[*i] == '\v' || s[*i] == '\f'))
		(*i)++;
	if (*i >= e)
		return 0;
	*ws = *i;
	while (*i < e && s[*i] != ' ' && s[*i] != '\t' && s[*i] != '\r' && s[*i] != '\v' &&
	       s[*i] != '\f')
		(*i)++;
	*we = *i;
	return 1;
}

/* One merges.txt line: exactly two tokens, each and their concatenation in
 * the vocab (the BPE model refuses others), appended to merges as [a, b]. */
static enum xnr_status read_merge(const char *s, size_t e, size_t i, const json_t *vocab,
                                  json_t *merges, const char *path, long line,
                                  struct xnr_error *err)
{
	size_t as, ae, bs, be, xs, xe;
	char *a = NULL, *b = NULL, *ab = NULL;
	enum xnr_status st = XNR_OK;

	if (!next_word(s, &i, e, &as, &ae) || !next_word(s, &i, e, &bs, &be) ||
	    next_word(s, &i, e, &xs, &xe))
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, line,
		                   "expected two tokens separated by a space (\"a b\")");
	a = strndup(s + as, ae - as);
	b = strndup(s + bs, be - bs);
	ab = malloc(ae - as + be - bs + 1);
	if (!a || !b || !ab) {
		st = xnr_fail_at(err, XNR_ERR_NOMEM, path, line, "out of memory");
		goto done;
	}
	memcpy(ab, a, ae - as);
	memcpy(ab + (ae - as), b, be - bs + 1);
	if (json_vocab_id(vocab, a) < 0 || json_vocab_id(vocab, b) < 0 ||
	    json_vocab_id(vocab, ab) < 0) {
		st = xnr_fail_at(err, XNR_ERR_FORMAT, path, line,
		                 "\"%s\", \"%s\" or \"%s\" is not in vocab.json (merges.txt and "
		                 "vocab.json must come from the same tokenizer)",
		                 a, b, ab);
		goto done;
	}
	if (json_array_append_new(merges, json_pack("[s,s]", a, b)) != 0)
		st = xnr_fail_at(err, XNR_ERR_NOMEM, path, line, "out of memory");
done:
	free(a);
	free(b);
	free(ab);
	return st;
}

/* merges.txt as RobertaTokenizer reads it: read().split("\n")[1:-1]. */
static enum xnr_status read_merges(const char *path, const json_t *vocab, json_t *merges,
                                   struct xnr_error *err)
{
	char *text = NULL;
	size_t len = 0, i = 0;
	long line = 0;
	enum xnr_status st = xnr_file_read(path, XNR_BPE_FILE_MAX_BYTES, &text, &len, err);

	if (st != XNR_OK)
		return st;
	if (xnr__utf8_invalid(text, len) != (size_t)-1) {
		st = xnr_fail_at(err, XNR_ERR_FORMAT, path, 0, "not valid UTF-8");
		goto done;
	}
	while (i < len && st == XNR_OK) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		line++;
		if (e == len) /* the last element of split("\n") is dropped */
			break;
		if (line > 1)
			st = read_merge(text, e, i, vocab, merges, path, line, err);
		i = e + 1;
	}
done:
	free(text);
	return st;
}

/* The special tokens of RobertaTokenizer, in transformers' attribute order. */
static const char *const roberta_keys[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                           "pad_token", "cls_token", "mask_token"};
static const char *const roberta_dflt[] = {"<s>",   "</s>", "<unk>", "</s>",
                                           "<pad>", "<s>",  "<mask>"};

static json_t *build_doc(json_t *vocab, json_t *merges, json_t *added, int aps, int trim,
                         const char *cls, int32_t cls_id, const char *sep, int32_t sep_id)
{
	return json_pack("{s:s,s:o,s:n,s:{s:s,s:b,s:b,s:b},s:{s:s,s:[s,i],s:[s,i],s:b,s:b},"
	                 "s:{s:s,s:n,s:n,s:s,s:s,s:b,s:b,s:b,s:O,s:O}}",
	                 "version", "1.0", "added_tokens", added, "normalizer", "pre_tokenizer",
	                 "type", "ByteLevel", "add_prefix_space", aps, "trim_offsets", 1,
	                 "use_regex", 1, "post_processor", "type", "RobertaProcessing", "sep", sep,
	                 (json_int_t)sep_id, "cls", cls, (json_int_t)cls_id, "trim_offsets", trim,
	                 "add_prefix_space", aps, "model", "type", "BPE", "dropout", "unk_token",
	                 "continuing_subword_prefix", "", "end_of_word_suffix", "", "fuse_unk", 0,
	                 "byte_fallback", 0, "ignore_merges", 0, "vocab", vocab, "merges", merges);
}

/* Everything but the file reading: the converted pipeline of vocab + merges. */
static enum xnr_status convert(json_t *vocab, int32_t max_id, json_t *merges,
                               const struct xnr__conv_cfg *c, const char *path,
                               struct xnr_tokenizer **out, struct xnr_error *err)
{
	struct xnr__conv_added_list added = {0};
	struct xnr__conv_added cls = {0}, sep = {0};
	int32_t next_id = max_id + 1;
	json_t *doc = NULL;
	int aps = 0, trim = 1;
	enum xnr_status st;

	if ((st = xnr__conv_cfg_bool(c, "add_prefix_space", 0, &aps, err)) != XNR_OK ||
	    (st = xnr__conv_cfg_bool(c, "trim_offsets", 1, &trim, err)) != XNR_OK)
		return st;
	xnr__conv_cfg_token(c, "cls_token", "<s>", &cls);
	xnr__conv_cfg_token(c, "sep_token", "</s>", &sep);
	if (json_vocab_id(vocab, cls.content) < 0 || json_vocab_id(vocab, sep.content) < 0)
		return xnr_fail_at(err, XNR_ERR_FORMAT, path, 0,
		                   "vocab.json has no \"%s\" or \"%s\" token (set cls_token and "
		                   "sep_token in tokenizer_config.json)",
		                   cls.content, sep.content);
	st = xnr__conv_added_specials(&added, c, roberta_keys, roberta_dflt, 7, "mask_token",
	                              json_vocab_id, vocab, &next_id, err);
	if (st != XNR_OK)
		goto done;
	doc = build_doc(vocab, merges, xnr__conv_added_json(&added), aps, trim, cls.content,
	                json_vocab_id(vocab, cls.content), sep.content,
	                json_vocab_id(vocab, sep.content));
	st = doc ? xnr__tokenizer_from_json(doc, path, out, err)
	         : xnr_fail_at(err, XNR_ERR_NOMEM, path, 0, "out of memory");
done:
	json_decref(doc);
	xnr__conv_added_free(&added);
	return st;
}

enum xnr_status xnr__tokenizer_open_bpe(const char *dir, struct xnr_tokenizer **out,
                                        struct xnr_error *err)
{
	char vpath[4096], mpath[4096];
	json_t *vocab = NULL, *merges = NULL;
	struct xnr__conv_cfg c;
	int32_t max_id = -1;
	enum xnr_status st;

	if ((st = xnr_path_join(vpath, sizeof vpath, dir, "vocab.json", err)) != XNR_OK ||
	    (st = xnr_path_join(mpath, sizeof mpath, dir, "merges.txt", err)) != XNR_OK)
		return st;
	if (!xnr_file_exists(vpath) || !xnr_file_exists(mpath))
		return xnr_fail_at(err, XNR_ERR_NOT_FOUND, dir, 0, "no vocab.json + merges.txt");
	if ((st = xnr__conv_cfg_load(dir, &c, err)) != XNR_OK)
		return st;
	merges = json_array();
	if (!merges) {
		st = xnr_fail_at(err, XNR_ERR_NOMEM, mpath, 0, "out of memory");
		goto done;
	}
	if ((st = read_vocab(vpath, &vocab, &max_id, err)) == XNR_OK &&
	    (st = read_merges(mpath, vocab, merges, err)) == XNR_OK)
		st = convert(vocab, max_id, merges, &c, vpath, out, err);
done:
	json_decref(vocab);
	json_decref(merges);
	xnr__conv_cfg_free(&c);
	return st;
}
