#!/usr/bin/env bash
# test_cli_compare.sh - `explainer compare` end to end on two real runs: the
# demo model and a model derived from it at test time (its last encoder layer
# dropped: tests/gen/derive_model.py, nothing committed) on demo/eval.conll.
# compare_check.py recomputes every number from the database with
# tests/gen/gen_stats.py's bootstrap and scipy; the same seed gives the same
# bytes; runs over other data pair by text and say how many matched; label sets
# that differ are listed; a missing run, runs with no sentence in common and
# bad options fail with one line and the documented exit status; `explainer
# report`'s bootstrap intervals are the Python bootstrap's and its calibration
# numpy's (calibration_check.py). With the
# argument "shared": the same checks on CoNLL-2003 test with conll03-bert-mini.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
db=$tmp/runs.db
if [ "$group" = shared ]; then
	need_shared data/conll2003/test.txt models/conll03-bert-mini/config.json
	model=$shared/models/conll03-bert-mini
	data=$shared/data/conll2003/test.txt
	resamples=100
else
	model=$src/demo/model
	data=$src/demo/eval.conll
	resamples=300
fi
$PY "$src/tests/gen/derive_model.py" "$model" "$tmp/minus1" --drop-layers 1 ||
	die "deriving the model"
$PY "$src/tests/gen/derive_model.py" "$model" "$tmp/renamed" --drop-layers 1 \
	--rename MISC=OTHER || die "deriving the renamed model"
# Other data: every second sentence of the set, backwards, plus one of its own;
# and data with no sentence of the set.
$PY - "$data" "$tmp/other.conll" "$tmp/disjoint.conll" <<'PY' || die "making other data"
import sys
sents, cur = [], []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip() and not line.startswith("-DOCSTART-"):
        cur.append(line)
    elif cur:
        sents.append(cur)
        cur = []
if cur:
    sents.append(cur)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for s in sents[::-2]:  # the file's last line may lack its newline
        f.write("".join(line.rstrip("\r\n") + "\n" for line in s) + "\n")
    pad = " X" * (len(sents[0][0].split()) - 2) + " O\n"
    f.write("".join(w + pad for w in ("Zyzzyva", "was", "here")))
with open(sys.argv[3], "w", encoding="utf-8") as f:
    f.write("".join(w + pad for w in ("Nothing", "shared")))
PY

run() { "$bin" run --model "$1" --data "$2" -o "$db" --threads 2 "${@:3}" >/dev/null 2>"$tmp/run.err" ||
	die "run $1 on $2: $(cat "$tmp/run.err")"; }
run "$model" "$data"                  # 1
run "$tmp/minus1" "$data"             # 2
run "$model" "$tmp/other.conll"       # 3
run "$tmp/renamed" "$data" --label-map B-MISC=B-OTHER,I-MISC=I-OTHER # 4
run "$model" "$tmp/disjoint.conll"    # 5

check() { # NAME ARGS...: compare --json ARGS, checked from the database
	local name=$1
	shift
	if "$bin" compare "$db" --json --resamples "$resamples" "$@" >"$tmp/c.json" 2>"$tmp/err" &&
		$PY "$src/tests/cli/compare_check.py" "$db" "$tmp/c.json" >"$tmp/check.out" 2>&1; then
		ok "$name: $(cat "$tmp/check.out")"
	else
		bad "$name: $(cat "$tmp/err" "$tmp/check.out" | head -5)"
	fi
}
check "two models, same data (by index)" --a 1 --b 2
check "swapped" --a 2 --b 1 --seed 7
check "filtered to PER" --a 1 --b 2 --type PER --top 5
check "other data (by text)" --a 1 --b 3
check "label sets that differ" --a 1 --b 4

"$bin" compare "$db" --json --resamples "$resamples" --a 1 --b 3 >"$tmp/c.json"
$PY - "$tmp/c.json" "$tmp/other.conll" <<'PY' && ok "by text: the matched count and the unmatched say so" || bad "by-text pairing"
import json, sys
c = json.load(open(sys.argv[1]))
n_other = open(sys.argv[2]).read().strip().count("\n\n") + 1
p = c["pairing"]
assert p["by"] == "text" and p["pairs"] == n_other - 1, p
assert p["only_b"] == 1 and p["only_a"] == c["a"]["n_sentences"] - p["pairs"], p
PY
"$bin" compare "$db" --json --resamples "$resamples" --a 1 --b 4 >"$tmp/c.json"
$PY - "$tmp/c.json" <<'PY' && ok "labels that do not map by name are listed" || bad "label lists"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["labels"] == {"only_a": ["B-MISC", "I-MISC"], "only_b": ["B-OTHER", "I-OTHER"]}, c["labels"]
assert c["pairing"]["gold_differs"] > 0
types = [t["type"] for t in c["types"]]
assert "MISC" in types and "OTHER" in types, types
PY

for i in 1 2; do
	"$bin" compare "$db" --a 1 --b 2 --json --seed 5 --resamples 200 >"$tmp/seed$i.json"
done
"$bin" compare "$db" --a 1 --b 2 --json --seed 6 --resamples 200 >"$tmp/seed3.json"
if cmp -s "$tmp/seed1.json" "$tmp/seed2.json" && ! cmp -s "$tmp/seed1.json" "$tmp/seed3.json"; then
	ok "the same seed gives the same bytes, another seed other intervals"
