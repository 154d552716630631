"""Reference retraining job: hard-negatives -> fine-tuned model version N+1 -> model-updates (guarded).

  1. consumes `hard-negatives` (triplets or pairs format, read_committed, no auto-commit) until --budget
     triplets are collected (or --idle-timeout seconds pass without new records),
  2. fine-tunes from the current version's model.pt on the mined triplets mixed with --replay random triplets
     per mined one from the base training data (the model's own training classes: no forgetting),
  3. exports version N+1 (ONNX + hardneg.* metadata + model.pt + sha256 + metrics.json) under OUT/<name>/<N+1>/,
  4. evaluates current and candidate on a validation split (Recall@1, every query, full gallery) and publishes
     the candidate to `model-updates` only if it is not worse (the guard logs both numbers),
  5. commits the consumer offsets only then (published, or refused by the guard): a crash re-reads them.

Exit status: 0 published, 3 refused by the guard (offsets committed), 4 too few triplets (nothing committed),
1 on errors (nothing committed).

Example:
  /usr/bin/python3 src/main/python/retrain.py --bootstrap-servers 127.0.0.1:9092 --budget 2000 --steps 300 \\
      --model-dir src/main/resources/models/fashion-triplet/1 --out /tmp/models

A secured cluster (TLS, mutual TLS, SASL_SSL): librdkafka settings in a properties file, --kafka-config FILE
(security.protocol=SSL, ssl.ca.location=ca.pem, ssl.certificate.location=..., ssl.key.location=..., or
ssl.keystore.location=client.p12 with ssl.keystore.password; sasl.mechanisms, sasl.username, sasl.password), or
-X KEY=VALUE (repeatable, wins over the file); both the consumer and the publisher use them. Secret values are
logged as [hidden].
"""
import argparse
import base64
import copy
import dataclasses
import hashlib
import hmac
import io
import json
import math
import os
import shlex
import sys
import time

import numpy as np
import torch

import data
import evaluate
import export
import train
from model import load_checkpoint, save_checkpoint

SHIPPED_MODEL = os.path.join(data.REPO_ROOT, "src", "main", "resources", "models", "fashion-triplet", "1")
HARD_NEGATIVES = "hard-negatives"
MODEL_UPDATES = "model-updates"
MAX_INLINE_BYTES = 22 << 20  # as ModelPublisher.MAX_INLINE_BYTES: base64 stays under the topic's 32 MiB

EXIT_PUBLISHED, EXIT_ERROR, EXIT_REFUSED, EXIT_TOO_FEW = 0, 1, 3, 4


