#!/usr/bin/env python3
"""make_seeds.py - writes the committed seed corpora of the fuzz targets that
take several files or a binary format, from the repository's real examples:
tests/fixtures/models/*, tests/fixtures/tokenizers/*, demo/model, demo/eval.conll
and demo/examples.txt. Parts of one input are joined with util.h's FUZZ_SEP.

  model_config        every fixture's and the demo's config.json, and variants
  model_shards        the bert_sharded fixture, and small index + shard sets
  tokenizer_encode    each fixture/demo tokenizer.json with texts
  tokenizer_legacy    demo/model vocab.txt + tokenizer_config.json, slices, variants
  tokenizer_charsmap  sentencepiece-format charsmaps (darts-clone trie) with NFKC
                      and NMT-style rules built here: no sentencepiece model is
                      available offline, so the blob is made with the same layout
  tokenizer_spm       the sentencepiece .model fixtures of tests/gen/gen_spm.py with
                      texts, and one cut short
  data_labels         --labels / --label-map / id2label triples
  server_http         requests to every route, with every POST and PUT body, and
                      the ones the guard refuses (wrong Host, no token, a form)
  report_db           runs of demo/model on demo/eval.conll (needs --explainer)
  server_db           the same runs, with hidden states, and odd words (needs --explainer)

usage: tests/fuzz/make_seeds.py [--explainer build/explainer]
Files it does not make (crash-* regression inputs) are left alone. The same
repository gives the same files, except report_db's and server_db's (run dates
and timings).
"""
import argparse
import json
import os
import sqlite3
import struct
import subprocess
import tempfile
import unicodedata

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
SEP = b"\n\x1e\x1e\n"
MODELS = os.path.join(ROOT, "tests", "fixtures", "models")


def read(*path):
    with open(os.path.join(ROOT, *path), "rb") as f:
        return f.read()


def write_corpus(name, seeds):
    folder = os.path.join(CORPUS, name)
    os.makedirs(folder, exist_ok=True)
    for fname, parts in seeds.items():
        data = parts if isinstance(parts, bytes) else SEP.join(parts)
        if not isinstance(parts, bytes):
            assert all(SEP not in p for p in parts), fname
        with open(os.path.join(folder, fname), "wb") as f:
            f.write(data)


def js(obj):
    return json.dumps(obj, ensure_ascii=False, indent=1).encode()


TEXTS = [line.encode() for line in read("demo", "examples.txt").decode().splitlines()] + [
    "Zo\u00eb \u00c5ngstr\u00f6m flew from K\u00f6ln to \u6771\u4eac \U0001F600 with [MASK] <mask> don't".encode(),
    "cafe\u0301 na\u00efve \uff34\uff4f\uff4b\uff59\uff4f \ufb01ne \u2460 \u00bd \u2163 \u00a0x\u200by".encode(),
    "\U0001F469\u200d\U0001F4BB \U0001F44D\U0001F3FD \u0645\u0631\u062d\u0628\u0627 \ud55c\uad6d\uc5b4 \u0928\u092e\u0938\u094d\u0924\u0947".encode(),
    b"  leading\tand\x0btrailing  \r\n\x00nul \x7f del  ",
    ("Pneumonoultramicroscopicsilicovolcanoconiosis" * 3 + " x").encode(),
]


def model_config():
    seeds = {}
    for m in sorted(os.listdir(MODELS)):
        seeds[m + ".json"] = read("tests", "fixtures", "models", m, "config.json")
    demo = json.loads(read("demo", "model", "config.json"))
    seeds["demo.json"] = js(demo)
    v = dict(demo)
    del v["id2label"], v["label2id"]
    v["num_labels"] = 3
    seeds["num_labels.json"] = js(v)
    v = dict(demo)
    v["id2label"] = {"0": "O", "2": "B-PER"}
    seeds["id2label_gap.json"] = js(v)
    v = dict(demo)
    v["architectures"] = None
    v["model_type"] = "xlm-roberta"
    v["max_position_embeddings"] = 514
    v["pad_token_id"] = 1
    seeds["model_type_only.json"] = js(v)
    v = dict(demo)
    v["hidden_act"] = "gelu_pytorch_tanh"
    v["num_attention_heads"] = 3
    seeds["heads_not_dividing.json"] = js(v)
    return seeds


def safetensors(tensors):
    """tensors: [(name, dtype, shape, raw bytes)] -> a .safetensors file."""
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


def index(weight_map):
    return js({"metadata": {"total_size": 0}, "weight_map": weight_map})


