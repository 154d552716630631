"""The flywheel experiment: do mined hard negatives teach the shipped model its held-out classes faster than
random triplets from the same stream?

  1. starts the service (`java -jar target/hardneg.jar serve`, in-process broker) with the shipped model, which
     never saw classes 6 (Shirt) and 9 (Ankle boot),
  2. streams the first --stream images of the Fashion-MNIST *training* split (all 10 classes, labeled) through
     it and reads every mined triplet from `hard-negatives` (images decoded from the records' PNGs),
  3. per seed fine-tunes the shipped model.pt twice with retrain.fine_tune, identical in everything but the
     triplets: (a) N mined triplets, (b) N random triplets of the same streamed images (anchor and positive
     of one label, negative of another); same steps, replay, hyper-parameters,
  4. reports Recall@1 on the 10k test split, full gallery, for held-out-class and seen-class queries.

  /usr/bin/python3 src/main/python/flywheel.py --seeds 3
  /usr/bin/python3 src/main/python/flywheel.py --seeds 3 --variants all:3,semihard:3,hard:3,all:1
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import torch

import data
import evaluate
import retrain
from model import load_checkpoint

JAR = os.path.join(data.REPO_ROOT, "target", "hardneg.jar")


def log(msg):
    print(f"flywheel: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """`hardneg serve` with an in-process broker, as a child process; stopped on exit."""

    def __init__(self, jar, model_dir, policy, npp, app_id, java="java"):
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        cmd = [java, "-jar", jar, "serve", "--embedded-port", str(self.port), "--model", model_dir,
               "--set", f"application.id={app_id}", "--set", "http.port=0",
               "--set", "mining.rate-limit.per-label=0", "--set", f"mining.policy={policy}",
               "--set", f"mining.negatives-per-positive={npp}", "--set", "inference.threads=2"]
        log("starting: " + " ".join(cmd))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.ready = threading.Event()
        self.lines = []
        threading.Thread(target=self._pump, daemon=True).start()
        if not self.ready.wait(180) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("service did not start:\n" + "".join(self.lines[-30:]))
        log(f"service running on {self.bootstrap}")

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("running:"):
                self.ready.set()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def produce(jar, bootstrap, images_file, labels_file, limit, java="java"):
    cmd = [java, "-jar", jar, "produce", "--idx", images_file, labels_file, "--bootstrap-servers", bootstrap,
           "--limit", str(limit)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True, timeout=900)
    log(out.stdout.strip())


def await_embeddings(bootstrap, expected, timeout=1800):
    """Counts the embeddings topic (read_committed) until every streamed image has one."""
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"flywheel-count-{time.time()}",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                  "isolation.level": "read_committed"})
    c.subscribe(["embeddings"])
    n, start, last = 0, time.time(), 0
    try:
        while n < expected:
            if time.time() - start > timeout:
                raise RuntimeError(f"only {n}/{expected} embeddings after {timeout}s")
            n += sum(1 for m in c.consume(1000, 1.0) if m.error() is None)
            if time.time() - last > 10:
                log(f"embedded {n}/{expected} ({time.time() - start:.0f}s)")
                last = time.time()
    finally:
        c.close()
    return time.time() - start


def stream_and_mine(args, policy, npp, train_images):
    """One pass of the service over the stream; returns the mined triplets as index arrays (a, p, n) + kinds."""
    svc = Service(args.jar, args.model_dir, policy, npp, f"flywheel-{policy}-{npp}")
    try:
        t = time.time()
        produce(args.jar, svc.bootstrap, args.train_images, args.train_labels, args.stream)
        secs = await_embeddings(svc.bootstrap, args.stream)
        log(f"streamed and embedded {args.stream} images in {time.time() - t:.0f}s")
        consumer = retrain.kafka_consumer(svc.bootstrap, "flywheel")
        try:
            col, _ = retrain.collect(consumer, budget=10 ** 9, idle_timeout=10)
        finally:
            consumer.close()
    finally:
        svc.stop()
    idx = np.array([[int(m.id.rsplit("-", 1)[1]) for m in t] for t in col.triplets]).reshape(-1, 3)
    # The records' PNGs are the streamed images, byte for byte after decoding.
    for k in range(min(len(idx), 200)):
        for j in range(3):
            assert np.array_equal(col.triplets[k][j].image, train_images[idx[k, j]]), "decoded image mismatch"
    log(f"mined {len(idx)} triplets (policy {policy}, {npp} negatives per positive): kinds {col.kinds}")
    return idx, dict(col.kinds)


def random_triplets(labels, n, rng):
    """N random triplets of the streamed images: anchor and positive of one label, negative of another."""
    by_label = {int(c): np.flatnonzero(labels == c) for c in np.unique(labels)}
    a = rng.randint(0, len(labels), n)
    p = np.array([rng.choice(by_label[int(labels[i])]) for i in a])
    ng = np.array([rng.choice(np.flatnonzero(labels != labels[i])) for i in a])
    return np.stack([a, p, ng], 1)


def test_recall(model, test_images, test_labels, held_out):
    """Recall@1 on the test split, full gallery, for held-out-class and seen-class queries."""
    emb = evaluate.embed(model, test_images)
    held = np.isin(test_labels, held_out)
    full = np.ones(len(test_labels), dtype=bool)
    return {"held_out": evaluate.recall_at_1(emb, test_labels, held, full),
            "seen": evaluate.recall_at_1(emb, test_labels, ~held, full)}


def fine_tune_on(args, idx, train_images, replay, seed, test):
    model, ckpt = load_checkpoint(os.path.join(args.model_dir, "model.pt"))
    mined = (train_images[idx[:, 0]], train_images[idx[:, 1]], train_images[idx[:, 2]])
    replay.rng = np.random.RandomState(seed + 1000)
    retrain.fine_tune(model, mined, replay, args.steps, args.batch, args.replay, args.lr,
                      float(ckpt.get("alpha", 0.2)), seed, freeze_bn=not args.train_bn, log_every=0)
    return test_recall(model, *test)


def pct(x):
    return f"{100 * x:.2f}"


def run(args):
    torch.set_num_threads(args.threads)
    t0 = time.time()
    train_images, train_labels = data.load_split("train")
    stream_labels = train_labels[:args.stream]
    base, ckpt = load_checkpoint(os.path.join(args.model_dir, "model.pt"))
    held_out = list(ckpt["held_out"])
    test_images, test_labels = data.load_split("test")
    test = (test_images, test_labels, held_out)
    before = test_recall(base, *test)
    log(f"before: held-out {pct(before['held_out'])} seen {pct(before['seen'])}")
    # Replay: the base training data (the shipped model's own classes), outside the streamed images.
    keep = ~np.isin(train_labels, held_out)
    keep[:args.stream] = False
    replay = retrain.ReplaySampler(train_images[keep], train_labels[keep], np.random.RandomState(0))

    results = {"before": before, "variants": []}
    random_rows = []
    for variant in args.variants.split(","):
        policy, npp = variant.split(":")
        cache = os.path.join(args.cache, f"mined-{policy}-{npp}-{args.stream}.json") if args.cache else None
        if cache and os.path.exists(cache):
            with open(cache) as f:
                c = json.load(f)
            mined_idx, kinds = np.array(c["idx"], dtype=np.int64).reshape(-1, 3), c["kinds"]
            log(f"{variant}: {len(mined_idx)} mined triplets from the cache {cache}")
        else:
            mined_idx, kinds = stream_and_mine(args, policy, int(npp), train_images)
            if cache:
                os.makedirs(args.cache, exist_ok=True)
                with open(cache, "w") as f:
                    json.dump({"idx": mined_idx.tolist(), "kinds": kinds}, f)
        if len(mined_idx) < args.n:
            log(f"WARNING: only {len(mined_idx)} mined triplets for N={args.n}; using all of them")
        rows = []
        for seed in range(1, args.seeds + 1):
            rng = np.random.RandomState(seed)
            n = min(args.n, len(mined_idx))
            a_idx = mined_idx[rng.choice(len(mined_idx), n, replace=False)]
            ra = fine_tune_on(args, a_idx, train_images, replay, seed, test)
            if len(random_rows) < seed:  # (b) does not depend on the mining settings: once per seed
                b_idx = random_triplets(stream_labels, n, np.random.RandomState(seed + 500))
                random_rows.append(fine_tune_on(args, b_idx, train_images, replay, seed, test))
            rb = random_rows[seed - 1]
            log(f"{variant} seed {seed}: (a) mined held-out {pct(ra['held_out'])} seen {pct(ra['seen'])} | "
                f"(b) random held-out {pct(rb['held_out'])} seen {pct(rb['seen'])}  ({time.time() - t0:.0f}s)")
            rows.append({"seed": seed, "mined": ra, "random": rb})
        results["variants"].append({"policy": policy, "negatives_per_positive": int(npp),
                                    "mined_pool": int(len(mined_idx)), "kinds": kinds, "runs": rows})
    results["seconds"] = round(time.time() - t0)
    return results


def table(results, args):
    b = results["before"]
    lines = [f"Recall@1 (%) on the 10k test split, full gallery; shipped model before: held-out "
             f"{pct(b['held_out'])}, seen {pct(b['seen'])}.",
             f"stream {args.stream} train images; N={args.n} triplets, {args.steps} steps x batch {args.batch} "
             f"+ replay {args.replay}x, lr {args.lr}; seeds 1..{args.seeds}; mean (min..max) over seeds.", "",
             "| mining policy | AP:AN | mined pool | held-out (a) mined | held-out (b) random | (a)-(b) held-out "
             "| seen (a) mined | seen (b) random | seen (a)-before | goal |",
             "|---|---|---|---|---|---|---|---|---|---|"]

    def stat(vals):
        v = np.array(vals) * 100
        return f"{v.mean():.2f} ({v.min():.2f}..{v.max():.2f})"

    for v in results["variants"]:
        runs = v["runs"]
        ha = [r["mined"]["held_out"] for r in runs]
        hb = [r["random"]["held_out"] for r in runs]
        sa = [r["mined"]["seen"] for r in runs]
        sb = [r["random"]["seen"] for r in runs]
        gain = 100 * (np.mean(ha) - np.mean(hb))
        seen_drop = 100 * (b["seen"] - np.mean(sa))
        goal = "met" if gain >= 3 and seen_drop <= 1 else "not met"
        lines.append(f"| {v['policy']} | 1:{v['negatives_per_positive']} | {v['mined_pool']} | {stat(ha)} | "
                     f"{stat(hb)} | {gain:+.2f} | {stat(sa)} | {stat(sb)} | {-seen_drop:+.2f} | {goal} |")
    lines.append("")
    lines.append(f"goal: (a) - (b) >= +3.00 on held-out and seen (a) - before >= -1.00; "
                 f"total {results['seconds']}s")
    return "\n".join(lines)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--stream", type=int, default=20000, help="first N images of the training split")
    ap.add_argument("--n", type=int, default=3000, help="triplets per retraining run, (a) and (b) alike")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--replay", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--train-bn", action="store_true")
    ap.add_argument("--variants", default="all:3", help="comma-separated POLICY:NEGATIVES_PER_POSITIVE")
    ap.add_argument("--model-dir", default=retrain.SHIPPED_MODEL)
    ap.add_argument("--jar", default=JAR)
    ap.add_argument("--train-images", default=os.path.join(data.DEBIAN_DIR, "train-images-idx3-ubyte.gz"))
    ap.add_argument("--train-labels", default=os.path.join(data.DEBIAN_DIR, "train-labels-idx1-ubyte.gz"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--cache", default=None, help="keep each variant's mined triplets (ids) here and reuse them "
                    "instead of streaming again (for tuning the fine-tuning only)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    results = run(args)
    results["args"] = vars(args)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=2)
    print(table(results, args), flush=True)


if __name__ == "__main__":
    main()
