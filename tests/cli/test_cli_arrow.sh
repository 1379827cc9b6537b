#!/usr/bin/env bash
# test_cli_arrow.sh - datasets saved by Hugging Face `datasets`, end to end:
# tests/arrow/gen.mjs writes save_to_disk folders, a DatasetDict and a
# datasets cache folder from demo/eval.conll with an independent Arrow writer
# (npm apache-arrow); `explainer run` on each stores what the run on the
# CoNLL file stores, value by value (tests/cli/runs_equal.py), but where the
# data came from (path, hash, split) and its documents (a saved dataset has
# none; CoNLL's -DOCSTART- lines make 30); bad input gets one line saying
# where and what (and a corrected export, which cannot write Arrow back, is
# refused saying so). With the argument "shared": CoNLL-2003 test, train and
# validation converted the same way; the save_to_disk folder and the
# DatasetDict's test split run by conll03-bert-mini against the CoNLL file.
# Needs Node and tests/arrow's npm packages (scripts/setup.sh --test).
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model
fx=$tmp/fx
ignore=runs.key,runs.data_path,runs.data_hash,runs.split,runs.options,documents,sentences.doc_id,sentences.source_line

command -v node >/dev/null 2>&1 || die "node is not installed: run scripts/setup.sh --test"
[ -f "$src/tests/arrow/node_modules/apache-arrow/package.json" ] ||
	die "the Arrow writer (npm package apache-arrow) is not installed in tests/arrow/node_modules: run scripts/setup.sh --test"

if [ "$group" = shared ]; then
	need_shared data/conll2003/test.txt data/conll2003/train.txt data/conll2003/valid.txt models/conll03-bert-mini/config.json
	model=$shared/models/conll03-bert-mini
	conll=$shared/data/conll2003/test.txt
	node "$src/tests/arrow/gen.mjs" --out "$fx" --test "$conll" --train "$shared/data/conll2003/train.txt" \
		--validation "$shared/data/conll2003/valid.txt" >"$tmp/gen.log" 2>&1 || die "gen.mjs: $(head -c 300 "$tmp/gen.log")"
else
	conll=$src/demo/eval.conll
	node "$src/tests/arrow/gen.mjs" --out "$fx" --test "$conll" >"$tmp/gen.log" 2>&1 ||
		die "gen.mjs: $(head -c 300 "$tmp/gen.log")"
fi

run() { # run NAME DATA [OPTIONS...]: a run into $tmp/NAME.db
	local name=$1 data=$2
	shift 2
	rm -f "$tmp/$name.db"
	"$bin" run --model "$model" --data "$data" -o "$tmp/$name.db" --threads 2 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
}
same() { # same WHAT NAME: run NAME equals the CoNLL run
	local out
	if out=$($PY "$src/tests/cli/runs_equal.py" "$tmp/conll.db" only "$tmp/$2.db" only --ignore "$ignore" 2>&1); then
		ok "$1: the same rows and metrics as the CoNLL file ($out)"
	else
		bad "$1: differs from the CoNLL run: $out"
	fi
}
split_of() { sqlite3 "$tmp/$1.db" "SELECT split FROM runs"; }
n_sentences() { sqlite3 "$tmp/$1.db" "SELECT n_sentences FROM runs"; }

run conll "$conll" || die "run on the CoNLL file: $(head -c 300 "$tmp/conll.err")"
cache=$fx/cache/conll_fixture/default/0.0.0/9a1b2c3d4e5f
if run int "$fx/int"; then
	same "save_to_disk, int64 ClassLabel tags, 2 shards, batches of 50" int
	[ "$(split_of int)" = test ] && ok "the split from state.json is stored" || bad "split stored: $(split_of int)"
else
	bad "run on the save_to_disk folder: $(head -c 300 "$tmp/int.err")"
fi
run dict "$fx/dict" --split test && same "DatasetDict --split test" dict ||
	bad "run on the DatasetDict: $(head -c 300 "$tmp/dict.err")"

