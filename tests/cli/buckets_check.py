#!/usr/bin/python3
"""buckets_check.py - checks the buckets of `explainer report --buckets --json`
(report.h: xnr_report_buckets) against a small independent implementation of
ExplainaBoard's NER attributes and bucketing (processors/named_entity_recognition.py,
analysis/bucketing.py; shared/reference/ner-analysis.md 2.6), written from the
run database alone (sqlite3: words, sentences, entities, issue_runs).

Edges, counts and F1 must be equal; the bootstrap intervals (gen_stats.py's
SplitMix64 draws of sentences, numpy's linear quantile) equal to 1e-9.
Documented differences from ExplainaBoard kept here too: lower-casing and
capitalisation look at ASCII letters only, and intervals resample sentences.

Usage: buckets_check.py RUN.db REPORT.json
Exits 1 with the first difference, after printing what was checked.
"""
import json
import os
import sqlite3
import sys
from collections import Counter, defaultdict

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen"))
import gen_stats  # noqa: E402

TOL = 1e-9
ATTRS = ["span_length", "sentence_length", "entity_density", "oov_rate",
         "token_frequency_rank", "entity_frequency", "label_consistency", "capitalisation",
         "relative_position", "document"]
DISCRETE = {"capitalisation", "document"}
CAPS = ["low_caps", "full_caps", "first_caps", "not_first_caps"]


def fail(msg):
    sys.exit("FAIL " + msg)


def lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def load(db, run):
    words = defaultdict(list)
    for s, t in db.execute("select sentence_id, text from words where run_id = ? "
                           "order by sentence_id, idx", (run,)):
        words[s].append(t or "")
    n = db.execute("select count(*) from sentences where run_id = ?", (run,)).fetchone()[0]
    docs = dict(db.execute("select id, doc_id from sentences where run_id = ?", (run,)))
    ents = {"gold": defaultdict(dict), "pred": defaultdict(dict)}
    for s, side, b, e, t in db.execute("select sentence_id, side, start, end, type from "
                                       "entities where run_id = ?", (run,)):
        ents[side][s][(b, e)] = t
    return {"sents": [words[i] for i in range(n)], "docs": [docs[i] for i in range(n)],
            "gold": ents["gold"], "pred": ents["pred"]}


def reference_stats(ref):
    """vocab ranks, efre_dic and econ_dic as ExplainaBoard's _statistics_func."""
    vocab = Counter(w for s in ref["sents"] for w in s)
    ranks = {c: i + 1 for i, c in enumerate(sorted(set(vocab.values()), reverse=True))}
    rank = {w: ranks[c] for w, c in vocab.items()}
    efre = Counter()
    for s, spans in ref["gold"].items():
        for (b, e) in spans:
            efre[lower(" ".join(ref["sents"][s][b:e]))] += 1
    longest = max((e - b for spans in ref["gold"].values() for (b, e) in spans), default=0)
    econ = defaultdict(Counter)
    for s, ws in enumerate(ref["sents"]):
        low = [lower(w) for w in ws]
        for b in range(len(ws)):
            for e in range(b + 1, min(len(ws), b + longest) + 1):
                key = " ".join(low[b:e])
                if key in efre:
                    econ[key][ref["gold"][s].get((b, e), "O")] += 1
    return rank, len(rank), efre, econ


def stream_econ(ref):
    """econ_dic as ExplainaBoard counts it: over the reference's sentences joined
    into one token stream, so an occurrence may run across a sentence's end (the
    C code and reference_stats count within sentences: a documented difference,
    whose size main() prints)."""
    words, chunk, off = [], {}, 0
    for s, ws in enumerate(ref["sents"]):
        for (b, e), t in ref["gold"][s].items():
            chunk[(off + b, off + e)] = t
        words += [lower(w) for w in ws]
        off += len(ws)
    prefixes, econ = set(), {}
    for (b, e) in chunk:
        for i in range(b + 1, e + 1):
            prefixes.add(" ".join(words[b:i]))
        econ.setdefault(" ".join(words[b:e]), Counter())
    for b in range(len(words)):
        for e in range(b + 1, len(words) + 1):
            key = " ".join(words[b:e])
            if key not in prefixes:
                break
            if key in econ:
                econ[key][chunk.get((b, e), "O")] += 1
    return econ


