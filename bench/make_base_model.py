"""make_base_model.py - writes a BERT-base-sized BertForTokenClassification with random
weights (transformers' _init_weights: Linear/Embedding N(0, 0.02), biases 0, LayerNorm 1/0)
for throughput benchmarks: 12 layers, hidden 768, 12 heads, intermediate 3072,
vocab 28996 (bert-base-cased), 512 positions, the 9 CoNLL labels. The conll03-bert-mini
tokenizer files are copied beside it: that vocabulary has 9,000 entries, so only ids < 9000
occur, which does not change the timing.

usage: /usr/bin/python3 bench/make_base_model.py OUT_DIR [SHARED_DIR]
"""
import json
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "gen"))
import hf_reference as R  # noqa: E402

TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]


def base_config(mini_cfg):
    cfg = {
        "architectures": ["BertForTokenClassification"], "model_type": "bert",
        "attention_probs_dropout_prob": 0.1, "classifier_dropout": None, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "hidden_size": 768, "initializer_range": 0.02,
        "intermediate_size": 3072, "layer_norm_eps": 1e-12, "max_position_embeddings": 512,
        "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 0,
        "position_embedding_type": "absolute", "torch_dtype": "float32",
        "transformers_version": "4.44.2", "type_vocab_size": 2, "use_cache": True,
        "vocab_size": 28996,
    }
    cfg["id2label"] = mini_cfg["id2label"]
    cfg["label2id"] = mini_cfg["label2id"]
    return cfg


def shapes(cfg):
    """Tensor names and shapes of BertForTokenClassification, as the reference model has them."""
    h, i, n = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    t = {
        "bert.embeddings.word_embeddings.weight": (cfg["vocab_size"], h),
        "bert.embeddings.position_embeddings.weight": (cfg["max_position_embeddings"], h),
        "bert.embeddings.token_type_embeddings.weight": (cfg["type_vocab_size"], h),
        "bert.embeddings.LayerNorm.weight": (h,), "bert.embeddings.LayerNorm.bias": (h,),
        "classifier.weight": (len(cfg["id2label"]), h), "classifier.bias": (len(cfg["id2label"]),),
    }
    for li in range(n):
        p = "bert.encoder.layer.%d." % li
        for m in ("attention.self.query", "attention.self.key", "attention.self.value",
                  "attention.output.dense"):
            t[p + m + ".weight"], t[p + m + ".bias"] = (h, h), (h,)
        t[p + "intermediate.dense.weight"], t[p + "intermediate.dense.bias"] = (i, h), (i,)
        t[p + "output.dense.weight"], t[p + "output.dense.bias"] = (h, i), (h,)
        for m in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[p + m + ".weight"], t[p + m + ".bias"] = (h,), (h,)
    return t


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    out = argv[0]
    shared = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(HERE), "..", "shared")
    mini = os.path.join(shared, "models", "conll03-bert-mini")
    with open(os.path.join(mini, "config.json")) as f:
        cfg = base_config(json.load(f))
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    tensors = {}
    for name, shape in shapes(cfg).items():
        if "LayerNorm" in name:
            v = np.full(shape, 1.0 if name.endswith("weight") else 0.0, dtype=np.float32)
        elif name.endswith(".bias"):
            v = np.zeros(shape, dtype=np.float32)
        else:
            v = (0.02 * rng.standard_normal(shape, dtype=np.float32)).astype(np.float32)
        tensors[name] = ("F32", list(shape), v.tobytes())
    R.save_safetensors(os.path.join(out, "model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(out, "config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    for fn in TOKENIZER_FILES:  # copyfile: shared/ is read-only, the copies should not be
        dst = os.path.join(out, fn)
        if os.path.exists(dst):
            os.remove(dst)
        shutil.copyfile(os.path.join(mini, fn), dst)
    n = sum(int(np.prod(s)) for s in shapes(cfg).values())
    print(json.dumps({"wrote": out, "parameters": n}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
