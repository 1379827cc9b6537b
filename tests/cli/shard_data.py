#!/usr/bin/python3
"""shard_data.py - a random CoNLL file of whole sentences of demo/eval.conll:
1 to 12 documents, each 1 to 15 sentences drawn from one demo article in
order; every fourth seed writes no -DOCSTART- lines (one document, which
`--shard` cuts at sentences). Prints "N_DOCS N_SENTENCES".

Usage: shard_data.py EVAL.conll OUT.conll SEED
"""
import random
import sys


def articles(path):
    docs, sent = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("-DOCSTART-"):
            docs.append([])
        elif not line.strip():
            if sent:
                docs[-1].append(sent)
            sent = []
        else:
            sent.append(line)
    if sent:
        docs[-1].append(sent)
    return [d for d in docs if d]


def main():
    src, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    pool = articles(src)
    markers = seed % 4 != 3
    n_docs, n_sents = rng.randint(1, 12), 0
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(n_docs):
            art = rng.choice(pool)
            k = rng.randint(1, min(15, len(art)))
            if markers:
                f.write("-DOCSTART- O\n\n")
            for s in sorted(rng.sample(range(len(art)), k)):
                f.write("\n".join(art[s]) + "\n\n")
            n_sents += k
    print(n_docs if markers else 1, n_sents)


main()
