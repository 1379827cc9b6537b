#!/usr/bin/python3
"""runs_equal.py - two stored runs compared value by value, every table: the
`runs` row (all columns but id, created_at and duration_s, which say when and
how long, not what) and every row of every table with a run_id column
(labels, documents, sentences, words, hidden, tokens, entities, settings, the
label-issue tables, ...), as SQLite holds them: reals bit for bit, vectors
byte for byte, NULL as NULL; and the run's rows of the full-text index
`search` (schema 5: rowid run << 32 | sentence, no run_id column), so a merged
run is found by the Search page as the unsharded one is. `explainer merge`'s
promise (pipeline/merge.c).

Usage: runs_equal.py A.db RUN_A B.db RUN_B [--ignore T.C,T,...]   (RUN: a run id,
or "only": the database's one run; --ignore leaves out column C of table T, or
all of table T: the same data read from another format differs in where it
came from, runs.data_path, and how it is laid out, documents, and nowhere
else). Prints what it compared; exits 1 at the first difference.
"""
import sqlite3
import sys

IGNORED_RUN_COLUMNS = {"id", "created_at", "duration_s"}


def run_id(db, which):
    if which != "only":
        return int(which)
    ids = [r[0] for r in db.execute("SELECT id FROM runs")]
    if len(ids) != 1:
        sys.exit(f"expected one run, found {len(ids)}")
    return ids[0]


def run_tables(db):
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return [t for t in names if "run_id" in columns(db, t)]


def columns(db, table):
    return [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]


IGNORED = set()


def rows(db, table, run):
    cols = [c for c in columns(db, table) if c != "run_id" and f"{table}.{c}" not in IGNORED]
    sel = ", ".join(f'"{c}"' for c in cols)
    order = ", ".join(str(i + 1) for i in range(len(cols)))
    return cols, db.execute(f'SELECT {sel} FROM "{table}" WHERE run_id = ? ORDER BY {order}', (run,)).fetchall()


def main():
    if len(sys.argv) == 7 and sys.argv[5] == "--ignore":
        IGNORED.update(sys.argv[6].split(","))
    elif len(sys.argv) != 5:
        sys.exit(__doc__)
    a, b = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[3])
    ra, rb = run_id(a, sys.argv[2]), run_id(b, sys.argv[4])
    cols = [c for c in columns(a, "runs") if c not in IGNORED_RUN_COLUMNS and f"runs.{c}" not in IGNORED]
    sel = ", ".join(f'"{c}"' for c in cols)
    va = a.execute(f"SELECT {sel} FROM runs WHERE id = ?", (ra,)).fetchone()
    vb = b.execute(f"SELECT {sel} FROM runs WHERE id = ?", (rb,)).fetchone()
    for c, x, y in zip(cols, va, vb):
        if x != y or type(x) is not type(y):
            sys.exit(f"runs.{c} differs: {x!r:.200} vs {y!r:.200}")
    counts = []
    for t in run_tables(a):
        if t in IGNORED:
            counts.append(f"{t} ignored")
            continue
        ca, xa = rows(a, t, ra)
        cb, xb = rows(b, t, rb)
        if ca != cb:
            sys.exit(f"{t}: columns differ: {ca} vs {cb}")
        if len(xa) != len(xb):
            sys.exit(f"{t}: {len(xa)} rows vs {len(xb)}")
        for i, (x, y) in enumerate(zip(xa, xb)):
            for c, u, v in zip(ca, x, y):
                if u != v or type(u) is not type(v):
                    sys.exit(f"{t}: row {i} ({x[:3]!r:.80}...): {c} differs: {u!r:.100} vs {v!r:.100}")
        counts.append(f"{t} {len(xa)}")
    if "search" in [r[0] for r in a.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]:
        q = "SELECT rowid & 4294967295, text FROM search WHERE rowid >> 32 = ? ORDER BY 1"
        sa, sb = a.execute(q, (ra,)).fetchall(), b.execute(q, (rb,)).fetchall()
        if sa != sb:
            sys.exit(f"search: {len(sa)} indexed sentences vs {len(sb)}, or their texts differ")
        counts.append(f"search {len(sa)}")
    print(f"equal: runs ({len(cols)} columns), " + ", ".join(counts))


main()
