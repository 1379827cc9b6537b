#!/usr/bin/env bash
# test_cli_tokconv.sh - model folders without tokenizer.json end to end (issue
# #12 item 3): `explainer predict` on the roberta, xlm_roberta and deberta_v3
# fixture models with only slow tokenizer files (vocab.json + merges.txt,
# sentencepiece.bpe.model, spm.model from tests/fixtures/tokenizers/slow/) must
# print exactly what it prints with a tokenizer.json: deberta_v3's own, and
# for roberta and xlm_roberta (which have none) the one that
# tests/tokparity/convert.mjs, a JavaScript port of transformers' converters,
# makes of the same files. Texts and pre-split words: demo/eval.conll and
# demo/examples.txt plus hard lines. Then broken folders: one line saying what
# and where, non-zero exit.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
fixtures=$src/tests/fixtures
slow=$fixtures/tokenizers/slow
command -v node >/dev/null 2>&1 || die "node is not installed: run scripts/setup.sh --test"

# Inputs: every sentence of the demo as words and as text, the examples, and
# lines with what the normalizers rewrite (fullwidth letters, ligatures, NFD
# accents, no-break and ideographic spaces, CJK, emoji, special-token text).
$PY - "$src/demo/eval.conll" "$tmp/words.txt" <<'PY'
import sys
sents, cur = [], []
for line in open(sys.argv[1], encoding="utf-8"):
    w = line.split()
    if not w or w[0] == "-DOCSTART-":
        if cur:
            sents.append(cur)
        cur = []
    else:
        cur.append(w[0])
if cur:
    sents.append(cur)
open(sys.argv[2], "w", encoding="utf-8").write("".join(" ".join(s) + "\n" for s in sents))
PY
{
	cat "$tmp/words.txt" "$src/demo/examples.txt"
	printf '%s\n' 'Ｔｈｅ ﬁnal in Zu\xcc\x88rich' 'Angela Merkel visited New York' \
		'São Paulo 東京 😀 <mask> [MASK]  double  spaces'
	printf 'no-break\xc2\xa0space and\xe3\x80\x80ideographic\n'
} >"$tmp/texts.txt"

# slow_folder NAME MODEL FILE:AS...: the model fixture with the slow files.
slow_folder() {
	local d=$tmp/$1-slow f
	mkdir -p "$d"
	cp "$fixtures/models/$2/config.json" "$fixtures/models/$2/model.safetensors" "$d/"
	shift 2
	for f in "$@"; do cp "$slow/${f%%:*}" "$d/${f##*:}"; done
	echo "$d"
}

# json_folder NAME SLOW_DIR [TOKENIZER_JSON]: the same model with a
# tokenizer.json (the given one, or convert.mjs's of the slow files).
json_folder() {
	local d=$tmp/$1-json
	mkdir -p "$d"
	cp "$2/config.json" "$2/model.safetensors" "$d/"
	if [ -n "${3:-}" ]; then
		cp "$3" "$d/tokenizer.json"
	else
		node --input-type=module -e "
import { writeFileSync } from 'node:fs';
import { convertFolder } from '$src/tests/tokparity/convert.mjs';
writeFileSync(process.argv[1], JSON.stringify(convertFolder(process.argv[2])));" \
			"$d/tokenizer.json" "$2" || return 1
	fi
	echo "$d"
}

# same NAME SLOW JSON: predict --json on texts and on words, identical.
same() {
	local mode opt
	for mode in text words; do
		opt=()
		input=$tmp/texts.txt
		if [ "$mode" = words ]; then opt=(--words); input=$tmp/words.txt; fi
		if ! "$bin" predict --model "$2" --json --threads 2 "${opt[@]}" <"$input" \
			>"$tmp/$1.slow.$mode" 2>"$tmp/err"; then
			bad "$1 $mode: predict on the slow files failed: $(head -c 300 "$tmp/err")"
			continue
		fi
		if ! "$bin" predict --model "$3" --json --threads 2 "${opt[@]}" <"$input" \
			>"$tmp/$1.json.$mode" 2>"$tmp/err"; then
			bad "$1 $mode: predict with tokenizer.json failed: $(head -c 300 "$tmp/err")"
		elif cmp -s "$tmp/$1.slow.$mode" "$tmp/$1.json.$mode" &&
			[ "$(wc -l <"$tmp/$1.slow.$mode")" = "$(wc -l <"$input")" ]; then
			ok "$1 $mode: $(wc -l <"$input") lines predicted identically from the slow files and from tokenizer.json"
		else
			bad "$1 $mode: predictions differ: $(diff "$tmp/$1.slow.$mode" "$tmp/$1.json.$mode" | head -c 400)"
		fi
	done
}

d=$(slow_folder roberta roberta roberta/vocab.json:vocab.json roberta/merges.txt:merges.txt)
j=$(json_folder roberta "$d") && same roberta "$d" "$j" || bad "roberta: convert.mjs failed"
d=$(slow_folder xlm_roberta xlm_roberta xlmr_unigram.model:sentencepiece.bpe.model)
j=$(json_folder xlm_roberta "$d") && same xlm_roberta "$d" "$j" || bad "xlm_roberta: convert.mjs failed"
d=$(slow_folder deberta_v3 deberta_v3 deberta_v3.spm.model:spm.model)
j=$(json_folder deberta_v3 "$d" "$fixtures/models/deberta_v3/tokenizer.json")
same deberta_v3 "$d" "$j"

# Broken folders: what is wrong and where, one line, exit 1.
d=$(slow_folder broken_spm xlm_roberta)
head -c 35 "$slow/xlmr_unigram.model" >"$d/sentencepiece.bpe.model"
expect_error "a truncated sentencepiece model names the field and byte offset" 1 \
	"sentencepiece.bpe.model: byte 30: ModelProto: field 1: length runs past the end" \
	"$bin" predict --model "$d" --text "a b"
d=$(slow_folder spm_bpe deberta_v3 bpe.model:spm.model)
expect_error "an spm BPE model is refused as such" 1 "model type BPE is not supported" \
	"$bin" predict --model "$d" --text "a b"
d=$(slow_folder bad_merges roberta roberta/vocab.json:vocab.json)
printf '#version: 0.2\ni n\nfoo\n' >"$d/merges.txt"
expect_error "a malformed merges.txt line names file:line" 1 "merges.txt:3: expected two tokens" \
	"$bin" predict --model "$d" --text "a b"
finish
