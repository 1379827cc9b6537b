#!/usr/bin/env bash
# test_cli_export.sh - verdicts and `explainer export` end to end with the demo
# model on variants of the first sentences of demo/eval.conll: corrections
# recorded with `explainer verdict` and exported with --corrected round-trip
# through `explainer run` for CoNLL (spaces, tabs, extra columns, a tag column
# that is not the last, -DOCSTART-, comments, CRLF, BOM, no final newline,
# IOB1, IOBES and BILOU files, --label-map) and JSONL (string tags, integer ids
# with --labels); verdicts survive a new run; a verdict whose sentence changed
# is stale, listed and not applied; an export over a file or of changed data
# is refused without --force; re-annotation tasks carry code-point offsets.
set -u
. "$(dirname "$0")/../lib.sh"
bin=${XNR_BIN:?}
model=$src/demo/model; py=$PY

# The variants, from the first 40 sentences of the demo set.
$py - "$src/demo/eval.conll" "$tmp" <<'PY' || die "making the variants"
import json, sys
src, out = sys.argv[1], sys.argv[2]
sents, cur = [], []
for line in open(src, encoding="utf-8"):
    p = line.split()
    if not p or p[0] == "-DOCSTART-":
        if cur:
            sents.append(cur)
        cur = []
        continue
    cur.append((p[0], p[-1]))
sents = sents[:40]

def convert(tags, scheme):
    out = []
    for i, t in enumerate(tags):
        if t == "O":
            out.append(t); continue
        p, typ = t.split("-", 1)
        nxt = tags[i + 1] if i + 1 < len(tags) else "O"
        prv = tags[i - 1] if i else "O"
        ends = nxt != "I-" + typ
        if scheme == "IOB1":
            out.append(("B-" if p == "B" and prv in ("B-" + typ, "I-" + typ) else "I-") + typ)
        elif scheme in ("IOBES", "BILOU"):
            single, last = ("S", "E") if scheme == "IOBES" else ("U", "L")
            out.append((single if p == "B" and ends else p if not ends else last) + "-" + typ)
    return out

def conll(name, sents, fmt, eol="\n", bom="", final=True, head="", comment=None):
    with open(f"{out}/{name}", "w", encoding="utf-8", newline="") as f:
        f.write(bom + head)
        for k, s in enumerate(sents):
            if comment:
                f.write(comment.format(k) + eol)
            for w, t in s:
                f.write(fmt.format(w=w, t=t) + eol)
            if final or k + 1 < len(sents):
                f.write(eol)

conll("space4.conll", sents, "{w} NN O {t}", head="-DOCSTART- -X- -X- O\n\n",
      comment="# sent {}")
conll("tab_crlf.conll", sents, "{w}\t{t}", eol="\r\n", bom="\ufeff", final=False,
      comment="# id = {}")
conll("tagcol.conll", sents, "  {w}  {t} extra ", head="-DOCSTART- O x\n\n")
for scheme in ("IOB1", "IOBES", "BILOU"):
    conll(scheme.lower() + ".conll", [list(zip([w for w, _ in s], convert([t for _, t in s], scheme)))
                                      for s in sents], "{w} {t}")
mapped = {"PER": "PERSON", "ORG": "ORGANIZATION", "LOC": "LOCATION", "MISC": "MISC"}
conll("mapped.conll", [[(w, t if t == "O" else t[:2] + mapped[t[2:]]) for w, t in s] for s in sents],
      "{w} {t}")
labels = "O,B-PER,I-PER,B-ORG,I-ORG,B-LOC,I-LOC,B-MISC,I-MISC".split(",")
with open(f"{out}/strings.jsonl", "w", encoding="utf-8") as f:
    for k, s in enumerate(sents):
        f.write(json.dumps({"id": f"d{k}", "meta": {"x": [1, {"y": "]\""}]},
                            "tokens": [w for w, _ in s], "ner_tags": [t for _, t in s]},
                           ensure_ascii=False) + "\n")
with open(f"{out}/ids.jsonl", "w", encoding="utf-8") as f:
    for s in sents:
        f.write(json.dumps({"tokens": [w for w, _ in s], "tags": [labels.index(t) for _, t in s]},
                           separators=(",", ":")) + "\n")
PY

