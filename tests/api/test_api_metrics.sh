#!/usr/bin/env bash
# test_api_metrics.sh - the Metrics, Misclassified and Loss pages' API end to
# end (docs/api.md) and the sentences filters they and other pages
# use: builds a run database from the demo model, starts the real `explainer
# serve` on 127.0.0.1, checks the numbers against `explainer report --json`
# on the same database and against SQL, paging, filters and every error case.
# With /tmp/conll_test.db (a full CoNLL-2003 test run; XNR_CONLL_DB to change)
# it also prints each endpoint's time there, first (computing) and second
# (cached) request.
set -u
. "$(dirname "$0")/lib.sh"
demo_run
start_server "$tmp/run.db"

"$XNR_BIN" report "$tmp/run.db" --json >"$tmp/report.json" || bad "explainer report --json failed"
R=/api/v1/runs/1

# ---- metrics: the report's numbers, exactly ----
expect_status 200 $R/metrics && check "metrics = explainer report --json" '
for k in ("seqeval_default", "seqeval_strict", "confusion", "entity_errors", "nervaluate", "scheme"):
    assert body[k] == rep[k], k
assert body["seqeval_default"]["micro avg"]["f1-score"] == rep["seqeval_default"]["micro avg"]["f1-score"]
assert body["seqeval_default"]["PER"]["support"] == rep["seqeval_default"]["PER"]["support"] > 0
gold = db.execute("select count(*) from entities where run_id=1 and side=\"gold\" and type=\"PER\"").fetchone()[0]
assert body["seqeval_default"]["PER"]["support"] == gold
lab = [n for (n,) in db.execute("select name from labels where run_id=1 order by id")]
assert body["confusion"]["labels"] == lab
n = db.execute("select count(*) from words where run_id=1").fetchone()[0]
assert sum(map(sum, body["confusion"]["counts"])) == n
for g, p, c in db.execute("select gold, pred, count(*) from words where run_id=1 group by gold, pred"):
    assert body["confusion"]["counts"][g][p] == c, (g, p, c)'
cp "$tmp/body" "$tmp/metrics1"
expect_status 200 $R/metrics && if cmp -s "$tmp/body" "$tmp/metrics1"; then ok; else bad "cached metrics differ"; fi

# ---- taxonomy cells ----
expect_status 200 "$R/metrics/examples?type=PER&kind=correct" && check "examples: correct PER" '
ids = body["ids"]
assert body["total"] == len(ids) > 0 and ids == sorted(set(ids)), body
for sid in ids:
    g = set(db.execute("select start, end from entities where run_id=1 and sentence_id=? and side=\"gold\" and type=\"PER\"", (sid,)))
    p = set(db.execute("select start, end from entities where run_id=1 and sentence_id=? and side=\"pred\" and type=\"PER\"", (sid,)))
    assert g & p, sid
want = {s for (s,) in db.execute("select g.sentence_id from entities g join entities p on p.run_id=g.run_id and p.sentence_id=g.sentence_id and p.start=g.start and p.end=g.end and p.type=g.type and p.side=\"pred\" where g.run_id=1 and g.side=\"gold\" and g.type=\"PER\"")}
assert set(ids) == want'
for kind in type boundary type_boundary missed spurious; do
	expect_status 200 "$R/metrics/examples?type=ORG&kind=$kind" && check "examples: $kind ORG" "
kind = '$kind'"'
names = {"type": "wrong type", "boundary": "wrong boundary", "type_boundary": "wrong type and boundary", "missed": "missed", "spurious": "spurious"}
n = rep["entity_errors"]["ORG"][names[kind]]
assert body["kind"] == kind and body["total"] == len(body["ids"])
assert (n == 0) == (body["total"] == 0) and body["total"] <= n, (n, body["total"])
side = "pred" if kind == "spurious" else "gold"
for sid in body["ids"]:
    assert db.execute("select count(*) from entities where run_id=1 and sentence_id=? and side=? and type=\"ORG\"", (sid, side)).fetchone()[0] > 0, sid'
done

# ---- confusions ----
expect_status 200 $R/confusions && check "confusions = report misclassified" '
items = body["items"]
assert body["total"] == len(items) > 10
top = [(i["gold"], i["pred"], i["count"], " ".join(w["text"] for w in i["words"])) for i in items[:len(rep["misclassified"])]]
assert top == [(m["gold"], m["pred"], m["count"], m["words"]) for m in rep["misclassified"]], top
lab = dict(db.execute("select id, name from labels where run_id=1"))
sql = {(lab[g], lab[p]): c for g, p, c in db.execute("select gold, pred, count(*) from words where run_id=1 and gold != pred group by gold, pred")}
assert {(i["gold"], i["pred"]): i["count"] for i in items} == sql
assert [i["count"] for i in items] == sorted((i["count"] for i in items), reverse=True)
assert all(len(i["words"]) <= 5 for i in items)'
expect_status 200 "$R/confusions?top_words=0" && check "confusions top_words=0" '
assert all(i["words"] == [] for i in body["items"]) and body["total"] > 10'
expect_status 200 "$R/confusions?top_words=50" && check "confusions top_words=50" '
i = body["items"][0]
assert sum(w["count"] for w in i["words"]) == i["count"] or len(i["words"]) == 50'

