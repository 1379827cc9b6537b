#!/usr/bin/env bash
# test_api_snapshot_conll.sh - test_api_snapshot.sh on a full CoNLL-2003 test
# run (../shared: the data, and the conll03-bert-mini model or else the demo
# model): the same requests, each normalised answer compared by its SHA-256
# with tests/fixtures/snapshot/conll/<model>.sha256 (the research-licensed
# text never enters the repository). Skipped (77) without ../shared.
set -u
shared=${XNR_SHARED_DIR:-$XNR_SOURCE_DIR/../shared}
data=$shared/data/conll2003/test.txt
if [ ! -f "$data" ]; then
	echo "SKIP: $data missing (the CoNLL-2003 test split from ../shared)"
	exit 77
fi
. "$(dirname "$0")/lib.sh"
snap=$XNR_SOURCE_DIR/tests/fixtures/snapshot
shared=$(cd "$shared" && pwd)
data=$shared/data/conll2003/test.txt
model=$shared/models/conll03-bert-mini
[ -f "$model/config.json" ] || model=$XNR_SOURCE_DIR/demo/model
cd "$XNR_SOURCE_DIR" || die "no source folder"
"$XNR_BIN" run --model "$model" --data "$data" -o "$tmp/run.db" -q -n 2 ||
	die "explainer run of $model over $data failed"
start_server "$tmp/run.db"
if $PY "$XNR_SOURCE_DIR/tests/api/snapshot.py" --requests "$snap/requests.txt" --port "$port" \
	--token "$token" --bin "$XNR_BIN" --db "$tmp/run.db" --replace "$tmp=<tmp>" --replace "$shared=<shared>" \
	--replace "$XNR_SOURCE_DIR=<src>" --hashes "$snap/conll/$(basename "$model").sha256" \
	${XNR_SNAPSHOT_RECORD:+--record} ${XNR_SNAPSHOT_KEEP:+--keep "$XNR_SNAPSHOT_KEEP"}; then
	ok
else
	bad "answers differ from tests/fixtures/snapshot/conll/$(basename "$model").sha256"
fi
stop_server
[ "$rc" = 0 ] && ok || bad "server exit status $rc after SIGTERM"
finish
