#!/usr/bin/env bash
# test_api_search.sh - finding sentences and keeping them, over HTTP on the
# demo run: the sentence lists' text search (words, phrases, entity strings,
# regular expressions) and filters (loss range, entity types, taxonomy
# kinds, a word, a first sub-token, pins), each answer checked against the
# database with Python's sqlite3 and re; the words each list marks; the
# downloads of every server-paged list (sentences, words, sub-tokens, loss
# groups) holding exactly the pages' rows in their order; pins kept in the
# database; and every bad input answered with a 4xx JSON error.
set -u
. "$(dirname "$0")/lib.sh"
demo_run
start_server "$tmp/run.db"
R=/api/v1/runs/1

# What the search index calls a word (unicode61: runs of letters and digits,
# case folded; demo/eval.conll is ASCII), and the words of a sentence.
PRE='
import re
def tokens(t): return re.findall(r"[a-z0-9]+", t.lower())
def words(sid): return [w for (w,) in db.execute("select text from words where run_id=1 and sentence_id=? order by idx", (sid,))]
def marked(item): return [" ".join(words(item["id"])[a:b]) for a, b in item["marks"]]
'

expect_status 200 "$R/sentences?q=JORDAN&sort=id&order=asc&limit=1000&marks=1" && check "a word, any case" "$PRE
exp = [i for (i, t) in db.execute('select id, text from sentences where run_id=1 order by id') if 'jordan' in tokens(t)]
assert [it['id'] for it in body['items']] == exp and body['total'] == len(exp) > 3, (body['total'], exp)
for it in body['items']:
    m = marked(it)
    assert m and all(x.lower() == 'jordan' for x in m), (it['id'], m)"

expect_status 200 "$R/sentences?q=%22jordan+river%22+water&sort=id&order=asc&limit=1000&marks=1" && check "a phrase and a word" "$PRE
exp = [i for (i, t) in db.execute('select id, text from sentences where run_id=1 order by id')
       if 'jordan river' in ' '.join(tokens(t)) and 'water' in tokens(t)]
assert [it['id'] for it in body['items']] == exp and exp, exp
assert all(set(x.lower() for x in marked(it)) >= {'jordan river', 'water'} for it in body['items']), body"

expect_status 200 "$R/sentences?q=minist*&sort=id&order=asc&limit=1000" && check "a prefix" "$PRE
exp = [i for (i, t) in db.execute('select id, text from sentences where run_id=1 order by id') if any(w.startswith('minist') for w in tokens(t))]
assert [it['id'] for it in body['items']] == exp and exp, exp"

expect_status 200 "$R/sentences?q=jordan+OR+NEAR&limit=1000" && check "FTS5 words are words" '
assert body["total"] == 0, body'

expect_status 200 "$R/sentences?q=Jordan&mode=entity&sort=id&order=asc&limit=1000&marks=1" && check "an entity string" "$PRE
exp = sorted({s for (s, a, b) in db.execute('select sentence_id, start, \"end\" from entities where run_id=1')
              if ' '.join(words(s)[a:b]).lower() == 'jordan'})
assert [it['id'] for it in body['items']] == exp and exp, exp
assert all(m.lower() == 'jordan' for it in body['items'] for m in marked(it)), body"

expect_status 200 "$R/sentences?q=%5Cd%7B4%7D-%5Cd%7B2%7D-%5Cd%7B2%7D%24&mode=regex&sort=id&order=asc&limit=1000&marks=1" && check "a regular expression" "$PRE
exp = [i for (i, t) in db.execute('select id, text from sentences where run_id=1 order by id') if re.search(r'\d{4}-\d{2}-\d{2}$', t)]
assert [it['id'] for it in body['items']] == exp and len(exp) > 5, exp
assert all(re.fullmatch(r'\d{4}-\d{2}-\d{2}', marked(it)[-1]) for it in body['items']), body['items'][0]"

expect_status 200 "$R/sentences?q=%28%3F-i%29AMMAN&mode=regex&limit=1000" && check "a regular expression, case kept" '
exp = db.execute("select count(*) from sentences where run_id=1 and instr(text, \"AMMAN\") > 0").fetchone()[0]
assert body["total"] == exp > 0, (body["total"], exp)'