def model_shards():
    d = os.path.join(MODELS, "bert_sharded")
    seeds = {"bert_sharded": [read(d, "model.safetensors.index.json"),
                              read(d, "model-00001-of-00002.safetensors"),
                              read(d, "model-00002-of-00002.safetensors")]}
    f32 = struct.pack("<4f", 0.5, -1.0, 2.0, 3.25)
    a = safetensors([("embeddings.weight", "F32", [2, 2], f32), ("embeddings.bias", "F16", [2], b"\x00\x3c\x00\xc0")])
    b = safetensors([("classifier.weight", "BF16", [1, 2], b"\x80\x3f\x00\x40"), ("classifier.bias", "F32", [], f32[:4]),
                     ("empty", "F32", [0, 3], b"")])
    s1, s2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
    wm = {"embeddings.weight": s1, "embeddings.bias": s1, "classifier.weight": s2, "classifier.bias": s2, "empty": s2}
    seeds["two_shards"] = [index(wm), a, b]
    seeds["one_shard"] = [index({"embeddings.weight": "model-00001-of-00001.safetensors",
                                 "embeddings.bias": "model-00001-of-00001.safetensors"}), a]
    seeds["wrong_shard"] = [index(dict(wm, **{"embeddings.bias": s2})), a, b]
    seeds["traversal"] = [index(dict(wm, **{"embeddings.bias": "../" + s1})), a, b]
    seeds["missing_shard"] = [index(wm), a]
    seeds["duplicate"] = [index(wm), a, safetensors([("embeddings.bias", "F16", [2], b"\x00\x3c\x00\xc0")])]
    seeds["not_an_index"] = [js({"weight_map": []}), a]
    return seeds


def tokenizer_encode():
    toks = {
        "roberta": read("tests", "fixtures", "tokenizers", "roberta_tiny.json"),
        "xlmr": read("tests", "fixtures", "tokenizers", "xlmr_tiny.json"),
        "bpe_fallback": read("tests", "fixtures", "tokenizers", "bpe_fallback_tiny.json"),
        "sentence_bert": read("tests", "fixtures", "models", "sentence_bert", "tokenizer.json"),
        "demo": read("demo", "model", "tokenizer.json"),
        "wordpiece": read("tests", "fuzz", "corpus", "tokenizer_json", "wordpiece.json"),
        "split_empty": read("tests", "fuzz", "corpus", "tokenizer_json", "split_empty.json"),
    }
    # The demo's pipeline with the vocabulary the texts need: a real tokenizer.json that
    # parses in a millisecond (the whole one takes 100 ms under ASan; one seed keeps it).
    demo = json.loads(toks["demo"])
    keep = set(list(demo["model"]["vocab"])[:200])
    keep |= {w for t in TEXTS for w in t.decode(errors="replace").split()}
    demo["model"]["vocab"] = {t: i for t, i in demo["model"]["vocab"].items() if t in keep}
    toks["demo_slice"] = js(demo)
    seeds = {"demo_0": [toks.pop("demo"), TEXTS[0]]}
    for i, (name, tok) in enumerate(sorted(toks.items())):
        for k in (i % len(TEXTS), (i + 3) % len(TEXTS)):
            seeds["%s_%d" % (name, k)] = [tok, TEXTS[k]]
    seeds["invalid_utf8"] = [toks["xlmr"], b"abc \xff\xfe \xc3( \xed\xa0\x80 end"]
    return seeds


def tokenizer_legacy():
    vocab = read("demo", "model", "vocab.txt")
    config = read("demo", "model", "tokenizer_config.json")
    lines = vocab.decode().splitlines()
    words = sorted({w for t in TEXTS[:5] for w in t.decode().split()})
    short = ("\n".join(lines[:110] + [w for w in words if w in lines]) + "\n").encode()
    cfg = json.loads(config)
    seeds = {
        "demo": [vocab, config, TEXTS[0]],
        "short": [short, config, TEXTS[1]],
        "short_no_config": [short, b"", TEXTS[4]],
        "lower": [short, js(dict(cfg, do_lower_case=True)), TEXTS[5]],
        "accents_nochinese": [short, js(dict(cfg, do_lower_case=True, strip_accents=True,
                                             tokenize_chinese_chars=False)), TEXTS[6]],
        "added_token_objects": [short, js(dict(cfg, cls_token={"content": "[CLS]", "lstrip": False},
                                               mask_token={"content": "[MASK]"})), TEXTS[7]],
        "crlf": [short.replace(b"\n", b" \r\n"), config, TEXTS[2]],
        "no_sep": [short.replace(b"[SEP]\n", b""), config, TEXTS[3]],
    }
    return seeds


