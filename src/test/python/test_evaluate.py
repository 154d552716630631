import json

import numpy as np
import pytest

import evaluate
from hardneg_ml import recall


def test_recall_at_1_excludes_the_query_itself():
    # Every item is its own nearest point; with itself excluded, the neighbour decides.
    feats = np.array([[0.0], [0.1], [5.0], [5.1], [10.0]])
    labels = np.array([0, 0, 1, 0, 1])
    everything = np.ones(5, dtype=bool)
    # 0->1 ok, 1->0 ok, 2->3 wrong, 3->2 wrong, 4->3 (d=24.01 vs 25) wrong
    assert recall.recall_at_1(feats, labels, everything, everything) == pytest.approx(2 / 5)


def test_recall_table_known_answer():
    # classes 0,1 seen; class 6 held out. Positions on a line.
    feats = np.array([[0.0], [0.2], [1.0], [1.1], [3.0], [3.3], [0.5]])
    labels = np.array([0, 0, 1, 1, 6, 6, 6])
    t = recall.recall_table(feats, labels, [6], chunk=3)
    # seen (gallery = items 0..3): 0->1 ok, 1->0 ok, 2->3 ok, 3->2 ok
    assert t["seen"] == 1.0
    # held-out queries vs all: 4(3.0)->5(3.3) ok, 5->4 ok, 6(0.5)->1(0.2) wrong
    assert t["held_out"] == pytest.approx(2 / 3)
    # all: seen queries now also see item 6 (0.5): 1(0.2)->0(0.0) d=.04 vs .09 ok; 0->1 ok; 2,3 ok
    assert t["all"] == pytest.approx(6 / 7)


def test_recall_table_agrees_with_the_masked_definition():
    rng = np.random.RandomState(0)
    labels = rng.randint(0, 10, 500)
    feats = rng.randn(500, 8) + labels[:, None] * 0.3
    held = np.isin(labels, [6, 9])
    t = recall.recall_table(feats, labels, [6, 9], chunk=64)
    every = np.ones(500, dtype=bool)
    assert t["seen"] == recall.recall_at_1(feats, labels, ~held, ~held)
    assert t["held_out"] == recall.recall_at_1(feats, labels, held, every)
    assert t["all"] == recall.recall_at_1(feats, labels, every, every)


def test_evaluate_cli_on_a_model_dir(tiny_model_dir, small_test_split, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["evaluate.py", str(tiny_model_dir), "--data", str(small_test_split),
                                     "--write"])
    evaluate.main()
    out = capsys.readouterr().out
    assert "raw-pixel baseline" in out
    m = json.load(open(tiny_model_dir / "metrics.json"))
    for k in ["recall_at_1_seen", "recall_at_1_held_out", "recall_at_1_all", "baseline_recall_at_1_seen",
              "baseline_recall_at_1_held_out", "baseline_recall_at_1_all"]:
        assert 0.0 <= m[k] <= 1.0, k
    assert m["images"] == 300 and m["held_out_classes"] == [6, 9] and m["embedding_dim"] == 16
    # raw pixels on Fashion-MNIST are a real baseline, far above chance
    assert m["baseline_recall_at_1_all"] > 0.5
