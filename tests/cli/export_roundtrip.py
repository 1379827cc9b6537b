#!/usr/bin/env python3
"""export_roundtrip.py - the round trip of test_cli_export.sh for one dataset
variant: run the demo model over it, record label_error verdicts through
`explainer verdict` (a type swap, a deleted entity, an invented one and a
boundary shift), export --corrected, check that only the corrected words'
lines changed (and on them only the tag), then run the export and check
that its stored gold labels are the corrected ones and nothing else moved.

usage: export_roundtrip.py BIN MODEL WORKDIR NAME DATAFILE [run options...]
Prints one line; exits 1 on a failure.
"""
import json
import os
import sqlite3
import subprocess
import sys

BIN, MODEL, WORK, NAME, DATA = sys.argv[1:6]
RUN_OPTS = sys.argv[6:]


def sh(*args, ok=True):
    p = subprocess.run(args, capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit(f"FAIL {NAME}: {' '.join(args)} -> {p.returncode}: {p.stderr.strip()}")
    return p


def gold(db, run):
    """{sentence: [gold label names]} and {sentence: source_line} of a run."""
    c = sqlite3.connect(db)
    names = dict(c.execute("select id, name from labels where run_id=?", (run,)))
    out, lines = {}, {}
    for sid, idx, g in c.execute(
            "select sentence_id, idx, gold from words where run_id=? order by sentence_id, idx",
            (run,)):
        out.setdefault(sid, []).append(names[g])
    for sid, line in c.execute("select id, source_line from sentences where run_id=?", (run,)):
        lines[sid] = line
    return out, lines


def spans(tags):
    """IOB2 entities as (start, end, type)."""
    res, cur = [], None
    for i, t in enumerate(tags + ["O"]):
        if cur and not (t.startswith("I-") and t[2:] == cur[2]):
            res.append((cur[0], i, cur[2]))
            cur = None
        if t.startswith("B-"):
            cur = [i, None, t[2:]]
    return res


def pick_verdicts(g):
    """Four corrections on four sentences: (sentence, start, end, labels)."""
    chosen, used = [], set()
    kinds = ["swap", "delete", "invent", "extend"]
    for sid in sorted(g):
        tags = g[sid]
        if not kinds or sid in used:
            continue
        ents = spans(tags)
        k = kinds[0]
        if k == "swap" and ents:
            s, e, t = ents[0]
            new = "ORG" if t != "ORG" else "LOC"
            chosen.append((sid, s, e, [f"B-{new}"] + [f"I-{new}"] * (e - s - 1)))
        elif k == "delete" and ents:
            s, e, t = ents[-1]
            chosen.append((sid, s, e, ["O"] * (e - s)))
        elif k == "invent" and len(tags) > 3 and tags[0] == "O" and tags[1] == "O":
            chosen.append((sid, 0, 1, ["B-MISC"]))
        elif k == "extend" and any(e < len(tags) and tags[e] == "O" for s, e, t in ents):
            s, e, t = next(x for x in ents if x[1] < len(tags) and tags[x[1]] == "O")
            chosen.append((sid, s, e + 1, [f"B-{t}"] + [f"I-{t}"] * (e - s)))
        else:
            continue
        kinds.pop(0)
        used.add(sid)
    if kinds:
        sys.exit(f"FAIL {NAME}: no sentence for {kinds}")
    return chosen


def main():
    db = os.path.join(WORK, NAME + ".db")
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    ext = os.path.splitext(DATA)[1]
    fixed = os.path.join(WORK, NAME + ".fixed" + ext)
    if os.path.exists(fixed):
        os.remove(fixed)
    sh(BIN, "run", "--model", MODEL, "--data", DATA, "-o", db, "-q", "--threads", "2", *RUN_OPTS)
    g, lines = gold(db, 1)
    want = {sid: list(t) for sid, t in g.items()}
    verdicts = pick_verdicts(g)
    for sid, s, e, labels in verdicts:
        sh(BIN, "verdict", db, "--sentence", str(sid), "--word", str(s), "--end", str(e),
           "--kind", "label_error", "--label", ",".join(labels), "--who", "test",
           "--why", "round trip")
        want[sid][s:e] = labels
    # a verdict of another kind changes nothing
    sh(BIN, "verdict", db, "--sentence", "0", "--word", "0", "--kind", "ambiguous")
    sh(BIN, "export", db, "--corrected", "-o", fixed)
    before = open(DATA, "rb").read().split(b"\n")
    after = open(fixed, "rb").read().split(b"\n")
    if len(before) != len(after):
        sys.exit(f"FAIL {NAME}: {len(before)} lines became {len(after)}")
    changed = [i + 1 for i, (a, b) in enumerate(zip(before, after)) if a != b]
    if not changed:
        sys.exit(f"FAIL {NAME}: nothing changed")
    corrected_lines = set()
    c = sqlite3.connect(db)
    for sid, s, e, labels in verdicts:
        if ext == ".jsonl":
            corrected_lines.add(lines[sid])
        else:
            # a word's line: the sentence's first line plus the word lines before it
            first = lines[sid]
            n = c.execute("select n_words from sentences where id=? and run_id=1", (sid,)).fetchone()[0]
            k, idx = first, 0
            while idx < n:
                line = before[k - 1].strip()
                if line and not line.startswith(b"#"):
                    corrected_lines.add(k)
                    idx += 1
                k += 1
    stray = [i for i in changed if i not in corrected_lines]
    if stray:
        sys.exit(f"FAIL {NAME}: lines {stray[:5]} changed, not corrected ones")
    for i in changed:
        a, b = before[i - 1], after[i - 1]
        if ext == ".jsonl":
            ja, jb = json.loads(a), json.loads(b)
            key = "ner_tags" if "ner_tags" in ja else "tags"
            ja.pop(key), jb.pop(key)
            if ja != jb:
                sys.exit(f"FAIL {NAME}: line {i} changed beyond its tags")
        else:
            ca, cb = a.split(), b.split()
            if len(ca) != len(cb) or sum(x != y for x, y in zip(ca, cb)) != 1:
                sys.exit(f"FAIL {NAME}: line {i} changed beyond its tag: {a!r} -> {b!r}")
    sh(BIN, "run", "--model", MODEL, "--data", fixed, "-o", db, "-q", "--threads", "2", *RUN_OPTS)
    g2, _ = gold(db, 2)
    for sid in want:
        if g2[sid] != want[sid]:
            sys.exit(f"FAIL {NAME}: sentence {sid}: {g2[sid]} != {want[sid]}")
    print(f"ok - {NAME}: {len(verdicts)} corrections round-trip, {len(changed)} lines changed, "
          f"all other bytes equal")


main()
