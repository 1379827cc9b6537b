"""dups_jobs.py - the Find Duplicates job as the page runs it, for bench/dups.sh:

  dups_jobs.py timing EXPLAINER DB    run 1 lexical, run 2 against run 1, run 1 by vectors:
                                      seconds from POST to done, median of three fresh servers
  dups_jobs.py fixture EXPLAINER DB   run 1 of tests/fixtures/dups/planted.conll: where the
                                      eight planted near-duplicates rank, lexical and by vectors
Prints markdown tables; not a test."""
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request

# The planted pairs of tests/gen/gen_dups_fixture.py, by sentence id.
PLANTED = {(25, 344), (98, 345), (230, 346), (204, 347), (2, 348), (47, 349), (118, 350), (162, 351)}


class Server:
    """A fresh `explainer serve DB` (its job cache empty) on a free port."""

    def __init__(self, explainer, db):
        self.p = subprocess.Popen([explainer, "serve", db, "--port", "0"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        url = urllib.parse.urlsplit(self.p.stdout.readline().split(" at ", 1)[1].strip())
        self.base, self.token = f"{url.scheme}://{url.netloc}", url.query.split("=", 1)[1]

    def call(self, method, path, data=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=data and json.dumps(data).encode(),
                                     headers={"Authorization": f"Bearer {self.token}",
                                              "Content-Type": "application/json"})
        return json.load(urllib.request.urlopen(req, timeout=600))

    def job(self, run, body):
        """(seconds from the POST until done, the result)."""
        t0 = time.perf_counter()
        j = self.call("POST", f"/api/v1/runs/{run}/duplicates", body)["job"]
        while j["state"] in ("queued", "running"):
            time.sleep(0.005)
            j = self.call("GET", f"/api/v1/jobs/{j['id']}")
        if j["state"] != "done":
            sys.exit(f"dups_jobs: job {body}: {j['error']}")
        return time.perf_counter() - t0, j["result"]

    def close(self):
        self.p.terminate()
        self.p.wait()


def timing(explainer, db):
    jobs = [(1, {"mode": "lexical", "threshold": 0.5, "trivial": False}),
            (2, {"mode": "lexical", "threshold": 0.5, "trivial": False, "reference": 1}),
            (1, {"mode": "vectors", "threshold": 0.95, "trivial": False})]
    got = [[] for _ in jobs]
    for _ in range(3):  # the machine may be shared: each job's median
        s = Server(explainer, db)
        for k, (run, body) in enumerate(jobs):
            got[k].append(s.job(run, body))
        s.close()
    print("\n| run | body | seconds (median of 3) | load s | vectors s | search s | method | sentences "
          "| clusters | pairs | same text, other labels |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (run, body), g in zip(jobs, got):
        secs, r = sorted(g, key=lambda x: x[0])[1]
        t, n = r["timings"], r["n_sentences"] + r["n_reference"]
        print(f"| {run} | `{json.dumps(body)}` | {secs:.2f} | {t['load_s']:.2f} | {t['embed_s']:.2f} | "
              f"{t['pairs_s']:.2f} | {r['method']} | {n:,} | {r['n_clusters']:,} | {r['n_pairs']:,} | "
              f"{r['n_conflicts']} |")


def ranks(result):
    """Each planted pair's 1-based rank among the listed clusters (a cluster holding both
    sentences and no other), and the clusters that are not planted."""
    found, other = {}, 0
    for k, c in enumerate(result["clusters"]):
        ids = tuple(sorted(i for v in c["variants"] for i in v["ids"]))
        if ids in PLANTED:
            found[ids] = k + 1
        else:
            other += 1
    return found, other


def fixture(explainer, db):
    s = Server(explainer, db)
    print("\n| search | clusters | planted pairs found | their ranks | precision of the first 8 "
          "| other clusters |")
    print("|---|---|---|---|---|---|")
    for body in [{}, {"trivial": True}, {"mode": "vectors"}, {"mode": "vectors", "threshold": 0.9}]:
        _, r = s.job(1, {**body, "limit": 10000})
        found, other = ranks(r)
        top = sum(1 for k in found.values() if k <= 8)
        print(f"| `{json.dumps(body)}` | {r['n_clusters']} | {len(found)} of {len(PLANTED)} | "
              f"{sorted(found.values())} | {top / 8:.3f} | {other} |")
    s.close()


if __name__ == "__main__":
    {"timing": timing, "fixture": fixture}[sys.argv[1]](sys.argv[2], sys.argv[3])
