#!/usr/bin/env bash
# test_web.sh - the web app in headless Chromium: builds a run database from
# the demo model (its label issues scored), starts the real `explainer serve --port 0 --model demo/model`
# on 127.0.0.1 and runs every tests/web/specs/*.spec.mjs with tests/web/run.mjs
# (npm playwright-core driving Debian's /usr/bin/chromium). Screenshots go to
# $XNR_BINARY_DIR/web-screenshots. Without chromium the test is skipped (exit
# 77) unless CI is set, where a missing browser is a failure.
#   XNR_ASSETS_DIR=web  serve the app from disk (--assets-dir) instead of packed
#   extra arguments     spec names to run (default: all)
set -u
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
. "$XNR_SOURCE_DIR/tests/api/lib.sh"
CHROMIUM=${XNR_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
	[ -z "${CI:-}" ] || die "$CHROMIUM is missing and CI is set (scripts/setup.sh --test installs chromium)"
	skip "browser tests need Chromium ($CHROMIUM is missing; scripts/setup.sh --test installs it)"
fi
[ -f "$XNR_SOURCE_DIR/web/node_modules/playwright-core/index.mjs" ] ||
	die "web/node_modules/playwright-core is missing (run scripts/setup.sh or npm ci --prefix web)"

# A sanitized server answers several times slower (the duplicates job with an
# encoder: 14 s alone under ASan, over 30 s beside the rest of the suite), so
# the specs' waits grow with it.
if ldd "$XNR_BIN" 2>/dev/null | grep -q 'lib[at]san'; then
	export XNR_WEB_WAIT_MS=${XNR_WEB_WAIT_MS:-120000}
	export XNR_WEB_SPEC_TIMEOUT_MS=${XNR_WEB_SPEC_TIMEOUT_MS:-360000}
fi

# The Find Duplicates fixture first (tests/fixtures/dups: planted near-duplicates
# and a split that leaks three of them); the demo run, the newest, is the one
# the specs open by default.
demo_run "$XNR_SOURCE_DIR/tests/fixtures/dups/planted.conll"
demo_run "$XNR_SOURCE_DIR/tests/fixtures/dups/train.conll"
demo_run
# The Label issues page's scores (issues.spec).
"$XNR_BIN" issues "$tmp/run.db" --top 0 -n 2 >/dev/null || die "explainer issues of the demo run failed"
args=(--model "$MODEL")
[ -n "${XNR_ASSETS_DIR:-}" ] && args+=(--assets-dir "$XNR_ASSETS_DIR")
start_server "$tmp/run.db" "${args[@]}"

node "$XNR_SOURCE_DIR/tests/web/run.mjs" "$url" "$@"
status=$?

# The specs print their own count; a sanitizer report from the server fails the test too.
stop_server
check_sanitizer
[ "$fail" = 0 ] || status=1
exit $status
