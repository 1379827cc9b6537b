#!/usr/bin/env bash
# dups.sh - Find Duplicates on CoNLL-2003: the lexical search alone
# (bench/bench_dups: the exact prefix-filtered index against MinHash LSH, CPU
# and wall seconds, LSH's recall of the exact pairs) on the train split
# (14,041 sentences) and on synthetic sets of 60k and 120k sentences walked
# from train's word bigrams, every 50th an edited copy of an earlier one;
# then the page's whole job (POST /api/v1/runs/1/duplicates with the page's
# defaults, until done: reading the run, the sentence vectors, the search,
# the answer) on a run of demo/model over train, test against train (the
# leakage search, `reference`) and the vector search, median of three fresh
# servers; last, on a run of the fixture tests/fixtures/dups/planted.conll,
# where the eight planted near-duplicates rank, lexical and by vectors.
# Prints markdown tables (the search's JSON lines also go to
# bench/out/dups_lexical.jsonl); not a test.
. "$(dirname "$0")/lib.sh"
need_built explainer bench_dups
need_shared data/conll2003/train.txt data/conll2003/test.txt
train=$shared/data/conll2003/train.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for args in "conll $train" "synth $train 60000 1" "synth $train 120000 1"; do
	# shellcheck disable=SC2086 # the arguments are words
	"$build/bench_dups" $args >>"$tmp/lex.jsonl"
done
$py - "$tmp/lex.jsonl" <<'PY'
import json, sys
print("| set | sentences | method | CPU s | wall s | variants | candidates | pairs | recall of exact |")
print("|---|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    name = "CoNLL-2003 train" if r["data"] == "conll" else "synthetic"
    print(f"| {name} | {r['n']:,} | {r['method']} | {r['cpu_seconds']:.2f} | {r['seconds']:.2f} | "
          f"{r['n_variants']:,} | {r['n_candidates']:,} | {r['n_pairs']:,} | {r['recall_of_exact']:.4f} |")
PY
cat "$tmp/lex.jsonl" >"$out/dups_lexical.jsonl"

# The page's job on a run: train (run 1) and test (run 2) in one database.
db=$out/dups.db
if [ ! -f "$db" ]; then
	"$build/explainer" run -m "$root/demo/model" -d "$train" -o "$db.part" -q
	"$build/explainer" run -m "$root/demo/model" -d "$shared/data/conll2003/test.txt" -o "$db.part" -q
	mv "$db.part" "$db"
fi
$py "$here/dups_jobs.py" timing "$build/explainer" "$db"

# The fixture: demo/eval.conll with eight planted near-duplicates.
fx=$out/dups_fixture.db
[ -f "$fx" ] || "$build/explainer" run -m "$root/demo/model" -d "$root/tests/fixtures/dups/planted.conll" -o "$fx" -q
$py "$here/dups_jobs.py" fixture "$build/explainer" "$fx"
