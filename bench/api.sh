#!/usr/bin/env bash
# api.sh - the web app's API response times on a full CoNLL-2003 test run
# (3,453 sentences, 46,435 words; target: every page's data under 100 ms,
# projections excepted). For each request a page makes on load with its
# default controls (read from web/pages/*.js; the shell's four requests are
# listed once as "shell"), it times the first request on a fresh
# `explainer serve` (cold: the server's caches empty; the OS page cache is
# not dropped) and the median of 5 more on that server (warm), with curl
# -w '%{time_total}'. A job (projection, duplicates) is timed from its POST
# until GET /api/v1/jobs/{id} says done (polled every 5 ms). Prints a
# markdown table; not a test.
#
# DB=other.db times another run database instead (bench/big.sh: a replica
# of a million sentences); its run is scored with `explainer issues` unless
# it already is, and the projection is left out when it stores no hidden
# states.
#
#   BUILD=build-rel bench/api.sh        # BUILD: the build folder (default build)
. "$(dirname "$0")/lib.sh"
db=${DB:-$out/conll_test.db}
warm=${WARM:-5}
tmp=$(mktemp -d)
pid=

cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

need_built explainer
[ -f "$db" ] || need_shared data/conll2003/test.txt
[ -f "$db" ] || "$build/explainer" run -m "$root/demo/model" -d "$shared/data/conll2003/test.txt" \
	-o "$db" -q
# The Label issues page's scores (reused when stored).
[ -n "$(sqlite3 "$db" 'SELECT 1 FROM issue_runs LIMIT 1')" ] ||
	"$build/explainer" issues "$db" --top 0 -n "$threads" >/dev/null

start_server() {
	stop_server
	rm -f "$tmp/out" "$tmp/err" # the child truncates them only once it runs: no stale port
	"$build/explainer" serve "$db" --port 0 --model "$root/demo/model" >"$tmp/out" 2>"$tmp/err" &
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

stop_server() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	pid=
}

# call METHOD PATH [BODY]: one request, the body in $tmp/body; prints ms. Fails on an HTTP error.
call() {
	local args=(-s --max-time 600 -o "$tmp/body" -w '%{http_code} %{time_total}' -X "$1"
		-H "Authorization: Bearer $token")
	[ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data "$3")
	local r
	r=$(curl "${args[@]}" "$base$2")
	case ${r%% *} in
	2??) ;;
	*) echo "bench: $1 $2: HTTP ${r%% *}: $(head -c 300 "$tmp/body")" >&2; exit 1 ;;
	esac
	awk -v s="${r#* }" 'BEGIN { printf "%.1f", s * 1000 }'
}

now_ns() { date +%s%N; }

