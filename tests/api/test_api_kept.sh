#!/usr/bin/env bash
# test_api_kept.sh - results computed from a whole run are kept in its
# database (run_results, schema 6): `explainer run` keeps the metrics, the
# three loss tables, the misclassified pairs, the calibration and its report
# as it finishes (counted as it goes, read back in bounded
# memory: pipeline/keep.c), byte for byte what a server computes from the
# run's view when they are not there; the first server that answers the
# Metrics, Misclassified and Loss pages writes the rest, a second server
# answers from them byte for byte the same, and a row changed by hand in the
# table is what the next server answers (proof it reads the table, not the run).
set -u
. "$(dirname "$0")/lib.sh"
demo_run
paths="metrics confusions calibration loss/labels loss/words?by=word&limit=5 loss/words?by=token&limit=5"
# kept_rows DB: the six results of the app a run keeps, "name value" a line each
kept_rows() { $PY -c 'import sqlite3,sys
for n, v in sqlite3.connect(sys.argv[1]).execute("select name, value from run_results where run_id = 1 order by name"):
    if n.split(" ", 1)[1] in ("metrics", "loss word", "loss token", "loss label", "confusions", "calibration"):
        print(n, v if isinstance(v, str) else v.decode())' "$1"; }

kept_rows "$tmp/run.db" >"$tmp/kept-by-run"
echo '{}' >"$tmp/body"
check "the run keeps its metrics, loss tables, misclassified pairs, calibration and report" '
names = sorted(n.split(" ", 1)[1] for (n,) in db.execute("select name from run_results where run_id = 1"))
assert names == ["calibration", "confusions", "loss label", "loss token", "loss word", "metrics",
                 "report json top=10 seed=1 resamples=1000 level=0.95 bins=10",
                 "report text top=10 seed=1 resamples=1000 level=0.95 bins=10"], names
m = json.loads(db.execute("select value from run_results where name like ? and run_id = 1", ("% metrics",)).fetchone()[0])
assert m["run"] == 1 and m["seqeval_default"]["micro avg"]["support"] == 688, m["seqeval_default"]["micro avg"]'
# the same computed by a server from the run's words
cp "$tmp/run.db" "$tmp/bare.db"
$PY -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); c.execute("delete from run_results"); c.commit()' "$tmp/bare.db"
start_server "$tmp/bare.db"
for p in $paths; do expect_status 200 "/api/v1/runs/1/$p"; done
stop_server
kept_rows "$tmp/bare.db" >"$tmp/kept-by-server"
if [ -s "$tmp/kept-by-server" ] && cmp -s "$tmp/kept-by-run" "$tmp/kept-by-server"; then
	ok
else
	bad "the run's kept results differ from the server's: $(diff "$tmp/kept-by-run" "$tmp/kept-by-server" | head -c 600)"
fi

start_server "$tmp/run.db"
for p in $paths; do
	expect_status 200 "/api/v1/runs/1/$p" && cp "$tmp/body" "$tmp/first-${p//[\/?&=]/_}"
done
stop_server
check "kept: the run's results (the cells only when a drill asks: they need the view)" '
names = sorted(n.split(" ", 1)[1] for (n,) in db.execute("select name from run_results where run_id = 1"))
assert names == ["calibration", "confusions", "loss label", "loss token", "loss word", "metrics",
                 "report json top=10 seed=1 resamples=1000 level=0.95 bins=10",
                 "report text top=10 seed=1 resamples=1000 level=0.95 bins=10"], names'

start_server "$tmp/run.db"
for p in $paths; do
	expect_status 200 "/api/v1/runs/1/$p" &&
		if cmp -s "$tmp/body" "$tmp/first-${p//[\/?&=]/_}"; then ok; else bad "second server, $p: another answer"; fi
done
stop_server

$PY - "$tmp/run.db" <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
name, value = db.execute("select name, value from run_results where run_id = 1 and name like '% metrics'").fetchone()
m = json.loads(value)
m["kept"] = True
db.execute("update run_results set value = ? where run_id = 1 and name = ?", (json.dumps(m), name))
db.commit()
PYEOF
start_server "$tmp/run.db"
expect_status 200 "/api/v1/runs/1/metrics" && check "a third server reads the kept metrics" '
assert body.get("kept") is True, sorted(body)'
stop_server
finish
