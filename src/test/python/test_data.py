import gzip
import os

import numpy as np
import pytest

import data
from conftest import write_idx


def test_bundled_test_split_loads_from_gz():
    assert os.path.exists(os.path.join(data.BUNDLED_DIR, "t10k-images-idx3-ubyte.gz"))
    images, labels = data.load_split("test", data.BUNDLED_DIR)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,)
    assert np.bincount(labels).tolist() == [1000] * 10
    assert labels[:5].tolist() == [9, 2, 1, 1, 6]  # Ankle boot, Pullover, Trouser, Trouser, Shirt
    assert images.max() == 255 and images.min() == 0


def test_bundled_copy_is_small_and_licensed():
    total = sum(os.path.getsize(os.path.join(data.BUNDLED_DIR, f)) for f in os.listdir(data.BUNDLED_DIR))
    assert total < 5 * 1024 * 1024
    assert "Zalando" in open(os.path.join(data.BUNDLED_DIR, "LICENSE")).read()


def test_reads_plain_and_gzipped_idx_alike(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(str(tmp_path / "a"), arr)
    write_idx(str(tmp_path / "b.gz"), arr)
    assert np.array_equal(data.read_idx(str(tmp_path / "a")), arr)
    assert np.array_equal(data.read_idx(str(tmp_path / "b.gz")), arr)


def test_rejects_a_file_that_is_not_idx(tmp_path):
    p = tmp_path / "x.gz"
    with gzip.open(str(p), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\nrest")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(str(p))


def test_rejects_truncated_idx(tmp_path):
    p = tmp_path / "t"
    write_idx(str(p), np.zeros((2, 2), dtype=np.uint8))
    with open(str(p), "ab") as f:
        f.write(b"\x00")
    with pytest.raises(ValueError, match="expected 4 elements"):
        data.read_idx(str(p))


def test_normalisation_maps_0_255_to_minus1_plus1():
    x = data.normalize(np.array([[[0, 255], [51, 127.5]]], dtype=np.float32))
    assert x.shape == (1, 1, 2, 2) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0], [[-1.0, 1.0], [51 / 255 * 2 - 1, 0.0]], atol=1e-7)


def test_parse_classes():
    assert data.parse_classes("9, 6") == [6, 9]
    assert data.parse_classes("") == []
