#!/usr/bin/env bash
# test_api_model.sh - the model and vector endpoints end to end (Probing,
# Activations, Hidden States, Find Duplicates): runs the demo model on the
# demo data, on a tiny dataset with two identical sentences and on the Find
# Duplicates fixture (planted near-duplicates, a leaking split), starts the
# real `explainer serve` on 127.0.0.1, checks predictions the demo model is
# known to make, the duplicates it must find, the limits and errors, that
# projection and duplicates jobs finish, are cached by their parameters and
# are reproducible from their seed
# (a second server with a fresh cache), and a readable error when a run's
# model folder is gone.
set -u
. "$(dirname "$0")/lib.sh"
demo_run
# Run 2: a tiny dataset whose sentences 0 and 2 are the same.
cat >"$tmp/dup.conll" <<'EOF'
John B-PER
lives O
in O
Berlin B-LOC
. O

Prices O
fell O
sharply O
on O
Monday O
. O

John B-PER
lives O
in O
Berlin B-LOC
. O

Siemens B-ORG
opened O
a O
plant O
in O
Munich B-LOC
. O
EOF
demo_run "$tmp/dup.conll"
# Run 3: a model folder that is deleted afterwards.
cp -r "$MODEL" "$tmp/gone-model"
head -n 11 "$tmp/dup.conll" >"$tmp/two.conll"
demo_run "$tmp/two.conll" "$tmp/gone-model"
rm -rf "$tmp/gone-model"
# Runs 4 and 5: the Find Duplicates fixture (tests/gen/gen_dups_fixture.py):
# demo/eval.conll with eight planted near-duplicates, and a split leaking three.
demo_run "$XNR_SOURCE_DIR/tests/fixtures/dups/planted.conll"
demo_run "$XNR_SOURCE_DIR/tests/fixtures/dups/train.conll"

start_server "$tmp/run.db" --root "$XNR_SOURCE_DIR" --root "$tmp"

# --- probe -----------------------------------------------------------------
expect_post 200 /api/v1/runs/1/probe '{"texts": ["John lives in Berlin .", "Peter Blackburn"]}' &&
	check "probe: John B-PER, Berlin B-LOC" '
a, b = body["items"]
words = [(w["text"], w["pred"]) for w in a["words"]]
assert words == [("John", "B-PER"), ("lives", "O"), ("in", "O"), ("Berlin", "B-LOC"), (".", "O")], words
assert [w["text"] for w in b["words"]] == ["Peter", "Blackburn"] and b["words"][0]["pred"] == "B-PER"
for it in body["items"]:
    for w in it["words"]:
        assert 0 < w["prob_pred"] <= 1 and w["low"] == (w["prob_pred"] < 0.5)
        assert it["text"][w["start"]:w["end"]] == w["text"]
    assert [t["word"] for t in it["tokens"]] == sorted(t["word"] for t in it["tokens"])
    assert {t["word"] for t in it["tokens"]} == set(range(len(it["words"])))
    # the strings of the tokenizer: a continuation sub-token is "##" and its text
    assert all(t["token"] == t["text"] or t["token"] == "##" + t["text"] for t in it["tokens"]), it["tokens"]
assert body["threshold"] == 0.5'

expect_post 200 /api/v1/runs/1/probe '{"texts": ["John lives in Berlin ."], "threshold": 0.999}' &&
	check "probe: threshold flags" '
ws = body["items"][0]["words"]
assert [w["low"] for w in ws] == [w["prob_pred"] < 0.999 for w in ws] and any(w["low"] for w in ws), ws'

# The most likely labels of each word and sub-token: those of the logits'
# softmax, the very distribution run 2 stored for the same sentence (Inspect's
# "top" comes from there), most likely first, the first one the prediction.
expect_post 200 /api/v1/runs/2/probe '{"texts": ["John lives in Berlin ."]}' &&
	check "probe: top 3 labels per word and sub-token" '