expect_status 200 "$R/sentences?gold_type=PER&pred_type=ORG&skip_correct=1&min_loss=1&max_loss=40&sort=loss&limit=1000&marks=1" && check "entity types, errors, loss range" '
q = """select id from sentences s where run_id=1 and n_word_errors > 0 and loss between 1 and 40
  and exists (select 1 from entities e where e.run_id=1 and e.sentence_id=s.id and side="gold" and type="PER")
  and exists (select 1 from entities e where e.run_id=1 and e.sentence_id=s.id and side="pred" and type="ORG")
  order by loss desc, id"""
exp = [i for (i,) in db.execute(q)]
assert [it["id"] for it in body["items"]] == exp and exp, exp
ents = {(s, a, b) for (s, a, b) in db.execute("select sentence_id, start, \"end\" from entities where run_id=1 and ((side=\"gold\" and type=\"PER\") or (side=\"pred\" and type=\"ORG\"))")}
for it in body["items"]:
    assert it["marks"] and all(any(s == it["id"] and a <= m[0] and m[1] <= b or s == it["id"] and m[0] <= a and b <= m[1] for (s, a, b) in ents) for m in it["marks"]), it'

get "$base$R/metrics/examples?type=PER&kind=missed" >/dev/null && cp "$tmp/body" "$tmp/examples.json"
expect_status 200 "$R/sentences?error_kind=missed&error_type=PER&sort=id&order=asc&limit=1000&marks=1" && check "a taxonomy cell, its entities marked" "
ex = json.load(open('$tmp/examples.json'))
assert [it['id'] for it in body['items']] == ex['ids'] and ex['total'] > 0, (body, ex)
for it in body['items']:
    gold = [(a, b) for (a, b) in db.execute('select start, \"end\" from entities where run_id=1 and sentence_id=? and side=\"gold\" and type=\"PER\"', (it['id'],))]
    pred = [(a, b) for (a, b) in db.execute('select start, \"end\" from entities where run_id=1 and sentence_id=? and side=\"pred\"', (it['id'],))]
    assert it['marks'], it
    for a, b in it['marks']:
        assert (a, b) in gold and not any(x < b and a < y for (x, y) in pred), (it['id'], a, b, pred)"

echo '[]' >"$tmp/errors.json"
for t in PER ORG LOC MISC; do
	for k in type boundary type_boundary missed spurious; do
		get "$base$R/metrics/examples?type=$t&kind=$k" >/dev/null
		$PY -c "import json,sys; a=json.load(open(sys.argv[1])); a+=json.load(open(sys.argv[2]))['ids']; json.dump(a, open(sys.argv[1],'w'))" "$tmp/errors.json" "$tmp/body"
	done
done
expect_status 200 "$R/sentences?error_kind=errors&sort=id&order=asc&limit=1000" && check "every kind of error" "
errs = sorted(set(json.load(open('$tmp/errors.json'))))
assert [it['id'] for it in body['items']] == errs and errs, (len(errs), body['total'])"

expect_status 200 "$R/sentences?word=Jordan&marks=1&limit=1000" && check "an exact word" "$PRE
exp = {s for (s,) in db.execute('select sentence_id from words where run_id=1 and text=\"Jordan\"')}
assert {it['id'] for it in body['items']} == exp and exp, exp
assert all(m == 'Jordan' for it in body['items'] for m in marked(it)), body"

sub=$($PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select text from tokens t where run_id=1 and is_first=1 and exists (select 1 from tokens u where u.run_id=1 and u.sentence_id=t.sentence_id and u.idx=t.idx+1 and u.is_first=0) group by text order by count(*) desc limit 1\").fetchone()[0])" "$tmp/run.db")
expect_status 200 "$R/sentences?subtoken=$sub&marks=1&limit=1000" && check "a first sub-token ($sub)" "$PRE
exp = {s: {w for (w,) in db.execute('select word_idx from tokens where run_id=1 and sentence_id=? and is_first=1 and text=?', (s, '$sub'))}
       for (s,) in db.execute('select distinct sentence_id from tokens where run_id=1 and is_first=1 and text=?', ('$sub',))}
assert {it['id'] for it in body['items']} == set(exp) and exp, exp
assert all({a for a, b in it['marks']} == exp[it['id']] for it in body['items']), body['items'][0]"

