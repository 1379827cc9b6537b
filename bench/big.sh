#!/usr/bin/env bash
# big.sh - the app's pages and `explainer report` on a run of a million
# sentences (issue #15: every page's data under 100 ms, `report` under 1 s).
# Makes the run with bench/bigdb.sh (a replica of the CoNLL-2003 test run,
# made with SQL: see there why) unless it is there, then times every request
# each page makes, cold and warm (bench/api.sh), and `explainer report`
# twice (the first on a database never opened by this version computes what
# it keeps; /usr/bin/time: wall time and peak RSS). Prints markdown; not a test.
#
#   bench/big.sh [N] [DB]     # N default 1000000; DB default bench/out/big-N.db
. "$(dirname "$0")/lib.sh"
n=${1:-1000000}
db=${2:-$out/big-$n.db}

need_built explainer
[ -f "$db" ] || "$here/bigdb.sh" "$n" "$db"
DB=$db "$here/api.sh"
echo
echo "| explainer report | wall s | peak RSS MB |"
echo "|---|---|---|"
for pass in first second; do
	/usr/bin/time -f '%e %M' -o "$out/big-time.txt" "$build/explainer" report "$db" >/dev/null
	read -r wall rss <"$out/big-time.txt"
	echo "| $pass | $wall | $((rss / 1024)) |"
done
