#!/usr/bin/env python3
"""check_eval.py - validates demo/eval.conll, the hand-written demo evaluation set (issue #3).

Checks, and exits non-zero if any fails:
  * every non-blank line has exactly two space-separated columns: `word tag`;
  * every tag is one of O, B-/I- PER, ORG, LOC, MISC (`-DOCSTART- O` lines separate documents);
  * IOB2 is well formed (an I-X only after B-X or I-X) everywhere EXCEPT at exactly the
    positions of the deliberate mistakes listed in demo/README.md (EXPECTED_INVALID below);
  * at least 320 sentences.
Then prints the counts quoted in demo/README.md: documents, sentences, tokens, entities per type.
Entities are counted like conlleval / seqeval's default mode: an I-X that does not continue an
X span starts a new entity.
Usage: python3 demo/check_eval.py [path/to/eval.conll]
"""
import os
import sys

TAGS = {"O"} | {p + t for p in ("B-", "I-") for t in ("PER", "ORG", "LOC", "MISC")}
# (document, sentence in document, token in sentence), all 1-based: the invalid IOB2
# transitions that the deliberate mistakes 5 and 6 of demo/README.md introduce.
EXPECTED_INVALID = {(23, 8, 3), (11, 9, 4), (11, 9, 5)}
MIN_SENTENCES = 320


def read(path):
    """Returns documents as lists of sentences as lists of (word, tag, line number)."""
    docs, sent, errors = [], [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if sent:
                    docs[-1].append(sent)
                sent = []
                continue
            cols = line.split(" ")
            if len(cols) != 2 or not all(cols):
                errors.append(f"line {n}: expected 'word tag', got {line!r}")
                continue
            word, tag = cols
            if word == "-DOCSTART-":
                if sent:
                    errors.append(f"line {n}: -DOCSTART- inside a sentence")
                docs.append([])
                continue
            if tag not in TAGS:
                errors.append(f"line {n}: unknown tag {tag!r}")
            if not docs:
                errors.append(f"line {n}: text before the first -DOCSTART-")
                docs.append([])
            sent.append((word, tag, n))
    if sent:
        docs[-1].append(sent)
    return docs, errors


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "eval.conll")
    docs, errors = read(path)
    invalid = set()
    counts = {t: 0 for t in ("PER", "ORG", "LOC", "MISC")}
    tokens = sentences = 0
    for d, doc in enumerate(docs, 1):
        for s, sent in enumerate(doc, 1):
            sentences += 1
            prev = "O"
            for i, (_, tag, _) in enumerate(sent, 1):
                tokens += 1
                if tag.startswith("I-") and prev[2:] != tag[2:]:
                    invalid.add((d, s, i))
                if tag.startswith("B-") or (tag.startswith("I-") and prev[2:] != tag[2:]):
                    counts[tag[2:]] += 1
                prev = tag
    for pos in sorted(invalid - EXPECTED_INVALID):
        errors.append("invalid IOB2 at doc %d sentence %d token %d (not a listed mistake)" % pos)
    for pos in sorted(EXPECTED_INVALID - invalid):
        errors.append("listed mistake at doc %d sentence %d token %d is missing" % pos)
    if sentences < MIN_SENTENCES:
        errors.append(f"only {sentences} sentences, want >= {MIN_SENTENCES}")
    for e in errors:
        print("error:", e, file=sys.stderr)
    print(f"documents {len(docs)}, sentences {sentences}, tokens {tokens}, "
          f"entities {sum(counts.values())}: " +
          ", ".join(f"{t} {c}" for t, c in counts.items()))
    print(f"invalid IOB2 transitions: {len(invalid)} (all at listed deliberate mistakes)"
          if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
