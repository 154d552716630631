"""An offline model of the service's miner, for fast sweeps of the mining rules (never for the reported claim).

It replays a labeled stream in order against a causal memory bank (each label's `per_label` most recent earlier
images, as `bank.per-label`) and applies the same rules as io.hardneg.mining.TripletMiner:

  positive   `farthest` | `nearest` | `random` same-label bank row (not the anchor itself)
  negative   among other-label rows with gap = d(a,n) - d(a,p) in [-gap_floor, alpha) (squared L2):
             `hardest` (closest first), `soft` (probability ~ exp(-beta * d_an)), `distance-weighted`
             (Wu et al. 2017; weights 1/q(x) for x = sqrt(d_an) clipped at `cutoff`, zero beyond
             `nonzero_loss_cutoff`, as pytorch-metric-learning's DistanceWeightedMiner), all sampled without
             replacement by Gumbel-top-k
  anchors    with anchor_share s < 1, an image of label l becomes an anchor with probability p_l = min(1, lam c_l),
             c_l = max(0.02, 1 - kNN label purity of label l's bank rows), lam set so that mean p_l = s

The Java miner draws its random numbers from each record's id; this model draws them from `rng`, so the two
agree in distribution, not draw for draw. The service's duplicate filters and suspect routing are not modelled.
"""
import dataclasses

import numpy as np

EPS_CONFUSION = 0.02


@dataclasses.dataclass(frozen=True)
class Rules:
    positive: str = "farthest"
    negative: str = "hardest"
    beta: float = 5.0
    gap_floor: float = float("inf")
    anchor_share: float = 1.0
    positives_per_anchor: int = 1
    negatives_per_positive: int = 3
    alpha: float = 0.2
    cutoff: float = 0.5
    nonzero_loss_cutoff: float = 1.4
    budget_k: int = 10
    budget_sample: int = 64

    @staticmethod
    def parse(text):
        """'positive=random,negative=soft,beta=5' -> Rules (keys as the fields, '-' or '_')."""
        kw = {}
        fields = {f.name: f.type for f in dataclasses.fields(Rules)}
        for part in filter(None, (t.strip() for t in text.split(","))):
            k, _, v = part.partition("=")
            k = k.strip().replace("-", "_")
            if k not in fields:
                raise ValueError(f"unknown mining rule {k!r}; known: {', '.join(fields)}")
            kw[k] = v.strip() if fields[k] in (str, "str") else (
                int(v) if fields[k] in (int, "int") else float(v))
        r = Rules(**kw)
        if r.positive not in ("farthest", "nearest", "random"):
            raise ValueError(f"positive must be farthest|nearest|random, found {r.positive!r}")
        if r.negative not in ("hardest", "soft", "distance-weighted"):
            raise ValueError(f"negative must be hardest|soft|distance-weighted, found {r.negative!r}")
        if not 0 < r.anchor_share <= 1:
            raise ValueError(f"anchor_share must be in (0, 1], found {r.anchor_share}")
        return r

    def as_config(self):
        """The service's configuration keys for these rules."""
        return {"mining.positive": self.positive, "mining.negative": self.negative,
                "mining.soft.beta": self.beta,
                "mining.gap-floor": "none" if np.isinf(self.gap_floor) else self.gap_floor,
                "mining.anchor-share": self.anchor_share,
                "mining.positives-per-anchor": self.positives_per_anchor,
                "mining.negatives-per-positive": self.negatives_per_positive, "mining.alpha": self.alpha}


def negative_log_weights(rules, d_an, dim):
    """Log sampling weight of each candidate negative (squared distances d_an)."""
    if rules.negative == "soft":
        return -rules.beta * d_an
    if rules.negative == "distance-weighted":
        x = np.maximum(np.sqrt(np.maximum(d_an, 0.0)), rules.cutoff)
        lw = (2.0 - dim) * np.log(x) - ((dim - 3) / 2.0) * np.log(np.maximum(1.0 - 0.25 * x * x, 1e-8))
        lw = lw - lw.max() if len(lw) else lw
        return np.where(x < rules.nonzero_loss_cutoff, lw, -np.inf)
    raise ValueError(rules.negative)


def gumbel_top_k(log_w, k, rng):
    """Indices of k draws without replacement with probability ~ exp(log_w) (Gumbel-top-k)."""
    finite = np.isfinite(log_w)
    if not finite.any():
        return np.empty(0, dtype=np.int64)
    g = log_w - np.log(-np.log(rng.uniform(1e-300, 1.0, len(log_w))))
    g[~finite] = -np.inf
    order = np.argsort(-g, kind="stable")
    return order[:min(k, int(finite.sum()))]