else
	bad "seeded reproducibility"
fi
if "$bin" compare "$db" --a 1 --b 2 --top 3 >"$tmp/text.txt" 2>"$tmp/err" &&
	grep -q "^micro avg " "$tmp/text.txt" && grep -q "^McNemar on [0-9]* entity decisions" "$tmp/text.txt" &&
	grep -q "seed 1, 95% intervals" "$tmp/text.txt" && grep -q "^    B    " "$tmp/text.txt"; then
	ok "the text report: scores, McNemar, seed, both predictions inline"
else
	bad "text report: $(head -c 400 "$tmp/text.txt" "$tmp/err")"
fi

# explainer report's intervals (issue #11): the Python bootstrap of gen_stats.py on the run's
# per-sentence counts from the database gives the same numbers.
"$bin" report "$db" --run 2 --json --seed 4 --resamples "$resamples" >"$tmp/report.json" ||
	bad "report --json"
$PY - "$db" "$tmp/report.json" "$src/tests/gen" <<'PY' && ok "report: intervals of micro, macro and per-type F1 as the Python bootstrap" || bad "report intervals"
import json, sqlite3, sys
from collections import defaultdict
sys.path.insert(0, sys.argv[3])
import gen_stats
db, rep = sqlite3.connect(sys.argv[1]), json.load(open(sys.argv[2]))
iv = rep["intervals"]
ents = {"gold": defaultdict(set), "pred": defaultdict(set)}
for s, side, b, e, t in db.execute("select sentence_id, side, start, end, type from entities where run_id = 2"):
    ents[side][s].add((b, e, t))
types = sorted({x[2] for side in ents.values() for v in side.values() for x in v})
n = db.execute("select count(*) from sentences where run_id = 2").fetchone()[0]
c = [[[len({x for x in ents["pred"][s] & ents["gold"][s] if x[2] == t}),
       len({x for x in ents["pred"][s] if x[2] == t}), len({x for x in ents["gold"][s] if x[2] == t})]
      for t in types] for s in range(n)]
ref = gen_stats.bootstrap(c, c, iv["seed"], iv["resamples"], iv["level"])
assert iv["seed"] == 4 and iv["unit"] == "sentence"
for name, r in [("micro avg", ref[0]), ("macro avg", ref[1])] + [(t, ref[2 + i]) for i, t in enumerate(types)]:
    for k, key in (("est", "f1"), ("lo", "lo"), ("hi", "hi")):
        assert abs(iv[name][key] - r["a"][k]) <= 1e-9, (name, key, iv[name][key], r["a"][k])
    assert iv[name]["lo"] <= iv[name]["f1"] <= iv[name]["hi"], (name, iv[name])
assert abs(iv["micro avg"]["f1"] - rep["seqeval_default"]["micro avg"]["f1-score"]) < 1e-12
PY
if "$bin" report "$db" --run 2 --json --resamples 0 | $PY -c 'import json,sys; assert "intervals" not in json.load(sys.stdin)' &&
	"$bin" report "$db" --run 2 | grep -q "^F1 with 95% bootstrap intervals (1000 resamples of the [0-9]* sentences, seed 1)$"; then
	ok "report: --resamples 0 leaves the intervals out; the text says resamples and seed"
else
	bad "report interval options"
fi

# explainer report's calibration (issue #11): bins, ECE and MCE at word and entity level,
# overall and per type, as numpy computes them from the database.
for bins in 10 15; do
	if "$bin" report "$db" --run 2 --json --resamples 0 --bins "$bins" >"$tmp/cal.json" &&
		$PY "$src/tests/cli/calibration_check.py" "$db" "$tmp/cal.json" 2 >"$tmp/check.out" 2>&1; then
		ok "report: calibration with $bins bins: $(cat "$tmp/check.out")"
	else
		bad "report calibration with $bins bins: $(head -5 "$tmp/check.out")"
	fi
done
if "$bin" report "$db" --run 2 --json --resamples 0 --bins 0 | $PY -c 'import json,sys; assert "calibration" not in json.load(sys.stdin)' &&
	"$bin" report "$db" --run 2 --resamples 0 | grep -q "^entity  all " ; then
	ok "report: --bins 0 leaves the calibration out; the text has its table"
else
	bad "report calibration options"
fi
expect_error "report: too many bins" 2 "--bins" "$bin" report "$db" --bins 101

expect_error "a run that does not exist" 1 "run 99: no such run" "$bin" compare "$db" --a 1 --b 99
expect_error "runs with no sentence in common" 1 "share no sentence" "$bin" compare "$db" --a 1 --b 5
expect_error "a type no run has" 1 'no entity of type "NOPE"' "$bin" compare "$db" --a 1 --b 2 --type NOPE
expect_error "one run only" 2 "give both runs" "$bin" compare "$db" --a 1
expect_error "resamples out of range" 2 "--resamples" "$bin" compare "$db" --a 1 --b 2 --resamples 0
expect_error "no database" 1 "missing.db" "$bin" compare "$tmp/missing.db" --a 1 --b 2
finish
