#!/usr/bin/env bash
# test_cli_runs.sh - `explainer runs RUN.db` lists a database's runs (table
# and JSON lines, checked against the database with sqlite3), says so when
# there is none, and fails with one line on a missing database; `explainer
# serve` of a missing database says what is wrong and how to make it, and
# makes nothing; the top-level help calls serve the web app.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
data=$src/demo/eval.conll

"$bin" run --model "$model" --data "$data" -o "$tmp/run.db" -q --limit 7 || die "first run"
"$bin" run --model "$model" --data "$data" -o "$tmp/run.db" -q --sample 5 --seed 3 || die "second run"

"$bin" runs "$tmp/run.db" >"$tmp/out" 2>"$tmp/err" && ok "runs: exit 0" || bad "runs failed: $(cat "$tmp/err")"
$PY - "$tmp/out" "$tmp/run.db" <<'PY' && ok "runs: the table of the database's runs" || bad "runs table: $(cat "$tmp/out")"
import sqlite3, sys, json
lines = open(sys.argv[1]).read().splitlines()
db = sqlite3.connect(sys.argv[2])
rows = db.execute("select id, created_at, n_sentences, n_words, summary from runs order by id").fetchall()
assert lines[0].split() == ["id", "created", "(UTC)", "model", "data", "split", "sentences", "words", "micro", "F1"], lines[0]
assert len(lines) == 1 + len(rows) == 3, lines
for line, (rid, created, ns, nw, summary) in zip(lines[1:], rows):
    f = line.split()
    f1 = json.loads(summary)["seqeval_default"]["micro avg"]["f1-score"]
    assert f[0] == str(rid) and f[1] == created[:10] and f[2] == created[11:19], (f, created)
    assert f[3] == "demo/model" and f[4] == "demo/eval.conll" and f[5] == "-", f
    assert (f[6], f[7], f[8]) == (str(ns), str(nw), "%.4f" % f1), (f, ns, nw, f1)
PY

"$bin" runs "$tmp/run.db" --json >"$tmp/out" && $PY - "$tmp/out" "$tmp/run.db" <<'PY' && ok "runs --json: a JSON line per run" || bad "runs --json: $(cat "$tmp/out")"
import json, sqlite3, sys
got = [json.loads(l) for l in open(sys.argv[1])]
db = sqlite3.connect(sys.argv[2])
rows = db.execute("select id, model_path, data_path, n_sentences, n_tokens from runs order by id").fetchall()
assert [(r["id"], r["model_path"], r["data_path"], r["n_sentences"], r["n_tokens"]) for r in got] == rows, (got, rows)
assert all(0 < r["micro_f1"] < 1 and r["split"] is None and r["created_at"].endswith("Z") for r in got), got
PY

cp "$tmp/run.db" "$tmp/empty.db"
$PY -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("pragma foreign_keys = on"); c.execute("delete from runs"); c.commit()' "$tmp/empty.db"
out=$("$bin" runs "$tmp/empty.db")
[ "$out" = "$tmp/empty.db holds no run yet (explainer run --model DIR --data FILE -o $tmp/empty.db adds one)" ] &&
	ok "runs: a database without runs" || bad "empty database: $out"

expect_error "runs: a missing database" 1 "missing.db: no such run database (explainer run --model DIR --data FILE -o" "$bin" runs "$tmp/missing.db"
expect_error "runs: no database named" 2 "give one run database" "$bin" runs
"$bin" runs --help | grep -q '^usage: explainer runs RUN.db' && ok "runs --help" || bad "runs --help"

expect_error "serve: a missing database" 1 "missing.db: no such run database (make one with explainer run --model DIR --data FILE -o" "$bin" serve "$tmp/missing.db" --port 0
grep -q "or have serve make it: explainer serve $tmp/missing.db --model DIR --data FILE" "$tmp/err" && ok "serve says how to have it made" || bad "serve's message: $(cat "$tmp/err")"
[ ! -e "$tmp/missing.db" ] && ok "serve made no file" || bad "serve made $tmp/missing.db"

"$bin" --help >"$tmp/out"
grep -q '^  serve      the web app' "$tmp/out" && grep -q '^  runs       the runs stored in a run database' "$tmp/out" &&
	ok "the help calls serve the web app and lists runs" || bad "help: $(cat "$tmp/out")"
finish
