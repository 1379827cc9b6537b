#!/usr/bin/env bash
# test_web_compare.sh - the Compare page in headless Chromium on two real runs:
# the model derived from the demo model (its last encoder layer dropped,
# tests/gen/derive_model.py) and then the demo model, both over
# demo/eval.conll, so the newest run (the header's pick, A) is the demo model
# and B the derived one; runs tests/web/specs/compare.spec.mjs and
# buckets.spec.mjs (B overlaid; test_web.sh runs the same specs on its own
# database). Screenshots: $XNR_BINARY_DIR/web-screenshots/compare.png,
# buckets-compare.png. Skipped (77)
# without Chromium unless CI is set.
set -u
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
. "$XNR_SOURCE_DIR/tests/api/lib.sh"
CHROMIUM=${XNR_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
	[ -z "${CI:-}" ] || die "$CHROMIUM is missing and CI is set (scripts/setup.sh --test installs chromium)"
	skip "browser tests need Chromium ($CHROMIUM is missing; scripts/setup.sh --test installs it)"
fi
if ldd "$XNR_BIN" 2>/dev/null | grep -q 'lib[at]san'; then
	export XNR_WEB_WAIT_MS=${XNR_WEB_WAIT_MS:-120000}
	export XNR_WEB_SPEC_TIMEOUT_MS=${XNR_WEB_SPEC_TIMEOUT_MS:-360000}
fi

$PY "$XNR_SOURCE_DIR/tests/gen/derive_model.py" "$MODEL" "$tmp/minus1" || die "deriving the model"
demo_run "$DATA" "$tmp/minus1"
demo_run
args=()
[ -n "${XNR_ASSETS_DIR:-}" ] && args+=(--assets-dir "$XNR_ASSETS_DIR")
start_server "$tmp/run.db" "${args[@]}"

node "$XNR_SOURCE_DIR/tests/web/run.mjs" "$url" compare buckets
status=$?
stop_server
check_sanitizer
[ "$fail" = 0 ] || status=1
exit $status
