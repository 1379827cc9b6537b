"""gen_models.py - writes the tiny model fixtures of tests/fixtures/models/<name>/ with
config.json (as transformers' save_pretrained writes it), model.safetensors (or shards) and
golden.json (reference outputs of hf_reference.py, float32 values in their shortest exact
decimal form).

Usage (Debian's python, which has torch):
    /usr/bin/python3 tests/gen/gen_models.py [OUT_DIR]        # default tests/fixtures/models
    /usr/bin/python3 tests/gen/gen_models.py --validate [MODEL_DIR]
The second form checks hf_reference.py against conll03-bert-mini's golden_test64.json.
Besides the token-classification fixtures it writes sentence_bert/, a sentence-transformers
folder (hf-formats.md 7): a bare BertModel, modules.json, 1_Pooling, tokenizer.json.
Deterministic: fixed seeds, one intra-op thread.
"""
import json
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_reference as R  # noqa: E402

TRANSFORMERS_VERSION = "4.44.2"
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
SEQ_LENS = [5, 17, 33]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def labels():
    return {"id2label": {str(i): l for i, l in enumerate(LABELS)},
            "label2id": {l: i for i, l in enumerate(LABELS)}}


def bert_like(arch, model_type, vocab, **over):
    """The keys BertConfig / RobertaConfig / XLMRobertaConfig / ElectraConfig.to_diff_dict
    keep: every class attribute plus the generic ones that differ from PretrainedConfig."""
    cfg = {
        "architectures": [arch], "model_type": model_type,
        "attention_probs_dropout_prob": 0.1, "classifier_dropout": None, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "hidden_size": 32, "initializer_range": 0.02,
        "intermediate_size": 64, "layer_norm_eps": 1e-12, "max_position_embeddings": 64,
        "num_attention_heads": 4, "num_hidden_layers": 2, "pad_token_id": 0,
        "position_embedding_type": "absolute", "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION, "type_vocab_size": 2, "use_cache": True,
        "vocab_size": vocab,
    }
    cfg.update(labels())
    cfg.update(over)
    return cfg


def cfg_bert(**over):
    return bert_like("BertForTokenClassification", "bert", 200, **over)


def cfg_distilbert():
    cfg = {
        "architectures": ["DistilBertForTokenClassification"], "model_type": "distilbert",
        "activation": "gelu", "attention_dropout": 0.1, "dim": 32, "dropout": 0.1,
        "hidden_dim": 64, "initializer_range": 0.02, "max_position_embeddings": 64,
        "n_heads": 4, "n_layers": 2, "pad_token_id": 0, "qa_dropout": 0.1,
        "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False, "tie_weights_": True,
        "torch_dtype": "float32", "transformers_version": TRANSFORMERS_VERSION,
        "vocab_size": 150,
    }
    cfg.update(labels())
    return cfg


def cfg_roberta(arch, model_type, vocab):
    return bert_like(arch, model_type, vocab, bos_token_id=0, eos_token_id=2, pad_token_id=1,
                     max_position_embeddings=66, type_vocab_size=1, layer_norm_eps=1e-5)


def cfg_electra():
    return bert_like("ElectraForTokenClassification", "electra", 180, embedding_size=16,
                     summary_activation="gelu", summary_last_dropout=0.1,
                     summary_type="first", summary_use_proj=True)


# name -> (config, weight dtype, layout, seed, special ids (cls, sep, pad), expected config)
FIXTURES = {
    "bert": (cfg_bert(), "F32", "single", 1, (2, 3, 0)),
    "bert_gelu_tanh": (cfg_bert(hidden_act="gelu_new"), "F32", "single", 2, (2, 3, 0)),
    "distilbert": (cfg_distilbert(), "F32", "single", 3, (2, 3, 0)),
    "roberta": (cfg_roberta("RobertaForTokenClassification", "roberta", 250), "F32", "single", 4,
                (0, 2, 1)),
    "xlm_roberta": (cfg_roberta("XLMRobertaForTokenClassification", "xlm-roberta", 300), "F32",
                    "single", 5, (0, 2, 1)),
    "electra": (cfg_electra(), "F32", "single", 6, (2, 3, 0)),
    "bert_f16": (cfg_bert(torch_dtype="float16"), "F16", "single", 1, (2, 3, 0)),
    "bert_bf16": (cfg_bert(torch_dtype="bfloat16"), "BF16", "single", 1, (2, 3, 0)),
    "bert_sharded": (cfg_bert(), "F32", "sharded", 1, (2, 3, 0)),
    "bert_noprefix": (cfg_bert(), "F32", "noprefix", 1, (2, 3, 0)),
}