def darts(entries):
    """A darts-clone double array (as sentencepiece builds it) over byte keys
    -> value; returns the units. Node units hold a label (low 8 bits), a
    has-leaf bit (8) and the offset to their children (bits 10-30); a leaf
    unit holds value | 1 << 31 at the child slot of label 0."""
    trie = {}
    for key, value in entries:
        node = trie
        for c in key:
            node = node.setdefault(c, {})
        node[0] = value
    units, used, bases = [0], {0}, set()

    def place(node, pos):
        labels = sorted(node)
        base = 1
        while base in bases or any((base ^ l) in used for l in labels):
            base += 1
        bases.add(base)
        offset = pos ^ base
        assert offset < 1 << 21
        while len(units) <= base | 0xFF:
            units.append(0)
        units[pos] |= offset << 10 | (0x100 if 0 in node else 0)
        for l in labels:
            used.add(base ^ l)
        for l in labels:
            if l == 0:
                units[base] = node[0] | 1 << 31
            else:
                units[base ^ l] = l
        for l in labels:
            if l:
                place(node[l], base ^ l)

    place(trie, 0)
    while units and units[-1] == 0:
        units.pop()
    return units


def charsmap(rules):
    """sentencepiece's precompiled_charsmap: trie size, trie, replacements."""
    norm, entries = b"", []
    for src, dst in sorted(rules.items()):
        entries.append((src.encode(), len(norm)))
        norm += dst.encode() + b"\0"
    units = darts(entries)
    return struct.pack("<I", 4 * len(units)) + struct.pack("<%dI" % len(units), *units) + norm


def nfkc_rules():
    """NFKC of the code points where it changes something, in the blocks NMT
    text meets (Latin-1, fullwidth, ligatures, enclosed and roman numerals,
    spaces), plus sentencepiece's nmt rules: odd spaces to " ", zero-width
    and control characters removed, and a few composed graphemes."""
    rules = {}
    for lo, hi in [(0xA0, 0xFF), (0x2000, 0x200A), (0x2160, 0x217F), (0x2460, 0x2473),
                   (0xFB00, 0xFB06), (0xFF01, 0xFF5E)]:
        for cp in range(lo, hi + 1):
            c = chr(cp)
            n = unicodedata.normalize("NFKC", c)
            if n != c:
                rules[c] = n
    for cp in list(range(0x01, 0x09)) + [0x0B, 0x0E, 0x1F, 0x7F, 0x200B, 0x200C, 0xFEFF]:
        rules[chr(cp)] = ""
    for base, mark in [("e", "\u0301"), ("a", "\u0300"), ("n", "\u0303"), ("u", "\u0308")]:
        rules[base + mark] = unicodedata.normalize("NFC", base + mark)
    return rules


def tokenizer_charsmap():
    full = charsmap(nfkc_rules())
    seeds = {}
    for k, t in enumerate(TEXTS):
        seeds["nfkc_%d" % k] = [full, t]
    seeds["tiny"] = [charsmap({"\uff21": "A", "\ufb01": "fi", "\u00a0": " "}), TEXTS[6]]
    seeds["removal"] = [charsmap({"x": "", "\u200b": ""}), b"x\xe2\x80\x8bax"]
    seeds["grapheme"] = [charsmap({"e\u0301": "\u00e9", "\U0001F469\u200d\U0001F4BB": "[coder]"}), TEXTS[7]]
    seeds["empty_trie"] = [struct.pack("<III", 8, 0, 0) + b"\0", b"abc"]
    return seeds


def data_labels():
    conll = b"O,B-PER,I-PER,B-ORG,I-ORG,B-LOC,I-LOC,B-MISC,I-MISC"
    return {
        "conll": [conll, b"", conll],
        "ontonotes_map": [b"O,B-PERSON,I-PERSON,B-GPE,I-GPE,B-ORG",
                          b"B-PERSON=B-PER,I-PERSON=I-PER,B-GPE=B-LOC,I-GPE=I-LOC", conll],
        "bioes_map": [b"O,S-PER,B-PER,I-PER,E-PER", b"S-PER=B-PER,E-PER=I-PER", b"O,B-PER,I-PER"],
        "unknown": [b"O,B-PER,B-DATE", b"B-DATE=O", b"O,B-PER"],
        "duplicate": [b"O,B-PER,O", b"", conll],
        "empty_name": [b"O,,B-PER", b"", conll],
        "bad_map": [conll, b"B-PER=B-PER=X,=O", conll],
    }


def shrink(db):
    """Drop hidden states and use 512-byte pages: a small seed, same schema."""
    con = sqlite3.connect(db)
    con.executescript("DELETE FROM hidden; PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;")
    con.close()
    with open(db, "rb") as f:
        return f.read()


