#!/usr/bin/env python3
"""label_noise.py - inject label noise we control into a CoNLL file, for
measuring how well `explainer issues` finds label errors (bench/issues.sh).

Entities are read from the tag column (IOB2; an I- that starts a span
opens one, as conlleval). A fraction RATE of them is corrupted, the four
kinds in turn (type swaps, boundary shifts, deleted entities, invented
entities), each touching words no earlier change touched:
  type      the entity keeps its span and takes another type
  boundary  one word more (an O neighbour) or one word less, at either end
  delete    the entity's words become O
  invent    an O word that starts with a capital letter (and is neither an
            entity's neighbour nor the sentence's first word), or any word of
            letters when there is none, becomes a one-word entity of a
            random type
Everything else of the file (other columns, -DOCSTART- lines, comments,
blank lines) is copied byte for byte. The truth is written as JSON:
{"n_entities", "changes": [{"sentence": i, "words": [j, ...], "kind"}]},
sentences counted from 0 in file order, as `explainer run` numbers them.

usage: label_noise.py IN.conll OUT.conll TRUTH.json --rate 0.05 --seed 1
       [--kinds type,boundary,delete,invent]
"""
import argparse
import json
import random


def read(path):
    """(lines, sentences): sentences are lists of [line index, tag] per word."""
    lines = open(path, encoding="utf-8").read().split("\n")
    sentences, cur = [], []
    for i, line in enumerate(lines):
        cols = line.split()
        if not cols or cols[0] == "-DOCSTART-" or line.startswith("#"):
            if not cols and cur:
                sentences.append(cur)
                cur = []
            continue
        cur.append([i, cols[-1]])
    if cur:
        sentences.append(cur)
    return lines, sentences


def entities(tags):
    """[(start, end, type)] of an IOB2 tag list, conlleval's way."""
    out, start, typ = [], None, None
    for j, t in enumerate(tags + ["O"]):
        p, ty = (t[0], t[2:]) if len(t) > 2 and t[1] == "-" else ("O", None)
        if start is not None and (p != "I" or ty != typ):
            out.append((start, j, typ))
            start = None
        if p == "B" or (p == "I" and start is None):
            start, typ = j, ty
    return out


def set_span(tags, start, end, typ):
    for j in range(start, end):
        tags[j] = ("B-" if j == start else "I-") + typ


def word_of(lines, entry):
    return lines[entry[0]].split()[0]


class Noiser:
    def __init__(self, lines, sentences, rng):
        self.lines, self.sents, self.rng = lines, sentences, rng
        self.tags = [[w[1] for w in s] for s in sentences]
        self.touched = [set() for _ in sentences]
        self.types = sorted({e[2] for t in self.tags for e in entities(t)})
        self.pool = [(i, e) for i, t in enumerate(self.tags) for e in entities(t)]
        rng.shuffle(self.pool)

    def free(self, i, lo, hi):
        return not any(j in self.touched[i] for j in range(lo - 1, hi + 1))

    def take(self):
        while self.pool:
            i, e = self.pool.pop()
            if self.free(i, e[0], e[1]) and entities(self.tags[i]).count(e):
                return i, e
        return None

    def type(self):
        got = self.take()
        if not got:
            return None
        i, (s, e, t) = got
        set_span(self.tags[i], s, e, self.rng.choice([x for x in self.types if x != t]))
        return i, list(range(s, e))

    def boundary(self):
        while True:
            got = self.take()
            if not got:
                return None
            i, (s, e, t) = got
            tags, n = self.tags[i], len(self.tags[i])
            opts = []
            if s > 0 and tags[s - 1] == "O" and (s < 2 or tags[s - 2] == "O"):
                opts.append(("left+", s - 1, e, [s - 1, s]))
            if e < n and tags[e] == "O" and (e + 1 >= n or not tags[e + 1].startswith("I-")):
                opts.append(("right+", s, e + 1, [e]))
            if e - s >= 2:
                opts += [("left-", s + 1, e, [s, s + 1]), ("right-", s, e - 1, [e - 1])]
            if not opts:
                continue
            _, ns, ne, changed = self.rng.choice(opts)
            for j in range(s, e):
                tags[j] = "O"
            set_span(tags, ns, ne, t)
            return i, changed

    def delete(self):
        got = self.take()
        if not got:
            return None
        i, (s, e, _) = got
        for j in range(s, e):
            self.tags[i][j] = "O"
        return i, list(range(s, e))

    def invent(self):
        cands, loose = [], []
        for i, tags in enumerate(self.tags):
            for j, t in enumerate(tags):
                if t != "O" or not self.free(i, j, j + 1):
                    continue
                if (j > 0 and tags[j - 1] != "O") or (j + 1 < len(tags) and tags[j + 1] != "O"):
                    continue
                w = word_of(self.lines, self.sents[i][j])
                if w.isalpha():
                    (cands if j > 0 and w[0].isupper() else loose).append((i, j))
        pick = cands or loose
        if not pick:
            return None
        i, j = self.rng.choice(pick)
        self.tags[i][j] = "B-" + self.rng.choice(self.types)
        return i, [j]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("truth")
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--kinds", default="type,boundary,delete,invent")
    a = ap.parse_args()
    lines, sents = read(a.src)
    nz = Noiser(lines, sents, random.Random(a.seed))
    n_ent = len(nz.pool)
    kinds = a.kinds.split(",")
    changes = []
    for c in range(round(a.rate * n_ent)):
        kind = kinds[c % len(kinds)]
        got = getattr(nz, kind)()
        if got:
            i, words = got
            nz.touched[i].update(words)
            changes.append({"sentence": i, "words": sorted(words), "kind": kind})
    for i, s in enumerate(sents):
        for (li, old), new in zip(s, nz.tags[i]):
            if old != new:
                line = lines[li]
                cut = line.rstrip().rfind(old)
                lines[li] = line[:cut] + new + line[cut + len(old):]
    open(a.out, "w", encoding="utf-8").write("\n".join(lines))
    json.dump({"n_entities": n_ent, "changes": changes}, open(a.truth, "w"), indent=0)
    print(f"{a.out}: {len(changes)} changes to {n_ent} entities")


if __name__ == "__main__":
    main()
