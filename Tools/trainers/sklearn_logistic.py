#!/usr/bin/env python3
"""An example external trainer for `assent train --trainer exec`: scikit-learn LogisticRegression.

    assent train --trainer exec --check-determinism \
        --sandbox-ro "$PWD/Tools/trainers" --sandbox-ro "$VENV" --sandbox-ro "$(dirname "$(dirname "$(readlink -f "$VENV/bin/python")")")" \
        --exec "$VENV/bin/python $PWD/Tools/trainers/sklearn_logistic.py"

(the job runs in a bubblewrap sandbox that sees only /usr and the paths given with --sandbox-ro: the
trainer's code, a virtual environment with scikit-learn, and the Python it was made from)

The contract: Assent runs the command with
  ASSENT_INPUT   a fresh folder: manifest.json ({"samples":[{"commitment","file","shard","license","consent"}],
                 "shards", "seed"}) and samples/<commitment hex>, copies of only the snapshot's samples;
  ASSENT_OUTPUT  an empty folder: everything written here is the model (hashed and logged);
  ASSENT_SEED, ASSENT_THREADS, ASSENT_SHARDS.
Exit non-zero on failure. To be reproducible, write no timestamps and iterate in manifest order.
"""
import json
import os
import pathlib

import numpy as np
from sklearn.linear_model import LogisticRegression

source = pathlib.Path(os.environ["ASSENT_INPUT"])
target = pathlib.Path(os.environ["ASSENT_OUTPUT"])
manifest = json.loads((source / "manifest.json").read_text())
rows = [json.loads((source / item["file"]).read_text()) for item in manifest["samples"]]
features = np.array([row["features"] for row in rows], dtype=np.float64) / 16.0
labels = np.array([row["label"] for row in rows])
model = LogisticRegression(max_iter=2000, random_state=int(os.environ.get("ASSENT_SEED", "0")))
model.fit(features, labels)
(target / "model.json").write_text(json.dumps({
    "classes": model.classes_.tolist(),
    "coef": [[float.hex(float(value)) for value in row] for row in model.coef_],
    "intercept": [float.hex(float(value)) for value in model.intercept_],
    "feature_scale": 16,
}, sort_keys=True) + "\n")
