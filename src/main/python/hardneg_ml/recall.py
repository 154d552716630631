"""Retrieval scores split by class group: Recall@1 (and MAP@R) of seen-class and held-out-class queries, the
query never its own neighbour; squared L2 on the embeddings."""
import numpy as np
import torch

import data

# The shipped model's held-out classes, by name in the flywheel's reports.
HELD_OUT_NAMES = {6: "shirt", 9: "ankle_boot"}


@torch.no_grad()
def embed(model, images, batch=1000):
    model.eval()
    x = data.normalize(images)
    out = [model(torch.from_numpy(x[i:i + batch])) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy()


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


def model_recall_table(model, images, labels, held_out):
    """recall_table of the model's embeddings of the images."""
    return recall_table(embed(model, images), labels, held_out)


def retrieval(emb, labels, query_mask, gallery_mask, order_k):
    """Recall@1 and MAP@R (Musgrave et al. 2020) of the queries against the gallery (a query never retrieves
    itself). MAP@R: per query, R = its label's gallery count; precision at each relevant rank among the R
    nearest, summed and divided by R. order_k: the nearest gallery columns of every row, nearest first."""
    q = np.flatnonzero(query_mask)
    y = labels
    g_lab = y[order_k[q]]
    rel = g_lab == y[q][:, None]
    r = np.array([int(((labels == y[i]) & gallery_mask).sum() - int(gallery_mask[i])) for i in q])
    ranks = np.arange(1, order_k.shape[1] + 1)[None, :]
    within = ranks <= r[:, None]
    prec = np.cumsum(rel, 1) / ranks
    ap = (prec * rel * within).sum(1) / np.maximum(r, 1)
    return float(rel[:, 0].mean()), float(ap.mean())


def group_scores(model, images, labels, held_out):
    """Recall@1 and MAP@R: held-out queries (and each held-out class) vs the full gallery, seen vs seen."""
    emb = torch.as_tensor(embed(model, images), dtype=torch.float32)
    held = np.isin(labels, held_out)
    d = (emb * emb).sum(1)[:, None] + (emb * emb).sum(1)[None, :] - 2.0 * emb @ emb.T
    d.fill_diagonal_(float("inf"))
    kmax = int(max(np.bincount(labels))) + 1
    full_order = d.topk(kmax, dim=1, largest=False).indices.numpy()
    d[:, torch.as_tensor(held)] = float("inf")
    seen_order = d.topk(kmax, dim=1, largest=False).indices.numpy()
    full = np.ones(len(labels), dtype=bool)
    out = {}
    out["held_out"], out["map_r_held_out"] = retrieval(emb, labels, held, full, full_order)
    out["seen"], out["map_r_seen"] = retrieval(emb, labels, ~held, ~held, seen_order)
    out["all"], _ = retrieval(emb, labels, full, full, full_order)
    for c in held_out:
        name = HELD_OUT_NAMES.get(int(c), f"class_{int(c)}")
        out[name], out[f"map_r_{name}"] = retrieval(emb, labels, labels == c, full, full_order)
    return out
