"""gen_torchbin.py - writes pytorch_model.bin model folders with Debian's PyTorch (torch.save of
a state_dict, as transformers' save_pretrained(safe_serialization=False) does), from the
safetensors fixtures of tests/fixtures/models/, plus hostile and broken checkpoints.
Made at test time by tests/unit/test_model_torchbin.c (nothing committed).

Usage (Debian's python, which has torch):
    /usr/bin/python3 tests/gen/gen_torchbin.py OUT_DIR
    /usr/bin/python3 tests/gen/gen_torchbin.py --seeds   # tests/fuzz/corpus/model_pickle/
Exit status 3 (and one line on stdout) when torch cannot be imported.
The second form writes the committed seeds of the unpickler's fuzz target, which
tests/unit/test_model_pickle.c also reads: the data.pkl torch.save writes for small state
dicts (protocol 2 and 4), and the hostile pickles below.

OUT_DIR/<name>/ each hold config.json and:
  f32, f16, bf16    pytorch_model.bin of fixtures bert, bert_f16, bert_bf16 (same values), with
                    an I64 position_ids buffer as old checkpoints have and the classifier bias a
                    view at an offset of a larger storage shared with a second name
  sharded           pytorch_model-0000{1,2}-of-00002.bin + pytorch_model.bin.index.json (F32)
  both              model.safetensors (fixture bert) and a pytorch_model.bin of other weights:
                    safetensors must win
  os_system         data.pkl is a pickle of an object whose __reduce__ is os.system (it would
                    create OUT_DIR/PWNED)
  eval_global       data.pkl asks for builtins.eval through STACK_GLOBAL (protocol 4)
  bad_crc           f32 with one byte of a storage flipped (the zip's CRC-32 no longer matches)
  truncated         f32 with data.pkl cut in half
  short_storage     f32 with the storage of the classifier weight 4 bytes short
  strided           f32 with the classifier weight saved as a transposed (non-contiguous) view
  legacy            torch.save(..., _use_new_zipfile_serialization=False)
"""
import collections
import io
import json
import os
import pickle
import shutil
import sys
import zipfile

try:
    import torch
except ImportError:
    print("SKIP: torch is not installed (Debian's python3-torch makes the .bin fixtures)")
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_reference as R  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures", "models")
CLS_BIAS = "classifier.bias"


def state_dict(fixture, dtype):
    """The fixture's weights as torch tensors of dtype (exact: the fixture holds such values)."""
    arrays, _ = R.load_safetensors(os.path.join(FIXTURES, fixture, "model.safetensors"))
    sd = collections.OrderedDict()
    for name in sorted(arrays):
        sd[name] = torch.from_numpy(arrays[name]).to(dtype)
    p = sd["bert.embeddings.position_embeddings.weight"].shape[0]
    sd["bert.embeddings.position_ids"] = torch.arange(p, dtype=torch.int64)[None, :]
    # A view at an offset of a storage that a second tensor also names.
    bias = sd[CLS_BIAS]
    big = torch.cat([torch.zeros(3, dtype=dtype), bias, torch.ones(2, dtype=dtype)])
    sd[CLS_BIAS] = big[3:3 + bias.numel()]
    sd["extra.shared_storage"] = big
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    return sd


