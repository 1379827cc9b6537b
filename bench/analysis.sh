#!/usr/bin/env bash
# analysis.sh - wall time and peak memory of `explainer run` on the CoNLL-2003
# test split (3,453 sentences) with the demo model and a BERT-base-sized
# model, and of `explainer report` on the stored run. Prints a markdown table;
# not a test.
. "$(dirname "$0")/lib.sh"
need_built explainer
need_shared data/conll2003/test.txt
data=$shared/data/conll2003/test.txt
[ -d "$out/bert-base" ] || $py "$here/make_base_model.py" "$out/bert-base" "$shared"

measure() { # label command...
	local label=$1; shift
	/usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null
	read -r secs kb <"$out/time.txt"
	printf '| %s | %.2f s | %.0f MB |\n' "$label" "$secs" "$((kb / 1024))"
}

echo "| what ($threads threads) | wall time | peak RSS |"
echo "|---|---|---|"
for m in demo bert-base; do
	dir=$root/demo/model; [ "$m" = bert-base ] && dir=$out/bert-base
	db=$out/$m.db; rm -f "$db" "$db-wal" "$db-shm"
	measure "explainer run, $m model" "$build/explainer" run --model "$dir" --data "$data" -o "$db" -q --threads "$threads"
	"$build/explainer" report "$db" >/dev/null # warm the page cache, as a user re-running it would
	measure "explainer report, $m run" "$build/explainer" report "$db"
	ls -l "$db" | awk -v m="$m" '{printf "| database size, %s run | %.0f MB | |\n", m, $5 / 1048576}'
done
