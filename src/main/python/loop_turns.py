"""Turns of the real loop: serve -> stream -> retrain.py -> hot swap -> stream again -> retrain.py -> hot swap.

Each turn streams the next --images-per-turn images of the Fashion-MNIST train split (all 10 classes, labeled)
through `java -jar target/hardneg.jar serve` (in-process broker), runs retrain.py on the mined triplets (its
guard scores on the validation split, data.VALIDATION), waits until the service serves the published version,
and scores every version on the test split (Recall@1 held_out, seen, all). Beside it, the same network trained
from scratch on all 10 classes (--scratch-epochs or --scratch-model): the ceiling a retraining loop approaches.

  /usr/bin/python3 src/main/python/loop_turns.py --turns 2 --json-out docs/flywheel/loop-RUN.json
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np
import torch

import data
import retrain
from hardneg_ml import service
from hardneg_ml.log import prefixed
from hardneg_ml.recall import model_recall_table
from hardneg_ml.versions import SHIPPED_MODEL
from model import load_checkpoint

HERE = os.path.dirname(os.path.abspath(__file__))


log = prefixed("loop")


def test_scores(model_pt, held_out):
    model, _ = load_checkpoint(model_pt)
    images, labels = data.load_split("test")
    return model_recall_table(model, images, labels, held_out)


def serving_version(http_port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/health", timeout=5) as r:
            return str(json.load(r).get("model_version"))
    except OSError:
        return None


def await_version(http_port, version, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if serving_version(http_port) == version:
            return True
        time.sleep(1)
    return False


def retrain_turn(args, bootstrap, model_dir, out_root, turn):
    cmd = [sys.executable, os.path.join(HERE, "retrain.py"), "--bootstrap-servers", bootstrap, "--group-id",
           "loop-turns", "--budget", str(args.budget), "--steps", str(args.steps), "--model-dir", model_dir,
           "--out", out_root, "--idle-timeout", "20", "--seed", str(turn), "--threads", str(args.threads),
           "--log-every", "100"] + args.retrain_args.split()
    log("retrain: " + " ".join(cmd))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=3600)
    for line in p.stdout.splitlines():
        if "guard:" in line or "collected" in line or "published" in line or "refused" in line:
            log("  " + line)
    return p.returncode, p.stdout


def scratch_baseline(args, held_out):
    """The same network trained from scratch on all 10 classes (outside the validation split) for as many
    steps as the shipped model's training: --scratch-model scores one trained before, else it is trained here."""
    out = args.scratch_model
    if out is None:
        out = tempfile.mkdtemp(prefix="hardneg-scratch-")
        cmd = [sys.executable, os.path.join(HERE, "train.py"), "--width", "16", "--epochs", str(args.scratch_epochs),
               "--threads", str(args.threads), "--seed", "1", "--held-out", "", "--out", out, "--no-eval"]
        log("from scratch on all 10 classes: " + " ".join(cmd))
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return test_scores(os.path.join(out, "model.pt"), held_out)


def run(args):
    torch.set_num_threads(args.threads)
    _, ckpt = load_checkpoint(os.path.join(args.model_dir, "model.pt"))
    held_out = list(ckpt["held_out"])
    version = str(ckpt["version"])
    model_dir = args.model_dir
    out_root = tempfile.mkdtemp(prefix="hardneg-loop-")
    http_port = service.free_port()
    settings = dict(kv.split("=", 1) for kv in args.set)
    rows = [{"turn": 0, "version": version, "test": test_scores(os.path.join(model_dir, "model.pt"), held_out)}]
    log(f"v{version} on the test split: {rows[0]['test']}")
    svc = service.Service(args.jar, model_dir, settings, f"loop-{time.time_ns()}", http_port=http_port)
    try:
        for turn in range(1, args.turns + 1):
            skip = (turn - 1) * args.images_per_turn
            service.produce(args.jar, svc.bootstrap, args.train_images, args.train_labels, args.images_per_turn,
                             skip=skip)
            service.await_embeddings(svc.bootstrap, turn * args.images_per_turn)
            code, _ = retrain_turn(args, svc.bootstrap, model_dir, out_root, turn)
            row = {"turn": turn, "streamed": [skip, skip + args.images_per_turn], "retrain_exit": code}
            if code == retrain.EXIT_PUBLISHED:
                version = str(int(version) + 1)
                model_dir = os.path.join(out_root, ckpt.get("name", "fashion-triplet"), version)
                row["swapped"] = await_version(http_port, version)
                log(f"turn {turn}: v{version} published; serving it: {row['swapped']}")
            else:
                log(f"turn {turn}: retrain.py exit {code}; v{version} keeps serving")
            row["version"] = version
            row["test"] = test_scores(os.path.join(model_dir, "model.pt"), held_out)
            log(f"turn {turn}: v{version} on the test split: {row['test']}")
            rows.append(row)
    finally:
        svc.stop()
    result = {"turns": rows}
    if args.scratch_epochs > 0 or args.scratch_model:
        result["scratch_all_classes"] = {"epochs": args.scratch_epochs, "model": args.scratch_model,
                                         "test": scratch_baseline(args, held_out)}
    return result


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=2)
    ap.add_argument("--images-per-turn", type=int, default=10000)
    ap.add_argument("--budget", type=int, default=3000, help="triplets per retraining (retrain.py --budget)")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--retrain-args", default="", help="more retrain.py options, e.g. '--distill 1'")
    ap.add_argument("--set", action="append", default=[], help="service setting KEY=VALUE (repeatable)")
    ap.add_argument("--scratch-epochs", type=float, default=0.0,
                    help="train the from-scratch all-class baseline for E epochs (14.78 = the shipped model's 6350 "
                    "steps over the 55,000 images outside validation); 0 = skip")
    ap.add_argument("--scratch-model", default=None, help="score this already trained baseline folder instead")
    ap.add_argument("--model-dir", default=SHIPPED_MODEL)
    ap.add_argument("--jar", default=service.JAR)
    ap.add_argument("--train-images", default=os.path.join(data.DEBIAN_DIR, "train-images-idx3-ubyte.gz"))
    ap.add_argument("--train-labels", default=os.path.join(data.DEBIAN_DIR, "train-labels-idx1-ubyte.gz"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json-out", default=None)
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    t0 = time.time()
    result = run(args)
    result.update({"command": " ".join(["/usr/bin/python3", "src/main/python/loop_turns.py"] + (argv or sys.argv[1:])),
                   "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                   "seconds": round(time.time() - t0)})
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=1)
    for r in result["turns"]:
        t = r["test"]
        print(f"turn {r['turn']}: v{r['version']} held-out {100 * t['held_out']:.2f} seen {100 * t['seen']:.2f} "
              f"all {100 * t['all']:.2f}")
    if "scratch_all_classes" in result:
        t = result["scratch_all_classes"]["test"]
        print(f"from scratch, all classes: held-out {100 * t['held_out']:.2f} seen {100 * t['seen']:.2f} "
              f"all {100 * t['all']:.2f}")


if __name__ == "__main__":
    main()
