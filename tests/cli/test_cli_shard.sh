#!/usr/bin/env bash
# test_cli_shard.sh - sharded runs and their merge (issue #15): the property
# that `explainer merge` of the N shards of a random split (random N in
# 1..16, random documents, with and without -DOCSTART-) equals the run
# without shards in every stored value (tests/cli/runs_equal.py) with
# documents kept whole; `--shard auto` from Slurm's and Kubernetes'
# variables; and every refusal of a merge (another model, data or options,
# a slice missing or twice, a shard not finished, an output that already
# holds the run) with the shard files named and nothing written.
# XNR_SHARD_SEED=S repeats a failing seed.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
equal() { $PY "$src/tests/cli/runs_equal.py" "$@"; }

# shards DATA N DIR [run options]: the N shard runs of DATA into DIR/shard-I.db
shards() {
	local data=$1 n=$2 dir=$3 i
	shift 3
	mkdir -p "$dir"
	for ((i = 0; i < n; i++)); do
		"$bin" run --model "$model" --data "$data" --shard "$i/$n" -o "$dir/shard-$i.db" -q -n 1 "$@" || return 1
	done
}

# Documents whole: no document's sentences in two shards (DIR/shard-*.db).
docs_whole() {
	$PY - "$@" <<'PY'
import sqlite3, sys
seen = {}
for path in sys.argv[1:]:
    for (d,) in sqlite3.connect(path).execute("SELECT DISTINCT doc_id FROM sentences"):
        if d in seen:
            sys.exit(f"document {d} in {seen[d]} and {path}")
        seen[d] = path
PY
}

seed0=${XNR_SHARD_SEED:-$((RANDOM * 32768 + RANDOM))}
echo "# seed $seed0 (XNR_SHARD_SEED=$seed0 repeats these cases)"
RANDOM=$seed0
for trial in 1 2 3 4 5; do
	d=$tmp/p$trial
	mkdir -p "$d"
	n=$((RANDOM % 16 + 1))
	read -r n_docs n_sents < <($PY "$src/tests/cli/shard_data.py" "$src/demo/eval.conll" "$d/data.conll" $((seed0 + trial)))
	what="$n shards of $n_sents sentences in $n_docs documents"
	"$bin" run --model "$model" --data "$d/data.conll" -o "$d/full.db" -q -n 1 || { bad "$what: the run without shards"; continue; }
	shards "$d/data.conll" "$n" "$d" || { bad "$what: a shard run"; continue; }
	"$bin" merge "$d/merged.db" "$d"/shard-*.db -q || { bad "$what: merge"; continue; }
	if out=$(equal "$d/full.db" only "$d/merged.db" only); then ok "$what: merged equals unsharded ($out)"; else bad "$what: $out"; fi
	if [ "$n_docs" -gt 1 ]; then
		out=$(docs_whole "$d"/shard-*.db 2>&1) && ok "$what: documents whole" || bad "$what: $out"
	fi
done

