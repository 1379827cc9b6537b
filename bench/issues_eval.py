#!/usr/bin/env python3
"""issues_eval.py - how well the label-issue rankings of `explainer issues`
find known label errors: noise injected by label_noise.py (its truth JSON),
or the 12 deliberate mistakes of demo/eval.conll (--demo). Reads the scores
from the run database; for every signal alone, the combination, and the
cleanlab-style self-confidence baseline of the same run, prints precision
and recall at k (k = the number of true errors), AUROC and AUPRC of the word
ranking and of the sentence ranking (a sentence is an error when one of its
words is). --json prints the numbers as one object; --grid searches the
weights of the combination (same formula as src/issues/combine.c).

usage: issues_eval.py RUN.db RUN_ID (TRUTH.json | --demo) [--json]
       issues_eval.py RUN.db RUN_ID --demo --dominance
                       (for each mistake, the sentences that outscore it on every signal)
       issues_eval.py --aggregate RESULT.json...   (mean of --json results, markdown)
       issues_eval.py --grid MANIFEST              (weights; lines: DB RUN TRUTH)
"""
import json
import math
import sqlite3
import sys

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

# The demo's mistakes (demo/README.md): document, sentence in it, first token, tokens.
DEMO = [(11, 5, 2, 1), (14, 12, 1, 1), (8, 8, 1, 2), (6, 3, 2, 3), (23, 8, 3, 2), (11, 9, 3, 4),
        (24, 9, 2, 2), (17, 4, 1, 1), (21, 1, 4, 1), (29, 3, 11, 3), (5, 5, 4, 1), (9, 3, 25, 2)]


def load(db, run):
    c = sqlite3.connect(db)
    rows = c.execute(
        "select s.sentence_id, s.idx, s.self_confidence, s.margin, s.cl_issue, s.knn_split,"
        " s.knn_ref, s.consistency, s.structure, s.combined from word_scores s"
        " where s.run_id = ? order by s.sentence_id, s.idx", (run,)).fetchall()
    a = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    sents = c.execute("select id, worst, softmin, combined from sentence_scores where run_id = ?"
                      " order by id", (run,)).fetchall()
    s = np.array([[np.nan if v is None else v for v in r] for r in sents], dtype=float)
    docs = c.execute("select id, doc_id from sentences where run_id = ? order by id",
                     (run,)).fetchall()
    return c, a, s, docs


def truth_noise(path, sid, idx, n_sents):
    t = json.load(open(path))
    words = {(ch["sentence"], j) for ch in t["changes"] for j in ch["words"]}
    yw = np.array([(int(a), int(b)) in words for a, b in zip(sid, idx)])
    ys = np.zeros(n_sents, bool)
    for ch in t["changes"]:
        ys[ch["sentence"]] = True
    return yw, ys


def truth_demo(docs, sid, idx, n_sents):
    by_doc = {}
    for s, d in docs:
        by_doc.setdefault(d, []).append(s)
    words, ys = set(), np.zeros(n_sents, bool)
    for d, s, t, n in DEMO:
        sent = by_doc[d - 1][s - 1]
        ys[sent] = True
        words |= {(sent, t - 1 + j) for j in range(n)}
    yw = np.array([(int(a), int(b)) in words for a, b in zip(sid, idx)])
    return yw, ys


def softmin_sentences(sid, n_sents, q, t=0.05):
    """1 - cleanlab's softmin of the word qualities q per sentence."""
    out = np.zeros(n_sents)
    starts = np.searchsorted(sid, np.arange(n_sents + 1))
    for s in range(n_sents):
        x = q[starts[s]:starts[s + 1]]
        if len(x):
            w = np.exp((x.min() - x) / t)
            out[s] = 1 - (x * w).sum() / w.sum()
    return out


def metrics(y, score):
    k = int(y.sum())
    order = np.argsort(-score, kind="stable")
    hit = y[order[:k]].sum()
    return {"p_at_k": hit / k if k else math.nan, "r_at_k": hit / k if k else math.nan,
            "auroc": roc_auc_score(y, score), "auprc": average_precision_score(y, score)}


def word_signals(a):
    sc, mg, cl, ks, kr, cons, st, comb = (a[:, i] for i in range(2, 10))
    nb = np.where(np.isnan(kr), ks, kr)
    z = lambda v: np.nan_to_num(v, nan=0.0)
    return {
        "self-confidence (baseline)": z(1 - sc),
        "normalized margin": z(1 - mg),
        "confident learning": cl + 1e-3 * z(1 - sc),
        "neighbours (split)": z(ks),
        "neighbours (reference)": z(kr),
        "consistency": z(cons),
        "ill-formed tags": st,
        "combined": comb,
    }


