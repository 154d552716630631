"""ONNX export with the hardneg.* metadata that the Java service reads."""
import argparse
import os

import onnx
import torch

import data
from hardneg_ml.digests import write_sha256

OPSET = 13


def fashion_metadata(name, version, dim, held_out, alpha, training):
    trained = [c for c in range(len(data.CLASS_NAMES)) if c not in held_out]
    return {
        "hardneg.name": str(name),
        "hardneg.version": str(version),
        "hardneg.embedding_dim": str(dim),
        "hardneg.input_layout": "NCHW",
        "hardneg.input_shape": "1,28,28",
        "hardneg.norm.mean": str(data.NORM_MEAN),
        "hardneg.norm.std": str(data.NORM_STD),
        "hardneg.normalization": "(v/255-0.5)/0.5",
        "hardneg.l2_normalized": "true",
        "hardneg.color": "gray",
        "hardneg.class_names": ",".join(data.CLASS_NAMES),
        "hardneg.trained_classes": ",".join(str(c) for c in trained),
        "hardneg.held_out_classes": ",".join(str(c) for c in held_out),
        "hardneg.alpha": str(alpha),
        "hardneg.training": str(training),
    }


def export_onnx(model, path, input_shape, metadata=None, opset=OPSET, doc=None):
    """Exports model (eval mode) with input 'input' [N,*input_shape], output 'embedding', dynamic N."""
    model.eval()
    dummy = torch.zeros(2, *input_shape, dtype=torch.float32)
    with torch.no_grad():
        torch.onnx.export(model, dummy, path, input_names=["input"], output_names=["embedding"],
                          dynamic_axes={"input": {0: "N"}, "embedding": {0: "N"}},
                          opset_version=opset, do_constant_folding=True)
    m = onnx.load(path)
    if metadata:
        onnx.helper.set_model_props(m, {k: str(v) for k, v in metadata.items()})
    m.producer_name = "hardneg"
    if doc:
        m.doc_string = doc
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m


def main():
    ap = argparse.ArgumentParser(description="Re-export model.onnx (+sha256) from a model.pt checkpoint.")
    ap.add_argument("--model-dir", required=True)
    args = ap.parse_args()
    from model import load_checkpoint
    model, ckpt = load_checkpoint(os.path.join(args.model_dir, "model.pt"))
    meta = ckpt.get("metadata") or fashion_metadata(
        ckpt.get("name", "fashion-triplet"), ckpt["version"], model.config["dim"], ckpt["held_out"],
        ckpt.get("alpha", 0.2), ckpt.get("training", ""))
    export_onnx(model, os.path.join(args.model_dir, "model.onnx"), model.config["input_shape"], meta)
    print(write_sha256(args.model_dir))


if __name__ == "__main__":
    main()
