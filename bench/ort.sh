#!/usr/bin/env bash
# ort.sh - the engine against ONNX Runtime (fp32 and its dynamic int8) and PyTorch on the
# same weights, token ids and batches: the CoNLL-2003 test split (3,453 sentences), 2
# threads, the demo model and a BERT-base-sized model (random weights). Each round runs every
# contender once, one after the other (alternating, so a busy spell hits all of them); the
# table gives each one's median tokens/s over ROUNDS rounds (default 5) with its min-max, and
# the ratios of the medians. "explainer predict" is the whole process (load, tokenise, run,
# print) timed from outside; the others time their forward passes only (tokenisation and
# load excluded), best of 2 passes a round. Prints the table and keeps every JSON line in
# bench/out/ort.jsonl. Not a test.
#
# SKIP_TORCH=1 leaves PyTorch out (bench/run.sh compares with it on its own).
# Needs python3-torch and python3-onnx (installed with apt) and the npm package
# onnxruntime-node from bench/ort/package-lock.json (installed here with npm ci and
# ONNXRUNTIME_NODE_INSTALL=skip, so nothing but the CPU build that the package holds).
. "$(dirname "$0")/lib.sh"
need_built bench_engine bench_gemm explainer
need_shared data/conll2003/test.txt
data=$shared/data/conll2003/test.txt
rounds=${ROUNDS:-5}
models=${MODELS:-"demo bert-base"}
need_python torch python3-torch python3-numpy
need_python onnx python3-onnx
[ -d "$here/ort/node_modules/onnxruntime-node" ] ||
	(cd "$here/ort" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >/dev/null)
[ -d "$out/bert-base" ] || $py "$here/make_base_model.py" "$out/bert-base" "$shared"

model_dir() { [ "$1" = demo ] && echo "$root/demo/model" || echo "$out/$1"; }

# The peers' inputs, made once per model: ids, the ONNX graphs, the predict input.
prepare() {
	local m=$1 dir
	dir=$(model_dir "$m")
	[ -s "$out/$m.ids.json" ] || $py "$here/peer_torch.py" "$dir" "$data" --dump-ids "$out/$m.ids.json"
	[ -s "$out/$m.int8.onnx" ] || $py "$here/export_onnx.py" "$dir" "$out/$m.onnx" --int8 "$out/$m.int8.onnx"
	[ -s "$out/$m.agree" ] || {
		node "$here/ort/peer_ort.mjs" "$out/$m.onnx" "$out/$m.ids.json" --labels "$out/$m.fp32.labels" >/dev/null
		node "$here/ort/peer_ort.mjs" "$out/$m.int8.onnx" "$out/$m.ids.json" --labels "$out/$m.int8.labels" >/dev/null
		$py - "$out/$m.fp32.labels" "$out/$m.int8.labels" >"$out/$m.agree" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
same = sum(x == y for s, t in zip(a, b) for x, y in zip(s[1:-1], t[1:-1]))
print(f"{same / sum(len(s) - 2 for s in a):.4f}")
PY
	}
	[ -s "$out/words.txt" ] || awk 'NF == 0 { if (s != "") print s; s = ""; next }
		$1 != "-DOCSTART-" { s = (s == "" ? $1 : s " " $1) } END { if (s != "") print s }' "$data" >"$out/words.txt"
}

# process WHAT MODEL_DIR IDS: the whole `explainer predict --words` process (stdout
# thrown away), or `explainer run` into a fresh database (everything stored), timed.
process() {
	rm -f "$out/ort_run.db"
	$py - "$1" "$build/explainer" "$2" "$out/words.txt" "$3" "$threads" "$data" "$out/ort_run.db" <<'PY'
import json, resource, subprocess, sys, time
what, exe, model, words, ids, threads, data, db = sys.argv[1:]
tokens = sum(len(s) for s in json.load(open(ids)))
t0 = time.perf_counter()
if what == "predict":
    with open(words) as f:
        subprocess.run([exe, "predict", "--model", model, "--words", "--threads", threads],
                       stdin=f, stdout=subprocess.DEVNULL, check=True)
else:
    subprocess.run([exe, "run", "--model", model, "--data", data, "-o", db, "-q", "--threads", threads],
                   check=True)
s = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
print(json.dumps({"impl": "explainer " + what, "tokens": tokens, "seconds": round(s, 3),
                  "tokens_per_s": round(tokens / s, 1), "peak_rss_mb": round(rss, 1)}))
PY
}

round_of() { # MODEL: one line of JSON per contender, tagged with the model
	local m=$1 dir
	dir=$(model_dir "$m")
	{
		"$build/bench_engine" "$dir" "$data" "$threads" 2 | sed 's/"impl":"explainer"/"impl":"explainer engine"/'
		for p in bf16 int8; do
			"$build/bench_engine" "$dir" "$data" "$threads" 2 4096 "$p" |
				sed "s/\"impl\":\"explainer\"/\"impl\":\"explainer $p\"/"
		done
		process predict "$dir" "$out/$m.ids.json"
		process run "$dir" "$out/$m.ids.json"
		node "$here/ort/peer_ort.mjs" "$out/$m.onnx" "$out/$m.ids.json" --threads "$threads" --repeats 2
		node "$here/ort/peer_ort.mjs" "$out/$m.int8.onnx" "$out/$m.ids.json" --threads "$threads" --repeats 2 |
			sed 's/"impl":"ort"/"impl":"ort int8"/'
		[ -n "${SKIP_TORCH:-}" ] ||
			OPENBLAS_NUM_THREADS=$threads $py "$here/peer_torch.py" "$dir" "$data" --ids "$out/$m.ids.json" --repeats 2
	} | sed "s/^{/{\"model\":\"$m\",/"
}

: >"$out/ort.jsonl"
for m in $models; do prepare "$m"; done
for r in $(seq "$rounds"); do
	for m in $models; do round_of "$m" >>"$out/ort.jsonl"; done
	echo "ort.sh: round $r of $rounds done" >&2
done
for m in $models; do echo "$m: ONNX Runtime int8 gives the labels of its fp32 on $(cat "$out/$m.agree") of the sub-tokens"; done
$py - "$out/ort.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault((r["model"], r["impl"]), []).append(r)
print("| model | contender | tokens/s median (min-max) | peak RSS | vs ORT fp32 | vs ORT int8 |")
print("|---|---|---|---|---|---|")
for model in dict.fromkeys(m for m, _ in by):
    med = {i: statistics.median(x["tokens_per_s"] for x in v) for (m, i), v in by.items() if m == model}
    for (m, impl), v in by.items():
        if m != model:
            continue
        t = [x["tokens_per_s"] for x in v]
        rss = max(x["peak_rss_mb"] for x in v)
        print(f"| {model} | {impl} | {med[impl]:.0f} ({min(t):.0f}-{max(t):.0f}) | {rss:.0f} MB | "
              f"{med[impl] / med['ort']:.2f}x | {med[impl] / med['ort int8']:.2f}x |")
PY
# The GEMM limit: BERT-base's Linears alone at the rows of one of the engine's batches (its 4,096-token budget).
need_built bench_gemm
echo
echo "| GEMM limit (bench_gemm: BERT-base Linears alone, 4,096 rows) | GFLOP/s | tokens/s if nothing else took time |"
echo "|---|---|---|"
"$build/bench_gemm" "$threads" 4096 768 3072 12 3 | $py -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print("| %s | %.0f | %.0f |" % (r["precision"], r["gflops"], r["tokens_per_s"]))'