# job PATH BODY: POST a job and poll it until done; prints ms from the POST to done
# (a cached job answers done at once). Job JSON starts {"id":N,"kind":..,"state":..}.
job() {
	local t0 id state
	t0=$(now_ns)
	call POST "$1" "$2" >/dev/null
	id=$(grep -o '"id": *[0-9]*' "$tmp/body" | head -n 1 | tr -dc 0-9)
	while :; do
		state=$(grep -o '"state": *"[a-z]*"' "$tmp/body" | head -n 1 | cut -d'"' -f4)
		case $state in
		done) break ;;
		queued | running) ;;
		*) echo "bench: job $1: $(head -c 300 "$tmp/body")" >&2; exit 1 ;;
		esac
		sleep 0.005
		call GET "/api/v1/jobs/$id" >/dev/null
	done
	awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END {
	if (NR % 2) printf "%.1f", v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# row PAGE KIND METHOD PATH [BODY]: cold on a fresh server, then the warm median.
row() {
	local page=$1 kind=$2 method=$3 path=$4 body=${5-} cold times="" i t shown
	start_server
	for i in $(seq 0 "$warm"); do
		if [ "$kind" = job ]; then t=$(job "$path" "$body")
		elif [ -n "$body" ]; then t=$(call "$method" "$path" "$body")
		else t=$(call "$method" "$path"); fi
		if [ "$i" = 0 ]; then cold=$t; else times="$times $t"; fi
	done
	shown="$method $path"
	[ -n "$body" ] && shown="$shown $body"
	[ "$kind" = job ] && shown="$shown (job, until done)"
	# shellcheck disable=SC2016 # the backquotes are markdown
	printf '| %s | `%s` | %s | %s |\n' "$page" "$shown" "$cold" "$(echo "$times" | median)"
}

start_server
call GET /api/v1/runs >/dev/null
run=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][-1]["id"])' "$tmp/body")
call GET "/api/v1/runs/$run/confusions" >/dev/null
pair=$($py -c 'import json,sys,urllib.parse as u; p=json.load(open(sys.argv[1]))["items"][0]
print("gold=%s&pred=%s" % (u.quote(p["gold"]), u.quote(p["pred"])))' "$tmp/body")
r=/api/v1/runs/$run
call GET "$r/issues?limit=25" >/dev/null
ids=$($py -c 'import json,sys; print(",".join(str(i["id"]) for i in json.load(open(sys.argv[1]))["items"]))' "$tmp/body")
worst=$($py -c 'import json,sys; w=min(json.load(open(sys.argv[1]))["items"][0]["words"], key=lambda w: w["rank"])
print("sentences/%d/words/%d" % (w["sentence"], w["idx"]))' "$tmp/body")
probe='{"texts":["John Smith lives in Berlin and works for Siemens .","The European Union fined Microsoft 497 million euros in March 2004 ."],"threshold":0.5}'
acts='{"text":"John Smith flew from Berlin to Paris on Monday to meet officials of the European Union .","from_layer":0,"to_layer":3,"k":8,"seed":0}'

echo "explainer serve $(basename "$db") (run $run), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" \
	"before; cold = first request on a fresh server, warm = median of $warm"
echo
echo "| page | request | cold ms | warm median ms |"
echo "|---|---|---|---|"
row shell get GET /api/v1
row shell get GET /api/v1/runs
row shell get GET "$r"
row shell get GET "$r/settings"
row home get GET /api/v1/setup
row home get GET /api/v1/jobs
row metrics get GET "$r/metrics"
row misclassified get GET "$r/confusions"
row misclassified get GET "$r/sentences?$pair&words=1&sort=loss&order=desc&limit=20&offset=0"
row loss get GET "$r/loss/labels"
row loss get GET "$r/loss/words?by=word&limit=25&offset=0&sort=sum&order=desc"
row samples get GET "$r/sentences?sort=loss&order=desc&min_loss=0.5&skip_correct=1&words=1&limit=25&offset=0"
row issues get GET "$r/issues/summary"
row issues get GET "$r/verdicts"
row issues get GET "$r/issues?level=sentence&signal=any&limit=25&offset=0"
row issues post POST "$r/sentences?words=1&sort=id&order=asc&limit=25" "{\"ids\":[$ids]}"
row issues get GET "$r/issues/$worst"
row random get GET "$r/sentences?sort=random&seed=1&limit=128&words=1"
row inspect get GET "$r/sentences/0"
row inspect get GET "$r/words?limit=50&offset=0"
row raw get GET "$r/tokens?limit=25&offset=0"
row raw get GET "$r/words?limit=25&offset=0"
row probing post POST "$r/probe" "$probe"
row activations get GET "$r/model"
row activations post POST "$r/activations" "$acts"
row duplicates job POST "$r/duplicates" '{"mode":"lexical","threshold":0.5,"trivial":false,"reference":null,"encoder":null,"limit":200}'
row debug get GET /api/v1/debug
row debug get GET "$r/debug"
row debug get GET /api/v1/jobs
[ -z "$(sqlite3 "$db" 'SELECT 1 FROM hidden LIMIT 1')" ] ||
	row projection job POST "$r/projection" '{"method":"pca","n":2000,"seed":42}'
