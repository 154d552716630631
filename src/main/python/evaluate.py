"""Recall@1 on the Fashion-MNIST 10k test split (query excluded from the gallery), model vs raw pixels."""
import argparse
import json
import os
import sys

import numpy as np
import torch

import data


def recall_at_1(features, labels, query_mask, gallery_mask, chunk=1024):
    """Fraction of queries whose nearest gallery item (squared L2, the query itself excluded) shares its label.

    features [N,F], labels [N]; query_mask and gallery_mask are boolean [N] over the same N items.
    """
    x = torch.as_tensor(np.asarray(features), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(labels))
    q_idx = torch.nonzero(torch.as_tensor(np.asarray(query_mask, dtype=bool))).flatten()
    g_idx = torch.nonzero(torch.as_tensor(np.asarray(gallery_mask, dtype=bool))).flatten()
    if len(q_idx) == 0:
        return float("nan")
    g = x[g_idx]
    g_sq = (g * g).sum(1)
    hits = 0
    for s in range(0, len(q_idx), chunk):
        qi = q_idx[s:s + chunk]
        q = x[qi]
        d = (q * q).sum(1, keepdim=True) + g_sq[None, :] - 2.0 * (q @ g.T)
        d[qi[:, None] == g_idx[None, :]] = float("inf")  # a query is never its own neighbour
        nn_ = g_idx[d.argmin(1)]
        hits += int((y[nn_] == y[qi]).sum())
    return hits / len(q_idx)


def recall_table(features, labels, held_out, chunk=1024):
    """Recall@1 for 'seen' (seen queries, seen gallery), 'held_out' (held-out queries, full gallery) and
    'all' (every query, full gallery); one pass over the distance matrix serves all three."""
    x = torch.as_tensor(np.asarray(features), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(labels))
    held = torch.as_tensor(np.isin(np.asarray(labels), held_out))
    sq = (x * x).sum(1)
    hits = {"seen": 0, "held_out": 0, "all": 0}
    for s in range(0, len(x), chunk):
        q = x[s:s + chunk]
        rows = torch.arange(s, s + len(q))
        d = sq[s:s + chunk, None] + sq[None, :] - 2.0 * (q @ x.T)
        d[rows - s, rows] = float("inf")  # a query is never its own neighbour
        ok_all = y[d.argmin(1)] == y[rows]
        ok_seen = y[d.masked_fill(held[None, :], float("inf")).argmin(1)] == y[rows]
        hits["all"] += int(ok_all.sum())
        hits["held_out"] += int(ok_all[held[rows]].sum())
        hits["seen"] += int(ok_seen[~held[rows]].sum())
    n_held = int(held.sum())
    n_seen = len(x) - n_held
    return {"seen": hits["seen"] / n_seen if n_seen else float("nan"),
            "held_out": hits["held_out"] / n_held if n_held else float("nan"),
            "all": hits["all"] / len(x)}


@torch.no_grad()
def embed(model, images, batch=1000):
    model.eval()
    x = data.normalize(images)
    out = [model(torch.from_numpy(x[i:i + batch])) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy()


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
        with open(path, "w") as f:
            json.dump(old, f, indent=2, sort_keys=True)
            f.write("\n")
    json.dump(metrics, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
