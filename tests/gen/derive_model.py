#!/usr/bin/python3
"""derive_model.py - a second real model from an existing one, for the two-run
comparison tests, with nothing committed: OUT gets a config.json with the last
encoder layer(s) dropped (num_hidden_layers - N) and, optionally, labels renamed;
every other file is a symbolic link to SRC's. ExplaiNER's loader reads layers
0..n-1 of the weights and ignores the rest, so the derived model runs the same
weights minus the top layer(s): on demo/eval.conll, micro F1 0.5537 against the
demo model's 0.5561.

Usage: derive_model.py SRC OUT [--drop-layers N] [--rename FROM=TO ...]
  --rename MISC=OTHER renames the entity type in id2label / label2id (B-MISC ->
  B-OTHER, ...), to test comparisons of runs whose label sets differ.
"""
import argparse
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--drop-layers", type=int, default=1)
    ap.add_argument("--rename", action="append", default=[])
    a = ap.parse_args()
    src = os.path.abspath(a.src)
    with open(os.path.join(src, "config.json")) as f:
        config = json.load(f)
    if not 0 < a.drop_layers < config["num_hidden_layers"]:
        sys.exit(f"--drop-layers must be 1 to {config['num_hidden_layers'] - 1}")
    config["num_hidden_layers"] -= a.drop_layers

    def rename(label):
        for r in a.rename:
            old, new = r.split("=", 1)
            if label.endswith("-" + old):
                return label[: -len(old)] + new
        return label

    config["id2label"] = {k: rename(v) for k, v in config["id2label"].items()}
    config["label2id"] = {rename(k): v for k, v in config["label2id"].items()}
    os.makedirs(a.out, exist_ok=True)
    for name in os.listdir(src):
        if name != "config.json" and not os.path.lexists(os.path.join(a.out, name)):
            os.symlink(os.path.join(src, name), os.path.join(a.out, name))
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
