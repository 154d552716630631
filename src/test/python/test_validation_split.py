"""The validation split (data.VALIDATION) decides every choice, so no training path may touch it."""
import numpy as np
import pytest
import torch

import data
import retrain
import train

N_TRAIN = 60000


@pytest.fixture(scope="module")
def marked_train_split(tmp_path_factory):
    """A 60k 'train' split of tiny images whose validation images are all white and the others all black."""
    from conftest import write_idx
    images = np.zeros((N_TRAIN, 28, 28), dtype=np.uint8)
    images[data.validation_indices(N_TRAIN)] = 255
    labels = np.arange(N_TRAIN) % 10
    d = tmp_path_factory.mktemp("marked-train")
    write_idx(str(d / "train-images-idx3-ubyte"), images)
    write_idx(str(d / "train-labels-idx1-ubyte"), labels)
    return d


def test_validation_is_the_train_splits_tail_and_its_complement_is_the_rest():
    idx = data.validation_indices(N_TRAIN)
    assert idx[0] == 55000 and idx[-1] == 59999 and len(idx) == 5000
    keep = data.outside_validation(N_TRAIN)
    assert keep.sum() == 55000 and not keep[idx].any()


def test_train_py_never_feeds_a_validation_image_to_the_model(marked_train_split, tmp_path, monkeypatch):
    seen = []
    from model import EmbeddingNet
    forward = EmbeddingNet.forward

    def recording_forward(self, x):
        seen.append(float(x.max()))
        return forward(self, x)

    monkeypatch.setattr(EmbeddingNet, "forward", recording_forward)
    args = train.parse_args(["--data", str(marked_train_split), "--epochs", "0.02", "--width", "4", "--dim", "8",
                             "--p", "8", "--k", "8", "--threads", "1", "--log-every", "1000", "--out",
                             str(tmp_path / "m")])
    model, _, _, _, _, steps, n = train.train(args)
    assert steps > 0 and seen
    assert n == int((~np.isin(np.arange(N_TRAIN) % 10, [6, 9]) & data.outside_validation(N_TRAIN)).sum())
    # A white image normalises to +1; every training batch here is black (-1).
    assert max(seen) < 0.0


def test_train_py_includes_validation_only_when_asked(marked_train_split, tmp_path):
    args = train.parse_args(["--data", str(marked_train_split), "--epochs", "0.001", "--width", "4", "--dim", "8",
                             "--threads", "1", "--out", str(tmp_path / "m"), "--include-validation"])
    *_, n = train.train(args)
    assert n == int((~np.isin(np.arange(N_TRAIN) % 10, [6, 9])).sum())


def test_retrain_replay_and_guard_split_are_disjoint(marked_train_split):
    images, labels, val_idx = retrain.validation_split("train", str(marked_train_split), None)
    assert (images == 255).all() and np.array_equal(val_idx, data.validation_indices(N_TRAIN))
    r_images, r_labels = retrain.load_replay([6, 9], str(marked_train_split), val_idx)
    assert len(r_labels) > 0 and (r_images == 0).all()


def test_the_shipped_model_records_its_validation_split():
    ckpt = torch.load(retrain.SHIPPED_MODEL + "/model.pt", map_location="cpu")
    assert ckpt.get("validation") == data.VALIDATION
