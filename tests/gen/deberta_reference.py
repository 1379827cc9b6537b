"""deberta_reference.py - PyTorch re-implementation of transformers' DeBERTa-v2/v3 token
classification forward pass (modeling_deberta_v2.py: DebertaV2Embeddings, DebertaV2Encoder
with relative embeddings and their LayerNorm, DisentangledSelfAttention with c2p / p2c,
make_log_bucket_position, build_relative_position, DebertaV2ForTokenClassification), written
from shared/reference/hf-formats.md 3.5 and the documented behaviour of that module. Module
attribute names equal the Hugging Face ones, so state_dict() keys are the checkpoint names.

DeBERTa v1 (modeling_deberta.py, DebertaForTokenClassification) differs only in its attention
(DebertaV1SelfAttention below): one in_proj Linear without bias whose output holds each head's
query, key and value side by side, q_bias and v_bias parameters, pos_proj (no bias) for c2p and
pos_q_proj for p2c, no buckets, no LayerNorm on the relative embeddings, and relative
embeddings sliced to the attention span.

Differences from transformers that do not change outputs: no dropout (eval only), no
gradient checkpointing, no z_steps / enhanced mask decoder, no ConvLayer (conv_kernel_size
configs are refused, as the engine refuses them).

Run with Debian's /usr/bin/python3 (torch 1.13).
"""
import math

import torch
from torch import nn

import hf_reference as R


def log_bucket(rel, bucket_size, max_position):
    """make_log_bucket_position: distances beyond bucket_size // 2 share log-spaced buckets.
    Evaluated in float32 (torch's default dtype), as transformers does."""
    sign = torch.sign(rel)
    mid = bucket_size // 2
    near = (rel < mid) & (rel > -mid)
    abs_pos = torch.where(near, torch.tensor(mid - 1).type_as(rel), torch.abs(rel))
    log_pos = torch.ceil(torch.log(abs_pos / mid) / torch.log(torch.tensor((max_position - 1) / mid))
                         * (mid - 1)) + mid
    return torch.where(abs_pos <= mid, rel.type_as(log_pos), log_pos * sign)


def relative_positions(q_len, k_len, bucket_size=-1, max_position=-1):
    """build_relative_position: (1, q_len, k_len) long tensor of i - j, bucketed."""
    rel = torch.arange(q_len, dtype=torch.long)[:, None] - torch.arange(k_len, dtype=torch.long)[None, :]
    if bucket_size > 0 and max_position > 0:
        rel = log_bucket(rel, bucket_size, max_position)
    return rel.to(torch.long)[None, :, :]


def pos_att_types(cfg):
    t = cfg.get("pos_att_type")
    if t is None:
        return []
    if isinstance(t, str):
        return [x.strip() for x in t.lower().split("|")]
    return list(t)


class DebertaV2Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.embedding_size = cfg.get("embedding_size", h)
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], self.embedding_size,
                                            padding_idx=cfg.get("pad_token_id", 0))
        self.position_biased_input = cfg.get("position_biased_input", True)
        if self.position_biased_input:
            self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], self.embedding_size)
        if cfg.get("type_vocab_size", 0) > 0:
            self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], self.embedding_size)
        if self.embedding_size != h:
            self.embed_proj = nn.Linear(self.embedding_size, h, bias=False)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg.get("layer_norm_eps", 1e-7))

    def forward(self, input_ids, token_type_ids, mask):
        x = self.word_embeddings(input_ids)
        if self.position_biased_input:
            pos = torch.arange(input_ids.shape[1], dtype=torch.long)[None, :].expand_as(input_ids)
            x = x + self.position_embeddings(pos)
        if hasattr(self, "token_type_embeddings"):
            x = x + self.token_type_embeddings(token_type_ids)
        if hasattr(self, "embed_proj"):
            x = self.embed_proj(x)
        x = self.LayerNorm(x)
        # the embedding output is multiplied by the attention mask (padded rows become 0)
        return x * mask.unsqueeze(2).to(x.dtype)


class DisentangledSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.num_attention_heads = cfg["num_attention_heads"]
        self.attention_head_size = h // self.num_attention_heads
        a = self.num_attention_heads * self.attention_head_size
        self.query_proj = nn.Linear(h, a)
        self.key_proj = nn.Linear(h, a)
        self.value_proj = nn.Linear(h, a)
        self.share_att_key = cfg.get("share_att_key", False)
        self.pos_att_type = pos_att_types(cfg)
        self.relative_attention = cfg.get("relative_attention", False)
        if self.relative_attention:
            self.position_buckets = cfg.get("position_buckets", -1)
            self.max_relative_positions = cfg.get("max_relative_positions", -1)
            if self.max_relative_positions < 1:
                self.max_relative_positions = cfg["max_position_embeddings"]
            self.pos_ebd_size = self.position_buckets if self.position_buckets > 0 else self.max_relative_positions
            if not self.share_att_key:
                if "c2p" in self.pos_att_type:
                    self.pos_key_proj = nn.Linear(h, a)
                if "p2c" in self.pos_att_type:
                    self.pos_query_proj = nn.Linear(h, a)

    def heads(self, x):
        """(B, S, A) -> (B * heads, S, d)."""
        b, s, _ = x.shape
        x = x.view(b, s, self.num_attention_heads, -1).permute(0, 2, 1, 3)
        return x.contiguous().view(-1, s, x.size(-1))

    def forward(self, hidden, mask, rel_pos, rel_emb):
        q = self.heads(self.query_proj(hidden))
        k = self.heads(self.key_proj(hidden))
        v = self.heads(self.value_proj(hidden))
        factor = 1 + ("c2p" in self.pos_att_type) + ("p2c" in self.pos_att_type)
        scale = torch.sqrt(torch.tensor(q.size(-1), dtype=torch.float) * factor)
        scores = torch.bmm(q, k.transpose(-1, -2) / scale.to(dtype=q.dtype))
        if self.relative_attention:
            scores = scores + self.position_bias(q, k, rel_pos, rel_emb, factor)
        s = scores.size(-1)
        scores = scores.view(-1, self.num_attention_heads, s, s)
        scores = scores.masked_fill(~mask.bool(), torch.finfo(q.dtype).min)
        probs = nn.functional.softmax(scores, dim=-1)
        ctx = torch.bmm(probs.view(-1, s, s), v)
        ctx = ctx.view(-1, self.num_attention_heads, s, ctx.size(-1)).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.size(0), s, -1)

    def position_bias(self, q, k, rel_pos, rel_emb, factor):
        """disentangled_attention_bias: c2p gathers Q . pos_key at the query-key bucket,
        p2c gathers K . pos_query at the key-query bucket and transposes."""
        span = self.pos_ebd_size
        n = q.size(0)
        rel_emb = rel_emb[0:span * 2, :].unsqueeze(0)
        reps = n // self.num_attention_heads
        if self.share_att_key:
            pos_q = self.heads(self.query_proj(rel_emb)).repeat(reps, 1, 1)
            pos_k = self.heads(self.key_proj(rel_emb)).repeat(reps, 1, 1)
        else:
            if "c2p" in self.pos_att_type:
                pos_k = self.heads(self.pos_key_proj(rel_emb)).repeat(reps, 1, 1)
            if "p2c" in self.pos_att_type:
                pos_q = self.heads(self.pos_query_proj(rel_emb)).repeat(reps, 1, 1)
        score = 0
        s = q.size(1)
        if "c2p" in self.pos_att_type:
            scale = torch.sqrt(torch.tensor(pos_k.size(-1), dtype=torch.float) * factor)
            c2p = torch.bmm(q, pos_k.transpose(-1, -2))
            idx = torch.clamp(rel_pos + span, 0, span * 2 - 1)
            c2p = torch.gather(c2p, dim=-1, index=idx.squeeze(0).expand([n, s, s]))
            score = score + c2p / scale.to(dtype=c2p.dtype)
        if "p2c" in self.pos_att_type:
            scale = torch.sqrt(torch.tensor(pos_q.size(-1), dtype=torch.float) * factor)
            idx = torch.clamp(-rel_pos + span, 0, span * 2 - 1)
            p2c = torch.bmm(k, pos_q.transpose(-1, -2))
            p2c = torch.gather(p2c, dim=-1, index=idx.squeeze(0).expand([n, s, s])).transpose(-1, -2)
            score = score + p2c / scale.to(dtype=p2c.dtype)
        return score


class DebertaV2Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self = DisentangledSelfAttention(cfg)
        self.output = R.BertSelfOutput(cfg)

    def forward(self, hidden, mask, rel_pos, rel_emb):
        return self.output(self.self(hidden, mask, rel_pos, rel_emb), hidden)


class DebertaV2Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = DebertaV2Attention(cfg)
        self.intermediate = R.BertIntermediate(cfg)
        self.output = R.BertOutput(cfg)

    def forward(self, hidden, mask, rel_pos, rel_emb):
        att = self.attention(hidden, mask, rel_pos, rel_emb)
        act = self.intermediate(att)
        return self.output(act, att), act


