#!/usr/bin/env bash
# test_api_samples.sh - the word and sub-token tables of a run (Inspect, Raw
# data): paging, sorting and filters checked against the database with
# sqlite3, label-name filters, errors, and the CSV downloads read back with
# Python's csv module.
set -u
. "$(dirname "$0")/lib.sh"
demo_run
start_server "$tmp/run.db"

expect_status 200 "/api/v1/runs/1/words?limit=3" && check "words page" '
n = db.execute("select count(*) from words where run_id=1").fetchone()[0]
assert body["total"] == n and len(body["items"]) == 3, body
w = body["items"][0]
assert (w["sentence_id"], w["idx"]) == (0, 0), w
row = db.execute("select text, l.name from words w join labels l on l.run_id=1 and l.id=w.gold where w.run_id=1 and sentence_id=0 and idx=0").fetchone()
assert (w["text"], w["gold"]) == row, (w, row)'

expect_status 200 "/api/v1/runs/1/tokens?sort=loss&limit=5" && check "tokens by loss, descending" '
top = [r[0] for r in db.execute("select loss from tokens where run_id=1 and loss is not null order by loss desc limit 5")]
got = [t["loss"] for t in body["items"]]
assert all(abs(a - b) < 1e-12 for a, b in zip(got, top)) and len(got) == 5, (got, top)'

expect_status 200 "/api/v1/runs/1/words?sort=loss&order=asc&limit=2&offset=10" && check "ascending page" '
exp = [r[0] for r in db.execute("select loss from words where run_id=1 order by loss is null, loss limit 2 offset 10")]
assert [w["loss"] for w in body["items"]] == exp, body'

expect_status 200 "/api/v1/runs/1/words?gold=B-PER&pred=O&limit=1000" && check "label filters" '
exp = db.execute("select count(*) from words w, labels g, labels p where w.run_id=1 and g.run_id=1 and p.run_id=1 and g.id=w.gold and p.id=w.pred and g.name=\"B-PER\" and p.name=\"O\"").fetchone()[0]
assert body["total"] == exp and exp > 0, (body["total"], exp)
assert all(w["gold"] == "B-PER" and w["pred"] == "O" for w in body["items"])'

expect_status 200 "/api/v1/runs/1/tokens?errors=1&limit=1000" && check "errors only" '
assert body["total"] > 0 and all(t["gold"] != t["pred"] for t in body["items"]), body["total"]'

expect_status 200 "/api/v1/runs/1/words?q=Berlin" && check "text filter" '
assert body["total"] >= 1 and all("berlin" in w["text"].lower() for w in body["items"]), body'

expect_status 200 "/api/v1/runs/1/words?q=the&limit=1000" && check "text filter ignores ASCII case" '
exp = db.execute("select count(*) from words where run_id=1 and instr(lower(text), \"the\") > 0").fetchone()[0]
assert body["total"] == exp and all("the" in w["text"].lower() for w in body["items"]), (body["total"], exp)
assert any("the" not in w["text"] for w in body["items"]), "The and THE match too"'

expect_status 200 "/api/v1/runs/1/tokens?q=the&case=1&limit=1000" && check "case=1: case-sensitive" '
exp = db.execute("select count(*) from tokens where run_id=1 and instr(text, \"the\") > 0").fetchone()[0]
assert body["total"] == exp and all("the" in t["text"] for t in body["items"]), (body["total"], exp)'

expect_status 200 "/api/v1/runs/1/words?q=%25&limit=5" && check "q is a plain substring (no LIKE wildcards)" '
exp = db.execute("select count(*) from words where run_id=1 and instr(text, \"%\") > 0").fetchone()[0]
assert body["total"] == exp, (body["total"], exp)'

expect_status 400 "/api/v1/runs/1/words?case=2"
expect_status 400 "/api/v1/runs/1/words?q=$(printf 'x%.0s' $(seq 1 201))"
expect_status 400 "/api/v1/runs/1/words?gold=B-XYZ"
expect_status 400 "/api/v1/runs/1/words?sort=nope"
expect_status 400 "/api/v1/runs/1/tokens?limit=0"
expect_status 400 "/api/v1/runs/1/tokens?limit=1001"
expect_status 400 "/api/v1/runs/1/words?bogus=1"
expect_status 404 "/api/v1/runs/9/words"
expect_status 404 "/api/v1/runs/9/tokens.csv"

for t in words tokens; do
	curl -s "${auth[@]}" -D "$tmp/h" -o "$tmp/body" "$base/api/v1/runs/1/$t.csv"
	if grep -qi "^content-type: text/csv" "$tmp/h" &&
		grep -qi "^content-disposition: attachment; filename=\"run1-$t.csv\"" "$tmp/h"; then ok; else bad "$t.csv headers"; fi
	check "$t.csv content" "
import csv, io
rows = list(csv.DictReader(io.StringIO(raw.decode('utf-8'), newline='')))
n = db.execute('select count(*) from $t where run_id=1').fetchone()[0]
assert len(rows) == n, (len(rows), n)
first = rows[0]
assert first['sentence_id'] == '0' and first['idx'] == '0', first
quoted = [r for r in rows if ',' in r['text'] or '\"' in r['text']]
exp = db.execute(\"select count(*) from $t where run_id=1 and (instr(text, ',') > 0 or instr(text, '\\\"') > 0)\").fetchone()[0]
assert len(quoted) == exp, (len(quoted), exp)"
done
finish
