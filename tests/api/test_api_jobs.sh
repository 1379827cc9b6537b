#!/usr/bin/env bash
# test_api_jobs.sh - jobs, runs started from the web app, settings and debug
# end to end (docs/api-jobs.md): starts the real `explainer serve` on
# 127.0.0.1 over a fresh database, runs the demo model as a job (and again:
# reused), cancels a slow run (the full CoNLL-2003 test file), checks every
# error case, the class settings and the debug endpoints, then a clean SIGTERM.
set -u
: "${XNR_BIN:?set XNR_BIN to the explainer binary}"
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
SHARED=${XNR_SHARED_DIR:-$XNR_SOURCE_DIR/../shared}
PY=/usr/bin/python3
MODEL=$XNR_SOURCE_DIR/demo/model
DATA=$XNR_SOURCE_DIR/demo/eval.conll
BIG=$SHARED/data/conll2003/test.txt
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

# The database does not exist yet: serve makes it because --model is given.
"$XNR_BIN" serve "$tmp/run.db" --port 0 --model "$MODEL" >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 1 100); do
	port=$(sed -n 's|^ExplaiNER serving .* at http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$tmp/out")
	[ -n "$port" ] && break
	sleep 0.05
done
if [ -z "$port" ]; then
	echo "server did not start:"; cat "$tmp/out" "$tmp/err"
	echo "0 passed, 1 failed"; exit 1
fi
base="http://127.0.0.1:$port"

# req METHOD PATH [curl args] -> $tmp/body, prints the status code.
req() {
	local m=$1 p=$2
	shift 2
	curl -s --max-time 20 -X "$m" -o "$tmp/body" -w '%{http_code}' "$@" "$base$p"
}

# expect CODE METHOD PATH [curl args]: the status and, for errors, the error body.
expect() {
	local want=$1 m=$2 p=$3 got
	shift 3
	got=$(req "$m" "$p" "$@")
	if [ "$got" != "$want" ]; then
		bad "$m $p: status $got, want $want: $(head -c 300 "$tmp/body")"
		return 1
	fi
	if [ "$want" -ge 400 ] && ! $PY - "$tmp/body" "$want" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["status"] == int(sys.argv[2]), e
assert isinstance(e["message"], str) and len(e["message"]) > 10, e
PYEOF
	then
		bad "$m $p: error body is not {\"error\": {status, code, message}}"
		return 1
	fi
	ok
}

# check NAME PYTHON: body = the last response (parsed), db = the run database.
check() {
	if $PY - "$tmp/body" "$tmp/run.db" <<PYEOF; then ok; else bad "$1"; fi
import json, sqlite3, sys
body = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
$2
PYEOF
}

# start_run JSON: POST /api/v1/runs, prints the job id.
start_run() {
	local code
	code=$(req POST /api/v1/runs -H 'Content-Type: application/json' -d "$1")
	[ "$code" = 202 ] || { bad "POST /api/v1/runs $1: status $code: $(cat "$tmp/body")"; return 1; }
	$PY -c 'import json,sys; j=json.load(open(sys.argv[1]))["job"]; print(j["id"])' "$tmp/body"
}

# wait_job ID: polls until the job ends (30 s at most); the job is in $tmp/body.
wait_job() {
	local state
	for _ in $(seq 1 300); do
		req GET "/api/v1/jobs/$1" >/dev/null
		state=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["state"])' "$tmp/body")
		case $state in done | failed | cancelled) return 0 ;; esac
		sleep 0.1
	done
	bad "job $1 did not end: $(cat "$tmp/body")"
	return 1
}

expect 200 GET /api/v1/runs && check "fresh database has no runs" 'assert body["items"] == [], body'
expect 200 GET /api/v1/setup && check "setup defaults" "
assert body['model'] == '$MODEL', body
assert body['data'] is None, body
assert '$MODEL' in body['models'], body
assert body['splits'][0] == 'test', body"

# 1. a run as a job, to done, listed
id=$(start_run "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"limit\": 30}")
if [ -n "$id" ] && wait_job "$id"; then
	check "run job done" '