def folder(out, name, fixture="bert"):
    d = os.path.join(out, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    shutil.copy(os.path.join(FIXTURES, fixture, "config.json"), d)
    return d


def rezip(src, dst, change):
    """Copy a torch zip entry by entry (stored, as torch writes), change(name, bytes) -> bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))


def storage_key(sd, name):
    """The data/<key> record torch.save gives the storage of sd[name] (keys in first-seen order)."""
    seen = []
    for t in sd.values():
        ptr = t.untyped_storage().data_ptr() if hasattr(t, "untyped_storage") else t.storage().data_ptr()
        if ptr not in seen:
            seen.append(ptr)
        if t is sd[name]:
            return str(seen.index(ptr))
    raise KeyError(name)


class Pwn:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch " + self.marker,))


class Eval:
    def __reduce__(self):
        return (eval, ("1+1",))


def hostile(out, name, obj, protocol):
    d = folder(out, name)
    with zipfile.ZipFile(os.path.join(d, "pytorch_model.bin"), "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(obj, protocol=protocol))
        z.writestr("archive/version", "3\n")


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, fixture, dtype in (("f32", "bert", torch.float32), ("f16", "bert_f16", torch.float16),
                                 ("bf16", "bert_bf16", torch.bfloat16)):
        torch.save(state_dict(fixture, dtype), os.path.join(folder(out, name, fixture), "pytorch_model.bin"))
    sd = state_dict("bert", torch.float32)
    f32 = os.path.join(out, "f32", "pytorch_model.bin")

    d = folder(out, "sharded")
    names = list(sd)
    wmap = {}
    for i, part in enumerate((names[:len(names) // 2], names[len(names) // 2:])):
        fn = "pytorch_model-%05d-of-00002.bin" % (i + 1)
        shard = collections.OrderedDict((k, sd[k].clone()) for k in part)
        torch.save(shard, os.path.join(d, fn))
        wmap.update({k: fn for k in part})
    with open(os.path.join(d, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": wmap}, f, indent=2)

    d = folder(out, "both")
    shutil.copy(os.path.join(FIXTURES, "bert", "model.safetensors"), d)
    torch.save(collections.OrderedDict((k, torch.zeros_like(v)) for k, v in sd.items()),
               os.path.join(d, "pytorch_model.bin"))

    hostile(out, "os_system", collections.OrderedDict(w=Pwn(os.path.join(out, "PWNED"))), 2)
    hostile(out, "eval_global", collections.OrderedDict(w=Eval()), 4)

    key = storage_key(sd, "classifier.weight")
    with zipfile.ZipFile(f32) as z:
        prefix = z.namelist()[0].split("/")[0]

    def flip(n, b):
        if n == prefix + "/data/" + key:
            b = bytearray(b)
            b[5] ^= 0x40
        return bytes(b)

    # A bad CRC: flip a byte in place, so the zip directory stays valid.
    d = folder(out, "bad_crc")
    raw = bytearray(open(f32, "rb").read())
    with zipfile.ZipFile(f32) as z:
        info = z.getinfo(prefix + "/data/" + key)
    # The local header's lengths: torch pads its extra field, the central one is shorter.
    name_len = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len
    raw[at:at + 64] = flip(info.filename, bytes(raw[at:at + 64]))
    open(os.path.join(d, "pytorch_model.bin"), "wb").write(bytes(raw))

    rezip(f32, os.path.join(folder(out, "truncated"), "pytorch_model.bin"),
          lambda n, b: b[:len(b) // 2] if n.endswith("/data.pkl") else b)
    rezip(f32, os.path.join(folder(out, "short_storage"), "pytorch_model.bin"),
          lambda n, b: b[:-4] if n == prefix + "/data/" + key else b)

    strided = collections.OrderedDict(sd)
    strided["classifier.weight"] = sd["classifier.weight"].t().contiguous().t()
    torch.save(strided, os.path.join(folder(out, "strided"), "pytorch_model.bin"))

    torch.save(sd, os.path.join(folder(out, "legacy"), "pytorch_model.bin"),
               _use_new_zipfile_serialization=False)


def data_pkl(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    with zipfile.ZipFile(buf) as z:
        return z.read("archive/data.pkl")


def seeds():
    out = os.path.join(os.path.dirname(HERE), "fuzz", "corpus", "model_pickle")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2).state_dict()
    mixed = collections.OrderedDict()
    base = torch.arange(7, dtype=torch.float32)
    mixed["view.weight"] = base[2:].view(1, 5)   # offset 2 into a shared storage
    mixed["base"] = base
    mixed["half"] = torch.ones(2, 3, dtype=torch.float16)
    mixed["bf16"] = torch.ones(4, dtype=torch.bfloat16)
    mixed["position_ids"] = torch.arange(300, dtype=torch.int64)[None, :]
    mixed["param"] = torch.nn.Parameter(torch.zeros(2))
    mixed["scalar"] = torch.tensor(1.5)
    mixed._metadata = collections.OrderedDict({"": {"version": 1}, "sub": {"version": 2}})
    files = {
        "linear.pkl": data_pkl(lin),
        "mixed.pkl": data_pkl(mixed),
        "mixed_proto4.pkl": data_pkl(mixed, pickle_protocol=4),
        "os_system.pkl": pickle.dumps(collections.OrderedDict(w=Pwn("/tmp/x")), protocol=2),
        "eval_proto4.pkl": pickle.dumps(collections.OrderedDict(w=Eval()), protocol=4),
        "list.pkl": pickle.dumps(collections.OrderedDict(w=[1, 2, (3, None, True)]), protocol=2),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    # Whole .bin files for fuzz_model_torchbin.c: small, and a damaged copy of each kind.
    out = os.path.join(os.path.dirname(HERE), "fuzz", "corpus", "model_torchbin")
    os.makedirs(out, exist_ok=True)
    small = collections.OrderedDict((k, mixed[k]) for k in ("view.weight", "base", "half", "bf16"))
    small._metadata = mixed._metadata
    for name, obj in (("linear.bin", lin), ("small.bin", small)):
        torch.save(obj, os.path.join(out, name))
    good = os.path.join(out, "small.bin")
    rezip(good, os.path.join(out, "short_storage.bin"),
          lambda n, b: b[:-2] if n.endswith("/data/1") else b)
    rezip(good, os.path.join(out, "truncated_pickle.bin"),
          lambda n, b: b[:len(b) // 2] if n.endswith("/data.pkl") else b)
    with zipfile.ZipFile(os.path.join(out, "os_system.bin"), "w") as z:
        z.writestr("archive/data.pkl", files["os_system.pkl"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--seeds":
        seeds()
    else:
        main(sys.argv[1])
