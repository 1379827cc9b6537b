#!/usr/bin/env bash
# test_tokparity.sh - ctest entry for tokenizer parity: the C tokenizer (through
# tokdump) against Hugging Face tokenizers' Node binding, on demo/eval.conll's
# sentences plus generated hard cases, with BPE and Unigram trained on the demo
# text; with the argument "shared", on CoNLL-2003 test with the trainers on
# CoNLL-2003 train (see README.md here). Needs Node and the npm packages from
# package-lock.json (scripts/setup.sh --test installs them).
# Env (set by ctest): XNR_SOURCE_DIR, XNR_SHARED_DIR, XNR_BINARY_DIR;
# TOKDUMP overrides the tokdump binary. Trained tokenizers and inputs are
# written to $XNR_BINARY_DIR/tmp/test_tokparity[_shared].
set -u
. "$(dirname "$0")/../lib.sh"
tokdump=${TOKDUMP:-$build/tests/tokparity/tokdump}

command -v node >/dev/null 2>&1 || die "node is not installed: run scripts/setup.sh --test"
[ -f "$src/tests/tokparity/node_modules/tokenizers/package.json" ] ||
	die "the reference (npm package tokenizers) is not installed in tests/tokparity/node_modules: run scripts/setup.sh --test"
[ -x "$tokdump" ] ||
	die "$tokdump is not built: the top-level CMakeLists.txt needs add_subdirectory(tests/tokparity)"
args=(--tokdump "$tokdump" --source "$src" --out "$tmp")
if [ "$group" = shared ]; then
	need_shared data/conll2003/test.txt data/conll2003/train.txt models/conll03-bert-mini/tokenizer.json
	args+=(--shared "$shared")
	shift
else
	args+=(--extra 1000) # the demo has a tenth of CoNLL-2003 test's sentences: more hard cases
fi
exec node "$src/tests/tokparity/parity.mjs" "${args[@]}" "$@"
