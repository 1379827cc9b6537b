"""gen_demo.py - the reference outputs of the demo model on the demo evaluation set, which the
core tests (those that need nothing outside the repository) compare ExplaiNER with:

  tests/fixtures/demo/golden_eval64.json  the first 64 sentences of demo/eval.conll: words,
      tags, input_ids and word_ids (Hugging Face's own tokenizers, hf_words.mjs), logits
      (one row per token, 6 decimals) and last_hidden_first8 (the last layer's first 8
      dimensions per token) of the PyTorch reference (hf_reference.py); the layout of
      conll03-bert-mini's golden_test64.json.
  tests/fixtures/demo/expected_eval.json  every sentence: the reference's predicted tag of
      every word (first sub-token, as transformers' token classification), the seqeval
      reports of those predictions (seqeval_port.py, default and strict mode, every type and
      average, as dicts and as digits=4 text), and counts (sentences, words, sub-tokens);
      the layout of conll03-bert-mini's expected_test.txt.json plus "report" and counts.

usage: /usr/bin/python3 tests/gen/gen_demo.py              (writes the two files)
       /usr/bin/python3 tests/gen/gen_demo.py --validate [SHARED_DIR]
The second form runs the same chain on CoNLL-2003 test with conll03-bert-mini and checks it
against that model's golden_test64.json and expected_test.txt.json (seqeval's own numbers).
Deterministic: one torch thread, batches of one sentence (no padding), fixed rounding.
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import hf_reference as R  # noqa: E402
import seqeval_port as S  # noqa: E402

N_GOLDEN = 64
HIDDEN_DIMS = 8


def read_conll(path):
    """(words, tags) of every sentence: first and last column, -DOCSTART- lines skipped."""
    sents, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if words:
                    sents.append((words, tags))
                words, tags = [], []
                continue
            cols = line.split(" ")
            words.append(cols[0])
            tags.append(cols[-1])
    if words:
        sents.append((words, tags))
    return sents


def hf_encode(tokenizer_json, sents):
    """input_ids and word_ids of every sentence from Hugging Face tokenizers (node)."""
    lines = "".join(json.dumps(w, ensure_ascii=False) + "\n" for w, _ in sents)
    out = subprocess.run(["node", os.path.join(HERE, "hf_words.mjs"), tokenizer_json],
                         input=lines, capture_output=True, text=True, check=True).stdout
    encs = [json.loads(l) for l in out.splitlines()]
    if len(encs) != len(sents):
        raise RuntimeError("hf_words.mjs: %d encodings for %d sentences" % (len(encs), len(sents)))
    return encs


def run_reference(model_dir, sents):
    """Per sentence: its encoding, logits (S, L) and last hidden state (S, H), float32."""
    cfg, model = R.load_model_dir(model_dir)
    encs = hf_encode(os.path.join(model_dir, "tokenizer.json"), sents)
    out = []
    with torch.inference_mode():
        for enc in encs:
            o = model(torch.tensor([enc["input_ids"]]), keep=False)
            out.append((enc, o["logits"][0].numpy(), o["hidden_states"][-1][0].numpy()))
    return cfg, out


def word_labels(cfg, enc, logits):
    """The label of each word: its first sub-token's argmax."""
    labels, seen = [], set()
    for t, w in enumerate(enc["word_ids"]):
        if w is not None and w not in seen:
            seen.add(w)
            labels.append(cfg["id2label"][str(int(np.argmax(logits[t])))])
    return labels


def rows(a):
    return [[round(float(x), 6) for x in row] for row in a]


def golden(sents, results):
    return [{"words": w, "tags": t, "input_ids": enc["input_ids"], "word_ids": enc["word_ids"],
             "logits": rows(logits), "last_hidden_first8": rows(hidden[:, :HIDDEN_DIMS])}
            for (w, t), (enc, logits, hidden) in zip(sents[:N_GOLDEN], results[:N_GOLDEN])]


def expected(data_name, sents, cfg, results):
    gold = [t for _, t in sents]
    pred = [word_labels(cfg, enc, logits) for enc, logits, _ in results]
    out = {"data": data_name, "sentences": len(sents), "words": sum(len(t) for t in gold),
           "tokens": sum(sum(w is not None for w in enc["word_ids"]) for enc, _, _ in results),
           "seqeval": {}, "report": {}, "predictions": pred}
    for mode, arg in (("default", None), ("strict", "strict")):
        out["seqeval"][mode] = S.classification_report(gold, pred, mode=arg, output_dict=True)
        out["report"][mode] = S.classification_report(gold, pred, mode=arg, digits=4)
    return out


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)
        f.write("\n")
    print("wrote", os.path.relpath(path, REPO))


def generate():
    sents = read_conll(os.path.join(REPO, "demo", "eval.conll"))
    cfg, results = run_reference(os.path.join(REPO, "demo", "model"), sents)
    out_dir = os.path.join(REPO, "tests", "fixtures", "demo")
    os.makedirs(out_dir, exist_ok=True)
    write_json(os.path.join(out_dir, "golden_eval64.json"), golden(sents, results))
    write_json(os.path.join(out_dir, "expected_eval.json"),
               expected("demo/eval.conll", sents, cfg, results))
    return 0


def max_diff(got, want):
    return max(float(np.max(np.abs(np.array(g) - np.array(w)))) for g, w in zip(got, want))


def validate(shared):
    """The chain on CoNLL-2003 test against conll03-bert-mini's own reference files."""
    model_dir = os.path.join(shared, "models", "conll03-bert-mini")
    sents = read_conll(os.path.join(shared, "data", "conll2003", "test.txt"))
    cfg, results = run_reference(model_dir, sents)
    with open(os.path.join(model_dir, "golden_test64.json")) as f:
        want_golden = json.load(f)
    with open(os.path.join(model_dir, "expected_test.txt.json")) as f:
        want = json.load(f)
    got_golden = golden(sents, results)
    ids_same = all(g["input_ids"] == w["input_ids"] and g["word_ids"] == w["word_ids"]
                   for g, w in zip(got_golden, want_golden))
    dl = max_diff([g["logits"] for g in got_golden], [w["logits"] for w in want_golden])
    dh = max_diff([g["last_hidden_first8"] for g in got_golden],
                  [w["last_hidden_first8"] for w in want_golden])
    got = expected("test.txt", sents, cfg, results)
    n_diff = sum(a != b for p, q in zip(got["predictions"], want["predictions"])
                 for a, b in zip(p, q))
    gold = [t for _, t in sents]
    d_seqeval = 0.0
    for mode, arg in (("default", None), ("strict", "strict")):
        rep = S.classification_report(gold, want["predictions"], mode=arg, output_dict=True)
        if set(rep) != set(want["seqeval"][mode]):
            d_seqeval = float("inf")
            continue
        for row, vals in want["seqeval"][mode].items():
            for k, v in vals.items():
                d_seqeval = max(d_seqeval, abs(rep[row][k] - v))
    print(json.dumps({"sentences": len(sents), "golden_ids_identical": ids_same,
                      "max_abs_diff_logits": dl, "max_abs_diff_last_hidden_first8": dh,
                      "words": got["words"], "tokens": got["tokens"],
                      "predictions_differing": n_diff,
                      "seqeval_port_max_abs_diff": d_seqeval}))
    return 0 if ids_same and dl < 5e-5 and dh < 5e-5 and n_diff == 0 and d_seqeval == 0 else 1


def main(argv):
    torch.set_num_threads(1)
    if argv[:1] == ["--validate"]:
        return validate(argv[1] if len(argv) > 1 else os.path.join(REPO, "..", "shared"))
    return generate()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
