"""gen_deberta.py - the DeBERTa-v2/v3 fixtures of tests/fixtures/models/deberta_*/: config.json
(DebertaV2Config keys as save_pretrained writes them), model.safetensors with random weights,
golden.json (outputs of deberta_reference.py, a PyTorch mirror of modeling_deberta_v2), and for
deberta_v3 a DeBERTa-v3-style tokenizer.json (Strip + Precompiled charsmap + Replace, Metaspace,
Unigram, [CLS] $A [SEP]) with golden_words.json: word-level probabilities of sentences encoded
by Hugging Face's own tokenizers (tests/gen/hf_words.mjs) and run whole or in the engine's
windows (infer/window.c), for tests/cli/test_cli_deberta.sh.

Usage (Debian's python with torch; Node and tests/tokparity/node_modules for the words):
    /usr/bin/python3 tests/gen/gen_deberta.py [OUT_DIR]     # default tests/fixtures/models
Deterministic: fixed seeds, one intra-op thread.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "fuzz"))
import deberta_reference as D  # noqa: E402
import gen_models as G  # noqa: E402
import hf_reference as R  # noqa: E402
import make_seeds  # noqa: E402  (darts-clone charsmap writer)

WINDOW = 128  # XNR_ENGINE_WINDOW


def cfg_deberta(**over):
    """DebertaV2Config.to_diff_dict of a DeBERTa-v3 fine-tune, at a small size."""
    cfg = {
        "architectures": ["DebertaV2ForTokenClassification"], "model_type": "deberta-v2",
        "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "hidden_size": 64, "initializer_range": 0.02, "intermediate_size": 128,
        "layer_norm_eps": 1e-7, "max_position_embeddings": 512, "max_relative_positions": -1,
        "norm_rel_ebd": "layer_norm", "num_attention_heads": 4, "num_hidden_layers": 2,
        "pad_token_id": 0, "pooler_dropout": 0, "pooler_hidden_act": "gelu",
        "pooler_hidden_size": 64, "pos_att_type": ["p2c", "c2p"], "position_biased_input": False,
        "position_buckets": 256, "relative_attention": True, "share_att_key": True,
        "torch_dtype": "float32", "transformers_version": G.TRANSFORMERS_VERSION,
        "type_vocab_size": 0, "vocab_size": 128,
    }
    cfg.update(G.labels())
    cfg.update(over)
    return cfg


def cfg_deberta_v1():
    """DebertaConfig.to_diff_dict of a microsoft/deberta-base fine-tune, at a small size."""
    cfg = cfg_deberta(hidden_size=32, intermediate_size=64, max_position_embeddings=64,
                      vocab_size=110, pos_att_type="c2p|p2c", max_relative_positions=16)
    cfg["architectures"] = ["DebertaForTokenClassification"]
    cfg["model_type"] = "deberta"
    for k in ("position_buckets", "share_att_key", "norm_rel_ebd"):
        del cfg[k]
    return cfg


# name -> (config, seed, sequence lengths; the ones above FULL_MAX keep their logits only,
# to keep the golden small)
FULL_MAX = 64
FIXTURES = {
    # DeBERTa-v3: 256 buckets (log buckets beyond distance 128: the 300-token sequence)
    "deberta_v3": (cfg_deberta(), 11, [5, 17, 33, 300]),
    # 8 buckets, explicit max_relative_positions 32 (sequences longer than both: the
    # clamp), own pos_key_proj / pos_query_proj, legacy "p2c|c2p", embed_proj, token types,
    # absolute positions, no LayerNorm on the relative embeddings
    "deberta_b8": (cfg_deberta(hidden_size=32, intermediate_size=64, embedding_size=16,
                               position_buckets=8, max_relative_positions=32, share_att_key=False,
                               pos_att_type="p2c|c2p", norm_rel_ebd="none",
                               position_biased_input=True, type_vocab_size=2,
                               max_position_embeddings=64, vocab_size=150), 12, [5, 17, 50]),
    # no buckets: relative embeddings [2 * max_position_embeddings, H], c2p only
    "deberta_c2p": (cfg_deberta(hidden_size=32, intermediate_size=64, position_buckets=-1,
                                pos_att_type=["c2p"], max_position_embeddings=40,
                                vocab_size=120), 13, [5, 17, 40]),
    # DebertaV2Config's defaults: no relative attention, absolute positions; pos_att_type
    # still sets the scale sqrt(3 d)
    "deberta_norel": (cfg_deberta(hidden_size=32, intermediate_size=64, relative_attention=False,
                                  position_buckets=-1, position_biased_input=True,
                                  norm_rel_ebd="none", max_position_embeddings=64,
                                  vocab_size=100), 14, [5, 17, 33]),
    # DeBERTa v1 (deberta-base's options): in_proj, q_bias / v_bias, pos_proj / pos_q_proj,
    # max_relative_positions 16 below the 40-token sequence
    "deberta_v1": (cfg_deberta_v1(), 15, [5, 17, 40]),
}

BUCKET_CASES = [(256, 512), (8, 32), (8, 512), (64, 100), (2, 10)]


def sequences(cfg, seed, lens):
    rng = np.random.default_rng(1000 + seed)
    seqs = []
    for i, n in enumerate(lens):
        ids = [1] + rng.integers(5, cfg["vocab_size"], size=n - 2).tolist() + [2]
        tt = [0] * n
        if i == 2 and cfg.get("type_vocab_size", 0) > 1:
            tt = [0] * (n // 2) + [1] * (n - n // 2)
        seqs.append((ids, tt))
    return seqs


def golden(model, seqs):
    out = []
    with torch.inference_mode():
        for ids, tt in seqs:
            o = model(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long), torch.tensor([tt]))
            g = {"input_ids": ids, "token_type_ids": tt, "logits": G.f32(o["logits"][0])}
            if len(ids) <= FULL_MAX:
                g["last_hidden"] = G.f32(o["hidden_states"][-1][0])
                g["all_hidden"] = [G.f32(h[0]) for h in o["hidden_states"]]
                g["ffn_acts"] = [G.f32(a[0]) for a in o["ffn_acts"]]
            out.append(g)
    return out


def padded_check(model, seqs):
    """The sequences padded into one batch give their unpadded outputs: the embedding mask
    and the pairwise attention mask leave real tokens alone (what lets the engine pack
    sequences without padding). Returns the max |diff| of the logits."""
    n = max(len(i) for i, _ in seqs)
    ids = torch.tensor([i + [0] * (n - len(i)) for i, _ in seqs])
    tt = torch.tensor([t + [0] * (n - len(t)) for _, t in seqs])
    mask = torch.tensor([[1] * len(i) + [0] * (n - len(i)) for i, _ in seqs])
    worst = 0.0
    with torch.inference_mode():
        batch = model(ids, mask, tt, keep=False)["logits"]
        for b, (i, t) in enumerate(seqs):
            one = model(torch.tensor([i]), torch.ones(1, len(i), dtype=torch.long), torch.tensor([t]),
                        keep=False)["logits"][0]
            worst = max(worst, (batch[b, :len(i)] - one).abs().max().item())
    return worst


def expect_config(cfg):
    e = G.expect_config(cfg)
    e["embedding_size"] = cfg.get("embedding_size", cfg["hidden_size"])
    e["position_offset"] = 0
    v1 = cfg["model_type"] == "deberta"
    d = {"relative_attention": cfg["relative_attention"],
         "position_biased_input": cfg["position_biased_input"],
         "position_buckets": -1 if v1 else cfg["position_buckets"],
         "share_att_key": False if v1 else cfg["share_att_key"]}
    d["max_relative_positions"] = cfg["max_relative_positions"] if cfg["max_relative_positions"] > 0 \
        else cfg["max_position_embeddings"]
    types = D.pos_att_types(cfg)
    d["c2p"], d["p2c"] = "c2p" in types, "p2c" in types
    d["norm_rel_ebd"] = "layer_norm" in cfg.get("norm_rel_ebd", "none")
    d["scale_factor"] = 1 + (len(types) if v1 else d["c2p"] + d["p2c"])
    e["deberta"] = d
    return e


def bucket_runs():
    """torch's make_log_bucket_position for r = 0..2047 per (buckets, max_relative), as
    [first r, bucket] runs (the function is odd and non-decreasing for r >= 0)."""
    out = []
    for b, m in BUCKET_CASES:
        vals = D.log_bucket(torch.arange(0, 2048), b, m).to(torch.long).tolist()
        runs = [[r, v] for r, v in enumerate(vals) if r == 0 or vals[r - 1] != v]
        out.append({"buckets": b, "max_relative": m, "runs": runs})
    return out


def write_fixture(out_dir, name, spec):
    cfg, seed, lens = spec
    d = os.path.join(out_dir, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    G.write_json(os.path.join(d, "config.json"), cfg)
    model = R.build_model(cfg)
    sd = G.random_state_dict(model, seed)
    R.save_safetensors(os.path.join(d, "model.safetensors"), G.encode(sd, "F32"), {"format": "pt"})
    _, loaded = R.load_model_dir(d)
    for k, v in loaded.state_dict().items():
        assert torch.equal(v, sd[k]), (name, k)
    seqs = sequences(cfg, seed, lens)
    pad = padded_check(loaded, [s for s in seqs if len(s[0]) <= FULL_MAX])
    assert pad < 1e-5, (name, pad)
    doc = {"fixture": name, "weights_dtype": "F32", "layout": "single", "tolerance": 1e-4,
           "expect_config": expect_config(cfg), "padded_max_abs_diff": pad,
           "sequences": golden(loaded, seqs)}
    if name == "deberta_v3":
        doc["buckets"] = bucket_runs()
    with open(os.path.join(d, "golden.json"), "w") as f:
        f.write(json.dumps(doc, separators=(",", ":")) + "\n")
    print("%s: padded batch vs one by one, max |diff| of logits %.2e" % (name, pad))
    return loaded


# ---------------------------------------------------------------------------------------
# deberta_v3's tokenizer.json and word-level goldens

SPECIALS = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]
WORDS = ["the", "of", "and", "in", "to", "a", "is", "was", "on", "said", "Paris", "London",
         "Angela", "Merkel", "visited", "New", "York", "final", "first", "United", "Nations",
         "for", "with", "at", "by", "from"]
SUFFIXES = ["ing", "ed", "er", "es", "s", "ly", "fi", "an", "on", "re", "st"]


def unigram_vocab():
    """[PAD] [CLS] [SEP] [UNK] (score 0, spm ids 0-3 as DeBERTa-v3), "▁", whole words with
    "▁", suffixes, single letters, digits and punctuation (with and without "▁"); [MASK]
    last, as the DeBERTa-v3 converter appends it."""
    rng = np.random.default_rng(21)
    pieces = [[p, 0.0] for p in SPECIALS] + [["\u2581", -2.0]]
    pieces += [["\u2581" + w, float(round(-3 - 3 * rng.random(), 4))] for w in WORDS]
    pieces += [[s, float(round(-6 - rng.random(), 4))] for s in SUFFIXES]
    chars = [chr(c) for c in range(ord("a"), ord("z") + 1)] + \
        [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [str(i) for i in range(10)] + list(".,-'()")
    pieces += [[c, float(round(-9 - rng.random(), 4))] for c in chars]
    pieces += [["\u2581" + c, -10.5] for c in list(".,-'(") + ["1", "2"]]
    pieces.append(["[MASK]", 0.0])
    return pieces


def tokenizer_json():
    vocab = unigram_vocab()
    specials = SPECIALS + ["[MASK]"]
    ids = {p: i for i, (p, _) in enumerate(vocab)}
    added = [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in specials]
    charsmap = make_seeds.charsmap(make_seeds.nfkc_rules())
    cls_sep = [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
               {"SpecialToken": {"id": "[SEP]", "type_id": 0}}]
    import base64
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Strip", "strip_left": True, "strip_right": True},
            {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always",
                          "split": True},
        "post_processor": {
            "type": "TemplateProcessing", "single": cls_sep,
            "pair": cls_sep + [{"Sequence": {"id": "B", "type_id": 1}},
                               {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [2], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always",
                    "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }


def sentences():
    """Short sentences with what the Precompiled charsmap rewrites (fullwidth letters, the fi
    ligature, roman numerals, no-break space inside a word), unknown characters (CJK, emoji)
    and a 200-word one (over 256 tokens: log buckets when run whole, windows with -L 64)."""
    rng = np.random.default_rng(31)
    long = [WORDS[i] if i < len(WORDS) else "x%d" % i
            for i in rng.integers(0, len(WORDS) + 6, size=200)]
    long = [w.replace("x", "ab") for w in long]
    return [
        ["Angela", "Merkel", "visited", "Paris", "."],
        ["The", "United", "Nations", "said", "on", "Monday", "(", "in", "New", "York", ")", "."],
        ["\uff30\uff41\uff52\uff49\uff53", "and", "\ufb01nal", "\u2163", "wait\u00a0ing", "\u6771", "\U0001F600", "x"],
        long,
    ]


def texts():
    """Raw lines for the Precompiled normalizer in text mode: surrounding and repeated spaces
    (Strip, Replace), fullwidth letters and digits, ligatures, no-break and ideographic
    spaces, roman numerals, superscripts, zero-width and control characters the charsmap
    removes, unknown characters."""
    return [
        "Angela Merkel visited Paris.",
        "  \uff30\uff41\uff52\uff49\uff53   and  London  ",
        "the \ufb01rst \ufb02ag of New\u00a0York in \uff11\uff19\uff19\uff10",
        "\u2160 \u2163 x\u00b2 said\u200b on\u3000Monday \u00bd",
        "naive\u0301 caf\u00e9 \u6771\u4eac \U0001F600 a\u0007b",
    ]


def hf_encode(tok_path, sents, text=False):
    node = shutil.which("node")
    if not node:
        raise SystemExit("gen_deberta.py: node is needed for tests/gen/hf_words.mjs")
    inp = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sents)
    out = subprocess.run([node, os.path.join(HERE, "hf_words.mjs"), tok_path] + (["--text"] if text else []),
                         input=inp.encode(), capture_output=True, check=True).stdout.decode()
    return [json.loads(l) for l in out.splitlines()]


def windows(n, max_seq):
    """infer/window.c's plan over n body tokens for a max_seq-token model length (2 special
    tokens): the windows' [begin, end) and each token's owner (the most context on its
    poorer side, the first such window on ties)."""
    whole = max_seq - 2
    length = WINDOW - 2 if 2 <= WINDOW - 2 < whole else whole
    stride = length - 2 * (length // 8)
    if n <= whole:
        return [(0, n)], [0] * n
    count = (n - length + stride - 1) // stride + 1
    wins = [(min(k * stride, n - length), min(k * stride, n - length) + length) for k in range(count)]
    owner = []
    for t in range(n):
        best, best_m = 0, -1
        for k, (b, e) in enumerate(wins):
            m = min(t - b, e - 1 - t) if b <= t < e else -1
            if m > best_m:
                best, best_m = k, m
        owner.append(best)
    return wins, owner


def word_probs(model, enc, max_seq):
    """Each word's label probabilities from its first sub-token, run as the engine runs it."""
    ids, word_ids = enc["input_ids"], enc["word_ids"]
    body, bw = ids[1:-1], word_ids[1:-1]
    wins, owner = windows(len(body), max_seq)
    logits = [None] * len(body)
    with torch.inference_mode():
        for k, (b, e) in enumerate(wins):
            x = torch.tensor([[ids[0]] + body[b:e] + [ids[-1]]])
            out = model(x, torch.ones_like(x), torch.zeros_like(x), keep=False)["logits"][0, 1:-1]
            for t in range(b, e):
                if owner[t] == k:
                    logits[t] = out[t - b]
    probs, seen = [], set()
    for t, w in enumerate(bw):
        if w not in seen:
            seen.add(w)
            probs.append(G.f32(torch.softmax(logits[t], dim=-1)))
    return probs, len(wins)


