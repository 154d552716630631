"""What a training step draws: P x K batches of labelled images, or random replay triplets of the base data."""
import numpy as np


class PKSampler:
    """P classes x K images per class per batch; each class's indices are consumed in shuffled order."""

    def __init__(self, labels, p, k, rng):
        self.rng = rng
        self.classes = sorted(set(int(v) for v in labels))
        self.p = min(p, len(self.classes))
        self.k = k
        self.by_class = {c: np.flatnonzero(labels == c) for c in self.classes}
        self.queues = {c: [] for c in self.classes}

    def _take(self, c):
        out = []
        while len(out) < self.k:
            if not len(self.queues[c]):
                self.queues[c] = list(self.rng.permutation(self.by_class[c]))
            out.append(self.queues[c].pop())
        return out

    def batch(self):
        classes = self.rng.permutation(self.classes)[:self.p]
        return np.array([i for c in classes for i in self._take(int(c))])


class ReplaySampler:
    """Random triplets from the base training data: anchor and positive of one class, negative of another."""

    def __init__(self, images, labels, rng):
        self.images = images
        self.labels = labels
        self.rng = rng
        self.classes = np.array(sorted(set(int(v) for v in labels)))
        self.by_class = {int(c): np.flatnonzero(labels == c) for c in self.classes}

    def sample(self, n):
        ca = self.rng.choice(self.classes, n)
        cn = np.array([self.rng.choice(self.classes[self.classes != c]) for c in ca])
        a = np.array([self.rng.choice(self.by_class[int(c)]) for c in ca])
        p = np.array([self.rng.choice(self.by_class[int(c)]) for c in ca])
        ng = np.array([self.rng.choice(self.by_class[int(c)]) for c in cn])
        return self.images[a], self.images[p], self.images[ng]
