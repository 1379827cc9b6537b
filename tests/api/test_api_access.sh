#!/usr/bin/env bash
# test_api_access.sh - who may use the server (issue #14), over HTTP against
# the real `explainer serve`: the Host header must name this server (DNS
# rebinding), every request needs the per-start token (bearer header, the
# cookie, or ?token= on a page load, answered with the cookie and a redirect
# without it), a request that changes something must come from the server's
# own origin with a JSON body (no text/plain "simple" POST, no form, no other
# Origin or Sec-Fetch-Site), no CORS header is ever sent; --no-token keeps
# the Host and origin checks; a server reachable from the network needs a
# token file (mode 600), and hides the server's absolute paths.
set -u
. "$(dirname "$0")/lib.sh"
demo_run
# --model and --data: a body of {"limit": 3} alone would start a run
start_server "$tmp/run.db" --model "$MODEL" --data "$DATA"
wait_job 1 >/dev/null
[ -n "$token" ] && [ "${#token}" = 64 ] && ok || bad "the printed address has no 64-digit token: $url"

# --- Host: DNS rebinding -------------------------------------------------
for h in evil.example "evil.example:$port" "127.0.0.1" "127.0.0.1:1" "localhost.:$port" \
	"127.0.0.1:$port.evil.example" "[::1]"; do
	expect_status 421 /api/v1 -H "Host: $h"
done
expect_status 421 / -H "Host: evil.example:$port"
expect_post 421 /api/v1/runs '{"limit": 3}' -H "Host: evil.example:$port"
grep -q '"code":"misdirected_request"' "$tmp/body" && ok || bad "421 code: $(cat "$tmp/body")"
for h in "127.0.0.1:$port" "localhost:$port" "LOCALHOST:$port" "[::1]:$port"; do
	expect_status 200 /api/v1 -H "Host: $h"
done
expect_status 421 /api/v1 --http1.0 -H 'Host:' # HTTP/1.0 without a Host header

# --- the token ------------------------------------------------------------
noauth expect_status 401 /api/v1/runs
grep -q '"code":"unauthorized"' "$tmp/body" && ok || bad "401 code: $(cat "$tmp/body")"
noauth expect_status 401 /api/v1/jobs -X DELETE
for bad_token in "${token:0:63}" "${token}0" "$(echo "$token" | tr 0-9a-f 1-9a-f0)" x; do
	noauth expect_status 401 /api/v1/runs -H "Authorization: Bearer $bad_token"
	noauth expect_status 401 /api/v1/runs -b "xnr_token_$port=$bad_token"
done
noauth expect_status 401 /api/v1/runs -H "Authorization: Basic $token"
noauth expect_status 401 /api/v1/runs -b "xnr_token_1=$token" # another server's cookie
noauth expect_status 200 /api/v1/runs -H "Authorization: bearer  $token"
noauth expect_status 200 /api/v1/runs -b "other=1; xnr_token_$port=$token"
# a page without the token: the page that says how to get the address
code=$(noauth get -D "$tmp/h" "$base/")
if [ "$code" = 401 ] && grep -qi '^content-type: text/html' "$tmp/h" &&
	grep -q "needs its access token" "$tmp/body" && grep -q "?token=" "$tmp/body"; then ok; else
	bad "/ without the token: $code $(head -c 300 "$tmp/body")"
fi
grep -qi '^www-authenticate: Bearer' "$tmp/h" && ok || bad "401 without WWW-Authenticate"
# the printed address: 303 to the same address without the token, and the cookie
code=$(noauth get -D "$tmp/h" "$base/?a=1&token=$token&b=x%20y")
if [ "$code" = 303 ] && grep -qi "^location: /?a=1&b=x%20y"$'\r'"$" "$tmp/h"; then ok; else
	bad "?token=: $code $(cat "$tmp/h")"
fi
cookie=$(grep -i '^set-cookie:' "$tmp/h" | tr -d '\r')
[ "$cookie" = "Set-Cookie: xnr_token_$port=$token; Path=/; HttpOnly; SameSite=Strict" ] && ok ||
	bad "the token's cookie: $cookie"
[ "$(noauth get "$base/?token=${token:0:63}")" = 401 ] && ok || bad "/?token=<63 digits>: not 401"
noauth expect_status 401 "/api/v1/runs?token=${token}x"
noauth get -D "$tmp/h" "$base/?token=x" >/dev/null
! grep -qi '^set-cookie' "$tmp/h" && ok || bad "a wrong token got a cookie"
# ?token= is for page loads (GET) only
noauth expect_status 401 "/api/v1/runs/1/probe?token=$token" -X POST -H 'Content-Type: application/json' \
	--data-binary '{"texts": ["x"]}'

# --- changes: same origin, JSON ------------------------------------------
jobs_before=$(get "$base/api/v1/jobs" >/dev/null && $PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["jobs"]))' "$tmp/body")
expect_status 415 /api/v1/runs -H 'Content-Type: text/plain' --data-binary '{"limit": 3}'
grep -q '"code":"unsupported_media_type"' "$tmp/body" && ok || bad "415 code: $(cat "$tmp/body")"
expect_status 415 /api/v1/runs --data-binary '{"limit": 3}' # curl: x-www-form-urlencoded
expect_status 415 /api/v1/runs -H 'Content-Type: multipart/form-data; boundary=x' --data-binary '{"limit": 3}'
expect_status 415 /api/v1/runs -X POST # no body, no type: the defaults would start a run
expect_status 415 /api/v1/runs/1/settings -X PUT -H 'Content-Type: text/plain' \
	--data-binary '{"classes": [{"name": "ORG", "color": "#000000"}]}'
