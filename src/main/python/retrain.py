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
import hashlib
import hmac
import json
import os
import sys
import time

import numpy as np
import torch

import data
import export
from hardneg_ml import finetune
from hardneg_ml.digests import sha256_bytes
from hardneg_ml.finetune import RECIPE_DEFAULTS, Recipe
from hardneg_ml.kafka_settings import (  # noqa: F401 (is_refusal, is_secret, read_kafka_config: retrain's API)
    fail_on_refusal, is_refusal, is_secret, kafka_settings, masked_argv, read_kafka_config, redacted)
from hardneg_ml.log import prefixed, shell_line
from hardneg_ml.recall import model_recall_table
from hardneg_ml.records import HARD_NEGATIVES, collect, commit, kafka_consumer
from hardneg_ml.samplers import ReplaySampler
from hardneg_ml.versions import SHIPPED_MODEL, next_version, resolve_model_dir, write_metrics, write_version
from model import load_checkpoint

MODEL_UPDATES = "model-updates"
MAX_INLINE_BYTES = 22 << 20  # as ModelPublisher.MAX_INLINE_BYTES: base64 stays under the topic's 32 MiB

EXIT_PUBLISHED, EXIT_ERROR, EXIT_REFUSED, EXIT_TOO_FEW = 0, 1, 3, 4


log = prefixed("retrain")


# --------------------------------------------------------------------------------------------------- training
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
    return model_recall_table(model, images, labels, held_out)


def guard(current, candidate, tolerance):
    """True when the candidate's validation Recall@1 is not worse than the current one's (minus tolerance)."""
    return candidate["all"] >= current["all"] - tolerance


# --------------------------------------------------------------------------------------------------- publishing
def announcement(model_path, name, version, hmac_key=None, published_at=None):
    """The model-updates JSON (io.hardneg.update.ModelAnnouncement, schema_version 1)."""
    with open(model_path, "rb") as f:
        blob = f.read()
    a = {"schema_version": 1, "name": str(name), "version": str(version),
         "sha256": sha256_bytes(blob), "size": len(blob),
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
        conf.setdefault("error_cb", fail_on_refusal)
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


# --------------------------------------------------------------------------------------------------- the job
def export_version(model, out_root, name, version, held_out, alpha, training, opt, extra):
    out = os.path.join(out_root, name, str(version))
    meta = export.fashion_metadata(name, version, model.config["dim"], held_out, alpha, training)
    digest = write_version(out, model, version, held_out, meta, opt,
                           extra=dict(extra, name=name, alpha=alpha, training=training, metadata=meta))
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
    candidate, opt = finetune.fine_tune_recipe(candidate, mined, replay, recipe, alpha, args.seed,
                                               log_every=args.log_every)
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
    write_metrics(out, metrics)
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
    log("command: " + shell_line(["/usr/bin/python3"] + masked_argv(argv or sys.argv)))
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
