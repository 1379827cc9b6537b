#!/usr/bin/env bash
# test_cli_run.sh - `explainer run` end to end: the demo model over the whole
# CoNLL-2003 test split reproduces the reference seqeval reports and
# predictions; the database reads back with Python's sqlite3 + numpy; runs are
# reused, added, and never damaged by a failed or interrupted run; bad input
# gives one located error line and writes nothing.
set -u
bin=${XNR_BIN:?}; src=${XNR_SOURCE_DIR:?}; shared=${XNR_SHARED_DIR:?}
tmp=${XNR_BINARY_DIR:?}/tmp/cli_run; rm -rf "$tmp"; mkdir -p "$tmp"
model=$src/demo/model; test=$shared/data/conll2003/test.txt; db=$tmp/run.db
py=/usr/bin/python3
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }

expect_error() { # NAME WANT_EXIT SUBSTRING CMD...
	local name=$1 want=$2 sub=$3; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
	local lines; lines=$(wc -l <"$tmp/err")
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -qF -- "$sub" "$tmp/err"; then
		ok "$name"
	else
		bad "$name (exit $rc, $lines stderr lines: $(head -c 300 "$tmp/err"))"
	fi
}
runs() { $py -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from runs').fetchone()[0])" "$db"; }

if "$bin" run --model "$model" --data "$test" -o "$db" --threads 2 >"$tmp/report.txt" 2>"$tmp/err" &&
	grep -qE '^   micro avg +0\.6766 +0\.7365 +0\.7053 +5648$' "$tmp/report.txt"; then
	ok "run on CoNLL-2003 test prints micro F1 0.7053"
else
	bad "run on CoNLL-2003 test: $(cat "$tmp/report.txt" "$tmp/err" | head -20)"
fi

$py - "$db" "$shared" <<'PY' && ok "database read back with sqlite3 + numpy matches the reference" || bad "database read back"
import json, math, sqlite3, sys
import numpy as np
db, shared = sys.argv[1], sys.argv[2]
exp = json.load(open(f"{shared}/models/conll03-bert-mini/expected_test.txt.json"))
c = sqlite3.connect(db)
run_id, summary, n_sent, n_words, hidden_size = c.execute(
    "select id, summary, n_sentences, n_words, hidden_size from runs").fetchone()
assert (n_sent, n_words, hidden_size) == (3453, 46435, 256), (n_sent, n_words, hidden_size)
s = json.loads(summary)
for mode, key in (("default", "seqeval_default"), ("strict", "seqeval_strict")):
    want, got = exp["seqeval"][mode], s[key]
    for row, vals in want.items():
        for m, v in vals.items():
            assert abs(got[row][m] - v) < 1e-12, (mode, row, m, got[row][m], v)
labels = [n for (n,) in c.execute("select name from labels where run_id=? order by id", (run_id,))]
pred = {}
for sid, idx, p in c.execute("select sentence_id, idx, pred from words where run_id=?", (run_id,)):
    pred[(sid, idx)] = labels[p]
words = sum(len(x) for x in exp["predictions"])
assert words == len(pred)
for sid, sent in enumerate(exp["predictions"]):
    for idx, tag in enumerate(sent):
        assert pred[(sid, idx)] == tag, (sid, idx, pred[(sid, idx)], tag)
rows = c.execute("select w.probs, h.vec, prob_gold, loss, gold, pred, prob_pred from words w "
                 "join hidden h using (run_id, sentence_id, idx) where run_id=? limit 2000",
                 (run_id,)).fetchall()
assert c.execute("select count(*) from hidden where run_id=?", (run_id,)).fetchone()[0] == 46435
for probs, hidden, pg, loss, gold, p, pp in rows:
    pr = np.frombuffer(probs, dtype="<f4")
    h = np.frombuffer(hidden, dtype="<f4")
    assert pr.shape == (len(labels),) and h.shape == (256,)
    assert abs(pr.sum() - 1) < 1e-5 and abs(pr[gold] - pg) < 1e-6 and abs(pr[p] - pp) < 1e-6
    assert int(np.argmax(pr)) == p
    assert abs(loss + math.log(max(pg, 1e-30))) < 1e-3 * max(1, loss)
gold_entities = c.execute("select count(*) from entities where side='gold'").fetchone()[0]
assert gold_entities == 5648, gold_entities
ign = c.execute("select count(*) from tokens where gold is null").fetchone()[0]
assert ign == 68653 - 46435, ign
loss_sum = c.execute("select sum(loss) from words").fetchone()[0]
sent_loss = c.execute("select sum(loss) from sentences").fetchone()[0]
assert abs(loss_sum - sent_loss) < 1e-6 * loss_sum
print("seqeval default and strict reproduced exactly; 46,435 predictions identical")
PY

if "$bin" run --model "$model" --data "$test" -o "$db" | grep -q "reusing"; then ok "same request reuses the run"; else bad "reuse"; fi
"$bin" run --model "$model" --data "$test" -o "$db" --sample 100 --seed 7 -q
"$bin" run --model "$model" --data "$src/demo/eval.conll" -o "$db" -q
[ "$(runs)" = 3 ] && ok "runs added to the same database" || bad "runs added: $(runs)"
$py - "$db" <<'PY' && ok "--sample draws 100 sentences, in dataset order" || bad "--sample"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("select source_line from sentences where run_id = 2 order by id").fetchall()
lines = [r[0] for r in rows]
assert len(lines) == 100 and lines == sorted(lines) and len(set(lines)) == 100
PY

# explainer report: the stored run's metrics, as text and JSON, and as a CI gate.
if "$bin" report "$db" --run 1 >"$tmp/report1.txt" &&
	grep -qE '^   micro avg +0\.6766 +0\.7365 +0\.7053 +5648$' "$tmp/report1.txt" &&
	grep -qE '^   micro avg +0\.7346 +0\.7112 +0\.7227 +5648$' "$tmp/report1.txt" &&
	grep -q 'token confusion' "$tmp/report1.txt" && grep -q 'worst sentences' "$tmp/report1.txt"; then
	ok "report prints both seqeval reports, confusions and worst sentences"
else
	bad "report: $(head -30 "$tmp/report1.txt")"
fi
"$bin" report "$db" --run 1 --json --top 5 >"$tmp/report1.json"
$py - "$tmp/report1.json" "$db" <<'PY' && ok "report --json agrees with the run's summary and the taxonomy adds up" || bad "report --json"
import json, sqlite3, sys
r = json.load(open(sys.argv[1]))
s = json.loads(sqlite3.connect(sys.argv[2]).execute("select summary from runs where id=1").fetchone()[0])
for mode in ("seqeval_default", "seqeval_strict"):
    for row, vals in s[mode].items():
        if isinstance(vals, dict):
            for m, v in vals.items():
                assert r[mode][row][m] == v, (mode, row, m)
tax = r["entity_errors"]
gold = sum(v["correct"] + v["wrong type"] + v["wrong boundary"] + v["wrong type and boundary"] + v["missed"] for v in tax.values())
assert gold == 5648, gold
assert r["nervaluate"]["strict"]["f1"] == r["seqeval_default"]["micro avg"]["f1-score"]
assert len(r["worst_sentences"]) == 5
assert sum(map(sum, r["confusion"]["counts"])) == 46435
mis = r["misclassified"]
assert mis[0]["count"] >= mis[-1]["count"] and all(m["gold"] != m["pred"] for m in mis)
labels = {g["key"]: g for g in r["loss_by"]["label"]}
assert sum(g["count"] for g in labels.values()) == 46435
assert labels["O"]["count"] == 38323 and labels["B-ORG"]["median"] <= labels["B-ORG"]["mean"]
c = sqlite3.connect(sys.argv[2])
top = r["loss_by"]["word"][0]
want = c.execute("select count(*), sum(loss) from words where run_id=1 and text=?", (top["key"],)).fetchone()
assert want[0] == top["count"] and abs(want[1] - top["sum"]) < 1e-6 * want[1]
PY
"$bin" report "$db" --run 1 --fail-under 0.70 >/dev/null && ok "--fail-under 0.70 passes" || bad "--fail-under 0.70"
expect_error "--fail-under 0.75 fails" 1 "below --fail-under 0.7500" "$bin" report "$db" --run 1 --fail-under 0.75
expect_error "report on a missing run" 1 "no run 99" "$bin" report "$db" --run 99
expect_error "report on a missing database" 1 "$tmp/none.db" "$bin" report "$tmp/none.db"

# Bad input: one error line, non-zero exit, and the database is left as it was.
printf 'EU B-ORG\nrejects O\n\nGerman B-MISC extra\n' >"$tmp/ragged.conll"
expect_error "ragged CoNLL line" 1 "ragged.conll:4:" "$bin" run --model "$model" --data "$tmp/ragged.conll" -o "$db"
expect_error "an encoder without a token-classification head" 1 "has no token-classification head" "$bin" run --model "$src/tests/fixtures/models/sentence_bert" --data "$src/demo/eval.conll" -o "$tmp/encoder.db"
[ -e "$tmp/encoder.db" ] && bad "a failed run made $tmp/encoder.db" || ok "a failed run makes no database"
printf 'EU B-ORGANISATION\n' >"$tmp/labels.conll"
expect_error "label the model does not know" 1 "B-ORGANISATION" "$bin" run --model "$model" --data "$tmp/labels.conll" -o "$db"
if "$bin" run --model "$model" --data "$tmp/labels.conll" -o "$db" -q --label-map B-ORGANISATION=B-ORG; then ok "--label-map maps it"; else bad "--label-map"; fi
printf 'caf\xe9 O\n' >"$tmp/latin1.conll"
expect_error "invalid UTF-8" 1 "latin1.conll:1:" "$bin" run --model "$model" --data "$tmp/latin1.conll" -o "$db"
: >"$tmp/empty.conll"
expect_error "empty file" 1 "empty.conll" "$bin" run --model "$model" --data "$tmp/empty.conll" -o "$db"
printf '{"tokens": ["a"], "ner_tags": ["O"]}\n[1, 2]\n' >"$tmp/bad.jsonl"
expect_error "JSONL line not an object" 1 "bad.jsonl:2:" "$bin" run --model "$model" --data "$tmp/bad.jsonl" -o "$db"
mkdir -p "$tmp/splits"; ln -sf "$test" "$tmp/splits/test.txt"
expect_error "missing split" 1 "train" "$bin" run --model "$model" --data "$tmp/splits" --split train -o "$db"
expect_error "missing --output" 2 "--output" "$bin" run --model "$model" --data "$test"
[ "$(runs)" = 4 ] && ok "failed runs left the database as it was" || bad "runs after failures: $(runs)"

# A run killed in the middle (a crash; background jobs of a script ignore
# SIGINT, so SIGKILL stands in for Ctrl-C) leaves the earlier runs intact.
"$bin" run --model "$model" --data "$shared/data/conll2003/train.txt" -o "$db" -q --threads 1 &
pid=$!
sleep 2
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
$py - "$db" <<'PY' && ok "an interrupted run leaves the earlier runs intact" || bad "interrupted run"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("pragma integrity_check").fetchone()[0] == "ok"
assert c.execute("select count(*) from runs").fetchone()[0] == 4
assert c.execute("select count(*) from words where run_id not in (select id from runs)").fetchone()[0] == 0
PY

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
