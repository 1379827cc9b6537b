#!/usr/bin/env bash
# test_cli_flat.sh - issue #15's flat memory, end to end and cheaply: the
# tiny fixture model (tests/fixtures/models/bert, a vocabulary written here)
# over generated corpora of 2,000 and 12,000 sentences of 20 words. The peak
# RSS of `explainer run` (the child's getrusage) may not grow by more than
# 12 MB between them (before the streaming reader, the running counts and
# the run in pieces it grew by 69 MB, from 52 to 121 MB); and a run killed
# with SIGKILL after its first pieces leaves the database's earlier run
# untouched and readable, its own pieces invisible, then deleted by the
# next run.
set -u
. "$(dirname "$0")/../lib.sh"
# under ASan every allocation carries redzones and a quarantine keeps freed
# memory, so the peak RSS says nothing about the run's own memory
[ "${XNR_SANITIZED:-0}" = 1 ] && skip "a sanitizer build (XNR_SANITIZED=1): its RSS bound means nothing under ASan"
bin=${XNR_BIN:?}
model=$tmp/tiny
mkdir -p "$model"
cp "$src/tests/fixtures/models/bert/config.json" "$src/tests/fixtures/models/bert/model.safetensors" "$model/"

# The model's 200 token ids as a WordPiece vocabulary, and corpora of words
# from it with random IOB2 tags of its labels, a document every 100 sentences.
$PY - "$model/vocab.txt" "$tmp" <<'PY' || die "cannot write the corpora"
import random, sys
vocab, out = sys.argv[1], sys.argv[2]
words = ["w%d" % i for i in range(195)]
open(vocab, "w").write("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words) + "\n")
for n in (2000, 12000):
    rng = random.Random(15)
    with open(f"{out}/c{n}.conll", "w") as f:
        for i in range(n):
            if i % 100 == 0:
                f.write("-DOCSTART- O\n\n")
            prev = "O"
            for _ in range(20):
                t = rng.choice(["O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
                if t.startswith("I-") and prev[2:] != t[2:]:
                    t = "B-" + t[2:]
                f.write(f"{rng.choice(words)} {t}\n")
                prev = t
            f.write("\n")
PY

# peak_kb DB DATA: runs explainer over DATA into DB; its peak RSS in kB.
peak_kb() {
	$PY - "$bin" "$model" "$2" "$1" <<'PY'
import resource, subprocess, sys
b, m, d, o = sys.argv[1:]
subprocess.run([b, "run", "--model", m, "--data", d, "-o", o, "-q", "--threads", "1"], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

small=$(peak_kb "$tmp/small.db" "$tmp/c2000.conll") || die "the run of 2,000 sentences failed"
large=$(peak_kb "$tmp/large.db" "$tmp/c12000.conll") || die "the run of 12,000 sentences failed"
echo "peak RSS: $((small / 1024)) MB at 2,000 sentences, $((large / 1024)) MB at 12,000"
[ "$large" -le $((small + 12 * 1024)) ] && ok "peak RSS flat: 12,000 sentences within 12 MB of 2,000" ||
	bad "peak RSS grows: $small kB at 2,000 sentences, $large kB at 12,000"

# SIGKILL once the run into small.db (which holds run 1) has committed a
# piece: the process must still be running then, the run row naming it.
$PY - "$bin" "$model" "$tmp/c12000.conll" "$tmp/small.db" <<'PY' && ok "killed after its first piece" || bad "the run to kill"
import signal, sqlite3, subprocess, sys, time
b, m, d, o = sys.argv[1:]
p = subprocess.Popen([b, "run", "--model", m, "--data", d, "-o", o, "-q", "--threads", "1"])
db = sqlite3.connect(f"file:{o}?mode=ro", uri=True)
deadline = time.monotonic() + 600
while p.poll() is None and time.monotonic() < deadline:
    row = db.execute("SELECT count(*) FROM words WHERE run_id IN"
                     " (SELECT id FROM runs WHERE writer IS NOT NULL)").fetchone()
    if row[0] > 0:
        break
    time.sleep(0.05)
db.close()
if p.poll() is not None:
    sys.exit(f"the run ended (status {p.returncode}) before a piece was seen")
p.send_signal(signal.SIGKILL)
p.wait()
sys.exit(0 if p.returncode == -signal.SIGKILL else 1)
PY
n_runs=$("$bin" runs "$tmp/small.db" | tail -n +2 | wc -l)
[ "$n_runs" = 1 ] && ok "explainer runs: only the earlier run" || bad "explainer runs after SIGKILL: $n_runs runs"
"$bin" report "$tmp/small.db" >"$tmp/report.txt" 2>"$tmp/report.err" && grep -q "^run 1: 2000 sentences" "$tmp/report.txt" &&
	ok "report reads the earlier run" || bad "report after SIGKILL: $(head -c 300 "$tmp/report.err")"
$PY - "$tmp/small.db" <<'PY' && ok "the killed run's pieces are in the file, invisible, the database intact" || bad "the database after SIGKILL"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
assert db.execute("SELECT count(*) FROM runs WHERE writer IS NULL").fetchone()[0] == 1
assert db.execute("SELECT n_words FROM runs WHERE id = 1").fetchone()[0] == 40000
assert db.execute("SELECT count(*) FROM words WHERE run_id = 2").fetchone()[0] > 0
PY
# the next run deletes them: run 2 is then the new run, its 100 sentences only
"$bin" run --model "$model" --data "$tmp/c2000.conll" --limit 100 -o "$tmp/small.db" -q --threads 1 ||
	bad "the run after SIGKILL failed"
$PY - "$tmp/small.db" <<'PY' && ok "the next run deleted the killed run's rows" || bad "the killed run's rows are left"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("SELECT count(*) FROM runs WHERE writer IS NOT NULL").fetchone()[0] == 0
assert db.execute("SELECT id, n_sentences FROM runs ORDER BY id").fetchall() == [(1, 2000), (2, 100)]
assert db.execute("SELECT count(*) FROM words").fetchone()[0] == 40000 + 2000
assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] == 2100
PY
finish
