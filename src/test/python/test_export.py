import hashlib
import json

import numpy as np
import onnx
import pytest
import torch

import data
import onnx_numpy
from model import load_checkpoint

KEYS = ["hardneg.name", "hardneg.version", "hardneg.embedding_dim", "hardneg.input_layout",
        "hardneg.input_shape", "hardneg.norm.mean", "hardneg.norm.std", "hardneg.normalization",
        "hardneg.l2_normalized", "hardneg.color", "hardneg.class_names", "hardneg.trained_classes",
        "hardneg.held_out_classes", "hardneg.alpha", "hardneg.training"]


@pytest.fixture(scope="module")
def onnx_model(tiny_model_dir):
    return onnx.load(str(tiny_model_dir / "model.onnx"))


def test_output_dir_has_every_artifact(tiny_model_dir):
    for name in ["model.onnx", "model.pt", "metrics.json", "sha256"]:
        assert (tiny_model_dir / name).is_file(), name


def test_checker_accepts_the_exported_model(onnx_model):
    onnx.checker.check_model(onnx_model)
    assert max(o.version for o in onnx_model.opset_import if o.domain in ("", "ai.onnx")) >= 13


def test_metadata_keys_and_values(onnx_model):
    meta = {p.key: p.value for p in onnx_model.metadata_props}
    assert set(KEYS) <= set(meta)
    assert meta["hardneg.name"] == "tiny-test"
    assert meta["hardneg.version"] == "3"
    assert meta["hardneg.embedding_dim"] == "16"
    assert meta["hardneg.input_layout"] == "NCHW"
    assert meta["hardneg.input_shape"] == "1,28,28"
    assert meta["hardneg.norm.mean"] == "0.5" and meta["hardneg.norm.std"] == "0.5"
    assert meta["hardneg.l2_normalized"] == "true"
    assert meta["hardneg.color"] == "gray"
    assert meta["hardneg.class_names"].split(",") == data.CLASS_NAMES
    assert meta["hardneg.trained_classes"] == "0,1,2,3,4,5,7,8"
    assert meta["hardneg.held_out_classes"] == "6,9"
    assert meta["hardneg.alpha"] == "0.2"
    assert "seed=7" in meta["hardneg.training"]


def test_input_and_output_names_types_and_dynamic_batch(onnx_model):
    (inp,), (out,) = onnx_model.graph.input, onnx_model.graph.output
    assert inp.name == "input" and out.name == "embedding"
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    in_dims = inp.type.tensor_type.shape.dim
    out_dims = out.type.tensor_type.shape.dim
    assert in_dims[0].dim_param and not in_dims[0].HasField("dim_value")
    assert [d.dim_value for d in in_dims[1:]] == [1, 28, 28]
    assert out_dims[0].dim_param == in_dims[0].dim_param
    assert len(out_dims) == 2 and out_dims[1].dim_value == 16


@pytest.mark.parametrize("batch", [1, 5])
def test_onnx_outputs_are_unit_length_and_match_pytorch(tiny_model_dir, onnx_model, batch):
    images, _ = data.load_split("test")
    x = data.normalize(images[:batch])
    (y,) = onnx_numpy.run(onnx_model, {"input": x})
    model, _ = load_checkpoint(str(tiny_model_dir / "model.pt"))
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    assert y.shape == (batch, 16)
    np.testing.assert_allclose(np.linalg.norm(y, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(y, ref, atol=1e-5, rtol=0)


def test_checkpoint_rebuilds_the_module_for_retraining(tiny_model_dir):
    model, ckpt = load_checkpoint(str(tiny_model_dir / "model.pt"))
    assert ckpt["version"] == "3" and ckpt["held_out"] == [6, 9]
    assert ckpt["config"]["width"] == 4 and ckpt["config"]["dim"] == 16
    assert "optimizer" in ckpt and not model.training


def test_sha256_file_matches_model_onnx(tiny_model_dir):
    line = (tiny_model_dir / "sha256").read_text()
    digest = hashlib.sha256((tiny_model_dir / "model.onnx").read_bytes()).hexdigest()
    assert line == f"{digest}  model.onnx\n"


def test_metrics_record_the_run(tiny_model_dir):
    m = json.load(open(tiny_model_dir / "metrics.json"))
    assert m["model_version"] == "3" and m["seed"] == 7 and m["held_out_classes"] == [6, 9]
    assert m["embedding_dim"] == 16 and m["epochs"] > 0 and "--max-train 600" in m["command"]
