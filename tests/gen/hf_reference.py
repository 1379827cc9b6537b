"""hf_reference.py - PyTorch re-implementation of the Hugging Face token-classification
forward passes (BERT, DistilBERT, RoBERTa / XLM-R, ELECTRA; DeBERTa-v2/v3 in
deberta_reference.py) plus a pure-python safetensors reader/writer.

transformers is not installable here, so this mirrors its eager modeling code
(modeling_bert.py BertEmbeddings / BertSelfAttention / BertSelfOutput / BertIntermediate /
BertOutput, modeling_distilbert.py Embeddings / MultiHeadSelfAttention / FFN /
TransformerBlock, modeling_roberta.py RobertaEmbeddings +
create_position_ids_from_input_ids, modeling_electra.py ElectraEmbeddings +
embeddings_project, the *ForTokenClassification heads) and
shared/reference/hf-formats.md sections 1, 3.0-3.4, 3.6. Module attribute names equal the
Hugging Face ones, so state_dict() keys are exactly the checkpoint tensor names.
Checked against shared/models/conll03-bert-mini/golden_test64.json (see README.md).

Run with Debian's /usr/bin/python3 (torch 1.13 + numpy).
"""
import json
import math
import mmap
import os
import struct
import warnings

import numpy as np
import torch
from torch import nn

# ---------------------------------------------------------------------------------------
# activations (transformers ACT2FN)


