#!/usr/bin/env bash
# test_web_precision.sh - the header of a run made with --precision int8, in
# headless Chromium (tests/web/specs/precision.spec.mjs): the chip on every
# page and the option on Debug. Skipped (77) without Chromium unless CI is
# set, and on a CPU without AVX-512 VNNI (int8 is refused there).
set -u
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
. "$XNR_SOURCE_DIR/tests/api/lib.sh"
CHROMIUM=${XNR_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
	[ -z "${CI:-}" ] || die "$CHROMIUM is missing and CI is set (scripts/setup.sh --test installs chromium)"
	skip "browser tests need Chromium ($CHROMIUM is missing; scripts/setup.sh --test installs it)"
fi
"$XNR_BIN" predict --model "$MODEL" --text x --precision int8 >/dev/null 2>"$tmp/int8.err" ||
	skip "$(cat "$tmp/int8.err")"
"$XNR_BIN" run --model "$MODEL" --data "$DATA" -o "$tmp/run.db" -q --precision int8 ||
	die "explainer run --precision int8 failed"
args=()
[ -n "${XNR_ASSETS_DIR:-}" ] && args+=(--assets-dir "$XNR_ASSETS_DIR")
start_server "$tmp/run.db" "${args[@]}"

node "$XNR_SOURCE_DIR/tests/web/run.mjs" "$url" precision
status=$?
stop_server
check_sanitizer
[ "$fail" = 0 ] || status=1
exit $status