def log(msg):
    print(f"retrain: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------- kafka settings
_SECRET_WORDS = ("password", "secret", "jaas", "token", "credential")


def is_secret(key):
    """As ConfigLoader.isSecret: passwords, secrets, tokens and inline private keys (ssl.key.pem) are never shown."""
    k = key.lower()
    return any(w in k for w in _SECRET_WORDS) or k.endswith((".key", ".key.pem"))


def redacted(settings):
    return {k: ("[hidden]" if is_secret(k) else v) for k, v in sorted(settings.items())}


def read_kafka_config(path):
    """librdkafka properties: KEY=VALUE lines, '#' and '!' comments, blank lines ignored."""
    settings = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line[0] in "#!":
                continue
            if "=" not in line:
                raise ValueError(f"--kafka-config {path} line {n}: expected KEY=VALUE")
            k, v = line.split("=", 1)
            settings[k.strip()] = v.strip()
    return settings


def kafka_settings(kafka_config=None, overrides=()):
    """The file's settings, then each -X KEY=VALUE."""
    settings = read_kafka_config(kafka_config) if kafka_config else {}
    for kv in overrides:
        if "=" not in kv:
            raise ValueError(f"-X {kv.split('=')[0]!r}: expected KEY=VALUE")
        k, v = kv.split("=", 1)
        settings[k.strip()] = v
    return settings


def masked_argv(argv):
    """The command line as logged: the value of a secret -X KEY=VALUE becomes [hidden]."""
    out, secret_next = [], False
    for a in argv:
        if secret_next:
            k = a.split("=", 1)[0]
            out.append(f"{k}=[hidden]" if is_secret(k) and "=" in a else a)
            secret_next = False
            continue
        if a == "-X":
            secret_next = True
        elif a.startswith("-X") and "=" in a:
            k = a[2:].split("=", 1)[0]
            a = f"-X{k}=[hidden]" if is_secret(k) else a
        out.append(a)
    return out


def is_refusal(err):
    """A failed login or TLS handshake, ours or the broker's: with TLS 1.3 a broker that refuses our certificate
    sends an alert after the handshake, which librdkafka reports as a transport error naming the alert."""
    from confluent_kafka import KafkaError
    return err.code() in (KafkaError._AUTHENTICATION, KafkaError._SSL) or (
        err.code() == KafkaError._TRANSPORT and "SSL alert" in err.str())


def _fail_on_refusal(err):
    """librdkafka retries a refused handshake forever; an untrusted certificate or a wrong password will not heal."""
    from confluent_kafka import KafkaException
    if is_refusal(err):
        raise KafkaException(err)
    log(f"kafka: {err}")


# --------------------------------------------------------------------------------------------------- records
def decode_image(b64, size=28):
    """base64 PNG/JPEG (as the service publishes it) -> uint8 [size,size] grayscale."""
    from PIL import Image
    img = Image.open(io.BytesIO(base64.b64decode(b64)))
    img = img.convert("L")
    if img.size != (size, size):
        img = img.resize((size, size), Image.BILINEAR)
    return np.asarray(img, dtype=np.uint8)


class Member:
    __slots__ = ("id", "label", "image")

    def __init__(self, node):
        self.id = str(node["id"])
        self.label = node.get("label")
        self.image = decode_image(node["image"]) if node.get("image") else None


class TripletCollector:
    """Turns hard-negatives records into (anchor, positive, negative) triplets.

    Triplet records are used as they are. Pair records (format "pair", target 1 = positive, 0 = negative) are
    grouped by anchor id; an anchor's triplets are its positives x its negatives (the miner's AP:AN ratio).
    Records without images (output.include-images=false) cannot be trained on and are counted as skipped.
    """

    def __init__(self):
        self.triplets = []          # list of (Member, Member, Member)
        self.kinds = {}
        self.versions = {}
        self.skipped = {}
        self._pairs = {}            # anchor id -> (anchor, [positives], [negatives])

    def _skip(self, why):
        self.skipped[why] = self.skipped.get(why, 0) + 1

    def add(self, value):
        try:
            rec = json.loads(value)
        except (ValueError, TypeError):
            self._skip("not JSON")
            return
        if not isinstance(rec, dict):
            self._skip("not a JSON object")
            return
        fmt = rec.get("format", "triplet")
        try:
            if fmt == "pair":
                self._add_pair(rec)
            else:
                self._add_triplet(rec)
        except (KeyError, TypeError, ValueError, OSError) as e:
            self._skip(f"bad record ({type(e).__name__})")
            return
        v = str(rec.get("model_version"))
        self.versions[v] = self.versions.get(v, 0) + 1

    def _add_triplet(self, rec):
        a, p, n = Member(rec["anchor"]), Member(rec["positive"]), Member(rec["negative"])
        if a.image is None or p.image is None or n.image is None:
            self._skip("no images")
            return
        self.triplets.append((a, p, n))
        k = str(rec.get("kind"))
        self.kinds[k] = self.kinds.get(k, 0) + 1

    def _add_pair(self, rec):
        a, o = Member(rec["anchor"]), Member(rec["other"])
        if a.image is None or o.image is None:
            self._skip("no images")
            return
        entry = self._pairs.setdefault(a.id, (a, [], []))
        positive = int(rec["target"]) == 1
        (entry[1] if positive else entry[2]).append(o)
        if positive:
            self.triplets.extend((a, o, n) for n in entry[2])
        else:
            self.triplets.extend((a, p, o) for p in entry[1])
            k = str(rec.get("kind"))
            self.kinds[k] = self.kinds.get(k, 0) + len(entry[1])

    def __len__(self):
        return len(self.triplets)

    def arrays(self):
        """uint8 [M,28,28] x 3 and the anchors' labels (or -1)."""
        a = np.stack([t[0].image for t in self.triplets])
        p = np.stack([t[1].image for t in self.triplets])
        n = np.stack([t[2].image for t in self.triplets])
        return a, p, n


def collect(consumer, budget, idle_timeout, batch=500, clock=time.monotonic):
    """Reads records until `budget` triplets are collected or nothing arrives for `idle_timeout` seconds.

    Returns (collector, offsets): offsets maps (topic, partition) -> the next offset to read, covering exactly the
    records that were used (or skipped as unusable) -- what the caller commits once the model is published.
    """
    col = TripletCollector()
    offsets = {}
    last = clock()
    while len(col) < budget:
        msgs = consumer.consume(num_messages=batch, timeout=1.0)
        if not msgs:
            if clock() - last >= idle_timeout:
                break
            continue
        last = clock()
        for m in msgs:
            err = m.error()
            if err is not None:
                if _is_partition_eof(err):
                    continue
                raise RuntimeError(f"consumer error: {err}")
            col.add(m.value())
            offsets[(m.topic(), m.partition())] = m.offset() + 1
            if len(col) >= budget:
                break
    return col, offsets


def _is_partition_eof(err):
    try:
        from confluent_kafka import KafkaError
        return err.code() == KafkaError._PARTITION_EOF
    except ImportError:  # pragma: no cover
        return False


def commit(consumer, offsets):
    from confluent_kafka import TopicPartition
    if offsets:
        consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in sorted(offsets.items())],
                        asynchronous=False)


