#!/usr/bin/env bash
# test_cli_buckets.sh - `explainer report --buckets` (issue #11): F1 bucketed by
# ExplainaBoard's attributes, checked against buckets_check.py, an independent
# Python implementation of its features and bucketing over the run database
# (edges, counts and F1 equal; bootstrap intervals within 1e-9): one run against
# itself, against the reference split of its label issues (explainer issues
# --reference), two runs with the same edges (the demo model and one derived from
# it with a layer dropped), fixed edges; the same seed gives the same bytes;
# bad edges fail with one line. With the argument "shared": CoNLL-2003 test with
# conll03-bert-mini and the derived model, the time of the buckets of both, and
# the attributes that need a training split (ExplainaBoard's eFre, eCon, OOV and
# frequency rank) against CoNLL-2003 train as the reference.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
db=$tmp/runs.db
if [ "$group" = shared ]; then
	need_shared data/conll2003/test.txt data/conll2003/train.txt \
		models/conll03-bert-mini/config.json
	model=$shared/models/conll03-bert-mini
	data=$shared/data/conll2003/test.txt
	resamples=60
else
	model=$src/demo/model
	data=$src/demo/eval.conll
	resamples=200
fi
$PY "$src/tests/gen/derive_model.py" "$model" "$tmp/minus1" --drop-layers 1 >/dev/null ||
	die "deriving the model"
run() { "$bin" run --model "$1" --data "$2" -o "$db" --threads 2 >/dev/null 2>"$tmp/run.err" ||
	die "run $1 on $2: $(cat "$tmp/run.err")"; }
run "$model" "$data"        # 1
run "$tmp/minus1" "$data"   # 2

check() { # NAME ENV ARGS...: report --buckets --json ARGS, checked from the database
	local name=$1 env=$2
	shift 2
	if "$bin" report "$db" --json --top 0 --bins 0 --buckets --resamples "$resamples" "$@" \
		>"$tmp/b.json" 2>"$tmp/err" &&
		env $env $PY "$src/tests/cli/buckets_check.py" "$db" "$tmp/b.json" >"$tmp/check.out" 2>&1; then
		ok "$name: $(cat "$tmp/check.out")"
	else
		bad "$name: $(cat "$tmp/err" "$tmp/check.out" | head -5)"
	fi
}
# reference_is_run ID: the last checked report names run ID as its reference split.
reference_is_run() {
	if $PY -c 'import json, sys; b = json.load(sys.stdin)["buckets"]
assert b["reference"]["run"] == int(sys.argv[1]) and "reference split" in b["reference"]["of"], \
    b["reference"]' "$1" <"$tmp/b.json"; then
		ok "the reference is named (run $1)"
	else
		bad "the reference's run: $(head -c 300 "$tmp/b.json")"
	fi
}
check "one run, against itself" "" --run 1 --seed 3
check "two runs, the same edges" "" --run 1 --compare 2 --seed 4
check "fixed edges" 'BUCKET_FIXED={"span_length":[1,2,3],"relative_position":[0.25,0.5]}' \
	--run 2 --compare 1 --bucket-edges "span_length:1,2,3;relative_position:0.25,0.5"

if [ "$group" = shared ]; then
	# Speed (issue #11): the buckets of two CoNLL-2003 test runs, 1000 resamples.
	start=$(date +%s%N)
	"$bin" report "$db" --json --top 0 --bins 0 --resamples 1000 --buckets --run 1 --compare 2 \
		>"$tmp/speed.json" || bad "buckets of two runs"
	ms=$((($(date +%s%N) - start) / 1000000))
	ok "report --buckets --compare of two CoNLL-2003 test runs (the whole report): $ms ms"
	# ExplainaBoard's training-set attributes against CoNLL-2003 train: the label
	# issues' reference split (run 3), which the buckets take as their reference.
	# Under a sanitizer (a Debug build, ten times slower) the reference is train's first
	# 60 documents: the same code paths, not the README's numbers.
	train=$shared/data/conll2003/train.txt
	what="CoNLL-2003 train"
	if [ "${XNR_SANITIZED:-0}" = 1 ]; then
		awk '/^-DOCSTART-/ { n++ } n <= 60' "$train" >"$tmp/train60.txt"
		train=$tmp/train60.txt
		what="the first 60 documents of CoNLL-2003 train (sanitizer build)"
	fi
	"$bin" issues "$db" --run 1 --reference "$train" --top 0 \
		--threads 2 >/dev/null 2>"$tmp/err" || die "issues --reference train: $(cat "$tmp/err")"
	check "against $what" "" --run 1 --compare 2 --seed 6
	reference_is_run 3
	finish
	exit
