#!/usr/bin/python3
"""hidden_f16.py - what storing hidden states as F16 (`explainer run --hidden-dtype f16`) changes
in the pages that read them: demo/model over demo/eval.conll stored twice (float32 and f16),
each database served by `explainer serve`, and the same jobs asked of both through the API:

  PCA (every word)          max |x, y difference| of the projections, against their spread
  UMAP (2,000 words, seed)  trustworthiness (sklearn, 15 neighbours) of each layout against the
                            float32 vectors, and the 15-neighbour overlap of the two layouts
                            (beside that of two float32 layouts, n_neighbors 15 and 16)
  Find Duplicates           vectors mode (cosine >= 0.95) and lexical mode: the pairs found,
                            and the largest change of a pair's cosine / sim
plus the bytes the hidden states take. Prints one line per measure; not a test.

usage: BUILD=build bench/hidden_f16.py      (needs python3-numpy and python3-sklearn)
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, os.environ.get("BUILD", "build"), "explainer")
MODEL, DATA = os.path.join(ROOT, "demo", "model"), os.path.join(ROOT, "demo", "eval.conll")


class Server:
    def __init__(self, db, tmp):
        self.out = open(os.path.join(tmp, os.path.basename(db) + ".out"), "w+")
        self.p = subprocess.Popen([BIN, "serve", db, "--port", "0", "--model", MODEL],
                                  stdout=self.out, stderr=subprocess.DEVNULL)
        for _ in range(400):
            self.out.seek(0)
            line = self.out.read()
            if "token=" in line:
                url = line.split(" at ", 1)[1].split()[0]
                self.base, self.token = url.split("/?token=")[0], url.split("token=")[1]
                return
            time.sleep(0.05)
        raise SystemExit("server did not start")

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + self.token,
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=900) as r:
            return json.load(r)

    def job(self, path, body):
        j = self.call("POST", path, body)
        jid = j["job"]["id"] if "job" in j else j["id"]
        while True:
            j = self.call("GET", "/api/v1/jobs/%d" % jid)
            if j["state"] in ("done", "failed", "cancelled"):
                if j["state"] != "done":
                    raise SystemExit("job %s: %s" % (path, j))
                return j["result"]
            time.sleep(0.05)

    def close(self):
        self.p.terminate()
        self.p.wait()


def points(res):
    return {(p["sentence_id"], p["idx"]): (p["x"], p["y"]) for p in res["points"]}


def pairs(res):
    out = {}
    for c in res["clusters"]:
        for p in c["pairs"]:
            a, b = c["variants"][p["a"]]["ids"][0], c["variants"][p["b"]]["ids"][0]
            out[(min(a, b), max(a, b))] = p
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="hidden_f16.")
    dbs = {}
    for dt in ("f32", "f16"):
        dbs[dt] = os.path.join(tmp, dt + ".db")
        subprocess.run([BIN, "run", "--model", MODEL, "--data", DATA, "-o", dbs[dt], "-q",
                        "--hidden-dtype", dt], check=True)
    res = {}
    for dt, db in dbs.items():
        s = Server(db, tmp)
        try:
            res[dt] = {
                "pca": s.job("/api/v1/runs/1/projection", {"method": "pca", "n": 0}),
                "umap": s.job("/api/v1/runs/1/projection", {"method": "umap", "n": 2000, "seed": 42}),
                # a second float32 layout of the same sample (another seed would also change
                # the sample): the scale of differences between any two UMAP layouts
                "umap_b": s.job("/api/v1/runs/1/projection", {"method": "umap", "n": 2000, "seed": 42,
                                                              "n_neighbors": 16}),
                "dupv": s.job("/api/v1/runs/1/duplicates", {"mode": "vectors", "threshold": 0.95,
                                                            "limit": 10000}),
                "dupl": s.job("/api/v1/runs/1/duplicates", {"limit": 10000}),
            }
        finally:
            s.close()
    c = sqlite3.connect(dbs["f32"])
    keys = [(s, i) for s, i in c.execute("select sentence_id, idx from hidden order by sentence_id, idx")]
    X = np.stack([np.frombuffer(v, "<f4") for (v,) in c.execute("select vec from hidden order by sentence_id, idx")])
    size = {dt: sqlite3.connect(db).execute("select sum(length(vec)) from hidden").fetchone()[0]
            for dt, db in dbs.items()}
    print("words %d, hidden size %d; hidden bytes f32 %d, f16 %d; database %d -> %d bytes"
          % (X.shape[0], X.shape[1], size["f32"], size["f16"], os.path.getsize(dbs["f32"]),
             os.path.getsize(dbs["f16"])))

    a, b = points(res["f32"]["pca"]), points(res["f16"]["pca"])
    assert a.keys() == b.keys()
    d = max(max(abs(a[k][0] - b[k][0]), abs(a[k][1] - b[k][1])) for k in a)
    spread = max(np.ptp([v[0] for v in a.values()]), np.ptp([v[1] for v in a.values()]))
    print("PCA of %d words: max |diff| %.3g (range of the axes %.3g); explained variance %s vs %s"
          % (len(a), d, spread, res["f32"]["pca"]["info"]["explained_variance_ratio"],
             res["f16"]["pca"]["info"]["explained_variance_ratio"]))

    row = {k: i for i, k in enumerate(keys)}
    ua, ub = points(res["f32"]["umap"]), points(res["f16"]["umap"])
    ks = sorted(ua)
    assert ks == sorted(ub)
    Xs = X[[row[k] for k in ks]]
    Ya, Yb = np.array([ua[k] for k in ks]), np.array([ub[k] for k in ks])
    uc = points(res["f32"]["umap_b"])
    Yc = np.array([uc[k] for k in ks])

    def overlap(P, Q):
        nP = NearestNeighbors(n_neighbors=16).fit(P).kneighbors(P, return_distance=False)[:, 1:]
        nQ = NearestNeighbors(n_neighbors=16).fit(Q).kneighbors(Q, return_distance=False)[:, 1:]
        return np.mean([len(set(p) & set(q)) / 15 for p, q in zip(nP, nQ)])

    print("UMAP of %d words: trustworthiness f32 %.4f, f16 %.4f (against the float32 vectors); "
          "15-neighbour overlap of the f32 and f16 layouts %.3f (of two f32 layouts, "
          "n_neighbors 15 and 16: %.3f)"
          % (len(ks), trustworthiness(Xs, Ya, n_neighbors=15), trustworthiness(Xs, Yb, n_neighbors=15),
             overlap(Ya, Yb), overlap(Ya, Yc)))

    for mode, field in (("dupv", "cosine"), ("dupl", "sim")):
        pa, pb = pairs(res["f32"][mode]), pairs(res["f16"][mode])
        both = pa.keys() & pb.keys()
        dmax = max((abs(pa[k][field] - pb[k][field]) for k in both), default=0.0)
        print("duplicates %s: %d pairs (f32), %d (f16), %d in both; max |%s diff| %.3g"
              % ("vectors >= 0.95" if mode == "dupv" else "lexical", len(pa), len(pb), len(both),
                 field, dmax))


if __name__ == "__main__":
    sys.exit(main())