rt() { # NAME FILE [run options]
	local out
	if out=$($py "$src/tests/cli/export_roundtrip.py" "$bin" "$model" "$tmp" "$@" 2>&1); then
		ok "${out#ok - }"
	else
		bad "$out"
	fi
}
rt space4 "$tmp/space4.conll"
rt tab_crlf "$tmp/tab_crlf.conll"
rt tagcol "$tmp/tagcol.conll" --tag-column 2
rt iob1 "$tmp/iob1.conll"
rt iobes "$tmp/iobes.conll"
rt bilou "$tmp/bilou.conll"
rt mapped "$tmp/mapped.conll" --label-map \
	B-PERSON=B-PER,I-PERSON=I-PER,B-ORGANIZATION=B-ORG,I-ORGANIZATION=I-ORG,B-LOCATION=B-LOC,I-LOCATION=I-LOC
rt strings "$tmp/strings.jsonl"
rt ids "$tmp/ids.jsonl" --labels O,B-PER,I-PER,B-ORG,I-ORG,B-LOC,I-LOC,B-MISC,I-MISC

# The converted schemes stay the file's own.
if grep -q '^[^ ]* [SE]-' "$tmp/iobes.fixed.conll" && ! grep -q '^[^ ]* [SEUL]-' "$tmp/iob1.fixed.conll" &&
	grep -q '^[^ ]* [UL]-' "$tmp/bilou.fixed.conll" && grep -q 'ORGANIZATION\|PERSON\|LOCATION' "$tmp/mapped.fixed.conll"; then
	ok "corrections are written in each file's own scheme and label names"
else
	bad "schemes of the exports"
fi

# Verdicts live with the data: a new run of the same data (another key) lists them as current;
# a run of a sample that leaves their sentence out lists them as not in the run.
db=$tmp/space4.db
"$bin" run --model "$model" --data "$tmp/space4.conll" -o "$db" -q --max-length 64
"$bin" verdict "$db" --list --json >"$tmp/list3.json"
"$bin" run --model "$model" --data "$tmp/space4.conll" -o "$db" -q --limit 1
"$bin" verdict "$db" --list --json >"$tmp/list4.json"
$py - "$tmp/list3.json" "$tmp/list4.json" <<'PY' && ok "verdicts survive new runs of the same data" || bad "verdicts on new runs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["counts"] == {"current": 5, "stale": 0, "not_in_run": 0}, a["counts"]
# run 4 holds sentence 0 alone: its two verdicts are current, the other three not in the run
assert b["counts"] == {"current": 2, "stale": 0, "not_in_run": 3}, b["counts"]
assert all(v["data"]["path"].endswith("space4.conll") for v in a["verdicts"])
PY

# The data changes: the first word of a corrected sentence is replaced. The old run's export is
# refused (the file is not what it read); a new run lists that verdict as stale, and its export
# leaves it out and applies the others.
$py - "$tmp/space4.db" "$tmp/space4.conll" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
line = c.execute("select source_line from verdicts where kind='label_error' order by id limit 1").fetchone()[0]
lines = open(sys.argv[2], encoding="utf-8").read().split("\n")
lines[line - 1] = "Changed" + lines[line - 1][lines[line - 1].index(" "):]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines))
PY
"$bin" export "$db" --run 1 --corrected -o "$tmp/old.conll" >"$tmp/out" 2>"$tmp/err"
if [ $? = 1 ] && grep -q "changed since run 1 read it" "$tmp/err" && [ ! -e "$tmp/old.conll" ]; then
	ok "export of changed data refused: $(cut -c1-90 "$tmp/err")"
else
	bad "changed data: $(cat "$tmp/err")"
fi
"$bin" run --model "$model" --data "$tmp/space4.conll" -o "$db" -q
"$bin" verdict "$db" --list >"$tmp/list5.txt"
"$bin" export "$db" --corrected -o "$tmp/stale.conll" 2>"$tmp/err"
# that sentence holds a label error and the ambiguous verdict: both stale
if [ "$(grep -c stale "$tmp/list5.txt")" = 2 ] && grep -q "3 of 4 label corrections applied" "$tmp/err" &&
	grep -q "1 stale verdicts left out" "$tmp/err"; then
	ok "a verdict whose sentence changed is listed as stale and not applied"
else
	bad "stale: $(cat "$tmp/list5.txt" "$tmp/err")"
fi
"$bin" export "$db" --run 1 --force --corrected -o "$tmp/old.conll" 2>"$tmp/err"
if grep -q "3 of 4" "$tmp/err" && grep -q "data file changed" "$tmp/err"; then
	ok "--force exports changed data with the unchanged sentences' verdicts"
else
	bad "--force on changed data: $(cat "$tmp/err")"
fi

# An existing output is never overwritten without --force.
echo keep >"$tmp/exists.conll"
"$bin" export "$db" --corrected -o "$tmp/exists.conll" >"$tmp/out" 2>"$tmp/err"
if [ $? = 1 ] && grep -q "exists; nothing was written (use --force" "$tmp/err" &&
	[ "$(cat "$tmp/exists.conll")" = keep ] && [ -z "$(ls "$tmp" | grep 'exists.conll.')" ]; then
	ok "export over an existing file refused"
