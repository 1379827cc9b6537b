#!/usr/bin/env python3
"""gen_spm.py - the slow tokenizer files of tests/fixtures/tokenizers/slow/ (issue #12 item 3):
folders without tokenizer.json that ExplaiNER converts the way transformers' converters do.

  xlmr_unigram.model    sentencepiece Unigram (a small charsmap, see rules_tsv; <unk> <s> </s> = 0-2 as XLM-R),
                        298 pieces: with XLM-R's id layout (+<pad>, +<mask>) 300 ids, the
                        xlm_roberta model fixture's vocab_size
  deberta_unigram.model sentencepiece Unigram as DeBERTa-v3 ([PAD] [CLS] [SEP] [UNK] = 0-3),
                        one user-defined piece ("U.S."), 400 pieces
  bpe.model             a sentencepiece BPE model (refused: only Unigram converts)
  deberta_v3.spm.model  the deberta_v3 model fixture's tokenizer.json written back as the spm.model
                        DebertaV2Converter turns into it (pieces, scores as float32, its charsmap)
  roberta/vocab.json, roberta/merges.txt
                        a byte-level BPE (RoBERTa layout: <s> <pad> </s> <unk>, the printable
                        ASCII bytes and Ġ, merges learned on the demo text, <mask> last) of 250
                        ids, the roberta model fixture's vocab_size

Trained with Debian's python3-sentencepiece on demo/eval.conll and demo/examples.txt (offline).
sentencepiece's trainer is deterministic for one input and thread count; the files are committed.
Run from the repository root: python3 tests/gen/gen_spm.py
"""
import base64
import collections
import json
import os
import struct
import sys

import sentencepiece as spm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "tokenizers", "slow")


def demo_sentences():
    sents, cur = [], []
    with open(os.path.join(ROOT, "demo", "eval.conll"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("-DOCSTART-"):
                if cur:
                    sents.append(" ".join(cur))
                cur = []
                continue
            cur.append(line.split()[0])
    if cur:
        sents.append(" ".join(cur))
    with open(os.path.join(ROOT, "demo", "examples.txt"), encoding="utf-8") as f:
        sents += [l.strip() for l in f if l.strip()]
    return sents


def rules_tsv(path):
    """A small normalization rule set (sentencepiece's rule TSV, compiled by the trainer into
    the precompiled charsmap): fullwidth ASCII, the fi/fl ligatures, NBSP, tab and ideographic
    space, so the fixtures stay a few KB instead of nmt_nfkc's 240 KB."""
    rules = [(0xFF01 + i, 0x21 + i) for i in range(94)]
    rules += [(0xFB01, (0x66, 0x69)), (0xFB02, (0x66, 0x6C)), (0xA0, 0x20), (0x09, 0x20),
              (0x3000, 0x20)]
    with open(path, "w", encoding="utf-8") as f:
        for src, tgt in rules:
            tgt = tgt if isinstance(tgt, tuple) else (tgt,)
            f.write(f"{src:X}\t{' '.join(f'{t:X}' for t in tgt)}\n")


def train(text_path, prefix, **kw):
    spm.SentencePieceTrainer.train(input=text_path, model_prefix=prefix, num_threads=1,
                                   minloglevel=2, normalization_rule_tsv=text_path + ".rules",
                                   **kw)
    os.remove(prefix + ".vocab")


# ---- a protobuf writer of the ModelProto fields the converters read ----

def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(num, wt, payload):
    key = varint(num << 3 | wt)
    if wt == 0:
        return key + varint(payload)
    if wt == 5:
        return key + payload
    return key + varint(len(payload)) + payload


def model_proto(pieces, trainer, charsmap):
    """pieces: (piece, score, type); trainer: {field number: int}."""
    out = b""
    for p, s, t in pieces:
        out += field(1, 2, field(1, 2, p.encode()) + field(2, 5, struct.pack("<f", s)) +
                     field(3, 0, t))
    out += field(2, 2, b"".join(field(n, 0, v) for n, v in sorted(trainer.items())))
    out += field(3, 2, field(1, 2, b"nmt_nfkc") + field(2, 2, charsmap) + field(3, 0, 1) +
                 field(4, 0, 1) + field(5, 0, 1))
    return out


def deberta_v3_spm():
    """The deberta_v3 fixture's Unigram as spm.model: [MASK] left out (the converter adds it
    after the pieces, as for the real DeBERTa-v3 whose spm.model has no [MASK])."""
    path = os.path.join(ROOT, "tests", "fixtures", "models", "deberta_v3", "tokenizer.json")
    with open(path, encoding="utf-8") as f:
        tok = json.load(f)
    types = {"[PAD]": 3, "[CLS]": 3, "[SEP]": 3, "[UNK]": 2}
    pieces = [(p, s, types.get(p, 1)) for p, s in tok["model"]["vocab"] if p != "[MASK]"]
    charsmap = next(base64.b64decode(n["precompiled_charsmap"])
                    for n in tok["normalizer"]["normalizers"] if n["type"] == "Precompiled")
    # model_type 3 = 1 (Unigram), unk/bos/eos/pad ids 40-43
    return model_proto(pieces, {3: 1, 40: 3, 41: 1, 42: 2, 43: 0}, charsmap)


# ---- a byte-level BPE in RoBERTa's layout ----

def byte_char(b):
    """GPT-2's bytes_to_unicode: printable bytes map to themselves, others to 256 + n."""
    keep = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    if b in keep:
        return chr(b)
    return chr(256 + sorted(set(range(256)) - set(keep)).index(b))


def roberta_bpe(sents, n_ids=250):
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    alphabet = [byte_char(b) for b in range(0x20, 0x7F)]
    words = collections.Counter()
    for s in sents:
        for w in s.split(" "):
            if w and all(0x20 < ord(c) < 0x7F for c in w):
                words[tuple(byte_char(0x20) + w)] += 1
    vocab = specials + alphabet
    merges = []
    while len(vocab) < n_ids - 1:
        pairs = collections.Counter()
        for w, n in words.items():
            for a, b in zip(w, w[1:]):
                pairs[a, b] += n
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append((a, b))
        vocab.append(a + b)
        new = collections.Counter()
        for w, n in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] += n
        words = new
    vocab.append("<mask>")
    return {t: i for i, t in enumerate(vocab)}, merges


def main():
    os.makedirs(os.path.join(OUT, "roberta"), exist_ok=True)
    sents = demo_sentences()
    text = os.path.join(OUT, "train_text.tmp")
    with open(text, "w", encoding="utf-8") as f:
        f.write("\n".join(sents) + "\n")
    rules_tsv(text + ".rules")
    try:
        train(text, os.path.join(OUT, "xlmr_unigram"), model_type="unigram", vocab_size=298)
        train(text, os.path.join(OUT, "deberta_unigram"), model_type="unigram", vocab_size=400,
              pad_id=0, bos_id=1, eos_id=2, unk_id=3, pad_piece="[PAD]", bos_piece="[CLS]",
              eos_piece="[SEP]", unk_piece="[UNK]", user_defined_symbols=["U.S."])
        train(text, os.path.join(OUT, "bpe"), model_type="bpe", vocab_size=200)
    finally:
        os.remove(text)
        os.remove(text + ".rules")
    with open(os.path.join(OUT, "deberta_v3.spm.model"), "wb") as f:
        f.write(deberta_v3_spm())
    vocab, merges = roberta_bpe(sents)
    with open(os.path.join(OUT, "roberta", "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(OUT, "roberta", "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