def combine(a, wc, wn, wk):
    sc, cons, st = a[:, 2], a[:, 7], a[:, 8]
    nb = np.where(np.isnan(a[:, 6]), a[:, 5], a[:, 6])  # the reference's when there is one
    x = [1 - sc, nb, np.nan_to_num(cons)]
    w = [wc, wn, wk]
    num = sum(np.where(np.isnan(xi), 0, wi * np.nan_to_num(xi)) for xi, wi in zip(x, w))
    den = sum(np.where(np.isnan(xi), 0, wi) for xi, wi in zip(x, w))
    out = np.where(den > 0, num / np.where(den > 0, den, 1), 0)
    return np.where(st > 0, 1.0, out)


def evaluate(a, s, yw, ys, n_sents):
    sid = a[:, 0].astype(int)
    res = {}
    for name, score in word_signals(a).items():
        sent = softmin_sentences(sid, n_sents, 1 - np.clip(score, 0, 1))
        if name == "combined":
            sent = s[:, 3]
        if name.startswith("self-confidence"):
            sent = 1 - np.nan_to_num(s[:, 2], nan=1.0)  # cleanlab's softmin sentence score
        res[name] = {"words": metrics(yw, score), "sentences": metrics(ys, sent),
                     "sentence_ranks": None}
        order = np.argsort(-sent, kind="stable")
        rank = np.empty(n_sents, int)
        rank[order] = np.arange(1, n_sents + 1)
        res[name]["sentence_ranks"] = sorted(int(r) for r in rank[ys])
    return res


def dominance(a, docs, n_sents):
    """For each demo mistake, its word that scores highest (combined) and the
    sentences without a mistake holding a word at least as suspect on every
    signal the combination reads: 1 - self-confidence, the neighbours' vote
    (the reference's when there is one), consistency and ill-formed tags.
    "same evidence": the other word's consistency is missing exactly when the
    mistake's is (so even a score that treats a string seen nowhere else in
    its own way cannot tell them apart). Any score that does not decrease when
    a signal grows, with the sentence ranked by its worst word, ranks those
    sentences at or above the mistake's: when there are 30 or more, the
    mistake cannot be in the top 30 whatever the weights."""
    sid, idx = a[:, 0].astype(int), a[:, 1].astype(int)
    conf = np.nan_to_num(1 - a[:, 2], nan=0.0)
    nb = np.nan_to_num(np.where(np.isnan(a[:, 6]), a[:, 5], a[:, 6]), nan=0.0)
    cons, st, comb = a[:, 7], np.nan_to_num(a[:, 8]), a[:, 9]
    by_doc = {}
    for s, d in docs:
        by_doc.setdefault(d, []).append(s)
    mistake_sents = {by_doc[d - 1][s - 1] for d, s, _, _ in DEMO}
    pos = {(int(x), int(y)): i for i, (x, y) in enumerate(zip(sid, idx))}
    worst = np.full(n_sents, -np.inf)
    np.maximum.at(worst, sid, np.nan_to_num(comb, nan=0.0))
    order = np.argsort(-worst, kind="stable")
    rank = np.empty(n_sents, int)
    rank[order] = np.arange(1, n_sents + 1)
    print(f"{'mistake':>7s} {'word':>5s} {'1-conf':>6s} {'neigh':>6s} {'cons':>6s} {'rank':>5s}"
          f" {'dominated by (any evidence)':>28s} {'(same evidence)':>16s}")
    out = []
    for m, (d, s, t, n) in enumerate(DEMO, 1):
        sent = by_doc[d - 1][s - 1]
        ws = [pos[(sent, t - 1 + j)] for j in range(n) if (sent, t - 1 + j) in pos]
        w = max(ws, key=lambda i: np.nan_to_num(comb[i], nan=0.0))
        k_missing = np.isnan(cons[w])
        k = 0.0 if k_missing else cons[w]
        dom = (conf >= conf[w]) & (nb >= nb[w]) & (np.nan_to_num(cons, nan=0.0) >= k) & (st >= st[w])
        other = np.array([x not in mistake_sents for x in sid])
        same = np.isnan(cons) if k_missing else ~np.isnan(cons)
        n_any = len(set(sid[dom & other]))
        n_same = len(set(sid[dom & other & same]))
        out.append((m, n_any, n_same))
        print(f"{m:7d} {int(idx[w]) + 1:5d} {conf[w]:6.3f} {nb[w]:6.3f} "
              f"{'-' if k_missing else f'{k:.3f}':>6s} {rank[sent]:5d} {n_any:28d} {n_same:16d}")
    blocked = [m for m, n_any, _ in out if n_any >= 30]
    print(f"mistakes that no monotone weighting can lift into the top 30 (worst-word sentences): "
          f"{blocked or 'none'}")