import struct
it = body["items"][0]
lab = dict(db.execute("select id, name from labels where run_id=2"))
sid = db.execute("select id from sentences where run_id=2 order by id limit 1").fetchone()[0]
for table, rows in (("words", it["words"]), ("tokens", it["tokens"])):
    blobs = db.execute(f"select probs from {table} where run_id=2 and sentence_id=? order by idx", (sid,)).fetchall()
    assert len(blobs) == len(rows), (table, len(blobs), len(rows))
    for (blob,), r in zip(blobs, rows):
        p = struct.unpack(f"<{len(blob) // 4}f", blob)
        want = sorted(range(len(p)), key=lambda k: (-p[k], k))[:3]
        assert [t["label"] for t in r["top"]] == [lab[k] for k in want], (table, r, p)
        assert all(abs(t["p"] - p[k]) < 1e-4 for t, k in zip(r["top"], want)), (table, r, p)
for w in it["words"]:
    assert w["top"][0]["label"] == w["pred"] and abs(w["top"][0]["p"] - w["prob_pred"]) < 1e-6, w
    first = next(t for t in it["tokens"] if t["word"] == it["words"].index(w))
    assert first["top"] == w["top"], (first, w)'

texts65=$($PY -c 'import json; print(json.dumps({"texts": ["a b"] * 65}))')
expect_post 413 /api/v1/runs/1/probe "$texts65"
long=$($PY -c 'import json; print(json.dumps({"texts": ["x" * 2001]}))')
expect_post 413 /api/v1/runs/1/probe "$long"
expect_post 400 /api/v1/runs/1/probe $'{"texts": ["John \xff lives"]}'
expect_post 400 /api/v1/runs/1/probe $'{"texts": ["\xc3"]}'
expect_post 400 /api/v1/runs/1/probe '{"texts": ["\ud800 x"]}'
expect_post 400 /api/v1/runs/1/probe '{"texts": []}'
expect_post 400 /api/v1/runs/1/probe '{"texts": "John"}'
expect_post 400 /api/v1/runs/1/probe '{"texts": [""]}'
expect_post 400 /api/v1/runs/1/probe '{"texts": [3]}'
expect_post 400 /api/v1/runs/1/probe '{"texts": ["a"], "threshold": 2}'
expect_post 400 /api/v1/runs/1/probe '{"texts": ["a"], "bogus": 1}'
expect_post 400 /api/v1/runs/1/probe '["a"]'
expect_post 400 /api/v1/runs/1/probe '{"texts": ["a"]'
expect_post 404 /api/v1/runs/999/probe '{"texts": ["a"]}'
expect_status 405 /api/v1/runs/1/probe
expect_post 404 /api/v1/runs/3/probe '{"texts": ["a"]}' && check "gone model: readable message" '
m = body["error"]["message"]
assert "gone-model" in m and "gone" in m, m'

# --- model and activations ------------------------------------------------------
expect_status 200 /api/v1/runs/1/model && check "model shape" '
assert body["n_layers"] == 4 and body["intermediate_size"] == 1024 and body["hidden_size"] == 256
assert body["labels"][:2] == ["O", "B-PER"]'

expect_post 200 /api/v1/runs/1/activations \
	'{"text": "John lives in Berlin and works for Siemens .", "from_layer": 1, "to_layer": 2, "k": 3}' &&
	check "activations: k x positions factors" '
n = len(body["tokens"])
assert n == 12 and body["k"] == 3 and len(body["factors"]) == 3, (n, body["k"])
assert all(len(f) == n and min(f) >= 0 for f in body["factors"])
assert [t["text"] for t in body["tokens"]][5:] == ["work", "s", "for", "Si", "em", "ens", "."]
assert [t["token"] for t in body["tokens"]][5:] == ["work", "##s", "for", "Si", "##em", "##ens", "."]
assert body["from_layer"] == 1 and body["to_layer"] == 2 and body["neurons_per_layer"] == 1024
assert all(len(t) == 5 and all(1 <= x["layer"] <= 2 and 0 <= x["neuron"] < 1024 for x in t)
           for t in body["top_neurons"])
