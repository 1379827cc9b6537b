#!/usr/bin/env bash
# test_api_compare.sh - GET /api/v1/compare on the real server: two runs (the
# demo model and the model derived from it, tests/gen/derive_model.py) over
# demo/eval.conll; the answer is `explainer compare --json`'s byte for byte
# for the same parameters, compare_check.py recomputes it from the database,
# and bad parameters and missing runs get the documented error bodies.
set -u
. "$(dirname "$0")/lib.sh"
$PY "$src/tests/gen/derive_model.py" "$MODEL" "$tmp/minus1" || die "deriving the model"
demo_run
demo_run "$DATA" "$tmp/minus1"
start_server "$tmp/run.db"

expect_status 200 '/api/v1/compare?a=1&b=2&resamples=200&seed=3&top=5' && {
	"$XNR_BIN" compare "$tmp/run.db" --a 1 --b 2 --resamples 200 --seed 3 --top 5 --json \
		>"$tmp/cli.json"
	if $PY -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); assert a == b' \
		"$tmp/body" "$tmp/cli.json"; then
		ok "the API answers what explainer compare --json prints"
	else
		bad "API and CLI differ"
	fi
	cp "$tmp/body" "$tmp/api.json"
	if $PY "$src/tests/cli/compare_check.py" "$tmp/run.db" "$tmp/api.json" >"$tmp/check.out" 2>&1; then
		ok "checked from the database: $(cat "$tmp/check.out")"
	else
		bad "compare_check: $(cat "$tmp/check.out")"
	fi
}
expect_status 200 '/api/v1/compare?a=1&b=2&type=LOC&top=3' && check "type filter" '
ents = body["entities"]["fixed"]["items"] + body["entities"]["regressed"]["items"]
assert ents and all(e["type"] == "LOC" for e in ents), ents
assert body["type"] == "LOC" and body["bootstrap"]["resamples"] == 1000
assert all(len(v["items"]) <= 3 for v in body["sentences"].values())'
expect_status 404 '/api/v1/compare?a=1&b=9'
expect_status 400 '/api/v1/compare?a=1'
expect_status 400 '/api/v1/compare?a=1&b=2&resamples=0'
expect_status 400 '/api/v1/compare?a=1&b=2&type=NOPE'
expect_status 400 '/api/v1/compare?a=1&b=2&x=1'
expect_status 405 '/api/v1/compare?a=1&b=2' -X POST -H 'Content-Type: application/json' \
	-H "Origin: $base" -d '{}'
check_sanitizer
finish
