#!/usr/bin/env python3
"""Accuracy and training time of scikit-learn's LogisticRegression on the digits split, next to
Assent's built-in logistic trainer on the same split: side by side in one run, for ten seeds (each
seed shuffles the training samples for scikit-learn, and orders them by a seeded hash for Assent),
the fit alone in process (`assent-bench fit --json`), then the whole `assent train` command at
K = 1, 4, 16.

    pip install scikit-learn==1.9.1 && swift build -c release
    OMP_NUM_THREADS=1 python3 Tools/bench_sklearn_digits.py .build/release/assent
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

root = pathlib.Path(__file__).resolve().parents[1]
assent = sys.argv[1] if len(sys.argv) > 1 else str(root / ".build/release/assent")
data = root / "Tools/datasets/digits"


def load(name):
    rows = [json.loads(line) for line in (data / name).read_text().splitlines()]
    return np.array([r["features"] for r in rows], dtype=np.float64) / 16.0, np.array([r["label"] for r in rows])


x_train, y_train = load("digits-train.jsonl")
x_test, y_test = load("digits-test.jsonl")
bench = pathlib.Path(assent).with_name("assent-bench")
ours = [json.loads(line) for line in subprocess.run([str(bench), "fit", "--json"], check=True, capture_output=True,
                                                     text=True).stdout.splitlines()]
print("seed  scikit-learn fit  accuracy   assent fit  accuracy  L-BFGS iterations (assent)")
sklearn_times, assent_times = [], []
for entry in ours:
    order = np.random.default_rng(entry["seed"]).permutation(len(y_train))
    start = time.perf_counter()
    model = LogisticRegression(max_iter=2000).fit(x_train[order], y_train[order])
    seconds = time.perf_counter() - start
    sklearn_times.append(seconds)
    assent_times.append(entry["fit_seconds"])
    print(f"{entry['seed']:4d}  {seconds:14.4f} s  {100 * model.score(x_test, y_test):7.2f}%  {entry['fit_seconds']:9.4f} s"
          f"  {entry['accuracy']:7.2f}%  {entry['iterations']}")
print(f"median fit: scikit-learn {sorted(sklearn_times)[len(sklearn_times) // 2]:.4f} s, "
      f"assent {sorted(assent_times)[len(assent_times) // 2]:.4f} s")

with tempfile.TemporaryDirectory() as work:
    ledger = f"{work}/ledger"
    subprocess.run([assent, "init", "--ledger", ledger], check=True, capture_output=True)
    manifest = pathlib.Path(work) / "m.jsonl"
    manifest.write_text("".join(json.dumps({"text": line, "license": "CC-BY-4.0", "source": "digits", "media_type": "application/json"}) + "\n"
                                for line in (data / "digits-train.jsonl").read_text().splitlines()))
    subprocess.run([assent, "ingest", str(manifest), "--ledger", ledger], check=True, capture_output=True)
    for shards in [1, 4, 16]:
        start = time.perf_counter()
        trained = json.loads(subprocess.run([assent, "train", "--trainer", "logistic", "--shards", str(shards), "--ledger", ledger, "--json"],
                                            check=True, capture_output=True, text=True).stdout)
        seconds = time.perf_counter() - start
        evaluation = json.loads(subprocess.run([assent, "evaluate", trained["model"], "--data", str(data / "digits-test.jsonl"), "--ledger", ledger, "--json"],
                                               check=True, capture_output=True, text=True).stdout)
        print(f"assent logistic K={shards:2d}: accuracy {evaluation['accuracy_bp'] / 100:.2f}%, train command {seconds:.3f} s end to end (snapshot, training, logging)")
