#!/usr/bin/python3
"""gen_dups_fixture.py - the Find Duplicates fixture: near-duplicates planted
in demo/eval.conll (tests/fixtures/dups/planted.conll) and a small "train"
split that leaks three eval sentences (tests/fixtures/dups/train.conll).

planted.conll is demo/eval.conll (344 sentences, written for the demo, with
its own datelines and one natural near-duplicate pair) followed by a document
of eight edited copies of eval sentences, sentence ids 344-351:
  three with the same text and other gold labels (annotation inconsistencies),
  one exact copy, four near-duplicates (a word changed, a word added, two
  words changed, punctuation dropped and a year changed).
train.conll is twelve sentences written for it, two datelines among them, and
three eval sentences: an exact copy, one with other labels, one with a word
changed. Deterministic: re-running it rewrites the same bytes.

  /usr/bin/python3 tests/gen/gen_dups_fixture.py
"""
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "fixtures", "dups")


def read_conll(path):
    """[(line, [(word, tag)])] for every sentence, -DOCSTART- left out."""
    sents, cur = [], []
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if not parts:
            if cur:
                sents.append(cur)
            cur = []
        elif parts[0] != "-DOCSTART-":
            cur.append((parts[0], parts[-1]))
    if cur:
        sents.append(cur)
    return sents


def relabel(sent, word, tags):
    """sent with the labels of the words from `word` on set to tags."""
    out, at = list(sent), [w for w, _ in sent].index(word)
    for k, t in enumerate(tags):
        out[at + k] = (out[at + k][0], t)
    return out


def replace(sent, old, new, tag="O"):
    """sent with the first word `old` replaced by `new` (None: removed)."""
    out, at = list(sent), [w for w, _ in sent].index(old)
    if new is None:
        del out[at]
    else:
        out[at] = (new, tag if tag != "keep" else sent[at][1])
    return out


def insert(sent, before, word):
    at = [w for w, _ in sent].index(before)
    return sent[:at] + [(word, "O")] + sent[at:]


def planted(ev):
    """The eight planted copies, in the order they are appended (ids 344-351)."""
    no_punct = [(w, t) for w, t in ev[162] if w not in (",", ".")]
    return [
        # Same text, other labels (the digits differ: they fold to 0, so the text is the same).
        replace(relabel(ev[25], "Nasdaq", ["B-MISC"]), "2.8", "3.1"),
        replace(relabel(ev[98], "Leverkusen", ["B-LOC"]), "2-1", "3-1"),
        relabel(ev[230], "International", ["O", "B-ORG", "I-ORG"]),
        # An exact copy.
        list(ev[204]),
        # Near-duplicates.
        replace(ev[2], "week", "month"),
        insert(ev[47], "law", "new"),
        replace(replace(ev[118], "Thursday", "Wednesday"), "June", "July"),
        replace(no_punct, "2023", "2022", "keep"),
    ]


TRAIN_OWN = [
    "Heavy rain closed roads across Bavaria/B-LOC on Monday , police said .",
    "BERLIN/B-LOC 2024-03-01",
    "Siemens/B-ORG said it would build a plant near Munich/B-LOC .",
    "The mayor of Lyon/B-LOC opened a new tram line on Sunday .",
    "MADRID/B-LOC 2024-03-02",
    "Portugal/B-LOC beat Wales/B-LOC 2-0 in a friendly in Lisbon/B-LOC .",
    "Analysts expect the central bank to hold rates steady next month .",
    "Anna/B-PER Kowalska/I-PER won the regional chess title for a third time .",
    "The museum will reopen after a two-year renovation , its director said .",
    "Toyota/B-ORG recalled 40,000 vans over a faulty brake sensor .",
    "Farmers in Kenya/B-LOC reported the best maize harvest in a decade .",
    "Tickets for the Salzburg/B-MISC Festival/I-MISC sold out within hours .",
]


def train(ev):
    """Twelve own sentences and three leaked from eval, in file order."""
    own = [[(w.split("/")[0], (w.split("/") + ["O"])[1]) for w in s.split()] for s in TRAIN_OWN]
    leaked = [
        list(ev[76]),                                   # an exact copy
        relabel(ev[251], "Girona", ["B-LOC"]),          # the same text, other labels
        replace(ev[185], "car", "truck"),               # a word changed
    ]
    return own[:4] + [leaked[0]] + own[4:8] + [leaked[1]] + own[8:] + [leaked[2]]


def write(path, sents, head=None):
    with open(path, "w", encoding="utf-8") as f:
        if head:
            f.write(head)
        f.write("-DOCSTART- O\n\n")
        for s in sents:
            f.write("".join(f"{w} {t}\n" for w, t in s) + "\n")


def main():
    ev = read_conll(os.path.join(ROOT, "demo", "eval.conll"))
    assert len(ev) == 344, len(ev)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(ROOT, "demo", "eval.conll"), encoding="utf-8") as f:
        head = f.read().rstrip("\n") + "\n\n"
    write(os.path.join(OUT, "planted.conll"), planted(ev), head)
    write(os.path.join(OUT, "train.conll"), train(ev))


if __name__ == "__main__":
    main()
