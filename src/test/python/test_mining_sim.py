"""mining_sim, the offline model of the service's miner used for the flywheel's sweeps."""
import numpy as np
import pytest

import mining_sim
from mining_sim import Rules


def unit(rng, n, d=8):
    x = rng.normal(size=(n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_water_fill_spends_the_share_in_proportion_to_confusion_capped_at_one():
    p = mining_sim.water_fill([0.5, 0.1, 0.05, 0.02], 0.5)
    assert p.mean() == pytest.approx(0.5)
    assert p[0] == pytest.approx(1.0)  # the most confused label is capped, its excess goes to the rest
    rest = p[1:] / np.array([0.1, 0.05, 0.02])
    assert np.allclose(rest, rest[0])
    assert np.allclose(mining_sim.water_fill([0.3, 0.3], 1.0), [1.0, 1.0])


def test_gumbel_top_k_draws_in_proportion_to_the_weights():
    rng = np.random.RandomState(0)
    w = np.array([1.0, 2.0, 3.0, 4.0])
    counts = np.bincount([mining_sim.gumbel_top_k(np.log(w), 1, rng)[0] for _ in range(20000)], minlength=4)
    assert np.abs(counts / 20000 - w / w.sum()).max() < 0.015
    # Squared weights (a wrong beta, say) would be far off: 0.033 vs 0.1 for the first candidate.
    assert abs(counts[0] / 20000 - 1 / 30) > 0.05
    assert mining_sim.gumbel_top_k(np.array([0.0, -np.inf, 0.0]), 3, rng).tolist() in ([0, 2], [2, 0])


def test_soft_with_a_large_beta_is_hardest_and_beta_zero_is_uniform():
    d = np.array([0.5, 0.6, 0.9])
    soft = Rules(negative="soft", beta=200.0)
    assert mining_sim.negative_log_weights(soft, d, 8).argmax() == 0
    assert np.ptp(mining_sim.negative_log_weights(Rules(negative="soft", beta=0.0), d, 8)) == 0


def test_distance_weighted_zeroes_negatives_beyond_the_nonzero_loss_cutoff():
    r = Rules(negative="distance-weighted")
    lw = mining_sim.negative_log_weights(r, np.array([0.1, 1.0, 1.5 ** 2]), 64)
    assert np.isfinite(lw[:2]).all() and lw[2] == -np.inf
    # Below the cutoff (x = 0.5) every distance weighs the same.
    same = mining_sim.negative_log_weights(r, np.array([0.01, 0.2]), 64)
    assert same[0] == pytest.approx(same[1])


def brute_force(emb, labels, rules, per_label, batch):
    """Hardest negatives of the chosen deterministic positive, by definition over the causal bank."""
    out = []
    for start in range(0, len(labels), batch):
        bank = [j for lab in np.unique(labels[:start]) for j in np.flatnonzero(labels[:start] == lab)[-per_label:]]
        for i in range(start, min(len(labels), start + batch)):
            d = {j: float(((emb[i] - emb[j]) ** 2).sum()) for j in bank}
            pos = [j for j in bank if labels[j] == labels[i]]
            if not pos:
                continue
            key = (lambda j: (-d[j], j)) if rules.positive == "farthest" else (lambda j: (d[j], j))
            p = sorted(pos, key=key)[0]
            negs = [j for j in bank if labels[j] != labels[i]
                    and -rules.gap_floor <= d[j] - d[p] < rules.alpha]
            for n in sorted(negs, key=lambda j: (d[j], j))[:rules.negatives_per_positive]:
                out.append((i, p, n))
    return sorted(out)


@pytest.mark.parametrize("positive", ["farthest", "nearest"])
@pytest.mark.parametrize("floor", [float("inf"), 0.1])
def test_deterministic_rules_match_the_brute_force_definition(positive, floor):
    rng = np.random.RandomState(3)
    emb = unit(rng, 150)
    labels = rng.randint(0, 4, 150)
    rules = Rules(positive=positive, negative="hardest", gap_floor=floor, alpha=0.4)
    got, gaps = mining_sim.mine(emb, labels, rules, np.random.RandomState(0), per_label=10, batch=16)
    assert sorted(map(tuple, got.tolist())) == brute_force(emb, labels, rules, 10, 16)
    assert len(got) > 20 and (gaps < 0.4).all() and (gaps >= -floor).all()


def test_anchor_share_spends_more_anchors_on_the_confused_labels():
    rng = np.random.RandomState(5)
    # Labels 0 and 1 overlap (confused); labels 2 and 3 are tight, far-apart clusters.
    centers = unit(rng, 4, 16)
    centers[1] = centers[0]
    labels = rng.randint(0, 4, 2000)
    emb = centers[labels] * 3 + rng.normal(size=(2000, 16))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    stats = {}
    got, _ = mining_sim.mine(emb, labels, Rules(anchor_share=0.25, negative="soft", positive="random"),
                             np.random.RandomState(1), per_label=64, stats=stats)
    b = stats["budget"]
    assert np.mean(list(b.values())) == pytest.approx(0.25)
    assert min(b[0], b[1]) > 2 * max(b[2], b[3])
    anchors = np.bincount(labels[np.unique(got[:, 0])], minlength=4)
    assert anchors[0] + anchors[1] > 2 * (anchors[2] + anchors[3])


def test_rules_parse_names_and_rejects_unknown_keys():
    r = Rules.parse("positive=random,negative=soft,beta=2,gap-floor=0.3,anchor_share=0.5")
    assert (r.positive, r.negative, r.beta, r.gap_floor, r.anchor_share) == ("random", "soft", 2.0, 0.3, 0.5)
    assert r.as_config()["mining.gap-floor"] == 0.3 and Rules().as_config()["mining.gap-floor"] == "none"
    with pytest.raises(ValueError, match="unknown mining rule 'betta'"):
        Rules.parse("betta=2")
    with pytest.raises(ValueError, match="positive must be"):
        Rules.parse("positive=median")