assert any(max(f) > 0 for f in body["factors"]) and 1 <= body["n_iter"] <= 500'
cp "$tmp/body" "$tmp/acts1"
post /api/v1/runs/1/activations \
	'{"text": "John lives in Berlin and works for Siemens .", "from_layer": 1, "to_layer": 2, "k": 3}' >/dev/null
if cmp -s <($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["factors"])' "$tmp/acts1") \
	<($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["factors"])' "$tmp/body"); then ok; else
	bad "activations: same seed, different factors"
fi
expect_post 200 /api/v1/runs/1/activations '{"text": "Berlin ."}' && check "activations defaults; k clamped" '
assert body["from_layer"] == 0 and body["to_layer"] == 3 and body["k"] == 2, body["k"]'
expect_post 400 /api/v1/runs/1/activations '{"text": "a b c", "from_layer": 4}'
expect_post 400 /api/v1/runs/1/activations '{"text": "a b c", "from_layer": 2, "to_layer": 1}'
expect_post 400 /api/v1/runs/1/activations '{"text": "a b c", "k": 11}'
expect_post 400 /api/v1/runs/1/activations '{"text": "a b c", "k": 1}'
expect_post 400 /api/v1/runs/1/activations '{"text": ""}'
expect_post 400 /api/v1/runs/1/activations '{"k": 3}'
expect_post 413 /api/v1/runs/1/activations "$($PY -c 'import json; print(json.dumps({"text": "x " * 1001}))')"

# --- projection -----------------------------------------------------------------
expect_post 202 /api/v1/runs/1/projection '{"method": "pca", "n": 500}' && wait_job
pca_job=$job
check "projection pca: 500 sampled points" '
assert body["state"] == "done", body
r = body["result"]
pts = r["points"]
assert r["n"] == len(pts) == 500
keys = [(p["sentence_id"], p["idx"]) for p in pts]
assert len(set(keys)) == 500 and keys == sorted(keys)
assert max(k[0] for k in keys) > 300, "a sample, not the first 500 words"
lab = dict(db.execute("select id, name from labels where run_id=1"))
for p in pts[:50]:
    t, g, pr = db.execute("select text, gold, pred from words where run_id=1 and sentence_id=? and idx=?",
                          (p["sentence_id"], p["idx"])).fetchone()
    assert (p["text"], p["gold"], p["pred"]) == (t, lab[g], lab[pr]), p
    assert r["sentences"][str(p["sentence_id"])] == db.execute(
        "select text from sentences where run_id=1 and id=?", (p["sentence_id"],)).fetchone()[0]
evr = r["info"]["explained_variance_ratio"]
assert r["info"]["method"] == "pca" and 1 > evr[0] >= evr[1] > 0, evr
assert set(r["timings"]) >= {"load_s", "project_s"}'
cp "$tmp/body" "$tmp/pca1"
expect_post 202 /api/v1/runs/1/projection '{"method": "pca", "n": 500}' && check "same request, same job" "
assert body['job']['id'] == $pca_job and body['job']['state'] == 'done', body['job']['id']"
expect_post 202 /api/v1/runs/1/projection '{"method": "pca", "n": 500, "seed": 43}' && wait_job
check "another seed, another sample" '
import json
a = {(p["sentence_id"], p["idx"]) for p in json.load(open(sys.argv[1].replace("body", "pca1")))["result"]["points"]}
b = {(p["sentence_id"], p["idx"]) for p in body["result"]["points"]}
assert a != b and len(b) == 500'
# A sample of at most 1 word in 16 is drawn by position and read by key (the
# sparse path, api_projection.c), not by a scan: the same contract.
expect_post 202 /api/v1/runs/1/projection '{"method": "pca", "n": 300, "seed": 5}' && wait_job
check "projection of a sparse sample (300 of 5,119 words): distinct words, in corpus order, their rows" '
import collections
r = body["result"]
pts = r["points"]
assert body["state"] == "done" and r["n"] == len(pts) == 300, body.get("error")
keys = [(p["sentence_id"], p["idx"]) for p in pts]
assert len(set(keys)) == 300 and keys == sorted(keys)
lab = dict(db.execute("select id, name from labels where run_id=1"))
for p in pts:
    t, g, pr = db.execute("select text, gold, pred from words where run_id=1 and sentence_id=? and idx=?",
                          (p["sentence_id"], p["idx"])).fetchone()
    assert (p["text"], p["gold"], p["pred"]) == (t, lab[g], lab[pr]), p
