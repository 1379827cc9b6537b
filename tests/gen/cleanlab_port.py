#!/usr/bin/env python3
"""cleanlab_port.py - confident learning for token classification, ported
line by line from cleanlab 2.x (cleanlab/count.py, cleanlab/filter.py,
cleanlab/internal/util.py, cleanlab/token_classification/filter.py) with
numpy only, because cleanlab itself cannot be installed here. It is the
reference that src/analysis/cleanlab.c is checked against
(tests/unit/test_analysis_cleanlab.c reads the fixture this writes).

find_label_issues(labels, pred_probs) is cleanlab's
filter.find_label_issues(filter_by="prune_by_noise_rate", frac_noise=1.0,
min_examples_per_class=1, n_jobs=1) on the flattened tokens: per-class
confident thresholds, the confident joint, its calibration, the prune
counts, pruning by noise rate, and the final un-flagging of tokens the
model predicts as given (_reduce_issues). One deliberate difference:
_prune_by_count orders margins with np.argsort(-margin, kind="stable"), so
tokens whose margins tie exactly at the cut are taken in position order
(cleanlab's default introsort leaves that order unspecified).

usage: cleanlab_port.py OUT   writes OUT.json (labels, expected results) and
       OUT.bin (the probabilities, float32 little-endian, case after case);
       fixed seeds: tests/fixtures/cleanlab/cases is made by
       cleanlab_port.py tests/fixtures/cleanlab/cases
"""
import json
import sys

import numpy as np
from sklearn.metrics import confusion_matrix

FLOATING_POINT_COMPARISON = 1e-6
CONFIDENT_THRESHOLDS_LOWER_BOUND = 2 * FLOATING_POINT_COMPARISON
TINY_VALUE = 1e-100


def get_confident_thresholds(labels, pred_probs):
    unique_classes = set(np.unique(labels).tolist())
    big_value = 2
    thresholds = [
        np.mean(pred_probs[:, k][labels == k]) if k in unique_classes else big_value
        for k in range(pred_probs.shape[1])
    ]
    return np.clip(thresholds, a_min=CONFIDENT_THRESHOLDS_LOWER_BOUND, a_max=None)


def round_preserving_sum(iterable):
    floats = np.asarray(iterable, dtype=float)
    ints = floats.round()
    orig_sum = np.sum(floats).round()
    int_sum = np.sum(ints).round()
    while abs(int_sum - orig_sum) > FLOATING_POINT_COMPARISON:
        diff = np.round(orig_sum - int_sum)
        increment = -1 if int(diff < 0.0) else 1
        changes = min(int(abs(diff)), len(iterable))
        indices = np.argsort(floats - ints)[::-increment][:changes]
        for i in indices:
            ints[i] = ints[i] + increment
        int_sum = np.sum(ints).round()
    return ints.astype(int)


def round_preserving_row_totals(confident_joint):
    return np.apply_along_axis(func1d=round_preserving_sum, axis=1, arr=confident_joint).astype(int)


def calibrate_confident_joint(confident_joint, labels):
    num_classes = len(confident_joint)
    label_counts = np.bincount(labels, minlength=num_classes)
    calibrated_cj = (
        confident_joint.T
        / np.clip(confident_joint.sum(axis=1), a_min=TINY_VALUE, a_max=None)
        * label_counts
    ).T
    calibrated_cj = (
        calibrated_cj / np.clip(np.sum(calibrated_cj), a_min=TINY_VALUE, a_max=None)
        * sum(label_counts)
    )
    return round_preserving_row_totals(calibrated_cj)


def compute_confident_joint(labels, pred_probs):
    thresholds = get_confident_thresholds(labels, pred_probs)
    pred_probs_bool = pred_probs >= thresholds - 1e-6
    num_confident_bins = pred_probs_bool.sum(axis=1)
    at_least_one_confident = num_confident_bins > 0
    more_than_one_confident = num_confident_bins > 1
    pred_probs_argmax = pred_probs.argmax(axis=1)
    confident_argmax = pred_probs_bool.argmax(axis=1)
    true_label_guess = np.where(more_than_one_confident, pred_probs_argmax, confident_argmax)
    true_labels_confident = true_label_guess[at_least_one_confident]
    labels_confident = labels[at_least_one_confident]
    confident_joint = confusion_matrix(
        y_true=true_labels_confident, y_pred=labels_confident,
        labels=range(pred_probs.shape[1])).T
    np.fill_diagonal(confident_joint, confident_joint.diagonal().clip(min=1))
    guess = np.where(at_least_one_confident, true_label_guess, -1)
    return calibrate_confident_joint(confident_joint, labels), thresholds, guess