# ---- loss by word and sub-token ----
expect_status 200 "$R/loss/words?limit=10" && check "loss by word = report" '
assert body["by"] == "word" and body["sort"] == "sum" and body["order"] == "desc"
assert [(i["text"], i["count"], i["mean"], i["median"], i["sum"]) for i in body["items"]] == \
       [(g["key"], g["count"], g["mean"], g["median"], g["sum"]) for g in rep["loss_by"]["word"]]
assert body["total"] == db.execute("select count(distinct text) from words where run_id=1 and loss is not null").fetchone()[0]'
expect_status 200 "$R/loss/words?by=token&limit=10" && check "loss by sub-token = report" '
assert body["by"] == "sub-token"
assert [(i["text"], i["count"], i["sum"]) for i in body["items"]] == \
       [(g["key"], g["count"], g["sum"]) for g in rep["loss_by"]["sub-token"]]
assert body["total"] == db.execute("select count(distinct text) from tokens where run_id=1 and is_first=1 and loss is not null").fetchone()[0]'
get "$base$R/loss/words?limit=100" >/dev/null && cp "$tmp/body" "$tmp/p100"
expect_status 200 "$R/loss/words?limit=50&offset=50" && check "loss paging" "
p100 = json.load(open('$tmp/p100'))"'
assert body["items"] == p100["items"][50:] and body["offset"] == 50 and body["total"] == p100["total"]'
for s in sum mean median count; do
	expect_status 200 "$R/loss/words?sort=$s&order=asc&limit=1000" && check "loss sort=$s asc" "
key = '$s'"'
v = [(i[key], i["text"]) for i in body["items"]]
assert v == sorted(v), key'
done
expect_status 200 "$R/loss/words?sort=text&limit=1000" && check "loss sort=text: A to Z by default" '
assert body["order"] == "asc" and body["sort"] == "text"
t = [i["text"].encode() for i in body["items"]]
assert t == sorted(t)'
expect_status 200 "$R/loss/words?q=ER&limit=1000&sort=count" && check "loss q filter" '
want = {t for (t,) in db.execute("select distinct text from words where run_id=1 and loss is not null") if "er" in t.lower()}
assert body["total"] == len(want) > 0 and {i["text"] for i in body["items"]} == want'
expect_status 200 "$R/loss/words?q=zzzzqqq" && check "loss q matching nothing" '
assert body["total"] == 0 and body["items"] == []'
expect_status 200 "$R/loss/words?offset=100000" && check "loss offset past the end" '
assert body["items"] == [] and body["total"] > 0'

# ---- loss by label ----
expect_status 200 $R/loss/labels && check "loss by label" '
import statistics
items = body["items"]
assert [i["mean"] for i in items] == sorted((i["mean"] for i in items), reverse=True)
assert "mean and median" in body["hint"]
by = {g["key"]: g for g in rep["loss_by"]["label"]}
lab = dict(db.execute("select id, name from labels where run_id=1"))
for i in items:
    assert (i["count"], i["mean"], i["median"], i["sum"]) == tuple(by[i["text"]][k] for k in ("count", "mean", "median", "sum"))
    l = [x for (x,) in db.execute("select loss from words where run_id=1 and loss is not null and gold=(select id from labels where run_id=1 and name=?)", (i["text"],))]
    assert i["count"] == len(l) and abs(i["median"] - statistics.median(l)) < 1e-12 and abs(i["mean"] - sum(l) / len(l)) < 1e-9'

# ---- calibration: the report's, exactly ----
expect_status 200 $R/calibration && check "calibration = explainer report --json" '
assert body == rep["calibration"] and body["bins"] == 10
assert body["word"]["all"]["n"] == db.execute("select count(prob_pred) from words where run_id=1").fetchone()[0]'
"$XNR_BIN" report "$tmp/run.db" --json --bins 4 --resamples 0 >"$tmp/report4.json" || bad "report --bins 4"
expect_status 200 "$R/calibration?bins=4" && check "calibration?bins=4 = report --bins 4" '
assert body == json.load(open("'"$tmp/report4.json"'"))["calibration"] and body["bins"] == 4'
expect_status 400 "$R/calibration?bins=0"
expect_status 400 "$R/calibration?bins=101"
expect_status 404 /api/v1/runs/99/calibration