# uniform over the words: each fifth of the corpus (by position) gets its share of the 300
pos = {k: i for i, k in enumerate(db.execute("select sentence_id, idx from words where run_id=1 order by sentence_id, idx"))}
fifths = collections.Counter(5 * pos[k] // len(pos) for k in keys)
assert all(35 <= fifths[f] <= 85 for f in range(5)), fifths'
cp "$tmp/body" "$tmp/sparse1"
expect_post 202 /api/v1/runs/1/projection '{"method": "pca", "n": 300, "seed": 6}' && wait_job
check "sparse sample: another seed, another sample" '
import json
a = {(p["sentence_id"], p["idx"]) for p in json.load(open(sys.argv[1].replace("body", "sparse1")))["result"]["points"]}
b = {(p["sentence_id"], p["idx"]) for p in body["result"]["points"]}
assert a != b and len(b) == 300 and len(a & b) < 100, len(a & b)'
expect_post 202 /api/v1/runs/1/projection '{"method": "svd", "n": 1000000, "n_iter": 3}' && wait_job
check "svd: n above the words means all" '
r = body["result"]
assert body["state"] == "done" and r["n"] == db.execute("select count(*) from hidden where run_id=1").fetchone()[0]
assert r["info"]["method"] == "svd" and len(r["info"]["explained_variance_ratio"]) == 2'
umap='{"method": "umap", "n": 400, "seed": 7, "n_neighbors": 10, "min_dist": 0.2, "metric": "manhattan"}'
expect_post 202 /api/v1/runs/1/projection "$umap" && wait_job
check "umap" '
r = body["result"]
assert body["state"] == "done" and r["n"] == 400, body.get("error")
assert r["info"] == {"method": "umap", "n_neighbors": 10, "min_dist": 0.2, "metric": "manhattan", "p": 2.0, "seed": 7}, r["info"]'
cp "$tmp/body" "$tmp/umap1"
expect_post 400 /api/v1/runs/1/projection '{"method": "tsne"}'
expect_post 400 /api/v1/runs/1/projection '{"n": 1}'
expect_post 400 /api/v1/runs/1/projection '{"n": -5}'
expect_post 400 /api/v1/runs/1/projection '{"min_dist": 2}'
expect_post 400 /api/v1/runs/1/projection '{"metric": "cosine"}'
expect_post 400 /api/v1/runs/1/projection '{"n_neighbors": 1}'
expect_post 400 /api/v1/runs/1/projection '{"n_iter": 101}'
expect_post 400 /api/v1/runs/1/projection '{"seed": -1}'
expect_post 400 /api/v1/runs/1/projection '{"seed": 1.5}'
expect_post 404 /api/v1/runs/999/projection '{}'

# --- duplicates -----------------------------------------------------------------
expect_post 202 /api/v1/runs/2/duplicates '{}' && wait_job
check "duplicates: the identical sentences are one variant of two copies" '
r = body["result"]
assert body["state"] == "done", body
assert r["mode"] == "lexical" and r["method"] == "exact" and r["n_sentences"] == 4 and r["encoder"] is None, r
assert r["n_clusters"] == 1 and r["n_pairs"] == 0 and r["total"] == 1 and r["vectors"], r
v = r["clusters"][0]["variants"][0]
assert v["run"] == 2 and v["ids"] == [0, 2] and v["n"] == 2 and v["text"] == "John lives in Berlin .", v
assert v["words"] == ["John", "lives", "in", "Berlin", "."] and v["gold"] == ["B-PER", "O", "O", "B-LOC", "O"], v'
dup_job=$job
expect_post 202 /api/v1/runs/2/duplicates '{}' && check "duplicates cached" "
assert body['job']['id'] == $dup_job"
expect_post 202 /api/v1/runs/1/duplicates '{"mode": "vectors", "threshold": 0.9, "limit": 20}' && wait_job
check "duplicates on the demo run by vectors: clusters in order, limited" '
r = body["result"]
assert r["method"] == "cosine" and r["vectors"] and r["n_sentences"] == 344 and r["n_pairs"] > 0, r
cs = r["clusters"]
assert len(cs) == min(20, r["n_clusters"]), len(cs)
order = [(not c["conflict"], -c["score"]) for c in cs]
assert order == sorted(order), order
t = dict(db.execute("select id, text from sentences where run_id=1"))
for c in cs:
    assert all(t[v["ids"][0]] == v["text"] and v["run"] == 1 for v in c["variants"])
    assert all(p["sim"] == p["cosine"] >= 0.9 and 0 <= p["a"] < p["b"] < len(c["variants"]) for p in c["pairs"])'
expect_post 202 /api/v1/runs/2/duplicates "{\"mode\": \"vectors\", \"threshold\": 0.99, \"encoder\": \"$MODEL\"}" && wait_job
check "duplicates with an encoder model" '
r = body["result"]
assert body["state"] == "done", body
assert r["encoder"] and r["clusters"][0]["variants"][0]["ids"] == [0, 2], r'
expect_post 400 /api/v1/runs/2/duplicates '{"encoder": "/nonexistent/model"}'
expect_post 400 /api/v1/runs/2/duplicates '{"encoder": 3}'
expect_post 400 /api/v1/runs/2/duplicates '{"threshold": 1.5}'
expect_post 400 /api/v1/runs/2/duplicates '{"threshold": 0.2}'
expect_post 400 /api/v1/runs/2/duplicates '{"mode": "words"}'
expect_post 400 /api/v1/runs/2/duplicates '{"method": "minhash"}'
expect_post 400 /api/v1/runs/2/duplicates '{"ngram": 4}'
expect_post 400 /api/v1/runs/2/duplicates '{"seed": -1}'
expect_post 400 /api/v1/runs/2/duplicates '{"trivial": 1}'
expect_post 400 /api/v1/runs/2/duplicates '{"reference": 2}'
expect_post 404 /api/v1/runs/2/duplicates '{"reference": 999}'
expect_post 400 /api/v1/runs/2/duplicates '{"limit": 0}'
expect_post 404 /api/v1/runs/999/duplicates '{}'

# The fixture: its planted pairs first, the same text with other labels before them.
planted='
import re
cs = body["result"]["clusters"]
ids = [tuple(sorted(i for v in c["variants"] for i in v["ids"])) for c in cs]
assert [c["conflict"] for c in cs[:4]] == [True, True, True, False], cs[:4]
assert sorted(ids[:3]) == [(25, 344), (98, 345), (230, 346)], ids
assert sorted(ids[3:8]) == [(2, 348), (47, 349), (118, 350), (162, 351), (204, 347)], ids'
expect_post 202 /api/v1/runs/4/duplicates '{}' && wait_job
check "duplicates: the planted pairs first, conflicts first, no dateline" "$planted"'
r = body["result"]
assert r["n_sentences"] == 352 and r["n_trivial"] == 31 and r["n_conflicts"] == 3 and r["n_clusters"] == 9, r
p = next(c for c in cs if 98 in c["variants"][0]["ids"])["pairs"][0]
assert p["same_text"] and p["conflict"] and p["label_diff"] == [[0, 0]] and p["jaccard"] == 1, p
date = re.compile(r"\d{4}-\d\d-\d\d$")
assert not any(date.search(v["text"]) for c in cs for v in c["variants"])'
expect_post 202 /api/v1/runs/4/duplicates '{"method": "lsh", "seed": 7}' && wait_job
check "duplicates by MinHash LSH: the same planted pairs" "$planted"'
r = body["result"]
assert r["method"] == "lsh" and r["lsh"] == {"bands": 40, "rows": 3, "seed": 7} and r["n_clusters"] == 9, r'
expect_post 202 /api/v1/runs/4/duplicates '{"trivial": true}' && wait_job
check "duplicates with the trivial lines: datelines too" '
import re
r = body["result"]
date = re.compile(r"\d{4}-\d\d-\d\d$")
assert r["n_trivial"] == 0 and r["n_clusters"] == 12, r
assert any(all(date.search(v["text"]) for v in c["variants"]) for c in r["clusters"])'
expect_post 202 /api/v1/runs/4/duplicates '{"reference": 5}' && wait_job
check "duplicates across runs: the leaked sentences, the relabelled one first" '
r = body["result"]
cs = r["clusters"]
assert r["reference"] == 5 and r["n_reference"] == 15 and len(cs) == 3, r
assert cs[0]["conflict"] and [(v["run"], v["ids"]) for v in cs[0]["variants"]] == [(4, [251]), (5, [9])], cs[0]
assert sorted(tuple((v["run"], v["ids"][0]) for v in c["variants"]) for c in cs) == \
    [((4, 76), (5, 4)), ((4, 185), (5, 14)), ((4, 251), (5, 9))], cs'

# --- reproducible from the seed: a second server, a fresh cache ---------------
start_server "$tmp/run.db" --root "$XNR_SOURCE_DIR" --root "$tmp"
expect_post 202 /api/v1/runs/1/projection "$umap" && wait_job
if cmp -s <($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["points"])' "$tmp/umap1") \
	<($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["points"])' "$tmp/body"); then ok; else
	bad "umap: the same seed gave another layout on a fresh server"
