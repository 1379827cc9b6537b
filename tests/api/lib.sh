# lib.sh - what the API tests share (source it): a run database from the demo
# model, the real `explainer serve` on a free port of 127.0.0.1, and checks of
# status codes, error bodies and JSON answers. Needs XNR_BIN and XNR_SOURCE_DIR.
: "${XNR_BIN:?set XNR_BIN to the explainer binary}"
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
PY=/usr/bin/python3
tmp=$(mktemp -d)
pid=
pass=0
fail=0
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}
finish() {
	if [ -n "$pid" ] && grep -q "Sanitizer" "$tmp/err" 2>/dev/null; then
		bad "sanitizer report from the server"
		cat "$tmp/err"
	fi
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}

# demo_run: the demo model over demo/eval.conll into $tmp/run.db (run 1).
demo_run() {
	"$XNR_BIN" run --model "$XNR_SOURCE_DIR/demo/model" --data "$XNR_SOURCE_DIR/demo/eval.conll" \
		-o "$tmp/run.db" -q || { echo "explainer run failed"; echo "0 passed, 1 failed"; exit 1; }
}

# start_server DB [serve args]: sets pid, port and base.
start_server() {
	local db=$1
	shift
	"$XNR_BIN" serve "$db" --port 0 "$@" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	port=
	for _ in $(seq 1 200); do
		port=$(sed -n 's|^ExplaiNER serving .* at http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$tmp/out")
		[ -n "$port" ] && break
		sleep 0.05
	done
	if [ -z "$port" ]; then
		echo "server did not start:"; cat "$tmp/out" "$tmp/err"
		echo "0 passed, 1 failed"; exit 1
	fi
	base="http://127.0.0.1:$port"
}

# get [curl args] URL -> $tmp/body, prints the status code.
get() { curl -s --path-as-is --max-time 30 -o "$tmp/body" -w '%{http_code}' "$@"; }

# expect_status CODE PATH [curl args]: the status and, for errors, the JSON error body.
expect_status() {
	local want=$1 path=$2
	shift 2
	local got
	got=$(get "$@" "$base$path")
	if [ "$got" != "$want" ]; then
		bad "$path: status $got, want $want"
		return 1
	fi
	if [ "$want" -ge 400 ] && ! $PY - "$tmp/body" "$want" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["status"] == int(sys.argv[2]), e
assert isinstance(e["code"], str) and e["code"], e
assert isinstance(e["message"], str) and e["message"], e
PYEOF
	then
		bad "$path: error body is not {\"error\": {status, code, message}}"
		return 1
	fi
	ok
}

# check NAME PYTHON: runs PYTHON with body = the last response (parsed JSON, or
# None when it is not JSON), raw = its bytes, db = a sqlite3 connection to $tmp/run.db.
check() {
	local name=$1
	if $PY - "$tmp/body" "$tmp/run.db" <<PYEOF; then ok; else bad "$name"; fi
import json, sqlite3, sys
raw = open(sys.argv[1], "rb").read()
try:
    body = json.loads(raw)
except ValueError:
    body = None
db = sqlite3.connect(sys.argv[2])
$2
PYEOF
}
