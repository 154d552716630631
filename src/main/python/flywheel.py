"""The flywheel experiment: do mined triplets teach the shipped model its held-out classes (Shirt, Ankle boot)
better than random triplets of the same streamed images? Done as a metric-learning reviewer would ask:

  splits   stream = train[0:20000] (all 10 classes, labeled); validation = train[55000:60000] (data.VALIDATION,
           held apart from the shipped model's training, the stream and the replay: asserted); replay = the
           shipped model's own classes in train[20000:55000]; test = the bundled 10k test split.
  arms     per seed s, fine-tuning of the same model.pt with the same replay draws and step order, on (a) N mined
           triplets and (b) N random label-consistent triplets of the stream. Paired differences over --seeds,
           mean and 95% t-interval.
  mining   --mine offline: mining_sim's model of the service's miner (fast, for sweeps; re-mined per seed);
           --mine service: the real service (`java -jar target/hardneg.jar serve`, in-process broker) streams
           the images and the triplets are read from hard-negatives.
  scoring  --eval validation (every choice) or --eval test (once, for the chosen configuration); Recall@1 and
           MAP@R (Musgrave et al. 2020) for held-out queries against the full gallery, Shirt and Ankle boot
           separately, and seen queries against the seen gallery.

  # a sweep point on validation (fast):
  /usr/bin/python3 src/main/python/flywheel.py --mine offline --eval validation --seeds 10 \
      --policy positive=random,negative=soft,beta=5,gap_floor=0.3,anchor_share=0.3 --recipe distill=1
  # a report's table (markdown):  flywheel.py table docs/flywheel/RUN.json
  # merge runs of the same configuration at different N into one report:
  /usr/bin/python3 src/main/python/flywheel.py merge OUT.json RUN-A.json RUN-B.json
  # the claim: through the service, on the test split, with a budget curve
  /usr/bin/python3 src/main/python/flywheel.py --mine service --eval test --seeds 10 --n 500,1000,3000,10000 \
      --policy ... --recipe ... --json-out docs/flywheel/RUN.json
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch

import data
import mining_sim
from hardneg_ml.digests import read_sha256
from hardneg_ml.finetune import Recipe, fine_tune_recipe, recipe_dict, recipe_fields
from hardneg_ml.log import prefixed
from hardneg_ml.recall import embed, group_scores
from hardneg_ml.records import collect, kafka_consumer
from hardneg_ml.samplers import ReplaySampler
from hardneg_ml.service import JAR, Service, await_embeddings, produce
from hardneg_ml.versions import SHIPPED_MODEL
from model import load_checkpoint

STREAM = 20000
# Two-sided 95% Student t quantiles by degrees of freedom (1..30); 1.96 beyond.
T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
       2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


log = prefixed("flywheel")


def stream_and_mine(args, rules, train_images):
    """One pass of the real service over the stream; returns the mined triplets as stream indices (a, p, n)."""
    svc = Service(args.jar, args.model_dir, rules.as_config(), f"flywheel-{time.time_ns()}")
    try:
        t = time.time()
        produce(args.jar, svc.bootstrap, args.train_images, args.train_labels, args.stream)
        await_embeddings(svc.bootstrap, args.stream)
        log(f"streamed and embedded {args.stream} images in {time.time() - t:.0f}s")
        consumer = kafka_consumer(svc.bootstrap, "flywheel")
        try:
            col, _ = collect(consumer, budget=10 ** 9, idle_timeout=10)
        finally:
            consumer.close()
    finally:
        svc.stop()
    idx = np.array([[int(m.id.rsplit("-", 1)[1]) for m in t] for t in col.triplets]).reshape(-1, 3)
    # The records' PNGs are the streamed images, byte for byte after decoding.
    for k in range(min(len(idx), 200)):
        for j in range(3):
            assert np.array_equal(col.triplets[k][j].image, train_images[idx[k, j]]), "decoded image mismatch"
    log(f"service mined {len(idx)} triplets: kinds {col.kinds}")
    return idx


def interval(diffs):
    """Mean and 95% t-interval of paired differences."""
    d = np.asarray(diffs, dtype=np.float64)
    m = float(d.mean())
    if len(d) < 2:
        return m, [m, m]
    h = (T95[len(d) - 2] if len(d) - 1 <= len(T95) else 1.96) * float(d.std(ddof=1)) / math.sqrt(len(d))
    return m, [m - h, m + h]


class Experiment:
    """The splits, the starting model and the fine-tuning, shared by every arm."""

    def __init__(self, args):
        self.args = args
        torch.set_num_threads(args.threads)
        self.images, self.labels = data.load_split("train", args.train_data)
        n = len(self.labels)
        self.base, self.ckpt = load_checkpoint(os.path.join(args.model_dir, "model.pt"))
        self.held_out = list(self.ckpt["held_out"])
        self.alpha = float(self.ckpt.get("alpha", 0.2))
        val = data.validation_indices(n)
        stream = np.arange(args.stream)
        replay = np.setdiff1d(np.flatnonzero(~np.isin(self.labels, self.held_out)), np.union1d(stream, val))
        assert not np.intersect1d(val, stream).size and not np.intersect1d(val, replay).size, \
            "the validation split must stay apart from stream and replay"
        self.validation_apart = bool(self.ckpt.get("validation"))
        if not self.validation_apart:
            log("WARNING: the model's checkpoint records no validation split held apart from its training; "
                "its seen-class validation scores are on its own training images")
        self.stream_idx, self.replay_idx, self.val_idx = stream, replay, val
        self.stream_labels = self.labels[stream]
        if args.eval == "test":
            self.eval_images, self.eval_labels = data.load_split("test")
        else:
            self.eval_images, self.eval_labels = self.images[val], self.labels[val]
        self.recipe = recipe_from(args.recipe, args)
        self._stream_emb = None

    def stream_embeddings(self):
        if self._stream_emb is None:
            self._stream_emb = embed(self.base, self.images[self.stream_idx])
        return self._stream_emb

    def before(self):
        return group_scores(self.base, self.eval_images, self.eval_labels, self.held_out)

    def fine_tune(self, triplets, seed):
        """Scores after fine-tuning a fresh copy of the model on stream-index triplets [N,3]."""
        model, _ = load_checkpoint(os.path.join(self.args.model_dir, "model.pt"))
        im = self.images
        mined = (im[triplets[:, 0]], im[triplets[:, 1]], im[triplets[:, 2]])
        replay = ReplaySampler(im[self.replay_idx], self.labels[self.replay_idx],
                               np.random.RandomState(seed + 1000))
        fine_tune_recipe(model, mined, replay, self.recipe, self.alpha, seed)
        return group_scores(model, self.eval_images, self.eval_labels, self.held_out)


def recipe_from(text, args):
    kw = {"steps": args.steps, "batch": args.batch, "replay": args.replay, "lr": args.lr}
    for part in filter(None, (t.strip() for t in (text or "").split(","))):
        k, _, v = part.partition("=")
        k = k.strip().replace("-", "_")
        field = recipe_fields().get(k)
        if field is None:
            raise SystemExit(f"unknown recipe key {k!r}")
        kw[k] = v if field is str else (v.lower() in ("1", "true", "yes") if field is bool else field(v))
    return Recipe(**kw)


def mined_pool(exp, rules, seed):
    """The mined triplets (stream indices) for one seed: re-mined offline per seed (the sampled rules' draws
    vary), or the service's pool (streamed once, cached)."""
    if exp.args.mine == "offline":
        idx, _ = mining_sim.mine(exp.stream_embeddings(), exp.stream_labels, rules, np.random.RandomState(seed))
        return idx
    if exp.args.service_pool is None:
        key = hashlib.sha256(json.dumps([rules.as_config(), exp.args.stream, exp.args.model_dir],
                                        sort_keys=True).encode()).hexdigest()[:16]
        cache = exp.args.cache and os.path.join(exp.args.cache, f"service-{key}.json")
        if cache and os.path.exists(cache):
            with open(cache) as f:
                exp.args.service_pool = np.array(json.load(f)["idx"], dtype=np.int64).reshape(-1, 3)
        else:
            exp.args.service_pool = stream_and_mine(exp.args, rules, exp.images)
            if cache:
                os.makedirs(exp.args.cache, exist_ok=True)
                with open(cache, "w") as f:
                    json.dump({"rules": rules.as_config(), "idx": exp.args.service_pool.tolist()}, f)
    return exp.args.service_pool