class DebertaV2Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([DebertaV2Layer(cfg) for _ in range(cfg["num_hidden_layers"])])
        self.relative_attention = cfg.get("relative_attention", False)
        if self.relative_attention:
            self.max_relative_positions = cfg.get("max_relative_positions", -1)
            if self.max_relative_positions < 1:
                self.max_relative_positions = cfg["max_position_embeddings"]
            self.position_buckets = cfg.get("position_buckets", -1)
            size = 2 * (self.position_buckets if self.position_buckets > 0 else self.max_relative_positions)
            self.rel_embeddings = nn.Embedding(size, cfg["hidden_size"])
        self.norm_rel_ebd = [x.strip() for x in cfg.get("norm_rel_ebd", "none").lower().split("|")]
        if "layer_norm" in self.norm_rel_ebd:
            self.LayerNorm = nn.LayerNorm(cfg["hidden_size"], eps=cfg.get("layer_norm_eps", 1e-7))
        assert cfg.get("conv_kernel_size", 0) == 0, "ConvLayer not mirrored"

    def forward(self, hidden, attention_mask, keep=True):
        # pairwise mask m_i * m_j, (B, 1, S, S)
        ext = attention_mask[:, None, None, :]
        mask = ext * ext.squeeze(-2).unsqueeze(-1)
        rel_pos = rel_emb = None
        if self.relative_attention:
            s = hidden.size(1)
            rel_pos = relative_positions(s, s, self.position_buckets, self.max_relative_positions)
            rel_emb = self.rel_embeddings.weight
            if "layer_norm" in self.norm_rel_ebd:
                rel_emb = self.LayerNorm(rel_emb)
        all_hidden, ffn = [hidden], []
        for layer in self.layer:
            hidden, act = layer(hidden, mask, rel_pos, rel_emb)
            if keep:
                all_hidden.append(hidden)
                ffn.append(act)
        return (all_hidden, ffn) if keep else ([hidden], [])


class DebertaV2Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = DebertaV2Embeddings(cfg)
        self.encoder = DebertaV2Encoder(cfg)

    def forward(self, input_ids, attention_mask, token_type_ids=None, keep=True):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.embeddings(input_ids, token_type_ids, attention_mask)
        return self.encoder(x, attention_mask, keep)


class DebertaV1SelfAttention(nn.Module):
    """modeling_deberta.DisentangledSelfAttention: the query is scaled before both products,
    the p2c position queries separately; the relative embeddings are the
    [max_relative_positions - span, max_relative_positions + span) rows, span =
    min(sequence length, max_relative_positions)."""

    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.num_attention_heads = cfg["num_attention_heads"]
        self.in_proj = nn.Linear(h, 3 * h, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(h))
        self.v_bias = nn.Parameter(torch.zeros(h))
        self.pos_att_type = pos_att_types(cfg)
        self.relative_attention = cfg.get("relative_attention", False)
        if self.relative_attention:
            self.max_relative_positions = cfg.get("max_relative_positions", -1)
            if self.max_relative_positions < 1:
                self.max_relative_positions = cfg["max_position_embeddings"]
            if "c2p" in self.pos_att_type:
                self.pos_proj = nn.Linear(h, h, bias=False)
            if "p2c" in self.pos_att_type:
                self.pos_q_proj = nn.Linear(h, h)

    def heads(self, x):
        """(B, S, n * heads) -> (B, heads, S, n)."""
        return x.view(x.shape[:-1] + (self.num_attention_heads, -1)).permute(0, 2, 1, 3)

    def forward(self, hidden, mask, rel_pos, rel_emb):
        q, k, v = self.heads(self.in_proj(hidden)).chunk(3, dim=-1)
        q = q + self.heads(self.q_bias[None, None, :])
        v = v + self.heads(self.v_bias[None, None, :])
        factor = 1 + len(self.pos_att_type)
        scale = torch.sqrt(torch.tensor(q.size(-1), dtype=torch.float) * factor)
        q = q / scale.to(dtype=q.dtype)
        scores = torch.matmul(q, k.transpose(-1, -2))
        s = q.size(-2)
        if self.relative_attention:
            m = self.max_relative_positions
            span = min(s, m)
            emb = rel_emb[m - span:m + span, :].unsqueeze(0)
            if "c2p" in self.pos_att_type:
                pk = self.heads(self.pos_proj(emb))
                c2p = torch.matmul(q, pk.transpose(-1, -2))
                idx = torch.clamp(rel_pos + span, 0, span * 2 - 1)
                scores = scores + torch.gather(c2p, -1, idx.unsqueeze(0).expand(c2p.size(0), c2p.size(1), s, s))
            if "p2c" in self.pos_att_type:
                pq = self.heads(self.pos_q_proj(emb))
                pq = pq / torch.sqrt(torch.tensor(pq.size(-1), dtype=torch.float) * factor)
                p2c = torch.matmul(k, pq.transpose(-1, -2))
                idx = torch.clamp(-rel_pos + span, 0, span * 2 - 1)
                p2c = torch.gather(p2c, -1, idx.unsqueeze(0).expand(p2c.size(0), p2c.size(1), s, s))
                scores = scores + p2c.transpose(-1, -2)
        scores = scores.masked_fill(~mask.bool(), torch.finfo(q.dtype).min)
        probs = nn.functional.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.size(0), s, -1)


def build(cfg):
    if cfg["model_type"] == "deberta":
        # v1: no buckets, no LayerNorm on the relative embeddings
        cfg = dict(cfg, position_buckets=-1, norm_rel_ebd="none")
        model = DebertaV2Model(cfg)
        for layer in model.encoder.layer:
            layer.attention.self = DebertaV1SelfAttention(cfg)
        return R.ForTokenClassification(cfg, "deberta", model)
    return R.ForTokenClassification(cfg, "deberta", DebertaV2Model(cfg))