expect_status 415 /api/v1/jobs/1 -X DELETE -H 'Content-Type: text/plain' --data-binary 'x'
for o in "http://evil.example" "null" "http://127.0.0.1:$port.evil.example" "https://127.0.0.1:$port" \
	"http://localhost:$port"; do
	expect_post 403 /api/v1/runs '{"limit": 3}' -H "Origin: $o"
done
grep -q '"code":"forbidden"' "$tmp/body" && ok || bad "403 code: $(cat "$tmp/body")"
for s in cross-site same-site; do
	expect_post 403 /api/v1/runs '{"limit": 3}' -H "Sec-Fetch-Site: $s"
done
get "$base/api/v1/jobs" >/dev/null
check "no refused request started a job" "
assert len(body['jobs']) == $jobs_before, body"
# what the server's own pages send is taken
expect_post 200 /api/v1/runs/1/probe '{"texts": ["Paris ."]}' -H "Origin: http://127.0.0.1:$port" \
	-H 'Sec-Fetch-Site: same-origin' -H 'Content-Type: application/json; charset=UTF-8'
expect_post 200 /api/v1/runs/1/probe '{"texts": ["Paris ."]}' -H "Origin: http://localhost:$port" \
	-H "Host: localhost:$port"
expect_status 404 /api/v1/jobs/99 -X DELETE # no body: no type needed (DELETE is preflighted)

# --- no CORS --------------------------------------------------------------
curl -s "${auth[@]}" -D "$tmp/h" -o /dev/null -X OPTIONS -H "Origin: http://evil.example" \
	-H 'Access-Control-Request-Method: POST' "$base/api/v1/runs"
curl -s "${auth[@]}" -D - -o /dev/null -H "Origin: http://evil.example" "$base/api/v1/runs" >>"$tmp/h"
curl -s -D - -o /dev/null "$base/" >>"$tmp/h"
! grep -qi '^access-control-' "$tmp/h" && ok || bad "a CORS header was sent: $(grep -i '^access-control' "$tmp/h")"
stop_server
[ "$rc" = 0 ] && ok || bad "exit status $rc after SIGTERM"

# --- --no-token: Host and origin still checked -------------------------------
start_server "$tmp/run.db" --no-token
[ -z "$token" ] && grep -q "no token (--no-token)" "$out" && ok || bad "--no-token: $(cat "$out")"
expect_status 200 /api/v1/runs
expect_status 421 /api/v1/runs -H "Host: evil.example:$port"
expect_status 415 /api/v1/runs -H 'Content-Type: text/plain' --data-binary '{}'
expect_post 403 /api/v1/runs/1/probe '{"texts": ["x"]}' -H "Origin: http://evil.example"
stop_server

# --- a token file, and the network ------------------------------------------
printf 'short\n' >"$tmp/t1" && chmod 600 "$tmp/t1"
token_file "$tmp/t2" && chmod 644 "$tmp/t2"
token_file "$tmp/t3"
for args in "--host 0.0.0.0" "--host 0.0.0.0 --no-token" "--no-token --token-file $tmp/t3" \
	"--token-file $tmp/t1" "--token-file $tmp/t2" "--token-file $tmp/nope"; do
	# shellcheck disable=SC2086
	if timeout 10 "$XNR_BIN" serve "$tmp/run.db" --port 0 $args >"$tmp/o" 2>"$tmp/e" </dev/null; then
		bad "serve $args started"
	else
		grep -q "token" "$tmp/e" && ok || bad "serve $args: no word on the token: $(cat "$tmp/e")"
	fi
done
grep -q "chmod 600" <(timeout 10 "$XNR_BIN" serve "$tmp/run.db" --port 0 --token-file "$tmp/t2" 2>&1) && ok ||
	bad "a token file others may read: no chmod hint"
start_server "$tmp/run.db" --host 0.0.0.0 --token-file "$tmp/t3" --model "$MODEL" --data "$DATA"
! grep -q "$(cat "$tmp/t3")" "$out" && ok || bad "the token file's token was printed"
expect_status 401 /api/v1/runs
use_token "$(cat "$tmp/t3")"
expect_status 200 /api/v1/runs -H "Host: 192.0.2.1:$port" # any name: the token is what counts
check "paths are basenames from the network" '
assert all("/" not in (r["model_path"] + r["data_path"]) for r in body["items"]), body'
expect_status 200 /api/v1/setup && check "setup: basenames" '
vals = [body["database"], body["model"], body["data"]] + body["models"] + body["datasets"]
assert all(v and "/" not in v for v in vals), body'
expect_status 200 /api/v1/debug && check "debug: basename" 'assert "/" not in body["database"], body'
expect_post 403 /api/v1/runs '{"limit": 3}'
stop_server
[ "$rc" = 0 ] && ok || bad "exit status $rc after SIGTERM"
finish
