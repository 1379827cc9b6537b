#!/usr/bin/python3
"""compare_check.py - checks `explainer compare --json` (report/compare.h) the way
a data scientist would: from the run database alone (sqlite3: the runs' stored
entity spans, words and labels), with the bootstrap of tests/gen/gen_stats.py
(the same PRNG and resampling, numpy's quantile) and scipy's McNemar p-values.

Usage: compare_check.py RUN.db COMPARE.json
Exits 1 with the first difference, after printing what was checked.
"""
import json
import os
import sqlite3
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen"))
import gen_stats  # noqa: E402

TOL = 1e-9


def near(got, want, what):
    if abs(got - want) > TOL * (1 + abs(want)):
        sys.exit(f"FAIL {what}: compare says {got!r}, the check {want!r}")


def load(db, run):
    """Sentences (id -> text, n_words), labels, words' gold/pred, entity sets."""
    sents = {i: (t, n) for i, t, n in db.execute(
        "select id, text, n_words from sentences where run_id = ?", (run,))}
    labels = dict(db.execute("select id, name from labels where run_id = ?", (run,)))
    words = defaultdict(list)
    for s, g, p in db.execute("select sentence_id, gold, pred from words where run_id = ? "
                              "order by sentence_id, idx", (run,)):
        words[s].append((labels[g], labels[p]))
    ents = {"gold": defaultdict(set), "pred": defaultdict(set)}
    for s, side, b, e, t in db.execute("select sentence_id, side, start, end, type from "
                                       "entities where run_id = ?", (run,)):
        ents[side][s].add((b, e, t))
    return {"sents": sents, "labels": set(labels.values()), "words": words, "ents": ents}


def pair(run_a, run_b, by):
    if by == "index":
        return [(i, i) for i in sorted(run_a["sents"])]
    pool = defaultdict(list)
    for i in sorted(run_b["sents"]):
        pool[run_b["sents"][i]].append(i)
    pairs = []
    for i in sorted(run_a["sents"]):
        if pool[run_a["sents"][i]]:
            pairs.append((i, pool[run_a["sents"][i]].pop(0)))
    return pairs


def counts(run, ids, types):
    """Per paired sentence, per type: [tp, pred, gold]."""
    out = []
    for s in ids:
        g, p = run["ents"]["gold"][s], run["ents"]["pred"][s]
        out.append([[len({x for x in p & g if x[2] == t}), len({x for x in p if x[2] == t}),
                     len({x for x in g if x[2] == t})] for t in types])
    return out


def decisions(A, B, pairs):
    """McNemar's counts and the sentence kinds, as compare.h defines them."""
    n = n_ab = n_ba = differs = 0
    kinds = {"fixed": 0, "regressed": 0, "both_wrong": 0}
    ents = {"fixed": 0, "regressed": 0}
    for a, b in pairs:
        g, gb = A["ents"]["gold"][a], B["ents"]["gold"][b]
        pa, pb = A["ents"]["pred"][a], B["ents"]["pred"][b]
        if g != gb:
            differs += 1
            continue
        for u in g | pa | pb:
            right_a, right_b = (u in pa) == (u in g), (u in pb) == (u in g)
            n += 1
            n_ab += right_a and not right_b
            n_ba += right_b and not right_a
            ents["fixed"] += right_b and not right_a
            ents["regressed"] += right_a and not right_b
        if pa != pb and not (pa == g and pb == g):
            kinds["fixed" if pb == g else "regressed" if pa == g else "both_wrong"] += 1
    return n, n_ab, n_ba, differs, kinds, ents


def check_scores(got, ca, cb, types, boot):
    seed, resamples, level = int(boot["seed"]), boot["resamples"], boot["level"]
    ref = gen_stats.bootstrap(ca, cb, seed, resamples, level)
    rows = [("micro", got["micro"])] + [(t["type"], t) for t in got["types"]] + [
        ("macro", got["macro"])]
    order = {"micro": 0, "macro": 1}
    for name, row in rows:
        r = ref[order[name]] if name in order else ref[2 + types.index(name)]
        for side in ("a", "b"):
            for k, key in (("est", "f1"), ("lo", "lo"), ("hi", "hi")):
                near(row[side][key], r[side][k], f"{name} {side} {key}")
        for k, key in (("est", "f1"), ("lo", "lo"), ("hi", "hi")):
            near(row["diff"][key], r["diff"][k], f"{name} diff {key}")
        near(row["diff"]["p_value"], r["p_value"], f"{name} p-value")
    for t, row in zip(types, got["types"]):
        j = types.index(t)
        for side, c in (("a", ca), ("b", cb)):
            tp = sum(x[j][0] for x in c)
            npred = sum(x[j][1] for x in c)
            ntrue = sum(x[j][2] for x in c)
            near(row[side]["precision"], tp / npred if npred else 0.0, f"{t} {side} precision")
            near(row[side]["recall"], tp / ntrue if ntrue else 0.0, f"{t} {side} recall")
            if row[side]["support"] != ntrue:
                sys.exit(f"FAIL {t} {side} support {row[side]['support']} != {ntrue}")