def report_db(explainer):
    seeds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, runs in [("one_run", [["--limit", "3"]]), ("two_runs", [["--limit", "1"], ["--limit", "2"]])]:
            db = os.path.join(tmp, name + ".db")
            for args in runs:
                subprocess.run([explainer, "run", "--model", os.path.join(ROOT, "demo", "model"),
                                "--data", os.path.join(ROOT, "demo", "eval.conll"), "-q", "-o", db] + args,
                               check=True, stdout=subprocess.DEVNULL)
            seeds[name + ".db"] = shrink(db)
        # A perfect run: no misclassified word (report/errors.c once gave qsort NULL).
        db = os.path.join(tmp, "no_misses.db")
        with open(db, "wb") as f:
            f.write(seeds["one_run.db"])
        con = sqlite3.connect(db)
        con.executescript("UPDATE words SET pred = gold; UPDATE tokens SET pred = gold; VACUUM;")
        con.close()
        seeds["no_misses.db"] = read(db)
    return seeds


# fuzz_server_http.c's token and the headers of a request from the app itself.
TOKEN = "fuzz-token-0123456789abcdefghijklmnopqrstuv"
APP = "Host: 127.0.0.1:8765\nAuthorization: Bearer %s\nContent-Type: application/json" % TOKEN
COOKIE = "Host: localhost:8765\nCookie: theme=dark; xnr_token_8765=%s\nOrigin: http://localhost:8765" % TOKEN


def request(method, target, headers=APP, body=""):
    return [method.encode(), target.encode(), headers.encode(), body.encode()]


def server_http():
    gets = ["/", "/app/app.js", "/vendor/none.js", "/api/v1", "/api/v1/runs", "/api/v1/runs/1",
            "/api/v1/runs/1/sentences?sort=loss&order=desc&limit=5&skip_correct=1&words=1",
            "/api/v1/runs/1/sentences?sort=random&seed=42&gold=B-ORG&pred=O&min_loss=0.5",
            "/api/v1/runs/1/sentences?ids=3,17,42&sort=id&order=asc", "/api/v1/runs/1/sentences/2",
            "/api/v1/runs/1/metrics", "/api/v1/runs/1/metrics/examples?type=PER&kind=missed",
            "/api/v1/runs/1/confusions?top_words=3",
            "/api/v1/runs/1/loss/words?by=token&sort=mean&limit=5",
            "/api/v1/runs/1/loss/labels", "/api/v1/runs/1/words?sort=loss&limit=5&q=EU&errors=1",
            "/api/v1/runs/1/tokens?gold=B-PER&offset=2", "/api/v1/runs/1/words.csv",
            "/api/v1/runs/1/tokens.csv", "/api/v1/runs/1/settings", "/api/v1/runs/1/model",
            "/api/v1/runs/1/debug", "/api/v1/debug", "/api/v1/setup", "/api/v1/jobs",
            "/api/v1/runs/9", "/api/v1/runs/1/sentences/99999"]
    seeds = {}
    for i, target in enumerate(gets):
        seeds["get-%02d" % i] = request("GET", target)
    posts = {
        "run": ("POST", "/api/v1/runs", '{"model": "@DEMO@/model", "data": "@DEMO@/eval.conll", "limit": 3, "seed": 1}'),
        "run-outside": ("POST", "/api/v1/runs", '{"model": "/etc", "data": "/etc/passwd"}'),
        "sentences-by-ids": ("POST", "/api/v1/runs/1/sentences?words=1&sort=id", '{"ids": [1, 2, 3, 40]}'),
        "probe": ("POST", "/api/v1/runs/1/probe", '{"texts": ["EU rejects German call", "Zo\u00eb lives in K\u00f6ln"], "threshold": 0.6}'),
        "activations": ("POST", "/api/v1/runs/1/activations", '{"text": "Peter Blackburn flew to Brussels", "from_layer": 0, "k": 3, "seed": 7}'),
        "projection-pca": ("POST", "/api/v1/runs/1/projection", '{"method": "pca", "n": 50}'),
        "projection-umap": ("POST", "/api/v1/runs/1/projection", '{"method": "umap", "n": 100, "n_neighbors": 5, "min_dist": 0.3, "metric": "manhattan", "seed": 3}'),
        "duplicates": ("POST", "/api/v1/runs/1/duplicates", '{"threshold": 0.9, "limit": 10}'),
        "settings": ("PUT", "/api/v1/runs/1/settings", '{"classes": [{"name": "ORG", "color": "#0000FF", "icon": "🏦"}]}'),
        "settings-bad": ("PUT", "/api/v1/runs/1/settings", '{"classes": [{"name": "NOPE", "color": "red"}]}'),
        "not-json": ("POST", "/api/v1/runs/1/probe", '{"texts": ["unterminated'),
    }
    for name, (method, target, body) in posts.items():
        seeds["change-" + name] = request(method, target, body=body)
    # a job started, listed, read and cancelled in one input
    seeds["job-lifecycle"] = (request("POST", "/api/v1/runs/1/projection", body='{"method": "svd", "n": 40}')
                              + request("GET", "/api/v1/jobs") + request("GET", "/api/v1/jobs/1")
                              + request("DELETE", "/api/v1/jobs/1", headers=COOKIE))
    seeds["refused-host"] = request("GET", "/api/v1/runs", "Host: evil.example:8765\nAuthorization: Bearer " + TOKEN)
    seeds["refused-no-token"] = request("GET", "/", "Host: 127.0.0.1:8765\nAccept: text/html")
    seeds["refused-wrong-token"] = request("GET", "/api/v1/runs", "Host: [::1]:8765\nAuthorization: Bearer nope")
    seeds["token-in-url"] = request("GET", "/app/app.js?token=%s&x=1" % TOKEN, "Host: 127.0.0.1:8765")
    seeds["refused-text-plain"] = request("POST", "/api/v1/runs", APP.replace("application/json", "text/plain"), '{"limit": 3}')
    seeds["refused-origin"] = request("POST", "/api/v1/runs/1/probe", APP + "\nOrigin: http://evil.example\nSec-Fetch-Site: cross-site", '{"texts": ["x"]}')
    seeds["refused-method"] = request("OPTIONS", "/api/v1/runs")
    seeds["refused-large"] = request("POST", "/api/v1/runs/1/probe", APP + "\nContent-Length: 99999999", "{}")
    seeds["cookie-head"] = request("HEAD", "/api/v1/runs/1/words.csv", COOKIE)
    seeds["bad-target"] = request("GET", "/api/v1/runs/1/../../etc/passwd?a=%zz&a=2")
    return seeds


