"""The retraining job without a broker: fake consumer and publisher around the real collect/train/guard/export."""
import base64
import hashlib
import hmac
import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

import data
import retrain
from hardneg_ml import finetune, losses, records
from conftest import write_idx


def png_b64(img):
    buf = io.BytesIO()
    Image.fromarray(img, mode="L").save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def member(i, images, labels, with_image=True):
    m = {"id": f"img-{i}", "label": str(labels[i]), "timestamp": 1000 + i}
    if with_image:
        m["image"] = png_b64(images[i])
    return m


def triplet_records(n, seed=0):
    images, labels = data.load_split("test")
    rng = np.random.RandomState(seed)
    out = []
    for _ in range(n):
        a = int(rng.randint(len(labels)))
        p = int(rng.choice(np.flatnonzero(labels == labels[a])))
        ng = int(rng.choice(np.flatnonzero(labels != labels[a])))
        out.append(json.dumps({"schema_version": 1, "format": "triplet", "kind": "semihard", "model_version": "3",
                               "alpha": 0.2, "d_ap": 0.5, "d_an": 0.6, "gap": 0.1,
                               "anchor": member(a, images, labels), "positive": member(p, images, labels),
                               "negative": member(ng, images, labels), "mined_at": 1}).encode())
    return out


class Msg:
    def __init__(self, value, partition, offset, topic="hard-negatives"):
        self._v, self._p, self._o, self._t = value, partition, offset, topic

    def value(self):
        return self._v

    def topic(self):
        return self._t

    def partition(self):
        return self._p

    def offset(self):
        return self._o

    def error(self):
        return None


