#!/usr/bin/env bash
# test_tokparity.sh - ctest entry for tokenizer parity: the C tokenizer (through
# tokdump) against Hugging Face tokenizers' Node binding, on CoNLL-2003 test
# sentences plus generated hard cases (see README.md here). Needs Node and the
# npm packages from package-lock.json (scripts/setup.sh --test installs them).
# Env (set by ctest): XNR_SOURCE_DIR, XNR_SHARED_DIR, XNR_BINARY_DIR;
# TOKDUMP overrides the tokdump binary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${XNR_SHARED_DIR:?XNR_SHARED_DIR must point at the shared/ folder}"
: "${XNR_BINARY_DIR:?XNR_BINARY_DIR must point at the build folder}"
tokdump="${TOKDUMP:-$XNR_BINARY_DIR/tests/tokparity/tokdump}"

fail() {
	echo "test_tokparity: $*"
	echo "0 passed, 1 failed"
	exit 1
}

command -v node >/dev/null 2>&1 ||
	fail "node is not installed: run scripts/setup.sh --test"
[ -f "$here/node_modules/tokenizers/package.json" ] ||
	fail "the reference (npm package tokenizers) is not installed in tests/tokparity/node_modules: run scripts/setup.sh --test"
[ -x "$tokdump" ] ||
	fail "$tokdump is not built: the top-level CMakeLists.txt needs add_subdirectory(tests/tokparity)"
[ -f "$XNR_SHARED_DIR/data/conll2003/test.txt" ] ||
	fail "$XNR_SHARED_DIR/data/conll2003/test.txt is missing (XNR_SHARED_DIR points at the shared/ folder)"

exec node "$here/parity.mjs" --tokdump "$tokdump" --shared "$XNR_SHARED_DIR" \
	--out "$XNR_BINARY_DIR/tokparity" "$@"