# --------------------------------------------------------------------------------------------------- training
def triplet_loss(ea, ep, en, alpha):
    """FaceNet loss on explicit triplets, squared L2: mean relu(d_ap - d_an + alpha); and the active fraction."""
    d_ap = ((ea - ep) ** 2).sum(1)
    d_an = ((ea - en) ** 2).sum(1)
    per = torch.relu(d_ap - d_an + alpha)
    return per.mean(), float((per > 0).float().mean())


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


def triplet_terms(ea, ep, en, alpha):
    """Per-triplet FaceNet loss relu(d_ap - d_an + alpha), squared L2."""
    return torch.relu(((ea - ep) ** 2).sum(1) - ((ea - en) ** 2).sum(1) + alpha)


def reduce_loss(per, reducer):
    """'mean' over every triplet, or 'nonzero': over the active ones only (pytorch-metric-learning's
    AvgNonZeroReducer), so that a batch of mostly solved triplets still moves the model by its active ones."""
    if reducer == "nonzero":
        active = per > 0
        return per[active].mean() if bool(active.any()) else per.sum() * 0.0
    return per.mean()


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


def fine_tune(model, mined, replay, steps, batch, replay_per_mined, lr, alpha, seed, weight_decay=0.0,
              freeze_bn=True, log_every=50, reducer="mean", replay_weight=1.0, distill=0.0):
    """Fine-tunes `model` in place on the mined triplets (uint8 arrays a, p, n) plus replay triplets.

    Each step: `batch` mined triplets (shuffled passes over them) and round(batch * replay_per_mined) replay
    triplets. With reducer 'mean' one triplet loss covers both; with 'nonzero' the mined term is averaged over
    its active triplets and the replay term (also active-averaged) is added with weight `replay_weight`.
    `distill` > 0 adds distill * mean squared distance between the new and the starting model's embeddings of
    the replay images. Adam with cosine decay, no weight decay by default (with Adam it would pull every weight
    toward 0 at ~lr per step while most triplets are inactive). BatchNorm statistics stay frozen by default
    (the mined batches are far from the training distribution).
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
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    order, pos = rng.permutation(m), 0
    start, loss_sum, act_sum, k = time.time(), 0.0, 0.0, 0
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = lr * 0.5 * (1.0 + math.cos(math.pi * step / max(steps, 1)))
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
        opt.zero_grad()
        loss.backward()
        opt.step()
        active = float((per > 0).float().mean())
        loss_sum, act_sum, k = loss_sum + float(loss), act_sum + active, k + 1
        if log_every and ((step + 1) % log_every == 0 or step + 1 == steps):
            log(f"step {step + 1:5d}/{steps} loss {loss_sum / k:.4f} active {act_sum / k:.3f} "
                f"lr {opt.param_groups[0]['lr']:.2e} elapsed {time.time() - start:.1f}s")
            loss_sum, act_sum, k = 0.0, 0.0, 0
    model.eval()
    return model, opt


def fine_tune_recipe(model, mined, replay, recipe, alpha, seed, log_every=0):
    """fine_tune with a Recipe."""
    return fine_tune(model, mined, replay, recipe.steps, recipe.batch, recipe.replay, recipe.lr, alpha, seed,
                     weight_decay=recipe.weight_decay, freeze_bn=recipe.freeze_bn, log_every=log_every,
                     reducer=recipe.reducer, replay_weight=recipe.replay_weight, distill=recipe.distill)


def load_replay(held_out, replay_data=None, exclude=None):
    """The base training data: the train split without the held-out classes (and without `exclude` indices)."""
    images, labels = data.load_split("train", replay_data)
    keep = ~np.isin(labels, held_out)
    if exclude is not None:
        keep[exclude] = False
    return images[keep], labels[keep]


def validation_split(split, data_dir, size):
    """The validation images: by default (train split, size None) data.VALIDATION, the train split's tail that
    the shipped model's training, the flywheel's stream and the replay never touch; else the last `size`
    images of `split`. Returns (images, labels, indices into the split)."""
    images, labels = data.load_split(split, data_dir)
    if split == "train" and size is None:
        idx = data.validation_indices(len(labels))
    else:
        size = min(size or 5000, len(labels))
        idx = np.arange(len(labels) - size, len(labels))
    return images[idx], labels[idx], idx


def mix_random(col, share, rng):
    """Replaces round(share * M) of the M mined triplets by random label-consistent triplets of the same
    records' images (anchor and positive of one label, negative of another), as FaceNet mixed random
    negatives into every batch. Members without a label cannot be mixed; returns the arrays (a, p, n)."""
    a, p, n = col.arrays()
    k = int(round(share * len(a)))
    if k == 0:
        return a, p, n
    members = {}
    for t in col.triplets:
        for m in t:
            if m.label is not None:
                members.setdefault(m.id, m)
    pool = list(members.values())
    labels = np.array([str(m.label) for m in pool])
    by_label = {lab: np.flatnonzero(labels == lab) for lab in set(labels)}
    usable = [lab for lab, rows in by_label.items() if len(rows) >= 2]
    if not usable or len(by_label) < 2:
        log(f"--mix {share}: the records hold too few labels to form random triplets; mined only")
        return a, p, n
    a, p, n = a.copy(), p.copy(), n.copy()
    for slot in rng.choice(len(a), k, replace=False):
        lab = usable[rng.randint(len(usable))]
        i, j = rng.choice(by_label[lab], 2, replace=False)
        others = np.flatnonzero(labels != lab)
        a[slot], p[slot], n[slot] = pool[i].image, pool[j].image, pool[rng.choice(others)].image
    return a, p, n


def validation_score(model, images, labels, held_out):
    """Recall@1 on the validation split: 'all' (every query, full gallery) decides; seen/held_out are logged."""
    return evaluate.recall_table(evaluate.embed(model, images), labels, held_out)


def guard(current, candidate, tolerance):
    """True when the candidate's validation Recall@1 is not worse than the current one's (minus tolerance)."""
    return candidate["all"] >= current["all"] - tolerance


# --------------------------------------------------------------------------------------------------- publishing
def announcement(model_path, name, version, hmac_key=None, published_at=None):
    """The model-updates JSON (io.hardneg.update.ModelAnnouncement, schema_version 1)."""
    with open(model_path, "rb") as f:
        blob = f.read()
    a = {"schema_version": 1, "name": str(name), "version": str(version),
         "sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob),
         "published_at": int(published_at if published_at is not None else time.time() * 1000)}
    if hmac_key is not None:
        a["hmac_sha256"] = hmac.new(hmac_key, blob, hashlib.sha256).hexdigest()
    if len(blob) <= MAX_INLINE_BYTES:
        a["model_base64"] = base64.b64encode(blob).decode("ascii")
    else:
        a["path"] = os.path.abspath(model_path)
    return a


class KafkaPublisher:
    """Sends one announcement (key = model name) to model-updates and waits for the broker's acknowledgement."""

    def __init__(self, bootstrap_servers, topic=MODEL_UPDATES, extra=None):
        from confluent_kafka import Producer
        conf = {"bootstrap.servers": bootstrap_servers, "acks": "all", "enable.idempotence": True,
                "message.max.bytes": 33554432}
        conf.update(extra or {})
        conf.setdefault("error_cb", _fail_on_refusal)
        self.producer = Producer(conf)
        self.topic = topic

    def publish(self, key, value, timeout=60.0):
        result = {}

        def done(err, msg):
            result["err"] = err
            result["offset"] = None if err else msg.offset()

        self.producer.produce(self.topic, key=key.encode("utf-8"), value=value, on_delivery=done)
        left = self.producer.flush(timeout)
        if left or "err" not in result:
            raise RuntimeError(f"announcement not acknowledged within {timeout}s")
        if result["err"] is not None:
            raise RuntimeError(f"announcement not delivered: {result['err']}")
        return result["offset"]


