import numpy as np
import pytest
import torch

import train
from conftest import TINY_ARGS
from hardneg_ml import losses
from hardneg_ml.samplers import PKSampler
from model import EmbeddingNet, load_checkpoint


def test_semihard_loss_picks_the_closest_negative_farther_than_the_positive():
    # 1-D unit "embeddings" are not needed for the loss; use points on a line (2-D, second coord 0).
    e = torch.tensor([[0.0, 0.0], [0.3, 0.0], [0.5, 0.0], [2.0, 0.0]])
    y = torch.tensor([0, 0, 1, 1])
    loss, active = losses.semihard_triplet_loss(e, y, alpha=0.2)
    # pairs (a,p): (0,1) d_ap=.09, negatives 2 (.25) and 3 (4.0): semi-hard = .25 -> relu(.09-.25+.2)=.04
    # (1,0) d_ap=.09, negatives .04 and 2.89: closest farther than .09 is 2.89 -> 0
    # (2,3) d_ap=2.25, negatives .25 and .04: none farther -> the farthest (.25) -> 2.2
    # (3,2) d_ap=2.25, negatives 4.0 and 2.89: closest farther is 2.89 -> 0
    assert float(loss) == pytest.approx((0.04 + 0 + 2.2 + 0) / 4, abs=1e-6)
    assert active == pytest.approx(0.5)


def test_pk_sampler_draws_k_images_of_p_classes():
    labels = np.repeat(np.arange(8), 10)
    s = PKSampler(labels, p=4, k=3, rng=np.random.RandomState(0))
    for _ in range(20):
        b = s.batch()
        assert len(b) == 12
        counts = np.bincount(labels[b], minlength=8)
        assert sorted(counts[counts > 0].tolist()) == [3, 3, 3, 3]


def test_embeddings_are_unit_vectors():
    net = EmbeddingNet(width=4, dim=8).eval()
    with torch.no_grad():
        y = net(torch.randn(3, 1, 28, 28))
    np.testing.assert_allclose(y.norm(dim=1).numpy(), 1.0, atol=1e-6)


def test_training_is_deterministic_for_a_seed(tiny_model_dir, tmp_path):
    train.main(TINY_ARGS + ["--out", str(tmp_path), "--no-eval"])
    a, _ = load_checkpoint(str(tiny_model_dir / "model.pt"))
    b, _ = load_checkpoint(str(tmp_path / "model.pt"))
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(va, vb), k


def test_held_out_classes_never_reach_training(monkeypatch):
    seen = []
    real = losses.semihard_triplet_loss

    def spy(emb, labels, alpha):
        seen.extend(labels.tolist())
        return real(emb, labels, alpha)

    monkeypatch.setattr(losses, "semihard_triplet_loss", spy)
    args = train.parse_args(["--max-train", "400", "--epochs", "1", "--width", "2", "--dim", "4", "--k", "2",
                             "--out", "unused", "--held-out", "6,9,0"])
    train.train(args)
    assert seen and not set(seen) & {0, 6, 9}


def test_a_retraining_job_continues_from_a_checkpoint(tiny_model_dir, tmp_path):
    metrics = train.main(TINY_ARGS + ["--init-from", str(tiny_model_dir / "model.pt"), "--version", "4",
                                      "--out", str(tmp_path), "--no-eval"])
    model, ckpt = load_checkpoint(str(tmp_path / "model.pt"))
    assert ckpt["version"] == "4" and ckpt["config"]["width"] == 4 and metrics["steps"] > 0


def test_cosine_lr_keeps_both_old_schedules_to_the_last_bit():
    # train.py divided the step count first, the fine-tuning multiplied by pi first; they differ in the last bit
    # on about a third of the steps, so the shared schedule must reproduce each exactly.
    import math
    from hardneg_ml.training import cosine_lr
    for steps in (14, 300):
        for step in range(steps):
            assert cosine_lr(1e-4, step, steps) == 1e-4 * 0.5 * (1.0 + math.cos(math.pi * step / steps))
            frac = min(step / steps, 1.0)
            assert cosine_lr(1e-3, frac) == 1e-3 * 0.5 * (1.0 + math.cos(math.pi * frac))
