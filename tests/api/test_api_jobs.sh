#!/usr/bin/env bash
# test_api_jobs.sh - jobs, runs started from the web app, settings and debug
# end to end (docs/api.md): starts the real `explainer serve` on
# 127.0.0.1 over a fresh database, runs the demo model as a job (and again:
# reused), cancels a slow run (demo/eval.conll 40 times over), checks every
# error case, the class settings and the debug endpoints, then a clean SIGTERM.
set -u
. "$(dirname "$0")/lib.sh"
# A run that is still going after a few seconds, from repository material.
BIG=$tmp/long.conll
long_conll "$BIG" 40

# The database does not exist yet: serve makes it because --model is given.
# Paths of requests must lie in the roots: the demo and this test's folder.
roots=(--root "$XNR_SOURCE_DIR/demo" --root "$tmp")
start_server "$tmp/run.db" --model "$MODEL" "${roots[@]}"

expect_status 200 /api/v1/runs && check "fresh database has no runs" 'assert body["items"] == [], body'
expect_status 200 /api/v1/setup && check "setup defaults" "
assert body['model'] == '$MODEL', body
assert body['data'] is None, body
assert '$MODEL' in body['models'], body
assert body['splits'][0] == 'test', body"

# 1. a run as a job, to done, listed
if start_job /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"limit\": 30}" && wait_job "$job"; then
	check "run job done" '
assert body["kind"] == "run" and body["state"] == "done", body
assert body["progress"] == 1 and body["error"] is None, body
r = body["result"]
assert r["run_id"] == 1 and r["reused"] is False and r["n_sentences"] == 30, r
assert db.execute("select n_sentences from runs where id = 1").fetchone()[0] == 30'
fi
expect_status 200 /api/v1/runs && check "run listed" '
assert [r["id"] for r in body["items"]] == [1], body'
# 2. the same again: the pipeline reuses it
if start_job /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"limit\": 30}" && wait_job "$job"; then
	check "same run reused" '
r = body["result"]
assert body["state"] == "done" and r["run_id"] == 1 and r["reused"] is True, body
assert db.execute("select count(*) from runs").fetchone()[0] == 1'
fi
# sample + seed is another run
if start_job /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"sample\": 20, \"seed\": 7, \"split\": null}" && wait_job "$job"; then
	check "sampled run" '
r = body["result"]
assert body["state"] == "done" and r["run_id"] == 2 and r["n_sentences"] == 20, body
opts = json.loads(db.execute("select options from runs where id = 2").fetchone()[0])
assert opts["sample"] == 20 and opts["seed"] == 7, opts'
fi

# 3. cancel a slow run: cancelled, nothing written, the server answers meanwhile
{
	start_job /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$BIG\"}"
	for _ in $(seq 1 100); do
		get "$base/api/v1/jobs/$job" >/dev/null
		grep -q '"stage":"sentences"' "$tmp/body" && break
		sleep 0.05
	done
	start=$(date +%s%N)
	expect_status 200 /api/v1/runs/1/sentences?limit=5
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$ms" -lt 1000 ] && ok || bad "reading during a run took $ms ms"
	expect_status 200 /api/v1/jobs && check "job listed while running" "
assert any(j['id'] == $job and j['state'] == 'running' for j in body['jobs']), body"
	expect_status 200 "/api/v1/jobs/$job" -X DELETE
	if wait_job "$job"; then
		check "cancelled run" '
assert body["state"] == "cancelled" and body["result"] is None, body
assert body["error"], body
assert db.execute("select count(*) from runs").fetchone()[0] == 2'
	fi
}

# 4. bad requests
expect_post 400 /api/v1/runs "{\"model\": \"$tmp/nope\", \"data\": \"$DATA\"}"
grep -q "no such file or folder" "$tmp/body" && ok || bad "missing model message: $(cat "$tmp/body")"
expect_post 400 /api/v1/runs "{\"model\": \"$XNR_SOURCE_DIR/demo\", \"data\": \"$DATA\"}"
expect_post 400 /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$tmp/nope.conll\"}"
expect_post 400 /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"limit\": -1}"
expect_post 400 /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"split\": \"x\"}"
expect_post 400 /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"bogus\": 1}"
expect_post 400 /api/v1/runs '{"model": '
expect_post 400 /api/v1/runs '[1, 2]'
head -c 70000 /dev/zero | tr '\0' ' ' >"$tmp/big"
expect_status 413 /api/v1/runs -H 'Content-Type: application/json' --data-binary "@$tmp/big"
# a model folder that does not load: the job fails with a readable message
mkdir -p "$tmp/badmodel"
echo '{"model_type": "bert"}' >"$tmp/badmodel/config.json"
if start_job /api/v1/runs "{\"model\": \"$tmp/badmodel\", \"data\": \"$DATA\"}" && wait_job "$job"; then
	check "broken model: failed job" '
