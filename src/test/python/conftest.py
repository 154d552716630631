import gzip
import os
import struct
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path[:0] = [os.path.join(REPO, "src", "main", "python"), HERE]

import torch  # noqa: E402

torch.set_num_threads(1)  # 1 thread: on shared, busy cores 2 OpenMP threads run ~3x slower

TINY_ARGS = ["--max-train", "600", "--epochs", "1", "--width", "4", "--dim", "16", "--p", "8", "--k", "4",
             "--seed", "7", "--threads", "1", "--log-every", "5", "--version", "3", "--name", "tiny-test"]


def write_idx(path, array):
    """Writes a uint8 IDX file (gzipped when path ends with .gz)."""
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.tobytes())


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A model trained for a few steps on 600 training images (~480 after holding out classes 6 and 9)."""
    import train
    out = tmp_path_factory.mktemp("tiny") / "tiny-test" / "3"
    metrics = train.main(TINY_ARGS + ["--out", str(out), "--no-eval"])
    assert metrics["steps"] > 0
    return out


@pytest.fixture(scope="session")
def small_test_split(tmp_path_factory):
    """The first 300 images of the bundled test split, written as a separate (uncompressed) IDX directory."""
    import data
    images, labels = data.load_split("test")
    d = tmp_path_factory.mktemp("small-test")
    write_idx(str(d / "t10k-images-idx3-ubyte"), images[:300])
    write_idx(str(d / "t10k-labels-idx1-ubyte"), labels[:300])
    return d
