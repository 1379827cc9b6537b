#!/usr/bin/env bash
# test_cli_torchbin.sh - a model folder with pytorch_model.bin instead of
# model.safetensors, end to end: demo/model's weights torch.save'd by Debian's
# PyTorch (as save_pretrained(safe_serialization=False) writes them) give
# `explainer predict` output identical byte for byte to demo/model's, a run
# database identical in its predictions, and a checkpoint that asks for
# os.system is refused with one line naming the file, and runs nothing.
# Skipped when torch is absent.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
binmodel=$tmp/demo-bin

$PY -c "import torch" 2>/dev/null || skip "/usr/bin/python3 with torch is needed to write pytorch_model.bin"
mkdir -p "$binmodel"
for f in config.json tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt; do
	cp "$model/$f" "$binmodel/"
done
$PY - "$src" "$model" "$binmodel" <<'PY' || die "writing pytorch_model.bin"
import collections, os, sys
sys.path.insert(0, os.path.join(sys.argv[1], "tests", "gen"))
import torch
import hf_reference as R
arrays, header = R.load_safetensors(os.path.join(sys.argv[2], "model.safetensors"))
sd = collections.OrderedDict((k, torch.from_numpy(arrays[k])) for k in sorted(arrays))
torch.save(sd, os.path.join(sys.argv[3], "pytorch_model.bin"))
PY

"$bin" predict --model "$model" --json --threads 2 <"$src/demo/examples.txt" >"$tmp/st.jsonl" 2>"$tmp/err" ||
	die "predict with demo/model: $(head -c 300 "$tmp/err")"
if "$bin" predict --model "$binmodel" --json --threads 2 <"$src/demo/examples.txt" >"$tmp/bin.jsonl" 2>"$tmp/err"; then
	cmp -s "$tmp/st.jsonl" "$tmp/bin.jsonl" && ok "predict: pytorch_model.bin gives demo/model's output byte for byte ($(wc -l <"$tmp/st.jsonl") lines)" ||
		bad "predict output differs between model.safetensors and pytorch_model.bin"
else
	bad "predict with pytorch_model.bin: $(head -c 300 "$tmp/err")"
fi

"$bin" run --model "$binmodel" --data "$src/demo/eval.conll" -o "$tmp/bin.db" --threads 2 >/dev/null 2>"$tmp/err" ||
	bad "run with pytorch_model.bin: $(head -c 300 "$tmp/err")"
"$bin" run --model "$model" --data "$src/demo/eval.conll" -o "$tmp/st.db" --threads 2 >/dev/null 2>"$tmp/err" ||
	bad "run with demo/model: $(head -c 300 "$tmp/err")"
q="select group_concat(pred, ',') from (select pred from words order by sentence_id, idx)"
a=$(sqlite3 "$tmp/st.db" "$q" 2>&1)
b=$(sqlite3 "$tmp/bin.db" "$q" 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "run: every word's prediction equal" || bad "run predictions differ: ${a:0:80} vs ${b:0:80}"

# A checkpoint whose pickle asks for os.system: refused, named, nothing run.
evil=$tmp/evil
mkdir -p "$evil" && cp "$model/config.json" "$model/tokenizer.json" "$evil/"
$PY - "$evil" "$tmp/PWNED" <<'PY' || die "writing the hostile checkpoint"
import os, pickle, sys, zipfile
class Pwn:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2],))
with zipfile.ZipFile(os.path.join(sys.argv[1], "pytorch_model.bin"), "w") as z:
    z.writestr("archive/data.pkl", pickle.dumps({"w": Pwn()}, protocol=2))
PY
"$bin" predict --model "$evil" <"$src/demo/examples.txt" >/dev/null 2>"$tmp/err"
status=$?
[ "$status" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "pytorch_model.bin.*archive/data.pkl.*refused global posix.system" "$tmp/err" &&
	ok "a pickle asking for os.system: one line, $(cut -c1-160 "$tmp/err" | sed "s|$tmp/||")..." ||
	bad "hostile pickle: status $status, $(cat "$tmp/err")"
[ ! -e "$tmp/PWNED" ] && ok "nothing ran" || bad "the hostile pickle ran"
finish
