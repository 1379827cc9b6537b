#!/usr/bin/env bash
# test_cli_hidden_layer.sh - another layer's hidden states out (#12 item 6):
# `explainer run --hidden-layer N` stores layer N's output (transformers'
# hidden_states[N]) and records N in the run's options; `explainer export
# --vectors --layer N` writes them, equal within 1e-4 to the PyTorch
# reference (tests/gen/hf_reference.py, demo/model's weights) at each word's
# first sub-token of tests/fixtures/demo/golden_eval64.json's 64 sentences;
# --layer refuses, in one line, a run that stored another layer; a layer the
# model does not have is refused. The reference part is skipped without torch.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
data=$src/demo/eval.conll

for n in 2 last; do
	args=()
	[ "$n" = last ] || args=(--hidden-layer "$n")
	"$bin" run --model "$model" --data "$data" -o "$tmp/runs.db" -q --threads 2 --limit 64 "${args[@]}" 2>"$tmp/err" ||
		die "run ${args[*]}: $(head -c 300 "$tmp/err")"
done
[ "$(sqlite3 "$tmp/runs.db" "SELECT json_extract(options, '$.hidden_layer') FROM runs WHERE id = 1")" = 2 ] &&
	[ -z "$(sqlite3 "$tmp/runs.db" "SELECT json_extract(options, '$.hidden_layer') FROM runs WHERE id = 2")" ] &&
	ok "the layer is recorded in the run's options (and only when given)" || bad "options: $(sqlite3 "$tmp/runs.db" "SELECT options FROM runs")"
"$bin" export "$tmp/runs.db" --run 1 --vectors "$tmp/l2.npy" --layer 2 2>"$tmp/err" &&
	"$bin" export "$tmp/runs.db" --run 2 --vectors "$tmp/last.npy" --layer last 2>>"$tmp/err" &&
	ok "export --vectors --layer of the layer each run stored" || bad "export --layer: $(cat "$tmp/err")"

x() { "$bin" export "$tmp/runs.db" --vectors "$tmp/x.npy" "$@"; }
expect_error "--layer N of a run that stored layer M: refused" 1 \
	"run 1 stored layer 2's hidden states, not layer 3's (export them with --layer 2, or run again with --hidden-layer 3)" \
	x --run 1 --layer 3
expect_error "--layer N of a run that stored the last layer: refused" 1 \
	"run 2 stored the last layer's hidden states, not layer 2's (export them with --layer last" x --run 2 --layer 2
[ ! -e "$tmp/x.npy" ] && ok "a refused export writes no file" || bad "a refused export left $tmp/x.npy"
expect_error "--hidden-layer beyond the model's layers" 1 "--hidden-layer 5: model $model has 4 layers (give 1 to 4" \
	"$bin" run --model "$model" --data "$data" -o "$tmp/bad.db" -q --limit 2 --hidden-layer 5

if ! $PY -c "import torch" 2>/dev/null; then
	echo "SKIP: the PyTorch reference (/usr/bin/python3 with torch is needed)"
	finish
	exit
fi
$PY - "$src" "$model" "$tmp" <<'PY' && ok "layer 2 and the last layer equal the PyTorch reference's hidden_states[2] and [4]" || bad "reference check"
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(sys.argv[1], "tests", "gen"))
import torch
import hf_reference as R
src, model, tmp = sys.argv[1:4]
cfg, m = R.load_model_dir(model)
golden = json.load(open(os.path.join(src, "tests/fixtures/demo/golden_eval64.json")))
want = {2: [], 4: []}
with torch.no_grad():
    for s in golden:
        out = m(torch.tensor([s["input_ids"]]), keep=True)["hidden_states"]
        first = {}
        for t, w in enumerate(s["word_ids"]):
            if w is not None and w not in first:
                first[w] = t
        for layer in want:
            want[layer] += [out[layer][0, first[w]].numpy() for w in sorted(first)]
for layer, name in ((2, "l2"), (4, "last")):
    got = np.load(f"{tmp}/{name}.npy")
    ref = np.stack(want[layer])
    assert got.shape == ref.shape, (name, got.shape, ref.shape)
    d = float(np.abs(got - ref).max())
    print(f"layer {layer}: {got.shape[0]} words, max |diff| {d:.2e}")
    assert d < 1e-4, d
assert np.abs(np.load(f"{tmp}/l2.npy") - np.load(f"{tmp}/last.npy")).max() > 0.1
PY
finish