assert body["kind"] == "run" and body["state"] == "done", body
assert body["progress"] == 1 and body["error"] is None, body
r = body["result"]
assert r["run_id"] == 1 and r["reused"] is False and r["n_sentences"] == 30, r
assert db.execute("select n_sentences from runs where id = 1").fetchone()[0] == 30'
fi
expect 200 GET /api/v1/runs && check "run listed" '
assert [r["id"] for r in body["items"]] == [1], body'
# 2. the same again: the pipeline reuses it
id=$(start_run "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"limit\": 30}")
if [ -n "$id" ] && wait_job "$id"; then
	check "same run reused" '
r = body["result"]
assert body["state"] == "done" and r["run_id"] == 1 and r["reused"] is True, body
assert db.execute("select count(*) from runs").fetchone()[0] == 1'
fi
# sample + seed is another run
id=$(start_run "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"sample\": 20, \"seed\": 7, \"split\": null}")
if [ -n "$id" ] && wait_job "$id"; then
	check "sampled run" '
r = body["result"]
assert body["state"] == "done" and r["run_id"] == 2 and r["n_sentences"] == 20, body
opts = json.loads(db.execute("select options from runs where id = 2").fetchone()[0])
assert opts["sample"] == 20 and opts["seed"] == 7, opts'
fi

# 3. cancel a slow run: cancelled, nothing written, the server answers meanwhile
if [ -f "$BIG" ]; then
	id=$(start_run "{\"model\": \"$MODEL\", \"data\": \"$BIG\"}")
	for _ in $(seq 1 100); do
		req GET "/api/v1/jobs/$id" >/dev/null
		grep -q '"stage":"sentences"' "$tmp/body" && break
		sleep 0.05
	done
	start=$(date +%s%N)
	expect 200 GET /api/v1/runs/1/sentences?limit=5
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$ms" -lt 1000 ] && ok || bad "reading during a run took $ms ms"
	expect 200 GET /api/v1/jobs && check "job listed while running" "
assert any(j['id'] == $id and j['state'] == 'running' for j in body['jobs']), body"
	expect 200 DELETE "/api/v1/jobs/$id"
	if wait_job "$id"; then
		check "cancelled run" '
assert body["state"] == "cancelled" and body["result"] is None, body
assert body["error"], body
assert db.execute("select count(*) from runs").fetchone()[0] == 2'
	fi
else
	echo "SKIP: $BIG missing, no cancel test"
fi

# 4. bad requests
expect 400 POST /api/v1/runs -d "{\"model\": \"$tmp/nope\", \"data\": \"$DATA\"}"
grep -q "no such folder" "$tmp/body" && ok || bad "missing model message: $(cat "$tmp/body")"
expect 400 POST /api/v1/runs -d "{\"model\": \"$XNR_SOURCE_DIR/demo\", \"data\": \"$DATA\"}"
expect 400 POST /api/v1/runs -d "{\"model\": \"$MODEL\", \"data\": \"$tmp/nope.conll\"}"
expect 400 POST /api/v1/runs -d "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"limit\": -1}"
expect 400 POST /api/v1/runs -d "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"split\": \"x\"}"
expect 400 POST /api/v1/runs -d "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"bogus\": 1}"
expect 400 POST /api/v1/runs -d '{"model": '
expect 400 POST /api/v1/runs -d '[1, 2]'
head -c 70000 /dev/zero | tr '\0' ' ' >"$tmp/big"
expect 413 POST /api/v1/runs --data-binary "@$tmp/big"
# a model folder that does not load: the job fails with a readable message
mkdir -p "$tmp/badmodel"
echo '{"model_type": "bert"}' >"$tmp/badmodel/config.json"
id=$(start_run "{\"model\": \"$tmp/badmodel\", \"data\": \"$DATA\"}")
if [ -n "$id" ] && wait_job "$id"; then
	check "broken model: failed job" '
assert body["state"] == "failed" and len(body["error"]) > 10, body'
fi
expect 404 GET /api/v1/jobs/999999
expect 404 DELETE /api/v1/jobs/999999
expect 400 GET '/api/v1/jobs?x=1'