expect_status 200 "$R/sentences?gold=B-ORG&pred=O&marks=1&limit=1000" && check "a confusion, its words marked" '
for it in body["items"]:
    want = [[i, i + 1] for (i,) in db.execute("select idx from words w join labels g on g.run_id=1 and g.id=w.gold join labels p on p.run_id=1 and p.id=w.pred where w.run_id=1 and sentence_id=? and g.name=\"B-ORG\" and p.name=\"O\" order by idx", (it["id"],))]
    merged = []
    for a, b in want:
        if merged and merged[-1][1] == a: merged[-1][1] = b
        else: merged.append([a, b])
    assert it["marks"] == want or it["marks"] == merged, (it["id"], it["marks"], want)'

# pages fit together; the downloads hold every page's rows, in order
pages=$tmp/pages.json
echo '[]' >"$pages"
for off in 0 7 14 21 28 35; do
	get "$base$R/sentences?q=the&sort=errors&limit=7&offset=$off" >/dev/null
	$PY -c "import json,sys; a=json.load(open(sys.argv[1])); a+=json.load(open(sys.argv[2]))['items']; json.dump(a, open(sys.argv[1],'w'))" "$pages" "$tmp/body"
done
get "$base$R/sentences?q=the&limit=1" >/dev/null && cp "$tmp/body" "$tmp/total.json"
curl -s "${auth[@]}" -D "$tmp/h" -o "$tmp/body" "$base$R/sentences.csv?q=the&sort=errors"
if grep -qi "^content-type: text/csv" "$tmp/h" && grep -qi 'filename="run1-sentences.csv"' "$tmp/h"; then ok; else bad "sentences.csv headers"; fi
check "sentences.csv: the pages' rows" "
import csv, io
rows = list(csv.DictReader(io.StringIO(raw.decode(), newline='')))
pages = json.load(open('$pages'))
assert [int(r['id']) for r in rows[:len(pages)]] == [p['id'] for p in pages], 'order'
assert list(rows[0]) == ['id', 'doc_id', 'text', 'loss', 'n_word_errors', 'n_entity_errors'], list(rows[0])
assert all(r['text'] == p['text'] for r, p in zip(rows, pages))
assert len(rows) == json.load(open('$tmp/total.json'))['total'] > len(pages), len(rows)"
curl -s "${auth[@]}" -D "$tmp/h" -o "$tmp/body" "$base$R/sentences.jsonl?q=the&sort=errors"
grep -qi "^content-type: application/x-ndjson" "$tmp/h" && ok || bad "sentences.jsonl type"
check "sentences.jsonl: the pages' items" "
lines = [json.loads(l) for l in raw.decode().splitlines()]
pages = json.load(open('$pages'))
assert lines[:len(pages)] == pages, (lines[0], pages[0])"

for t in words tokens; do
	get "$base$R/$t?q=or&sort=loss&gold=O&limit=1000" >/dev/null && cp "$tmp/body" "$tmp/grid.json"
	get "$base$R/$t.jsonl?q=or&sort=loss&gold=O" >/dev/null
	check "$t.jsonl: the grid's rows" "
grid = json.load(open('$tmp/grid.json'))
lines = [json.loads(l) for l in raw.decode().splitlines()]
assert lines == grid['items'] and grid['total'] == len(lines) > 1, (len(lines), grid['total'])"
done
expect_status 400 "$R/words.csv?limit=5"
get "$base$R/loss/words?by=token&q=er&sort=count&limit=1000" >/dev/null && cp "$tmp/body" "$tmp/grid.json"
get "$base$R/loss/words.csv?by=token&q=er&sort=count" >/dev/null
check "loss/words.csv: the grid's groups" "
import csv, io
rows = list(csv.DictReader(io.StringIO(raw.decode(), newline='')))
grid = json.load(open('$tmp/grid.json'))['items']
assert [r['text'] for r in rows] == [g['text'] for g in grid] and len(rows) > 3
assert all(int(r['count']) == g['count'] and abs(float(r['sum']) - g['sum']) < 1e-6 for r, g in zip(rows, grid))"

# pins
expect_status 200 "$R/pins/4" -X PUT -H 'Content-Type: application/json' -d '{"note": "label, \"check\""}' &&
	check "pin with a note" 'assert body["sentence_id"] == 4 and body["note"] == "label, \"check\"" and body["created_at"].endswith("Z"), body'
