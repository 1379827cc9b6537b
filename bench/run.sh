#!/usr/bin/env bash
# run.sh - engine throughput against PyTorch, same weights, same sentences, same
# run: tokens/s over the CoNLL-2003 test split (3,453 sentences) with 2
# threads, for the demo model and a BERT-base-sized model (random weights),
# with the environment as it is and again with OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset. Prints JSON lines and a table; not a test.
. "$(dirname "$0")/lib.sh"
need_built bench_engine
need_shared data/conll2003/test.txt
data=$shared/data/conll2003/test.txt
need_python torch python3-torch python3-numpy
[ -d "$out/bert-base" ] || $py "$here/make_base_model.py" "$out/bert-base" "$shared"

run_pair() { # label model env-prefix...
	local label=$1 model=$2; shift 2
	local c t
	c=$(env "$@" "$build/bench_engine" "$model" "$data" "$threads" 2)
	t=$(env "$@" OPENBLAS_NUM_THREADS="$threads" $py "$here/peer_torch.py" "$model" "$data" --repeats 2)
	echo "$c" >>"$out/results.jsonl"; echo "$t" >>"$out/results.jsonl"
	$py - "$label" "$c" "$t" <<'PY'
import json, sys
label, c, t = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"| {label} | {c['tokens_per_s']:.0f} | {t['tokens_per_s']:.0f} | "
      f"{c['tokens_per_s'] / t['tokens_per_s']:.2f}x | {c['peak_rss_mb']:.0f} MB "
      f"(weights {c['weights_mb']:.0f}) | {t['peak_rss_mb']:.0f} MB |")
PY
}

: >"$out/results.jsonl"
echo "| model, environment | explainer tokens/s | PyTorch tokens/s | ratio | explainer peak RSS | PyTorch peak RSS |"
echo "|---|---|---|---|---|---|"
run_pair "demo (bert-mini), env as set" "$root/demo/model"
run_pair "BERT-base, env as set" "$out/bert-base"
run_pair "demo (bert-mini), OPENBLAS_* unset" "$root/demo/model" -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
run_pair "BERT-base, OPENBLAS_* unset" "$out/bert-base" -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
