#!/usr/bin/env python3
"""A real per-shard trainer for `assent train --trainer exec --per-shard`: scikit-learn
LogisticRegression (lbfgs) on one shard of the digits samples ({"features":[64 ints],"label":n}).

It writes `model.bin`: little-endian float64 coefficients (10 × 64) then intercepts (10), for every
label 0–9 (labels absent from the shard get zero weights and -1e9 intercepts, so every shard model has
the same shape). The samples are read in commitment order, so the result depends only on the shard's
samples; with the pinned environment (one BLAS thread) scikit-learn's lbfgs gives the same bytes run
after run. Run it with `--aggregate-exec sklearn_aggregate.py` and score it with `sklearn_predict.py`.
"""
import json
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

LABELS, FEATURES = 10, 64


def main():
    source, target = os.environ["ASSENT_INPUT"], os.environ["ASSENT_OUTPUT"]
    manifest = json.load(open(os.path.join(source, "manifest.json")))
    rows = []
    for sample in sorted(manifest["samples"], key=lambda s: s["commitment"]):
        content = json.load(open(os.path.join(source, sample["file"])))
        rows.append((content["features"], content["label"]))
    coefficients = np.zeros((LABELS, FEATURES))
    intercepts = np.full(LABELS, -1e9)
    present = sorted({label for _, label in rows})
    if len(present) == 1:
        intercepts[present[0]] = 0.0
    elif present:
        x = np.array([features for features, _ in rows], dtype=np.float64) / 16.0
        y = np.array([label for _, label in rows])
        model = LogisticRegression(max_iter=2000, C=1.0).fit(x, y)
        for row, label in enumerate(model.classes_):
            coefficients[label] = model.coef_[row]
            intercepts[label] = model.intercept_[row]
    with open(os.path.join(target, "model.bin"), "wb") as out:
        out.write(coefficients.astype("<f8").tobytes() + intercepts.astype("<f8").tobytes())
    with open(os.path.join(target, "shard.json"), "w") as out:
        json.dump({"shard": manifest.get("shard"), "samples": len(rows), "labels": present}, out, sort_keys=True)


if __name__ == "__main__":
    sys.exit(main())
