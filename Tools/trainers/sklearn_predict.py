#!/usr/bin/env python3
"""Scores a per-shard model of `sklearn_shard.py` + `sklearn_aggregate.py` on held-out digits.

    python3 Tools/trainers/sklearn_predict.py MODEL_FOLDER Tools/datasets/digits/digits-test.jsonl

Applies the aggregate's rule: the mean of the shards' softmax probabilities, summed in shard order,
ties to the lowest label. Prints accuracy as JSON ({"samples", "correct", "accuracy_bp"})."""
import json
import os
import sys

import numpy as np


def main():
    folder, data = sys.argv[1], sys.argv[2]
    ensemble = json.load(open(os.path.join(folder, "aggregate", "ensemble.json")))
    labels, features = ensemble["labels"], ensemble["features"]
    models = []
    for shard in ensemble["shards"]:
        raw = np.frombuffer(open(os.path.join(folder, "shards", shard["shard"], "model.bin"), "rb").read(), "<f8")
        models.append((raw[: labels * features].reshape(labels, features), raw[labels * features:]))
    rows = [json.loads(line) for line in open(data) if line.strip()]
    x = np.array([row["features"] for row in rows], dtype=np.float64) / ensemble["feature_scale"]
    total = np.zeros((len(rows), labels))
    for coefficients, intercepts in models:
        scores = x @ coefficients.T + intercepts
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        total += probabilities / probabilities.sum(axis=1, keepdims=True)
    predicted = total.argmax(axis=1)  # argmax returns the first (lowest) label on ties
    correct = int(sum(int(p) == row["label"] for p, row in zip(predicted, rows)))
    print(json.dumps({"samples": len(rows), "correct": correct, "accuracy_bp": correct * 10000 // len(rows)}))


if __name__ == "__main__":
    main()
