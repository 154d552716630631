"""Fashion-MNIST IDX reading (gzipped or not) and the model's input normalisation."""
import gzip
import os
import struct

import numpy as np

CLASS_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
# The 10k test split is bundled in the repository; the 60k train split comes from Debian's
# dataset-fashion-mnist package.  Nothing is ever downloaded.
BUNDLED_DIR = os.path.join(REPO_ROOT, "src", "main", "resources", "data", "fashion-mnist")
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"

_PREFIX = {"train": "train", "test": "t10k"}
_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

# (v/255 - MEAN) / STD, i.e. v/255*2-1: written into the ONNX metadata so Java does the same.
NORM_MEAN = 0.5
NORM_STD = 0.5


def read_idx(path):
    """Reads one IDX file (plain or .gz) into a numpy array of its declared shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic {data[:4].hex()})")
    dtype, ndim = data[2], data[3]
    if dtype not in _DTYPES:
        raise ValueError(f"{path}: unknown IDX element type 0x{dtype:02x}")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=_DTYPES[dtype], offset=4 + 4 * ndim)
    expected = int(np.prod(shape)) if shape else 1
    if arr.size != expected:
        raise ValueError(f"{path}: expected {expected} elements for shape {shape}, found {arr.size}")
    return arr.reshape(shape)


def _find(data_dir, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"neither {stem} nor {stem}.gz in {data_dir}")


def default_dir(split):
    """Where a split lives when --data is not given: the bundled copy for test, Debian's for train."""
    if split == "test" and os.path.isdir(BUNDLED_DIR):
        return BUNDLED_DIR
    return DEBIAN_DIR


def load_split(split, data_dir=None):
    """Returns (images uint8 [N,28,28], labels int64 [N]) of 'train' or 'test'."""
    if split not in _PREFIX:
        raise ValueError(f"split must be one of {sorted(_PREFIX)}, got {split!r}")
    data_dir = data_dir or default_dir(split)
    prefix = _PREFIX[split]
    images = read_idx(_find(data_dir, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(data_dir, f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
    if images.ndim != 3 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{data_dir}: images {images.shape} do not match labels {labels.shape}")
    return images, labels


# The validation split: the train split's last 5,000 images (all classes). It decides every choice (the
# retraining guard, the flywheel's sweeps) and so is held apart from training, replay and stream alike; the
# test split reports once. Its definition ships in each model's checkpoint and metrics.json.
VALIDATION = {"split": "train", "start": 55000, "stop": 60000}


def validation_indices(n_train=60000, spec=None):
    """Indices of the validation split inside a train split of n_train images."""
    spec = spec or VALIDATION
    start, stop = min(spec["start"], n_train), min(spec["stop"], n_train)
    return np.arange(start, stop)


def outside_validation(n_train=60000, spec=None):
    """Boolean mask [n_train]: True for the train images a training path may touch."""
    keep = np.ones(n_train, dtype=bool)
    keep[validation_indices(n_train, spec)] = False
    return keep


def normalize(images):
    """uint8 [N,28,28] (or [N,1,28,28]) -> float32 [N,1,28,28] with (v/255-0.5)/0.5."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 3:
        x = x[:, None, :, :]
    return ((x / 255.0 - NORM_MEAN) / NORM_STD).astype(np.float32)


def parse_classes(text):
    """'6,9' -> [6, 9]; '' -> []."""
    return sorted({int(t) for t in str(text).split(",") if t.strip() != ""})
