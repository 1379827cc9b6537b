#!/usr/bin/env bash
# test_cli_small.sh - the binary end to end on the small input cases of
# issue #14: `predict` reading lines that end with a lone CR (old Mac), CRLF
# or LF, and refusing a NUL byte as `run` does, with one error line that
# names stdin and the line; `run` refusing a JSONL sentence with no tokens;
# a failed, cancelled or interrupted `run` leaving no new database behind
# and an existing one as it was.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model

# texts FILE: the "text" of every JSON line of FILE, joined with "|".
texts() {
	$PY -c 'import json, sys; print("|".join(json.loads(l)["text"] for l in open(sys.argv[1])))' "$1"
}

# Line ends on stdin: a lone CR, CRLF and LF each end a line.
printf 'Angela Merkel visited Paris .\rBerlin is big .\r' >"$tmp/mac.txt"
"$bin" predict --model "$model" --json <"$tmp/mac.txt" >"$tmp/mac.jsonl"
[ "$(texts "$tmp/mac.jsonl")" = "Angela Merkel visited Paris .|Berlin is big ." ] && ok "lone CR ends a line" || bad "lone CR: $(texts "$tmp/mac.jsonl")"
printf 'Paris\r\nBerlin\rRome\n\rLondon' >"$tmp/mixed.txt"
"$bin" predict --model "$model" --json <"$tmp/mixed.txt" >"$tmp/mixed.jsonl"
[ "$(texts "$tmp/mixed.jsonl")" = "Paris|Berlin|Rome||London" ] && ok "mixed line ends" || bad "mixed line ends: $(texts "$tmp/mixed.jsonl")"
n=$("$bin" predict --model "$model" <"$tmp/mac.txt" | grep -c '^  entities:')
[ "$n" = 2 ] && ok "lone CR ends a line in the table output" || bad "table output with CR: $n tables"
"$bin" predict --model "$model" --words --json <"$tmp/mac.txt" >"$tmp/macw.jsonl"
[ "$(texts "$tmp/macw.jsonl")" = "Angela Merkel visited Paris .|Berlin is big ." ] && ok "lone CR with --words" || bad "lone CR with --words"
printf 'Paris\rbad \xff byte\r' >"$tmp/badutf8.txt"
expect_error "line number after lone CRs" 1 "stdin:2:" "$bin" predict --model "$model" <"$tmp/badutf8.txt"
# --text is one text: a CR (or LF) in it is white space, not a line break
"$bin" predict --model "$model" --json --text "$(printf 'Paris\rBerlin')" >"$tmp/text.jsonl"
[ "$(wc -l <"$tmp/text.jsonl")" = 1 ] && $PY -c 'import json, sys; o = json.loads(open(sys.argv[1]).read()); assert [w["text"] for w in o["words"]] == ["Paris", "Berlin"]' "$tmp/text.jsonl" && ok "--text is one text" || bad "--text with a CR"

# A NUL byte: refused with its place, in every output format, as `run` does.
printf 'Paris\nParis is nice\0 and Berlin too\n' >"$tmp/nul.txt"
expect_error "NUL on stdin" 1 "stdin:2: NUL byte at byte 14 (is this a text file?)" "$bin" predict --model "$model" <"$tmp/nul.txt"
expect_error "NUL on stdin, --json" 1 "stdin:2: NUL byte at byte 14" "$bin" predict --model "$model" --json <"$tmp/nul.txt"
expect_error "NUL on stdin, --words" 1 "stdin:2: NUL byte at byte 14" "$bin" predict --model "$model" --words <"$tmp/nul.txt"
printf 'Paris\rRome\r\0\n' >"$tmp/nul3.txt"
expect_error "NUL after lone CRs" 1 "stdin:3: NUL byte at byte 1" "$bin" predict --model "$model" <"$tmp/nul3.txt"
printf 'EU B-ORG\n\nBerl\0n B-LOC\n' >"$tmp/nul.conll"
expect_error "NUL in a dataset (run, the same message)" 1 "nul.conll:3: NUL byte at byte 5 (is this a text file?)" "$bin" run --model "$model" --data "$tmp/nul.conll" -o "$tmp/nul.db" -q

# A JSONL sentence with no tokens: refused with file:line and how to fix it.
printf '{"tokens": ["EU"], "ner_tags": ["B-ORG"]}\n{"tokens": [], "ner_tags": []}\n' >"$tmp/empty.jsonl"
expect_error "JSONL sentence with no tokens" 1 "empty.jsonl:2: a sentence with no tokens (leave the line out" "$bin" run --model "$model" --data "$tmp/empty.jsonl" -o "$tmp/empty.db" -q

# A failed run never leaves a new database: not after bad data (found before
# the database is touched), not when interrupted while writing. Ctrl-C
# cancels cleanly and ends the process by SIGINT; an existing database keeps
# its runs. (A background job of a script ignores SIGINT, so python starts
# the runs with the default disposition back.)
mkdir -p "$tmp/sig"
for i in $(seq 40); do cat "$src/demo/eval.conll"; echo; done >"$tmp/big.conll"
"$bin" run --model "$model" --data "$src/demo/eval.conll" -o "$tmp/sig/old.db" -q --limit 5 || bad "a first run"
python3 - "$bin" "$model" "$tmp" <<'PY' && ok "SIGINT or SIGTERM while writing: no new file, earlier runs kept, ended by the signal" || bad "interrupted runs"
import glob, os, signal, sqlite3, subprocess, sys, time
bin, model, tmp = sys.argv[1:]
d = f"{tmp}/sig"

def interrupted(db, wait_for, sig):
    p = subprocess.Popen([bin, "run", "--model", model, "--data", f"{tmp}/big.conll", "-o", db,
                          "-q", "--threads", "1"], stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    t = time.time()
    while not glob.glob(wait_for) and time.time() - t < 60 and p.poll() is None:
        time.sleep(0.02)
    assert glob.glob(wait_for), ("the run never started writing", p.poll())
    time.sleep(0.3)  # into the sentences
    p.send_signal(sig)
    err = p.communicate(timeout=60)[1].decode()
    assert p.returncode == -sig, (p.returncode, err)
    assert err == "explainer: run cancelled (nothing was written)\n", err

interrupted(f"{d}/new.db", f"{d}/new.db.tmp-*", signal.SIGINT)
assert sorted(os.listdir(d)) == ["old.db"], os.listdir(d)
interrupted(f"{d}/old.db", f"{d}/old.db-wal", signal.SIGTERM)
assert sorted(os.listdir(d)) == ["old.db"], os.listdir(d)
c = sqlite3.connect(f"{d}/old.db")
assert c.execute("pragma integrity_check").fetchone()[0] == "ok"
assert c.execute("select count(*) from runs").fetchone()[0] == 1
assert c.execute("select count(*) from sentences").fetchone()[0] == 5
PY
printf 'EU B-ORG\nrejects O x\n' >"$tmp/ragged.conll"
expect_error "bad data into a new database" 1 "ragged.conll:2:" "$bin" run --model "$model" --data "$tmp/ragged.conll" -o "$tmp/sig/bad.db" -q
[ "$(ls "$tmp/sig")" = old.db ] && ok "no database after bad data" || bad "files after bad data: $(ls "$tmp/sig")"

finish
