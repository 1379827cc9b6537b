#!/usr/bin/env bash
# test_api_buckets.sh - GET /api/v1/runs/{id}/buckets on the real server: two
# runs (the demo model and the model derived from it) over demo/eval.conll; the
# answer is `explainer report --buckets --json`'s buckets for the same
# parameters, buckets_check.py recomputes it from the database, and bad
# parameters and missing runs get the documented error bodies.
set -u
. "$(dirname "$0")/lib.sh"
$PY "$src/tests/gen/derive_model.py" "$MODEL" "$tmp/minus1" || die "deriving the model"
demo_run
demo_run "$DATA" "$tmp/minus1"
start_server "$tmp/run.db"

expect_status 200 '/api/v1/runs/1/buckets?compare=2&resamples=150&seed=3&samples=5' && {
	"$XNR_BIN" report "$tmp/run.db" --run 1 --buckets --compare 2 --resamples 150 --seed 3 \
		--json >"$tmp/cli.json"
	if $PY -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:])
for x in b["buckets"]["attributes"]:
    for k in x["buckets"]:
        for r in k["runs"]:
            r["samples"] = r["samples"][:5]
assert a == b["buckets"]' "$tmp/body" "$tmp/cli.json"; then
		ok "the API answers what explainer report --buckets --json prints"
	else
		bad "API and CLI differ"
	fi
	cp "$tmp/body" "$tmp/api.json"
	if BUCKET_SAMPLES=5 $PY "$src/tests/cli/buckets_check.py" "$tmp/run.db" "$tmp/api.json" \
		>"$tmp/check.out" 2>&1; then
		ok "checked from the database: $(cat "$tmp/check.out")"
	else
		bad "buckets_check: $(cat "$tmp/check.out")"
	fi
}
expect_status 200 '/api/v1/runs/2/buckets?edges=span_length:1,2&buckets=3&samples=0' && check "edges, buckets, samples" '
a = {x["name"]: x for x in body["attributes"]}
assert a["span_length"]["kind"] == "fixed" and [b["label"] for b in a["span_length"]["buckets"]] == ["<= 1", "(1, 2]", "> 2"]
assert len(a["sentence_length"]["buckets"]) <= 3 and body["compare"] is None
assert all(r["samples"] == [] for x in body["attributes"] for b in x["buckets"] for r in b["runs"])'
expect_status 404 '/api/v1/runs/9/buckets'
expect_status 404 '/api/v1/runs/1/buckets?compare=9'
expect_status 400 '/api/v1/runs/1/buckets?edges=colour:1'
expect_status 400 '/api/v1/runs/1/buckets?buckets=0'
expect_status 400 '/api/v1/runs/1/buckets?x=1'
expect_status 405 '/api/v1/runs/1/buckets' -X POST -H 'Content-Type: application/json' \
	-H "Origin: $base" -d '{}'
check_sanitizer
finish