def write_words(out_dir, model):
    d = os.path.join(out_dir, "deberta_v3")
    G.write_json(os.path.join(d, "tokenizer.json"), tokenizer_json())
    sents = sentences()
    encs = hf_encode(os.path.join(d, "tokenizer.json"), sents)
    runs = []
    for max_seq in (512, 64):
        rows = []
        for words, enc in zip(sents, encs):
            probs, n_win = word_probs(model, enc, max_seq)
            assert len(probs) == len(words)
            rows.append({"words": words, "input_ids": enc["input_ids"], "windows": n_win,
                         "probs": probs})
        runs.append({"max_length": max_seq, "sentences": rows})
    lines = texts()
    doc = {"labels": G.LABELS, "tolerance": 1e-4, "runs": runs,
           "texts": [{"text": t, "input_ids": e["input_ids"], "offsets": e["offsets"]}
                     for t, e in zip(lines, hf_encode(os.path.join(d, "tokenizer.json"), lines, True))]}
    with open(os.path.join(d, "golden_words.json"), "w") as f:
        f.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
    print("deberta_v3 words: %s tokens, windows %s" % (
        [len(e["input_ids"]) for e in encs], [[r["windows"] for r in run["sentences"]] for run in runs]))


def main(argv):
    torch.set_num_threads(1)
    out_dir = argv[0] if argv else os.path.join(REPO, "tests", "fixtures", "models")
    for name, spec in FIXTURES.items():
        model = write_fixture(out_dir, name, spec)
        if name == "deberta_v3":
            write_words(out_dir, model)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
