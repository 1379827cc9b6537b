#!/usr/bin/env python3
"""calibration_check.py RUN.db REPORT.json RUN_ID - checks the "calibration" of
`explainer report --json` against a numpy recomputation from the database:
word confidence = words.prob_pred, right when pred = gold, grouped by the
predicted label's type (O apart); entity confidence = the lowest prob_pred of
a predicted entity's words, right when the gold side has its span and type;
equal-width bins, bin = min(floor(c * bins), bins - 1), ECE = sum over bins
of count / n * |accuracy - confidence|, MCE the largest gap. Every number to
1e-9; prints the largest difference."""
import json
import sqlite3
import sys

import numpy as np

db, rep, run = sqlite3.connect(sys.argv[1]), json.load(open(sys.argv[2])), int(sys.argv[3])
cal = rep["calibration"]
B = cal["bins"]
labels = dict(db.execute("select id, name from labels where run_id = ?", (run,)))
rows = db.execute("select sentence_id, idx, gold, pred, prob_pred from words where run_id = ?"
                  " order by sentence_id, idx", (run,)).fetchall()
conf = {(s, i): (np.nan if p is None else p) for s, i, g, pr, p in rows}


def wtype(label):
    return "O" if label == "O" else label.split("-", 1)[-1]


words = [(c if c is not None else np.nan, g == pr, wtype(labels[pr])) for s, i, g, pr, c in rows]
gold = set(db.execute("select sentence_id, start, end, type from entities where run_id = ?"
                      " and side = 'gold'", (run,)))
ents = []
for s, b, e, t in db.execute("select sentence_id, start, end, type from entities where run_id = ?"
                             " and side = 'pred'", (run,)):
    ents.append((min(conf[(s, k)] for k in range(b, e)), (s, b, e, t) in gold, t))

worst = 0.0


def calib(items):
    c = np.array([x[0] for x in items], dtype=float)
    r = np.array([x[1] for x in items], dtype=float)
    keep = (c >= 0) & (c <= 1)
    c, r = c[keep], r[keep]
    b = np.minimum(np.floor(c * B).astype(int), B - 1)
    count = np.bincount(b, minlength=B)
    with np.errstate(invalid="ignore"):
        mc = np.bincount(b, weights=c, minlength=B) / count
        ma = np.bincount(b, weights=r, minlength=B) / count
    gap = np.abs(ma - mc)[count > 0]
    return {"n": len(c), "accuracy": r.mean(), "confidence": c.mean(),
            "ece": float(np.sum(count[count > 0] / len(c) * gap)), "mce": float(gap.max()),
            "count": count, "bins_conf": mc, "bins_acc": ma}


def same(got, want, where):
    global worst
    assert got["n"] == want["n"], (where, got["n"], want["n"])
    assert got["bins"]["count"] == want["count"].tolist(), where
    for k in ("accuracy", "confidence", "ece", "mce"):
        worst = max(worst, abs(got[k] - want[k]))
        assert abs(got[k] - want[k]) <= 1e-9, (where, k, got[k], want[k])
    for k, w in (("confidence", want["bins_conf"]), ("accuracy", want["bins_acc"])):
        for g, x in zip(got["bins"][k], w):
            assert (g is None) == bool(np.isnan(x)), (where, k, g, x)
            if g is not None:
                worst = max(worst, abs(g - x))
                assert abs(g - x) <= 1e-9, (where, k, g, x)


for level, items in (("word", words), ("entity", ents)):
    got = cal[level]
    same(got["all"], calib(items), level)
    types = sorted({t for c, r, t in items if 0 <= c <= 1})
    assert sorted(got["types"]) == types, (level, sorted(got["types"]), types)
    for t in types:
        same(got["types"][t], calib([x for x in items if x[2] == t]), (level, t))
print("calibration of %d words and %d entities as numpy's, max difference %.1e"
      % (len(words), len(ents), worst))
