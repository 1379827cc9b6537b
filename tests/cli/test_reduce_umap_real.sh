#!/usr/bin/env bash
# test_reduce_umap_real.sh - UMAP keeps neighbourhoods of real hidden states
# better than PCA: `explainer run` puts the demo model's last-layer hidden
# states of the first 300 CoNLL-2003 test sentences in a run database, Python's
# sqlite3 dumps the `hidden` vectors (docs/schema.md) as raw f32, and the
# cmocka binary test_reduce_umap compares trustworthiness@10 of UMAP and PCA
# on them (its test_real_hidden_states, selected by XNR_UMAP_REAL).
set -u
bin=${XNR_BIN:?}; src=${XNR_SOURCE_DIR:?}; shared=${XNR_SHARED_DIR:?}
tmp=${XNR_BINARY_DIR:?}/tmp/reduce_umap_real; rm -rf "$tmp"; mkdir -p "$tmp"
py=/usr/bin/python3
if ! "$bin" run -m "$src/demo/model" -d "$shared/data/conll2003/test.txt" -l 300 \
	-o "$tmp/run.db" -q >"$tmp/out" 2>"$tmp/err"; then
	echo "FAIL - explainer run: $(head -c 300 "$tmp/err")"; exit 1
fi
dim=$($py - "$tmp/run.db" "$tmp/hidden.f32" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
dim = c.execute("select hidden_size from runs").fetchone()[0]
with open(sys.argv[2], "wb") as f:
    for (v,) in c.execute("select vec from hidden order by sentence_id, idx"):
        assert len(v) == 4 * dim
        f.write(v)
print(dim)
PY
) || { echo "FAIL - dumping the hidden states"; exit 1; }
echo "hidden states: $(($(stat -c %s "$tmp/hidden.f32") / (4 * dim))) x $dim"
XNR_UMAP_REAL=$tmp/hidden.f32 XNR_UMAP_REAL_DIM=$dim "$XNR_BINARY_DIR/test_reduce_umap"
