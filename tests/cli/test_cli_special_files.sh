#!/usr/bin/env bash
# test_cli_special_files.sh - every file ExplaiNER reads must be a regular
# file, and finding out never blocks (issue #14): a FIFO opened for reading
# waits for a writer forever, a device reads forever. `run` and `predict`
# given a FIFO or a device as the dataset, a model folder holding a FIFO
# (config.json, tokenizer.json, the weights) or a data folder whose split is
# a FIFO: one clear error line at once, exit 1, no database left behind.
# Each command runs under `timeout`, so the code before this check hung
# the test instead of passing it.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
data=$src/demo/eval.conll
fifo="a FIFO (named pipe), not a regular file (ExplaiNER reads only regular files)"

# refused NAME SUBSTRING CMD...: CMD ends within 10 s, exit 1, one line
# naming the file and what it is.
refused() {
	local name=$1 sub=$2
	shift 2
	expect_error "$name" 1 "$sub" timeout 10 "$@"
}

mkfifo "$tmp/data.conll"
refused "run --data FIFO" "data.conll: $fifo" "$bin" run --model "$model" --data "$tmp/data.conll" -o "$tmp/out.db" -q
refused "run --data /dev/zero" "/dev/zero: a character device, not a regular file" "$bin" run --model "$model" --data /dev/zero -o "$tmp/out.db" -q
mkdir "$tmp/split"
mkfifo "$tmp/split/test.txt"
refused "run --data FOLDER whose test split is a FIFO" "split/test.txt: $fifo" "$bin" run --model "$model" --data "$tmp/split" -o "$tmp/out.db" -q

# A model folder with one of its files a FIFO (links to the demo's others).
for name in config.json tokenizer.json model.safetensors; do
	dir=$tmp/model-$name
	mkdir "$dir"
	for f in "$model"/*; do ln -s "$f" "$dir/$(basename "$f")"; done
	rm "$dir/$name"
	mkfifo "$dir/$name"
	refused "run --model with a FIFO $name" "model-$name/$name: $fifo" "$bin" run --model "$dir" --data "$data" -o "$tmp/out.db" -q
	refused "predict --model with a FIFO $name" "model-$name/$name: $fifo" "$bin" predict --model "$dir" --text "Paris"
done
[ ! -e "$tmp/out.db" ] && ok "no database after the refusals" || bad "a database was left: $(ls "$tmp")"

# A regular file through a link still reads (the check follows links).
ln -s "$data" "$tmp/link.conll"
timeout 60 "$bin" run --model "$model" --data "$tmp/link.conll" -o "$tmp/out.db" -q --limit 2 && ok "a link to a regular file" || bad "a link to a regular file was refused"
finish
