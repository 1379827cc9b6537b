#!/usr/bin/python3
"""gen_reduce.py - scikit-learn reference outputs for src/reduce (PCA, TruncatedSVD, NMF).

Run with Debian's interpreter (python3-sklearn): /usr/bin/python3 tests/gen/gen_reduce.py
Writes tests/fixtures/reduce/<case>.json + <case>.bin. Deterministic (fixed seeds): re-running
reproduces the committed files byte for byte on the same sklearn/numpy.

<case>.bin holds the arrays back to back, little-endian; <case>.json says for each array its
dtype ("f32" inputs exactly as the C code sees them, "f64" sklearn outputs), shape and byte
offset, plus the call's parameters and scalar results. sklearn is fed the f32 inputs widened
to f64, so its outputs are the exact-arithmetic answer for those inputs.
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.decomposition import NMF, PCA, TruncatedSVD

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "reduce")


class Case:
    def __init__(self, name, kind, params):
        self.name, self.meta, self.blob = name, {"kind": kind, "params": params, "arrays": {}}, b""

    def array(self, key, a, dtype):
        a = np.ascontiguousarray(a, dtype="<f4" if dtype == "f32" else "<f8")
        self.meta["arrays"][key] = {"dtype": dtype, "shape": list(a.shape), "offset": len(self.blob)}
        self.blob += a.tobytes()

    def write(self, **scalars):
        self.meta.update(scalars)
        self.meta["sklearn"] = sklearn.__version__
        with open(os.path.join(OUT, self.name + ".bin"), "wb") as f:
            f.write(self.blob)
        with open(os.path.join(OUT, self.name + ".json"), "w") as f:
            json.dump(self.meta, f, indent=1, sort_keys=True)
            f.write("\n")


def spectrum_data(rng, n, d, scales, offset):
    """Rows with a clearly decaying, well separated spectrum and a non-zero mean."""
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    z = rng.standard_normal((n, d)) * np.asarray(scales)
    return (z @ basis.T + offset).astype(np.float32)


def pca_case(name, n, d, k, seed):
    rng = np.random.default_rng(seed)
    scales = 10.0 * 0.7 ** np.arange(d)
    x = spectrum_data(rng, n, d, scales, rng.uniform(-3, 3, d))
    p = PCA(n_components=k, svd_solver="full")
    y = p.fit_transform(x.astype(np.float64))
    c = Case(name, "pca", {"n": n, "d": d, "k": k})
    c.array("x", x, "f32")
    c.array("y", y, "f64")
    c.array("components", p.components_, "f64")
    c.array("evr", p.explained_variance_ratio_, "f64")
    c.write()


def tsvd_case(name, n, d, k, n_iter, seed):
    """Low rank (k + 1 strong directions, then a gap of 100x) plus noise, uncentred."""
    rng = np.random.default_rng(seed)
    scales = np.concatenate([[40.0, 20.0, 10.0, 5.0][: k + 1], np.full(d - k - 1, 0.05)])
    x = spectrum_data(rng, n, d, scales, rng.uniform(0, 2, d))
    t = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=n_iter, random_state=42)
    y = t.fit_transform(x.astype(np.float64))
    c = Case(name, "tsvd", {"n": n, "d": d, "k": k, "n_iter": n_iter})
    c.array("x", x, "f32")
    c.array("y", y, "f64")
    c.array("components", t.components_, "f64")
    c.array("evr", t.explained_variance_ratio_, "f64")
    c.array("singular_values", t.singular_values_, "f64")
    c.write()


def nmf_fit(a, k, init, max_iter, tol, seed):
    m = NMF(n_components=k, init=init, solver="cd", beta_loss="frobenius", tol=tol,
            max_iter=max_iter, random_state=seed)
    w = m.fit_transform(a.astype(np.float64))
    return w, m.components_, float(np.linalg.norm(a.astype(np.float64) - w @ m.components_)), m


def nmf_case(name, a, k, init, max_iter, tol):
    """W, H and ||A - WH||_F of random_state 0; for the random init also the error of
    random_state 0..11: which local minimum a random start reaches varies (ecco-like data:
    15.54 .. 15.98), so a C run with other draws is compared with that spread."""
    w, h, err, m = nmf_fit(a, k, init, max_iter, tol, 0)
    c = Case(name, "nmf", {"n": a.shape[0], "m": a.shape[1], "k": k, "init": init,
                           "max_iter": max_iter, "tol": tol})
    c.array("a", a, "f32")
    c.array("w", w, "f64")
    c.array("h", h, "f64")
    seeds = [err] + [nmf_fit(a, k, init, max_iter, tol, s)[2] for s in range(1, 12)]
    c.array("err_by_seed", seeds if init == "random" else [err], "f64")
    c.write(reconstruction_err=err, n_iter=int(m.n_iter_),
            a_norm=float(np.linalg.norm(a.astype(np.float64))))


def nmf_lowrank(seed, n, m, k):
    """Non-negative rank-k data plus a little non-negative noise: a unique NMF."""
    rng = np.random.default_rng(seed)
    w0 = rng.gamma(1.0, 1.0, (n, k)) * (rng.random((n, k)) < 0.6)
    h0 = rng.gamma(1.0, 1.0, (k, m)) * (rng.random((k, m)) < 0.6)
    return (w0 @ h0 + 0.01 * rng.random((n, m))).astype(np.float32)


def ecco_activations(seed, positions, neurons):
    """What ecco factorises: GELU outputs of an FFN (positions x neurons), clipped at 0.
    Tokens share a few 'topics' (which neurons fire), so there is structure to find."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((5, 64))
    mix = rng.dirichlet(np.full(5, 0.3), positions)
    hidden = mix @ topics + 0.3 * rng.standard_normal((positions, 64))
    pre = hidden @ (rng.standard_normal((64, neurons)) / 8.0) - 0.5
    gelu = 0.5 * pre * (1.0 + np.tanh(0.7978845608 * (pre + 0.044715 * pre ** 3)))
    return np.maximum(gelu, 0.0).astype(np.float32)


def main():
    os.makedirs(OUT, exist_ok=True)
    pca_case("pca_tall", 300, 24, 5, 1)
    pca_case("pca_wide", 40, 120, 4, 2)
    tsvd_case("tsvd_k2", 400, 48, 2, 5, 3)
    tsvd_case("tsvd_k3_iter1", 250, 30, 3, 1, 4)
    nmf_case("nmf_nndsvda", nmf_lowrank(5, 60, 80, 4), 4, "nndsvda", 2000, 1e-8)
    nmf_case("nmf_random", nmf_lowrank(6, 50, 70, 4), 4, "random", 500, 1e-4)
    nmf_case("nmf_ecco", ecco_activations(7, 48, 512), 8, "random", 500, 1e-4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
