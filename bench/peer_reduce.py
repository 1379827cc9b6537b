#!/usr/bin/python3
"""peer_reduce.py - the scikit-learn / umap-learn peer of bench_reduce: the
same matrix, the same 2-D projection, one JSON line (seconds and the
trustworthiness at k=10 on the first 5000 points). Not a test."""
import json
import sys
import time

import numpy as np


def main():
    path, n, d, method = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    x = np.fromfile(path, dtype="<f4").reshape(n, d)
    t0 = time.perf_counter()
    if method == "pca":
        from sklearn.decomposition import PCA
        y = PCA(2, random_state=42).fit_transform(x)
        impl = "sklearn"
    elif method == "svd":
        from sklearn.decomposition import TruncatedSVD
        y = TruncatedSVD(2, n_iter=5, random_state=42).fit_transform(x)
        impl = "sklearn"
    else:
        import umap
        y = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=42,
                      n_jobs=threads).fit_transform(x)
        impl = "umap-learn"
    secs = time.perf_counter() - t0
    from sklearn.manifold import trustworthiness
    m = min(n, 5000)
    trust = trustworthiness(x[:m], y[:m], n_neighbors=10)
    print(json.dumps({"impl": impl, "method": method, "n": n, "d": d, "threads": threads,
                      "seconds": round(secs, 3), "trust_first5k": round(float(trust), 4)}))


if __name__ == "__main__":
    main()