if [ "$group" = core ]; then
	run cache "$cache" && same "datasets cache folder, int8 tags, 2 shards (cache-*.arrow left out)" cache ||
		bad "run on the cache folder: $(head -c 300 "$tmp/cache.err")"
	run str "$fx/str" && same "IPC file format, large_list<large_string> tokens, string tags, List features" str ||
		bad "run on the string-tag folder: $(head -c 300 "$tmp/str.err")"
	if run dev "$fx/dict" --split dev; then
		[ "$(split_of dev)" = dev ] && [ "$(n_sentences dev)" = 172 ] &&
			ok "DatasetDict --split dev finds validation (172 sentences)" ||
			bad "--split dev: split $(split_of dev), $(n_sentences dev) sentences"
	else
		bad "run on the DatasetDict's validation: $(head -c 300 "$tmp/dev.err")"
	fi
	run one "$fx/int/data-00001-of-00002.arrow" && [ "$(n_sentences one)" = 172 ] &&
		ok "one .arrow file, labels from the dataset_info.json beside it" ||
		bad "run on one .arrow file: $(head -c 300 "$tmp/one.err")"
	run labels "$fx/noinfo" --labels O,B-PER,I-PER,B-ORG,I-ORG,B-LOC,I-LOC,B-MISC,I-MISC &&
		ok "no dataset_info.json: --labels names the ids" ||
		bad "run with --labels: $(head -c 300 "$tmp/labels.err")"

	x() { "$bin" run --model "$model" -o "$tmp/x.db" --threads 2 --data "$@"; }
	expect_error "no dataset_info.json, integer tags: says to pass --labels" 1 \
		"data-00000-of-00001.arrow: row 1: ner_tags are ids but no label names were found" x "$fx/noinfo"
	grep -qF -- "pass --labels O,B-PER" "$tmp/err" || bad "the message does not say to pass --labels"
	expect_error "tokens of another type: refused, naming it" 1 "column tokens is list<int32>, expected a list of strings" \
		x "$fx/badtype"
	expect_error "ner_tags of another type: refused, naming it" 1 "column ner_tags is list<float>" x "$fx/badtags"
	expect_error "a ClassLabel index out of range" 1 "row 1: tag 3 is id 5, but there are 3 label names (ids 0 to 2" \
		x "$fx/range"
	expect_error "a null row" 1 "row 5: tokens is null" x "$fx/nulltok"
	expect_error "DatasetDict: unknown split lists the others" 1 \
		"no split \"bogus\" (available: train, validation, test; pick one with --split)" x "$fx/dict" --split bogus
	cp "$tmp/int.db" "$tmp/verdict.db"
	"$bin" verdict "$tmp/verdict.db" --sentence 1 --word 1 --kind label_error --label B-ORG --why test >/dev/null 2>&1 ||
		bad "a verdict on the Arrow run"
	expect_error "export --corrected of a saved dataset: refused, saying what to do instead" 1 \
		"a saved Hugging Face dataset cannot be written back with corrections (save it as JSON lines" \
		"$bin" export "$tmp/verdict.db" --corrected -o "$tmp/fixed.conll"
	mkdir -p "$tmp/trunc" "$tmp/magic"
	cp "$fx/int/state.json" "$fx/int/dataset_info.json" "$tmp/trunc/"
	cp "$fx/int/state.json" "$fx/int/dataset_info.json" "$tmp/magic/"
	cp "$fx/int/data-00000-of-00002.arrow" "$tmp/magic/"
	for f in data-00000-of-00002.arrow data-00001-of-00002.arrow; do
		size=$(stat -c %s "$fx/int/$f")
		head -c $((size * 2 / 3)) "$fx/int/$f" >"$tmp/trunc/$f"
	done
	expect_error "a truncated file: where and what" 1 "data-00000-of-00002.arrow: offset " x "$tmp/trunc"
	grep -qE "truncated" "$tmp/err" || bad "the truncated file's message does not say so: $(cat "$tmp/err")"
	{ printf 'PAR1'; tail -c +5 "$fx/int/data-00001-of-00002.arrow"; } >"$tmp/magic/data-00001-of-00002.arrow"
	expect_error "wrong magic: not an Arrow stream or file" 1 \
		"data-00001-of-00002.arrow: offset 0: not an Arrow IPC stream or file" x "$tmp/magic"
fi
finish