# ---- sentences: words, gold/pred, ids, random ----
expect_status 200 "$R/sentences?words=1&limit=5" && check "sentences words=1" '
lab = dict(db.execute("select id, name from labels where run_id=1"))
for it in body["items"]:
    w = db.execute("select idx, text, gold, pred, prob_pred, loss from words where run_id=1 and sentence_id=? order by idx", (it["id"],)).fetchall()
    assert [(x["idx"], x["text"], x["gold"], x["pred"], x["prob_pred"], x["loss"]) for x in it["words"]] == \
           [(a, b, lab[c], lab[d], e, f) for a, b, c, d, e, f in w], it["id"]'
expect_status 200 "$R/sentences?gold=B-ORG&pred=O&limit=1000&sort=id&order=asc" && check "sentences gold+pred" '
want = [s for (s,) in db.execute("select distinct sentence_id from words where run_id=1 and gold=(select id from labels where run_id=1 and name=\"B-ORG\") and pred=0 order by 1")]
assert body["total"] == len(want) > 0 and [i["id"] for i in body["items"]] == want'
expect_status 200 "$R/sentences?gold=B-PER&pred=B-PER&limit=3&words=1" && check "sentences on a diagonal cell" '
assert body["total"] > 0 and all(any(w["gold"] == w["pred"] == "B-PER" for w in i["words"]) for i in body["items"])'
expect_status 200 "$R/sentences?pred=I-MISC&limit=1000&skip_correct=1" && check "sentences pred only + skip_correct" '
want = {s for (s,) in db.execute("select distinct w.sentence_id from words w join sentences s on s.run_id=w.run_id and s.id=w.sentence_id where w.run_id=1 and s.n_word_errors>0 and w.pred=(select id from labels where run_id=1 and name=\"I-MISC\")")}
assert body["total"] == len(want) and {i["id"] for i in body["items"]} == want'
expect_status 200 "$R/sentences?ids=42,3,17,99999&sort=id&order=asc&words=1" && check "sentences ids" '
assert [i["id"] for i in body["items"]] == [3, 17, 42] and body["total"] == 3
assert all(len(i["words"]) > 0 for i in body["items"])'
expect_status 200 "$R/sentences?sort=random&seed=7&limit=1000" && cp "$tmp/body" "$tmp/r7" && check "sentences random: a permutation" '
n = db.execute("select count(*) from sentences where run_id=1").fetchone()[0]
ids = [i["id"] for i in body["items"]]
assert sorted(ids) == list(range(n)) and ids != sorted(ids)'
expect_status 200 "$R/sentences?sort=random&seed=7&limit=1000" && if cmp -s "$tmp/body" "$tmp/r7"; then ok; else bad "same seed, other order"; fi
expect_status 200 "$R/sentences?sort=random&seed=8&limit=10" && check "sentences random: another seed, another order" "
r7 = json.load(open('$tmp/r7'))"'
assert [i["id"] for i in body["items"]] != [i["id"] for i in r7["items"][:10]]'
expect_status 200 "$R/sentences?sort=random&seed=7&limit=10&offset=10" && check "sentences random paging" "
r7 = json.load(open('$tmp/r7'))"'
assert [i["id"] for i in body["items"]] == [i["id"] for i in r7["items"][10:20]]'
# an unfiltered page is read by its positions' ids, a filtered list sorted in
# SQL: the same order, the filtered one a subsequence of the whole
expect_status 200 "$R/sentences?sort=random&seed=7&limit=1000&skip_correct=1&min_loss=0.05" && check "sentences random filtered: the same order" "
r7 = json.load(open('$tmp/r7'))"'
ids = [i["id"] for i in body["items"]]
keep = set(ids)
assert len(ids) > 10 and ids == [i["id"] for i in r7["items"] if i["id"] in keep]'
expect_status 200 "$R/sentences?sort=random&seed=7&offset=340&limit=10" && check "sentences random: the last page, then none" "
r7 = json.load(open('$tmp/r7'))"'
assert [i["id"] for i in body["items"]] == [i["id"] for i in r7["items"][340:350]] and body["total"] == len(r7["items"])'
expect_status 200 "$R/sentences?sort=random&seed=7&offset=5000&limit=10" && check "sentences random: past the end" '
assert body["items"] == []'

# POST: ids in a JSON body, up to 1000 (more than a query string holds)
$PY -c "import json; print(json.dumps({'ids': list(range(1000))[::-1]}))" >"$tmp/ids1000"
expect_status 200 "$R/sentences?sort=id&order=asc&limit=1000&words=1" -X POST -H 'Content-Type: application/json' \
	--data-binary "@$tmp/ids1000" && check "POST sentences ids" '
