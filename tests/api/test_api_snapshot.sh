#!/usr/bin/env bash
# test_api_snapshot.sh - no behaviour change: every answer of the API (each
# page's requests, sorts, filters, paging, errors, CSV downloads, jobs) and of
# `explainer report` on the demo run, byte for byte as recorded in
# tests/fixtures/snapshot/demo (requests.txt lists them; README.md there says
# what is normalised and how to record). XNR_SNAPSHOT_RECORD=1 records;
# XNR_SNAPSHOT_KEEP=DIR keeps the answers for a diff.
set -u
. "$(dirname "$0")/lib.sh"
snap=$XNR_SOURCE_DIR/tests/fixtures/snapshot
# Relative paths from the source folder, as a user types them: the run stores
# demo/model and the server finds it from its working folder. Two compute
# threads: the model's sums (and so every stored float) depend on how the
# sentences are split between threads, not on the machine's core count then.
cd "$XNR_SOURCE_DIR" || die "no source folder"
"$XNR_BIN" run --model demo/model --data demo/eval.conll -o "$tmp/run.db" -q -n 2 ||
	die "explainer run of the demo failed"
start_server "$tmp/run.db"
if $PY "$XNR_SOURCE_DIR/tests/api/snapshot.py" --requests "$snap/requests.txt" --port "$port" \
	--token "$token" --bin "$XNR_BIN" --db "$tmp/run.db" --replace "$tmp=<tmp>" --replace "$XNR_SOURCE_DIR=<src>" \
	--expect "$snap/demo" ${XNR_SNAPSHOT_RECORD:+--record} ${XNR_SNAPSHOT_KEEP:+--keep "$XNR_SNAPSHOT_KEEP"}; then
	ok
else
	bad "answers differ from tests/fixtures/snapshot/demo"
fi
stop_server
[ "$rc" = 0 ] && ok || bad "server exit status $rc after SIGTERM"
finish
