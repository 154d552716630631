"""The embedding CNN: 28x28 grayscale -> D-dim unit vector (L2-normalised inside the graph)."""
import torch
import torch.nn as nn


def _block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class L2Normalize(nn.Module):
    """x / max(||x||_2, eps) along dim 1; exports as ReduceL2, Clip, Div."""

    def __init__(self, eps=1e-12):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        return x / x.norm(p=2, dim=1, keepdim=True).clamp_min(self.eps)


class EmbeddingNet(nn.Module):
    """Small CNN: conv(w) pool conv(2w) conv(2w) pool conv(4w) global-avg-pool linear(D) L2-normalise."""

    def __init__(self, width=32, dim=64, in_channels=1, normalize=True):
        super().__init__()
        w = width
        self.features = nn.Sequential(
            *_block(in_channels, w), nn.MaxPool2d(2),          # 28 -> 14
            *_block(w, 2 * w), *_block(2 * w, 2 * w), nn.MaxPool2d(2),  # 14 -> 7
            *_block(2 * w, 4 * w),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.head = nn.Linear(4 * w, dim)
        self.l2 = L2Normalize() if normalize else nn.Identity()
        self.config = {"width": width, "dim": dim, "in_channels": in_channels, "normalize": normalize,
                       "input_shape": [in_channels, 28, 28], "arch": "EmbeddingNet"}

    def forward(self, x):
        return self.l2(self.head(self.features(x)))


def build(config):
    """Rebuilds the module from a checkpoint's config dict."""
    return EmbeddingNet(width=int(config["width"]), dim=int(config["dim"]),
                        in_channels=int(config.get("in_channels", 1)),
                        normalize=bool(config.get("normalize", True)))


def save_checkpoint(path, model, version, held_out, optimizer=None, extra=None):
    ckpt = {"state_dict": model.state_dict(), "config": dict(model.config), "version": str(version),
            "held_out": list(held_out)}
    if optimizer is not None:
        ckpt["optimizer"] = optimizer.state_dict()
    if extra:
        ckpt.update(extra)
    torch.save(ckpt, path)


def load_checkpoint(path, map_location="cpu"):
    """Returns (model in eval mode, checkpoint dict) from a model.pt written by train.py.

    A retraining job continues with model.train(), a new optimizer (ckpt['optimizer'] holds Adam's state)
    and train.py --init-from PATH.
    """
    ckpt = torch.load(path, map_location=map_location)
    model = build(ckpt["config"])
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    return model, ckpt
