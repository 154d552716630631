"""The flywheel experiment's statistics, metrics and splits."""
import os

import numpy as np
import pytest
import torch

import data
import flywheel
from hardneg_ml import recall


def test_interval_is_the_t_interval_of_the_paired_differences():
    m, (lo, hi) = flywheel.interval([0.01, 0.03, 0.02, 0.04, 0.00])
    assert m == pytest.approx(0.02)
    half = 2.776 * np.std([0.01, 0.03, 0.02, 0.04, 0.00], ddof=1) / np.sqrt(5)
    assert (lo, hi) == (pytest.approx(0.02 - half), pytest.approx(0.02 + half))
    assert lo > 0


def test_map_at_r_and_recall_match_their_definitions():
    rng = np.random.RandomState(0)
    emb = rng.normal(size=(60, 4)).astype(np.float32)
    labels = rng.randint(0, 3, 60)
    query = labels == 1
    gallery = np.ones(60, dtype=bool)
    x = torch.as_tensor(emb)
    d = torch.cdist(x, x) ** 2
    d.fill_diagonal_(float("inf"))
    order = d.topk(int(np.bincount(labels).max()) + 1, dim=1, largest=False).indices.numpy()
    r1, mapr = recall.retrieval(emb, labels, query, gallery, order)
    ref_r1, ref_ap = [], []
    for i in np.flatnonzero(query):
        ranked = [j for j in np.argsort(d[i].numpy(), kind="stable") if j != i]
        ref_r1.append(labels[ranked[0]] == labels[i])
        r = int((labels == labels[i]).sum()) - 1
        rel = [labels[j] == labels[i] for j in ranked[:r]]
        ref_ap.append(sum(sum(rel[:k + 1]) / (k + 1) for k in range(r) if rel[k]) / r)
    assert r1 == pytest.approx(np.mean(ref_r1))
    assert mapr == pytest.approx(np.mean(ref_ap))


def point(n, mined, rand):
    return {"n": n, "held_out": {"mined": mined, "random": rand}}


def test_triplets_to_target_interpolates_log_linearly_between_budgets():
    curve = [point(500, 0.70, 0.68), point(1000, 0.72, 0.69), point(3000, 0.76, 0.71)]
    # random's level at 3000 is 0.71: mined reaches it halfway (in log N) between 500 and 1000.
    assert flywheel.triplets_to_target(curve) == pytest.approx(3000 / np.sqrt(500 * 1000))
    assert flywheel.triplets_to_target([point(500, 0.5, 0.6), point(3000, 0.55, 0.6)]) == 0.0
    assert flywheel.triplets_to_target([point(500, 0.7, 0.6), point(3000, 0.75, 0.6)]) == 6.0


@pytest.mark.skipif(not os.path.exists(os.path.join(data.DEBIAN_DIR, "train-labels-idx1-ubyte.gz")),
                    reason="needs Debian's dataset-fashion-mnist (the 60k train split)")
def test_stream_replay_and_validation_are_disjoint_and_validation_is_the_shipped_definition():
    exp = flywheel.Experiment(flywheel.parse_args(["--seeds", "1"]))
    val = set(exp.val_idx.tolist())
    assert val == set(data.validation_indices().tolist())
    assert not val & set(exp.stream_idx.tolist()) and not val & set(exp.replay_idx.tolist())
    assert not set(exp.stream_idx.tolist()) & set(exp.replay_idx.tolist())
    assert not np.isin(exp.labels[exp.replay_idx], exp.held_out).any()
    assert np.array_equal(exp.eval_labels, exp.labels[exp.val_idx])


def test_merge_joins_runs_of_one_configuration_and_refuses_different_ones(tmp_path):
    def run(points, policy="p"):
        curve = [{"n": n, "held_out": {"mined": m, "random": r, "gain_mean": m - r, "gain_ci95": [0, 0]},
                  "seen": {"mined_vs_before": 0.0, "gain_mean": 0.0}} for n, m, r in points]
        summary = {"policy": policy, "recipe": {}, "seeds": 10, "eval": "test", "mine": "service"}
        return {"summary": summary, "command": "c", "git_commit": "x", "date": "d", "before": {}, "curve": curve,
                "seconds": 5}
    import json
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    a.write_text(json.dumps(run([(3000, 0.76, 0.71), (500, 0.70, 0.68)])))
    b.write_text(json.dumps(run([(1000, 0.72, 0.69)])))
    c.write_text(json.dumps(run([(1000, 0.72, 0.69)], policy="other")))
    out = flywheel.merge([str(a), str(b)], str(tmp_path / "m.json"))
    assert [p["n"] for p in out["curve"]] == [500, 1000, 3000]
    assert out["summary"]["n"] == 3000 and out["summary"]["heldout_gain_mean"] == pytest.approx(0.05)
    assert out["summary"]["triplets_to_target_ratio"] == pytest.approx(3000 / np.sqrt(500 * 1000))
    with pytest.raises(SystemExit, match="policy differs"):
        flywheel.merge([str(a), str(c)], str(tmp_path / "n.json"))
