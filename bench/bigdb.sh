#!/usr/bin/env bash
# bigdb.sh - a run database of about N sentences (default 1,000,000) for
# timing the read side at scale: the demo model's run over CoNLL-2003 test
# (3,453 sentences), scored by `explainer issues`, replicated K = ceil(N /
# 3,453) times with SQL (bench/bigdb.py). A REPLICA, NOT A REAL RUN: a real
# `explainer run` of a million sentences takes some 35 CPU minutes and 26 GB
# here; the read paths see only rows and counts, so their timings should be
# those of a real run of that size (bigdb.py says what differs). Without
# hidden states (HIDDEN=1 keeps them: about 13 GB more at a million).
# About 7 minutes and 10 GB for a million sentences on the shared 2-core VM.
#
#   bench/bigdb.sh [N] [OUT.db]     # OUT default bench/out/big-N.db
. "$(dirname "$0")/lib.sh"
n=${1:-1000000}
db=${2:-$out/big-$n.db}
base=$out/big-base.db

need_built explainer
if [ ! -f "$base" ]; then
	need_shared data/conll2003/test.txt
	"$build/explainer" run -m "$root/demo/model" -d "$shared/data/conll2003/test.txt" -o "$base.tmp" -q
	"$build/explainer" issues "$base.tmp" --top 0 -n "$threads" >/dev/null
	mv "$base.tmp" "$base"
fi
rm -f "$db"
$py "$here/bigdb.py" "$base" "$db" "$n" ${HIDDEN:+--hidden}
"$build/explainer" runs "$db"
