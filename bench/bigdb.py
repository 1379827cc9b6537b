#!/usr/bin/env python3
"""bigdb.py - a large run database made from a real one by replication (bench/bigdb.sh).

    bigdb.py BASE.db OUT.db N [--hidden]

Copies BASE.db (one run, scored by `explainer issues`) to OUT.db and repeats
its run's rows K = ceil(N / sentences) times inside that same run: copy k of
sentence i is sentence i + k * S (S: the base run's sentences), its document
doc + k * D, its line line + k * L (L past the base's last line), every word,
sub-token, entity and label-issue score copied with it, the full-text index
filled for the new sentences, the counts of `runs` and the support counts of
its summary multiplied by K (precision, recall and F1 of K copies are the
base's), and the issue ranks interleaved so that the K copies of an item rank
next to each other. Hidden states are dropped (13.5 million words are 13 GB of
float32) unless --hidden copies them.

A REPLICA, NOT A REAL RUN: `explainer run` over a million sentences takes some
35 CPU minutes and 26 GB on the shared 2-core machine. The read paths (the
store's queries, the server, the report) see rows and counts, not where they
came from, so timings on the replica are expected to be those of a real run of
the same size; only the value distribution differs (every value repeats K
times), which changes no query plan. Neighbour lists of the word scores still
point into copy 0.
"""
import json
import math
import os
import shutil
import sqlite3
import sys
import time

def scale_summary(text, k, keys):
    """The JSON summary with every integer under one of keys multiplied by k."""
    def walk(o):
        if isinstance(o, dict):
            return {n: (v * k if n in keys and isinstance(v, int) and not isinstance(v, bool)
                        else walk(v)) for n, v in o.items()}
        if isinstance(o, list):
            return [walk(v) for v in o]
        return o
    return json.dumps(walk(json.loads(text))) if text else text


def columns(c, table):
    return [r[1] for r in c.execute(f"PRAGMA table_info({table})")]