fi
expect_post 202 /api/v1/runs/1/projection '{"method": "pca", "n": 500}' && wait_job
if cmp -s <($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["points"])' "$tmp/pca1") \
	<($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["points"])' "$tmp/body"); then ok; else
	bad "pca: the same seed gave another sample on a fresh server"
fi

# --- parallel probes share one engine --------------------------------------------
for i in $(seq 1 8); do
	curl -s "${auth[@]}" -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
		--data-binary '{"texts": ["John lives in Berlin ."]}' "$base/api/v1/runs/1/probe" &
done >"$tmp/par"
wait_clients
if [ "$(grep -c '^200$' "$tmp/par")" = 8 ]; then ok; else bad "parallel probes: $(sort "$tmp/par" | uniq -c)"; fi

# --- a sentence-transformers folder (bare BertModel, no labels) as the encoder ----
st_model=$XNR_SOURCE_DIR/tests/fixtures/models/sentence_bert
expect_post 202 /api/v1/runs/2/duplicates "{\"mode\": \"vectors\", \"threshold\": 0.99, \"encoder\": \"$st_model\"}" && wait_job
check "duplicates with a sentence-transformers encoder" '
r = body["result"]
assert body["state"] == "done", body
assert r["encoder"].endswith("sentence_bert") and r["n_sentences"] == 4 and r["vectors"], r
assert r["clusters"][0]["variants"][0]["ids"] == [0, 2], r["clusters"]'

# --- clean shutdown, no sanitizer reports -----------------------------------------
for p in "${pids[@]}"; do
	stop_server 10 "$p"
	[ "$rc" = 0 ] && ok || bad "server $p: exit status '$rc' after SIGTERM, want 0"
done
check_sanitizer

finish
