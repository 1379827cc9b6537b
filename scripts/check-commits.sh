#!/usr/bin/env bash
# check-commits.sh - build every commit since BASE on its own, as bisecting
# will: each one must configure, build with -Werror and (with --test) pass
# `ctest`. Runs in a scratch worktree, so the checkout you work in is left
# alone; one build folder is reused, so each commit costs an incremental build.
#
#   scripts/check-commits.sh origin/main          # build each commit
#   scripts/check-commits.sh --test 646add5       # build and test each commit
#
# Prints one line per commit (ok / FAIL and where the log is) and exits 1 if
# any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

run_tests=0
if [ "${1:-}" = "--test" ]; then
	run_tests=1
	shift
fi
[ $# -eq 1 ] || { echo "usage: scripts/check-commits.sh [--test] BASE" >&2; exit 2; }
base=$1
git rev-parse -q --verify "$base^{commit}" >/dev/null ||
	{ echo "check-commits: $base is not a commit" >&2; exit 2; }

commits=$(git rev-list --reverse "$base"..HEAD)
[ -n "$commits" ] || { echo "check-commits: no commits after $base"; exit 0; }

# Inside the checkout's build area (ignored by git): on the same file system,
# so the installed npm packages can be hard-linked in, not copied.
mkdir -p "$top/build-commits"
work=$(mktemp -d "$top/build-commits/run.XXXXXX")
logs="$work/logs"
mkdir -p "$logs"
cleanup() {
	git -C "$top" worktree remove --force "$work/tree" >/dev/null 2>&1 || true
	git -C "$top" worktree prune
}
trap cleanup EXIT
git worktree add -q --detach "$work/tree" "$base"
# The web app's npm packages are packed into the build: borrow the installed
# ones as hard links (a symbolic link would lead out of web/, which the server
# rightly refuses to serve) when the commit's package-lock.json is this
# checkout's; a commit with another lock gets its own `npm ci` (from npm's
# cache), redone only when the lock changes.
link_modules() {
	local d lock stamp
	for d in web tests/tokparity tests/arrow; do
		lock=$work/tree/$d/package-lock.json
		[ -f "$lock" ] || continue
		stamp=$(sha256sum "$lock" | cut -c1-64)
		[ "$(cat "$work/stamp.${d//\//_}" 2>/dev/null)" = "$stamp" ] && continue
		rm -rf "$work/tree/$d/node_modules"
		if cmp -s "$lock" "$top/$d/package-lock.json" && [ -d "$top/$d/node_modules" ]; then
			cp -al "$top/$d/node_modules" "$work/tree/$d/node_modules"
		else
			npm ci --prefix "$work/tree/$d" --no-audit --no-fund >/dev/null 2>&1 || return 1
		fi
		echo "$stamp" >"$work/stamp.${d//\//_}"
	done
}
link_modules

jobs=$(nproc)
# The scratch tree is elsewhere: point the tests at this checkout's ../shared
# (when it is there; without it, the checks that need it are skipped).
shared=$(cd "$top/.." && pwd)/shared
failed=0
for c in $commits; do
	subject=$(git log -1 --format='%h %s' "$c" | cut -c1-90)
	log="$logs/$(git rev-parse --short "$c").log"
	git -C "$work/tree" checkout -q --detach "$c"
	ok=1
	link_modules || { echo "npm ci failed" >"$log"; ok=0; }
	[ "$ok" = 0 ] || {
		cmake -S "$work/tree" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DXNR_WERROR=ON \
			-DXNR_SHARED_DIR="$shared" &&
			cmake --build "$work/build" -j"$jobs"
	} >"$log" 2>&1 || ok=0
	if [ "$ok" = 1 ] && [ "$run_tests" = 1 ]; then
		(cd "$work/build" && ctest --output-on-failure -j"$jobs") >>"$log" 2>&1 || ok=0
	fi
	if [ "$ok" = 1 ]; then
		echo "ok    $subject"
	else
		echo "FAIL  $subject   (log: $log)"
		failed=$((failed + 1))
	fi
done
if [ "$failed" -gt 0 ]; then
	trap - EXIT
	cleanup
	echo "check-commits: $failed of $(echo "$commits" | wc -l) commits failed; logs in $logs"
	exit 1
fi
echo "check-commits: all $(echo "$commits" | wc -l) commits $([ "$run_tests" = 1 ] && echo "build and pass ctest" || echo build)"
cleanup
trap - EXIT
rm -rf "$work"