# The shards of demo/eval.conll, the material of the refusals below.
d=$tmp/demo
shards "$src/demo/eval.conll" 3 "$d" || die "shards of demo/eval.conll"
"$bin" run --model "$model" --data "$src/demo/eval.conll" --shard 1/3 -o "$d/shard-1.db" >"$tmp/out" 2>&1
grep -q "already holds" "$tmp/out" && ok "a shard run again is reused" || bad "shard reuse: $(cat "$tmp/out")"
"$bin" run --model "$model" --data "$src/demo/eval.conll" -o "$d/full.db" -q -n 1 || die "unsharded demo run"
"$bin" merge "$d/out.db" "$d/shard-2.db" "$d/shard-0.db" "$d/shard-1.db" >"$tmp/merge.txt" || bad "merge in any order"
grep -q "344 sentences" "$tmp/merge.txt" && grep -q "micro avg" "$tmp/merge.txt" && ok "merge prints the report and counts" || bad "merge output: $(cat "$tmp/merge.txt")"
out=$(equal "$d/full.db" only "$d/out.db" only) && ok "demo/eval.conll in 3 shards: $out" || bad "demo merge: $out"
# the merge keeps the report (text and JSON of the default options) as a run
# does: the one printed is what --recompute computes from the merged rows
kept_reports() { $PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from run_results where name like ?", ("% report % top=10 seed=1 resamples=1000 level=0.95 bins=10",)).fetchone()[0])' "$1"; }
[ "$(kept_reports "$d/out.db")" = 2 ] && ok "the merge keeps its report, text and JSON" || bad "the merge kept $(kept_reports "$d/out.db") reports"
"$bin" report "$d/out.db" >"$tmp/r1.txt" && "$bin" report "$d/full.db" >"$tmp/r2.txt" && cmp -s "$tmp/r1.txt" "$tmp/r2.txt" && ok "explainer report: the same text" || bad "reports differ"
"$bin" report "$d/out.db" --json >"$tmp/r1.json" && "$bin" report "$d/out.db" --recompute >"$tmp/r3.txt" &&
	"$bin" report "$d/out.db" --json --recompute >"$tmp/r3.json" && cmp -s "$tmp/r1.txt" "$tmp/r3.txt" && cmp -s "$tmp/r1.json" "$tmp/r3.json" &&
	ok "the merge's kept report is what --recompute computes, text and JSON" || bad "kept merge report: $(diff "$tmp/r1.txt" "$tmp/r3.txt" | head -5)"

# Refusals: one line naming the files, exit 1, the output as it was.
cp -r "$model" "$tmp/model2" && echo >>"$tmp/model2/config.json"
"$bin" run --model "$tmp/model2" --data "$src/demo/eval.conll" --shard 2/3 -o "$tmp/other-model.db" -q -n 1
head -n 200 "$src/demo/eval.conll" >"$tmp/other.conll"
"$bin" run --model "$model" --data "$tmp/other.conll" --shard 2/3 -o "$tmp/other-data.db" -q -n 1
"$bin" run --model "$model" --data "$src/demo/eval.conll" --shard 2/3 -L 64 -o "$tmp/other-opts.db" -q -n 1
"$bin" run --model "$model" --data "$src/demo/eval.conll" --shard 2/4 -o "$tmp/other-n.db" -q -n 1
cp "$d/full.db" "$tmp/before.db"
sum_before=$(sha256sum <"$d/full.db")
m() { expect_error "$1" "$2" "$3" "$bin" merge "$tmp/new.db" "${@:4}"; [ ! -e "$tmp/new.db" ] || bad "$1: new.db left behind"; }
m "another model" 1 "other-model.db: shard 2/3 is of another model than $d/shard-0.db" "$d/shard-0.db" "$d/shard-1.db" "$tmp/other-model.db"
m "other data" 1 "other-data.db: shard 2/3 is of other data than" "$d/shard-0.db" "$d/shard-1.db" "$tmp/other-data.db"
m "other options" 1 "other-opts.db: shard 2/3 is of other options than" "$d/shard-0.db" "$d/shard-1.db" "$tmp/other-opts.db"
m "another N" 1 "other-n.db: shard 2/4, but $d/shard-0.db holds shard 0/3" "$d/shard-0.db" "$d/shard-1.db" "$tmp/other-n.db"
m "a missing slice" 1 "slice 1/3 is missing" "$d/shard-0.db" "$d/shard-2.db"
cp "$d/shard-0.db" "$tmp/again.db"
m "a slice twice" 1 "slice 0/3 is in both $d/shard-0.db and $tmp/again.db" "$d/shard-0.db" "$tmp/again.db" "$d/shard-1.db" "$d/shard-2.db"
m "a shard not finished (no file yet)" 1 "$tmp/running.db: no such shard database" "$d/shard-0.db" "$tmp/running.db" "$d/shard-2.db"
m "a database with no shard run" 1 "$d/full.db: holds no complete shard run" "$d/shard-0.db" "$d/full.db"
cp "$d/shard-1.db" "$tmp/cut.db" && sqlite3 "$tmp/cut.db" "UPDATE runs SET summary = NULL"
m "a shard run without its summary" 1 "$tmp/cut.db: shard 1/3 (run 1) is incomplete" "$d/shard-0.db" "$tmp/cut.db" "$d/shard-2.db"
cp "$d/shard-1.db" "$tmp/damaged.db" && sqlite3 "$tmp/damaged.db" "UPDATE settings SET value = 'x' WHERE key = 'shard.first_sentence'"
m "damaged shard settings" 1 "$tmp/damaged.db: run 1: its shard settings are damaged" "$d/shard-0.db" "$tmp/damaged.db" "$d/shard-2.db"
expect_error "an output holding the run" 1 "$d/full.db: already holds run 1 with this key" "$bin" merge "$d/full.db" "$d"/shard-?.db
[ "$(sha256sum <"$d/full.db")" = "$sum_before" ] && ok "a refused merge leaves the output as it was" || bad "the output changed"
expect_error "merging twice into one output" 1 "already holds run" "$bin" merge "$d/out.db" "$d"/shard-?.db
expect_error "merge wants a shard" 2 "explainer merge:" "$bin" merge "$tmp/new.db"

# --shard auto: the slice from the scheduler's variables.
setting() { $PY -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM settings WHERE key = ?", (sys.argv[2],)).fetchone()[0])' "$@"; }
run_q() { "$bin" run --model "$model" --data "$src/demo/eval.conll" -q -n 1 "$@"; }
SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_MAX=7 SLURM_ARRAY_TASK_COUNT=4 run_q --shard auto -o "$tmp/slurm.db"
[ "$(setting "$tmp/slurm.db" shard)" = 1/4 ] && ok "--shard auto in a Slurm array task" || bad "slurm auto"
JOB_COMPLETION_INDEX=3 run_q --shard auto/5 -o "$tmp/k8s.db"
[ "$(setting "$tmp/k8s.db" shard)" = 3/5 ] && ok "--shard auto/N in a Kubernetes Indexed Job" || bad "k8s auto"
expect_error "auto without a scheduler" 2 "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX" env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX "$bin" run --model "$model" --data "$src/demo/eval.conll" --shard auto -o "$tmp/x.db"
expect_error "auto in Kubernetes without N" 2 "needs the count: --shard auto/N" env JOB_COMPLETION_INDEX=0 "$bin" run --model "$model" --data "$src/demo/eval.conll" --shard auto -o "$tmp/x.db"
expect_error "a Slurm array with a step" 2 "one range with step 1" env SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=6 SLURM_ARRAY_TASK_COUNT=4 "$bin" run --model "$model" --data "$src/demo/eval.conll" --shard auto -o "$tmp/x.db"
expect_error "index out of range" 2 "--shard wants a whole number from 0 to 2" "$bin" run --model "$model" --data "$src/demo/eval.conll" --shard 3/3 -o "$tmp/x.db"
expect_error "not a shard" 2 "expected I/N or auto" "$bin" run --model "$model" --data "$src/demo/eval.conll" --shard half -o "$tmp/x.db"
finish
