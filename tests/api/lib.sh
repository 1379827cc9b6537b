# lib.sh - what the API and web tests share beyond tests/lib.sh (source it):
# a run database from the demo model, the real `explainer serve` on a free
# port of 127.0.0.1 (one or several, stopped with SIGTERM) and its access
# token, requests with checks of status codes, error bodies and JSON answers,
# and jobs polled to their end. Needs XNR_BIN and XNR_SOURCE_DIR.
: "${XNR_BIN:?set XNR_BIN to the explainer binary}"
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
. "$XNR_SOURCE_DIR/tests/lib.sh"
MODEL=$XNR_SOURCE_DIR/demo/model
DATA=$XNR_SOURCE_DIR/demo/eval.conll
pid=
pids=()
auth=()
n_servers=0
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT

# check_sanitizer: one check that no server started so far wrote an ASan or
# UBSan report to its stderr.
check_sanitizer() {
	if grep -q "Sanitizer\|runtime error" "$tmp"/server*.err 2>/dev/null; then
		bad "sanitizer report from the server"
		cat "$tmp"/server*.err
	else
		ok
	fi
}

# before_finish (run by finish): a server still running must not have
# reported an error to its stderr either.
before_finish() {
	if [ "${#pids[@]}" -gt 0 ] && grep -q "Sanitizer\|runtime error" "$tmp"/server*.err 2>/dev/null; then
		bad "sanitizer report from the server"
		cat "$tmp"/server*.err
	fi
}

# demo_run [DATA [MODEL]]: a run of MODEL (the demo model) over DATA
# (demo/eval.conll) added to $tmp/run.db; the first one is run 1.
demo_run() {
	"$XNR_BIN" run --model "${2:-$MODEL}" --data "${1:-$DATA}" -o "$tmp/run.db" -q ||
		die "explainer run of ${2:-$MODEL} over ${1:-$DATA} failed"
}

