#!/usr/bin/env bash
# issues.sh - how well `explainer issues` finds label errors, and how fast.
# Noise we control (bench/label_noise.py: type swaps, boundary shifts,
# deleted and invented entities) goes into CoNLL-2003 test (train as the
# reference) and demo/eval.conll (no reference) at several rates and seeds;
# each noisy split is run with the demo model and scored, and
# bench/issues_eval.py measures every signal alone, the combination and the
# cleanlab self-confidence baseline of the same run. Then the demo set's 12
# deliberate mistakes, and the time and memory of scoring CoNLL-2003 test
# against train. Prints markdown; not a test. Noisy CoNLL copies stay in
# bench/out/ (never commit them: research licence).
. "$(dirname "$0")/lib.sh"
need_built explainer
conll=$shared/data/conll2003
out=$out/issues; mkdir -p "$out"
rates=${RATES:-"0.02 0.05 0.10"}
seeds=${SEEDS:-"1 2 3"}
bin=$build/explainer
model=$root/demo/model

# run_of DB DATA: the newest run of DB over DATA's content (new, or an earlier run reused
# by key, which keeps the path it was first given).
run_of() { $py -c "import hashlib,sqlite3,sys; h=hashlib.sha256(open(sys.argv[2],'rb').read()).hexdigest(); print(sqlite3.connect(sys.argv[1]).execute('select max(id) from runs where data_hash = ?', (h,)).fetchone()[0])" "$1" "$2"; }

# score NAME SRC DB [REFERENCE ARGS...]: noise, run, issues, evaluate, for every rate and seed
score() {
	local name=$1 src=$2 db=$3; shift 3
	for rate in $rates; do
		local results=()
		for seed in $seeds; do
			local base=$out/${name}_${rate}_$seed
			$py "$here/label_noise.py" "$src" "$base.conll" "$base.truth.json" --rate "$rate" --seed "$seed" >/dev/null
			"$bin" run --model "$model" --data "$base.conll" -o "$db" -q --threads "$threads"
			local run; run=$(run_of "$db" "$base.conll")
			"$bin" issues "$db" --run "$run" "$@" --top 0 -n "$threads" >/dev/null
			$py "$here/issues_eval.py" "$db" "$run" "$base.truth.json" --json >"$base.eval.json"
			results+=("$base.eval.json")
			echo "$db $run $base.truth.json" >>"$out/$name.manifest"
		done
		echo
		echo "### $name, ${rate} of the entities changed (mean of seeds $seeds)"
		echo
		$py "$here/issues_eval.py" --aggregate "${results[@]}"
	done
}

rm -f "$out"/*.manifest
[ -f "$conll/test.txt" ] && score conll "$conll/test.txt" "$out/conll.db" --reference "$conll" --split train
score demo "$root/demo/eval.conll" "$out/demo.db"

echo
echo "### demo/eval.conll, its 12 deliberate mistakes (no reference)"
echo
rm -f "$out/demo_clean.db"*
"$bin" run --model "$model" --data "$root/demo/eval.conll" -o "$out/demo_clean.db" -q --threads "$threads"
"$bin" issues "$out/demo_clean.db" --top 0 -n "$threads" >/dev/null
$py "$here/issues_eval.py" "$out/demo_clean.db" 1 --demo | sed 's/^/    /'

if [ -f "$conll/test.txt" ]; then
	echo
	echo "### weights (mean AUPRC over the CoNLL runs above)"
	echo
	$py "$here/issues_eval.py" --grid "$out/conll.manifest" | sed 's/^/    /'
	echo
	echo "### speed: CoNLL-2003 test against train ($threads threads), the reference run stored"
	echo
	"$bin" run --model "$model" --data "$conll/test.txt" -o "$out/conll.db" -q --threads "$threads"
	run=$(run_of "$out/conll.db" "$conll/test.txt")
	/usr/bin/time -v "$bin" issues "$out/conll.db" --run "$run" --reference "$conll" --split train \
		--recompute --top 0 -n "$threads" 2>"$out/time.txt" >/dev/null &
	# the peak of memory the process allocated itself (RssAnon); the rest of its
	# RSS is database pages SQLite maps (PRAGMA mmap_size), the OS's page cache
	anon=0
	sleep 0.2
	child=$(pgrep -P $! | head -1)
	while kill -0 "$child" 2>/dev/null; do
		a=$(awk '/RssAnon/ {print $2}' "/proc/$child/status" 2>/dev/null || echo 0)
		[ "${a:-0}" -gt "$anon" ] && anon=$a
		sleep 0.1
	done
	wait
	grep -E "Elapsed|Maximum resident|User time|System time" "$out/time.txt" | sed 's/^\t*/    /'
	echo "    Peak anonymous memory (RssAnon, kbytes): $anon"
	echo "    (load average when done: $(cut -d' ' -f1-3 /proc/loadavg))"
fi
