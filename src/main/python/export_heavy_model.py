"""Exports a ResNet-18-sized embedding CNN (random weights) for benchmarking inference, outside git.

  /usr/bin/python3 src/main/python/export_heavy_model.py [--out /tmp/hardneg-heavy/heavy-resnet18/1]

torchvision resnet18, input [N,3,112,112] (ImageNet mean/std), fc -> 128, L2-normalised, dynamic batch,
the same hardneg.* metadata convention as the shipped model. ~45 MB: never commit it.
"""
import argparse
import os

import torch
import torch.nn as nn
import torchvision

import export
from hardneg_ml.digests import write_sha256
from model import L2Normalize

DEFAULT_OUT = "/tmp/hardneg-heavy/heavy-resnet18/1"


class HeavyNet(nn.Module):
    def __init__(self, dim=128):
        super().__init__()
        self.backbone = torchvision.models.resnet18(weights=None, num_classes=dim)
        self.l2 = L2Normalize()

    def forward(self, x):
        return self.l2(self.backbone(x))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    net = HeavyNet(args.dim).eval()
    meta = {
        "hardneg.name": "heavy-resnet18", "hardneg.version": "1", "hardneg.embedding_dim": str(args.dim),
        "hardneg.input_layout": "NCHW", "hardneg.input_shape": "3,112,112",
        "hardneg.norm.mean": "0.485,0.456,0.406", "hardneg.norm.std": "0.229,0.224,0.225",
        "hardneg.normalization": "(v/255-mean[c])/std[c]", "hardneg.l2_normalized": "true",
        "hardneg.color": "rgb",
        "hardneg.training": f"benchmark model: torchvision resnet18, random weights (seed {args.seed}), not trained",
    }
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.onnx")
    export.export_onnx(net, path, (3, 112, 112), meta, doc="hardneg benchmark model (untrained resnet18)")
    digest = write_sha256(args.out)
    print(f"{path} ({os.path.getsize(path) / 1e6:.1f} MB) sha256 {digest}")


if __name__ == "__main__":
    main()
