#!/usr/bin/env bash
# test_cli_vectors.sh - hidden states out and stored small: `explainer export
# RUN.db --vectors OUT.npy` writes a .npy that numpy loads (format 1.0, '<f4',
# shape (words, hidden size)) equal to the database's vectors; it refuses to
# overwrite without --force. `explainer run --hidden-dtype f16` stores the
# hidden states as IEEE half, exactly numpy's astype(float16) of the float32
# run's (so the rounding is numpy's), in half the bytes; readers (export,
# the neighbour signal of `explainer issues`) get them back as float32.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
data=$src/demo/eval.conll

"$bin" run --model "$model" --data "$data" -o "$tmp/f32.db" -q --threads 2 2>"$tmp/err" ||
	die "run: $(head -c 300 "$tmp/err")"
"$bin" run --model "$model" --data "$data" -o "$tmp/f16.db" -q --threads 2 --hidden-dtype f16 2>"$tmp/err" ||
	die "run --hidden-dtype f16: $(head -c 300 "$tmp/err")"
for t in f32 f16; do
	"$bin" export "$tmp/$t.db" --vectors "$tmp/$t.npy" 2>"$tmp/err" &&
		grep -q "hidden states of 256 values" "$tmp/err" && ok "export --vectors of the $t run" ||
		bad "export --vectors $t: $(cat "$tmp/err")"
done

$PY - "$tmp" <<'PY' && ok "npy files equal the stored vectors; f16 is numpy's rounding of f32, in half the bytes" || bad "vectors check"
import json, sqlite3, sys
import numpy as np
tmp = sys.argv[1]
def stored(db, dt):
    c = sqlite3.connect(f"{tmp}/{db}.db")
    rows = c.execute("select vec from hidden where run_id = 1 order by sentence_id, idx").fetchall()
    size, = c.execute("select sum(length(vec)) from hidden").fetchone()
    opts = json.loads(c.execute("select options from runs").fetchone()[0])
    return np.stack([np.frombuffer(v, dt) for (v,) in rows]).astype(np.float32), size, opts
a, a_bytes, a_opts = stored("f32", "<f4")
b, b_bytes, b_opts = stored("f16", "<f2")
na, nb = np.load(f"{tmp}/f32.npy"), np.load(f"{tmp}/f16.npy")
raw = open(f"{tmp}/f32.npy", "rb").read(10)
assert raw[:8] == b"\x93NUMPY\x01\x00" and (10 + int.from_bytes(raw[8:10], "little")) % 64 == 0
assert na.dtype == np.dtype("<f4") and na.shape == a.shape == (a.shape[0], 256), na.shape
assert np.array_equal(na, a) and np.array_equal(nb, b)
assert np.array_equal(a.astype(np.float16).astype(np.float32), b)
assert b_bytes * 2 == a_bytes, (a_bytes, b_bytes)
assert "hidden_dtype" not in a_opts and b_opts["hidden_dtype"] == "f16"
print(f"{a.shape[0]} words: hidden bytes {a_bytes} -> {b_bytes}, max |f32 - f16| {np.abs(a - b).max():.3g}")
PY

# Refusals: an existing file, both --vectors and --output, a run without hidden states, a bad dtype.
before=$(md5sum <"$tmp/f32.npy")
expect_error "export --vectors over a file is refused" 1 "exists; nothing was written (use --force" \
	"$bin" export "$tmp/f32.db" --vectors "$tmp/f32.npy"
[ "$(md5sum <"$tmp/f32.npy")" = "$before" ] && ok "the file is unchanged" || bad "the refused export changed the file"
"$bin" export "$tmp/f16.db" --vectors "$tmp/f32.npy" --force -q 2>"$tmp/err" &&
	$PY -c "import numpy as np, sys; assert np.array_equal(np.load(sys.argv[1]), np.load(sys.argv[2]))" "$tmp/f32.npy" "$tmp/f16.npy" &&
	ok "--force overwrites" || bad "export --force: $(cat "$tmp/err")"
expect_error "--vectors with --output" 2 "--vectors names its own file" \
	"$bin" export "$tmp/f32.db" --vectors "$tmp/x.npy" -o "$tmp/y.npy"
expect_error "--hidden-dtype f8" 2 "--hidden-dtype is f32 or f16" \
	"$bin" run --model "$model" --data "$data" -o "$tmp/x.db" --hidden-dtype f8
cp "$tmp/f32.db" "$tmp/none.db"
sqlite3 "$tmp/none.db" "delete from hidden; update runs set hidden_size = 0"
expect_error "a run without hidden states" 1 "stores no hidden states" \
	"$bin" export "$tmp/none.db" --vectors "$tmp/none.npy"
[ ! -e "$tmp/none.npy" ] && ok "a failed export leaves no file" || bad "a failed export left $tmp/none.npy"

# The same options again reuse the run; f16 beside f32 is a run of its own.
"$bin" run --model "$model" --data "$data" -o "$tmp/f32.db" -q --threads 2 --hidden-dtype f32 2>/dev/null &&
	[ "$(sqlite3 "$tmp/f32.db" "select count(*) from runs")" = 1 ] && ok "--hidden-dtype f32 reuses the float32 run" ||
	bad "float32 run not reused"
"$bin" run --model "$model" --data "$data" -o "$tmp/f32.db" -q --threads 2 --hidden-dtype f16 2>/dev/null &&
	[ "$(sqlite3 "$tmp/f32.db" "select count(*) from runs")" = 2 ] && ok "an f16 run next to it is a new run" ||
	bad "f16 run not added"
"$bin" export "$tmp/f32.db" --run 2 --vectors "$tmp/run2.npy" -q &&
	cmp -s "$tmp/run2.npy" "$tmp/f16.npy" && ok "its vectors equal the other f16 run's" || bad "run 2 vectors"

# A reader of the vectors on an f16 run: the neighbour signal of `explainer issues`.
"$bin" issues "$tmp/f16.db" --top 5 >"$tmp/issues16" 2>"$tmp/err" &&
	"$bin" issues "$tmp/f32.db" --run 1 --top 5 >"$tmp/issues32" 2>>"$tmp/err" &&
	ok "explainer issues reads the f16 run ($(wc -l <"$tmp/issues16") lines)" || bad "issues on f16: $(head -c 300 "$tmp/err")"
finish