def run(args):
    t0 = time.time()
    exp = Experiment(args)
    rules = mining_sim.Rules.parse(args.policy)
    before = exp.before()
    log(f"before: held-out {pct(before['held_out'])} seen {pct(before['seen'])} on {args.eval}")
    ns = [int(v) for v in str(args.n).split(",")]
    curve = []
    for n in ns:
        runs = []
        for seed in range(1, args.seeds + 1):
            pool = mined_pool(exp, rules, seed)
            rng = np.random.RandomState(seed)
            take = min(n, len(pool))
            mined = pool[rng.choice(len(pool), take, replace=False)]
            rand = mining_sim.random_triplets(exp.stream_labels, take, np.random.RandomState(seed + 500))
            ra = exp.fine_tune(mined, seed)
            rb = random_arm(exp, rand, seed, take)
            kinds = {"anchor_labels": np.bincount(exp.stream_labels[mined[:, 0]], minlength=10).tolist()}
            runs.append({"seed": seed, "n": take, "pool": int(len(pool)), "mined": ra, "random": rb, **kinds})
            log(f"N={n} seed {seed}: pool {len(pool)}, mined held-out {pct(ra['held_out'])} seen {pct(ra['seen'])}"
                f" | random held-out {pct(rb['held_out'])} seen {pct(rb['seen'])} ({time.time() - t0:.0f}s)")
        curve.append(summarise_point(n, runs, before))
    return {"before": before, "curve": curve, "seconds": round(time.time() - t0), "rules": rules, "exp": exp}