ARCH_PREFIX = {"bert": "bert", "distilbert": "distilbert", "roberta": "roberta",
               "xlm-roberta": "roberta", "electra": "electra"}


def weight_std(name):
    """Random-weight scales chosen so every layer changes the hidden state visibly while
    attention stays unsaturated: with LayerNorm'd inputs of width 32, a 0.25 std gives
    projections of std ~1.4 and attention scores of std ~2 (head size 8)."""
    if "embeddings" in name and "LayerNorm" not in name and "project" not in name:
        return 0.5
    if name.endswith("output.dense.weight") and "attention" not in name or "lin2.weight" in name:
        return 0.15  # fan-in 64
    if name.startswith("classifier."):
        return 0.3
    return 0.25


def random_state_dict(model, seed):
    rng = np.random.default_rng(seed)
    sd = {}
    for name, p in model.state_dict().items():
        shape = tuple(p.shape)
        if "LayerNorm" in name or "layer_norm" in name:
            base = 1.0 if name.endswith("weight") else 0.0
            v = base + (0.2 if name.endswith("weight") else 0.1) * rng.standard_normal(shape)
        elif name.endswith(".bias"):
            v = 0.1 * rng.standard_normal(shape)
        else:
            v = weight_std(name) * rng.standard_normal(shape)
        sd[name] = torch.from_numpy(v.astype(np.float32))
    return sd


def round_to_dtype(sd, dtype):
    """The F32 values the engine sees after widening an F16 / BF16 file."""
    out = {}
    for k, v in sd.items():
        a = v.numpy()
        if dtype == "F16":
            a = a.astype(np.float16).astype(np.float32)
        elif dtype == "BF16":
            a = R.bf16_bits_to_f32(R.f32_to_bf16_bits(a))
        out[k] = torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    return out


def sequences(cfg, seed, specials):
    cls_id, sep_id, pad_id = specials
    rng = np.random.default_rng(1000 + seed)
    seqs = []
    for i, n in enumerate(SEQ_LENS):
        body = rng.integers(5, cfg["vocab_size"], size=n - 2).tolist()
        ids = [cls_id] + body + [sep_id]
        tt = [0] * n
        if i == 2 and cfg.get("type_vocab_size", 0) > 1:
            tt = [0] * (n // 2) + [1] * (n - n // 2)  # a sentence pair: second segment type 1
        assert pad_id not in ids
        seqs.append((ids, tt))
    return seqs


def f32(t):
    """Nested lists of the float32 values, each in its shortest exact decimal form."""
    a = t.detach().numpy().astype(np.float32)
    if a.ndim == 1:
        return [float(str(x)) for x in a]
    return [f32(t[i]) for i in range(a.shape[0])]


def golden(cfg, model, seqs):
    out = []
    with torch.inference_mode():
        for ids, tt in seqs:
            o = model(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long), torch.tensor([tt]))
            out.append({
                "input_ids": ids, "token_type_ids": tt,
                "logits": f32(o["logits"][0]),
                "last_hidden": f32(o["hidden_states"][-1][0]),
                "all_hidden": [f32(h[0]) for h in o["hidden_states"]],
                "ffn_acts": [f32(a[0]) for a in o["ffn_acts"]],
            })
    return out


def expect_config(cfg):
    rob = cfg["model_type"] in ("roberta", "xlm-roberta")
    h = cfg.get("hidden_size", cfg.get("dim"))
    return {
        "architecture": cfg["architectures"][0], "model_type": cfg["model_type"],
        "vocab_size": cfg["vocab_size"], "hidden_size": h,
        "embedding_size": cfg.get("embedding_size", h),
        "n_layers": cfg.get("num_hidden_layers", cfg.get("n_layers")),
        "n_heads": cfg.get("num_attention_heads", cfg.get("n_heads")),
        "intermediate_size": cfg.get("intermediate_size", cfg.get("hidden_dim")),
        "max_positions": cfg["max_position_embeddings"],
        "type_vocab_size": cfg.get("type_vocab_size", 0), "pad_token_id": cfg["pad_token_id"],
        "position_offset": cfg["pad_token_id"] + 1 if rob else 0,
        "layer_norm_eps": cfg.get("layer_norm_eps", 1e-12),
        "act": cfg.get("hidden_act", cfg.get("activation")), "n_labels": len(LABELS),
    }


def encode(sd, dtype):
    return {k: (dtype, list(v.shape), R.to_bytes(v.numpy(), dtype)) for k, v in sd.items()}