else
	bad "overwrite: $(cat "$tmp/err")"
fi
"$bin" export "$db" --corrected -o "$tmp/exists.conll" --force -q && cmp -s "$tmp/exists.conll" "$tmp/stale.conll" &&
	ok "--force overwrites" || bad "--force"

# Bad verdicts: one line, exit 1, nothing recorded.
n_before=$("$bin" verdict "$db" --list | wc -l)
"$bin" verdict "$db" --sentence 0 --word 0 --kind label_error --label B-FOO >"$tmp/out" 2>"$tmp/err"
rc=$?
"$bin" verdict "$db" --sentence 0 --word 99 --kind skip >>"$tmp/out" 2>>"$tmp/err"
rc2=$?
if [ $rc = 1 ] && [ $rc2 = 1 ] && grep -q '"B-FOO" (label 1 of the span) is not a label of run' "$tmp/err" &&
	grep -q "outside sentence 0" "$tmp/err" && [ "$("$bin" verdict "$db" --list | wc -l)" = "$n_before" ]; then
	ok "bad verdicts refused, nothing recorded"
else
	bad "bad verdicts: $(cat "$tmp/err")"
fi

# Re-annotation tasks with multibyte words: offsets are code points over the sentence text.
printf '%s\n' '{"tokens": ["Köln", "und", "東京都", "🙂", "São", "Paulo"], "ner_tags": ["B-LOC", "O", "B-LOC", "O", "B-LOC", "I-LOC"]}' \
	'{"tokens": ["Ünal", "besucht", "Zürich"], "ner_tags": ["B-PER", "O", "B-LOC"]}' >"$tmp/mb.jsonl"
"$bin" run --model "$model" --data "$tmp/mb.jsonl" -o "$tmp/mb.db" -q
"$bin" verdict "$tmp/mb.db" --sentence 0 --word 3 --kind label_error --label B-MISC >/dev/null
for f in label-studio argilla spacy; do
	"$bin" export "$tmp/mb.db" --tasks $f -o "$tmp/tasks.$f" -q || bad "tasks $f"
done
$py - "$tmp" <<'PY' && ok "Label Studio, Argilla and spaCy tasks: code-point offsets, gold and suggestion" || bad "tasks"
import json, sys
d = sys.argv[1]
ls = json.load(open(f"{d}/tasks.label-studio", encoding="utf-8"))
assert len(ls) == 2
t = ls[0]
text = t["data"]["text"]
assert text == "Köln und 東京都 🙂 São Paulo"
gold = [(r["value"]["start"], r["value"]["end"], r["value"]["text"], r["value"]["labels"][0])
        for r in t["annotations"][0]["result"]]
assert gold == [(0, 4, "Köln", "LOC"), (9, 12, "東京都", "LOC"), (15, 24, "São Paulo", "LOC")], gold
for r in t["annotations"][0]["result"] + t["predictions"][0]["result"]:
    v = r["value"]
    assert text[v["start"]:v["end"]] == v["text"], v
    assert r["from_name"] == "label" and r["to_name"] == "text" and r["type"] == "labels"
# sentence 0 has a current label_error verdict: the suggestion is the correction
assert t["predictions"][0]["model_version"] == "explainer verdicts"
sugg = [(r["value"]["text"], r["value"]["labels"][0]) for r in t["predictions"][0]["result"]]
assert ("🙂", "MISC") in sugg, sugg
assert "score" in ls[1]["predictions"][0] and 0 < ls[1]["predictions"][0]["score"] <= 1
recs = [json.loads(l) for l in open(f"{d}/tasks.argilla", encoding="utf-8")]
assert recs[0]["text"] == text and recs[0]["agent"] == "explainer verdicts"
assert all(r["text"][e["start"]:e["end"]] for r in recs for e in r["entities"])
assert [recs[0]["text"][e["start"]:e["end"]] for e in recs[0]["entities"]][:1] == ["Köln"]
assert recs[1]["gold"] == "Ünal (PER), Zürich (LOC)", recs[1]["gold"]
docs = json.load(open(f"{d}/tasks.spacy", encoding="utf-8"))
toks = docs[0]["paragraphs"][0]["sentences"][0]["tokens"]
assert " ".join(t["orth"] for t in toks) == docs[0]["paragraphs"][0]["raw"] == text
assert [t["ner"] for t in toks] == ["U-LOC", "O", "U-LOC", "U-MISC", "B-LOC", "L-LOC"], toks
PY

finish