def random_arm(exp, rand, seed, n):
    """The random arm's scores: they depend on the model, seed, N, recipe and split, not on the mining rules,
    so sweeps reuse them from --arm-cache."""
    path = None
    if exp.args.arm_cache:
        sha = read_sha256(exp.args.model_dir)[:16]
        key = f"{sha}-{exp.args.eval}-{exp.args.stream}-{seed}-{n}-" + "-".join(
            f"{k}={v}" for k, v in sorted(recipe_dict(exp.recipe).items()))
        path = os.path.join(exp.args.arm_cache, key.replace("/", "_") + ".json")
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
    out = exp.fine_tune(rand, seed)
    if path:
        os.makedirs(exp.args.arm_cache, exist_ok=True)
        with open(path, "w") as f:
            json.dump(out, f)
    return out


def summarise_point(n, runs, before):
    out = {"n": n, "runs": runs}
    for key in runs[0]["mined"]:
        gain, ci = interval([r["mined"][key] - r["random"][key] for r in runs])
        out[key] = {"mined": float(np.mean([r["mined"][key] for r in runs])),
                    "random": float(np.mean([r["random"][key] for r in runs])),
                    "gain_mean": gain, "gain_ci95": ci,
                    "mined_vs_before": float(np.mean([r["mined"][key] for r in runs]) - before[key])}
    return out


def triplets_to_target(curve, target_n=3000):
    """random's N over mined's N at equal held-out Recall@1: the smallest mined N (log-linear between curve
    points) reaching the random arm's held-out level at target_n."""
    pts = {p["n"]: p for p in curve}
    if target_n not in pts:
        return None
    target = pts[target_n]["held_out"]["random"]
    xs = sorted(pts)
    ys = [pts[x]["held_out"]["mined"] for x in xs]
    if ys[0] >= target:
        return target_n / xs[0]
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if y0 < target <= y1:
            f = (target - y0) / (y1 - y0)
            return target_n / math.exp(math.log(x0) + f * (math.log(x1) - math.log(x0)))
    return 0.0


def pct(x):
    return f"{100 * x:.2f}"


def summary(results, args):
    main_point = next((p for p in results["curve"] if p["n"] == 3000), results["curve"][-1])
    exp = results["exp"]
    return {"n": main_point["n"], "seeds": args.seeds, "eval": args.eval, "mine": args.mine,
            "policy": results["rules"].as_config(), "recipe": recipe_dict(exp.recipe),
            "heldout_gain_mean": main_point["held_out"]["gain_mean"],
            "heldout_gain_ci95": main_point["held_out"]["gain_ci95"],
            "seen_delta_mean": main_point["seen"]["mined_vs_before"],
            "seen_gain_vs_random_mean": main_point["seen"]["gain_mean"],
            "triplets_to_target_ratio": triplets_to_target(results["curve"]),
            "model_validation_apart": exp.validation_apart}


def table(results, args):
    return markdown(results["before"], results["curve"], args.eval, args.seeds)