class NewGELUActivation(nn.Module):
    """gelu_new / gelu_pytorch_tanh: the tanh approximation."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class FastGELUActivation(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x)))


class QuickGELUActivation(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class GELUActivation(nn.Module):
    def forward(self, x):
        return nn.functional.gelu(x)


ACT2CLS = {
    "gelu": GELUActivation,
    "gelu_new": NewGELUActivation,
    "gelu_pytorch_tanh": NewGELUActivation,
    "gelu_fast": FastGELUActivation,
    "quick_gelu": QuickGELUActivation,
    "relu": nn.ReLU,
    "silu": nn.SiLU,
    "swish": nn.SiLU,
    "tanh": nn.Tanh,
    "linear": nn.Identity,
}


def get_activation(name):
    return ACT2CLS[name]()


def extended_attention_mask(mask, dtype=torch.float32):
    """BertModel.get_extended_attention_mask: (B,S) {0,1} -> (B,1,1,S) additive."""
    ext = mask[:, None, None, :].to(dtype)
    return (1.0 - ext) * torch.finfo(dtype).min


# ---------------------------------------------------------------------------------------
# BERT family (BERT, RoBERTa, XLM-R, ELECTRA share the encoder)


class BertEmbeddings(nn.Module):
    def __init__(self, cfg, emb_size=None):
        super().__init__()
        e = emb_size or cfg["hidden_size"]
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], e, padding_idx=cfg.get("pad_token_id", 0))
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], e)
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], e)
        self.LayerNorm = nn.LayerNorm(e, eps=cfg["layer_norm_eps"])
        self.dropout = nn.Dropout(cfg.get("hidden_dropout_prob", 0.1))

    def position_ids(self, input_ids):
        s = input_ids.shape[1]
        return torch.arange(s, dtype=torch.long)[None, :].expand_as(input_ids)

    def forward(self, input_ids, token_type_ids=None):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        position_ids = self.position_ids(input_ids)
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        embeddings = self.LayerNorm(embeddings)
        return self.dropout(embeddings)


def create_position_ids_from_input_ids(input_ids, padding_idx, past_key_values_length=0):
    """modeling_roberta.create_position_ids_from_input_ids (fairseq make_positions)."""
    mask = input_ids.ne(padding_idx).int()
    incremental_indices = (torch.cumsum(mask, dim=1).type_as(mask) + past_key_values_length) * mask
    return incremental_indices.long() + padding_idx


class RobertaEmbeddings(BertEmbeddings):
    def __init__(self, cfg):
        super().__init__(cfg)
        self.padding_idx = cfg["pad_token_id"]
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], cfg["hidden_size"],
                                                padding_idx=self.padding_idx)

    def position_ids(self, input_ids):
        return create_position_ids_from_input_ids(input_ids, self.padding_idx)


class BertSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.num_attention_heads = cfg["num_attention_heads"]
        self.attention_head_size = h // self.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(h, self.all_head_size)
        self.key = nn.Linear(h, self.all_head_size)
        self.value = nn.Linear(h, self.all_head_size)
        self.dropout = nn.Dropout(cfg.get("attention_probs_dropout_prob", 0.1))

    def transpose_for_scores(self, x):
        new_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        return x.view(new_shape).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        new_shape = context_layer.size()[:-2] + (self.all_head_size,)
        return context_layer.view(new_shape)


class BertSelfOutput(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.dense = nn.Linear(h, h)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])
        self.dropout = nn.Dropout(cfg.get("hidden_dropout_prob", 0.1))

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self = BertSelfAttention(cfg)
        self.output = BertSelfOutput(cfg)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["intermediate_size"])
        self.intermediate_act_fn = get_activation(cfg["hidden_act"])

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["intermediate_size"], cfg["hidden_size"])
        self.LayerNorm = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])
        self.dropout = nn.Dropout(cfg.get("hidden_dropout_prob", 0.1))

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = BertAttention(cfg)
        self.intermediate = BertIntermediate(cfg)
        self.output = BertOutput(cfg)

    def forward(self, hidden_states, attention_mask):
        """Returns (layer output, FFN activation act(x W1 + b1))."""
        attention_output = self.attention(hidden_states, attention_mask)
        intermediate_output = self.intermediate(attention_output)
        return self.output(intermediate_output, attention_output), intermediate_output


class BertEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(cfg) for _ in range(cfg["num_hidden_layers"])])

    def forward(self, hidden_states, attention_mask, keep=True):
        """keep=False: return only the last hidden state (no per-layer lists), as
        transformers does without output_hidden_states."""
        all_hidden, ffn = [hidden_states], []
        for layer in self.layer:
            hidden_states, act = layer(hidden_states, attention_mask)
            if keep:
                all_hidden.append(hidden_states)
                ffn.append(act)
        return (all_hidden, ffn) if keep else ([hidden_states], [])


class BertPooler(nn.Module):
    """Present in BertModel checkpoints; unused by token classification."""

    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["hidden_size"])
        self.activation = nn.Tanh()


class BertModel(nn.Module):
    def __init__(self, cfg, add_pooling_layer=False, embeddings_cls=BertEmbeddings):
        super().__init__()
        self.embeddings = embeddings_cls(cfg)
        self.encoder = BertEncoder(cfg)
        if add_pooling_layer:
            self.pooler = BertPooler(cfg)

    def forward(self, input_ids, attention_mask, token_type_ids=None, keep=True):
        x = self.embeddings(input_ids, token_type_ids)
        return self.encoder(x, extended_attention_mask(attention_mask), keep)


class ElectraModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = BertEmbeddings(cfg, emb_size=cfg["embedding_size"])
        if cfg["embedding_size"] != cfg["hidden_size"]:
            self.embeddings_project = nn.Linear(cfg["embedding_size"], cfg["hidden_size"])
        self.encoder = BertEncoder(cfg)

    def forward(self, input_ids, attention_mask, token_type_ids=None, keep=True):
        x = self.embeddings(input_ids, token_type_ids)
        if hasattr(self, "embeddings_project"):
            x = self.embeddings_project(x)
        return self.encoder(x, extended_attention_mask(attention_mask), keep)


# ---------------------------------------------------------------------------------------
# DistilBERT


class DistilEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], cfg["dim"], padding_idx=cfg.get("pad_token_id", 0))
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], cfg["dim"])
        self.LayerNorm = nn.LayerNorm(cfg["dim"], eps=1e-12)
        self.dropout = nn.Dropout(cfg.get("dropout", 0.1))

    def forward(self, input_ids):
        s = input_ids.size(1)
        position_ids = torch.arange(s, dtype=torch.long)[None, :].expand_as(input_ids)
        embeddings = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_heads = cfg["n_heads"]
        self.dim = cfg["dim"]
        self.dropout = nn.Dropout(p=cfg.get("attention_dropout", 0.1))
        self.q_lin = nn.Linear(self.dim, self.dim)
        self.k_lin = nn.Linear(self.dim, self.dim)
        self.v_lin = nn.Linear(self.dim, self.dim)
        self.out_lin = nn.Linear(self.dim, self.dim)

    def forward(self, query, key, value, mask):
        bs, q_length, dim = query.size()
        k_length = key.size(1)
        dim_per_head = self.dim // self.n_heads
        mask_reshp = (bs, 1, 1, k_length)

        def shape(x):
            return x.view(bs, -1, self.n_heads, dim_per_head).transpose(1, 2)

        def unshape(x):
            return x.transpose(1, 2).contiguous().view(bs, -1, self.n_heads * dim_per_head)

        q = shape(self.q_lin(query))
        k = shape(self.k_lin(key))
        v = shape(self.v_lin(value))
        q = q / math.sqrt(dim_per_head)
        scores = torch.matmul(q, k.transpose(2, 3))
        mask = (mask == 0).view(mask_reshp).expand_as(scores)
        scores = scores.masked_fill(mask, torch.tensor(torch.finfo(scores.dtype).min))
        weights = nn.functional.softmax(scores, dim=-1)
        weights = self.dropout(weights)
        context = unshape(torch.matmul(weights, v))
        return self.out_lin(context)


class FFN(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dropout = nn.Dropout(p=cfg.get("dropout", 0.1))
        self.lin1 = nn.Linear(cfg["dim"], cfg["hidden_dim"])
        self.lin2 = nn.Linear(cfg["hidden_dim"], cfg["dim"])
        self.activation = get_activation(cfg["activation"])

    def forward(self, x):
        act = self.activation(self.lin1(x))
        return self.dropout(self.lin2(act)), act


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = MultiHeadSelfAttention(cfg)
        self.sa_layer_norm = nn.LayerNorm(cfg["dim"], eps=1e-12)
        self.ffn = FFN(cfg)
        self.output_layer_norm = nn.LayerNorm(cfg["dim"], eps=1e-12)

    def forward(self, x, attn_mask):
        sa_output = self.attention(x, x, x, attn_mask)
        sa_output = self.sa_layer_norm(sa_output + x)
        ffn_output, act = self.ffn(sa_output)
        return self.output_layer_norm(ffn_output + sa_output), act


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg["n_layers"])])

    def forward(self, x, attn_mask, keep=True):
        all_hidden, ffn = [x], []
        for layer in self.layer:
            x, act = layer(x, attn_mask)
            if keep:
                all_hidden.append(x)
                ffn.append(act)
        return (all_hidden, ffn) if keep else ([x], [])


class DistilBertModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = DistilEmbeddings(cfg)
        self.transformer = Transformer(cfg)

    def forward(self, input_ids, attention_mask, token_type_ids=None, keep=True):
        return self.transformer(self.embeddings(input_ids), attention_mask, keep)


# ---------------------------------------------------------------------------------------
# token-classification heads


class ForTokenClassification(nn.Module):
    """*ForTokenClassification: base model under its prefix, dropout, classifier."""

    def __init__(self, cfg, prefix, base):
        super().__init__()
        self.prefix = prefix
        setattr(self, prefix, base)
        hidden = cfg.get("hidden_size", cfg.get("dim"))
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(hidden, len(cfg["id2label"]))

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, keep=True):
        """Returns dict: logits (B,S,L), hidden_states [(B,S,H)] * (n_layers+1),
        ffn_acts [(B,S,I)] * n_layers; with keep=False only the last hidden state and no
        FFN activations."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        all_hidden, ffn = getattr(self, self.prefix)(input_ids, attention_mask, token_type_ids, keep)
        logits = self.classifier(self.dropout(all_hidden[-1]))
        return {"logits": logits, "hidden_states": all_hidden, "ffn_acts": ffn}