assert body["state"] == "failed" and len(body["error"]) > 10, body'
fi
expect_status 404 /api/v1/jobs/999999
expect_status 404 /api/v1/jobs/999999 -X DELETE
expect_status 400 '/api/v1/jobs?x=1'

# 5. settings
expect_status 200 /api/v1/runs/1/settings && check "default settings" '
c = body["classes"]
assert [x["name"] for x in c] == ["PER", "ORG", "LOC", "MISC"], c
assert [x["color"] for x in c] == ["#e41a1c", "#4daf4a", "#ff7f00", "#a65628"], c
assert c[0]["icon"] == "\U0001F464", c'
expect_post 200 /api/v1/runs/1/settings '{"classes": [{"name": "ORG", "color": "#0000FF", "icon": "🏦"}]}' -X PUT
expect_status 200 /api/v1/runs/1/settings && check "stored settings" '
c = {x["name"]: x for x in body["classes"]}
assert c["ORG"]["color"] == "#0000ff" and c["ORG"]["icon"] == "\U0001F3E6", c
assert c["PER"]["color"] == "#e41a1c", c'
expect_status 200 /api/v1/runs/2/settings && check "settings are per run" '
assert body["classes"][1]["color"] == "#4daf4a", body'
expect_post 400 /api/v1/runs/1/settings '{"classes": [{"name": "ORG", "color": "blue"}]}' -X PUT
expect_post 400 /api/v1/runs/1/settings '{"classes": [{"name": "XYZ", "color": "#000000"}]}' -X PUT
expect_post 400 /api/v1/runs/1/settings '{"classes": [{"name": "ORG", "icon": "123456789"}]}' -X PUT
expect_post 400 /api/v1/runs/1/settings '{"classes": [{"name": "ORG", "size": 3}]}' -X PUT
expect_post 400 /api/v1/runs/1/settings '{"colours": []}' -X PUT
expect_post 404 /api/v1/runs/99/settings '{"classes": []}' -X PUT
expect_status 404 /api/v1/runs/99/settings

# 6. debug
expect_status 200 /api/v1/debug && check "debug" '
assert body["libraries"]["gemm"] in ("onednn", "openblas"), body
assert body["libraries"]["sqlite"].startswith("3."), body
assert body["version"] and body["compiler"]["version"], body'
expect_status 200 /api/v1/runs/1/debug && check "run debug" '
assert body["model_config"]["hidden_size"] == 256, body
assert body["tokenizer"]["model"] == "WordPiece" and body["tokenizer"]["vocab_size"] == 9000, body["tokenizer"]
assert body["options"]["limit"] == 30, body
assert body["timings"]["duration_s"] > 0 and body["timings"]["per_sentence_ms"] > 0, body
assert body["scheme"]["data"] == "IOB2", body'
expect_status 404 /api/v1/runs/99/debug

# SIGTERM while a run is going: the run is cancelled and the server exits 0
# (within a chunk of sentences: 30 s leaves room for sanitizer builds)
start_job /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$BIG\", \"limit\": 10000}"
sleep 0.5
t0=$(date +%s%N)
stop_server 30
echo "stopped $((($(date +%s%N) - t0) / 1000000)) ms after SIGTERM during a run"
if [ "$rc" = 0 ]; then ok; else
	bad "SIGTERM during a run: exit status '$rc', want 0 within 30 s"
	cat "$err"
fi
check_sanitizer
$PY -c 'import sqlite3,sys; n=sqlite3.connect(sys.argv[1]).execute("select count(*) from runs").fetchone()[0]; sys.exit(n != 2)' "$tmp/run.db" && ok || bad "a cancelled run left rows"

# serve --model --data on a new database starts the run itself
start_server "$tmp/auto.db" --model "$MODEL" --data "$DATA"
if wait_job 1; then
	check "run at start" '
assert body["state"] == "done" and body["result"]["run_id"] == 1, body
assert body["result"]["n_sentences"] == 344, body'
fi
stop_server 30
[ "$rc" = 0 ] && ok || bad "serve --model --data: exit status '$rc' after SIGTERM, want 0"

# Served to the network (--host 0.0.0.0), nothing may name a path on this machine.
token_file "$tmp/token"
start_server "$tmp/run.db" --host 0.0.0.0 --token-file "$tmp/token"
use_token "$(cat "$tmp/token")"
grep -q "reachable from the network" "$out" && ok || bad "--host 0.0.0.0 does not warn"
expect_status 403 /api/v1/runs -H 'Content-Type: application/json' \
	--data-binary "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"limit\": 5}"
expect_status 403 /api/v1/runs/1/duplicates -H 'Content-Type: application/json' \
	--data-binary "{\"encoder\": \"$MODEL\"}"
expect_status 200 /api/v1/runs/1/settings
stop_server 10
finish
