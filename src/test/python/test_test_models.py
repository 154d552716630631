"""The committed Java test models are what their README says, and their reference outputs reproduce."""
import json
import os

import numpy as np
import onnx
import pytest

import onnx_numpy
from conftest import REPO

MODELS = os.path.join(REPO, "src", "test", "resources", "models")
EXPECTED = {  # name: (input shape, output shape without N, l2 in graph, has metadata)
    "tiny-rgb": ([3, 32, 32], [16], True, True),
    "unnormalised": ([1, 28, 28], [8], False, True),
    "bad-output-rank": ([1, 28, 28], [2, 4], True, True),
    "no-metadata": ([1, 28, 28], [8], True, False),
}


def _input(case):
    shape = case["input_shape"]
    if case["kind"] == "fill":
        return np.full(shape, 0.25, dtype=np.float32)
    n = int(np.prod(shape))
    return ((np.arange(n) % 251) / 250.0 - 0.5).astype(np.float32).reshape(shape)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_test_model(name):
    in_shape, out_shape, l2, has_meta = EXPECTED[name]
    d = os.path.join(MODELS, name, "1")
    m = onnx.load(os.path.join(d, "model.onnx"))
    onnx.checker.check_model(m)
    meta = {p.key: p.value for p in m.metadata_props}
    if has_meta:
        assert meta["hardneg.name"] == name and meta["hardneg.version"] == "1"
        assert meta["hardneg.input_shape"] == ",".join(map(str, in_shape))
        assert meta["hardneg.l2_normalized"] == ("true" if l2 else "false")
    else:
        assert not any(k.startswith("hardneg.") for k in meta)
    if name == "tiny-rgb":
        assert meta["hardneg.color"] == "rgb" and meta["hardneg.embedding_dim"] == "16"
        assert meta["hardneg.norm.mean"] == "0.485,0.456,0.406"
        assert meta["hardneg.norm.std"] == "0.229,0.224,0.225"
    dims = [d_.dim_value or d_.dim_param for d_ in m.graph.input[0].type.tensor_type.shape.dim]
    assert isinstance(dims[0], str) and dims[1:] == in_shape
    ref = json.load(open(os.path.join(d, "reference.json")))
    assert len(ref["cases"]) == 2
    for case in ref["cases"]:
        (y,) = onnx_numpy.run(m, {"input": _input(case)})
        assert list(y.shape) == [2] + out_shape == case["output_shape"]
        np.testing.assert_allclose(y, np.array(case["output"]), atol=1e-5, rtol=0)
        norms = np.linalg.norm(y.reshape(2, -1), axis=1)
        if l2:
            np.testing.assert_allclose(norms, 1.0, atol=1e-6)
        else:
            assert np.all(np.abs(norms - 1.0) > 0.5)
