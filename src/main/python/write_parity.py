"""Writes the parity reference: the PyTorch module's embeddings of the first N test-split images.

A Java test decodes the same images (from PNG bytes) and checks ONNX Runtime's output against these.
"""
import argparse
import json
import os

import torch

import data
from evaluate import embed

DEFAULT_DIR = os.path.join(data.REPO_ROOT, "src", "test", "resources", "parity")


def write_parity(model, out_path, version, data_dir=None, n=256):
    images, labels = data.load_split("test", data_dir)
    emb = embed(model, images[:n])
    doc = {
        "model_version": str(version),
        "normalization": "(v/255-0.5)/0.5",
        "indices": list(range(n)),
        "labels": [int(v) for v in labels[:n]],
        # float32 values written as Python floats: repr is exact and round-trips to the same float32.
        "embeddings": [[float(v) for v in row] for row in emb],
    }
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    return out_path


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model-dir", required=True, help="directory holding model.pt")
    ap.add_argument("--out", default=None, help="default: src/test/resources/parity/<name>-<version>.json")
    ap.add_argument("--data", default=None)
    ap.add_argument("-n", type=int, default=256)
    args = ap.parse_args()
    torch.set_num_threads(2)
    from model import load_checkpoint
    model, ckpt = load_checkpoint(os.path.join(args.model_dir, "model.pt"))
    out = args.out or os.path.join(DEFAULT_DIR, f"{ckpt.get('name', 'fashion-triplet')}-{ckpt['version']}.json")
    print(write_parity(model, out, ckpt["version"], args.data, args.n))


if __name__ == "__main__":
    main()
