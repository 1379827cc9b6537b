#!/usr/bin/env bash
# compare.sh - issue #11's speed lines on two CoNLL-2003 test runs
# (conll03-bert-mini, and the same model without its last encoder layer,
# tests/gen/derive_model.py): the CPU time (user + sys, /usr/bin/time) and
# the wall time, median of 5, of `explainer compare`, of the buckets of both
# runs (the report with --buckets --compare minus the report without), of the
# HTML report (--html --compare), and the HTML file's size; and the server's
# CPU and wall time per GET /api/v1/runs/1/buckets?compare=2. Prints a
# markdown table; not a test.
#
#   BUILD=build bench/compare.sh
. "$(dirname "$0")/lib.sh"
need_built explainer
need_shared data/conll2003/test.txt models/conll03-bert-mini/config.json
db=$out/compare.db
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
model=$shared/models/conll03-bert-mini
if [ ! -f "$db" ]; then
	"$py" "$root/tests/gen/derive_model.py" "$model" "$out/mini-minus1" --drop-layers 1 >/dev/null
	"$build/explainer" run -m "$model" -d "$shared/data/conll2003/test.txt" -o "$db" -q -n "$threads"
	"$build/explainer" run -m "$out/mini-minus1" -d "$shared/data/conll2003/test.txt" -o "$db" -q \
		-n "$threads"
fi

# measure NAME CMD...: median CPU and wall seconds of 5 runs of CMD.
measure() {
	local name=$1 i
	shift
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%U %S %e' -o "$tmp/t" "$@" >/dev/null 2>&1 || true
		awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' "$tmp/t"
	done | sort -n | sed -n 3p >"$tmp/$name"
}
report=("$build/explainer" report "$db" --run 1 --top 0 --bins 0 --json)
measure compare "$build/explainer" compare "$db" --a 1 --b 2 --json
measure compare1 "$build/explainer" compare "$db" --a 1 --b 2 --json --resamples 1
measure plain "${report[@]}"
measure buckets "${report[@]}" --buckets --compare 2
measure html "$build/explainer" report "$db" --run 1 --compare 2 --html "$tmp/r.html" --force
"$build/explainer" report "$db" --run 1 --compare 2 --html "$tmp/r.html" --force >/dev/null

# The same buckets from the server: its CPU (user + sys, /proc) and the wall
# time per GET /api/v1/runs/1/buckets?compare=2, over 10 requests of new seeds
# (nothing cached) after one to warm up.
: >"$tmp/serve.log"
"$build/explainer" serve "$db" --port 0 --no-token >"$tmp/serve.log" 2>&1 &
server=$!
for i in $(seq 50); do
	url=$(sed -n 's|.* at \(http://[^ ]*\)/$|\1|p' "$tmp/serve.log")
	[ -n "$url" ] && break
	sleep 0.2
done
ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
get() { curl -sf -o /dev/null "$url/api/v1/runs/1/buckets?compare=2&seed=$1"; }
get 100
t0=$(ticks)
w0=$(date +%s%N)
for i in $(seq 10); do get "$i"; done
awk -v t="$(($(ticks) - t0))" -v hz="$(getconf CLK_TCK)" -v w="$(($(date +%s%N) - w0))" \
	'BEGIN { printf "%.3f %.3f\n", t / hz / 10, w / 1e10 }' >"$tmp/api"
kill "$server"
wait "$server" 2>/dev/null || true
col() { cut -d' ' -f"$2" "$tmp/$1"; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| what (two CoNLL-2003 test runs, 1000 resamples) | CPU s | wall s |"
echo "|---|---:|---:|"
echo "| explainer compare --json | $(col compare 1) | $(col compare 2) |"
echo "| explainer compare --json --resamples 1 | $(col compare1 1) | $(col compare1 2) |"
echo "| report --json without buckets | $(col plain 1) | $(col plain 2) |"
echo "| report --json --buckets --compare 2 | $(col buckets 1) | $(col buckets 2) |"
echo "| the buckets of both runs (difference) | $(awk -v a="$(col buckets 1)" -v b="$(col plain 1)" 'BEGIN { printf "%.3f", a - b }') | |"
echo "| GET /api/v1/runs/1/buckets?compare=2 (server, mean of 10) | $(col api 1) | $(col api 2) |"
echo "| report --html --compare 2 (the whole report) | $(col html 1) | $(col html 2) |"
echo
echo "HTML report: $(wc -c <"$tmp/r.html") bytes"
