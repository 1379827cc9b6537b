#!/usr/bin/env bash
# test_cli_run.sh - `explainer run` end to end: the demo model over
# demo/eval.conll reproduces the reference's seqeval reports (default and
# strict, every type and average, 1e-12; tests/gen/seqeval_port.py on the
# PyTorch reference's predictions, tests/fixtures/demo/expected_eval.json) and
# its predictions; the database reads back with Python's sqlite3 + numpy;
# `explainer report` agrees; runs are reused, added, and never damaged by a
# failed or interrupted run; bad input gives one located error line and writes
# nothing. With the argument "shared": the same reference checks over the
# whole CoNLL-2003 test split against seqeval's own numbers
# (conll03-bert-mini's expected_test.txt.json).
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
db=$tmp/run.db
if [ "$group" = shared ]; then
	need_shared data/conll2003/test.txt models/conll03-bert-mini/expected_test.txt.json
	data=$shared/data/conll2003/test.txt
	expected=$shared/models/conll03-bert-mini/expected_test.txt.json
	n_tokens=68653 # sub-tokens without [CLS]/[SEP]: Hugging Face's tokenizer (tests/tokparity)
else
	data=$src/demo/eval.conll
	expected=$src/tests/fixtures/demo/expected_eval.json
	n_tokens=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["tokens"])' "$expected")
