#!/usr/bin/env bash
# scale.sh - how `explainer run` grows with the corpus (issue #15): a
# generated corpus of N sentences (demo/eval.conll repeated, documents
# kept) for each N of SIZES (default "10000 100000"), run with the demo
# model; peak RSS, time per sentence, database size per word, and the same
# for `explainer report` on the run and for 4 shards plus their merge
# (SHARDS=0 leaves the shards out: "-" in their columns).
# Prints a markdown table; not a test. Needs about 1.7 KB of disk per word.
. "$(dirname "$0")/lib.sh"
need_built explainer
sizes=${SIZES:-10000 100000}
model=$root/demo/model

# corpus N OUT: the first N sentences of demo/eval.conll repeated.
corpus() {
	$py - "$root/demo/eval.conll" "$1" "$2" <<'PY'
import sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
blocks = open(src, encoding="utf-8").read().split("\n\n")
done = 0
with open(out, "w", encoding="utf-8") as f:
    while done < n:
        for b in blocks:
            if not b.strip():
                continue
            f.write(b.strip("\n") + "\n\n")
            if not b.startswith("-DOCSTART-"):
                done += 1
                if done == n:
                    break
PY
}

# measure VAR command...: runs it; "wall-seconds kB cpu-seconds" into VAR
# (CPU time, user + system, is what a shared machine does not distort).
measure() {
	local var=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$@" >/dev/null
	read -r wall kb user sys <"$out/time.txt"
	printf -v "$var" '%s %s %s' "$wall" "$kb" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
}

echo "| sentences | words | explainer run (wall, CPU) | CPU per sentence | peak RSS | DB size | per word | report | report RSS | 4 shards: max RSS | merge | merge RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in $sizes; do
	data=$out/scale-$n.conll
	db=$out/scale-$n.db
	[ -f "$data" ] || corpus "$n" "$data"
	rm -f "$db" "$db"-* "$out"/scale-shard-*.db* "$out/scale-merged.db"*
	measure run "$build/explainer" run --model "$model" --data "$data" -o "$db" -q --threads "$threads"
	measure rep "$build/explainer" report "$db"
	shard_max=0
	mrg="- 0 0"
	for i in $([ "${SHARDS:-4}" = 0 ] || echo 0 1 2 3); do
		measure sh "$build/explainer" run --model "$model" --data "$data" --shard "$i/4" -o "$out/scale-shard-$i.db" -q --threads "$threads"
		read -r _ kb _ <<<"$sh"
		[ "$kb" -le "$shard_max" ] || shard_max=$kb
	done
	[ "$shard_max" = 0 ] || measure mrg "$build/explainer" merge "$out/scale-merged.db" "$out"/scale-shard-?.db
	words=$($py -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT n_words FROM runs").fetchone()[0])' "$db")
	bytes=$(stat -c %s "$db")
	read -r rs rk rc <<<"$run"
	read -r ps pk _ <<<"$rep"
	read -r ms mk _ <<<"$mrg"
	$py - "$n" "$words" "$rs" "$rk" "$bytes" "$ps" "$pk" "$shard_max" "$ms" "$mk" "$rc" <<'PY'
import sys
n, w, rs, rk, b, ps, pk, sk, ms, mk, rc = sys.argv[1:]
n, w, b = int(n), int(w), int(b)
shards = ("-", "-", "-") if sk == "0" else (f"{int(sk) // 1024} MB", f"{float(ms):.1f} s", f"{int(mk) // 1024} MB")
print(f"| {n:,} | {w:,} | {float(rs):.1f} s, {float(rc):.1f} s | {float(rc) / n * 1e3:.2f} ms | {int(rk) // 1024} MB"
      f" | {b / 2**20:,.0f} MB | {b / w / 1024:.2f} KB | {float(ps):.2f} s | {int(pk) // 1024} MB"
      f" | {shards[0]} | {shards[1]} | {shards[2]} |")
PY
	rm -f "$out"/scale-shard-*.db* "$out/scale-merged.db"*
done