def water_fill(confusion, share):
    """p_l = min(1, lam * c_l) with mean p_l = share."""
    c = np.asarray(confusion, dtype=np.float64)
    p = np.ones_like(c)
    free = np.ones(len(c), dtype=bool)
    target = share * len(c)
    for _ in range(len(c)):
        lam = (target - (~free).sum()) / c[free].sum()
        p[free] = lam * c[free]
        over = free & (p > 1.0)
        if not over.any():
            break
        p[over] = 1.0
        free &= ~over
    return np.minimum(p, 1.0)


def label_purity(bank_emb, bank_lab, k, sample, rng):
    """Per label present in the bank: mean fraction of a row's k nearest other bank rows sharing its label."""
    out = {}
    sq = (bank_emb * bank_emb).sum(1)
    for lab in np.unique(bank_lab):
        rows = np.flatnonzero(bank_lab == lab)
        if len(rows) > sample:
            rows = rng.choice(rows, sample, replace=False)
        d = sq[rows, None] + sq[None, :] - 2.0 * bank_emb[rows] @ bank_emb.T
        d[np.arange(len(rows)), rows] = np.inf
        kk = min(k, len(bank_lab) - 1)
        if kk < 1:
            out[int(lab)] = 1.0
            continue
        nn = np.argpartition(d, kk - 1, axis=1)[:, :kk]
        out[int(lab)] = float((bank_lab[nn] == lab).mean())
    return out


def mine(emb, labels, rules, rng, per_label=256, batch=64, stats=None, refresh=512):
    """Mines the stream (emb [N,D] unit rows, labels [N]) in order; returns int64 [M,3] (anchor, pos, neg)
    indices into the stream and float [M] gaps. `stats`, if a dict, receives the last anchor budget. The
    anchor budget is recomputed from the bank every `refresh` streamed images."""
    n, dim = emb.shape
    emb = emb.astype(np.float64)
    out, gaps = [], []
    history = {}
    budget, refreshed = None, -refresh
    for start in range(0, n, batch):
        bank = np.array(sorted(i for rows in history.values() for i in rows[-per_label:]), dtype=np.int64)
        stop = min(n, start + batch)
        for i in range(start, stop):
            history.setdefault(int(labels[i]), []).append(i)
        if len(bank) == 0:
            continue
        b_emb, b_lab = emb[bank], labels[bank]
        if rules.anchor_share < 1.0 and start - refreshed >= refresh:
            refreshed = start
            purity = label_purity(b_emb, b_lab, rules.budget_k, rules.budget_sample, rng)
            labs = sorted(purity)
            p = water_fill([max(EPS_CONFUSION, 1.0 - purity[l]) for l in labs], rules.anchor_share)
            budget = dict(zip(labs, p))
            if stats is not None:
                stats["budget"] = {int(l): float(v) for l, v in budget.items()}
                stats["purity"] = purity
        q = emb[start:stop]
        d = np.maximum(2.0 - 2.0 * q @ b_emb.T, 0.0)  # unit rows: squared L2
        for j, i in enumerate(range(start, stop)):
            lab = int(labels[i])
            if budget is not None and rng.uniform() >= budget.get(lab, 1.0):
                continue
            same = b_lab == lab
            if not same.any():
                continue
            pos_cols = np.flatnonzero(same)
            dp = d[j, pos_cols]
            k_pos = min(rules.positives_per_anchor, len(pos_cols))
            if rules.positive == "farthest":
                pick = np.argsort(-dp, kind="stable")[:k_pos]
            elif rules.positive == "nearest":
                pick = np.argsort(dp, kind="stable")[:k_pos]
            else:
                pick = rng.choice(len(pos_cols), k_pos, replace=False)
            neg_cols = np.flatnonzero(~same)
            dn_all = d[j, neg_cols]
            for pc in pick:
                d_ap = dp[pc]
                gap = dn_all - d_ap
                ok = (gap < rules.alpha) & (gap >= -rules.gap_floor)
                cand = np.flatnonzero(ok)
                if len(cand) == 0:
                    continue
                if rules.negative == "hardest":
                    chosen = cand[np.argsort(dn_all[cand], kind="stable")[:rules.negatives_per_positive]]
                else:
                    lw = negative_log_weights(rules, dn_all[cand], dim)
                    chosen = cand[gumbel_top_k(lw, rules.negatives_per_positive, rng)]
                for c in chosen:
                    out.append((i, bank[pos_cols[pc]], bank[neg_cols[c]]))
                    gaps.append(gap[c])
    return np.array(out, dtype=np.int64).reshape(-1, 3), np.array(gaps)


def random_triplets(labels, n, rng):
    """N random triplets of the streamed images: anchor and positive of one label, negative of another."""
    by_label = {int(c): np.flatnonzero(labels == c) for c in np.unique(labels)}
    a = rng.randint(0, len(labels), n)
    p = np.array([rng.choice(by_label[int(labels[i])]) for i in a])
    ng = np.array([rng.choice(np.flatnonzero(labels != labels[i])) for i in a])
    return np.stack([a, p, ng], 1)
