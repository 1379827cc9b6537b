#!/usr/bin/env bash
# test_web_report.sh - the report files of `explainer report` (issue #11) on two
# real runs (the demo model and the model derived from it, demo/eval.conll):
# the --html page opened from disk in headless Chromium with the network
# blocked, no request leaving and no console error, every section matching the
# report's JSON (tests/web/report_html.mjs; screenshot
# $XNR_BINARY_DIR/web-screenshots/report-html.png); the --junit XML parsed
# (a testcase per gate rule and per score row, the failed rule a failure); the
# --markdown comment's table and gate lines; an existing file kept without
# --force and replaced with it. Skipped (77) without Chromium unless CI is set.
set -u
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
. "$XNR_SOURCE_DIR/tests/api/lib.sh"
CHROMIUM=${XNR_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
	[ -z "${CI:-}" ] || die "$CHROMIUM is missing and CI is set (scripts/setup.sh --test installs chromium)"
	skip "browser tests need Chromium ($CHROMIUM is missing; scripts/setup.sh --test installs it)"
fi
$PY "$XNR_SOURCE_DIR/tests/gen/derive_model.py" "$MODEL" "$tmp/minus1" >/dev/null || die "deriving the model"
demo_run
demo_run "$DATA" "$tmp/minus1"
db=$tmp/run.db
opts=(--run 1 --seed 3 --resamples 200)

"$XNR_BIN" report "$db" "${opts[@]}" --compare 2 --fail-under 0.5,PER=0.9 --html "$tmp/r.html" \
	--markdown "$tmp/r.md" --junit "$tmp/r.xml" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 3 ] && grep -q "PER F1" "$tmp/err" && ok "the gate fails (exit 3) and the files are written" ||
	bad "report files: exit $rc, $(cat "$tmp/err")"
"$XNR_BIN" report "$db" "${opts[@]}" --buckets --compare 2 --fail-under 0.5,PER=0.9 --json >"$tmp/r.json" 2>/dev/null
"$XNR_BIN" compare "$db" --a 1 --b 2 --seed 3 --resamples 200 --json >"$tmp/c.json" ||
	die "compare --json"
$PY - "$tmp/r.json" "$tmp/c.json" "$tmp/all.json" <<'PY' || die "merging the JSON"
import json, sys
r = json.load(open(sys.argv[1]))
r["compare"] = json.load(open(sys.argv[2]))
json.dump(r, open(sys.argv[3], "w"))
PY
mkdir -p "$XNR_BINARY_DIR/web-screenshots"
if node "$XNR_SOURCE_DIR/tests/web/report_html.mjs" "$tmp/r.html" "$tmp/all.json" \
	"$XNR_BINARY_DIR/web-screenshots/report-html.png" >"$tmp/node.out" 2>&1; then
	ok "HTML: $(cat "$tmp/node.out") ($(wc -c <"$tmp/r.html") bytes)"
else
	bad "HTML: $(cat "$tmp/node.out")"
fi

if $PY - "$tmp/r.xml" "$tmp/r.json" <<'PY'; then
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
rep = json.load(open(sys.argv[2]))
assert root.tag == "testsuites", root.tag
suite = root.find("testsuite")
cases = suite.findall("testcase")
rules = rep["gate"]["rules"]
scores = list(rep["seqeval_default"])
assert len(cases) == len(rules) + len(scores) == int(suite.get("tests")) == int(root.get("tests")), len(cases)
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == sum(not r["passed"] for r in rules) == int(suite.get("failures")) == 1, failed
assert failed[0].get("name") == "fail-under PER", failed[0].get("name")
assert failed[0].find("failure").get("message") == [r for r in rules if not r["passed"]][0]["message"]
for c, name in zip(cases[len(rules):], scores):
    assert c.get("classname") == "explainer.scores" and c.get("name") == "F1 " + name, c.attrib
    iv = rep["intervals"].get(name)
    f1 = rep["seqeval_default"][name]["f1-score"]
    want = f"F1 {f1:.4f} [{iv['lo']:.4f}, {iv['hi']:.4f}]" if iv else f"F1 {f1:.4f},"
    assert c.find("system-out").text.startswith(want), (c.find("system-out").text, want)
PY
	ok "JUnit: parsed; a testcase per gate rule and per score row, the failed rule a failure"
else
	bad "JUnit XML"
fi

if $PY - "$tmp/r.md" "$tmp/r.json" "$tmp/c.json" <<'PY'; then
import json, sys
md = open(sys.argv[1]).read().splitlines()
rep, cmp_ = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
assert md[0] == "### ExplaiNER report: run 1", md[0]
assert "**CI gate: FAILED**" in md and any(l.startswith("- **FAILED** PER F1") for l in md), md
head = md.index("| type | precision | recall | F1 [95% interval] | support |")
rows = [l for l in md[head + 2:] if l.startswith("| ")]
assert [r.split(" | ")[0][2:] for r in rows] == list(rep["seqeval_default"]), rows
micro = rep["intervals"]["micro avg"]
assert f"| {rep['seqeval_default']['micro avg']['f1-score']:.4f} [{micro['lo']:.4f}, {micro['hi']:.4f}] |" in rows[-3], rows[-3]
d = cmp_["micro"]["diff"]
assert any(l.startswith("Against run 2: micro F1 ") and f"{d['f1']:+.4f} [{d['lo']:+.4f}, {d['hi']:+.4f}]" in l for l in md), md[-1]
PY
	ok "Markdown: the gate's lines, a row per score with its interval, the comparison"
else
	bad "Markdown"
fi

cp "$tmp/r.html" "$tmp/before.html"
expect_error "an existing file is kept without --force" 1 "exists; nothing was written (use --force" \
	"$XNR_BIN" report "$db" --run 2 --resamples 50 --html "$tmp/r.html"
cmp -s "$tmp/r.html" "$tmp/before.html" && ok "the kept file is unchanged" || bad "the file changed"
if "$XNR_BIN" report "$db" --run 2 --resamples 50 --html "$tmp/r.html" --force >/dev/null &&
	! cmp -s "$tmp/r.html" "$tmp/before.html" && grep -q "ExplaiNER report: run 2" "$tmp/r.html"; then
	ok "--force replaces it"
else
	bad "--force"
fi
expect_error "--compare without a report that shows it" 2 "go with --buckets" \
	"$XNR_BIN" report "$db" --compare 2 --junit "$tmp/x.xml"
check_sanitizer
finish
