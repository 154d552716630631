"""Recall@1 on the Fashion-MNIST 10k test split (query excluded from the gallery), model vs raw pixels."""
import argparse
import json
import os
import sys

import numpy as np
import torch

import data
from hardneg_ml.recall import embed, recall_table
from hardneg_ml.versions import write_metrics


def evaluate(model, held_out, data_dir=None):
    images, labels = data.load_split("test", data_dir)
    emb = embed(model, images)
    pixels = images.reshape(len(images), -1).astype(np.float64) / 255.0
    m = recall_table(emb, labels, held_out)
    b = recall_table(pixels, labels, held_out)
    metrics = {f"recall_at_1_{k}": v for k, v in m.items()}
    metrics.update({f"baseline_recall_at_1_{k}": v for k, v in b.items()})
    metrics.update({"images": int(len(images)), "held_out_classes": list(held_out),
                    "embedding_dim": int(emb.shape[1])})
    return metrics


def format_table(metrics):
    rows = ["| queries (gallery) | model Recall@1 | raw-pixel baseline |", "|---|---|---|"]
    names = {"seen": "seen classes (seen-class gallery)", "held_out": "held-out classes (all 10 classes)",
             "all": "all (all 10 classes)"}
    for k, label in names.items():
        rows.append(f"| {label} | {metrics[f'recall_at_1_{k}']:.4f} | {metrics[f'baseline_recall_at_1_{k}']:.4f} |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description="Evaluate a model directory (model.pt) on the test split.")
    ap.add_argument("model_dir")
    ap.add_argument("--data", default=None, help="directory with t10k-*-idx*-ubyte[.gz]")
    ap.add_argument("--held-out", default=None, help="default: the checkpoint's held-out classes")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="merge the results into MODEL_DIR/metrics.json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from model import load_checkpoint
    model, ckpt = load_checkpoint(os.path.join(args.model_dir, "model.pt"))
    held = data.parse_classes(args.held_out) if args.held_out is not None else list(ckpt["held_out"])
    metrics = evaluate(model, held, args.data)
    print(format_table(metrics), flush=True)
    if args.write:
        path = os.path.join(args.model_dir, "metrics.json")
        old = json.load(open(path)) if os.path.exists(path) else {}
        old.update(metrics)
        write_metrics(args.model_dir, old)
    json.dump(metrics, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