def caps(text):
    if not any("A" <= c <= "Z" for c in text):
        return 0
    if not any("a" <= c <= "z" for c in text):
        return 1
    return 2 if "A" <= text[0] <= "Z" else 3


def cases_and_features(run, ref_stats):
    rank, n_ranked, efre, econ = ref_stats
    cases, feats = [], []
    for s, ws in enumerate(run["sents"]):
        n = len(ws)
        spans = sorted(set(run["gold"][s]) | set(run["pred"][s]))
        ent_words = sum(e - b for (b, e) in run["gold"][s])
        oov = sum(1 for w in ws if w not in rank)
        mean_rank = sum(rank.get(w, n_ranked) for w in ws) / n if n else 0.0
        for (b, e) in spans:
            g, p = run["gold"][s].get((b, e), "O"), run["pred"][s].get((b, e), "O")
            text = " ".join(ws[b:e])
            key = lower(text)
            cnt = econ.get(key)
            cases.append((s, b, e, g, p, text))
            feats.append([e - b, n, ent_words / n, oov / n, mean_rank, efre.get(key, 0),
                          cnt[g] / sum(cnt.values()) if cnt else 0.0, caps(text), b / n,
                          run["docs"][s]])
    return cases, feats


def continuous(vals, k):
    """ExplainaBoard's analysis/bucketing.py `continuous`: [(lo, hi)]."""
    s = sorted(vals)
    n, out = len(s), []
    if not n:
        return out
    start, last, cutoff = s[0], s[0], n / float(k)
    for i, v in enumerate(s):
        if k - len(out) == 1 or v == s[-1]:
            out.append((start, s[-1]))
            break
        if v != last:
            if i >= cutoff:
                out.append((start, last))
                start = v
                cutoff = i + (n - i) / float(k - len(out))
            last = v
    return out


def discrete(vals, k):
    first, count = {}, Counter(vals)
    for i, v in enumerate(vals):
        first.setdefault(v, i)
    keep = sorted(count, key=lambda v: (-count[v], first[v]))[:k]
    return [(v, v) for v in keep]


def bucket_of(edges, kind, x):
    if kind == "discrete":
        return next((i for i, (lo, _) in enumerate(edges) if lo == x), -1)
    return next((i for i, (_, hi) in enumerate(edges) if x <= hi), len(edges) - 1)


def check_bucket(name, k, got, cases, feats, attr, edges, kind, n_sents, boot):
    idx = [i for i, f in enumerate(feats) if bucket_of(edges, kind, f[attr]) == k]
    tp = sum(1 for i in idx if cases[i][3] == cases[i][4] != "O")
    n_pred = sum(1 for i in idx if cases[i][4] != "O")
    n_gold = sum(1 for i in idx if cases[i][3] != "O")
    want = (len(idx), n_gold, n_pred, tp)
    if (got["cases"], got["gold"], got["pred"], got["tp"]) != want:
        fail(f"{name} bucket {k}: counts {got['cases'], got['gold'], got['pred'], got['tp']}, "
             f"the check {want}")
    if got["f1"] != gen_stats.f1(tp, n_pred, n_gold):
        fail(f"{name} bucket {k}: f1 {got['f1']!r}, the check {gen_stats.f1(tp, n_pred, n_gold)!r}")
    rows = np.zeros((n_sents, 3), dtype=np.int64)
    for i in idx:
        c = cases[i]
        rows[c[0]] += (c[3] == c[4] != "O", c[4] != "O", c[3] != "O")
    sums = rows[boot["draws"]].sum(axis=1)
    vals = [gen_stats.f1(int(t), int(p), int(g)) for t, p, g in sums]
    iv = gen_stats.interval(got["f1"], vals, boot["level"])
    for key in ("lo", "hi"):
        if abs(got[key] - iv[key]) > TOL:
            fail(f"{name} bucket {k}: {key} {got[key]!r}, the check {iv[key]!r}")
    wrong = [cases[i] for i in idx if cases[i][3] != cases[i][4]]
    right = [cases[i] for i in idx if cases[i][3] == cases[i][4]]
    want_s = [{"sentence": c[0], "start": c[1], "end": c[2], "text": c[5], "gold": c[3],
               "pred": c[4]} for c in (wrong + right)[:boot["samples"]]]
    if got["samples"] != want_s[:len(got["samples"])] or len(got["samples"]) != min(
            len(want_s), boot["samples_asked"]):
        fail(f"{name} bucket {k}: samples differ")


