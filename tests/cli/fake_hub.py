#!/usr/bin/env python3
"""fake_hub.py - a loopback stand-in for the Hugging Face hub's endpoints that
test_cli_hub.sh downloads from (reference/hf-formats.md 6.1), answering as
huggingface.co does:

  GET  /api/models/{org}/{name}/revision/{rev}   {"id", "sha", "siblings"}
  HEAD/GET /{org}/{name}/resolve/{rev}/{file}     X-Repo-Commit, ETag (git blob
       sha1) and the body for small files; for LFS files (*.safetensors, *.bin)
       302 to an absolute CDN URL on another host name (localhost), with
       X-Linked-Etag (sha256) and X-Linked-Size
  GET  /cdn/{sha256}                              the bytes, Range / 206
  errors: 404 X-Error-Code RepoNotFound / RevisionNotFound / EntryNotFound,
       401 GatedRepo on a gated repo's resolve without the right token.
  A repo with "corrupt": true gives its LFS files an X-Linked-Etag that is
       not their sha256.
  A renamed repo (SPEC {"old/name": {"moved": "org/name"}}) answers 307 with a
       relative Location to the new name, as the hub does.

Usage: fake_hub.py SPEC.json PORTFILE LOG [CUTS]. SPEC: {"org/name": {"gated":
token or null, "revisions": {"main": {"sha": 40-hex, "files": {name: path}}}}}.
The first CUTS GETs of a CDN file send half the bytes and close the connection;
with FAKE_HUB_SLOW=S in the environment, CDN bytes go out 64 kB every S seconds.
Every request is one JSON line in LOG: method, path, range, auth.
"""
import hashlib, http.server, json, os, re, sys, threading, time

spec = json.load(open(sys.argv[1]))
portfile, logpath = sys.argv[2], sys.argv[3]
cuts = [int(sys.argv[4]) if len(sys.argv) > 4 else 0]
lock = threading.Lock()
LFS = (".safetensors", ".bin")
blobs = {}  # sha256 -> path


def lfs(name):
    return name.endswith(LFS)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def git_sha1(path):
    data = open(path, "rb").read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Hub(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def note(self):
        with lock, open(logpath, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "range": self.headers.get("Range"),
                                "auth": self.headers.get("Authorization")}) + "\n")

    def fail(self, code, ec):
        body = json.dumps({"error": ec}).encode()
        self.send_response(code)
        self.send_header("X-Error-Code", ec)
        self.send_header("X-Error-Message", ec)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def revision(self, repo, rev):
        for name, r in repo["revisions"].items():
            if rev in (name, r["sha"]):
                return r
        return None

    def do_HEAD(self):
        self.do_GET()

    def moved(self, old, new):
        self.send_response(307)
        self.send_header("Location", self.path.replace(old, new, 1))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.note()
        m = re.match(r"/(?:api/models/)?([^/]+/[^/]+)/", self.path)
        if m and "moved" in spec.get(m.group(1), {}):
            return self.moved(m.group(1), spec[m.group(1)]["moved"])
        m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/revision/([^/?]+)", self.path)
        if m:
            repo = spec.get(m.group(1))
            if repo is None:
                return self.fail(401, "RepoNotFound")
            r = self.revision(repo, m.group(2).replace("%2F", "/"))
            if r is None:
                return self.fail(404, "RevisionNotFound")
            body = json.dumps({"id": m.group(1), "sha": r["sha"],
                               "siblings": [{"rfilename": k} for k in sorted(r["files"])]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", self.path)
        if m:
            repo = spec.get(m.group(1))
            if repo is None:
                return self.fail(401, "RepoNotFound")
            if repo.get("gated") and self.headers.get("Authorization") != "Bearer " + repo["gated"]:
                return self.fail(401, "GatedRepo")
            r = self.revision(repo, m.group(2))
            if r is None:
                return self.fail(404, "RevisionNotFound")
            path = r["files"].get(m.group(3))
            if path is None:
                return self.fail(404, "EntryNotFound")
            if lfs(m.group(3)):
                h = sha256(path)
                if repo.get("corrupt"):  # an ETag that is not the bytes' sha256
                    h = hashlib.sha256(b"other bytes").hexdigest()
                blobs[h] = path
                port = self.server.server_address[1]
                self.send_response(302)
                self.send_header("Location", "http://localhost:%d/cdn/%s" % (port, h))
                self.send_header("X-Repo-Commit", r["sha"])
                self.send_header("ETag", '"%s"' % git_sha1(path))
                self.send_header("X-Linked-Etag", '"%s"' % h)
                self.send_header("X-Linked-Size", str(os.path.getsize(path)))
                self.send_header("Content-Length", "0")
                return self.end_headers()
            data = open(path, "rb").read()
            self.send_response(200)
            self.send_header("X-Repo-Commit", r["sha"])
            self.send_header("ETag", '"%s"' % git_sha1(path))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            return
        m = re.fullmatch(r"/cdn/([0-9a-f]{64})", self.path)
        if m and m.group(1) in blobs:
            data = open(blobs[m.group(1)], "rb").read()
            start = 0
            rng = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if rng:
                start = int(rng.group(1))
                if start >= len(data):
                    return self.fail(416, "RangeNotSatisfiable")
                self.send_response(206)
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
            else:
                self.send_response(200)
            self.send_header("ETag", '"%s"' % m.group(1))
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            if self.command == "HEAD":
                return
            with lock:
                cut = cuts[0] > 0
                cuts[0] -= cut
            if cut:
                self.wfile.write(data[start:start + (len(data) - start) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            slow = float(os.environ.get("FAKE_HUB_SLOW", "0"))
            step = 65536 if slow else max(len(data), 1)
            for i in range(start, len(data), step):
                self.wfile.write(data[i:i + step])
                time.sleep(slow)
            return
        self.fail(404, "EntryNotFound")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
