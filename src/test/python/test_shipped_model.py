"""The committed default model, its metrics and the parity reference the Java test uses agree."""
import hashlib
import json
import os

import numpy as np
import onnx
import torch

import data
import onnx_numpy
from conftest import REPO
from model import load_checkpoint

MODEL_DIR = os.path.join(REPO, "src", "main", "resources", "models", "fashion-triplet", "1")
PARITY = os.path.join(REPO, "src", "test", "resources", "parity", "fashion-triplet-1.json")


def test_model_dir_is_complete_and_small():
    for name in ["model.onnx", "model.pt", "metrics.json", "sha256"]:
        p = os.path.join(MODEL_DIR, name)
        assert os.path.isfile(p), p
        assert os.path.getsize(p) < 5 * 1024 * 1024, p


def test_sha256_matches():
    digest = hashlib.sha256(open(os.path.join(MODEL_DIR, "model.onnx"), "rb").read()).hexdigest()
    assert open(os.path.join(MODEL_DIR, "sha256")).read() == f"{digest}  model.onnx\n"


def test_metadata_describes_the_default_model():
    m = onnx.load(os.path.join(MODEL_DIR, "model.onnx"))
    onnx.checker.check_model(m)
    meta = {p.key: p.value for p in m.metadata_props}
    assert meta["hardneg.name"] == "fashion-triplet" and meta["hardneg.version"] == "1"
    assert meta["hardneg.embedding_dim"] == "64" and meta["hardneg.input_shape"] == "1,28,28"
    assert meta["hardneg.trained_classes"] == "0,1,2,3,4,5,7,8" and meta["hardneg.held_out_classes"] == "6,9"
    assert meta["hardneg.l2_normalized"] == "true" and meta["hardneg.alpha"] == "0.2"


def test_metrics_beat_the_raw_pixel_baseline():
    m = json.load(open(os.path.join(MODEL_DIR, "metrics.json")))
    assert m["images"] == 10000 and m["model_version"] == "1" and m["held_out_classes"] == [6, 9]
    assert m["recall_at_1_seen"] > m["baseline_recall_at_1_seen"]
    assert m["recall_at_1_seen"] >= 0.85
    for k in ["embedding_dim", "seed", "train_seconds", "epochs", "command"]:
        assert k in m, k


def test_parity_reference_matches_pytorch_and_onnx():
    ref = json.load(open(PARITY))
    assert ref["model_version"] == "1" and ref["indices"] == list(range(256))
    emb = np.array(ref["embeddings"], dtype=np.float64)
    assert emb.shape == (256, 64)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    images, _ = data.load_split("test")
    x = data.normalize(images[:256])
    model, _ = load_checkpoint(os.path.join(MODEL_DIR, "model.pt"))
    with torch.no_grad():
        np.testing.assert_allclose(model(torch.from_numpy(x)).numpy(), emb, atol=1e-5, rtol=0)
    (y,) = onnx_numpy.run(onnx.load(os.path.join(MODEL_DIR, "model.onnx")), {"input": x})
    np.testing.assert_allclose(y, emb, atol=1e-4, rtol=0)
