#!/usr/bin/env bash
# test_cli_slurm.sh - the Slurm side of issue #15 on a real single-node
# Slurm: a minimal slurm.conf for this host in a scratch folder, munged,
# slurmctld and slurmd started here (as root) and stopped at the end;
# deploy/slurm/submit.sh submits the job array of 4 shards over
# demo/eval.conll and the merge job (afterok); the merged database must equal
# an unsharded run value by value (tests/cli/runs_equal.py). A failing array
# must never start its merge. Skipped (77) when the daemons cannot run here:
# not root, Slurm or munge not installed (scripts/setup.sh --test installs
# slurmctld slurmd slurm-client munge), or a daemon that does not come up.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model

[ "$(id -u)" = 0 ] || skip "Slurm's daemons are started as root and this is user $(id -un)"
for c in munged mungekey slurmctld slurmd sbatch squeue scancel sinfo; do
	command -v "$c" >/dev/null || skip "$c is not installed (scripts/setup.sh --test: slurmctld slurmd slurm-client munge)"
done

# The daemons' files live in a short path: a unix socket's path has at most 107 bytes.
run=$(mktemp -d /tmp/xnr-slurm.XXXXXX) || die "mktemp"
chmod 700 "$run"
pids=()
stop_all() {
	[ -z "${SLURM_CONF:-}" ] || scancel --quiet --full --state=PENDING,RUNNING -u root 2>/dev/null
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ ! -f "$run/munged.pid" ] || kill "$(cat "$run/munged.pid")" 2>/dev/null
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	cp "$run"/*.log "$tmp/" 2>/dev/null
	rm -rf "$run"
}
trap stop_all EXIT
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
host=$(hostname -s)
ctld_port=$(free_port)
d_port=$(free_port)
[ "$ctld_port" != "$d_port" ] || d_port=$((d_port + 1))

mungekey --create --keyfile="$run/munge.key" || skip "mungekey cannot make a key"
munged --force --socket="$run/munge.sock" --key-file="$run/munge.key" --log-file="$run/munged.log" \
	--pid-file="$run/munged.pid" --seed-file="$run/munged.seed" 2>"$run/munged.err" ||
	skip "munged does not start: $(head -c 200 "$run/munged.err")"
mkdir -p "$run/state" "$run/spool"
cat >"$run/slurm.conf" <<CONF
ClusterName=xnrtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$run/munge.sock
StateSaveLocation=$run/state
SlurmdSpoolDir=$run/spool
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$run/slurmctld.log
SlurmdLogFile=$run/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=xnr Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$run/slurm.conf
slurmctld -D -f "$SLURM_CONF" >"$run/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$run/slurmd.out" 2>&1 &
pids+=($!)
for i in $(seq 60); do
	[ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
	sleep 0.5
done
[ "$(sinfo -h -o %T 2>/dev/null)" = idle ] ||
	skip "Slurm did not come up on $host: $(tail -n 2 "$run/slurmctld.out" "$run/slurmd.out" | tr '\n' ' ' | head -c 300)"
ok "munged, slurmctld and slurmd up on $host (ports $ctld_port, $d_port)"

# wait_jobs SECONDS: until the queue is empty; 1 when it is not by then.
wait_jobs() {
	local i
	for ((i = 0; i < $1 * 2; i++)); do
		[ -z "$(squeue -h -o %i)" ] && return 0
		sleep 0.5
	done
	return 1
}

submit=$src/deploy/slurm/submit.sh
EXPLAINER=$bin "$submit" 4 "$model" "$src/demo/eval.conll" "$tmp/shards" "$tmp/merged.db" \
	--chdir="$tmp" --cpus-per-task=1 >"$tmp/submit.txt" || die "submit.sh: $(cat "$tmp/submit.txt")"
cat "$tmp/submit.txt"
wait_jobs 240 || die "the jobs are still queued after 240 s: $(squeue)"
[ "$(cd "$tmp/shards" && ls -d ./*.db)" = "$(printf './shard-%d.db\n' 0 1 2 3)" ] && ok "4 array tasks wrote shard-0..3.db" || bad "shards: $(ls -A "$tmp/shards")"
"$bin" run --model "$model" --data "$src/demo/eval.conll" -o "$tmp/full.db" -q || die "the unsharded run"
if out=$($PY "$src/tests/cli/runs_equal.py" "$tmp/full.db" only "$tmp/merged.db" only 2>&1); then
	ok "merge job after the array: equal to the unsharded run ($out)"
else
	bad "merged vs unsharded: $out; merge log: $(cat "$tmp"/explainer-merge-*.log 2>/dev/null | head -c 300)"
fi

# A failing array (no such model) never starts its merge.
EXPLAINER=$bin "$submit" 2 "$tmp/no-model" "$src/demo/eval.conll" "$tmp/shards2" "$tmp/merged2.db" \
	--chdir="$tmp" --cpus-per-task=1 >"$tmp/submit2.txt" || die "submit.sh (failing)"
wait_jobs 60 || die "the failing jobs are still queued after 60 s: $(squeue)"
[ ! -e "$tmp/merged2.db" ] && ! ls "$tmp"/explainer-merge-*.log 2>/dev/null | grep -q "$(awk '{print $NF}' "$tmp/submit2.txt")" &&
	ok "a failed array: the merge never ran" || bad "a merge after a failed array"
finish
