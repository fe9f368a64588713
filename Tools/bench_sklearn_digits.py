#!/usr/bin/env python3
"""Accuracy and training time of scikit-learn's LogisticRegression on the digits split, next to
Assent's built-in logistic trainer (K = 1, 4, 16) on the same split.

    pip install scikit-learn==1.9.1 && swift build -c release --product assent
    python3 Tools/bench_sklearn_digits.py .build/release/assent
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
start = time.perf_counter()
model = LogisticRegression(max_iter=2000).fit(x_train, y_train)
seconds = time.perf_counter() - start
print(f"scikit-learn LogisticRegression: accuracy {100 * model.score(x_test, y_test):.2f}%, training {seconds:.3f} s")

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
