"""Writes the parity reference of a model folder: the PyTorch module's embeddings of the first N test-split images.

A Java test decodes the same images (from PNG bytes) and checks ONNX Runtime's output against these.

  /usr/bin/python3 src/test/python/write_parity.py --model-dir src/main/resources/models/fashion-triplet/1
"""
import argparse
import os
import sys

import torch

# Run by path: the ML code lives in src/main/python.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "python"))

from hardneg_ml.parity import DEFAULT_DIR, write_parity  # noqa: E402
from model import load_checkpoint  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", required=True, help="directory holding model.pt")
    ap.add_argument("--out", default=None, help="default: src/test/resources/parity/<name>-<version>.json")
    ap.add_argument("--data", default=None)
    ap.add_argument("-n", type=int, default=256)
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, ckpt = load_checkpoint(os.path.join(args.model_dir, "model.pt"))
    out = args.out or os.path.join(DEFAULT_DIR, f"{ckpt.get('name', 'fashion-triplet')}-{ckpt['version']}.json")
    print(write_parity(model, out, ckpt["version"], args.data, args.n))


if __name__ == "__main__":
    main()