def markdown(b, curve, split, seeds):
    """The report's table: one row per N."""
    lines = [f"Recall@1 (%) on the {split} split; model before: held-out {pct(b['held_out'])}, seen "
             f"{pct(b['seen'])}. {seeds} paired seeds; gain = mined - random, mean [95% t-interval].", "",
             "| N | held-out mined | held-out random | gain | Shirt gain | Ankle boot gain | MAP@R held-out gain "
             "| seen mined - before | seen gain |", "|---|---|---|---|---|---|---|---|---|"]

    def g(p, k):
        x = p[k]
        return f"{100 * x['gain_mean']:+.2f} [{100 * x['gain_ci95'][0]:+.2f}, {100 * x['gain_ci95'][1]:+.2f}]"

    for p in curve:
        lines.append(f"| {p['n']} | {pct(p['held_out']['mined'])} | {pct(p['held_out']['random'])} | "
                     f"{g(p, 'held_out')} | {g(p, 'shirt')} | {g(p, 'ankle_boot')} | {g(p, 'map_r_held_out')} | "
                     f"{100 * p['seen']['mined_vs_before']:+.2f} | {g(p, 'seen')} |")
    return "\n".join(lines)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mine", choices=["offline", "service"], default="offline")
    ap.add_argument("--eval", choices=["validation", "test"], default="validation",
                    help="choose on validation; report the test split once")
    ap.add_argument("--policy", default="", help="mining rules, e.g. positive=random,negative=soft,beta=5,"
                    "gap_floor=0.3,anchor_share=0.3 (mining_sim.Rules; service keys mining.*)")
    ap.add_argument("--recipe", default="", help="hardneg_ml.finetune.Recipe fields, e.g. reducer=nonzero,distill=1")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--stream", type=int, default=STREAM, help="first N images of the training split")
    ap.add_argument("--n", default="3000", help="triplets per run (comma-separated: a budget curve)")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--replay", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--model-dir", default=SHIPPED_MODEL)
    ap.add_argument("--jar", default=JAR)
    ap.add_argument("--train-data", default=None, help="train split directory (default: Debian's)")
    ap.add_argument("--train-images", default=os.path.join(data.DEBIAN_DIR, "train-images-idx3-ubyte.gz"))
    ap.add_argument("--train-labels", default=os.path.join(data.DEBIAN_DIR, "train-labels-idx1-ubyte.gz"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--arm-cache", default="/tmp/hardneg-flywheel-arms",
                    help="reuse the random arm's scores (same model, seed, N, recipe, split) from here; '' = off")
    ap.add_argument("--cache", default=None, help="keep the service's mined triplets (ids) here and reuse them")
    args = ap.parse_args(argv)
    args.service_pool = None
    return args


def merge(paths, out_path):
    """One report from runs of the same configuration at different N (run side by side to use both cores)."""
    runs = [json.load(open(p)) for p in paths]
    first = runs[0]
    for r in runs[1:]:
        for k in ("policy", "recipe", "seeds", "eval", "mine"):
            if r["summary"][k] != first["summary"][k]:
                raise SystemExit(f"cannot merge: {k} differs between {paths[0]} and another run")
    curve = sorted((p for r in runs for p in r["curve"]), key=lambda p: p["n"])
    main_point = next((p for p in curve if p["n"] == 3000), curve[-1])
    summary = dict(first["summary"], n=main_point["n"],
                   heldout_gain_mean=main_point["held_out"]["gain_mean"],
                   heldout_gain_ci95=main_point["held_out"]["gain_ci95"],
                   seen_delta_mean=main_point["seen"]["mined_vs_before"],
                   seen_gain_vs_random_mean=main_point["seen"]["gain_mean"],
                   triplets_to_target_ratio=triplets_to_target(curve))
    out = {"summary": summary, "commands": [r["command"] for r in runs], "git_commit": first["git_commit"],
           "date": max(r["date"] for r in runs), "before": first["before"], "curve": curve,
           "seconds": sum(r["seconds"] for r in runs), "merged_from": [os.path.basename(p) for p in paths]}
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
    return out


def main(argv=None):
    if argv is None and len(sys.argv) > 2 and sys.argv[1] == "table":
        r = json.load(open(sys.argv[2]))
        print(markdown(r["before"], r["curve"], r["summary"]["eval"], r["summary"]["seeds"]))
        return
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "merge":
        out = merge(sys.argv[3:], sys.argv[2])
        print(json.dumps(out["summary"]))
        return
    args = parse_args(argv)
    cmd = " ".join(["/usr/bin/python3", "src/main/python/flywheel.py"] + (argv if argv is not None else sys.argv[1:]))
    results = run(args)
    out = {"summary": summary(results, args), "command": cmd,
           "git_commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=data.REPO_ROOT, capture_output=True,
                                        text=True).stdout.strip(),
           "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "before": results["before"], "curve": results["curve"], "seconds": results["seconds"]}
    if args.json_out:
        os.makedirs(os.path.dirname(os.path.abspath(args.json_out)), exist_ok=True)
        with open(args.json_out, "w") as f:
            json.dump(out, f, indent=1)
    print(table(results, args), flush=True)
    print(json.dumps(out["summary"]), flush=True)


if __name__ == "__main__":
    main()
