#!/usr/bin/env bash
# test_api_kept.sh - results computed from a whole run are kept in its
# database (run_results, schema 6): the first server that answers the
# Metrics, Misclassified and Loss pages writes them, a second server answers
# from them byte for byte the same, and a row changed by hand in the table
# is what the next server answers (proof it reads the table, not the run).
set -u
. "$(dirname "$0")/lib.sh"
demo_run
paths="metrics confusions loss/labels loss/words?by=word&limit=5 loss/words?by=token&limit=5"

start_server "$tmp/run.db"
for p in $paths; do
	expect_status 200 "/api/v1/runs/1/$p" && cp "$tmp/body" "$tmp/first-${p//[\/?&=]/_}"
done
stop_server
check "kept: metrics, cells, confusions, loss tables" '
names = sorted(n.split(" ", 1)[1] for (n,) in db.execute("select name from run_results where run_id = 1"))
assert names == ["confusions", "loss label", "loss token", "loss word", "metrics", "metrics cells"], names'

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
