"""Fine-tuning a trained model on explicit triplets (mined ones, beside replay of its base data): the step of
retrain.py, and of each flywheel arm."""
import copy
import dataclasses
import time

import numpy as np
import torch

import data
from hardneg_ml.log import prefixed
from hardneg_ml.losses import reduce_loss, triplet_terms
from hardneg_ml.training import CosineAdam, RunningMeans

log = prefixed("retrain")  # its progress lines are retrain.py's (the flywheel fine-tunes silently)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How the mined triplets are trained on, beside replay of the base data.

    replay: random base triplets per mined one in each step; reducer: the mined term's reduction ('mean' keeps
    one loss over mined + replay triplets as before, 'nonzero' averages the mined term over its active triplets
    and adds the replay term separately, weighted replay_weight); distill: weight of a term keeping the new
    embeddings of the replay images near the previous version's ("Learning without Forgetting", Li & Hoiem
    2016), 0 = off.
    """
    steps: int = 300
    batch: int = 32
    replay: float = 1.0
    lr: float = 1e-4
    reducer: str = "mean"
    replay_weight: float = 1.0
    distill: float = 1.0
    freeze_bn: bool = True
    weight_decay: float = 0.0


RECIPE_DEFAULTS = Recipe()


def recipe_fields():
    """Recipe's field names and types (what --recipe key=value may set)."""
    return {f.name: f.type for f in dataclasses.fields(Recipe)}


def recipe_dict(recipe):
    return {k: getattr(recipe, k) for k in recipe.__dataclass_fields__}


def fine_tune(model, mined, replay, steps, batch, replay_per_mined, lr, alpha, seed, weight_decay=0.0,
              freeze_bn=True, log_every=50, reducer="mean", replay_weight=1.0, distill=0.0):
    """Fine-tunes `model` in place on the mined triplets (uint8 arrays a, p, n) plus replay triplets.

    Each step: `batch` mined triplets (shuffled passes over them) and round(batch * replay_per_mined) replay
    triplets. With reducer 'mean' one triplet loss covers both; with 'nonzero' the mined term is averaged over
    its active triplets and the replay term (also active-averaged) is added with weight `replay_weight`.
    `distill` > 0 adds distill * mean squared distance between the new and the starting model's embeddings of
    the replay images. Adam with cosine decay, no weight decay by default (with Adam it would pull every weight
    toward 0 at ~lr per step while most triplets are inactive). BatchNorm statistics stay frozen by default
    (the mined batches are far from the training distribution). Returns (model, the torch optimizer).
    """
    rng = np.random.RandomState(seed)
    torch.manual_seed(seed)
    a_all, p_all, n_all = mined
    m = len(a_all)
    n_replay = int(round(batch * replay_per_mined)) if replay is not None else 0
    teacher = None
    if distill > 0 and n_replay:
        teacher = copy.deepcopy(model).eval()
        for prm in teacher.parameters():
            prm.requires_grad_(False)
    opt = CosineAdam(model.parameters(), lr=lr, weight_decay=weight_decay)
    order, pos = rng.permutation(m), 0
    start, means = time.time(), RunningMeans()
    for step in range(steps):
        take = []
        while len(take) < min(batch, m):
            if pos >= m:
                order, pos = rng.permutation(m), 0
            take.append(order[pos])
            pos += 1
        take = np.array(take)
        parts = [(a_all[take], p_all[take], n_all[take])]
        if n_replay:
            parts.append(replay.sample(n_replay))
        a = np.concatenate([x[0] for x in parts])
        p = np.concatenate([x[1] for x in parts])
        n = np.concatenate([x[2] for x in parts])
        model.train()
        if freeze_bn:
            for mod in model.modules():
                if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                    mod.eval()
        x = torch.from_numpy(data.normalize(np.concatenate([a, p, n])))
        e = model(x)
        b = len(a)
        per = triplet_terms(e[:b], e[b:2 * b], e[2 * b:], alpha)
        bm = len(take)
        if reducer == "mean":
            loss = per.mean()
        else:
            loss = reduce_loss(per[:bm], reducer)
            if n_replay:
                loss = loss + replay_weight * reduce_loss(per[bm:], reducer)
        if teacher is not None:
            # The replay images' rows of the three blocks: anchors, positives and negatives alike.
            rows = torch.cat([torch.arange(bm, b) + o for o in (0, b, 2 * b)])
            with torch.no_grad():
                old = teacher(x[rows])
            loss = loss + distill * ((e[rows] - old) ** 2).sum(1).mean()
        opt.step(loss, step, max(steps, 1))
        means.add(float(loss), float((per > 0).float().mean()))
        if log_every and ((step + 1) % log_every == 0 or step + 1 == steps):
            mean_loss, mean_active = means.take()
            log(f"step {step + 1:5d}/{steps} loss {mean_loss:.4f} active {mean_active:.3f} "
                f"lr {opt.lr:.2e} elapsed {time.time() - start:.1f}s")
    model.eval()
    return model, opt.optimizer


def fine_tune_recipe(model, mined, replay, recipe, alpha, seed, log_every=0):
    """fine_tune with a Recipe."""
    return fine_tune(model, mined, replay, recipe.steps, recipe.batch, recipe.replay, recipe.lr, alpha, seed,
                     weight_decay=recipe.weight_decay, freeze_bn=recipe.freeze_bn, log_every=log_every,
                     reducer=recipe.reducer, replay_weight=recipe.replay_weight, distill=recipe.distill)
