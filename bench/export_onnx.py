"""export_onnx.py - the ONNX Runtime peer's model: a token classifier folder (config.json +
model.safetensors, read by the PyTorch reference tests/gen/hf_reference.py) exported with
Debian's PyTorch (torch.onnx.export, TorchScript exporter, opset 14) with dynamic batch and
sequence axes: inputs input_ids and attention_mask (int64, [batch, seq]), output logits
([batch, seq, labels]). token_type_ids are left out: the engine and the PyTorch peer feed
zeros, which is what the model does without them.

--int8 OUT also writes ONNX Runtime's dynamic int8 quantisation of the same graph as its
onnxruntime.quantization.quantize_dynamic writes it with the defaults (QInt8 weights,
per tensor, symmetric; activations quantised at run time by DynamicQuantizeLinear to uint8):
every MatMul whose second input is a constant 2-D weight becomes
DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q, A_zp, 0) -> Cast(float) -> Mul(A_scale *
W_scale), which ORT's graph optimiser fuses into its MatMulIntegerToFloat kernel (VNNI u8s8).
The Python onnxruntime package is not in Debian, so this rewrite is done here with
python3-onnx; the peer's numbers are only as good as this mirror (checked: the int8 graph's
labels against fp32's, printed by peer_ort.mjs's accuracy line).

usage: /usr/bin/python3 bench/export_onnx.py MODEL_DIR OUT.onnx [--int8 OUT_INT8.onnx]
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "gen"))
import hf_reference as R  # noqa: E402


class Logits(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids, attention_mask, keep=False)["logits"]


def export(model_dir, path):
    _, model = R.load_model_dir(model_dir)
    model.eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "logits": {0: "batch", 1: "seq"}}
    with torch.inference_mode():
        torch.onnx.export(Logits(model), (ids, mask), path, input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], dynamic_axes=axes, opset_version=14,
                          do_constant_folding=True)


def quantize_dynamic(src, dst):
    """src's constant-weight MatMuls as ORT's quantize_dynamic rewrites them (QInt8, per tensor)."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto

    m = onnx.load(src)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    nodes, n_q = [], 0
    for node in g.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if w is None or len(w.dims) != 2:
            nodes.append(node)
            continue
        wf = numpy_helper.to_array(w).astype(np.float32)
        scale = max(float(np.abs(wf).max()), 1e-12) / 127.0
        wq = np.clip(np.rint(wf / scale), -127, 127).astype(np.int8)
        p = "%s_q%d" % (node.name or "matmul", n_q)
        g.initializer.extend([numpy_helper.from_array(wq, p + "_W"),
                              numpy_helper.from_array(np.array(scale, np.float32), p + "_Wscale"),
                              numpy_helper.from_array(np.array(0, np.int8), p + "_Wzp")])
        a = node.input[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [a], [p + "_A", p + "_As", p + "_Azp"], p + "_dql"),
            helper.make_node("MatMulInteger", [p + "_A", p + "_W", p + "_Azp", p + "_Wzp"], [p + "_I"], p + "_mmi"),
            helper.make_node("Cast", [p + "_I"], [p + "_F"], p + "_cast", to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "_As", p + "_Wscale"], [p + "_S"], p + "_scale"),
            helper.make_node("Mul", [p + "_F", p + "_S"], [node.output[0]], p + "_mul"),
        ]
        n_q += 1
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in g.node for i in n.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return n_q


def main(argv):
    ap = argparse.ArgumentParser(description="export the ONNX Runtime peer's model")
    ap.add_argument("model_dir")
    ap.add_argument("out")
    ap.add_argument("--int8", help="also write the dynamic int8 quantisation here")
    a = ap.parse_args(argv)
    export(a.model_dir, a.out)
    if a.int8:
        n = quantize_dynamic(a.out, a.int8)
        print("export_onnx: %d MatMuls quantised to int8 in %s" % (n, a.int8), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
