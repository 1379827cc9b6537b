#!/usr/bin/env bash
# gen_arrow_fixtures.sh - the committed Arrow fixtures of test_data_arrow and the
# seeds of the fuzz target data_arrow, written by tests/arrow/gen.mjs (npm
# apache-arrow) from tests/fixtures/arrow/tiny.conll (invented sentences) with
# record batches of 4 rows:
#   stream.arrow  IPC stream, int64 ClassLabel tags, nulls in other columns (rows 1-6)
#   file.arrow    IPC file format, large_list<large_string> tokens, string tags (all 12 rows)
#   int8.arrow    IPC stream, int8 tags (rows 1-6)
#   badtype.arrow tokens as list<int32>
# Needs Node and tests/arrow's packages (scripts/setup.sh --test).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
node tests/arrow/gen.mjs --out "$out" --test tests/fixtures/arrow/tiny.conll --batch 4
fx=tests/fixtures/arrow
cache=$out/cache/conll_fixture/default/0.0.0/9a1b2c3d4e5f
cp "$out/int/data-00000-of-00002.arrow" "$fx/stream.arrow"
cp "$out/str/data-00000-of-00001.arrow" "$fx/file.arrow"
cp "$cache/conll_fixture-test-00000-of-00002.arrow" "$fx/int8.arrow"
cp "$out/badtype/data-00000-of-00001.arrow" "$fx/badtype.arrow"
mkdir -p tests/fuzz/corpus/data_arrow
for f in stream file int8 badtype; do cp "$fx/$f.arrow" "tests/fuzz/corpus/data_arrow/$f.arrow"; done
