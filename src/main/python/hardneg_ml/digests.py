"""SHA-256 of model files: the `sha256` file beside every model.onnx (sha256sum format)."""
import hashlib
import os


def sha256_file(path):
    """Hex SHA-256 of a file, read in 1 MiB chunks (a heavy model is ~45 MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(blob):
    return hashlib.sha256(blob).hexdigest()


def write_sha256(model_dir, filename="model.onnx"):
    """Writes model_dir/sha256 as `sha256sum` does ("<hex>  <filename>\\n") and returns the hex digest."""
    digest = sha256_file(os.path.join(model_dir, filename))
    with open(os.path.join(model_dir, "sha256"), "w") as f:
        f.write(f"{digest}  {filename}\n")
    return digest


def read_sha256(model_dir):
    """The hex digest recorded in model_dir/sha256."""
    with open(os.path.join(model_dir, "sha256")) as f:
        return f.read().split()[0]