def kafka_consumer(bootstrap_servers, group_id, topic=HARD_NEGATIVES, extra=None):
    from confluent_kafka import Consumer
    conf = {"bootstrap.servers": bootstrap_servers, "group.id": group_id, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "isolation.level": "read_committed",
            "fetch.message.max.bytes": 10485760 + 4096}
    conf.update(extra or {})
    conf.setdefault("error_cb", _fail_on_refusal)
    c = Consumer(conf)
    c.subscribe([topic])
    return c


# --------------------------------------------------------------------------------------------------- the job
def resolve_model_dir(path):
    """A version folder holding model.pt, or a Triton model folder (the highest numbered version wins)."""
    if os.path.isfile(os.path.join(path, "model.pt")):
        return path
    versions = [d for d in os.listdir(path) if d.isdigit() and os.path.isfile(os.path.join(path, d, "model.pt"))]
    if not versions:
        raise FileNotFoundError(f"no model.pt in {path} nor in {path}/<version>/")
    return os.path.join(path, max(versions, key=int))


def next_version(version):
    try:
        return str(int(version) + 1)
    except ValueError:
        raise ValueError(f"current version {version!r} is not a number; give --version") from None


def export_version(model, out_root, name, version, held_out, alpha, training, opt, extra):
    out = os.path.join(out_root, name, str(version))
    os.makedirs(out, exist_ok=True)
    meta = export.fashion_metadata(name, version, model.config["dim"], held_out, alpha, training)
    save_checkpoint(os.path.join(out, "model.pt"), model, version, held_out, opt,
                    extra=dict(extra, name=name, alpha=alpha, training=training, metadata=meta))
    export.export_onnx(model, os.path.join(out, "model.onnx"), model.config["input_shape"], meta)
    digest = export.write_sha256(out)
    return out, digest


