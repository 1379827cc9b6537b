#!/usr/bin/env python3
"""check_eval.py - validates demo/eval.conll, the hand-written demo evaluation set (issue #3).

Checks, and exits non-zero if any fails:
  * every non-blank line has exactly two space-separated columns: `word tag`;
  * every tag is one of O, B-/I- PER, ORG, LOC, MISC (`-DOCSTART- O` lines separate documents);
  * IOB2 is well formed (an I-X only after B-X or I-X) everywhere EXCEPT at exactly the
    positions of the deliberate mistakes listed in demo/README.md (EXPECTED_INVALID below);
  * at least 320 sentences.
Then prints the counts quoted in demo/README.md: documents, sentences, tokens, entities per type,
and counts of the hard cases (all-caps headlines, long entities, same-type lists, ambiguous
surface forms, nested-looking spans, lowercase entities, entities at sentence start and end).
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


def spans(sent):
    """Entities of one sentence as (start, end, type), conlleval-style."""
    out, start, typ = [], None, None
    tags = [t for _, t, _ in sent] + ["O"]
    for i, t in enumerate(tags):
        if start is not None and not (t.startswith("I-") and t[2:] == typ):
            out.append((start, i, typ))
            start = None
        if t.startswith("B-") or (t.startswith("I-") and start is None):
            start, typ = i, t[2:]
    return out


def hard_cases(docs):
    """Counts of the deliberate hard cases, by simple surface rules."""
    sents = [s for doc in docs for s in doc]
    forms, ents = {}, []
    for s in sents:
        for w, t, _ in s:
            forms.setdefault(w[:1].upper() + w[1:].lower() if w[:1].isupper() else w,
                             set()).add(t[2:] if t != "O" else "O")
        ents += [(s, b, e, ty) for b, e, ty in spans(s)]
    single = {s[b][0].lower() for s, b, e, ty in ents if e - b == 1 and ty in ("LOC", "PER")}
    sep = {",", "and", "or"}
    same_type = 0
    for s in sents:
        sp = spans(s)
        for (b1, e1, t1), (b2, _, t2) in zip(sp, sp[1:]):
            if t1 == t2 and all(s[k][0] in sep for k in range(e1, b2)) and b2 - e1 <= 1:
                same_type += 1

    def last(s):
        """Index of the last word, ignoring one closing punctuation token."""
        return len(s) - 2 if s[-1][0] in {".", ":", '"'} else len(s) - 1
    return {
        "all-caps headlines": sum(1 for s in sents if len(s) > 3 and all(
            not w.isalpha() or w.isupper() for w, _, _ in s)),
        "entities of 5+ tokens": sum(1 for _, b, e, _ in ents if e - b >= 5),
        "same-type neighbours (adjacent or split by , / and)": same_type,
        "same-type neighbours directly adjacent (B-X B-X)": sum(
            1 for s in sents for (_, e1, t1), (b2, _, t2) in zip(spans(s), spans(s)[1:])
            if t1 == t2 and e1 == b2),
        "ambiguous capitalised forms (2+ entity types)": sum(
            1 for w, t in forms.items() if w[:1].isupper() and len(t - {"O"}) > 1),
        "nested-looking spans": sum(1 for s, b, e, ty in ents if e - b > 1 and any(
            s[k][0].lower() in single for k in range(b, e))),
        "lowercase-initial entities": sum(1 for s, b, _, _ in ents if s[b][0][:1].islower()),
        "entity words with inner capitals (iPhone, VfB)": sum(
            1 for s, b, e, _ in ents for w, _, _ in s[b:e]
            if any(x.islower() and y.isupper() for x, y in zip(w, w[1:]))),
        "entities at sentence start": sum(1 for _, b, _, _ in ents if b == 0),
        "entities at sentence end": sum(1 for s, _, e, _ in ents if e - 1 >= last(s)),
    }


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
    print("hard cases: " + ", ".join(f"{k} {v}" for k, v in hard_cases(docs).items()))
    print(f"invalid IOB2 transitions: {len(invalid)} (all at listed deliberate mistakes)"
          if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