def server_db(explainer):
    """report_db's runs with their hidden states, and a run whose words hold
    what CSV and JSON must escape."""
    seeds = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "hidden.db")
        subprocess.run([explainer, "run", "--model", os.path.join(ROOT, "demo", "model"),
                        "--data", os.path.join(ROOT, "demo", "eval.conll"), "-q", "-o", db, "--limit", "2"],
                       check=True, stdout=subprocess.DEVNULL)
        con = sqlite3.connect(db)
        con.executescript("PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;")
        con.close()
        seeds["hidden.db"] = read(db)
        con = sqlite3.connect(db)
        con.execute("UPDATE words SET text = ? WHERE sentence_id = (SELECT min(sentence_id) FROM words) AND idx = 0", ("a,\"b\"\r\n",))
        con.execute("UPDATE words SET text = CAST(? AS TEXT) WHERE sentence_id = (SELECT max(sentence_id) FROM words) AND idx = 0", (b"x\x00,y",))
        con.execute("UPDATE runs SET model_path = '/dev/zero', data_path = '/proc/self/environ'")
        con.executescript("DELETE FROM hidden; VACUUM;")
        con.close()
        seeds["odd-words.db"] = read(db)
    return seeds


def tokenizer_spm():
    """The committed sentencepiece models (tests/gen/gen_spm.py) with texts, one cut short."""
    slow = os.path.join("tests", "fixtures", "tokenizers", "slow")
    seeds = {}
    for i, name in enumerate(["xlmr_unigram", "deberta_unigram", "bpe", "deberta_v3.spm"]):
        model = read(slow, name + ".model")
        assert SEP not in model, name
        seeds[name] = [model, TEXTS[i % len(TEXTS)]]
    seeds["truncated"] = [read(slow, "xlmr_unigram.model")[:1000], TEXTS[0]]
    return seeds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--explainer", help="the explainer binary, to make report_db and server_db seeds")
    a = ap.parse_args()
    write_corpus("model_config", model_config())
    write_corpus("model_shards", model_shards())
    write_corpus("tokenizer_encode", tokenizer_encode())
    write_corpus("tokenizer_legacy", tokenizer_legacy())
    write_corpus("tokenizer_charsmap", tokenizer_charsmap())
    write_corpus("tokenizer_spm", tokenizer_spm())
    write_corpus("data_labels", data_labels())
    write_corpus("server_http", server_http())
    if a.explainer:
        write_corpus("report_db", report_db(a.explainer))
        write_corpus("server_db", server_db(a.explainer))


if __name__ == "__main__":
    main()