def build_model(cfg):
    """A model for a config.json dict (architectures[0] decides), in eval mode."""
    arch = cfg["architectures"][0]
    if arch == "BertForTokenClassification":
        m = ForTokenClassification(cfg, "bert", BertModel(cfg))
    elif arch in ("RobertaForTokenClassification", "XLMRobertaForTokenClassification"):
        m = ForTokenClassification(cfg, "roberta", BertModel(cfg, embeddings_cls=RobertaEmbeddings))
    elif arch == "ElectraForTokenClassification":
        m = ForTokenClassification(cfg, "electra", ElectraModel(cfg))
    elif arch == "DistilBertForTokenClassification":
        m = ForTokenClassification(cfg, "distilbert", DistilBertModel(cfg))
    elif arch in ("DebertaV2ForTokenClassification", "DebertaForTokenClassification"):
        import deberta_reference  # noqa: E402 (imports this module)
        m = deberta_reference.build(cfg)
    else:
        raise ValueError("unsupported architecture " + arch)
    return m.eval()


# ---------------------------------------------------------------------------------------
# safetensors (hf-formats.md section 1)

# Rust Dtype enum order; the official writer sorts by dtype descending, then name.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
               "I32", "U32", "F32", "F64", "I64", "U64"]
NP_DTYPE = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "U16": np.uint16,
            "F16": np.float16, "BF16": np.uint16, "I32": np.int32, "U32": np.uint32,
            "F32": np.float32, "F64": np.float64, "I64": np.int64, "U64": np.uint64}


