#!/usr/bin/env python3
"""snapshot.py - the driver of the API snapshot tests (test_api_snapshot*.sh).

Sends every request of tests/fixtures/snapshot/requests.txt to a running
`explainer serve` (and runs `explainer report` for the REPORT lines), keeps
each answer (status line, the headers a client reads, the body) with its
volatile parts normalised (README.md in tests/fixtures/snapshot lists them),
then compares the answers byte for byte with the expected ones:

  --expect DIR   small answers as files DIR/NAME, answers over LARGE bytes as
                 SHA-256 lines in DIR/large.sha256 (the demo run);
  --hashes FILE  every answer as a SHA-256 line in FILE (the CoNLL-2003 run,
                 whose text must not be copied into the repository).

With --record the expected files are written instead (see README.md: only
ever from the code before a change that must not change behaviour).
Prints one line per differing answer and exits 1 if any differ.
"""
import argparse
import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import time

LARGE = 32 * 1024
# Headers a client acts on; the others (Date, Content-Length) are transport.
HEADERS = ("content-type", "content-disposition", "allow")
TIMINGS = ("duration_s", "per_sentence_ms", "sentences_per_s", "words_per_s", "elapsed_s",
           "load_s", "project_s", "total_s", "embed_s", "pairs_s", "forward_s", "nmf_s")
NUMBER = r"-?[0-9][0-9.eE+-]*"
# The 202 answer of a job start races the job: these fields depend on how far it got.
RACY = ("state", "progress", "stage", "error", "result", "elapsed_s")
# GET /api/v1/debug: what describes the build and the machine, not the database.
ENV_OBJECTS = ("build", "compiler", "libraries", "threads")


