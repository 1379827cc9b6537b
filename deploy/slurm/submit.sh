#!/bin/bash
# submit.sh - an ExplaiNER run on a Slurm cluster: N shard tasks as one job
# array, then the merge job that waits for all of them (afterok). Prints the
# two job ids. Run it where sbatch works (a login node); the paths must be on
# storage the compute nodes see.
#
# usage: deploy/slurm/submit.sh N MODEL DATA SHARDS_DIR OUT.db [sbatch options...]
#   e.g. deploy/slurm/submit.sh 16 ~/models/bert-ner ~/data/silver.conll \
#        ~/scratch/shards ~/runs/silver.db --partition=cpu --time=2:00:00
# Environment: EXPLAINER (the binary; default: explainer on PATH), RUN_OPTS.
set -euo pipefail
if [ $# -lt 5 ]; then
	sed -n '7,9p' "$0" >&2
	exit 2
fi
n=$1 model=$2 data=$3 shards=$4 out=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
export MODEL=$model DATA=$data SHARDS=$shards OUT=$out EXPLAINER=${EXPLAINER:-explainer}
export RUN_OPTS=${RUN_OPTS:-}
array=$(sbatch --parsable --export=ALL --array="0-$((n - 1))" "$@" "$here/explainer-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes \
	"$@" "$here/explainer-merge.sbatch")
echo "shards: job $array (array 0-$((n - 1))), merge: job ${merge%%;*}"