n = db.execute("select count(*) from sentences where run_id=1").fetchone()[0]
assert body["total"] == min(n, 1000) and [i["id"] for i in body["items"]] == list(range(min(n, 1000)))
assert all("words" in i for i in body["items"])'
$PY -c "import json; print(json.dumps({'ids': list(range(1001))}))" >"$tmp/ids1001"
for b in "@$tmp/ids1001" '{"ids": [1, -2]}' '{"ids": [1.5]}' '{"ids": "1,2"}' '{"ids": [1], "x": 1}' '[1, 2]' '{}'; do
	expect_status 400 "$R/sentences" -X POST -H 'Content-Type: application/json' --data-binary "$b"
done
expect_status 400 "$R/sentences?ids=1" -X POST -H 'Content-Type: application/json' --data-binary '{"ids": [2]}'
expect_status 400 "$R/sentences" -X POST -H 'Content-Type: application/json'
expect_status 405 "$R/sentences/1" -X POST -H 'Content-Type: application/json' --data-binary '{"ids": [2]}'

# ---- errors ----
for p in metrics metrics/examples?type=PER confusions loss/words loss/labels 'sentences?gold=O'; do
	expect_status 404 "/api/v1/runs/999/$p"
done
for q in by=x sort=x order=up limit=0 limit=1001 offset=-1 offset=x bogus=1 'q=a&q=b'; do
	expect_status 400 "$R/loss/words?$q"
done
expect_status 400 "$R/metrics?normalize=1"
expect_status 400 "$R/loss/labels?limit=5"
expect_status 400 "$R/confusions?top_words=51"
expect_status 400 "$R/confusions?top_words=-1"
expect_status 400 "$R/metrics/examples?type=PER&kind=bogus"
expect_status 400 "$R/metrics/examples?kind=missed"
expect_status 400 "$R/metrics/examples?type=NOPE&kind=missed"
ids1001=$(printf '0,%.0s' $(seq 1 1000))0
for q in gold=NOPE pred=x words=2 ids= ids=1,,2 ids=a ids=01 ids=-1 ids=1234567890 "ids=$ids1001" \
	seed=-1 seed=x sort=shuffle; do
	expect_status 400 "$R/sentences?$q"
done
get "$base$R/sentences?gold=NOPE" >/dev/null
if grep -q "NOPE" "$tmp/body"; then ok; else bad "400 for gold=NOPE does not name the label"; fi

# parallel first requests on a fresh cache entry (a second run of the same data)
"$XNR_BIN" run --model "$XNR_SOURCE_DIR/demo/model" --data "$XNR_SOURCE_DIR/demo/eval.conll" \
	--limit 100 -o "$tmp/run.db" -q >/dev/null 2>&1
R2=$($PY -c "import sqlite3; print(sqlite3.connect('$tmp/run.db').execute('select max(id) from runs').fetchone()[0])")
for i in $(seq 1 12); do
	case $((i % 4)) in
	0) p=metrics ;; 1) p=loss/labels ;; 2) p=loss/words ;; 3) p=confusions ;;
	esac
	curl -s "${auth[@]}" -o /dev/null -w '%{http_code}\n' "$base/api/v1/runs/$R2/$p" &
done >"$tmp/par"
wait_clients
if [ "$(grep -c '^200$' "$tmp/par")" = 12 ]; then ok; else bad "parallel requests: $(sort "$tmp/par" | uniq -c)"; fi

stop_server
check_sanitizer

# ---- timings on a full CoNLL-2003 test run (informational) ----
conll=${XNR_CONLL_DB:-/tmp/conll_test.db}
if [ -f "$conll" ]; then
	start_server "$conll"
	run=$($PY -c "import sqlite3; print(sqlite3.connect('$conll').execute('select max(id) from runs').fetchone()[0])")
	echo "timings on $conll (run $run): first request, second request (ms)"
	for p in metrics 'metrics/examples?type=PER&kind=missed' confusions loss/words 'loss/words?by=token' \
		'loss/words?sort=text&q=ger' loss/labels 'sentences?gold=B-ORG&pred=O&words=1' \
		'sentences?sort=random&seed=3&words=1' 'sentences?ids=3,17,42,1000,2000&words=1'; do
		a=$(curl -s "${auth[@]}" -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/api/v1/runs/$run/$p")
		b=$(curl -s "${auth[@]}" -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/api/v1/runs/$run/$p")
		printf '  %-48s %6.1f %6.1f\n' "$p" "$(echo "$a * 1000" | bc)" "$(echo "$b * 1000" | bc)"
	done
	stop_server
fi

finish