def read_requests(path):
    reqs = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(" ", 3)
        if parts[1] == "REPORT":
            reqs.append((parts[0], "REPORT", line.split(" ")[2:], None))
        else:
            reqs.append((parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else None))
    names = [r[0] for r in reqs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit(f"requests.txt: names used twice: {sorted(dup)}")
    return reqs


TOKEN = ""  # the server's access token (--token), sent with every request


def request(host, port, method, path, body):
    conn = http.client.HTTPConnection(host, port, timeout=120)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if TOKEN:
        headers["Authorization"] = f"Bearer {TOKEN}"
    conn.request(method, path, body=body.encode() if body is not None else None,
                 headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    head = [f"HTTP {resp.status}"]
    for h in HEADERS:
        v = resp.getheader(h)
        if v is not None:
            head.append(f"{h}: {v}")
    conn.close()
    return resp.status, head, data


def normalise(data, replace):
    """The documented normalisations, on the bytes as sent (no re-encoding)."""
    text = data.decode("utf-8", "surrogateescape")
    for old, new in replace:
        text = text.replace(old, new)
    text = re.sub(r'"created_at":"[0-9T:Z-]+"', '"created_at":"<created_at>"', text)
    for key in TIMINGS:
        text = re.sub(rf'"{key}":(?:{NUMBER}|null)', f'"{key}":"<seconds>"', text)

    def env(m):
        return re.sub(r':(?:"[^"]*"|[0-9]+|true|false|\[[^\]]*\])', ':"<env>"', m.group(0))

    for key in ENV_OBJECTS:
        text = re.sub(rf'"{key}":\{{[^{{}}]*\}}', env, text)
    return text.encode("utf-8", "surrogateescape")


def job_started(data):
    """A 202 job answer with its racy fields replaced, keys kept in order."""
    obj = json.loads(data, object_pairs_hook=list)
    assert obj[0][0] == "job" and len(obj) == 1, obj
    job = [(k, "<racy>" if k in RACY else v) for k, v in obj[0][1]]
    return json.dumps({"job": dict(job)}, separators=(",", ":"), ensure_ascii=False).encode()


def wait_job(host, port, job_id):
    for _ in range(1200):
        status, head, data = request(host, port, "GET", f"/api/v1/jobs/{job_id}", None)
        if status != 200 or re.search(rb'"state":"(done|failed|cancelled)"', data):
            return head, data
        time.sleep(0.05)
    sys.exit(f"job {job_id} did not end")


def answers(args, reqs):
    replace = [tuple(r.split("=", 1)) for r in args.replace]
    host, port = args.host, args.port
    out = {}
    for name, method, path, body in reqs:
        if method == "REPORT":
            p = subprocess.run([args.bin, "report", args.db] + path, capture_output=True)
            out[name] = f"exit {p.returncode}\n\n".encode() + normalise(p.stdout, replace)
            continue
        status, head, data = request(host, port, "POST" if method == "JOB" else method, path,
                                     body)
        if method == "JOB" and status == 202:
            job_id = json.loads(data)["job"]["id"]
            data = job_started(data)
            dhead, ddata = wait_job(host, port, job_id)
            out[name + "-done"] = ("\n".join(dhead) + "\n\n").encode() + normalise(ddata, replace)
        out[name] = ("\n".join(head) + "\n\n").encode() + normalise(data, replace)
    return out


def sha(data):
    return hashlib.sha256(data).hexdigest()


def read_hashes(path):
    if not os.path.exists(path):
        return {}
    return {n: h for h, n in (line.split() for line in open(path) if line.strip())}


def write_hashes(path, hashes):
    with open(path, "w") as f:
        for n in sorted(hashes):
            f.write(f"{hashes[n]}  {n}\n")


def record(args, got):
    if args.hashes:
        write_hashes(args.hashes, {n: sha(d) for n, d in got.items()})
        return
    os.makedirs(args.expect, exist_ok=True)
    for f in os.listdir(args.expect):
        os.remove(os.path.join(args.expect, f))
    large = {}
    for n, d in got.items():
        if len(d) > LARGE:
            large[n] = sha(d)
        else:
            open(os.path.join(args.expect, n), "wb").write(d)
    write_hashes(os.path.join(args.expect, "large.sha256"), large)


def compare(args, got):
    bad = []
    if args.hashes:
        want = read_hashes(args.hashes)
        for n, d in got.items():
            if want.get(n) != sha(d):
                bad.append(f"{n}: sha256 {sha(d)}, want {want.get(n)}")
    else:
        large = read_hashes(os.path.join(args.expect, "large.sha256"))
        want = dict(large)
        for n, d in got.items():
            path = os.path.join(args.expect, n)
            if n in large:
                ok = sha(d) == large[n]
            else:
                want[n] = path
                ok = os.path.exists(path) and open(path, "rb").read() == d
            if not ok:
                bad.append(f"{n}: differs from {path if n not in large else 'large.sha256'}"
                           f" (got {len(d)} bytes: {d[:300]!r})")
        want.update({f: f for f in os.listdir(args.expect) if f != "large.sha256"})
    bad += [f"{n}: expected, but no request made it" for n in sorted(set(want) - set(got))]
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        for n, d in got.items():
            open(os.path.join(args.keep, n), "wb").write(d)
    for line in bad:
        print("FAIL:", line)
    print(f"{len(got) - len(bad)} of {len(got)} answers as recorded")
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", default="", help="the server's access token")
    ap.add_argument("--bin", required=True, help="the explainer binary (REPORT lines)")
    ap.add_argument("--db", required=True, help="the database the server serves")
    ap.add_argument("--replace", action="append", default=[], help="OLD=NEW in every answer")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--expect")
    where.add_argument("--hashes")
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--keep", help="also write the normalised answers to this folder")
    args = ap.parse_args()
    global TOKEN
    TOKEN = args.token
    got = answers(args, read_requests(args.requests))
    if args.record:
        record(args, got)
        print(f"recorded {len(got)} answers")
        return 0
    return 0 if compare(args, got) else 1


if __name__ == "__main__":
    sys.exit(main())
