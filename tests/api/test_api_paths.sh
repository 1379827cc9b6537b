#!/usr/bin/env bash
# test_api_paths.sh - the paths a request names (issue #14), over HTTP against
# the real `explainer serve`: a FIFO, a terminal, /proc, /sys and /dev are
# refused before any job starts (a read of them would never reach a
# cancellation point), and so is a folder holding a FIFO; a path outside the
# server's roots gets the same answer whether it exists or not; --root sets
# the roots; a run or an encoder over a file the request named fails without
# quoting the file (a fake .netrc as data, a config.json with a secret), and
# the job threads stay free for the next run.
set -u
. "$(dirname "$0")/lib.sh"
srv=$tmp/srv     # the server's working folder and database folder: a root
outside=$tmp/out # not a root
mkdir -p "$srv" "$outside"
cd "$srv" || die "no $srv"
"$XNR_BIN" run --model "$MODEL" --data "$DATA" -o "$srv/run.db" -q --limit 20 || die "explainer run failed"
start_server "$srv/run.db" --model "$MODEL"
SECRET=S3cr3t-T0ken

# run_error MODEL DATA: POST /api/v1/runs; prints the status; the message (of
# the answer, or of the failed job) -> $tmp/msg.
run_error() {
	local code
	code=$(post /api/v1/runs "{\"model\": \"$1\", \"data\": \"$2\", \"limit\": 5}")
	if [ "$code" = 202 ] && wait_job; then
		$PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"])' "$tmp/body" >"$tmp/msg"
	else
		$PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["message"])' "$tmp/body" >"$tmp/msg" 2>/dev/null ||
			cat "$tmp/body" >"$tmp/msg"
	fi
	echo "$code"
}

# refused WHAT MODEL DATA: a 400 naming no job, in the one message of a path
# the server may not read.
refused() {
	local code
	code=$(run_error "$2" "$3")
	if [ "$code" = 400 ] && grep -q "no such file or folder, or not one this server may read" "$tmp/msg"; then ok; else
		bad "$1: $code $(cat "$tmp/msg")"
	fi
}

# --- what no job may read --------------------------------------------------
mkfifo "$srv/fifo.conll"
code=$(run_error "$MODEL" "$srv/fifo.conll")
[ "$code" = 400 ] && grep -q "not a regular file or folder" "$tmp/msg" && ok || bad "a FIFO inside the roots: $code $(cat "$tmp/msg")"
mkdir -p "$srv/split" && mkfifo "$srv/split/test.txt"
code=$(run_error "$MODEL" "$srv/split")
[ "$code" = 400 ] && grep -q "test.txt is not a regular file or folder" "$tmp/msg" && ok ||
	bad "a folder holding a FIFO: $code $(cat "$tmp/msg")"
for p in /dev/tty /dev/zero /dev/stdin /proc/self/environ /proc/self/fd/0 /sys/kernel/mm/transparent_hugepage/enabled; do
	refused "data $p" "$MODEL" "$p"
done
refused "model /sys/kernel" /sys/kernel "$DATA"
ln -s /dev/zero "$srv/zero.conll"
refused "a link to /dev/zero" "$MODEL" "$srv/zero.conll"

# --- outside the roots: exists or not, one answer -----------------------
printf 'machine example.com login me password %s\n' "$SECRET" >"$outside/.netrc"
run_error "$MODEL" "$outside/.netrc" >/dev/null
sed "s|$outside/.netrc|PATH|" "$tmp/msg" >"$tmp/exists"
run_error "$MODEL" "$outside/.nothing" >/dev/null
sed "s|$outside/.nothing|PATH|" "$tmp/msg" >"$tmp/missing"
cmp -s "$tmp/exists" "$tmp/missing" && ok || bad "outside the roots, existing and missing differ: $(cat "$tmp/exists" "$tmp/missing")"
refused ".netrc outside the roots" "$MODEL" "$outside/.netrc"
refused "a missing file" "$MODEL" "$outside/.nothing"
ln -s "$outside/.netrc" "$srv/netrc-link.conll"
refused "a link out of the roots" "$MODEL" "$srv/netrc-link.conll"
refused "a model outside the roots" "$outside" "$DATA"
expect_post 400 /api/v1/runs/1/duplicates "{\"encoder\": \"$outside\"}"
grep -q "not one this server may read" "$tmp/body" && ok || bad "encoder outside the roots: $(cat "$tmp/body")"

# --- no file content in answers --------------------------------------------
cp "$outside/.netrc" "$srv/netrc.conll"
printf '{"tokens": ["a"], "ner_tags": ["%s"]}\n' "$SECRET" >"$srv/secret.jsonl"
printf '{"tokens": ["a", "b"], "ner_tags": ["O"], "note": "%s"\n' "$SECRET" >"$srv/broken.jsonl"
for f in netrc.conll secret.jsonl broken.jsonl; do
	code=$(run_error "$MODEL" "$srv/$f")
	if [ "$code" = 202 ] || [ "$code" = 400 ]; then ok; else bad "$f: status $code"; fi
	if grep -q "$SECRET\|password\|machine" "$tmp/msg"; then bad "$f: the answer quotes the file: $(cat "$tmp/msg")"; else ok; fi
	grep -q "$f" "$tmp/msg" && ok || bad "$f: the answer does not say which file: $(cat "$tmp/msg")"
done
mkdir -p "$srv/m1" "$srv/m2"
printf '{"model_type": "%s", ' "$SECRET" >"$srv/m1/config.json" # not JSON
printf '{"model_type": "%s", "architectures": ["%s"]}\n' "$SECRET" "$SECRET" >"$srv/m2/config.json"
for m in m1 m2; do
	code=$(run_error "$srv/$m" "$DATA")
	! grep -q "$SECRET" "$tmp/msg" && ok || bad "model $m: the answer quotes config.json: $code $(cat "$tmp/msg")"
	if expect_post 202 /api/v1/runs/1/duplicates "{\"encoder\": \"$srv/$m\"}" && wait_job; then
		! grep -q "$SECRET" "$tmp/body" && ok || bad "encoder $m: the job quotes config.json: $(cat "$tmp/body")"
	fi
done

# --- the job threads are free: a run still runs ------------------------------
if start_job /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$DATA\", \"limit\": 7}" && wait_job "$job"; then
	check "a run after the refusals" 'assert body["state"] == "done" and body["result"]["n_sentences"] == 7, body'
fi
stop_server 10
[ "$rc" = 0 ] && ok || bad "exit status '$rc' after SIGTERM, want 0 within 10 s"

# --- --root: only there --------------------------------------------------
cp "$DATA" "$outside/eval.conll"
start_server "$srv/run.db" --root "$outside" --root "$XNR_SOURCE_DIR/demo"
refused "the working folder is no root with --root" "$MODEL" "$srv/netrc.conll"
if start_job /api/v1/runs "{\"model\": \"$MODEL\", \"data\": \"$outside/eval.conll\", \"limit\": 6}" && wait_job "$job"; then
	check "a run inside --root" 'assert body["state"] == "done" and body["result"]["n_sentences"] == 6, body'
fi
stop_server
[ "$rc" = 0 ] && ok || bad "exit status $rc after SIGTERM"
if timeout 10 "$XNR_BIN" serve "$srv/run.db" --port 0 --root "$outside/.netrc" >/dev/null 2>"$tmp/e"; then
	bad "--root FILE started"
else
	grep -q "not a folder" "$tmp/e" && ok || bad "--root FILE: $(cat "$tmp/e")"
fi
finish
