#!/usr/bin/env bash
# test_cli_hub.sh - `--model org/name[@revision]` downloaded from a Hugging
# Face hub (tests/cli/fake_hub.py on 127.0.0.1, a free port; no internet):
# the cache layout huggingface_hub writes (blobs, snapshots linked to them,
# refs), only the files a model needs, predict output identical to the
# folder's, a sharded revision, a commit, a gated model and HF_TOKEN, 401 /
# 404 / network-down / unwritable-cache messages, HF_HUB_OFFLINE=1, a second
# run with the server gone, downloads cut halfway resumed with Range in the
# same run and in the next one, and a run stopped (SIGTERM) mid-download.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
unset HF_HUB_OFFLINE TRANSFORMERS_OFFLINE HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH HF_HOME
export HF_HOME=$tmp/hfhome # no token file of the machine's user

# The repos: acme/ner-mini main (demo/model, plus files no run needs),
# v1 (the weights in two safetensors shards), acme/gated (a token needed).
mkdir -p "$tmp/files/v1"
echo "# a model card" >"$tmp/files/README.md"
head -c 4096 /dev/urandom >"$tmp/files/pytorch_model.bin"
$PY - "$model/model.safetensors" "$tmp/files/v1" <<'PY' || die "writing the shards"
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n]); header.pop("__metadata__", None)
data = raw[8 + n:]
names = sorted(header)
shards = [names[: len(names) // 2], names[len(names) // 2:]]
weight_map = {}
for i, part in enumerate(shards):
    fname = "model-%05d-of-00002.safetensors" % (i + 1)
    hdr, blob = {}, b""
    for k in part:
        a, b = header[k]["data_offsets"]
        hdr[k] = dict(header[k], data_offsets=[len(blob), len(blob) + b - a])
        blob += data[a:b]
        weight_map[k] = fname
    h = json.dumps(hdr).encode()
    h += b" " * (-len(h) % 8)
    open(sys.argv[2] + "/" + fname, "wb").write(struct.pack("<Q", len(h)) + h + blob)
json.dump({"metadata": {}, "weight_map": weight_map}, open(sys.argv[2] + "/model.safetensors.index.json", "w"))
PY
echo '{"weight_map": {"w": "../../../evil.safetensors"}}' >"$tmp/files/evil-index.json"
main=1111111111111111111111111111111111111111
v1=2222222222222222222222222222222222222222
gsha=3333333333333333333333333333333333333333
$PY - "$model" "$tmp/files" "$tmp/spec.json" $main $v1 $gsha <<'PY' || die "writing the hub's spec"
import json, sys
m, files, out, main, v1, gsha = sys.argv[1:]
base = {f: m + "/" + f for f in ["config.json", "tokenizer.json", "tokenizer_config.json",
                                  "special_tokens_map.json", "vocab.txt", "model.safetensors"]}
base.update({"README.md": files + "/README.md", "pytorch_model.bin": files + "/pytorch_model.bin"})
sharded = {k: v for k, v in base.items() if k not in ("model.safetensors", "pytorch_model.bin")}
for f in ["model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]:
    sharded[f] = files + "/v1/" + f
json.dump({"acme/ner-mini": {"gated": None, "revisions": {"main": {"sha": main, "files": base},
                                                          "v1": {"sha": v1, "files": sharded}}},
           "acme/gated": {"gated": "hf_secret", "revisions": {"main": {"sha": gsha, "files": base}}},
           "acme/old-name": {"moved": "acme/ner-mini"},
           "acme/corrupt": {"gated": None, "corrupt": True, "revisions": {"main": {"sha": main, "files": base}}},
           "acme/evil": {"gated": None, "revisions": {"main": {"sha": main, "files": dict(
               sharded, **{"model.safetensors.index.json": files + "/evil-index.json",
                           "../../../evil.safetensors": files + "/README.md"})}}},
           "acme/evil2": {"gated": None, "revisions": {"main": {"sha": main, "files": dict(
               sharded, **{"model.safetensors.index.json": files + "/evil-index.json"})}}}},
          open(out, "w"))
PY

hub_pid=
# start_hub CUTS: a fresh server (its log $tmp/hub.log emptied); sets port, endpoint.
start_hub() {
	stop_hub
	rm -f "$tmp/port" && : >"$tmp/hub.log"
	$PY "$src/tests/cli/fake_hub.py" "$tmp/spec.json" "$tmp/port" "$tmp/hub.log" "$1" 2>"$tmp/hub.err" &
	hub_pid=$!
	for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
	[ -s "$tmp/port" ] || die "the fake hub did not start: $(head -c 300 "$tmp/hub.err")"
	port=$(cat "$tmp/port")
	export HF_ENDPOINT=http://127.0.0.1:$port/
}
stop_hub() {
	[ -z "$hub_pid" ] || { kill "$hub_pid" 2>/dev/null; wait "$hub_pid" 2>/dev/null; }
	hub_pid=
}
before_finish() { stop_hub; }
trap stop_hub EXIT

"$bin" predict --model "$model" --json --threads 2 <"$src/demo/examples.txt" >"$tmp/folder.jsonl" 2>"$tmp/err" ||
	die "predict with demo/model: $(head -c 300 "$tmp/err")"
# predict_same NAME MODEL: predict through the hub id gives the folder's output.
predict_same() {
	if "$bin" predict --model "$2" --json --threads 2 <"$src/demo/examples.txt" >"$tmp/hub.jsonl" 2>"$tmp/err"; then
		cmp -s "$tmp/folder.jsonl" "$tmp/hub.jsonl" && ok "$1: predict output identical to the folder's" ||
			bad "$1: predict output differs from the folder's"
	else
		bad "$1: predict failed: $(head -c 400 "$tmp/err")"
	fi
}
sha() { sha256sum "$1" | cut -c1-64; }

# 1. A first download: the layout, only the needed files, the same output.
start_hub 0
export HF_HUB_CACHE=$tmp/c1
repo=$HF_HUB_CACHE/models--acme--ner-mini
predict_same "download main" acme/ner-mini
[ "$(cat "$repo/refs/main" 2>/dev/null)" = "$main" ] && ok "refs/main holds the commit" || bad "refs/main: $(cat "$repo/refs/main" 2>&1)"
st=$(sha "$model/model.safetensors")
[ "$(readlink "$repo/snapshots/$main/model.safetensors")" = "../../blobs/$st" ] &&
	[ "$(sha "$repo/blobs/$st")" = "$st" ] && ok "model.safetensors: blobs/<sha256> and a relative link" ||
	bad "model.safetensors link: $(readlink "$repo/snapshots/$main/model.safetensors")"
cfg=$($PY -c 'import hashlib,sys; d=open(sys.argv[1],"rb").read(); print(hashlib.sha1(b"blob %d\0" % len(d) + d).hexdigest())' "$model/config.json")
[ "$(readlink "$repo/snapshots/$main/config.json")" = "../../blobs/$cfg" ] && ok "config.json: blobs/<git sha1>" ||
	bad "config.json link: $(readlink "$repo/snapshots/$main/config.json")"
got=$(cd "$repo/snapshots/$main" && ls | tr '\n' ' ')
[ "$got" = "config.json model.safetensors special_tokens_map.json tokenizer.json tokenizer_config.json vocab.txt " ] &&
	ok "only the needed files (no README.md, no pytorch_model.bin beside safetensors)" || bad "snapshot holds: $got"
grep -q 'README\|pytorch_model' "$tmp/hub.log" && bad "asked the hub for files no run needs" || ok "no request for unneeded files"
[ -z "$(find "$repo" -name '*.incomplete')" ] && ok "no .incomplete left" || bad ".incomplete left behind"

# 2. Found in the cache: the network is not touched (server gone).
stop_hub
predict_same "second run, server stopped" acme/ner-mini
"$bin" run --model acme/ner-mini --data "$src/demo/eval.conll" -o "$tmp/run.db" --threads 2 >/dev/null 2>"$tmp/err" &&
	ok "explainer run with the cached hub id" || bad "run: $(head -c 300 "$tmp/err")"

# A snapshot huggingface_hub left with config.json alone (AutoConfig):
# completed by a download, not taken as a model without weights.
p=$tmp/c15/models--acme--ner-mini
mkdir -p "$p/refs" "$p/blobs" "$p/snapshots/$main"
printf %s "$main" >"$p/refs/main"
cp "$model/config.json" "$p/blobs/$cfg"
ln -s "../../blobs/$cfg" "$p/snapshots/$main/config.json"
start_hub 0
HF_HUB_CACHE=$tmp/c15 predict_same "a snapshot of config.json alone, completed" acme/ner-mini
[ -L "$p/snapshots/$main/model.safetensors" ] && grep -q '"/cdn/' "$tmp/hub.log" &&
	! grep -q '"GET", "path": "/acme/ner-mini/resolve/[^"]*/config.json"' "$tmp/hub.log" &&
	ok "partial snapshot: the weights fetched, the blob there kept" || bad "partial snapshot: $(ls "$p/snapshots/$main"; cat "$tmp/hub.log")"

# 3. @revision: a sharded safetensors at v1; 4. a commit, no ref written.
start_hub 0
predict_same "@v1 (index + two shards)" acme/ner-mini@v1
[ "$(cat "$repo/refs/v1" 2>/dev/null)" = "$v1" ] && ok "refs/v1 holds v1's commit" || bad "refs/v1 missing"
got=$(cd "$repo/snapshots/$v1" && ls | tr '\n' ' ')
[ "$got" = "config.json model-00001-of-00002.safetensors model-00002-of-00002.safetensors model.safetensors.index.json special_tokens_map.json tokenizer.json tokenizer_config.json vocab.txt " ] &&
	ok "v1 snapshot: the index and its shards" || bad "v1 snapshot holds: $got"
HF_HUB_CACHE=$tmp/c2 predict_same "@<commit>" "acme/ner-mini@$main"
[ -d "$tmp/c2/models--acme--ner-mini/snapshots/$main" ] && [ -z "$(ls "$tmp/c2/models--acme--ner-mini/refs" 2>/dev/null)" ] &&
	ok "a commit: snapshot, no ref" || bad "a commit's download: $(ls -R "$tmp/c2" | head -c 300)"

# A renamed repo: the hub's relative redirects followed, cached under the name given.
HF_HUB_CACHE=$tmp/c9 predict_same "a renamed repo (relative redirects)" acme/old-name
[ "$(cat "$tmp/c9/models--acme--old-name/refs/main" 2>/dev/null)" = "$main" ] && ok "renamed repo cached under the name given" ||
	bad "renamed repo's cache: $(ls -R "$tmp/c9" | head -c 300)"
# explainer run downloads as predict does.
HF_HUB_CACHE=$tmp/c10 "$bin" run --model acme/ner-mini@v1 --data "$src/demo/eval.conll" -o "$tmp/run-v1.db" --threads 2 >/dev/null 2>"$tmp/err" &&
	[ -L "$tmp/c10/models--acme--ner-mini/snapshots/$v1/model-00002-of-00002.safetensors" ] &&
	ok "explainer run downloads a hub id" || bad "run with a hub id to download: $(head -c 300 "$tmp/err")"
a=$(sqlite3 "$tmp/run.db" "select group_concat(pred, ',') from (select pred from words order by sentence_id, idx)" 2>&1)
b=$(sqlite3 "$tmp/run-v1.db" "select group_concat(pred, ',') from (select pred from words order by sentence_id, idx)" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "run: the same predictions from main and the sharded v1" || bad "run predictions differ: ${a:0:80} vs ${b:0:80}"
# explainer serve --model ID --data FILE downloads it and analyses at start.
(cd "$tmp" && HF_HUB_CACHE=$tmp/c14 exec "$bin" serve "$tmp/serve.db" --model acme/ner-mini --data "$src/demo/eval.conll" --no-token --port 0 >"$tmp/serve.out" 2>&1) &
serve_pid=$!
for _ in $(seq 600); do [ -n "$("$bin" runs "$tmp/serve.db" --json 2>/dev/null)" ] && break; sleep 0.1; done
kill -TERM "$serve_pid" 2>/dev/null
wait "$serve_pid" 2>/dev/null
c=$(sqlite3 "$tmp/serve.db" "select group_concat(pred, ',') from (select pred from words order by sentence_id, idx)" 2>&1)
[ -n "$a" ] && [ "$a" = "$c" ] && [ "$(cat "$tmp/c14/models--acme--ner-mini/refs/main" 2>/dev/null)" = "$main" ] &&
	ok "serve --model ID: downloaded, and the run's predictions are the folder's" || bad "serve with a hub id: $(head -c 400 "$tmp/serve.out")"

# 5. Offline: refused, nothing asked.
: >"$tmp/hub.log"
expect_error "HF_HUB_OFFLINE=1 refuses to download" 1 "HF_HUB_OFFLINE=1 forbids downloading it" \
	env HF_HUB_OFFLINE=1 HF_HUB_CACHE="$tmp/c3" "$bin" predict --model acme/ner-mini --text x
[ ! -s "$tmp/hub.log" ] && ok "offline: no request" || bad "offline mode asked the hub"

# 6. Gated: without a token, with HF_TOKEN, with the token file; the token
# never goes to the CDN's host.
expect_error "gated model without a token" 1 "acme/gated: http://127.0.0.1:$port refused access (HTTP 401, GatedRepo)" env HF_HUB_CACHE="$tmp/c4" "$bin" predict --model acme/gated --text x
grep -q "set HF_TOKEN" "$tmp/err" && grep -q "HTTP 401" "$tmp/err" && ok "401 says to set HF_TOKEN" || bad "401 message: $(cat "$tmp/err")"
HF_HUB_CACHE=$tmp/c4 HF_TOKEN=wrong "$bin" predict --model acme/gated --text x >/dev/null 2>"$tmp/err"
grep -q "with the token of HF_TOKEN" "$tmp/err" && ok "a wrong token: said so" || bad "wrong token: $(cat "$tmp/err")"
: >"$tmp/hub.log"
HF_HUB_CACHE=$tmp/c4 HF_TOKEN=hf_secret predict_same "gated model with HF_TOKEN" acme/gated
grep '/resolve/' "$tmp/hub.log" | grep -qv '"auth": "Bearer hf_secret"' && bad "a resolve request without the token" || ok "token sent to the hub"
grep '"/cdn/' "$tmp/hub.log" | grep -q '"auth": null' && ! grep '"/cdn/' "$tmp/hub.log" | grep -q 'Bearer' &&
	ok "token not sent to the CDN's host" || bad "CDN requests: $(grep cdn "$tmp/hub.log" | head -2)"
printf 'hf_secret\n' >"$tmp/token"
HF_HUB_CACHE=$tmp/c5 HF_TOKEN_PATH=$tmp/token predict_same "gated model with HF_TOKEN_PATH" acme/gated

# 7. 404s, the network down, a cache that cannot be written.
expect_error "no such model" 1 "has no model acme/nothing" env HF_HUB_CACHE="$tmp/c6" "$bin" predict --model acme/nothing --text x
expect_error "no such revision" 1 "has no revision 'nope' of acme/ner-mini" env HF_HUB_CACHE="$tmp/c6" "$bin" predict --model acme/ner-mini@nope --text x
# Answers not to be trusted: a blob whose bytes are not its ETag's sha256;
# an index naming a shard outside the repo's top folder.
expect_error "a blob that is not its sha256" 1 "the downloaded bytes have sha256 $st, the hub said" \
	env HF_HUB_CACHE="$tmp/c11" "$bin" predict --model acme/corrupt --text x
[ -z "$(ls "$tmp/c11/models--acme--corrupt/blobs" | grep -v '^[0-9a-f]\{40\}$')" ] &&
	[ ! -e "$tmp/c11/models--acme--corrupt/refs/main" ] && ok "the bad blob removed, no ref" || bad "after a bad blob: $(ls "$tmp/c11/models--acme--corrupt/blobs")"
expect_error "an index naming ../ (a repo file)" 1 "refused to download ../../../evil.safetensors" \
	env HF_HUB_CACHE="$tmp/c12" "$bin" predict --model acme/evil --text x
expect_error "an index naming a shard not in the repo" 1 "weight w is in ../../../evil.safetensors, which acme/evil2 does not have" \
	env HF_HUB_CACHE="$tmp/c12" "$bin" predict --model acme/evil2 --text x
[ -z "$(find "$tmp" -maxdepth 1 -name 'evil*')" ] && ok "nothing written outside the cache" || bad "evil file written"
stop_hub
expect_error "network down" 1 "not a folder here, and the Hugging Face hub at http://127.0.0.1:$port cannot be reached" env HF_HUB_CACHE="$tmp/c6" "$bin" predict --model acme/ner-mini --text x
grep -q "HF_HUB_OFFLINE=1" "$tmp/err" && ok "network down: suggests HF_HUB_OFFLINE=1" || bad "network down: $(cat "$tmp/err")"
start_hub 0
: >"$tmp/notadir"
expect_error "a cache folder that cannot be written" 1 "cannot create the cache folder $tmp/notadir/models--acme--ner-mini" \
	env HF_HUB_CACHE="$tmp/notadir" "$bin" predict --model acme/ner-mini --text x

# 8. Cut halfway once: resumed with Range in the same run.
start_hub 1
HF_HUB_CACHE=$tmp/c7 predict_same "a download cut once, resumed in the run" acme/ner-mini
grep '"/cdn/' "$tmp/hub.log" | grep -q '"range": "bytes=[1-9]' && ok "resumed with a Range request" || bad "no Range request: $(grep cdn "$tmp/hub.log")"
b=$tmp/c7/models--acme--ner-mini/blobs/$st
[ -f "$b" ] && [ "$(sha "$b")" = "$st" ] && ok "resumed blob complete and right" || bad "resumed blob wrong"

# 9. explainer run stopped (SIGTERM, as Ctrl-C) mid-download: cancelled at
# once (exit 143: the signal re-raised after the clean stop), the part kept,
# no database.
FAKE_HUB_SLOW=0.05 start_hub 0
HF_HUB_CACHE=$tmp/c13 "$bin" run --model acme/ner-mini --data "$src/demo/eval.conll" -o "$tmp/cancel.db" --threads 2 >/dev/null 2>"$tmp/cancel.err" &
run_pid=$!
part=$tmp/c13/models--acme--ner-mini/blobs/$st.incomplete
for _ in $(seq 300); do [ -s "$part" ] && break; sleep 0.1; done
kill -TERM "$run_pid"
t0=$(date +%s)
wait "$run_pid"
status=$?
[ "$status" = 143 ] && grep -q "cancelled" "$tmp/cancel.err" && [ $(($(date +%s) - t0)) -le 5 ] &&
	ok "a run stopped mid-download: cancelled at once" || bad "stopped run: exit $status, $(head -c 300 "$tmp/cancel.err")"
[ -s "$part" ] && [ ! -e "$tmp/cancel.db" ] && ok "stopped download: the part kept, no database" || bad "after the stop: part $(stat -c %s "$part" 2>&1), db $(ls "$tmp"/cancel.db* 2>&1)"

# 10. Cut on every attempt of a run: it fails saying to run again, keeps the
# .incomplete, and the next run resumes it. At a commit (no ref to hold
# back), no snapshot is linked until every blob is in.
start_hub 4
expect_error "a commit's download cut every time" 1 "run again to resume it" env HF_HUB_CACHE="$tmp/c16" "$bin" predict --model "acme/ner-mini@$main" --text x
[ ! -e "$tmp/c16/models--acme--ner-mini/snapshots" ] && ok "cut short: no snapshot linked" || bad "cut short: $(ls -R "$tmp/c16/models--acme--ner-mini/snapshots")"
start_hub 0
HF_HUB_CACHE=$tmp/c16 predict_same "a commit: the next run completes it" "acme/ner-mini@$main"
start_hub 4
expect_error "a download cut every time" 1 "run again to resume it" env HF_HUB_CACHE="$tmp/c8" "$bin" predict --model acme/ner-mini --text x
part=$tmp/c8/models--acme--ner-mini/blobs/$st.incomplete
size=$(stat -c %s "$part" 2>/dev/null || echo 0)
full=$(stat -c %s "$model/model.safetensors")
[ "$size" -gt 0 ] && [ "$size" -lt "$full" ] && ok ".incomplete kept ($size of $full bytes)" || bad ".incomplete: $size bytes"
[ ! -e "$tmp/c8/models--acme--ner-mini/refs/main" ] && ok "no ref for an incomplete snapshot" || bad "refs/main written for an incomplete snapshot"
: >"$tmp/hub.log"
HF_HUB_CACHE=$tmp/c8 predict_same "the next run resumes" acme/ner-mini
grep '"/cdn/' "$tmp/hub.log" | grep -q "\"range\": \"bytes=$size-\"" && ok "next run asked for bytes=$size-" || bad "next run's requests: $(grep cdn "$tmp/hub.log")"
[ "$(sha "$tmp/c8/models--acme--ner-mini/blobs/$st")" = "$st" ] && [ ! -e "$part" ] && ok "resumed across runs: blob right" || bad "blob after resuming across runs"
stop_hub
finish
