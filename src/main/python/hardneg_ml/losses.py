"""The FaceNet triplet loss (squared L2): online semi-hard mining in a labelled batch, or explicit triplets."""
import torch


def pairwise_sq_dist(e):
    sq = (e * e).sum(1)
    return (sq[:, None] + sq[None, :] - 2.0 * (e @ e.T)).clamp_min(0.0)


def semihard_triplet_loss(emb, labels, alpha=0.2):
    """FaceNet triplet loss with online semi-hard mining over every anchor-positive pair of the batch.

    For each (a, p): the negative is the closest one still farther than p (d_an > d_ap); when none is,
    the farthest negative (as TensorFlow Addons' triplet_semihard_loss). Squared L2 distances.
    Returns (loss, fraction of anchor-positive pairs with a non-zero loss).
    """
    d = pairwise_sq_dist(emb)
    n = len(labels)
    same = labels[:, None] == labels[None, :]
    pos = same & ~torch.eye(n, dtype=torch.bool)
    neg = ~same
    # Index arithmetic without gradients: per anchor, negatives sorted by distance; for each positive the
    # first negative strictly farther (searchsorted, right side). O(B^2 log B) instead of a [B,B,B] tensor.
    with torch.no_grad():
        dn_sorted, order = d.masked_fill(~neg, float("inf")).sort(1)
        first = torch.searchsorted(dn_sorted, d.contiguous(), right=True)      # [a, p]
        n_neg = neg.sum(1, keepdim=True)
        has_semi = first < n_neg
        semi_n = order.gather(1, first.clamp(max=n - 1))
        far_n = order.gather(1, (n_neg - 1).clamp(min=0)).expand(n, n)   # the fallback
        neg_idx = torch.where(has_semi, semi_n, far_n)
    chosen = d.gather(1, neg_idx)
    per_pair = torch.relu(d - chosen + alpha)[pos]
    return per_pair.mean(), float((per_pair > 0).float().mean())


def triplet_terms(ea, ep, en, alpha):
    """Per-triplet FaceNet loss relu(d_ap - d_an + alpha), squared L2."""
    return torch.relu(((ea - ep) ** 2).sum(1) - ((ea - en) ** 2).sum(1) + alpha)


def triplet_loss(ea, ep, en, alpha):
    """FaceNet loss on explicit triplets, squared L2: mean relu(d_ap - d_an + alpha); and the active fraction."""
    per = triplet_terms(ea, ep, en, alpha)
    return per.mean(), float((per > 0).float().mean())


def reduce_loss(per, reducer):
    """'mean' over every triplet, or 'nonzero': over the active ones only (pytorch-metric-learning's
    AvgNonZeroReducer), so that a batch of mostly solved triplets still moves the model by its active ones."""
    if reducer == "nonzero":
        active = per > 0
        return per[active].mean() if bool(active.any()) else per.sum() * 0.0
    return per.mean()
