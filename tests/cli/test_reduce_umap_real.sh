#!/usr/bin/env bash
# test_reduce_umap_real.sh - UMAP keeps neighbourhoods of real hidden states
# far better than PCA: `explainer run` puts the demo model's last-layer hidden
# states of every word of demo/eval.conll (5,119 words; with the argument
# "shared", of the first 300 CoNLL-2003 test sentences, 4,030 words) in a run
# database, Python's sqlite3 dumps the `hidden` vectors (docs/schema.md) as raw
# f32, and the cmocka binary test_reduce_umap (its test_real_hidden_states,
# selected by XNR_UMAP_REAL) checks trustworthiness@10 of UMAP and PCA on them.
#
# Thresholds, from the same vectors (trustworthiness@10, scikit-learn's
# definition; umap-learn 0.5.3 with n_neighbors 15, min_dist 0.1, seeds 42, 0, 1):
#   demo/eval.conll: ExplaiNER UMAP 0.9432, umap-learn 0.9421-0.9441, PCA 0.8159
#   (scikit-learn's PCA: 0.8159); CoNLL-2003 test, 300 sentences: UMAP 0.9645,
#   umap-learn 0.9619-0.9631, PCA 0.8177 (scikit-learn 0.8177).
# UMAP must reach MIN, under the lowest umap-learn seed by 0.007, and beat PCA
# by MARGIN 0.10 (0.127 and 0.147 measured), so a layout that kept only PCA's
# global structure, or a broken SGD, fails.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
# A check of the layout's quality, not of memory: 4+ minutes of UMAP under
# ASan, whose code test_reduce_umap runs under the sanitizers on its own cases.
[ "${XNR_SANITIZED:-0}" = 1 ] && skip "a sanitizer build (XNR_SANITIZED=1): a quality check of the release build; test_reduce_umap runs UMAP under the sanitizers"
if [ "$group" = shared ]; then
	need_shared data/conll2003/test.txt
	data=$shared/data/conll2003/test.txt limit=(-l 300) min=0.955 margin=0.10
else
	data=$src/demo/eval.conll limit=() min=0.935 margin=0.10
fi
"$bin" run -m "$src/demo/model" -d "$data" "${limit[@]}" -o "$tmp/run.db" -q >"$tmp/out" 2>"$tmp/err" ||
	die "explainer run: $(head -c 300 "$tmp/err")"
dim=$($PY - "$tmp/run.db" "$tmp/hidden.f32" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
dim = c.execute("select hidden_size from runs").fetchone()[0]
with open(sys.argv[2], "wb") as f:
    for (v,) in c.execute("select vec from hidden order by sentence_id, idx"):
        assert len(v) == 4 * dim
        f.write(v)
print(dim)
PY
) || die "dumping the hidden states"
echo "hidden states of $(basename "$data"): $(($(stat -c %s "$tmp/hidden.f32") / (4 * dim))) x $dim"
XNR_UMAP_REAL=$tmp/hidden.f32 XNR_UMAP_REAL_DIM=$dim XNR_UMAP_REAL_MIN=$min XNR_UMAP_REAL_MARGIN=$margin \
	"$build/test_reduce_umap"