def run(args, consumer, publisher):
    """The job with its Kafka ends injected (tests pass fakes). Returns the exit status."""
    torch.set_num_threads(args.threads)
    model_dir = resolve_model_dir(args.model_dir)
    current, ckpt = load_checkpoint(os.path.join(model_dir, "model.pt"))
    name = ckpt.get("name") or (ckpt.get("metadata") or {}).get("hardneg.name") or args.name
    version = args.version or next_version(ckpt["version"])
    held_out = list(ckpt["held_out"])
    alpha = args.alpha if args.alpha is not None else float(ckpt.get("alpha", 0.2))
    log(f"current model {name} v{ckpt['version']} from {model_dir}; candidate will be v{version}")

    col, offsets = collect(consumer, args.budget, args.idle_timeout)
    log(f"collected {len(col)} triplets (budget {args.budget}) from {len(offsets)} "
        f"partition(s); kinds {col.kinds}; model versions {col.versions}; skipped {col.skipped or 'none'}")
    if len(col) < args.min_triplets:
        log(f"too few triplets ({len(col)} < --min-triplets {args.min_triplets}); nothing trained, "
            f"offsets not committed")
        return EXIT_TOO_FEW

    val_images, val_labels, val_idx = validation_split(args.val_split, args.val_data, args.val_size)
    exclude = val_idx if args.val_split == "train" and args.replay_data == args.val_data else None
    replay = None
    if args.replay > 0:
        r_images, r_labels = load_replay(held_out, args.replay_data, exclude)
        replay = ReplaySampler(r_images, r_labels, np.random.RandomState(args.seed + 1))
        log(f"replay: {args.replay} random triplet(s) per mined one from {len(r_labels)} base training images "
            f"(classes {replay.classes.tolist()})")

    candidate, _ = load_checkpoint(os.path.join(model_dir, "model.pt"))
    t = time.time()
    recipe = Recipe(steps=args.steps, batch=args.batch, replay=args.replay, lr=args.lr, reducer=args.reducer,
                    replay_weight=args.replay_weight, distill=args.distill, freeze_bn=not args.train_bn)
    mined = mix_random(col, args.mix, np.random.RandomState(args.seed + 2)) if args.mix > 0 else col.arrays()
    candidate, opt = fine_tune_recipe(candidate, mined, replay, recipe, alpha, args.seed, log_every=args.log_every)
    secs = time.time() - t

    before = validation_score(current, val_images, val_labels, held_out)
    after = validation_score(candidate, val_images, val_labels, held_out)
    ok = guard(before, after, args.guard_tolerance)
    log(f"guard: validation Recall@1 ({len(val_labels)} {args.val_split} images, every query, full gallery): "
        f"current v{ckpt['version']} {before['all']:.4f}, candidate v{version} {after['all']:.4f} "
        f"(tolerance {args.guard_tolerance}) -> {'PUBLISH' if ok else 'REFUSE'}; "
        f"seen {before['seen']:.4f} -> {after['seen']:.4f}, held-out {before['held_out']:.4f} -> "
        f"{after['held_out']:.4f}")

    training = (f"retrained from v{ckpt['version']} on {len(col)} mined triplets from {HARD_NEGATIVES} "
                f"(kinds {col.kinds}) + replay {args.replay}x random base triplets; {args.steps} steps, batch "
                f"{args.batch}, Adam lr={args.lr} cosine, alpha={alpha}, seed={args.seed}, {secs:.0f}s")
    out, digest = export_version(candidate, args.out, name, version, held_out, alpha, training, opt,
                                 {"seed": args.seed, "parent_version": str(ckpt["version"])})
    metrics = {"model_name": name, "model_version": str(version), "parent_version": str(ckpt["version"]),
               "triplets": len(col), "kinds": col.kinds, "steps": args.steps, "train_seconds": round(secs, 1),
               "sha256": digest, "guard": {"metric": "validation recall_at_1_all", "current": before,
                                           "candidate": after, "tolerance": args.guard_tolerance,
                                           "passed": ok}}
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    log(f"exported {name} v{version} to {out} (sha256 {digest[:12]})")

    if not ok:
        if args.on_refusal == "commit":
            commit(consumer, offsets)
        log(f"refused: v{version} is worse on validation; not published; offsets "
            f"{'committed' if args.on_refusal == 'commit' else 'NOT committed (--on-refusal keep)'} "
            f"({_fmt(offsets)})")
        return EXIT_REFUSED
    key = None
    if args.hmac_key_file:
        with open(args.hmac_key_file, "rb") as f:
            key = f.read()
    a = announcement(os.path.join(out, "model.onnx"), name, version, key)
    publisher.publish(name, json.dumps(a).encode("utf-8"))
    log(f"published {name} v{version} to {MODEL_UPDATES} ({a['size']} bytes, "
        f"{'signed' if key else 'unsigned'})")
    commit(consumer, offsets)
    log(f"offsets committed ({_fmt(offsets)})")
    return EXIT_PUBLISHED


