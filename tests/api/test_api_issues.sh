#!/usr/bin/env bash
# test_api_issues.sh - the label-issue endpoints over HTTP on the demo run:
# 404 until `explainer issues` has scored it, then the ranked sentences (with
# their words), entities and words checked against the database, the kind,
# signal and type filters and paging, the summary the Metrics page reads, one
# word's evidence, and bad queries.
set -u
. "$(dirname "$0")/lib.sh"
demo_run
start_server "$tmp/run.db"

expect_status 404 "/api/v1/runs/1/issues" && check "no scores yet: a 404 that says how to make them" '
assert "explainer issues" in body["error"]["message"], body'
"$XNR_BIN" issues "$tmp/run.db" --top 0 -n 2 >/dev/null || bad "explainer issues"

expect_status 200 "/api/v1/runs/1/issues?limit=5" && check "sentences by rank, with their words" '
rows = db.execute("select s.id, s.rank, t.text from sentence_scores s join sentences t on t.run_id = 1 and t.id = s.id where s.run_id = 1 order by s.rank limit 5").fetchall()
assert body["total"] == 344 and body["level"] == "sentence", body["total"]
assert [(i["id"], i["rank"], i["text"]) for i in body["items"]] == rows
it = body["items"][0]
n = db.execute("select n_words from sentences where run_id = 1 and id = ?", (it["id"],)).fetchone()[0]
assert [w["idx"] for w in it["words"]] == list(range(n))
assert all(set(w["signals"]) >= {"self_confidence", "knn_split", "consistency", "cl_issue", "structure"} for w in it["words"])'

expect_status 200 "/api/v1/runs/1/issues?level=word&signal=cl&limit=500" && check "words flagged by confident learning" '
exp = db.execute("select count(*) from word_scores where run_id = 1 and cl_issue = 1").fetchone()[0]
assert body["total"] == exp > 0 and all(w["signals"]["cl_issue"] for w in body["items"])
assert [w["rank"] for w in body["items"]] == sorted(w["rank"] for w in body["items"])
assert all(w["sentence_text"] for w in body["items"])'

expect_status 200 "/api/v1/runs/1/issues?level=entity&kind=missing&limit=3&offset=1" && check "entities by kind, paged" '
exp = db.execute("select count(*) from entity_scores where run_id = 1 and kind = \"missing\"").fetchone()[0]
assert body["total"] == exp and body["offset"] == 1 and len(body["items"]) == 3
assert all(e["kind"] == "missing" and e["sentence_text"] for e in body["items"])'

expect_status 200 "/api/v1/runs/1/issues?level=entity&type=PER&signal=consistency" && check "entities by type and signal" '
assert all(e["type"] == "PER" for e in body["items"]), body'

expect_status 200 "/api/v1/runs/1/issues/summary" && check "the summary" '
assert body["run"] == 1 and body["k"] == 10 and body["neighbours"] is True and body["over_confident"] is False
assert body["summary"]["words"] == 5119 and body["reference_run"] is None'

expect_status 200 "/api/v1/runs/1/issues/sentences/124/words/3" && check "one word: its evidence" '
w = body["word"]
assert w["text"] == "York" and w["signals"]["structure"] is True and w["kind"] == "boundary"
assert len(body["neighbours"]["split"]) == 10 and body["sentence"]["id"] == 124
assert abs(sum(w["probs"].values()) - 1) < 1e-4'

expect_status 404 "/api/v1/runs/1/issues/sentences/124/words/99"
expect_status 404 "/api/v1/runs/7/issues"
expect_status 400 "/api/v1/runs/1/issues?level=paragraph"
expect_status 400 "/api/v1/runs/1/issues?signal=vibes"
expect_status 400 "/api/v1/runs/1/issues?limit=0"
expect_status 400 "/api/v1/runs/1/issues?sort=rank"
expect_status 400 "/api/v1/runs/1/issues/summary?x=1"
expect_status 405 "/api/v1/runs/1/issues" -X DELETE
finish
