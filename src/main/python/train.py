"""Trains the triplet embedding CNN on Fashion-MNIST (held-out classes excluded), exports ONNX, evaluates.

Example (the shipped model's command is in docs/model.md and in metrics.json):
  /usr/bin/python3 src/main/python/train.py --epochs 12 --width 32 --out /tmp/m
"""
import argparse
import math
import sys
import time

import numpy as np
import torch

import data
import evaluate
import export
from hardneg_ml import losses
from hardneg_ml.log import shell_line
from hardneg_ml.parity import write_parity
from hardneg_ml.samplers import PKSampler
from hardneg_ml.training import CosineAdam, RunningMeans, seed_everything
from hardneg_ml.versions import write_metrics, write_version
from model import EmbeddingNet, load_checkpoint


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=None, help="directory with Fashion-MNIST IDX files (default: Debian's "
                    "/usr/share/datasets/fashion-mnist for train, the bundled copy for test)")
    ap.add_argument("--test-data", default=None, help="directory with the t10k files (default: bundled copy)")
    ap.add_argument("--out", required=True, help="output directory (model.onnx, model.pt, metrics.json, sha256)")
    ap.add_argument("--name", default="fashion-triplet")
    ap.add_argument("--version", default="1")
    ap.add_argument("--held-out", default="6,9", help="classes excluded from training (comma-separated)")
    ap.add_argument("--width", type=int, default=32, help="channels of the first conv layer")
    ap.add_argument("--dim", type=int, default=64, help="embedding size D")
    ap.add_argument("--alpha", type=float, default=0.2)
    ap.add_argument("--epochs", type=float, default=None, help="epochs (one epoch = training images / batch)")
    ap.add_argument("--minutes", type=float, default=None, help="wall-clock budget for the training loop")
    ap.add_argument("--p", type=int, default=8, help="classes per batch")
    ap.add_argument("--k", type=int, default=16, help="images per class per batch")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-train", type=int, default=None, help="use only the first N training images")
    ap.add_argument("--include-validation", action="store_true",
                    help="also train on the validation split (train[55000:60000]); by default it is held apart")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--init-from", default=None, help="model.pt to continue from (a retraining job)")
    ap.add_argument("--parity-out", default=None, help="also write the parity reference JSON here")
    ap.add_argument("--no-eval", action="store_true", help="skip the 10k test-split evaluation")
    args = ap.parse_args(argv)
    if args.epochs is None and args.minutes is None:
        ap.error("give --epochs and/or --minutes")
    return args


def train(args):
    seed_everything(args.seed, args.threads)
    held_out = data.parse_classes(args.held_out)
    images, labels = data.load_split("train", args.data)
    if args.max_train:
        images, labels = images[:args.max_train], labels[:args.max_train]
    keep = ~np.isin(labels, held_out)
    if not args.include_validation:
        keep &= data.outside_validation(len(labels))
    images, labels = images[keep], labels[keep]
    x_all = torch.from_numpy(data.normalize(images))
    y_all = torch.from_numpy(labels)
    print(f"training on {len(labels)} images, classes {sorted(set(labels.tolist()))}, held out {held_out}",
          flush=True)

    if args.init_from:
        model, ckpt = load_checkpoint(args.init_from)
        print(f"continuing from {args.init_from} (version {ckpt['version']})", flush=True)
    else:
        model = EmbeddingNet(width=args.width, dim=args.dim)
    model.train()
    opt = CosineAdam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sampler = PKSampler(labels, args.p, args.k, np.random.RandomState(args.seed))
    batch = sampler.p * sampler.k
    steps_per_epoch = max(1, len(labels) // batch)
    total_steps = math.ceil(args.epochs * steps_per_epoch) if args.epochs is not None else None
    budget = args.minutes * 60 if args.minutes is not None else None

    start = time.time()
    step, seen_images, last_log, last_images = 0, 0, start, 0
    means = RunningMeans()
    while True:
        elapsed = time.time() - start
        if total_steps is not None and step >= total_steps:
            break
        if budget is not None and elapsed >= budget:
            break
        # Cosine decay: over the steps when --epochs is given (deterministic), else over the time budget.
        frac = step / total_steps if total_steps is not None else elapsed / budget
        idx = torch.from_numpy(sampler.batch())
        emb = model(x_all[idx])
        loss, active = losses.semihard_triplet_loss(emb, y_all[idx], args.alpha)
        opt.step(loss, min(frac, 1.0))
        step += 1
        seen_images += len(idx)
        means.add(float(loss), active)
        if step % args.log_every == 0 or step % steps_per_epoch == 0:
            now = time.time()
            ips = (seen_images - last_images) / max(now - last_log, 1e-9)
            mean_loss, mean_active = means.take()
            print(f"epoch {step / steps_per_epoch:6.2f} step {step:6d} loss {mean_loss:.4f} "
                  f"active {mean_active:.3f} lr {opt.lr:.2e} "
                  f"{ips:7.0f} img/s elapsed {now - start:7.1f}s", flush=True)
            last_log, last_images = now, seen_images
    train_seconds = time.time() - start
    epochs_done = step / steps_per_epoch
    model.eval()
    return model, opt.optimizer, held_out, train_seconds, epochs_done, step, len(labels)


def main(argv=None):
    args = parse_args(argv)
    cmd = shell_line(["/usr/bin/python3"] + sys.argv if argv is None else ["train.py"] + argv)
    model, opt, held_out, secs, epochs, steps, n_train = train(args)
    training = (f"triplet loss alpha={args.alpha} semi-hard P={args.p} K={args.k}, seed={args.seed}, "
                f"epochs={epochs:.2f} ({steps} steps, {secs / 60:.1f} min, {n_train} images), "
                f"width={model.config['width']}, dim={model.config['dim']}, Adam lr={args.lr} cosine; "
                f"command: {cmd}")
    meta = export.fashion_metadata(args.name, args.version, model.config["dim"], held_out, args.alpha, training)
    validation = None if args.include_validation else dict(data.VALIDATION)
    if validation:
        meta["hardneg.validation_split"] = f"{validation['split']}[{validation['start']}:{validation['stop']}]"
    digest = write_version(args.out, model, args.version, held_out, meta, opt,
                           extra={"name": args.name, "alpha": args.alpha, "seed": args.seed, "training": training,
                                  "metadata": meta, "validation": validation})
    metrics = {
        "model_name": args.name, "model_version": str(args.version), "seed": args.seed,
        "train_seconds": round(secs, 1), "epochs": round(epochs, 3), "steps": steps,
        "train_images": n_train, "width": model.config["width"], "embedding_dim": model.config["dim"],
        "held_out_classes": held_out, "alpha": args.alpha, "command": cmd, "sha256": digest,
        "validation_split": validation,
    }
    if not args.no_eval:
        t = time.time()
        metrics.update(evaluate.evaluate(model, held_out, args.test_data))
        print(evaluate.format_table(metrics), flush=True)
        print(f"evaluation took {time.time() - t:.1f}s", flush=True)
    write_metrics(args.out, metrics)
    if args.parity_out:
        write_parity(model, args.parity_out, args.version, args.test_data)
    print(f"wrote {args.out}", flush=True)
    return metrics


if __name__ == "__main__":
    main()