def _reduce_prune_counts(prune_count_matrix, frac_noise=1.0):
    new_mat = prune_count_matrix * frac_noise
    np.fill_diagonal(new_mat, prune_count_matrix.diagonal())
    np.fill_diagonal(new_mat,
                     prune_count_matrix.diagonal() + np.sum(prune_count_matrix - new_mat, axis=0))
    return new_mat.astype(int)


def _keep_at_least_n_per_class(prune_count_matrix, n, frac_noise=1.0):
    diagonal = np.diagonal(prune_count_matrix)
    new_diagonal = np.maximum(diagonal, n)
    diff_per_col = new_diagonal - diagonal
    num_noise_rates_per_col = np.maximum(np.count_nonzero(prune_count_matrix, axis=0) - 1.0, 1.0)
    new_mat = prune_count_matrix - diff_per_col / num_noise_rates_per_col
    new_mat[new_mat < 0] = 0
    np.fill_diagonal(new_mat, new_diagonal)
    new_mat = _reduce_prune_counts(new_mat, frac_noise)
    return round_preserving_row_totals(new_mat).astype(int)


def _prune_by_count(k, pred_probs, prune_count_col, min_examples_per_class=1):
    label_counts = pred_probs.shape[0]
    mask = np.zeros(label_counts, dtype=bool)
    if label_counts <= min_examples_per_class:
        return mask
    for j in range(pred_probs.shape[1]):
        num2prune = prune_count_col[j]
        if k != j and num2prune > 0:
            margin = pred_probs[:, j] - pred_probs[:, k]
            order = np.argsort(-margin, kind="stable")
            mask[order[:num2prune]] = True
    return mask


def _reduce_issues(pred_probs, labels):
    copy = np.copy(pred_probs)
    copy[np.arange(len(labels)), labels] += FLOATING_POINT_COMPARISON
    return copy.argmax(axis=1) == labels


def find_label_issues(labels, pred_probs):
    """(mask, thresholds, guess, prune_count_matrix) of filter.find_label_issues."""
    K = pred_probs.shape[1]
    labels = np.asarray(labels)
    confident_joint, thresholds, guess = compute_confident_joint(labels, pred_probs)
    prune_count_matrix = _keep_at_least_n_per_class(confident_joint.T, 1, 1.0)
    mask = np.zeros(len(labels), dtype=bool)
    for k in range(K):
        rows = labels == k
        mask[rows] = _prune_by_count(k, pred_probs[rows], prune_count_matrix[:, k])
    mask[_reduce_issues(pred_probs, labels)] = False
    return mask, thresholds, guess, confident_joint


def random_case(rng, n, k, sharp, noise, absent):
    """n tokens of k classes: peaked softmax rows around a true class, a
    fraction `noise` of labels flipped, classes in `absent` never given."""
    true = rng.integers(0, k, n)
    logits = rng.normal(0, 1, (n, k)).astype(np.float64)
    logits[np.arange(n), true] += sharp
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = (p / p.sum(axis=1, keepdims=True)).astype(np.float32)
    labels = true.copy()
    flip = rng.random(n) < noise
    labels[flip] = rng.integers(0, k, int(flip.sum()))
    for a in absent:
        labels[labels == a] = (a + 1) % k
    return labels, p


def main():
    cases, blob = [], []
    rng = np.random.default_rng(20240609)
    # (tokens, classes, logit boost of the true class, label noise, classes never given)
    specs = [(300, 3, 2.0, 0.1, ()), (1200, 9, 3.0, 0.05, ()), (1200, 9, 1.0, 0.2, ()),
             (800, 5, 4.0, 0.1, (4,)), (50, 4, 0.5, 0.3, ()), (1500, 9, 5.0, 0.03, ()),
             (500, 13, 2.5, 0.1, (2, 7)), (800, 2, 1.5, 0.15, ()),
             (600, 9, 25.0, 0.1, ())]  # the last saturates float32: margins tie
    for n, k, sharp, noise, absent in specs:
        labels, p = random_case(rng, n, k, sharp, noise, absent)
        mask, thr, guess, cj = find_label_issues(labels, p)
        blob.append(p.astype("<f4").tobytes())
        cases.append({
            "n": n, "k": k, "labels": labels.tolist(),
            "thresholds": [float(v) for v in thr], "guess": guess.tolist(),
            "confident_joint": cj.tolist(), "issues": np.flatnonzero(mask).tolist(),
        })
    with open(sys.argv[1] + ".json", "w") as f:
        json.dump({"generator": "tests/gen/cleanlab_port.py",                    "cases": cases}, f, separators=(",", ":"))
    with open(sys.argv[1] + ".bin", "wb") as f:
        f.write(b"".join(blob))
    print(" ".join(f"{c['n']}x{c['k']}:{len(c['issues'])}" for c in cases))


if __name__ == "__main__":
    main()
