#!/usr/bin/env bash
# test_api_verdicts.sh - a reviewer's verdicts over HTTP on the demo run:
# recorded (POST), listed with their state, read, changed (PUT) and deleted,
# each checked against the database; the 4xx answers for an unknown sentence
# or verdict, words outside the sentence, a label the run does not have, bad
# bodies and fields; the guard on changes (JSON type, token, origin); a
# verdict shown through a later run of the same data, stale through a run of
# the changed file (with what the Label issues page lists of it, and deleted
# through that run), and absent from a run of other data.
set -u
. "$(dirname "$0")/lib.sh"
data=$tmp/eval.conll
cp "$DATA" "$data"
demo_run "$data"
head -n 200 "$DATA" >"$tmp/other.conll"
demo_run "$tmp/other.conll"
start_server "$tmp/run.db"
V=/api/v1/runs/1/verdicts

# put PATH JSON [curl args] -> status; del PATH -> status.
put() {
	local path=$1 json=$2
	shift 2
	get -X PUT -H 'Content-Type: application/json' --data-binary "$json" "$@" "$base$path"
}
del() {
	local path=$1
	shift
	get -X DELETE "$@" "$base$path"
}
# want CODE STATUS NAME: one check that a change answered CODE.
want() {
	if [ "$2" = "$1" ]; then ok; else bad "$3: status $2, want $1: $(head -c 300 "$tmp/body")"; fi
}

expect_status 200 "$V" && check "no verdicts yet" '
assert body == {"verdicts": [], "counts": {"current": 0, "stale": 0, "not_in_run": 0}}, body'

want 201 "$(post "$V" '{"sentence": 124, "start": 2, "end": 4, "kind": "label_error", "labels": ["B-ORG", "I-ORG"], "why": "the NYSE is one org"}')" "POST a label error"
check "the new verdict, as stored" '
import os, pwd
who = os.environ.get("USER") or pwd.getpwuid(os.geteuid()).pw_name
assert body["id"] == 1 and body["kind"] == "label_error" and body["state"] == "current", body
assert (body["sentence"], body["start"], body["end"]) == (124, 2, 4)
assert body["labels"] == ["B-ORG", "I-ORG"] and body["was"] == ["B-ORG", "I-LOC"]
assert body["who"] == who and body["why"] == "the NYSE is one org" and body["run"] == 1
assert body["data"]["span_text"] == "New York" and body["data"]["source_line"] == 2057
row = db.execute("select kind, labels, who, why, start, end from verdicts where id = 1").fetchone()
assert row == ("label_error", "[\"B-ORG\",\"I-ORG\"]", who, "the NYSE is one org", 2, 4), row'

want 201 "$(post "$V" '{"sentence": 88, "start": 1, "kind": "model_error", "who": "ann", "why": "said is O"}')" "POST a model error"
check "one word by default, the reviewer named" '
assert (body["id"], body["start"], body["end"], body["who"]) == (2, 1, 2, "ann"), body
assert body["labels"] is None'

expect_status 200 "$V" && check "both listed, in source order, with their counts" '
assert [v["id"] for v in body["verdicts"]] == [2, 1], body
assert body["counts"] == {"current": 2, "stale": 0, "not_in_run": 0}'
expect_status 200 "$V?sentence=124" && check "one sentence's verdicts" '
assert [v["id"] for v in body["verdicts"]] == [1], body'
expect_status 200 "$V/2" && check "one verdict" '
assert body["id"] == 2 and body["kind"] == "model_error", body'

want 200 "$(put "$V/1" '{"kind": "ambiguous", "why": "guideline 4.2"}')" "PUT another kind"
check "the change, stored; the span kept" '
assert (body["kind"], body["labels"], body["why"], body["start"], body["end"]) == ("ambiguous", None, "guideline 4.2", 2, 4), body
assert db.execute("select kind, labels from verdicts where id = 1").fetchone() == ("ambiguous", None)'
want 200 "$(put "$V/1" '{"kind": "label_error", "labels": ["B-LOC", "I-LOC"], "who": "bo"}')" "PUT a correction"
check "the correction and the reviewer" '
assert (body["labels"], body["who"], body["why"]) == (["B-LOC", "I-LOC"], "bo", ""), body'