def main(argv):
    if len(argv) < 4 or (len(argv) == 5 and argv[4] != "--hidden") or len(argv) > 5:
        sys.exit("usage: bigdb.py BASE.db OUT.db N [--hidden]")
    base, out, n = argv[1], argv[2], int(argv[3])
    hidden = len(argv) == 5
    if os.path.exists(out):
        sys.exit(f"bigdb: {out} exists (delete it first)")
    t0 = time.time()
    shutil.copyfile(base, out)
    c = sqlite3.connect(out, isolation_level=None)
    c.execute("PRAGMA journal_mode = OFF")
    c.execute("PRAGMA synchronous = OFF")
    c.execute("PRAGMA cache_size = -262144")
    runs = [r[0] for r in c.execute("SELECT id FROM runs")]
    if len(runs) != 1:
        sys.exit(f"bigdb: {base} holds {len(runs)} runs, expected 1")
    run = runs[0]
    S = c.execute("SELECT count(*) FROM sentences WHERE run_id = ?", (run,)).fetchone()[0]
    D = c.execute("SELECT max(id) + 1 FROM documents WHERE run_id = ?", (run,)).fetchone()[0]
    L = c.execute("SELECT max(source_line) + 1000 FROM sentences WHERE run_id = ?",
                  (run,)).fetchone()[0]
    scored = c.execute("SELECT count(*) FROM issue_runs WHERE run_id = ?", (run,)).fetchone()[0]
    K = max(1, math.ceil(n / S))
    print(f"bigdb: {S} sentences x {K} = {S * K}", file=sys.stderr)

    c.execute("BEGIN")
    if not hidden:
        c.execute("DELETE FROM hidden WHERE run_id = ?", (run,))
    # Secondary indexes are dropped and made again at the end: one sort each
    # instead of millions of random inserts.
    tables = ["sentences", "documents", "words", "tokens", "entities", "word_scores",
              "entity_scores", "sentence_scores"] + (["hidden"] if hidden else [])
    indexes = c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT"
                        f" NULL AND tbl_name IN ({','.join('?' * len(tables))})",
                        tables).fetchall()
    for name, _ in indexes:
        c.execute(f"DROP INDEX {name}")

    ranks = {}
    for t in ("word_scores", "entity_scores", "sentence_scores"):
        ranks[t] = f"(rank - 1) * {K} + 1 + {{k}}"
    for k in range(1, K):
        sid = f"sentence_id + {k * S}"
        for table, shifts, where in (
            ("documents", {"id": f"id + {k * D}", "first_line": f"first_line + {k * L}"},
             f"id < {D}"),
            ("sentences", {"id": f"id + {k * S}", "doc_id": f"doc_id + {k * D}",
                           "source_line": f"source_line + {k * L}"}, f"id < {S}"),
            ("words", {"sentence_id": sid}, f"sentence_id < {S}"),
            ("tokens", {"sentence_id": sid}, f"sentence_id < {S}"),
            ("entities", {"sentence_id": sid}, f"sentence_id < {S}"),
        ) + ((("hidden", {"sentence_id": sid}, f"sentence_id < {S}"),) if hidden else ()) + ((
            ("word_scores", {"sentence_id": sid, "rank": ranks["word_scores"].format(k=k)},
             f"sentence_id < {S}"),
            ("entity_scores", {"sentence_id": sid, "rank": ranks["entity_scores"].format(k=k)},
             f"sentence_id < {S}"),
            ("sentence_scores", {"id": f"id + {k * S}", "rank": ranks["sentence_scores"].format(k=k)},
             f"id < {S}"),
        ) if scored else ()):
            cols = columns(c, table)
            sel = [shifts.get(col, col) for col in cols]
            c.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(sel)}"
                      f" FROM {table} WHERE run_id = ? AND {where}", (run,))
        if k % 10 == 0:
            print(f"bigdb: copy {k}/{K - 1}, {time.time() - t0:.0f} s", file=sys.stderr)
    if scored:
        for t in ("word_scores", "entity_scores", "sentence_scores"):
            key = "id" if t == "sentence_scores" else "sentence_id"
            c.execute(f"UPDATE {t} SET rank = (rank - 1) * ?2 + 1 WHERE run_id = ?1 AND {key} < ?3",
                      (run, K, S))
        text, = c.execute("SELECT summary FROM issue_runs WHERE run_id = ?", (run,)).fetchone()
        c.execute("UPDATE issue_runs SET summary = ? WHERE run_id = ?",
                  (scale_summary(text, K, {"words", "sentences", "cl_issues", "flagged",
                                           "ill_formed"}), run))
    text, = c.execute("SELECT summary FROM runs WHERE id = ?", (run,)).fetchone()
    c.execute("UPDATE runs SET n_sentences = n_sentences * ?2, n_words = n_words * ?2,"
              " n_tokens = n_tokens * ?2, summary = ?3 WHERE id = ?1",
              (run, K, scale_summary(text, K, {"support", "ill_formed"})))
    print(f"bigdb: rows copied, {time.time() - t0:.0f} s; indexes", file=sys.stderr)
    for _, sql in indexes:
        c.execute(sql)
    c.execute("INSERT INTO search (rowid, text) SELECT (run_id << 32) | id, text FROM sentences"
              " WHERE run_id = ? AND id >= ?", (run, S))
    c.execute("COMMIT")
    print(f"bigdb: indexed, {time.time() - t0:.0f} s; checking", file=sys.stderr)
    bad = c.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        sys.exit(f"bigdb: foreign_key_check: {bad[:5]}")
    ok = c.execute("PRAGMA quick_check").fetchone()[0]
    if ok != "ok":
        sys.exit(f"bigdb: quick_check: {ok}")
    c.close()
    print(f"bigdb: {out}: {S * K} sentences, {os.path.getsize(out) / 1e9:.2f} GB,"
          f" {time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
