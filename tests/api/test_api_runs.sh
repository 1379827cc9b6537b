#!/usr/bin/env bash
# test_api_runs.sh - the JSON API end to end: builds a run database from the
# demo model, starts the real `explainer serve` on 127.0.0.1 (free port),
# checks every endpoint against the database and every error case, that a
# client leaving mid-response does not hurt the server, and a clean SIGTERM.
set -u
. "$(dirname "$0")/lib.sh"
demo_run
start_server "$tmp/run.db"

# headers
curl -s "${auth[@]}" -D "$tmp/headers" -o /dev/null "$base/api/v1/runs"
if grep -qi '^content-type: application/json; charset=utf-8' "$tmp/headers" &&
	grep -qi '^cache-control: no-store' "$tmp/headers"; then ok; else bad "API headers"; fi

expect_status 200 /api/v1 && check "index" '
assert body["version"] and "GET /api/v1/runs/{id}/sentences" in body["endpoints"], body'

expect_status 200 /api/v1/runs && check "runs list" '
rows = db.execute("select id, n_sentences, n_words, model_arch, summary from runs order by id").fetchall()
assert [r["id"] for r in body["items"]] == [r[0] for r in rows]
it = body["items"][0]
assert it["n_sentences"] == rows[0][1] and it["n_words"] == rows[0][2] and it["model_arch"] == rows[0][3]
f1 = json.loads(rows[0][4])["seqeval_default"]["micro avg"]["f1-score"]
assert abs(it["micro_f1"] - f1) < 1e-12, (it["micro_f1"], f1)'

expect_status 200 /api/v1/runs/1 && check "one run" '
assert isinstance(body["options"], dict) and isinstance(body["summary"], dict)
names = [n for (n,) in db.execute("select name from labels where run_id=1 order by id")]
assert body["labels"] == names, body["labels"]
assert body["summary"]["seqeval_default"]["micro avg"]["support"] > 0'

expect_status 200 '/api/v1/runs/1/sentences' && check "sentences default: loss desc, 50" '
rows = db.execute("select id from sentences where run_id=1 order by loss desc, id limit 50").fetchall()
assert [i["id"] for i in body["items"]] == [r[0] for r in rows]
assert body["total"] == db.execute("select count(*) from sentences where run_id=1").fetchone()[0]
assert set(body["items"][0]) == {"id","doc_id","text","loss","n_word_errors","n_entity_errors"}'

expect_status 200 '/api/v1/runs/1/sentences?sort=id&order=asc&limit=7&offset=20' && check "sort id asc page" '
assert [i["id"] for i in body["items"]] == list(range(20, 27)), body["items"]'

expect_status 200 '/api/v1/runs/1/sentences?sort=errors&limit=1000' && check "sort errors" '
rows = db.execute("select id from sentences where run_id=1 order by n_word_errors desc, n_entity_errors desc, loss desc, id limit 1000").fetchall()
assert [i["id"] for i in body["items"]] == [r[0] for r in rows]'

expect_status 200 '/api/v1/runs/1/sentences?skip_correct=1&min_loss=2.5&sort=loss&order=asc&limit=1000' && check "skip_correct + min_loss" '
rows = db.execute("select id from sentences where run_id=1 and n_word_errors > 0 and loss >= 2.5 order by loss asc, id").fetchall()
assert body["total"] == len(rows) > 0
assert [i["id"] for i in body["items"]] == [r[0] for r in rows]
assert all(i["n_word_errors"] > 0 for i in body["items"])'

sid=$($PY -c "import sqlite3; print(sqlite3.connect('$tmp/run.db').execute('select id from sentences where run_id=1 and n_word_errors>0 order by id limit 1').fetchone()[0])")
expect_status 200 "/api/v1/runs/1/sentences/$sid" && check "one sentence" "
sid = $sid"'
lab = dict(db.execute("select id, name from labels where run_id=1"))
words = db.execute("select text, gold, pred, loss from words where run_id=1 and sentence_id=? order by idx", (sid,)).fetchall()
assert [w["text"] for w in body["words"]] == [w[0] for w in words]
assert [w["gold"] for w in body["words"]] == [lab[w[0+1]] for w in words]
assert [w["pred"] for w in body["words"]] == [lab[w[2]] for w in words]
toks = db.execute("select text, word_idx, is_first, gold from tokens where run_id=1 and sentence_id=? order by idx", (sid,)).fetchall()
assert [(t["text"], t["word_idx"], t["is_first"]) for t in body["tokens"]] == [t[:3] for t in toks]
assert all((t["gold"] is None) == (t["is_first"] == 0) for t in body["tokens"])
for side in ("gold", "pred"):
    ents = db.execute("select start, end, type from entities where run_id=1 and sentence_id=? and side=? order by start, end", (sid, side)).fetchall()
    assert [(e["start"], e["end"], e["type"]) for e in body["entities"][side]] == ents