def check_lists(got, A, B):
    for kind, lst in got["sentences"].items():
        for it in lst["items"]:
            a, b = it["a_id"], it["b_id"]
            if [w for w in it["gold"]] != [g for g, _ in A["words"][a]] or \
               it["pred_a"] != [p for _, p in A["words"][a]] or \
               it["pred_b"] != [p for _, p in B["words"][b]] or \
               " ".join(it["words"]) != A["sents"][a][0]:
                sys.exit(f"FAIL {kind} sentence {a}: words or labels differ from the database")
    for kind, lst in got["entities"].items():
        for e in lst["items"]:
            ga = A["ents"]["gold"][e["a_id"]]
            span = (e["start"], e["end"], e["type"])
            in_a = span in A["ents"]["pred"][e["a_id"]]
            in_b = span in B["ents"]["pred"][e["b_id"]]
            if (span in ga) != e["gold"] or (kind == "fixed") != (in_b == e["gold"]) or \
               in_a == in_b:
                sys.exit(f"FAIL {kind} entity {e}: not what the database says")


def main():
    db = sqlite3.connect(sys.argv[1])
    got = json.load(open(sys.argv[2]))
    A, B = load(db, got["a"]["id"]), load(db, got["b"]["id"])
    pairs = pair(A, B, got["pairing"]["by"])
    if got["pairing"]["pairs"] != len(pairs):
        sys.exit(f"FAIL pairs: {got['pairing']['pairs']} != {len(pairs)}")
    want_labels = {"only_a": sorted(A["labels"] - B["labels"]),
                   "only_b": sorted(B["labels"] - A["labels"])}
    if {k: sorted(v) for k, v in got["labels"].items()} != want_labels:
        sys.exit(f"FAIL labels {got['labels']} != {want_labels}")
    types = sorted({x[2] for r in (A, B) for side in r["ents"].values()
                    for s in side.values() for x in s})
    if [t["type"] for t in got["types"]] != types:
        sys.exit(f"FAIL types {[t['type'] for t in got['types']]} != {types}")
    ca = counts(A, [a for a, _ in pairs], types)
    cb = counts(B, [b for _, b in pairs], types)
    check_scores(got, ca, cb, types, got["bootstrap"])
    n, n_ab, n_ba, differs, kinds, ents = decisions(A, B, pairs)
    m = got["mcnemar"]
    ref = gen_stats.mcnemar(n_ab, n_ba)
    if (m["decisions"], m["a_only_right"], m["b_only_right"]) != (n, n_ab, n_ba) or \
            got["pairing"]["gold_differs"] != differs:
        sys.exit(f"FAIL decisions {m} gold_differs {got['pairing']['gold_differs']}: "
                 f"want {n} {n_ab} {n_ba} {differs}")
    for k in ("chi2", "p_chi2", "p_exact"):
        near(m[k], ref[k], f"mcnemar {k}")
    if got["type"] is None:
        for k, v in kinds.items():
            if got["sentences"][k]["total"] != v:
                sys.exit(f"FAIL {k} sentences {got['sentences'][k]['total']} != {v}")
        for k, v in ents.items():
            if got["entities"][k]["total"] != v:
                sys.exit(f"FAIL {k} entities {got['entities'][k]['total']} != {v}")
    check_lists(got, A, B)
    print(f"pairs {len(pairs)} by {got['pairing']['by']}, {len(types)} types, "
          f"{n} decisions ({n_ab} A only, {n_ba} B only), gold differs on {differs}, "
          f"sentences {kinds}, micro diff {got['micro']['diff']['f1']:+.4f} "
          f"[{got['micro']['diff']['lo']:+.4f}, {got['micro']['diff']['hi']:+.4f}] "
          f"p {got['micro']['diff']['p_value']:.4f}")


if __name__ == "__main__":
    main()
