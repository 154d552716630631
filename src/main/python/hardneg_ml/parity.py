"""The parity reference: the PyTorch module's embeddings of the first N test-split images, which a Java test
checks ONNX Runtime's output against (train.py --parity-out writes it; src/test/python/write_parity.py rewrites
it for a model folder)."""
import json
import os

import data
from hardneg_ml.recall import embed

DEFAULT_DIR = os.path.join(data.REPO_ROOT, "src", "test", "resources", "parity")


def write_parity(model, out_path, version, data_dir=None, n=256):
    images, labels = data.load_split("test", data_dir)
    emb = embed(model, images[:n])
    doc = {
        "model_version": str(version),
        "normalization": "(v/255-0.5)/0.5",
        "indices": list(range(n)),
        "labels": [int(v) for v in labels[:n]],
        # float32 values written as Python floats: repr is exact and round-trips to the same float32.
        "embeddings": [[float(v) for v in row] for row in emb],
    }
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    return out_path