def f32_to_bf16_bits(a):
    """Round-to-nearest-even float32 -> bfloat16 bit patterns (as torch does for finite values)."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_bits_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def to_bytes(arr, dtype):
    """Encode a numpy array as safetensors dtype `dtype` (little-endian)."""
    if dtype == "BF16":
        return f32_to_bf16_bits(arr).tobytes()
    return np.ascontiguousarray(arr, dtype=np.dtype(NP_DTYPE[dtype]).newbyteorder("<")).tobytes()


def save_safetensors(path, tensors, metadata=None):
    """tensors: {name: (dtype string, shape list, raw little-endian bytes)}.
    Layout as the official writer: sorted by dtype descending then name, compact JSON header
    with __metadata__ first, padded with spaces to a multiple of 8."""
    names = sorted(tensors, key=lambda n: (-DTYPE_ORDER.index(tensors[n][0]), n))
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for n in names:
        dtype, shape, raw = tensors[n]
        header[n] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for n in names:
            f.write(tensors[n][2])


def load_safetensors(path, copy=True):
    """{name: numpy array} with F16/BF16 widened to float32; also returns the header.
    copy=False leaves F32/integer arrays as views of a read-only memory map of the file
    (as transformers reads safetensors), so loading a large model does not hold it twice."""
    with open(path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    buf = memoryview(data)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(buf[b:e], dtype=np.dtype(NP_DTYPE[info["dtype"]]).newbyteorder("<"))
        if info["dtype"] == "BF16":
            arr = bf16_bits_to_f32(arr)
        elif info["dtype"] == "F16":
            arr = arr.astype(np.float32)
        out[name] = arr.reshape(info["shape"]).copy() if copy else arr.reshape(info["shape"])
    return out, header


def load_model_dir(d):
    """Load config.json + (sharded) model.safetensors from a folder into a reference model,
    applying transformers' load-time renames (gamma/beta, missing base prefix); ignores
    pooler / position_ids / unused heads. Raises on missing or unexpected tensors."""
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    model = build_model(cfg)
    single = os.path.join(d, "model.safetensors")
    if os.path.exists(single):
        files = [single]
    else:
        with open(os.path.join(d, "model.safetensors.index.json")) as f:
            files = [os.path.join(d, s) for s in sorted(set(json.load(f)["weight_map"].values()))]
    raw = {}
    for p in files:
        raw.update(load_safetensors(p, copy=False)[0])
    want = model.state_dict()
    sd = {}
    for k, v in raw.items():
        k = k.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
        if k not in want and model.prefix + "." + k in want:
            k = model.prefix + "." + k
        if k in want:
            with warnings.catch_warnings():  # read-only mmap views; load_state_dict copies
                warnings.simplefilter("ignore", UserWarning)
                sd[k] = torch.from_numpy(np.array(v, dtype=np.float32, copy=False))
    missing = set(want) - set(sd)
    if missing:
        raise ValueError("%s: missing tensors %s" % (d, sorted(missing)))
    model.load_state_dict(sd)
    return cfg, model
