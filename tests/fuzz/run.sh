#!/usr/bin/env bash
# run.sh - run every libFuzzer target of a fuzz build (cmake -DXNR_FUZZ=ON) for
# SECONDS each, one after the other, starting from its committed seeds
# (tests/fuzz/corpus/<name>/, only read) plus a scratch corpus that keeps what
# it finds (BUILD/fuzz-corpus/<name>/; --fresh empties it first). Prints per
# target the edges covered at the start (the seeds, plus the scratch corpus
# unless --fresh) and at the end (of all instrumented edges), the features,
# the execs per second and whether it crashed; exits 1 if any target crashed
# (the input is saved under BUILD/fuzz-crashes/<name>/, the log in
# BUILD/fuzz-logs/<name>.log). tests/fuzz/dict/<module>.dict, when there is
# one, is the target's dictionary. `make fuzz` and `make fuzz-ci` call it.
#
# usage: tests/fuzz/run.sh BUILD SECONDS [--fresh] [TARGET...]   (TARGET: data_conll, ...)
set -uo pipefail
cd "$(dirname "$0")/../.."

build=${1:?usage: run.sh BUILD SECONDS [--fresh] [TARGET...]}
seconds=${2:?usage: run.sh BUILD SECONDS [--fresh] [TARGET...]}
shift 2
fresh=0
if [ "${1:-}" = "--fresh" ]; then
	fresh=1
	shift
fi
targets=("$@")
if [ "${#targets[@]}" = 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		name=$(basename "$src" .c)
		targets+=("${name#fuzz_}")
	done
fi

# A unit slower than this is a hang worth a report, not a slow seed.
timeout=${FUZZ_TIMEOUT:-10}
# The targets' scratch files (a database per input for report_db and
# server_db) in memory when there is a tmpfs: SQLite's fsyncs on a disk take
# longer than the code under test.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	export TMPDIR=/dev/shm
fi
failed=0
printf '%-20s %10s %16s %8s %7s %8s  %s\n' target start_cov "cov (of edges)" ft corpus exec/s result
for name in "${targets[@]}"; do
	bin=$build/fuzz_$name
	seeds=tests/fuzz/corpus/$name
	scratch=$build/fuzz-corpus/$name
	crashes=$build/fuzz-crashes/$name
	log=$build/fuzz-logs/$name.log
	if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
		printf '%-20s missing %s or %s\n' "$name" "$bin" "$seeds"
		failed=1
		continue
	fi
	# The module's names (tokenizer.json types, config.json keys) as a libFuzzer dictionary.
	dict=()
	[ -f "tests/fuzz/dict/${name%%_*}.dict" ] && dict=(-dict="tests/fuzz/dict/${name%%_*}.dict")
	[ "$fresh" = 1 ] && rm -rf "$scratch"
	mkdir -p "$scratch" "$crashes" "$(dirname "$log")"
	# Fast inputs get up to 30x the turns of slow ones (a 9000-token vocabulary seed).
	"$bin" -max_total_time="$seconds" -timeout="$timeout" -print_final_stats=1 "${dict[@]}" \
		-entropic_scale_per_exec_time=1 \
		-artifact_prefix="$crashes/" "$scratch" "$seeds" >"$log" 2>&1
	rc=$?
	edges=$(sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters.*/\1/p' "$log" | head -1)
	seed_cov=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | head -1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log")
	result=ok
	if [ "$rc" != 0 ]; then
		failed=1
		unit=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
		why=$(grep -m1 -E 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error|contract broken' "$log")
		result="CRASH (exit $rc): ${why:-see $log}; input: ${unit:-none}; log: $log"
	fi
	printf '%-20s %10s %16s %8s %7s %8s  %s\n' "$name" "${seed_cov:-?}" \
		"${cov:-?} (${edges:-?})" "${ft:-?}" "${corp:-?}" "${eps:-?}" "$result"
done
exit "$failed"