# Bad requests: each a 4xx whose message says what is wrong.
bad_post() {
	local code name=$1 want_code=$2 json=$3 sub=$4
	code=$(post "$V" "$json")
	if [ "$code" = "$want_code" ] && grep -q -- "$sub" "$tmp/body"; then ok; else
		bad "$name: $json: status $code (want $want_code, message with '$sub'): $(head -c 300 "$tmp/body")"
	fi
}
bad_post "unknown sentence" 404 '{"sentence": 999, "start": 0, "kind": "skip"}' "no sentence 999"
bad_post "word outside the sentence" 400 '{"sentence": 124, "start": 16, "kind": "skip"}' "outside sentence 124 (16 words)"
bad_post "an empty span" 400 '{"sentence": 124, "start": 3, "end": 3, "kind": "skip"}' "not a span"
bad_post "a label the run does not have" 400 '{"sentence": 124, "start": 3, "kind": "label_error", "labels": ["B-FOO"]}' 'B-FOO'
bad_post "a correction of the wrong length" 400 '{"sentence": 124, "start": 2, "end": 4, "kind": "label_error", "labels": ["B-ORG"]}' "one per word"
bad_post "a label error without labels" 400 '{"sentence": 124, "start": 3, "kind": "label_error"}' "needs the corrected labels"
bad_post "labels on a model error" 400 '{"sentence": 124, "start": 3, "kind": "model_error", "labels": ["O"]}' "only a label_error"
bad_post "unknown kind" 400 '{"sentence": 124, "start": 3, "kind": "typo"}' "not one of label_error"
bad_post "no kind" 400 '{"sentence": 124, "start": 3}' "are required"
bad_post "unknown field" 400 '{"sentence": 124, "start": 3, "kind": "skip", "span": 1}' "body field span: unknown field"
bad_post "sentence of the wrong type" 400 '{"sentence": "124", "start": 3, "kind": "skip"}' "body field sentence"
bad_post "labels not a list" 400 '{"sentence": 124, "start": 3, "kind": "label_error", "labels": "B-ORG"}' "body field labels"
bad_post "who of the wrong type" 400 '{"sentence": 124, "start": 3, "kind": "skip", "who": 7}' "body field who"
bad_post "an empty reviewer" 400 '{"sentence": 124, "start": 3, "kind": "skip", "who": ""}' "reviewer name"
bad_post "not an object" 400 '[1]' "JSON object"
bad_post "not JSON" 400 '{"sentence": ' "JSON"
long=$($PY -c 'print("x" * 5000)')
bad_post "a reason over 4 KiB" 413 "{\"sentence\": 124, \"start\": 3, \"kind\": \"skip\", \"why\": \"$long\"}" "longer than 4096"
want 404 "$(post /api/v1/runs/9/verdicts '{"sentence": 1, "start": 0, "kind": "skip"}')" "POST to an unknown run"
want 400 "$(put "$V/1" '{"kind": "skip", "start": 0}')" "PUT that moves the span"
want 400 "$(put "$V/1" '{"kind": "label_error", "labels": ["B-LOC"]}')" "PUT with a correction of the wrong length"
want 400 "$(put "$V/1" '{"why": "no kind"}')" "PUT without a kind"
want 404 "$(put "$V/7" '{"kind": "skip"}')" "PUT of an unknown verdict"
expect_status 404 "$V/7"
expect_status 400 "$V?sentence=x"
expect_status 400 "$V?state=stale"
expect_status 405 "$V" -X PATCH
check "nothing of the refused requests stored" '
assert db.execute("select count(*) from verdicts").fetchone() == (2,)'

# The guard: changes only as JSON, with the token, from the server's own pages.
want 415 "$(get -X POST -H 'Content-Type: text/plain' --data-binary '{"sentence": 1, "start": 0, "kind": "skip"}' "$base$V")" "a text/plain POST"
want 415 "$(get -X POST --data 'sentence=1&start=0&kind=skip' "$base$V")" "a form POST"
want 403 "$(post "$V" '{"sentence": 1, "start": 0, "kind": "skip"}' -H 'Origin: http://evil.test')" "a POST from another origin"
want 403 "$(del "$V/2" -H 'Sec-Fetch-Site: cross-site')" "a DELETE from another site"
want 401 "$(noauth post "$V" '{"sentence": 1, "start": 0, "kind": "skip"}')" "a POST without the token"
want 201 "$(post "$V" '{"sentence": 3, "start": 0, "kind": "skip"}' -H "Origin: $base" -H 'Sec-Fetch-Site: same-origin')" "a POST from the app itself"
check "only the app's own POST stored" '
assert db.execute("select count(*) from verdicts").fetchone() == (3,)'

# Verdicts belong to the data: run 2 (other data) does not see them.
expect_status 200 /api/v1/runs/2/verdicts && check "other data, no verdicts" '
assert body["verdicts"] == [], body'
want 404 "$(del /api/v1/runs/2/verdicts/1)" "DELETE through a run of other data"
want 200 "$(del "$V/3")" "DELETE"
check "deleted" '
assert body == {"deleted": 3} and db.execute("select count(*) from verdicts where id = 3").fetchone() == (0,)'
want 404 "$(del "$V/3")" "DELETE again"
stop_server

# A later run of the same data shows them; a run of the changed file, stale.
"$XNR_BIN" run --model "$MODEL" --data "$data" --limit 100 -o "$tmp/run.db" -q || die "run 3"
sed -i '2060s/^York /Yorke /' "$data"
"$XNR_BIN" run --model "$MODEL" --data "$data" -o "$tmp/run.db" -q || die "run 4"
start_server "$tmp/run.db"
expect_status 200 /api/v1/runs/3/verdicts && check "a run of the first 100 sentences: one current, one not in it" '
st = {v["id"]: (v["state"], v["sentence"]) for v in body["verdicts"]}
assert st == {1: ("not_in_run", None), 2: ("current", 88)}, st'
expect_status 200 /api/v1/runs/4/verdicts && check "the changed sentence: stale, kept" '
st = {v["id"]: v["state"] for v in body["verdicts"]}
assert st == {1: "stale", 2: "current"} and body["counts"]["stale"] == 1, body
v = next(x for x in body["verdicts"] if x["id"] == 1)
# what the Label issues page lists of it: the sentence as it was, the words, where it stands now
assert v["sentence"] == 124 and (v["start"], v["end"], v["was"]) == (2, 4, ["B-ORG", "I-LOC"]), v
assert v["data"]["source_line"] == 2057 and v["data"]["span_text"] == "New York", v
assert " New York Stock Exchange " in v["data"]["sentence_text"], v'
want 200 "$(del /api/v1/runs/4/verdicts/1)" "DELETE a stale verdict through the run of the changed file"
expect_status 200 /api/v1/runs/4/verdicts && check "it is gone; the current one kept" '
assert [v["id"] for v in body["verdicts"]] == [2] and body["counts"]["stale"] == 0, body
assert db.execute("select count(*) from verdicts").fetchone() == (1,)'
stop_server
check_sanitizer
finish
