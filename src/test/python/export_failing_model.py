"""Writes a test model that fails at run time on one kind of input, for the failed-inference tests.

  /usr/bin/python3 src/test/python/export_failing_model.py [--out src/test/resources/models]

fails-on-white/1: [N,1,28,28] -> [N,8], L2-normalised, deterministic weights. Any batch holding an image
whose every pixel is above 0.99 (after (v/255-0.5)/0.5, i.e. an all-white image) makes the final Reshape
ask for [N,9] from N*8 values, so ONNX Runtime throws; batches without such an image run normally.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "resources", "models")
# Run by path: the ML code lives in src/main/python.
sys.path.insert(0, os.path.join(HERE, "..", "..", "main", "python"))

from hardneg_ml.digests import write_sha256  # noqa: E402


def build():
    rng = np.random.default_rng(1234)
    w = rng.standard_normal((784, 8)).astype(np.float32) / 28.0
    inits = [
        numpy_helper.from_array(w, "W"),
        numpy_helper.from_array(np.array([0, 784], dtype=np.int64), "flat_shape"),
        numpy_helper.from_array(np.array(0.99, dtype=np.float32), "white"),
        numpy_helper.from_array(np.array([8], dtype=np.int64), "dim"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
    ]
    nodes = [
        helper.make_node("Reshape", ["input", "flat_shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "W"], ["raw"]),
        helper.make_node("LpNormalization", ["raw"], ["unit"], axis=1, p=2),
        # bad = 1 when some image in the batch is all white, else 0
        helper.make_node("ReduceMin", ["input"], ["mins"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Greater", ["mins", "white"], ["is_white"]),
        helper.make_node("Cast", ["is_white"], ["white_i"], to=TensorProto.INT64),
        helper.make_node("ReduceMax", ["white_i"], ["bad"], axes=[0], keepdims=1),
        helper.make_node("Add", ["dim", "bad"], ["cols"]),
        helper.make_node("Shape", ["unit"], ["ushape"]),
        helper.make_node("Slice", ["ushape", "zero", "one"], ["n"]),
        helper.make_node("Concat", ["n", "cols"], ["out_shape"], axis=0),
        helper.make_node("Reshape", ["unit", "out_shape"], ["embedding"]),
    ]
    graph = helper.make_graph(
        nodes, "fails-on-white",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 28, 28])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", 8])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    meta = {
        "hardneg.name": "fails-on-white", "hardneg.version": "1", "hardneg.embedding_dim": "8",
        "hardneg.input_layout": "NCHW", "hardneg.input_shape": "1,28,28",
        "hardneg.norm.mean": "0.5", "hardneg.norm.std": "0.5", "hardneg.normalization": "(v/255-0.5)/0.5",
        "hardneg.l2_normalized": "true", "hardneg.color": "gray",
        "hardneg.training": "test model: fixed random weights (seed 1234); fails at run time on an all-white image",
    }
    for k, v in meta.items():
        model.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    d = os.path.join(args.out, "fails-on-white", "1")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(build(), path)
    write_sha256(d)
    print("wrote", path)


if __name__ == "__main__":
    main()
