#!/usr/bin/env bash
# search.sh - the Search page's answer times on a CoNLL-2003 train run
# (14,041 sentences, 203,621 words; target: under 100 ms). Each request is
# what the page asks for one search: a page of 50 sentences with their
# words and the words each matched (words=1&marks=1), and its total. Times
# the first request on a fresh `explainer serve` (cold) and the median of
# WARM (20) more (warm), with curl -w '%{time_total}', and the server's CPU
# time per warm request (utime + stime of /proc/PID/stat over them, which a
# machine busy with other work does not inflate as it does wall time).
# Prints a markdown table; not a test.
#
#   BUILD=build-rel bench/search.sh      # BUILD: the build folder (default build)
. "$(dirname "$0")/lib.sh"
db=$out/conll_train.db
warm=${WARM:-20}
tmp=$(mktemp -d)
pid=

cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

need_built explainer
[ -f "$db" ] || need_shared data/conll2003/train.txt
[ -f "$db" ] || "$build/explainer" run -m "$root/demo/model" -d "$shared/data/conll2003/train.txt" \
	-o "$db" -q -n "$threads"

start_server() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -f "$tmp/out"
	"$build/explainer" serve "$db" --port 0 >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	port=
	for _ in $(seq 1 200); do
		port=$(sed -n 's|^ExplaiNER serving .* at http://127\.0\.0\.1:\([0-9]*\)/.*$|\1|p' "$tmp/out" 2>/dev/null || true)
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "bench: server did not start:" >&2; cat "$tmp/out" "$tmp/err" >&2; exit 1; }
	base=http://127.0.0.1:$port
	token=$(sed -n 's|^ExplaiNER serving .*?token=\([0-9a-f]*\)$|\1|p' "$tmp/out")
}

# call PATH: one GET, prints ms; fails on an HTTP error.
call() {
	local r
	r=$(curl -s --max-time 60 -o "$tmp/body" -w '%{http_code} %{time_total}' \
		-H "Authorization: Bearer $token" "$base$1")
	case ${r%% *} in
	2??) ;;
	*) echo "bench: $1: HTTP ${r%% *}: $(head -c 300 "$tmp/body")" >&2; exit 1 ;;
	esac
	awk -v s="${r#* }" 'BEGIN { printf "%.1f", s * 1000 }'
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The server's CPU time so far in clock ticks (utime + stime).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }

row() {
	local what=$1 path=$2 cold warm_ms=() total i t0 t1
	start_server
	cold=$(call "$path")
	total=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$tmp/body")
	t0=$(cpu_ticks)
	for ((i = 0; i < warm; i++)); do warm_ms+=("$(call "$path")"); done
	t1=$(cpu_ticks)
	printf '| %s | `%s` | %s | %s | %s | %s |\n' "$what" "${path#/api/v1/runs/1/}" "$total" "$cold" \
		"$(echo "${warm_ms[*]}" | median)" \
		"$(awk -v d=$((t1 - t0)) -v n="$warm" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", 1000 * d / hz / n }')"
}

P='/api/v1/runs/1/sentences?words=1&marks=1&limit=50'
echo "| search | request | sentences found | cold ms | warm ms | server CPU ms |"
echo "|---|---|---|---|---|---|"
row "no text (the newest run's first page)" "$P"
row "a word" "$P&q=germany"
row "a frequent word" "$P&q=the"
row "a phrase" "$P&q=%22new+york%22"
row "a prefix" "$P&q=new*"
row "an entity string" "$P&q=new+york&mode=entity"
row "a regular expression, every sentence read" "$P&q=%5Cb%5BA-Z%5D%7B2%2C%7D%5Cb+%5Cd%2B&mode=regex"
row "a gold entity type, with errors" "$P&gold_type=PER&skip_correct=1"
row "a taxonomy cell (missed, any type)" "$P&error_kind=missed"
row "a word and every filter" "$P&q=the&gold_type=LOC&pred_type=LOC&skip_correct=1&min_loss=0.1&max_loss=50"
row "an exact word (Loss by word)" "$P&word=the"
row "a confusion (Misclassified)" "$P&gold=B-ORG&pred=O"