# 5. settings
expect 200 GET /api/v1/runs/1/settings && check "default settings" '
c = body["classes"]
assert [x["name"] for x in c] == ["PER", "ORG", "LOC", "MISC"], c
assert [x["color"] for x in c] == ["#e41a1c", "#4daf4a", "#ff7f00", "#a65628"], c
assert c[0]["icon"] == "\U0001F464", c'
expect 200 PUT /api/v1/runs/1/settings -d '{"classes": [{"name": "ORG", "color": "#0000FF", "icon": "🏦"}]}'
expect 200 GET /api/v1/runs/1/settings && check "stored settings" '
c = {x["name"]: x for x in body["classes"]}
assert c["ORG"]["color"] == "#0000ff" and c["ORG"]["icon"] == "\U0001F3E6", c
assert c["PER"]["color"] == "#e41a1c", c'
expect 200 GET /api/v1/runs/2/settings && check "settings are per run" '
assert body["classes"][1]["color"] == "#4daf4a", body'
expect 400 PUT /api/v1/runs/1/settings -d '{"classes": [{"name": "ORG", "color": "blue"}]}'
expect 400 PUT /api/v1/runs/1/settings -d '{"classes": [{"name": "XYZ", "color": "#000000"}]}'
expect 400 PUT /api/v1/runs/1/settings -d '{"classes": [{"name": "ORG", "icon": "123456789"}]}'
expect 400 PUT /api/v1/runs/1/settings -d '{"classes": [{"name": "ORG", "size": 3}]}'
expect 400 PUT /api/v1/runs/1/settings -d '{"colours": []}'
expect 404 PUT /api/v1/runs/99/settings -d '{"classes": []}'
expect 404 GET /api/v1/runs/99/settings

# 6. debug
expect 200 GET /api/v1/debug && check "debug" '
assert body["libraries"]["gemm"] in ("onednn", "openblas"), body
assert body["libraries"]["sqlite"].startswith("3."), body
assert body["version"] and body["compiler"]["version"], body'
expect 200 GET /api/v1/runs/1/debug && check "run debug" '
assert body["model_config"]["hidden_size"] == 256, body
assert body["tokenizer"]["model"] == "WordPiece" and body["tokenizer"]["vocab_size"] == 9000, body["tokenizer"]
assert body["options"]["limit"] == 30, body
assert body["timings"]["duration_s"] > 0 and body["timings"]["per_sentence_ms"] > 0, body
assert body["scheme"]["data"] == "IOB2", body'
expect 404 GET /api/v1/runs/99/debug

# SIGTERM while a run is going: the run is cancelled and the server exits 0
# (within a chunk of sentences: 30 s leaves room for sanitizer builds)
[ -f "$BIG" ] && start_run "{\"model\": \"$MODEL\", \"data\": \"$BIG\", \"split\": \"test\"}" >/dev/null
sleep 0.5
kill -TERM "$pid"
t0=$(date +%s%N)
rc=
for _ in $(seq 1 600); do
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		rc=$?
		break
	fi
	sleep 0.05
done
pid=
echo "stopped $((($(date +%s%N) - t0) / 1000000)) ms after SIGTERM during a run"
if [ "$rc" = 0 ]; then ok; else
	bad "SIGTERM during a run: exit status '$rc', want 0 within 30 s"
	cat "$tmp/err"
fi
if grep -q "Sanitizer" "$tmp/err"; then bad "sanitizer report from the server"; cat "$tmp/err"; else ok; fi
$PY -c 'import sqlite3,sys; n=sqlite3.connect(sys.argv[1]).execute("select count(*) from runs").fetchone()[0]; sys.exit(n != 2)' "$tmp/run.db" && ok || bad "a cancelled run left rows"

# serve --model --data on a new database starts the run itself
"$XNR_BIN" serve "$tmp/auto.db" --port 0 --model "$MODEL" --data "$DATA" >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 1 100); do
	port=$(sed -n 's|^ExplaiNER serving .* at http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$tmp/out")
	[ -n "$port" ] && break
	sleep 0.05
done
base="http://127.0.0.1:$port"
if [ -n "$port" ] && wait_job 1; then
	check "run at start" '
assert body["state"] == "done" and body["result"]["run_id"] == 1, body
assert body["result"]["n_sentences"] == 344, body'
fi
kill -TERM "$pid"
wait "$pid" && ok || bad "serve --model --data: exit status $?"
pid=

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
