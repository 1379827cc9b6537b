#!/usr/bin/env bash
# reduce.sh - 2-D projections of real hidden states (the Hidden States page):
# the demo model's last-layer word vectors from a CoNLL-2003 train run, 10k
# and 50k words drawn at random (seed 0), projected with PCA, TruncatedSVD
# and UMAP by ExplaiNER and by scikit-learn / umap-learn in the same run, with
# the time and the trustworthiness at k=10 of each. Prints JSON lines and a
# table; not a test.
. "$(dirname "$0")/lib.sh"
need_built explainer bench_reduce
need_python "sklearn, umap" python3-sklearn umap-learn
db=$out/train.db
[ -f "$db" ] || need_shared data/conll2003/train.txt
[ -f "$db" ] || "$build/explainer" run -m "$root/demo/model" -d "$shared/data/conll2003/train.txt" -o "$db" -q
for n in 10000 50000; do
	[ -f "$out/hidden_$n.f32" ] || $py - "$db" "$n" "$out/hidden_$n.f32" <<'PY'
import random, sqlite3, sys
db, n, path = sqlite3.connect(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
keys = db.execute("select sentence_id, idx from hidden where run_id = 1").fetchall()
random.Random(0).shuffle(keys)
with open(path, "wb") as f:
    for s, i in keys[:n]:
        f.write(db.execute("select vec from hidden where run_id = 1 and sentence_id = ? and idx = ?", (s, i)).fetchone()[0])
PY
done
d=$($py -c "import sqlite3; print(sqlite3.connect('$db').execute('select hidden_size from runs where id = 1').fetchone()[0])")

: >"$out/reduce.jsonl"
echo "| method | words | explainer s | peer s | explainer trust@10 | peer trust@10 |"
echo "|---|---|---|---|---|---|"
for m in pca svd umap; do
	for n in 10000 50000; do
		c=$("$build/bench_reduce" "$out/hidden_$n.f32" "$n" "$d" "$m" "$threads")
		p=$(NUMBA_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads $py "$here/peer_reduce.py" "$out/hidden_$n.f32" "$n" "$d" "$m" "$threads" 2>/dev/null)
		echo "$c" >>"$out/reduce.jsonl"; echo "$p" >>"$out/reduce.jsonl"
		$py - "$c" "$p" <<'PY'
import json, sys
c, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"| {c['method']} ({p['impl']}) | {c['n']} | {c['seconds']:.2f} | {p['seconds']:.2f} | "
      f"{c['trust_first5k']:.3f} | {p['trust_first5k']:.3f} |")
PY
	done
done