def grid(manifest):
    """Mean word and sentence AUPRC of combination weights over the runs of a
    manifest (lines: DB RUN TRUTH), neighbours taken from the split (what
    src/issues/combine.c does), the reference or their mean."""
    runs = []
    for line in open(manifest):
        db, run, truth = line.split()
        c, a, s, docs = load(db, int(run))
        sid, idx = a[:, 0].astype(int), a[:, 1].astype(int)
        runs.append((a, sid, len(s)) + truth_noise(truth, sid, idx, len(s)))
    for nb in ("split", "reference", "mean"):
        for wc in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            for wn in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
                wk = round(1 - wc - wn, 2)
                if wk < 0.1:
                    continue
                w, t = [], []
                for a, sid, n_sents, yw, ys in runs:
                    b = a.copy()
                    if nb == "split":
                        b[:, 6] = np.nan
                    elif nb == "mean":
                        b[:, 6] = np.where(np.isnan(a[:, 6]), a[:, 5], (a[:, 5] + a[:, 6]) / 2)
                    comb = combine(b, wc, wn, wk)
                    w.append(metrics(yw, comb)["auprc"])
                    t.append(metrics(ys, softmin_sentences(sid, n_sents, 1 - comb))["auprc"])
                print(f"{nb:9s} confidence {wc:.2f} neighbours {wn:.2f} consistency {wk:.2f}:"
                      f" word AUPRC {np.mean(w):.3f}, sentence AUPRC {np.mean(t):.3f}")


def aggregate(paths):
    """A markdown table of the mean of several --json results (same signals)."""
    res = [json.load(open(p)) for p in paths]
    print("| signal | words P@k=R@k | AUROC | AUPRC | sentences P@k=R@k | AUROC | AUPRC |")
    print("|---|---|---|---|---|---|---|")
    for name in res[0]:
        m = lambda lvl, k: np.mean([r[name][lvl][k] for r in res])
        print(f"| {name} | {m('words', 'p_at_k'):.3f} | {m('words', 'auroc'):.3f} | "
              f"{m('words', 'auprc'):.3f} | {m('sentences', 'p_at_k'):.3f} | "
              f"{m('sentences', 'auroc'):.3f} | {m('sentences', 'auprc'):.3f} |")


def main():
    if sys.argv[1] == "--aggregate":
        return aggregate(sys.argv[2:])
    if sys.argv[1] == "--grid":
        return grid(sys.argv[2])
    db, run = sys.argv[1], int(sys.argv[2])
    c, a, s, docs = load(db, run)
    n_sents = len(s)
    sid, idx = a[:, 0].astype(int), a[:, 1].astype(int)
    if sys.argv[3] == "--demo":
        yw, ys = truth_demo(docs, sid, idx, n_sents)
    else:
        yw, ys = truth_noise(sys.argv[3], sid, idx, n_sents)
    if "--dominance" in sys.argv:
        return dominance(a, docs, n_sents)
    res = evaluate(a, s, yw, ys, n_sents)
    if "--json" in sys.argv:
        print(json.dumps(res))
        return
    print(f"{int(yw.sum())} wrong words in {int(ys.sum())} sentences")
    print(f"{'signal':28s} {'words: P@k':>10s} {'AUROC':>6s} {'AUPRC':>6s} | "
          f"{'sentences: P@k':>14s} {'AUROC':>6s} {'AUPRC':>6s}")
    for name, r in res.items():
        w, t = r["words"], r["sentences"]
        print(f"{name:28s} {w['p_at_k']:10.3f} {w['auroc']:6.3f} {w['auprc']:6.3f} | "
              f"{t['p_at_k']:14.3f} {t['auroc']:6.3f} {t['auprc']:6.3f}")
    if sys.argv[3] == "--demo":
        for name, r in res.items():
            print(f"{name:28s} ranks of the mistakes' sentences: {r['sentence_ranks']}")


if __name__ == "__main__":
    main()
