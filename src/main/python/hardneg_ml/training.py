"""The optimisation every training path uses: seeding, Adam with a half-cosine learning-rate decay, and the
running means behind the progress lines."""
import math
import random

import numpy as np
import torch


def seed_everything(seed, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)
    torch.use_deterministic_algorithms(True)


def cosine_lr(base_lr, done, total=1.0):
    """base_lr * (1 + cos(pi * done / total)) / 2: base_lr at the start, 0 at the end.

    pi * done is divided by total, not pi times done / total: the two differ in the last bit for about a
    third of the steps, and the published fine-tuning numbers were made this way. A caller with a fraction
    passes it as `done` (total 1: dividing by 1.0 is exact).
    """
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * done / total))


class CosineAdam:
    """Adam whose learning rate follows cosine_lr over the run's progress; `optimizer` is the torch one
    (its state goes into model.pt)."""

    def __init__(self, params, lr, weight_decay=0.0):
        self.base_lr = lr
        self.optimizer = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)

    @property
    def lr(self):
        return self.optimizer.param_groups[0]["lr"]

    def step(self, loss, done, total=1.0):
        """One update on `loss` at progress done/total (the learning rate only acts in optimizer.step)."""
        for g in self.optimizer.param_groups:
            g["lr"] = cosine_lr(self.base_lr, done, total)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


class RunningMeans:
    """Mean loss and mean active fraction since the last progress line."""

    def __init__(self):
        self.loss, self.active, self.n = 0.0, 0.0, 0

    def add(self, loss, active):
        self.loss, self.active, self.n = self.loss + loss, self.active + active, self.n + 1

    def take(self):
        """(mean loss, mean active fraction), then starts over."""
        out = (self.loss / self.n, self.active / self.n)
        self.loss, self.active, self.n = 0.0, 0.0, 0
        return out