class FakeConsumer:
    """Serves records round-robin over two partitions; records every commit in the shared event log."""

    def __init__(self, values, events):
        self.msgs = [Msg(v, i % 2, i // 2) for i, v in enumerate(values)]
        self.events = events
        self.commits = []

    def consume(self, num_messages=1, timeout=-1):
        batch, self.msgs = self.msgs[:num_messages], self.msgs[num_messages:]
        return batch

    def commit(self, offsets=None, asynchronous=True):
        assert asynchronous is False
        got = {(tp.topic, tp.partition): tp.offset for tp in offsets}
        self.commits.append(got)
        self.events.append(("commit", got))


class FakePublisher:
    def __init__(self, events, fail=False):
        self.events = events
        self.fail = fail
        self.sent = []

    def publish(self, key, value):
        if self.fail:
            raise RuntimeError("broker unreachable")
        self.sent.append((key, json.loads(value)))
        self.events.append(("publish", key))
        return 0


@pytest.fixture(scope="module")
def small_train_split(tmp_path_factory):
    """500 images as a 'train' split (the replay source), written from the bundled test split."""
    images, labels = data.load_split("test")
    d = tmp_path_factory.mktemp("small-train")
    write_idx(str(d / "train-images-idx3-ubyte"), images[-500:])
    write_idx(str(d / "train-labels-idx1-ubyte"), labels[-500:])
    return d


def args_for(tiny_model_dir, tmp_path, small_test_split, small_train_split, *extra):
    return retrain.parse_args(["--model-dir", str(tiny_model_dir), "--out", str(tmp_path / "out"),
                               "--budget", "40", "--steps", "3", "--batch", "8", "--idle-timeout", "0",
                               "--val-split", "test", "--val-data", str(small_test_split), "--val-size", "300",
                               "--replay-data", str(small_train_split), "--log-every", "1", *extra])


def test_collect_stops_at_the_budget_and_reports_exactly_the_offsets_it_used():
    events = []
    c = FakeConsumer(triplet_records(10), events)
    col, offsets = records.collect(c, budget=7, idle_timeout=0)
    assert len(col) == 7
    # records 0..6 over partitions 0,1 round-robin: p0 has offsets 0..3 (records 0,2,4,6), p1 0..2 (1,3,5)
    assert offsets == {("hard-negatives", 0): 4, ("hard-negatives", 1): 3}
    a, p, n = col.arrays()
    assert a.shape == p.shape == n.shape == (7, 28, 28) and a.dtype == np.uint8


def test_pairs_become_the_anchors_positives_times_negatives():
    images, labels = data.load_split("test")
    a = 0
    pos = [i for i in range(1, 200) if labels[i] == labels[a]][:2]
    neg = [i for i in range(1, 200) if labels[i] != labels[a]][:3]

    def pair(o, target):
        return json.dumps({"format": "pair", "target": target, "kind": "positive" if target else "hard",
                           "model_version": "1", "anchor": member(a, images, labels),
                           "other": member(o, images, labels)}).encode()

    col = records.TripletCollector()
    for v in [pair(p, 1) for p in pos] + [pair(n, 0) for n in neg]:
        col.add(v)
    assert len(col) == 6
    assert {(t[1].id, t[2].id) for t in col.triplets} == {(f"img-{p}", f"img-{n}") for p in pos for n in neg}
    assert np.array_equal(col.triplets[0][0].image, images[a])


def test_records_without_images_or_garbage_are_skipped_and_counted():
    images, labels = data.load_split("test")
    col = records.TripletCollector()
    col.add(b"not json")
    col.add(json.dumps({"format": "triplet", "anchor": member(0, images, labels, False),
                        "positive": member(1, images, labels, False),
                        "negative": member(2, images, labels, False)}).encode())
    assert len(col) == 0
    assert col.skipped == {"not JSON": 1, "no images": 1}


def test_guard_refuses_a_worse_model_logs_both_numbers_and_does_not_publish(
        tiny_model_dir, tmp_path, small_test_split, small_train_split, monkeypatch, capsys):
    def sabotage(model, *a, **k):
        # A genuinely worse model: a zero head makes every embedding the same unit vector.
        with torch.no_grad():
            model.head.weight.zero_()
            model.head.bias.fill_(1.0)
        return model, torch.optim.Adam(model.parameters())

    monkeypatch.setattr(finetune, "fine_tune", sabotage)
    events = []
    consumer, publisher = FakeConsumer(triplet_records(40), events), FakePublisher(events)
    rc = retrain.run(args_for(tiny_model_dir, tmp_path, small_test_split, small_train_split), consumer, publisher)
    assert rc == retrain.EXIT_REFUSED
    assert publisher.sent == []
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "guard:" in x)
    assert "-> REFUSE" in line
    current = float(line.split("current v3 ")[1].split(",")[0])
    candidate = float(line.split("candidate v4 ")[1].split(" ")[0])
    assert candidate < current
    metrics = json.load(open(tmp_path / "out" / "tiny-test" / "4" / "metrics.json"))
    assert metrics["guard"]["passed"] is False
    assert metrics["guard"]["current"]["all"] == pytest.approx(current, abs=1e-4)
    # The issue: a refused model's triplets were used (judged); their offsets are committed, nothing published.
    assert events == [("commit", {("hard-negatives", 0): 20, ("hard-negatives", 1): 20})]


def test_refusal_keeps_offsets_when_asked(tiny_model_dir, tmp_path, small_test_split, small_train_split,
                                          monkeypatch):
    monkeypatch.setattr(retrain, "guard", lambda before, after, tol: False)
    events = []
    consumer, publisher = FakeConsumer(triplet_records(40), events), FakePublisher(events)
    args = args_for(tiny_model_dir, tmp_path, small_test_split, small_train_split, "--on-refusal", "keep")
    assert retrain.run(args, consumer, publisher) == retrain.EXIT_REFUSED
    assert events == []


def test_offsets_are_not_committed_when_publishing_fails(tiny_model_dir, tmp_path, small_test_split,
                                                         small_train_split):
    events = []
    consumer, publisher = FakeConsumer(triplet_records(40), events), FakePublisher(events, fail=True)
    args = args_for(tiny_model_dir, tmp_path, small_test_split, small_train_split, "--guard-tolerance", "1")
    with pytest.raises(RuntimeError, match="broker unreachable"):
        retrain.run(args, consumer, publisher)
    assert consumer.commits == []


def test_offsets_are_not_committed_when_training_crashes(tiny_model_dir, tmp_path, small_test_split,
                                                         small_train_split, monkeypatch):
    def crash(*a, **k):
        raise MemoryError("simulated crash")

    monkeypatch.setattr(finetune, "fine_tune", crash)
    events = []
    consumer, publisher = FakeConsumer(triplet_records(40), events), FakePublisher(events)
    with pytest.raises(MemoryError):
        retrain.run(args_for(tiny_model_dir, tmp_path, small_test_split, small_train_split), consumer, publisher)
    assert events == []


def test_too_few_triplets_trains_nothing_and_commits_nothing(tiny_model_dir, tmp_path, small_test_split,
                                                             small_train_split):
    events = []
    consumer, publisher = FakeConsumer(triplet_records(5), events), FakePublisher(events)
    args = args_for(tiny_model_dir, tmp_path, small_test_split, small_train_split, "--min-triplets", "10")
    assert retrain.run(args, consumer, publisher) == retrain.EXIT_TOO_FEW
    assert events == []


def test_publishes_version_n_plus_1_then_commits(tiny_model_dir, tmp_path, small_test_split, small_train_split):
    key = tmp_path / "hmac.key"
    key.write_bytes(b"correct horse battery staple")
    events = []
    consumer, publisher = FakeConsumer(triplet_records(50), events), FakePublisher(events)
    args = args_for(tiny_model_dir, tmp_path, small_test_split, small_train_split, "--guard-tolerance", "1",
                    "--hmac-key-file", str(key))
    assert retrain.run(args, consumer, publisher) == retrain.EXIT_PUBLISHED
    # published first, then the offsets of exactly the 40 records of the budget
    assert [e[0] for e in events] == ["publish", "commit"]
    assert events[1][1] == {("hard-negatives", 0): 20, ("hard-negatives", 1): 20}
    name, a = publisher.sent[0]
    out = tmp_path / "out" / "tiny-test" / "4"
    blob = (out / "model.onnx").read_bytes()
    assert name == "tiny-test"
    assert a["schema_version"] == 1 and a["name"] == "tiny-test" and a["version"] == "4"
    assert a["sha256"] == hashlib.sha256(blob).hexdigest() == (out / "sha256").read_text().split()[0]
    assert a["hmac_sha256"] == hmac.new(b"correct horse battery staple", blob, hashlib.sha256).hexdigest()
    assert a["size"] == len(blob) and base64.b64decode(a["model_base64"]) == blob
    assert "path" not in a and a["published_at"] > 0
    import onnx
    props = {p.key: p.value for p in onnx.load(str(out / "model.onnx")).metadata_props}
    assert props["hardneg.name"] == "tiny-test" and props["hardneg.version"] == "4"
    assert props["hardneg.held_out_classes"] == "6,9"
    from model import load_checkpoint
    _, ckpt = load_checkpoint(str(out / "model.pt"))
    assert ckpt["version"] == "4" and ckpt["parent_version"] == "3"


def test_fine_tuning_reduces_the_loss_on_the_mined_triplets():
    torch.manual_seed(0)
    from model import EmbeddingNet
    images, labels = data.load_split("test")
    rng = np.random.RandomState(0)
    a = rng.randint(0, 1000, 64)
    p = np.array([rng.choice(np.flatnonzero(labels[:1000] == labels[i])) for i in a])
    n = np.array([rng.choice(np.flatnonzero(labels[:1000] != labels[i])) for i in a])
    mined = (images[a], images[p], images[n])
    net = EmbeddingNet(width=4, dim=16).eval()

    def loss():
        with torch.no_grad():
            e = [net(torch.from_numpy(data.normalize(x))) for x in mined]
            return float(losses.triplet_loss(*e, 0.2)[0])

    before = loss()
    finetune.fine_tune(net, mined, None, steps=30, batch=32, replay_per_mined=0, lr=3e-3, alpha=0.2, seed=0,
                       log_every=0)
    assert loss() < before


def test_kafka_settings_come_from_the_file_then_x_and_secrets_are_never_shown(tmp_path):
    f = tmp_path / "client.properties"
    f.write_text("# TLS\nsecurity.protocol=SSL\nssl.ca.location=/ca.pem\nssl.keystore.password=from-file\n")
    s = retrain.kafka_settings(str(f), ["ssl.keystore.password=S3cret", "sasl.password=P4ss"])
    assert s == {"security.protocol": "SSL", "ssl.ca.location": "/ca.pem", "ssl.keystore.password": "S3cret",
                 "sasl.password": "P4ss"}
    shown = str(retrain.redacted(s))
    assert "S3cret" not in shown and "P4ss" not in shown and "/ca.pem" in shown
    argv = retrain.masked_argv(["retrain.py", "-X", "sasl.password=P4ss", "-Xssl.key.pem=KEY", "-X",
                                "security.protocol=SASL_SSL"])
    assert argv == ["retrain.py", "-X", "sasl.password=[hidden]", "-Xssl.key.pem=[hidden]", "-X",
                    "security.protocol=SASL_SSL"]
    with pytest.raises(ValueError):
        retrain.kafka_settings(None, ["no-equals-sign"])


def test_a_refused_certificate_or_login_is_fatal_but_a_down_broker_is_not():
    from confluent_kafka import KafkaError
    alert = KafkaError(KafkaError._TRANSPORT, "ssl://h:1/bootstrap: Receive failed: error:0A000416:SSL routines::"
                       "sslv3 alert certificate unknown: SSL alert number 46")
    assert retrain.is_refusal(alert)
    assert retrain.is_refusal(KafkaError(KafkaError._AUTHENTICATION, "SASL authentication error"))
    assert retrain.is_refusal(KafkaError(KafkaError._SSL, "certificate verify failed"))
    assert not retrain.is_refusal(KafkaError(KafkaError._TRANSPORT, "Connect to ipv4#127.0.0.1:1 failed"))
    assert not retrain.is_refusal(KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down"))