fi
runs() { $PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from runs').fetchone()[0])" "$db"; }

# micro_line MODE: the "micro avg" row of the expected report, as seqeval prints it.
micro_line() {
	$PY - "$expected" "$1" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["seqeval"][sys.argv[2]]["micro avg"]
print("{:>12s}  {:>9.4f} {:>9.4f} {:>9.4f} {:>9}".format(
    "micro avg", m["precision"], m["recall"], m["f1-score"], int(m["support"])))
PY
}
micro_default=$(micro_line default)
micro_strict=$(micro_line strict)

if "$bin" run --model "$model" --data "$data" -o "$db" --threads 2 >"$tmp/report.txt" 2>"$tmp/err" &&
	grep -qxF "$micro_default" "$tmp/report.txt"; then
	ok "run on $(basename "$data") prints the reference's micro average (${micro_default##* avg })"
else
	bad "run on $data: $(cat "$tmp/report.txt" "$tmp/err" | head -20)"
fi
if [ "$group" = core ]; then
	$PY - "$expected" "$tmp/report.txt" <<'PY' && ok "the printed report is the reference's, digit for digit" || bad "printed report"
import json, sys
want = json.load(open(sys.argv[1]))["report"]["default"]
got = open(sys.argv[2]).read()
assert got.startswith(want + "\n"), got
PY
fi

$PY - "$db" "$data" "$expected" "$n_tokens" <<'PY' && ok "database read back with sqlite3 + numpy matches the reference" || bad "database read back"
import json, math, sqlite3, sys
import numpy as np
db, data, expected, n_tokens = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
exp = json.load(open(expected))
n_words = sum(len(x) for x in exp["predictions"])
n_entities = int(exp["seqeval"]["default"]["micro avg"]["support"])
c = sqlite3.connect(db)
run_id, summary, n_sent, words, hidden_size = c.execute(
    "select id, summary, n_sentences, n_words, hidden_size from runs").fetchone()
assert (n_sent, words, hidden_size) == (exp["sentences"], n_words, 256), (n_sent, words, hidden_size)
s = json.loads(summary)
for mode, key in (("default", "seqeval_default"), ("strict", "seqeval_strict")):
    want, got = exp["seqeval"][mode], s[key]
    assert set(want) == {k for k, v in got.items() if isinstance(v, dict)}, (mode, set(got))
    for row, vals in want.items():
        for m, v in vals.items():
            assert abs(got[row][m] - v) <= 1e-12 * max(1, abs(v)), (mode, row, m, got[row][m], v)
labels = [n for (n,) in c.execute("select name from labels where run_id=? order by id", (run_id,))]
pred = {}
for sid, idx, p in c.execute("select sentence_id, idx, pred from words where run_id=?", (run_id,)):
    pred[(sid, idx)] = labels[p]
assert n_words == len(pred)
for sid, sent in enumerate(exp["predictions"]):
    for idx, tag in enumerate(sent):
        assert pred[(sid, idx)] == tag, (sid, idx, pred[(sid, idx)], tag)
rows = c.execute("select w.probs, h.vec, prob_gold, loss, gold, pred, prob_pred from words w "
                 "join hidden h using (run_id, sentence_id, idx) where run_id=? limit 2000",
                 (run_id,)).fetchall()
assert c.execute("select count(*) from hidden where run_id=?", (run_id,)).fetchone()[0] == n_words
for probs, hidden, pg, loss, gold, p, pp in rows:
    pr = np.frombuffer(probs, dtype="<f4")
    h = np.frombuffer(hidden, dtype="<f4")
    assert pr.shape == (len(labels),) and h.shape == (256,)
    assert abs(pr.sum() - 1) < 1e-5 and abs(pr[gold] - pg) < 1e-6 and abs(pr[p] - pp) < 1e-6
    assert int(np.argmax(pr)) == p
    assert abs(loss + math.log(max(pg, 1e-30))) < 1e-3 * max(1, loss)
gold_entities = c.execute("select count(*) from entities where side='gold'").fetchone()[0]
assert gold_entities == n_entities, gold_entities
ign = c.execute("select count(*) from tokens where gold is null").fetchone()[0]
assert ign == n_tokens - n_words, (ign, n_tokens, n_words)
loss_sum = c.execute("select sum(loss) from words").fetchone()[0]
sent_loss = c.execute("select sum(loss) from sentences").fetchone()[0]
assert abs(loss_sum - sent_loss) < 1e-6 * loss_sum
print(f"seqeval default and strict reproduced exactly; {n_words} predictions identical")
PY

# The run keeps the report of the default options (text and JSON) as it ends:
# the first report prints it, and it is what --recompute computes from the
# rows, byte for byte (its intervals read from the stored entities a chunk
# of sentences at a time: XNR_CI_CHUNK_ROWS=7 gives the same bits).
if [ "$group" = core ]; then
	kept_default() { $PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from run_results where run_id = 1 and name like ?", ("% report " + sys.argv[2] + " top=10 seed=1 resamples=1000 level=0.95 bins=10",)).fetchone()[0])' "$1" "$2"; }
	XNR_CI_CHUNK_ROWS=7 "$bin" run --model "$model" --data "$data" -o "$tmp/chunks.db" -q
	good=1
	[ "$(kept_default "$db" text)" = 1 ] && [ "$(kept_default "$db" json)" = 1 ] && [ "$(kept_default "$tmp/chunks.db" text)" = 1 ] || good=0
	for f in "$db" "$tmp/chunks.db"; do
		"$bin" report "$f" >"$f.first.txt" && "$bin" report "$f" --json >"$f.first.json" &&
			"$bin" report "$f" --recompute >"$f.again.txt" && "$bin" report "$f" --json --recompute >"$f.again.json" &&
			cmp -s "$f.first.txt" "$f.again.txt" && cmp -s "$f.first.json" "$f.again.json" || good=0
	done
	cmp -s "$db.first.json" "$tmp/chunks.db.first.json" && grep -q "^F1 with 95% bootstrap intervals" "$db.first.txt" &&
		grep -q "^calibration" "$db.first.txt" || good=0
	[ $good = 1 ] && ok "the run keeps its report: what --recompute computes, text and JSON (intervals in chunks of 7 sentences too)" ||
		bad "the run's kept report: $(diff "$db.first.txt" "$db.again.txt" | head -5)"
fi

# explainer report: the stored run's metrics, as text and JSON.
if "$bin" report "$db" --run 1 >"$tmp/report1.txt" &&
	grep -qxF "$micro_default" "$tmp/report1.txt" && grep -qxF "$micro_strict" "$tmp/report1.txt" &&
	grep -q 'token confusion' "$tmp/report1.txt" && grep -q 'worst sentences' "$tmp/report1.txt"; then
	ok "report prints both seqeval reports, confusions and worst sentences"
else
	bad "report: $(head -30 "$tmp/report1.txt")"
fi
"$bin" report "$db" --run 1 --json --top 5 >"$tmp/report1.json"
$PY - "$tmp/report1.json" "$db" "$data" <<'PY' && ok "report --json agrees with the run's summary and the taxonomy adds up" || bad "report --json"
import json, sqlite3, sys
r = json.load(open(sys.argv[1]))
c = sqlite3.connect(sys.argv[2])
s = json.loads(c.execute("select summary from runs where id=1").fetchone()[0])
tags = [l.split()[-1] for l in open(sys.argv[3], encoding="utf-8")
        if l.strip() and not l.startswith("-DOCSTART-")]
n_gold = int(s["seqeval_default"]["micro avg"]["support"])
for mode in ("seqeval_default", "seqeval_strict"):
    for row, vals in s[mode].items():
        if isinstance(vals, dict):
            for m, v in vals.items():
                assert r[mode][row][m] == v, (mode, row, m)
tax = r["entity_errors"]
gold = sum(v["correct"] + v["wrong type"] + v["wrong boundary"] + v["wrong type and boundary"] + v["missed"] for v in tax.values())
assert gold == n_gold, (gold, n_gold)
assert r["nervaluate"]["strict"]["f1"] == r["seqeval_default"]["micro avg"]["f1-score"]
assert len(r["worst_sentences"]) == 5
assert sum(map(sum, r["confusion"]["counts"])) == len(tags)
mis = r["misclassified"]
assert mis[0]["count"] >= mis[-1]["count"] and all(m["gold"] != m["pred"] for m in mis)
labels = {g["key"]: g for g in r["loss_by"]["label"]}
assert sum(g["count"] for g in labels.values()) == len(tags)
assert labels["O"]["count"] == tags.count("O"), (labels["O"]["count"], tags.count("O"))
assert labels["B-ORG"]["median"] <= labels["B-ORG"]["mean"]
top = r["loss_by"]["word"][0]
want = c.execute("select count(*), sum(loss) from words where run_id=1 and text=?", (top["key"],)).fetchone()
assert want[0] == top["count"] and abs(want[1] - top["sum"]) < 1e-6 * want[1]
PY
# As a CI gate: a threshold just under the micro F1 passes, one above it fails.
read -r under over <<<"$($PY -c 'import json,math,sys; f = json.load(open(sys.argv[1]))["seqeval"]["default"]["micro avg"]["f1-score"]; print("%.2f %.2f" % (math.floor(f * 100) / 100, math.floor(f * 100) / 100 + 0.05))' "$expected")"
"$bin" report "$db" --run 1 --fail-under "$under" >/dev/null && ok "--fail-under $under passes" || bad "--fail-under $under"
expect_error "--fail-under $over fails (exit 3: a failed gate)" 3 "is below --fail-under ${over}00" "$bin" report "$db" --run 1 --fail-under "$over"
if [ "$group" = shared ]; then
	finish
	exit
fi

expect_error "report on a missing run" 1 "no run 99" "$bin" report "$db" --run 99
expect_error "report on a missing database" 1 "$tmp/none.db" "$bin" report "$tmp/none.db"

# The report is kept in the run's database (run_results) by the first report
# with these options and printed from there after (a run of a million
# sentences: one computation, then instant): the kept one is what prints
# (changed in the database, the change shows), --recompute computes it again,
# the label-issue section is read every time, and a gate keeps nothing.
kept() { $PY -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from run_results where run_id = 1 and name like ?", ("% report " + sys.argv[2] + " %",)).fetchone()[0])' "$db" "$1"; }
"$bin" report "$db" --run 1 >"$tmp/kept1.txt"
"$bin" report "$db" --run 1 --json --top 5 >"$tmp/kept1.json"
[ "$(kept text)" = 1 ] && [ "$(kept 'json top=5')" = 1 ] && cmp -s "$tmp/report1.txt" "$tmp/kept1.txt" &&
	cmp -s "$tmp/report1.json" "$tmp/kept1.json" &&
	ok "a second report prints the kept one, byte for byte the same (text and JSON)" ||
	bad "kept report: text $(kept text), json $(kept 'json top=5'); $(diff "$tmp/report1.txt" "$tmp/kept1.txt" | head -5)"
$PY - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("update run_results set value = replace(value, 'worst sentences by total loss', 'WORST KEPT') where run_id = 1 and name like '% report text %'")
c.commit()
PY
"$bin" report "$db" --run 1 | grep -q 'WORST KEPT' && ok "the kept report is what prints" || bad "the kept report is not read"
"$bin" report "$db" --run 1 --recompute >"$tmp/kept2.txt" && cmp -s "$tmp/report1.txt" "$tmp/kept2.txt" &&
	"$bin" report "$db" --run 1 | cmp -s "$tmp/report1.txt" - && ok "--recompute computes it again and keeps that" ||
	bad "--recompute: $(diff "$tmp/report1.txt" "$tmp/kept2.txt" | head -5)"
"$bin" issues "$db" --run 1 --top 0 >/dev/null 2>&1
"$bin" report "$db" --run 1 | grep -q '^label issues' && "$bin" report "$db" --run 1 --json --top 5 | grep -q '"label_issues"' &&
	ok "label issues scored after the report was kept show in it" || bad "label issues missing from a kept report"
"$bin" report "$db" --run 1 --fail-under 0.1 --top 3 >/dev/null
[ "$(kept 'text top=3')" = 0 ] && ok "a report with a gate is not kept" || bad "a gated report was kept"
# its loss tables come from the ones the run kept (run_results: "loss word" ...),
# not from reading every word again: changed in the database, the change shows
$PY - "$db" <<'PY'
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
name, value = c.execute("select name, value from run_results where run_id = 1 and name like '% loss label'").fetchone()
t = json.loads(value)
t["groups"] = [[g[0] + "-KEPT"] + g[1:] for g in t["groups"]]
c.execute("update run_results set value = ? where run_id = 1 and name = ?", (json.dumps(t), name))
c.commit()
PY
"$bin" report "$db" --run 1 --top 4 | grep -q -- '-KEPT' && ! "$bin" report "$db" --run 1 --top 4 --recompute | grep -q -- '-KEPT' &&
	ok "the report reads the loss tables the run kept (--recompute computes them)" || bad "the report's loss tables: not the kept ones"
if "$bin" run --model "$model" --data "$data" -o "$db" 2>/dev/null | grep -q "reusing"; then ok "same request reuses the run"; else bad "reuse"; fi
"$bin" run --model "$model" --data "$data" -o "$db" --sample 100 --seed 7 -q
"$bin" run --model "$model" --data "$src/tests/fixtures/data/mixed.conll" -o "$db" -q
[ "$(runs)" = 3 ] && ok "runs added to the same database" || bad "runs added: $(runs)"
$PY - "$db" <<'PY' && ok "--sample draws 100 sentences, in dataset order" || bad "--sample"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("select source_line from sentences where run_id = 2 order by id").fetchall()
lines = [r[0] for r in rows]
assert len(lines) == 100 and lines == sorted(lines) and len(set(lines)) == 100
PY

# Bad input: one error line, non-zero exit, and the database is left as it was.
printf 'EU B-ORG\nrejects O\n\nGerman B-MISC extra\n' >"$tmp/ragged.conll"
expect_error "ragged CoNLL line" 1 "ragged.conll:4:" "$bin" run --model "$model" --data "$tmp/ragged.conll" -o "$db"
expect_error "an encoder without a token-classification head" 1 "has no token-classification head" "$bin" run --model "$src/tests/fixtures/models/sentence_bert" --data "$data" -o "$tmp/encoder.db"
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
mkdir -p "$tmp/splits"; ln -sf "$data" "$tmp/splits/test.txt"
expect_error "missing split" 1 "train" "$bin" run --model "$model" --data "$tmp/splits" --split train -o "$db"
expect_error "missing --output" 2 "--output" "$bin" run --model "$model" --data "$data"
[ "$(runs)" = 4 ] && ok "failed runs left the database as it was" || bad "runs after failures: $(runs)"

# A run killed in the middle (a crash; background jobs of a script ignore
# SIGINT, so SIGKILL stands in for Ctrl-C) leaves the earlier runs intact. The
# data: demo/eval.conll 40 times over (13,760 sentences), far more than 2 s.
long_conll "$tmp/long.conll" 40
"$bin" run --model "$model" --data "$tmp/long.conll" -o "$db" -q --threads 1 &
pid=$!
sleep 2
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
# A run writes in pieces: on a fast machine its first pieces may be committed
# before the kill; such a run keeps its writer's name (docs/schema.md), readers
# skip it and the next writer removes it.
$PY - "$db" <<'PY' && ok "an interrupted run leaves the earlier runs intact" || bad "interrupted run"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("pragma integrity_check").fetchone()[0] == "ok"
assert c.execute("select count(*) from runs where writer is null").fetchone()[0] == 4
assert c.execute("select count(*) from runs where writer is not null").fetchone()[0] <= 1
assert c.execute("select count(*) from words where run_id not in (select id from runs)").fetchone()[0] == 0
PY
[ "$("$bin" runs "$db" | grep -c '^ *[0-9]')" = 4 ] && ok "explainer runs lists the four finished runs" ||
	bad "explainer runs after the interrupted run: $("$bin" runs "$db")"
"$bin" run --model "$model" --data "$data" -o "$db" --sample 20 --seed 3 -q
[ "$(runs)" = 5 ] && ok "the next run removes the interrupted one's pieces" || bad "runs after the next run: $(runs)"

finish
