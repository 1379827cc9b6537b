"""peer_torch.py - the PyTorch peer for the engine benchmark: tokens per second of the
reference forward pass (tests/gen/hf_reference.py, a mirror of transformers' eager
BertForTokenClassification & co.) over every sentence of a CoNLL file.

Sentences are tokenized the Hugging Face way with is_split_into_words=True (each word through
BertNormalizer + BertPreTokenizer + WordPiece from the model's tokenizer.json, then
[CLS] ... [SEP]), or read from --ids (a JSON list of id lists, or of objects with
"input_ids", e.g. dumped by our C tool). They run under torch.inference_mode in batches of
--batch-size sorted by length, padded with pad_token_id and an attention mask. Timed: the
forward passes and the argmax over labels (tokenization excluded); best of --repeats after
one warm-up batch. Tokens counted: real tokens including [CLS]/[SEP], not padding.

Threads, tuned on the 2-core machine: torch.set_num_threads(1) (intra-op) and OpenBLAS's own
threads from OPENBLAS_NUM_THREADS, default 2 (Debian's torch does its GEMMs in OpenBLAS).

Prints one JSON line: {"impl":"torch","tokens_per_s":..,"peak_rss_mb":..,...}.
usage: /usr/bin/python3 bench/peer_torch.py MODEL_DIR CONLL_FILE [--ids IDS.json]
       [--batch-size 32] [--threads 1] [--repeats 1] [--check-golden golden_test64.json]
       [--dump-ids IDS.json]
"""
import argparse
import json
import os
import resource
import sys
import time
import unicodedata

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")  # read by OpenBLAS when torch loads it

import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "gen"))
import hf_reference as R  # noqa: E402


def read_conll(path):
    """Sentences as lists of words (first column); -DOCSTART- lines skipped."""
    sents, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                if cur:
                    sents.append(cur)
                cur = []
                continue
            word = line.split()[0]
            if word != "-DOCSTART-":
                cur.append(word)
    if cur:
        sents.append(cur)
    return sents


def _is_punct(c):
    o = ord(c)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_cjk(o):
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF
            or 0x2A700 <= o <= 0x2B73F or 0x2B740 <= o <= 0x2B81F or 0x2B920 <= o <= 0x2CEAF
            or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F)


class WordPieceTokenizer:
    """BertNormalizer + BertPreTokenizer + WordPiece as tokenizer.json describes them
    (reference/hf-formats.md 4.4-4.6); only the BERT-style tokenizer.json is supported."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            tj = json.load(f)
        norm, model = tj["normalizer"] or {}, tj["model"]
        if model["type"] != "WordPiece" or norm.get("type") not in ("BertNormalizer", None):
            raise ValueError("%s: peer_torch.py handles BertNormalizer + WordPiece only" % path)
        self.lower = norm.get("lowercase", False)
        strip = norm.get("strip_accents")
        self.strip = self.lower if strip is None else strip
        self.clean = norm.get("clean_text", True)
        self.cjk = norm.get("handle_chinese_chars", True)
        self.vocab = model["vocab"]
        self.unk = self.vocab[model["unk_token"]]
        self.prefix = model.get("continuing_subword_prefix", "##")
        self.max_chars = model.get("max_input_chars_per_word", 100)
        ids = {t["content"]: t["id"] for t in tj.get("added_tokens", [])}
        self.cls, self.sep = ids.get("[CLS]", self.vocab.get("[CLS]")), ids.get("[SEP]", self.vocab.get("[SEP]"))

    def normalize(self, text):
        out = []
        for c in text:
            o = ord(c)
            if self.clean:
                if o == 0 or o == 0xFFFD or (c not in "\t\n\r" and unicodedata.category(c).startswith("C")):
                    continue
                if c.isspace():
                    c = " "
            if self.cjk and _is_cjk(o):
                c = " " + c + " "
            out.append(c)
        s = "".join(out)
        if self.strip:
            s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
        return s.lower() if self.lower else s

    def pretokenize(self, s):
        words = []
        for chunk in s.split():
            cur = ""
            for c in chunk:
                if _is_punct(c):
                    if cur:
                        words.append(cur)
                    words.append(c)
                    cur = ""
                else:
                    cur += c
            if cur:
                words.append(cur)
        return words

    def wordpiece(self, word):
        if len(word) > self.max_chars:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def encode_words(self, words):
        ids = [self.cls]
        for w in words:
            for piece in self.pretokenize(self.normalize(w)):
                ids.extend(self.wordpiece(piece))
        return ids + [self.sep]


def load_ids(path):
    with open(path) as f:
        data = json.load(f)
    return [d["input_ids"] if isinstance(d, dict) else d for d in data]


def batches(seqs, batch_size, pad_id):
    """Padded (ids, mask) tensors over the sequences sorted by length."""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = []
    for b in range(0, len(order), batch_size):
        group = [seqs[i] for i in order[b:b + batch_size]]
        n = max(len(s) for s in group)
        ids = torch.full((len(group), n), pad_id, dtype=torch.long)
        mask = torch.zeros((len(group), n), dtype=torch.long)
        for r, s in enumerate(group):
            ids[r, :len(s)] = torch.tensor(s, dtype=torch.long)
            mask[r, :len(s)] = 1
        out.append((ids, mask))
    return out


def run_all(model, bs):
    t0 = time.perf_counter()
    with torch.inference_mode():
        for ids, mask in bs:
            model(ids, mask, keep=False)["logits"].argmax(-1)
    return time.perf_counter() - t0


def main(argv):
    ap = argparse.ArgumentParser(description="PyTorch peer of bench_engine")
    ap.add_argument("model_dir")
    ap.add_argument("conll")
    ap.add_argument("--ids", help="JSON input ids instead of tokenizing the CoNLL file")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--check-golden", help="compare our input ids with a golden_test64.json")
    ap.add_argument("--dump-ids", help="write the token ids (JSON) for the other peers and stop")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.ids:
        seqs = load_ids(a.ids)
    else:
        tok = WordPieceTokenizer(os.path.join(a.model_dir, "tokenizer.json"))
        seqs = [tok.encode_words(words) for words in read_conll(a.conll)]
    if a.check_golden:
        with open(a.check_golden) as f:
            gold = json.load(f)
        bad = sum(s != g["input_ids"] for s, g in zip(seqs, gold))
        print(json.dumps({"golden_sentences": len(gold), "id_mismatches": bad}), file=sys.stderr)
        if bad:
            return 1
    if a.dump_ids:
        with open(a.dump_ids, "w") as f:
            json.dump(seqs, f)
        return 0
    cfg, model = R.load_model_dir(a.model_dir)
    bs = batches(seqs, a.batch_size, cfg.get("pad_token_id", 0))
    with torch.inference_mode():
        model(bs[0][0], bs[0][1], keep=False)
    best = min(run_all(model, bs) for _ in range(a.repeats))
    tokens = sum(len(s) for s in seqs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({
        "impl": "torch", "torch": torch.__version__, "sentences": len(seqs), "tokens": tokens,
        "threads": a.threads, "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE"), "batch_size": a.batch_size,
        "seconds": round(best, 3), "tokens_per_s": round(tokens / best, 1),
        "peak_rss_mb": round(rss, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
