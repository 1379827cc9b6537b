#!/usr/bin/env bash
# test_deploy_k8s.sh - the Kubernetes manifests of deploy/k8s (issue #15)
# checked offline: against the API's models and for what an Indexed Job of
# shards and its merge need (tests/cli/k8s_check.py); the shard container's
# arguments, as Kubernetes would expand them for index 1, parsed by the real
# binary (the missing /data/eval.conll is its only complaint); and the Slurm
# scripts of deploy/slurm parse as bash (test_cli_slurm.sh runs them).
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}

$PY "$src/tests/cli/k8s_check.py" "$src/deploy/k8s" >"$tmp/args" 2>"$tmp/err" && ok "deploy/k8s: the API's models and an Indexed Job's needs" || bad "$(cat "$tmp/err")"
mapfile -t args < <(sed 's/\$(JOB_COMPLETION_INDEX)/1/' "$tmp/args")
[ "${#args[@]}" -gt 4 ] || die "no arguments from k8s_check.py"
expect_error "the shard container's arguments parse (the data is missing here)" 1 "/data/eval.conll: no such file" env JOB_COMPLETION_INDEX=1 "$bin" "${args[@]}"
for f in "$src"/deploy/slurm/*; do
	bash -n "$f" && ok "$(basename "$f") parses" || bad "$(basename "$f") does not parse"
done
finish
