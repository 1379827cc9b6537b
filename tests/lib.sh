# lib.sh - what every shell test shares (source it first, with the script's
# arguments): the environment ctest sets, the test's group, a fresh scratch
# folder, one line per check with a pass/fail count, checks of error exits,
# and the skip of a test whose material is absent (status 77, which ctest
# reports as skipped, never as passed or failed).
#
# A test that CMake lists in XNR_SHARED_TESTS runs twice: as <name> on the
# repository's material (group "core") and as <name>_shared with the argument
# "shared", where it calls need_shared for the ../shared files it reads. Any
# other first argument is the script's own (test_web.sh takes spec names).
#
# Sets: src, build, shared (XNR_SOURCE_DIR, XNR_BINARY_DIR, XNR_SHARED_DIR),
# PY (Debian's python3, with numpy), group (core or shared), tmp (an empty
# folder for this test and group, kept after the run for a look), pass, fail.
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
export XNR_BINARY_DIR=${XNR_BINARY_DIR:-$PWD}
export XNR_SHARED_DIR=${XNR_SHARED_DIR:-$XNR_SOURCE_DIR/../shared}
src=$XNR_SOURCE_DIR
build=$XNR_BINARY_DIR
shared=$XNR_SHARED_DIR
PY=/usr/bin/python3
group=core
tmp=$build/tmp/$(basename "$0" .sh)
if [ "${1:-}" = shared ]; then
	group=shared
	tmp=${tmp}_shared
fi
rm -rf "$tmp" && mkdir -p "$tmp" || exit 1
pass=0
fail=0

# ok [NAME]: one check passed (printed when named).
ok() {
	pass=$((pass + 1))
	[ $# = 0 ] || echo "ok - $*"
}

# bad MESSAGE: one check failed.
bad() {
	fail=$((fail + 1))
	echo "FAIL - $*"
}

# die MESSAGE: the test cannot go on; counts one more failure and exits 1.
die() {
	echo "FAIL - $*"
	echo "$pass passed, $((fail + 1)) failed"
	exit 1
}

# finish: prints the count and returns its status (the script's last command).
# A function before_finish, when the script defines one, runs first.
finish() {
	[ "$(type -t before_finish)" != function ] || before_finish
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}

# skip REASON: the test cannot run here; one line that ctest's summary and
# tests/skipped.py show, then status 77.
skip() {
	echo "SKIP: $*"
	exit 77
}

# need_shared PATH...: skips the test unless every PATH (relative to the
# shared folder) exists.
need_shared() {
	local rel
	for rel in "$@"; do
		[ -e "$shared/$rel" ] || skip "$shared/$rel is absent (CoNLL-2003 and conll03-bert-mini" \
			"are not in the repository; XNR_SHARED_DIR=$shared)"
	done
}

# expect_error NAME WANT_EXIT SUBSTRING CMD...: CMD exits WANT_EXIT with exactly
# one line on stderr, which contains SUBSTRING.
expect_error() {
	local name=$1 want=$2 sub=$3 rc lines
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -qF -- "$sub" "$tmp/err"; then
		ok "$name"
	else
		bad "$name (exit $rc, $lines stderr lines: $(head -c 300 "$tmp/err"))"
	fi
}

# long_conll OUT N: demo/eval.conll N times over in OUT (344 * N sentences),
# for a run that must still be going after a few seconds.
long_conll() {
	local i
	: >"$1"
	for ((i = 0; i < $2; i++)); do cat "$src/demo/eval.conll"; done >>"$1"
}
