#!/usr/bin/env bash
# test_api_limits.sh - what one client can take from the others (issue #14),
# over HTTP against the real `explainer serve`: 400 slowloris connections
# (the start of a request, then one header line every 0.5 s) do not lock the
# others out (each probe is answered within 1 s) and are closed once they
# have taken 10 s for their request; served to the network, one address
# holds at most 32 connections while another is answered; and one client
# address has at most 8 jobs waiting or running while another starts its own.
set -u
. "$(dirname "$0")/lib.sh"
demo_run

# slowloris.py HOST PORT TOKEN N SLOW_SRC PROBE_SRC SECONDS: N slow connections from
# SLOW_SRC for SECONDS, a probe from PROBE_SRC every second; prints a JSON
# summary: probes answered within 1 s, their times, slow connections still
# open after 1 s and at the end.
cat >"$tmp/slowloris.py" <<'EOF'
import json, socket, sys, time
host, port, token, n, slow_src, probe_src, secs = sys.argv[1:8]
port, n, secs = int(port), int(n), float(secs)
slow = []
for i in range(n):
    s = socket.socket()
    s.bind((slow_src, 0))
    try:
        s.connect((host, port))
        s.sendall(b"GET /api/v1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port)
        slow.append(s)
    except OSError:
        s.close()

def still_open():
    n_open = 0
    for s in slow:
        s.setblocking(False)
        try:
            n_open += s.recv(1) != b""
        except BlockingIOError:
            n_open += 1
        except OSError:
            pass
    return n_open

def probe():
    t = time.monotonic()
    p = socket.socket()
    p.settimeout(1.0)
    try:
        p.bind((probe_src, 0))
        p.connect((host, port))
        p.sendall(b"GET /api/v1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
                  b"Connection: close\r\n\r\n" % (port, token.encode()))
        ok = p.recv(12) == b"HTTP/1.1 200"
    except OSError:
        ok = False
    p.close()
    return ok, round(time.monotonic() - t, 3)

time.sleep(1)
open_1s = still_open()
t0, probes = time.monotonic(), []
while time.monotonic() - t0 < secs:
    probes.append(probe())
    for _ in range(2):
        for s in slow:
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                pass
        time.sleep(0.5)
print(json.dumps({"answered": sum(ok for ok, _ in probes), "probes": len(probes),
                  "times": [t for _, t in probes], "connected": len(slow),
                  "open_1s": open_1s, "open_end": still_open()}))
EOF

# --- loopback: 400 slow clients ------------------------------------------------
start_server "$tmp/run.db"
t0=$(date +%s%N)
$PY "$tmp/slowloris.py" 127.0.0.1 "$port" "$token" 400 127.0.0.1 127.0.0.1 13 >"$tmp/body" ||
	bad "slowloris.py failed"
echo "slowloris, 400 connections on loopback: $(cat "$tmp/body")"
check "every probe answered within 1 s among 400 slow connections" '
assert body["connected"] == 400 and body["open_1s"] == 400, body
assert body["answered"] == body["probes"] >= 10, body'
check "the slow connections closed after 10 s" 'assert body["open_end"] == 0, body'

# --- one client, 8 jobs --------------------------------------------------------
# UMAPs of 2000 words with distinct seeds: long enough to stay waiting or running
for i in $(seq 1 9); do
	code=$(post /api/v1/runs/1/projection "{\"method\": \"umap\", \"n\": 2000, \"seed\": $i}")
	[ "$i" -le 8 ] && { [ "$code" = 202 ] && ok || bad "job $i of a client: $code $(cat "$tmp/body")"; }
done
[ "$code" = 413 ] && grep -q "127.0.0.1 already has 8 jobs" "$tmp/body" && ok ||
	bad "the 9th job of one client: $code $(cat "$tmp/body")"
expect_post 202 /api/v1/runs/1/projection '{"method": "umap", "n": 2000, "seed": 1}' # the same work
expect_post 202 /api/v1/runs/1/projection '{"method": "umap", "n": 2000, "seed": 99}' --interface 127.0.0.2
get "$base/api/v1/jobs" >/dev/null
for id in $($PY -c 'import json,sys; print(" ".join(str(j["id"]) for j in json.load(open(sys.argv[1]))["jobs"]))' "$tmp/body"); do
	get -X DELETE "$base/api/v1/jobs/$id" >/dev/null
done
stop_server
[ "$rc" = 0 ] && ok || bad "exit status $rc after SIGTERM"
grep -q "connections closed for sending no whole request within 10 s: 4[0-9][0-9]$" "$err" && ok ||
	bad "the server does not say it closed the slow connections: $(cat "$err")"

# --- the network: 32 connections per address -----------------------------------
token_file "$tmp/token"
start_server "$tmp/run.db" --host 0.0.0.0 --token-file "$tmp/token"
$PY "$tmp/slowloris.py" 127.0.0.1 "$port" "$(cat "$tmp/token")" 60 127.0.0.1 127.0.0.2 3 >"$tmp/body" ||
	bad "slowloris.py failed"
echo "slowloris, 60 connections of one address, served to the network: $(cat "$tmp/body")"
check "one address holds at most 32 connections, another is answered" '
assert body["open_1s"] == 32, body
assert body["answered"] == body["probes"] >= 2, body'
stop_server
[ "$rc" = 0 ] && ok || bad "exit status $rc after SIGTERM"
finish
