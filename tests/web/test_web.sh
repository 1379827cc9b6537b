#!/usr/bin/env bash
# test_web.sh - the web app in headless Chromium: builds a run database from
# the demo model, starts the real `explainer serve --port 0 --model demo/model`
# on 127.0.0.1 and runs every tests/web/specs/*.spec.mjs with tests/web/run.mjs
# (npm playwright-core driving Debian's /usr/bin/chromium). Screenshots go to
# $XNR_BINARY_DIR/web-screenshots. Without chromium the test is skipped (exit 0)
# unless CI is set, where a missing browser is a failure.
#   XNR_ASSETS_DIR=web  serve the app from disk (--assets-dir) instead of packed
#   extra arguments     spec names to run (default: all)
set -u
: "${XNR_BIN:?set XNR_BIN to the explainer binary}"
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
: "${XNR_BINARY_DIR:=$(pwd)}"
export XNR_BINARY_DIR
CHROMIUM=${XNR_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
	if [ -n "${CI:-}" ]; then
		echo "FAIL: $CHROMIUM is missing and CI is set (scripts/setup.sh --test installs chromium)"
		exit 1
	fi
	echo "#####################################################################"
	echo "## SKIPPED: browser tests need Chromium ($CHROMIUM is missing).     ##"
	echo "## Install it with: scripts/setup.sh --test                         ##"
	echo "#####################################################################"
	exit 0
fi
if [ ! -f "$XNR_SOURCE_DIR/web/node_modules/playwright-core/index.mjs" ]; then
	echo "FAIL: web/node_modules/playwright-core is missing (run scripts/setup.sh or npm ci --prefix web)"
	exit 1
fi

tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$XNR_BIN" run --model "$XNR_SOURCE_DIR/demo/model" --data "$XNR_SOURCE_DIR/demo/eval.conll" \
	-o "$tmp/run.db" -q || { echo "FAIL: explainer run failed"; exit 1; }

args=("$tmp/run.db" --port 0 --model "$XNR_SOURCE_DIR/demo/model")
[ -n "${XNR_ASSETS_DIR:-}" ] && args+=(--assets-dir "$XNR_ASSETS_DIR")
"$XNR_BIN" serve "${args[@]}" >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 1 200); do
	port=$(sed -n 's|^ExplaiNER serving .* at http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$tmp/out")
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
if [ -z "$port" ]; then
	echo "FAIL: the server did not start:"
	cat "$tmp/out" "$tmp/err"
	exit 1
fi

node "$XNR_SOURCE_DIR/tests/web/run.mjs" "http://127.0.0.1:$port" "$@"
rc=$?

kill -TERM "$pid"
for _ in $(seq 1 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
wait "$pid" 2>/dev/null
pid=
if grep -q "Sanitizer" "$tmp/err"; then
	echo "FAIL: sanitizer report from the server:"
	cat "$tmp/err"
	rc=1
fi
exit $rc