fi

# A reference split: the first 120 sentences of the set, through explainer issues.
awk 'BEGIN { n = 0 } /^$/ { n++ } n < 120' "$data" >"$tmp/ref.conll"
"$bin" issues "$db" --run 1 --reference "$tmp/ref.conll" >/dev/null 2>"$tmp/err" ||
	die "issues --reference: $(cat "$tmp/err")"
check "against the reference split of the label issues" "" --run 1 --compare 2
reference_is_run 3

# Words with a space inside (JSONL tokens may have one): a sentence's text then
# does not split into its words, and the words' texts are read one by one.
$PY - "$data" >"$tmp/spaces.jsonl" <<'PY'
import json, sys
sents, words, tags = [], [], []
for line in open(sys.argv[1], encoding="utf-8"):
    parts = line.split()
    if not parts or parts[0] == "-DOCSTART-":
        if words:
            sents.append((words, tags))
        words, tags = [], []
        continue
    words.append(parts[0])
    tags.append(parts[-1])
for i, (w, t) in enumerate(sents[:80]):
    if i % 3 == 0 and len(w) > 2 and t[1] == "O":
        w, t = [w[0] + " " + w[1]] + w[2:], [t[0]] + t[2:]
    print(json.dumps({"tokens": w, "ner_tags": t}))
PY
"$bin" run --model "$model" --data "$tmp/spaces.jsonl" -o "$tmp/spaces.db" --threads 2 \
	>/dev/null 2>"$tmp/run.err" || die "run on words with spaces: $(cat "$tmp/run.err")"
db_main=$db
db=$tmp/spaces.db
check "words with a space inside" "" --run 1 --seed 7
db=$db_main

for i in 1 2; do
	"$bin" report "$db" --json --buckets --resamples 100 --seed 5 >"$tmp/seed$i.json"
done
if cmp -s "$tmp/seed1.json" "$tmp/seed2.json"; then
	ok "the same seed gives the same bytes"
else
	bad "seeded reproducibility"
fi
if "$bin" report "$db" --run 1 --buckets --compare 2 --resamples 100 >"$tmp/text.txt" &&
	grep -q "^span_length (continuous; words of the entity)$" "$tmp/text.txt" &&
	grep -q "^capitalisation (discrete; " "$tmp/text.txt" && grep -q "^B: run 2, " "$tmp/text.txt"; then
	ok "the text report has a table per attribute and both runs"
else
	bad "text report: $(head -c 400 "$tmp/text.txt")"
fi
expect_error "edges of an unknown attribute" 1 '"colour:1,2" is no numeric attribute' \
	"$bin" report "$db" --buckets --bucket-edges "colour:1,2"
expect_error "edges not ascending" 1 "edges of span_length must be" \
	"$bin" report "$db" --buckets --bucket-edges "span_length:3,2"
expect_error "edges of a discrete attribute" 1 "no numeric attribute" \
	"$bin" report "$db" --buckets --bucket-edges "document:1"
expect_error "a compared run that does not exist" 1 "no such run" \
	"$bin" report "$db" --run 1 --buckets --compare 99
expect_error "--compare without --buckets" 2 "go with --buckets" "$bin" report "$db" --compare 2
expect_error "--buckets without resamples" 2 "--resamples of at least 1" \
	"$bin" report "$db" --buckets --resamples 0
finish
