"""A model version's folder (model.pt, model.onnx with hardneg.* metadata, sha256, metrics.json): writing one,
finding one, numbering the next."""
import json
import os

import data
import export
from model import save_checkpoint

from hardneg_ml.digests import write_sha256

SHIPPED_MODEL = os.path.join(data.REPO_ROOT, "src", "main", "resources", "models", "fashion-triplet", "1")


def write_version(out, model, version, held_out, meta, optimizer=None, extra=None):
    """Writes model.pt (with `extra` in the checkpoint), model.onnx (with `meta`) and sha256 under `out`;
    returns the ONNX file's SHA-256."""
    os.makedirs(out, exist_ok=True)
    save_checkpoint(os.path.join(out, "model.pt"), model, version, held_out, optimizer, extra=extra)
    export.export_onnx(model, os.path.join(out, "model.onnx"), model.config["input_shape"], meta)
    return write_sha256(out)


def write_metrics(model_dir, metrics):
    """model_dir/metrics.json: sorted keys, two-space indent, a final newline (stable diffs when committed)."""
    with open(os.path.join(model_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")


def resolve_model_dir(path):
    """A version folder holding model.pt, or a Triton model folder (the highest numbered version wins)."""
    if os.path.isfile(os.path.join(path, "model.pt")):
        return path
    versions = [d for d in os.listdir(path) if d.isdigit() and os.path.isfile(os.path.join(path, d, "model.pt"))]
    if not versions:
        raise FileNotFoundError(f"no model.pt in {path} nor in {path}/<version>/")
    return os.path.join(path, max(versions, key=int))


def next_version(version):
    try:
        return str(int(version) + 1)
    except ValueError:
        raise ValueError(f"current version {version!r} is not a number; give --version") from None
