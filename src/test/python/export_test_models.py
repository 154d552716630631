"""Writes the small ONNX models the Java tests use, each with a reference.json of PyTorch outputs.

  /usr/bin/python3 src/test/python/export_test_models.py [--out src/test/resources/models]

Deterministic (seeded random weights). Models:
  tiny-rgb/1           [N,3,32,32] -> [N,16], L2-normalised, ImageNet mean/std metadata
  unnormalised/1       [N,1,28,28] -> [N,8], NOT normalised in the graph (hardneg.l2_normalized=false)
  bad-output-rank/1    [N,1,28,28] -> [N,2,4], a 3-D output the service must refuse
  no-metadata/1        [N,1,28,28] -> [N,8], L2-normalised, no hardneg.* metadata at all
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

# Run by path: the ML code lives in src/main/python.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "python"))

import data  # noqa: E402
import export  # noqa: E402
from hardneg_ml.digests import write_sha256  # noqa: E402
from model import L2Normalize  # noqa: E402

DEFAULT_OUT = os.path.join(data.REPO_ROOT, "src", "test", "resources", "models")


class TinyNet(nn.Module):
    def __init__(self, in_channels, dim, normalize=True, out_shape=None, scale=1.0):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, dim))
        self.normalize = L2Normalize() if normalize else nn.Identity()
        self.out_shape = out_shape
        self.scale = scale

    def forward(self, x):
        y = self.normalize(self.body(x) * self.scale)
        return y.reshape([-1] + list(self.out_shape)) if self.out_shape else y


def gray_metadata(name, dim, l2):
    return {
        "hardneg.name": name, "hardneg.version": "1", "hardneg.embedding_dim": str(dim),
        "hardneg.input_layout": "NCHW", "hardneg.input_shape": "1,28,28",
        "hardneg.norm.mean": "0.5", "hardneg.norm.std": "0.5", "hardneg.normalization": "(v/255-0.5)/0.5",
        "hardneg.l2_normalized": "true" if l2 else "false", "hardneg.color": "gray",
        "hardneg.class_names": ",".join(data.CLASS_NAMES),
        "hardneg.training": "test model: random weights (seed 1234), not trained",
    }


def specs():
    rgb_meta = {
        "hardneg.name": "tiny-rgb", "hardneg.version": "1", "hardneg.embedding_dim": "16",
        "hardneg.input_layout": "NCHW", "hardneg.input_shape": "3,32,32",
        "hardneg.norm.mean": "0.485,0.456,0.406", "hardneg.norm.std": "0.229,0.224,0.225",
        "hardneg.normalization": "(v/255-mean[c])/std[c]", "hardneg.l2_normalized": "true",
        "hardneg.color": "rgb", "hardneg.training": "test model: random weights (seed 1234), not trained",
    }
    return [
        ("tiny-rgb", TinyNet(3, 16), (3, 32, 32), rgb_meta),
        # scale 5 keeps the raw norms well away from 1, so a missing normalisation shows.
        ("unnormalised", TinyNet(1, 8, normalize=False, scale=5.0), (1, 28, 28),
         gray_metadata("unnormalised", 8, False)),
        ("bad-output-rank", TinyNet(1, 8, out_shape=(2, 4)), (1, 28, 28), gray_metadata("bad-output-rank", 8, True)),
        ("no-metadata", TinyNet(1, 8), (1, 28, 28), None),
    ]


def reference_inputs(shape):
    """Deterministic inputs a Java test can rebuild without reading any file."""
    n = int(np.prod(shape))
    fill = np.full(shape, 0.25, dtype=np.float32)
    ramp = ((np.arange(n) % 251) / 250.0 - 0.5).astype(np.float32).reshape(shape)
    return [("fill", "every element 0.25", fill),
            ("ramp", "row-major flat index i (over the whole [2,C,H,W] tensor): ((i % 251) / 250) - 0.5", ramp)]


def write_all(out_dir, seed=1234):
    written = []
    for i, (name, net, in_shape, meta) in enumerate(specs()):
        torch.manual_seed(seed + i)
        for p in net.parameters():  # re-draw so each model's weights depend only on (seed, position)
            nn.init.uniform_(p, -0.5, 0.5)
        net.eval()
        d = os.path.join(out_dir, name, "1")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        export.export_onnx(net, path, in_shape, meta, doc=f"hardneg test model {name}")
        write_sha256(d)
        cases = []
        for kind, desc, x in reference_inputs((2,) + tuple(in_shape)):
            with torch.no_grad():
                y = net(torch.from_numpy(x)).numpy()
            cases.append({"kind": kind, "description": desc, "input_shape": list(x.shape),
                          "fill": 0.25 if kind == "fill" else None,
                          "output_shape": list(y.shape), "output": y.tolist()})
        ref = {"model": name, "model_version": "1", "input_name": "input", "output_name": "embedding",
               "l2_normalized_in_graph": bool(meta is None or meta.get("hardneg.l2_normalized") == "true"),
               "tolerance": 1e-5, "cases": cases}
        with open(os.path.join(d, "reference.json"), "w") as f:
            json.dump(ref, f, indent=1)
            f.write("\n")
        written.append(path)
    return written


def write_swap_models(out_dir, seed=4321):
    """One model name, three versions, for the hot-reload tests: v1 serves, v2 is a valid update
    (other weights), v3 has the wrong embedding size and must be refused."""
    written = []
    for version, dim in (("1", 8), ("2", 8), ("3", 16)):
        torch.manual_seed(seed + int(version))
        net = TinyNet(1, dim)
        for p in net.parameters():
            nn.init.uniform_(p, -0.5, 0.5)
        net.eval()
        meta = gray_metadata("swap", dim, True)
        meta["hardneg.version"] = version
        d = os.path.join(out_dir, "swap", version)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        export.export_onnx(net, path, (1, 28, 28), meta, doc=f"hardneg hot-reload test model v{version}")
        write_sha256(d)
        written.append(path)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    torch.set_num_threads(1)
    for p in write_all(args.out, args.seed) + write_swap_models(args.out):
        print(p)


if __name__ == "__main__":
    main()