assert body["n_word_errors"] > 0 and all(k in body["words"][0] for k in ("prob_pred","prob_gold","loss","entropy"))
import struct
for table, rows in (("words", body["words"]), ("tokens", body["tokens"])):
    blobs = db.execute(f"select probs from {table} where run_id=1 and sentence_id=? order by idx", (sid,)).fetchall()
    assert len(blobs) == len(rows)
    for (blob,), r in zip(blobs, rows):
        p = struct.unpack(f"<{len(blob) // 4}f", blob)
        want = sorted(range(len(p)), key=lambda k: (-p[k], k))[:3]
        assert [t["label"] for t in r["top"]] == [lab[k] for k in want], (r, p)
        assert all(abs(t["p"] - p[k]) < 1e-6 for t, k in zip(r["top"], want)), (r, p)
        assert r["top"][0]["p"] >= r["top"][1]["p"] >= r["top"][2]["p"]
assert all(w["top"][0]["label"] == w["pred"] for w in body["words"])'

# errors
expect_status 404 /api/v1/runs/999
expect_status 404 /api/v1/runs/999/sentences
expect_status 404 /api/v1/runs/1/sentences/999999
expect_status 404 /api/v1/runs/abc
expect_status 404 /api/v1/nothing
expect_status 404 /api/v2
for q in limit=0 limit=1001 limit=abc limit=-1 limit=1.5 offset=-1 offset=x min_loss=nan \
	min_loss=inf min_loss=0x10 sort=bogus order=up skip_correct=2 bogus=1 'limit=1&limit=2' \
	'limit' 'limit=%zz' 'limit=5&'; do
	expect_status 400 "/api/v1/runs/1/sentences?$q"
done
for q in limit=abc sort=bogus bogus=1; do
	name=${q%%=*}
	get "$base/api/v1/runs/1/sentences?$q" >/dev/null
	if grep -q "$name" "$tmp/body"; then ok; else bad "400 for $q does not name $name"; fi
done
expect_status 400 /api/v1/runs?x=1
expect_status 400 /api/v1/../etc/passwd
expect_status 400 /api/v1/runs/%31
expect_status 400 '/api/v1/runs/1;x'
expect_status 405 /api/v1/runs/1 -X POST
expect_status 405 /api/v1/runs/1 -X DELETE
head -c 70000 /dev/zero >"$tmp/big"
expect_status 413 /api/v1/runs -H 'Content-Type: application/json' --data-binary "@$tmp/big"
expect_status 413 /api/v1/runs -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary "@$tmp/big"
head -c 100 /dev/zero >"$tmp/small"
expect_status 405 /api/v1/runs/1 --data-binary "@$tmp/small"

# Only 127.0.0.1: the listening socket of the server is bound to the loopback address.
if ss -ltnp 2>/dev/null | grep -q "pid=$pid,"; then
	if ss -ltnp | grep "pid=$pid," | awk '{print $4}' | grep -qx "127.0.0.1:$port"; then ok; else
		bad "listens on $(ss -ltnp | grep "pid=$pid," | awk '{print $4}')"
	fi
else
	addr=$($PY - "$port" <<'PYEOF'
import sys
port = int(sys.argv[1])
for line in open("/proc/net/tcp").readlines()[1:]:
    f = line.split()
    a, p = f[1].split(":")
    if int(p, 16) == port and f[3] == "0A":
        print(a)
PYEOF
)
	if [ "$addr" = "0100007F" ]; then ok; else bad "listening address $addr, want 127.0.0.1"; fi
fi

# A client that leaves mid-response (tiny timeout; a raw socket that sends and closes).
for _ in 1 2 3 4 5; do
	curl -s "${auth[@]}" --max-time 0.01 -o /dev/null "$base/api/v1/runs/1/sentences?limit=1000&sort=id" || true
done
$PY - "$port" <<'PYEOF'
import socket, sys
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /api/v1/runs/1/sentences?limit=1000 HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()
PYEOF
expect_status 200 '/api/v1/runs/1/sentences?limit=1000' && check "alive after disconnects" '
assert len(body["items"]) == min(1000, body["total"])'

# parallel requests
for i in $(seq 1 16); do
	curl -s "${auth[@]}" -o /dev/null -w '%{http_code}\n' "$base/api/v1/runs/1/sentences/$((i % 5))" &
done >"$tmp/par"
wait_clients
if [ "$(grep -c '^200$' "$tmp/par")" = 16 ]; then ok; else bad "parallel requests: $(sort "$tmp/par" | uniq -c)"; fi

# SIGTERM: clean exit 0
stop_server
if [ "$rc" = 0 ]; then ok; else
	bad "SIGTERM: exit status '$rc', want 0"
	cat "$err"
fi
check_sanitizer

# bad usage
"$XNR_BIN" serve "$tmp/missing.db" --port 0 >/dev/null 2>&1
[ $? = 1 ] && ok || bad "serve on a missing database should exit 1"
"$XNR_BIN" serve "$tmp/run.db" --port 70000 >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--port 70000 should be a usage error"
"$XNR_BIN" serve "$tmp/run.db" --port 0 --host nohost >/dev/null 2>&1
[ $? = 1 ] && ok || bad "--host nohost should fail"

finish