def write_weights(d, sd, dtype, layout, prefix):
    meta = {"format": "pt"}
    if layout == "single":
        R.save_safetensors(os.path.join(d, "model.safetensors"), encode(sd, dtype), meta)
    elif layout == "sharded":
        # Two shards in state_dict order, as transformers' shard_checkpoint fills them with
        # max_shard_size = half the model (the classifier lands in the second one).
        total = sum(v.numel() * 4 for v in sd.values())
        shards, size = [[], []], 0
        for k, v in sd.items():
            shards[0 if size + v.numel() * 4 <= total // 2 and not shards[1] else 1].append(k)
            size += v.numel() * 4
        wmap = {}
        for i, keys in enumerate(shards):
            fn = "model-%05d-of-%05d.safetensors" % (i + 1, len(shards))
            R.save_safetensors(os.path.join(d, fn), encode({k: sd[k] for k in keys}, dtype), meta)
            wmap.update({k: fn for k in keys})
        index = {"metadata": {"total_size": total}, "weight_map": wmap}
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")
    elif layout == "noprefix":
        # A bare-model save from an old BERT: no "bert." prefix, LayerNorm gamma/beta, a pooler
        # and the I64 position_ids buffer, all of which a loader must rename or ignore.
        t = {}
        for k, v in sd.items():
            k = k[len(prefix) + 1:] if k.startswith(prefix + ".") else k
            k = k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
            t[k] = (dtype, list(v.shape), R.to_bytes(v.numpy(), dtype))
        h = sd[prefix + ".embeddings.LayerNorm.weight"].shape[0]
        rng = np.random.default_rng(99)
        t["pooler.dense.weight"] = ("F32", [h, h], R.to_bytes(0.1 * rng.standard_normal((h, h)), "F32"))
        t["pooler.dense.bias"] = ("F32", [h], R.to_bytes(0.1 * rng.standard_normal(h), "F32"))
        p = sd[prefix + ".embeddings.position_embeddings.weight"].shape[0]
        t["embeddings.position_ids"] = ("I64", [1, p], R.to_bytes(np.arange(p)[None, :], "I64"))
        R.save_safetensors(os.path.join(d, "model.safetensors"), t, meta)


# sentence_bert: a sentence-transformers folder around a bare BertModel (hf-formats.md 7)
ST_SEED = 7
ST_MAX_SEQ_LENGTH = 48  # below max_position_embeddings 64, so the engine must read it


def cfg_bare_bert():
    """BertModel's config.json: no head, so no id2label (the LABEL_0/1 default is omitted)."""
    cfg = bert_like("BertModel", "bert", 200)
    del cfg["id2label"], cfg["label2id"]
    return cfg


def wordpiece_tokenizer_json():
    """A cased WordPiece tokenizer.json (BertNormalizer, BertPreTokenizer, [CLS] A [SEP]) whose
    vocabulary is single characters, so any ASCII text encodes within the 200-id model."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [chr(c) for c in range(ord("a"), ord("z") + 1)] + \
        [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [str(d) for d in range(10)]
    vocab = specials + chars + list(".,;:!?'\"()-/&$%") + ["##" + c for c in chars]
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, t in enumerate(specials)]
    cls_sep = [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
               {"Sequence": {"id": "A", "type_id": 0}},
               {"SpecialToken": {"id": "[SEP]", "type_id": 0}}]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": False},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing", "single": cls_sep,
            "pair": cls_sep + [{"Sequence": {"id": "B", "type_id": 1}},
                               {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}},
    }


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def write_sentence_bert(out_dir, name="sentence_bert"):
    """The folder SentenceTransformer.save writes for Transformer + mean Pooling: the bare
    model's weights without the "bert." prefix, its pooler (unused), no classifier. The golden
    holds the last hidden states and their mean over the attention mask (special tokens
    included), computed on the three sequences padded into one batch as
    sentence-transformers runs them."""
    cfg = cfg_bare_bert()
    d = os.path.join(out_dir, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    write_json(os.path.join(d, "config.json"), cfg)
    # The reference BertForTokenClassification of the same sizes; its classifier is dropped.
    model = R.build_model(dict(cfg, architectures=["BertForTokenClassification"], **labels()))
    sd = random_state_dict(model, ST_SEED)
    h = cfg["hidden_size"]
    rng = np.random.default_rng(100 + ST_SEED)
    tensors = {k[len("bert."):]: ("F32", list(v.shape), R.to_bytes(v.numpy(), "F32"))
               for k, v in sd.items() if k.startswith("bert.")}
    tensors["pooler.dense.weight"] = ("F32", [h, h],
                                      R.to_bytes(0.1 * rng.standard_normal((h, h)), "F32"))
    tensors["pooler.dense.bias"] = ("F32", [h], R.to_bytes(0.1 * rng.standard_normal(h), "F32"))
    R.save_safetensors(os.path.join(d, "model.safetensors"), tensors, {"format": "pt"})
    model.load_state_dict(sd)
    write_json(os.path.join(d, "tokenizer.json"), wordpiece_tokenizer_json())
    write_json(os.path.join(d, "modules.json"), [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}])
    write_json(os.path.join(d, "sentence_bert_config.json"),
               {"do_lower_case": False, "max_seq_length": ST_MAX_SEQ_LENGTH})
    write_json(os.path.join(d, "1_Pooling", "config.json"), {
        "word_embedding_dimension": h, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False, "include_prompt": True})
    seqs = sequences(cfg, ST_SEED, (2, 3, 0))
    n = max(len(ids) for ids, _ in seqs)
    ids = torch.tensor([i + [0] * (n - len(i)) for i, _ in seqs])
    tt = torch.tensor([t + [0] * (n - len(t)) for _, t in seqs])
    mask = torch.tensor([[1] * len(i) + [0] * (n - len(i)) for i, _ in seqs])
    with torch.inference_mode():
        o = model(ids, mask, tt)
        last = o["hidden_states"][-1]
        m = mask.unsqueeze(-1).float()
        pooled = (last * m).sum(1) / m.sum(1).clamp(min=1e-9)
    out = []
    for b, (seq_ids, seq_tt) in enumerate(seqs):
        S = len(seq_ids)
        out.append({"input_ids": seq_ids, "token_type_ids": seq_tt,
                    "last_hidden": f32(last[b, :S]),
                    "all_hidden": [f32(x[b, :S]) for x in o["hidden_states"]],
                    "ffn_acts": [f32(a[b, :S]) for a in o["ffn_acts"]],
                    "mean_pooled": f32(pooled[b])})
    exp = expect_config(cfg)
    exp["n_labels"] = 0
    doc = {"fixture": name, "weights_dtype": "F32", "layout": "sentence_transformers",
           "tolerance": 1e-4, "max_seq_length": ST_MAX_SEQ_LENGTH, "expect_config": exp,
           "sequences": out}
    with open(os.path.join(d, "golden.json"), "w") as f:
        f.write(json.dumps(doc, separators=(",", ":")) + "\n")


def write_fixture(out_dir, name, spec):
    cfg, dtype, layout, seed, specials = spec
    d = os.path.join(out_dir, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    model = R.build_model(cfg)
    sd = random_state_dict(model, seed)
    write_weights(d, sd, dtype, layout, model.prefix)
    # The golden comes from the file as written, read back through the reference loader.
    _, loaded = R.load_model_dir(d)
    ref = round_to_dtype(sd, dtype)
    for k, v in loaded.state_dict().items():
        assert torch.equal(v, ref[k]), (name, k)
    doc = {
        "fixture": name, "weights_dtype": dtype, "layout": layout,
        "tolerance": 1e-4, "expect_config": expect_config(cfg),
        "sequences": golden(cfg, loaded, sequences(cfg, seed, specials)),
    }
    with open(os.path.join(d, "golden.json"), "w") as f:
        f.write(json.dumps(doc, separators=(",", ":")) + "\n")
    return loaded


def validate(model_dir):
    """Max |diff| of the reference BERT against golden_test64.json (rounded to 6 decimals)."""
    _, model = R.load_model_dir(model_dir)
    with open(os.path.join(model_dir, "golden_test64.json")) as f:
        gold = json.load(f)
    dl = dh = 0.0
    with torch.inference_mode():
        for s in gold:
            o = model(torch.tensor([s["input_ids"]]))
            dl = max(dl, (o["logits"][0] - torch.tensor(s["logits"])).abs().max().item())
            h8 = o["hidden_states"][-1][0, :, :8]
            dh = max(dh, (h8 - torch.tensor(s["last_hidden_first8"])).abs().max().item())
    print(json.dumps({"sentences": len(gold), "max_abs_diff_logits": dl,
                      "max_abs_diff_last_hidden_first8": dh}))
    return dl < 5e-5 and dh < 5e-5


def main(argv):
    torch.set_num_threads(1)
    if argv[:1] == ["--validate"]:
        d = argv[1] if len(argv) > 1 else os.path.join(REPO, "..", "shared", "models", "conll03-bert-mini")
        return 0 if validate(d) else 1
    out_dir = argv[0] if argv else os.path.join(REPO, "tests", "fixtures", "models")
    os.makedirs(out_dir, exist_ok=True)
    for name, spec in FIXTURES.items():
        write_fixture(out_dir, name, spec)
        print("wrote", os.path.join(out_dir, name))
    write_sentence_bert(out_dir)
    print("wrote", os.path.join(out_dir, "sentence_bert"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
