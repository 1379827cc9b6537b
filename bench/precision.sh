#!/usr/bin/env bash
# precision.sh - what --precision bf16 and int8 cost in accuracy (issue #13): `explainer
# run` in fp32, bf16 and int8 over CoNLL-2003 test with the shared conll03-bert-mini
# (every sentence) and with the BERT-base-sized model (random weights, so only agreement
# means something; its first BASE_LIMIT sentences, default 1000), then for each mode: the
# share of words whose label equals fp32's, the largest difference of a word's label
# probability from fp32's, entity F1 (seqeval default and strict, from `explainer report
# --json`) and the run's time. Prints a table; not a test.
. "$(dirname "$0")/lib.sh"
need_built explainer
need_shared data/conll2003/test.txt models/conll03-bert-mini/config.json
data=$shared/data/conll2003/test.txt
base_limit=${BASE_LIMIT:-1000}
need_python torch python3-torch python3-numpy
[ -d "$out/bert-base" ] || $py "$here/make_base_model.py" "$out/bert-base" "$shared"

# runs NAME MODEL [run options]: the three runs into bench/out/precision_NAME.db.
runs() {
	local name=$1 model=$2 p db
	shift 2
	db=$out/precision_$name.db
	rm -f "$db"
	for p in fp32 bf16 int8; do
		"$build/explainer" run --model "$model" --data "$data" -o "$db" -q --threads "$threads" \
			--precision "$p" "$@"
	done
}

runs bert-mini "$shared/models/conll03-bert-mini"
runs bert-base "$out/bert-base" --limit "$base_limit"
echo "| model | precision | words agreeing with fp32 | largest probability difference | F1 default | F1 strict | run time |"
echo "|---|---|---|---|---|---|---|"
for name in bert-mini bert-base; do
	$py - "$out/precision_$name.db" "$name" "$build/explainer" <<'PY'
import json, sqlite3, subprocess, sys
import numpy as np
db, name, exe = sys.argv[1:]
con = sqlite3.connect(db)
runs = con.execute("SELECT id, options, duration_s FROM runs ORDER BY id").fetchall()
def words(run):
    rows = con.execute("SELECT pred, probs FROM words WHERE run_id = ? ORDER BY sentence_id, idx",
                       (run,)).fetchall()
    return np.array([r[0] for r in rows]), np.stack([np.frombuffer(r[1], "<f4") for r in rows])
ref_pred, ref_probs = words(runs[0][0])
for run, options, seconds in runs:
    prec = json.loads(options).get("precision", "fp32")
    pred, probs = words(run)
    rep = json.loads(subprocess.run([exe, "report", db, "--run", str(run), "--json", "--resamples", "0",
                                     "--bins", "0"], check=True, capture_output=True).stdout)
    f1 = lambda mode: rep[mode]["micro avg"]["f1-score"] * 100
    print(f"| {name} | {prec} | {(pred == ref_pred).mean():.4%} ({(pred != ref_pred).sum()} differ) | "
          f"{np.abs(probs - ref_probs).max():.4f} | {f1('seqeval_default'):.2f} | "
          f"{f1('seqeval_strict'):.2f} | {seconds:.1f} s |")
PY
done
