#!/usr/bin/python3
"""gen_stats.py - the reference for src/analysis/stats.c: the bootstrap of
entity F1 over sentences (one run and two paired runs) and McNemar's test,
written independently of the C code from the definitions in stats.h, and
checked against numpy and scipy where they have the same function.

Writes tests/fixtures/stats/stats.json (read by tests/unit/test_analysis_stats.c):
  rng:      splitmix64 outputs and draws below n for a few seeds
  cases:    per-sentence counts (rows x types x [tp, pred, gold]) of runs a and b,
            bootstrap parameters, and every number xnr_stats_bootstrap_f1 returns
  mcnemar:  (n_ab, n_ba) with scipy's chi2.sf and binomtest p-values

The resampling uses the same PRNG as the C code (splitmix64, multiply-shift
draws), not numpy's, so the same seed draws the same sentences here and there.
Quantiles are numpy.quantile(method='linear') itself; the scores are plain
Python floats summed in the C code's order. Deterministic: re-running
reproduces the committed file byte for byte.

Usage: /usr/bin/python3 tests/gen/gen_stats.py [OUT.json]
"""
import json
import math
import os
import sys

import numpy as np
from scipy import stats as sps

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return (self.next() * n) >> 64


def f1(tp, n_pred, n_true):
    d = n_pred + n_true
    return 2.0 * tp / d if d else 0.0


def scores(sums):
    """micro, macro, each type's F1 of summed counts [[tp, pred, gold], ...]."""
    per = [f1(*s) for s in sums]
    macro = 0.0
    for v in per:
        macro += v
    tp = sum(s[0] for s in sums)
    npred = sum(s[1] for s in sums)
    ntrue = sum(s[2] for s in sums)
    return [f1(tp, npred, ntrue), macro / len(per) if per else 0.0] + per


def summed(counts, rows):
    n_cols = len(counts[0])
    out = [[0, 0, 0] for _ in range(n_cols)]
    for r in rows:
        for j in range(n_cols):
            for k in range(3):
                out[j][k] += counts[r][j][k]
    return out


def interval(est, values, level):
    q = (1.0 - level) / 2.0
    lo, hi = np.quantile(np.array(values, dtype=np.float64), [q, 1.0 - q], method="linear")
    return {"est": est, "lo": float(lo), "hi": float(hi)}


def bootstrap(a, b, seed, resamples, level):
    """What xnr_stats_bootstrap_f1 returns: per score [micro, macro, types...]
    the intervals of a, b, b - a and the p-value of the difference."""
    n = len(a)
    rng = SplitMix64(seed)
    est_a = scores(summed(a, range(n)))
    est_b = scores(summed(b, range(n)))
    m = len(est_a)
    va, vb, vd = ([[] for _ in range(m)] for _ in range(3))
    for _ in range(resamples):
        rows = [rng.below(n) for _ in range(n)]
        sa = scores(summed(a, rows))
        sb = scores(summed(b, rows))
        for j in range(m):
            va[j].append(sa[j])
            vb[j].append(sb[j])
            vd[j].append(sb[j] - sa[j])
    out = []
    for j in range(m):
        d = est_b[j] - est_a[j]
        extreme = sum(1 for x in vd[j] if abs(x - d) >= abs(d))
        out.append({"a": interval(est_a[j], va[j], level),
                    "b": interval(est_b[j], vb[j], level),
                    "diff": interval(d, vd[j], level),
                    "p_value": (1 + extreme) / (resamples + 1)})
    return out


def make_counts(gen, n_rows, n_cols, skill):
    """Per sentence and type: gold entities, predictions, true positives."""
    out = []
    for _ in range(n_rows):
        row = []
        for _ in range(n_cols):
            gold = int(gen.poisson(0.8))
            tp = int(gen.binomial(gold, skill))
            pred = tp + int(gen.poisson(0.25))
            row.append([tp, pred, gold])
        out.append(row)
    return out


def perturb(gen, counts):
    """Run b: the same gold, some sentences predicted differently."""
    out = []
    for row in counts:
        new = []
        for tp, pred, gold in row:
            if gen.random() < 0.2:
                tp = int(gen.binomial(gold, 0.9))
                pred = tp + int(gen.poisson(0.15))
            new.append([tp, pred, gold])
        out.append(new)
    return out


def mcnemar(n_ab, n_ba):
    n = n_ab + n_ba
    if n == 0:
        return {"n_ab": 0, "n_ba": 0, "chi2": 0.0, "p_chi2": 1.0, "p_exact": 1.0}
    d = abs(n_ab - n_ba) - 1.0
    chi2 = d * d / n if d > 0 else 0.0
    return {"n_ab": n_ab, "n_ba": n_ba, "chi2": chi2,
            "p_chi2": float(sps.chi2.sf(chi2, 1)),
            "p_exact": float(sps.binomtest(min(n_ab, n_ba), n, 0.5).pvalue)}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "fixtures", "stats", "stats.json")
    gen = np.random.default_rng(20240611)
    rng = []
    for seed in (0, 1, 42, 2**63 + 5):
        g = SplitMix64(seed)
        rng.append({"seed": str(seed), "next": [str(g.next()) for _ in range(4)],
                    "below": [[n, g.below(n)] for n in (1, 2, 3, 1000, 3453, 2**40 + 7)]})
    cases = []
    for name, n_rows, n_cols, seed, resamples, level in (
            ("small", 12, 3, 7, 200, 0.95),
            ("medium", 150, 4, 1, 1000, 0.95),
            ("level90", 60, 2, 99, 333, 0.90),
            ("one_type", 40, 1, 2**63 + 5, 101, 0.95)):
        a = make_counts(gen, n_rows, n_cols, 0.7)
        b = perturb(gen, a)
        cases.append({"name": name, "seed": str(seed), "resamples": resamples, "level": level,
                      "a": a, "b": b, "paired": bootstrap(a, b, seed, resamples, level),
                      "single": bootstrap(a, a, seed, resamples, level)})
    tests = [mcnemar(*p) for p in ((0, 0), (1, 0), (3, 3), (5, 1), (12, 30), (7, 19),
                                   (100, 130), (480, 560), (2000, 1890), (0, 25))]
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump({"generator": "tests/gen/gen_stats.py", "rng": rng, "cases": cases,
                   "mcnemar": tests}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
