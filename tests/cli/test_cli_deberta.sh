#!/usr/bin/env bash
# test_cli_deberta.sh - a DeBERTa-v3 model folder end to end: `explainer
# predict` and `explainer run` on tests/fixtures/models/deberta_v3 (random
# weights, a DeBERTa-v3-style tokenizer.json: Strip + Precompiled charsmap +
# Replace, Metaspace, Unigram). Every word's probabilities equal the PyTorch
# mirror of modeling_deberta_v2 (tests/gen/gen_deberta.py, golden_words.json)
# within 1e-4, on token ids that Hugging Face's own tokenizers gave: a
# 302-token sentence run whole (relative distances past the 128 of the log
# buckets) and, with --max-length 64, in the engine's windows.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/tests/fixtures/models/deberta_v3
golden=$model/golden_words.json

# compare MAX_LENGTH PRED_JSONL: tokens and word probabilities of `predict
# --words --json` against the golden run of that length.
compare() {
	$PY - "$golden" "$1" "$2" <<'PY'
import json, sys
gold = json.load(open(sys.argv[1]))
run = next(r for r in gold["runs"] if r["max_length"] == int(sys.argv[2]))
got = [json.loads(l) for l in open(sys.argv[3])]
assert len(got) == len(run["sentences"]), len(got)
worst = 0.0
for g, s in zip(got, run["sentences"]):
    ids = [t["id"] for t in g["tokens"]]
    assert ids == s["input_ids"][1:-1], (s["words"][:5], ids[:10], s["input_ids"][:10])
    assert len(g["words"]) == len(s["probs"]), (len(g["words"]), len(s["probs"]))
    for w, want in zip(g["words"], s["probs"]):
        for label, p in zip(gold["labels"], want):
            worst = max(worst, abs(w["probs"][label] - p))
print("max |diff| of word probabilities: %.2e, windows per sentence %s"
      % (worst, [s["windows"] for s in run["sentences"]]))
assert worst <= gold["tolerance"], worst
PY
}

$PY -c "
import json, sys
for s in json.load(open(sys.argv[1]))['runs'][0]['sentences']:
    print(' '.join(s['words']))" "$golden" >"$tmp/words.txt"

for len in 512 64; do
	opt=()
	[ "$len" = 512 ] || opt=(--max-length "$len")
	if "$bin" predict --model "$model" --words --json --threads 2 "${opt[@]}" \
		<"$tmp/words.txt" >"$tmp/pred$len.jsonl" 2>"$tmp/err" &&
		compare "$len" "$tmp/pred$len.jsonl" >"$tmp/cmp$len" 2>&1; then
		ok "predict --words (max length $len) equals the PyTorch reference: $(cat "$tmp/cmp$len")"
	else
		bad "predict max length $len: $(cat "$tmp/err" "$tmp/cmp$len" 2>/dev/null | tail -5)"
	fi
done

# Raw text through the Precompiled charsmap: ids and (character) offsets of
# Hugging Face's tokenizers, special tokens aside.
$PY -c "
import json, sys
for t in json.load(open(sys.argv[1]))['texts']:
    print(t['text'])" "$golden" >"$tmp/texts.txt"
if "$bin" predict --model "$model" --json --threads 2 <"$tmp/texts.txt" >"$tmp/text.jsonl" 2>"$tmp/err" &&
	$PY - "$golden" "$tmp/text.jsonl" <<'PY'; then
import json, sys
want = json.load(open(sys.argv[1]))["texts"]
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == len(want), len(got)
for g, w in zip(got, want):
    b = w["text"].encode()
    chars = lambda o: len(b[:o].decode("utf-8", errors="ignore"))
    ids = [t["id"] for t in g["tokens"]]
    offs = [[chars(t["start"]), chars(t["end"])] for t in g["tokens"]]
    assert ids == w["input_ids"][1:-1], (w["text"], ids, w["input_ids"])
    assert offs == w["offsets"][1:-1], (w["text"], offs, w["offsets"])
PY
	ok "predict on raw text: the ids and offsets of Hugging Face's tokenizers"
else
	bad "predict on raw text: $(tail -3 "$tmp/err")"
fi

out=$("$bin" predict --model "$model" --text "Angela Merkel visited Ｐａｒｉｓ ." 2>&1)
if echo "$out" | grep -qE '^ +Ｐａｒｉｓ +(O|[BI]-(PER|LOC)) +[01]\.[0-9]{4}$'; then
	ok "predict --text: the fullwidth word keeps its original spelling"
else
	bad "predict --text: $out"
fi

# explainer run: the words of a CoNLL file written from the same sentences are
# stored with the reference's probabilities (windows of max length 64).
$PY - "$golden" "$tmp/data.conll" <<'PY'
import json, sys
gold = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for s in gold["runs"][0]["sentences"]:
        for i, w in enumerate(s["words"]):
            f.write("%s %s\n" % (w, "B-PER" if i % 7 == 0 else "O"))
        f.write("\n")
PY
if "$bin" run --model "$model" --data "$tmp/data.conll" -o "$tmp/run.db" --threads 2 \
	--max-length 64 --quiet 2>"$tmp/err"; then
	$PY - "$golden" "$tmp/run.db" <<'PY' && ok "run stores the reference's probabilities" || bad "run database"
import json, sqlite3, sys
import numpy as np
gold = json.load(open(sys.argv[1]))
run = next(r for r in gold["runs"] if r["max_length"] == 64)
c = sqlite3.connect(sys.argv[2])
labels = [n for (n,) in c.execute("select name from labels order by id")]
worst = 0.0
n = 0
for sid, idx, probs in c.execute("select sentence_id, idx, probs from words order by sentence_id, idx"):
    want = dict(zip(gold["labels"], run["sentences"][sid]["probs"][idx]))
    got = np.frombuffer(probs, dtype="<f4")
    worst = max(worst, max(abs(got[i] - want[l]) for i, l in enumerate(labels)))
    n += 1
assert n == sum(len(s["words"]) for s in run["sentences"]), n
print("run: %d words, max |diff| %.2e" % (n, worst))
assert worst <= gold["tolerance"]
PY
else
	bad "run: $(head -5 "$tmp/err")"
fi
finish