def _fmt(offsets):
    return ", ".join(f"{t}[{p}]@{o}" for (t, p), o in sorted(offsets.items())) or "none"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    ap.add_argument("--group-id", default="hardneg-retrain", help="consumer group (its offsets mark what was used)")
    ap.add_argument("--topic", default=HARD_NEGATIVES)
    ap.add_argument("--model-dir", default=SHIPPED_MODEL,
                    help="current version's folder (model.pt) or a Triton model folder; default: the shipped model")
    ap.add_argument("--out", required=True, help="writes the new version to OUT/<name>/<version>/")
    ap.add_argument("--name", default="fashion-triplet", help="when the checkpoint has none")
    ap.add_argument("--version", default=None, help="default: current version + 1")
    ap.add_argument("--budget", type=int, default=2000, help="triplets to collect")
    ap.add_argument("--min-triplets", type=int, default=1, help="fewer after --idle-timeout: do nothing")
    ap.add_argument("--idle-timeout", type=float, default=10.0, help="seconds without records that end collecting")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=32, help="mined triplets per step")
    ap.add_argument("--replay", type=float, default=1.0, help="random base triplets per mined triplet in a step")
    ap.add_argument("--replay-data", default=None, help="train split directory (default: Debian's)")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--alpha", type=float, default=None, help="default: the checkpoint's")
    ap.add_argument("--reducer", choices=["mean", "nonzero"], default=RECIPE_DEFAULTS.reducer,
                    help="mined term over every triplet (mean) or its active ones only (nonzero, AvgNonZero)")
    ap.add_argument("--replay-weight", type=float, default=RECIPE_DEFAULTS.replay_weight,
                    help="weight of the replay term (with --reducer nonzero)")
    ap.add_argument("--distill", type=float, default=RECIPE_DEFAULTS.distill,
                    help="weight of keeping replay images' embeddings near the current version's (0 = off)")
    ap.add_argument("--mix", type=float, default=0.0,
                    help="share of the collected triplets replaced by random label-consistent ones of the same images")
    ap.add_argument("--train-bn", action="store_true", help="update BatchNorm statistics (default: frozen)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--val-split", choices=["train", "test"], default="train")
    ap.add_argument("--val-data", default=None, help="directory of the validation split (default: as data.py)")
    ap.add_argument("--val-size", type=int, default=None,
                    help="the split's last N images (default: data.VALIDATION, train[55000:60000], held apart "
                    "from the shipped model's training)")
    ap.add_argument("--guard-tolerance", type=float, default=0.0,
                    help="publish when candidate >= current - tolerance (Recall@1 as a fraction)")
    ap.add_argument("--on-refusal", choices=["commit", "keep"], default="commit",
                    help="commit the used triplets' offsets when the guard refuses (default) or keep them")
    ap.add_argument("--hmac-key-file", default=None, help="sign the announcement (hmac_sha256)")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--kafka-config", default=None, metavar="FILE",
                    help="librdkafka client properties (security.protocol, ssl.*, sasl.*), KEY=VALUE lines")
    ap.add_argument("-X", dest="kafka_set", action="append", default=[], metavar="KEY=VALUE",
                    help="one librdkafka client setting; repeatable; wins over --kafka-config")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    log("command: " + " ".join(["/usr/bin/python3"] + [shlex.quote(a) for a in masked_argv(argv or sys.argv)]))
    settings = kafka_settings(args.kafka_config, args.kafka_set)
    if settings:
        log("kafka settings: " + ", ".join(f"{k}={v}" for k, v in redacted(settings).items()))
    consumer = kafka_consumer(args.bootstrap_servers, args.group_id, args.topic, settings)
    try:
        return run(args, consumer, KafkaPublisher(args.bootstrap_servers, extra=settings))
    except Exception as e:  # offsets stay uncommitted: the next run re-reads the same triplets
        log(f"failed, offsets not committed: {type(e).__name__}: {e}")
        raise
    finally:
        consumer.close()


if __name__ == "__main__":
    sys.exit(main())