# start_server DB [serve args]: serves DB on a free port; sets pid, port, base,
# url (the printed address), token (from it; "" without one: --no-token,
# --token-file), auth (the curl arguments that send the token, used by get)
# and out/err (the server's stdout and stderr files); adds pid to pids, which
# the cleanup kills. Servers started before keep running.
start_server() {
	local db=$1 line
	shift
	n_servers=$((n_servers + 1))
	out=$tmp/server$n_servers.out
	err=$tmp/server$n_servers.err
	"$XNR_BIN" serve "$db" --port 0 "$@" >"$out" 2>"$err" &
	pid=$!
	pids+=("$pid")
	port=
	for _ in $(seq 1 200); do
		line=$(sed -n 's|^ExplaiNER serving .* at \(http://[0-9.]*:[0-9]*/.*\)$|\1|p' "$out")
		port=$(echo "$line" | sed -n 's|^http://[0-9.]*:\([0-9]*\)/.*|\1|p')
		[ -n "$port" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$port" ] || die "server did not start: $(cat "$out" "$err")"
	url=$line
	use_token "$(echo "$line" | sed -n 's|.*?token=\([0-9a-f]*\)$|\1|p')"
	base="http://127.0.0.1:$port"
}

# stop_server [SECONDS [PID]]: SIGTERM to PID (the last server started) and
# waits SECONDS (5) for it to exit; sets rc to its exit status, or to '' when
# it still runs (the cleanup kills it then).
stop_server() {
	local secs=${1:-5} p=${2:-$pid} i q left=()
	rc=
	kill -TERM "$p" 2>/dev/null
	for ((i = 0; i < secs * 20; i++)); do
		if ! kill -0 "$p" 2>/dev/null; then
			wait "$p"
			rc=$?
			for q in "${pids[@]}"; do [ "$q" = "$p" ] || left+=("$q"); done
			pids=("${left[@]}")
			[ "$p" = "$pid" ] && pid=
			return 0
		fi
		sleep 0.05
	done
}

# use_token TOKEN: send TOKEN from now on (a server started with --token-file
# prints none); "" sends none.
use_token() {
	token=$1
	auth=()
	[ -z "$token" ] || auth=(-H "Authorization: Bearer $token")
}

# token_file FILE: a new random token in FILE, mode 600, as --token-file wants.
token_file() {
	(umask 077 && $PY -c 'import secrets; print(secrets.token_hex(32))' >"$1")
}

# wait_clients: waits for the script's background jobs except the servers.
wait_clients() {
	wait $(jobs -p | grep -v -F -x -f <(printf '%s\n' "${pids[@]}")) 2>/dev/null
}

# get [curl args] URL -> $tmp/body, prints the status code; sends the token
# (auth).
get() { curl -s --path-as-is --max-time 60 "${auth[@]}" -o "$tmp/body" -w '%{http_code}' "$@"; }

# noauth COMMAND...: runs COMMAND (get, expect_status, ...) without the token.
noauth() {
	local saved=("${auth[@]}") rc
	auth=()
	"$@"
	rc=$?
	auth=("${saved[@]}")
	return $rc
}

# post PATH JSON [curl args]: POSTs JSON to $base/PATH -> $tmp/body, prints the status code.
post() {
	local path=$1 json=$2
	shift 2
	get -H 'Content-Type: application/json' --data-binary "$json" "$@" "$base$path"
}

# expect_status CODE PATH [curl args]: one check of the status of $base/PATH
# and, for errors, of the JSON error body {"error": {status, code, message}}.
expect_status() {
	local want=$1 path=$2
	shift 2
	local got
	got=$(get "$@" "$base$path")
	if [ "$got" != "$want" ]; then
		bad "$path${*:+ $*}: status $got, want $want: $(head -c 300 "$tmp/body")"
		return 1
	fi
	if [ "$want" -ge 400 ] && ! $PY - "$tmp/body" "$want" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["status"] == int(sys.argv[2]), e
assert isinstance(e["code"], str) and e["code"], e
assert isinstance(e["message"], str) and len(e["message"]) > 10, e
PYEOF
	then
		bad "$path: error body is not {\"error\": {status, code, message}}: $(head -c 300 "$tmp/body")"
		return 1
	fi
	ok
}

# expect_post CODE PATH JSON [curl args]: expect_status of a JSON POST.
expect_post() {
	local want=$1 path=$2 json=$3
	shift 3
	expect_status "$want" "$path" -H 'Content-Type: application/json' --data-binary "$json" "$@"
}

# start_job PATH JSON: POSTs JSON to PATH, which must answer 202 Accepted; sets
# job to the new job's id. Counts only a failure: the job's result is the check.
start_job() {
	local code
	job=
	code=$(post "$1" "$2")
	if [ "$code" != 202 ]; then
		bad "POST $1 $2: status $code, want 202: $(head -c 300 "$tmp/body")"
		return 1
	fi
	job=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"]["id"])' "$tmp/body")
}

# wait_job [ID]: polls job ID (by default the job of the last 202 answer; sets
# job) until it is done, failed or cancelled, 60 s at most; its JSON -> $tmp/body.
wait_job() {
	job=${1:-$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"]["id"])' "$tmp/body")}
	[ -n "$job" ] || { bad "no job to wait for: $(head -c 300 "$tmp/body")"; return 1; }
	for _ in $(seq 1 600); do
		get "$base/api/v1/jobs/$job" >/dev/null
		grep -q '"state":"\(done\|failed\|cancelled\)"' "$tmp/body" && return 0
		sleep 0.1
	done
	bad "job $job did not end: $(head -c 300 "$tmp/body")"
	return 1
}

# check NAME PYTHON: one check that runs PYTHON with body = the last response
# (parsed JSON, or None when it is not JSON), raw = its bytes, db = a sqlite3
# connection to $tmp/run.db, rep = $tmp/report.json parsed (None without it).
check() {
	local name=$1
	if $PY - "$tmp/body" "$tmp/run.db" "$tmp/report.json" <<PYEOF; then ok; else bad "$name"; fi
import json, os, sqlite3, sys
raw = open(sys.argv[1], "rb").read()
try:
    body = json.loads(raw)
except ValueError:
    body = None
db = sqlite3.connect(sys.argv[2])
rep = json.load(open(sys.argv[3])) if os.path.exists(sys.argv[3]) else None
$2
PYEOF
}