def draws(seed, resamples, n):
    rng = gen_stats.SplitMix64(seed)
    return np.array([[rng.below(n) for _ in range(n)] for _ in range(resamples)])


def main():
    db, rep = sqlite3.connect(sys.argv[1]), json.load(open(sys.argv[2]))
    b = rep.get("buckets", rep)
    first = b["runs"][0]["run"]
    row = db.execute("select reference_run from issue_runs where run_id = ?", (first,)).fetchone() \
        if db.execute("select 1 from sqlite_master where name = 'issue_runs'").fetchone() else None
    want_ref = row[0] if row and row[0] else first
    if b["reference"]["run"] != want_ref:
        fail(f"reference run {b['reference']['run']}, the database says {want_ref}")
    ref_stats = reference_stats(load(db, want_ref))
    bs = b["bootstrap"]
    runs = [load(db, r["run"]) for r in b["runs"]]
    cf = [cases_and_features(r, ref_stats) for r in runs]
    fixed = json.loads(os.environ.get("BUCKET_FIXED", "{}"))
    n_samples = int(os.environ.get("BUCKET_SAMPLES", "20"))
    checked = 0
    for j, run in enumerate(runs):
        if b["runs"][j]["cases"] != len(cf[j][0]):
            fail(f"run {b['runs'][j]['run']}: {b['runs'][j]['cases']} cases, the check {len(cf[j][0])}")
    for a, attr in enumerate(b["attributes"]):
        name = ATTRS[a]
        if attr["name"] != name:
            fail(f"attribute {a} is {attr['name']}, expected {name}")
        vals = [f[a] for f in cf[0][1]]
        if name in fixed:
            e = fixed[name]
            edges, kind = list(zip([None] + e, e + [None])), "fixed"
            edges = [(lo, hi if hi is not None else float("inf")) for lo, hi in edges]
        elif name in DISCRETE:
            edges, kind = discrete(vals, 10), "discrete"
        else:
            edges, kind = continuous(vals, 4), "continuous"
        if attr["kind"] != kind or len(attr["buckets"]) != len(edges):
            fail(f"{name}: {attr['kind']} {len(attr['buckets'])} buckets, the check {kind} {len(edges)}")
        for k, (bk, (lo, hi)) in enumerate(zip(attr["buckets"], edges)):
            if kind != "fixed" and (bk["lo"] != lo or bk["hi"] != hi):
                fail(f"{name} bucket {k}: [{bk['lo']}, {bk['hi']}], the check [{lo}, {hi}]")
            if name == "capitalisation" and bk["label"] != CAPS[int(lo)]:
                fail(f"{name} bucket {k}: label {bk['label']}")
            for j, run in enumerate(runs):
                n = len(run["sents"])
                boot = {"draws": DRAWS.setdefault(j, draws(bs["seed"], bs["resamples"], n)),
                        "level": bs["level"], "samples": n_samples, "samples_asked": n_samples}
                check_bucket(name, k, bk["runs"][j], *cf[j], a,
                             [(x if x is not None else -float("inf"), y) for x, y in edges],
                             kind, n, boot)
                checked += 1
    stream = ""
    if want_ref != first:
        econ, moved = stream_econ(load(db, want_ref)), 0
        for c, f in zip(*cf[0]):
            cnt = econ.get(lower(c[5]))
            moved += (cnt[c[3]] / sum(cnt.values()) if cnt else 0.0) != f[6]
        stream = (f"; counted across sentence ends as ExplainaBoard does, {moved} cases would "
                  f"have another label consistency")
    print(f"{checked} buckets of {len(runs)} run(s), {len(cf[0][0])} cases, reference run "
          f"{want_ref}: edges, counts and F1 equal, intervals within {TOL}{stream}")


DRAWS = {}

if __name__ == "__main__":
    main()
