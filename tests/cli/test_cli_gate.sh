#!/usr/bin/env bash
# test_cli_gate.sh - `explainer report` as a CI gate (issue #11): --fail-under
# per type, --fail-if-regressed against a baseline run kept in another
# database, on real runs: the demo model, and models derived from it at test
# time (one and two encoder layers dropped: tests/gen/derive_model.py) on
# demo/eval.conll. Dropping one layer costs 0.0024 micro F1 there, a drop the
# paired bootstrap does not call significant (the gate passes); dropping two
# costs 0.0155 with p about 0.03 (the gate fails, exit 3), and so does the
# one-layer model's LOC drop (p about 0.12) at --alpha 0.2. The gate's numbers
# are explainer compare's (which test_cli_compare checks against Python); each
# failed rule is one line on stderr; bad options and baselines fail as documented.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
db=$tmp/runs.db
base=$tmp/base.db
model=$src/demo/model
data=$src/demo/eval.conll
for k in 1 2; do
	$PY "$src/tests/gen/derive_model.py" "$model" "$tmp/minus$k" --drop-layers "$k" >/dev/null ||
		die "deriving the model without $k layers"
done
run() { "$bin" run --model "$1" --data "$data" -o "$2" --threads 2 >/dev/null 2>"$tmp/run.err" ||
	die "run $1: $(cat "$tmp/run.err")"; }
run "$model" "$db"       # 1
run "$tmp/minus1" "$db"  # 2
run "$tmp/minus2" "$db"  # 3
run "$model" "$base"     # 1 of the baseline database

# gate RUN EXPECTED_EXIT ARGS...: report --json with the gate; the JSON and stderr kept.
gate() {
	local run=$1 want=$2 rc
	shift 2
	"$bin" report "$db" --run "$run" --top 0 --json "$@" >"$tmp/g.json" 2>"$tmp/g.err"
	rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, not $want: $(head -c 600 "$tmp/g.err")"; return 1; }
}
# check_gate RUN COMPARE_B: every regression rule's numbers are compare's (run COMPARE_B
# against run 1 of the same database, same seed and resamples), each rule's verdict
# follows from them, and stderr has one line per failed rule.
check_gate() {
	"$bin" compare "$db" --a 1 --b "$1" --top 0 --json >"$tmp/c.json" || return 1
	$PY - "$tmp/g.json" "$tmp/c.json" "$tmp/g.err" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["gate"]
c = json.load(open(sys.argv[2]))
err = open(sys.argv[3]).read().splitlines()
rows = {t["type"]: t for t in c["types"]}
rows["micro avg"] = c["micro"]
failed = [r for r in g["rules"] if not r["passed"]]
assert g["passed"] == (not failed)
assert err == ["explainer: gate failed: " + r["message"] for r in failed], (err, failed)
for r in g["rules"]:
    if r["rule"] == "fail-under":
        assert r["passed"] == (r["f1"] is not None and r["f1"] >= r["min"]), r
        continue
    d = rows[r["type"]]["diff"]
    for k, want in (("diff", d["f1"]), ("p_value", d["p_value"]), ("lo", d["lo"]), ("hi", d["hi"])):
        assert abs(r[k] - want) <= 1e-12, (r["type"], k, r[k], want)
    assert r["passed"] == (not (r["diff"] < 0 and r["p_value"] < r["alpha"])), r
if any(r["rule"] == "fail-if-regressed" for r in g["rules"]):
    assert g["pairing"]["by"] == "index" and g["pairing"]["pairs"] == c["pairing"]["pairs"]
print(" ".join("%s %s %s" % (r["rule"], r["type"], "ok" if r["passed"] else "FAILED") for r in g["rules"]))
PY
}
expect_gate() { # NAME RUN EXIT COMPARE_B ARGS...
	local name=$1 run=$2 want=$3 b=$4 out
	shift 4
	if gate "$run" "$want" "$@" >"$tmp/why" && out=$(check_gate "$b" 2>&1); then
		ok "$name: $out"
	else
		bad "$name: $(cat "$tmp/why") $out"
	fi
}

expect_gate "one layer dropped: a drop, not significant, passes" 2 0 2 \
	--fail-if-regressed --baseline "$base:1"
$PY -c 'import json,sys; r = json.load(open(sys.argv[1]))["gate"]["rules"][0]
assert r["type"] == "micro avg" and r["diff"] < 0 and r["p_value"] >= 0.05, r' "$tmp/g.json" &&
	ok "  ... and it is a drop (B - A < 0) with p >= 0.05" || bad "the one-layer drop: $(cat "$tmp/g.json" | head -c 300)"
expect_gate "two layers dropped: a significant drop fails (exit 3)" 3 3 3 \
	--fail-if-regressed --baseline "$base:1"
grep -q "significant drop" "$tmp/g.err" && ok "  ... its line says why" || bad "the line: $(cat "$tmp/g.err")"
expect_gate "one layer dropped, LOC gated at --alpha 0.2: LOC's drop fails, micro passes" 2 3 2 \
	--fail-if-regressed --baseline "$base:1" --alpha 0.2 --fail-under LOC=0
expect_gate "--fail-under per type: PER above, ORG below" 1 3 1 --fail-under PER=0.5,ORG=0.5
expect_gate "--fail-under per type and micro together, all passing" 1 0 1 --fail-under 0.5,PER=0.5,LOC=0.6
expect_gate "every failed rule is one line" 3 3 3 \
	--fail-under 0.99,PER=0.99 --fail-if-regressed --baseline "$base:1"
[ "$(wc -l <"$tmp/g.err")" = 3 ] && ok "  ... three rules failed, three lines" || bad "lines: $(cat "$tmp/g.err")"
expect_gate "the baseline in the same database" 2 0 2 --fail-if-regressed --baseline "$db:1"

if "$bin" report "$db" --run 3 --top 0 --fail-if-regressed --baseline "$base:1" >"$tmp/t.txt" 2>/dev/null
then bad "text report: the failed gate exited 0"
elif grep -q "^gate: FAILED$" "$tmp/t.txt" && grep -q "^  FAILED micro avg F1 " "$tmp/t.txt"; then
	ok "text report: the gate's rules at the end"
else
	bad "text report: $(tail -5 "$tmp/t.txt")"
fi

expect_error "--fail-if-regressed alone" 2 "go together" "$bin" report "$db" --fail-if-regressed
expect_error "--baseline without an id" 2 "RUN.db:ID" "$bin" report "$db" --fail-if-regressed --baseline "$base"
expect_error "--baseline with a bad id" 2 "--baseline's ID" "$bin" report "$db" --fail-if-regressed --baseline "$base:x"
expect_error "an F1 out of range" 2 "no TYPE=F1" "$bin" report "$db" --fail-under PER=1.5
expect_error "a number that is no F1" 2 "is no F1" "$bin" report "$db" --fail-under abc
expect_error "a type given twice" 2 "given twice" "$bin" report "$db" --fail-under PER=0.1,PER=0.2
expect_error "--alpha out of range" 2 "--alpha" "$bin" report "$db" --fail-if-regressed --baseline "$base:1" --alpha 0.9
expect_error "a type the run does not have" 1 'no entity type "NOPE"' "$bin" report "$db" --fail-under NOPE=0.5
expect_error "a baseline run that does not exist" 1 "holds no run 9" "$bin" report "$db" --fail-if-regressed --baseline "$base:9"
expect_error "a baseline database that does not exist" 1 "missing.db" "$bin" report "$db" --fail-if-regressed --baseline "$tmp/missing.db:1"
finish
