# lib.sh - what every benchmark script shares (source it first): strict
# mode, the folders, the interpreter of the peers, the thread count, and the
# checks that what a benchmark needs is there. Not a test.
#
# Sets: here (bench/), root (the repository), build (BUILD, default build;
# relative to the repository), shared (XNR_SHARED_DIR, default ../shared),
# out (bench/out, git-ignored, made), py (Debian's python3), threads
# (THREADS, default 2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
shared=${XNR_SHARED_DIR:-$root/../shared}
out=$here/out
mkdir -p "$out"
py=/usr/bin/python3
threads=${THREADS:-2}

# need_built NAME...: the build folder holds these binaries.
need_built() {
	local b
	for b in "$@"; do
		[ -x "$build/$b" ] || { echo "bench: no $build/$b (build it, or set BUILD)" >&2; exit 1; }
	done
}

# need_shared PATH...: the benchmark's data (relative to the shared folder)
# is there; CoNLL-2003 is research-licensed and not in the repository.
need_shared() {
	local rel
	for rel in "$@"; do
		[ -e "$shared/$rel" ] || {
			echo "bench: $shared/$rel is absent (set XNR_SHARED_DIR to the folder with CoNLL-2003)" >&2
			exit 1
		}
	done
}

# need_python "IMPORTS" PACKAGE...: installs the Debian packages (apt, with
# sudo when not root) unless `import IMPORTS` already works.
need_python() {
	local imports=$1 sudo=""
	shift
	$py -c "import $imports" 2>/dev/null && return 0
	echo "bench: installing $* (the peers)"
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y -qq "$@" >/dev/null
}