expect_status 200 "$R/pins/2" -X PUT -H 'Content-Type: application/json' -d '{}'
expect_status 200 "$R/pins" && check "the pins, in the database" '
assert [p["sentence_id"] for p in body["items"]] == [2, 4], body
assert db.execute("select note from pins where run_id=1 and sentence_id=4").fetchone()[0] == "label, \"check\""'
expect_status 200 "$R/sentences?pinned=1&sort=id&order=asc" && check "the pinned sentences as a list" '
assert [it["id"] for it in body["items"]] == [2, 4], body'
get "$base$R/sentences.csv?pinned=1&sort=id&order=asc" >/dev/null
check "pins.csv with their notes" "
import csv, io
rows = list(csv.DictReader(io.StringIO(raw.decode(), newline='')))
assert [(r['id'], r['note']) for r in rows] == [('2', ''), ('4', 'label, \"check\"')], rows
assert list(rows[0])[-2:] == ['note', 'pinned_at'] and rows[1]['pinned_at'].endswith('Z'), rows"
expect_status 200 "$R/pins/2" -X DELETE && check "unpin" 'assert body == {"sentence_id": 2, "pinned": False}, body'
expect_status 200 "$R/pins/2" -X DELETE
expect_status 200 "$R/pins" && check "one pin left" 'assert [p["sentence_id"] for p in body["items"]] == [4], body'
expect_status 404 "$R/pins/100000" -X PUT -H 'Content-Type: application/json' -d '{}'
expect_status 404 "/api/v1/runs/9/pins/1" -X PUT -H 'Content-Type: application/json' -d '{}'
expect_status 404 "/api/v1/runs/9/pins"
expect_status 400 "$R/pins/1" -X PUT -H 'Content-Type: application/json' -d '{"nope": 1}'
expect_status 400 "$R/pins/1" -X PUT -H 'Content-Type: application/json' -d "{\"note\": \"$(printf 'x%.0s' $(seq 1 2001))\"}"
expect_status 415 "$R/pins/1" -X PUT -H 'Content-Type: text/plain' -d '{}'

# bad input: a 4xx JSON error that says what is wrong
expect_status 400 "$R/sentences?q=%28unclosed&mode=regex" && check "a regular expression PCRE2 refuses" '
assert "missing closing parenthesis" in body["error"]["message"], body'
expect_status 413 "$R/sentences?q=%28%28%5Cw%2B%29%2B%29%2B%5BX%5D&mode=regex" && check "a regular expression that backtracks without end" '
assert "too much work" in body["error"]["message"], body'
expect_status 400 "$R/sentences?q=%2C+.&mode=words" && check "words mode without a word" '
assert "mode=regex" in body["error"]["message"], body'
expect_status 400 "$R/sentences?q=$(printf 'x%.0s' $(seq 1 501))"
expect_status 400 "$R/sentences?mode=fuzzy&q=x"
# a value that is not UTF-8 (Latin-1 "café", an overlong "/", a surrogate) is refused by name,
# before any page quotes it back; UTF-8 percent-encoded is a text like any other
for v in caf%E9 %C0%AF %ED%A0%80; do
	expect_status 400 "$R/sentences?gold_type=$v" && check "gold_type=$v: not UTF-8" '
assert body["error"]["message"].startswith("query parameter gold_type: not UTF-8"), body'
done
expect_status 200 "$R/sentences?q=caf%C3%A9"
expect_status 400 "$R/sentences?gold_type=FOO" && check "an unknown entity type" '
assert "FOO" in body["error"]["message"], body'
expect_status 400 "$R/sentences?error_kind=lost"
expect_status 400 "$R/sentences?error_type=PER"
expect_status 400 "$R/sentences?error_kind=missed&error_type=FOO"
expect_status 400 "$R/sentences?error_kind=missed&ids=1,2"
expect_status 400 "$R/sentences?max_loss=nan"
expect_status 400 "$R/sentences?marks=2"
expect_status 400 "$R/sentences.csv?limit=10"
expect_status 400 "$R/sentences.jsonl?marks=1"
expect_status 404 "/api/v1/runs/9/sentences.csv?q=x"
finish
