#!/usr/bin/env python3
"""The aggregate for `sklearn_shard.py`: collects the shard models in shard order into one file and
states the SISA combination rule the predictor applies (mean of the shards' class probabilities, in
shard order; ties go to the lowest label). Reads ASSENT_SHARDS_DIR, writes ASSENT_OUTPUT/ensemble.json."""
import hashlib
import json
import os


def main():
    shards_dir, target = os.environ["ASSENT_SHARDS_DIR"], os.environ["ASSENT_OUTPUT"]
    shards = []
    for name in sorted(os.listdir(shards_dir)):
        weights = open(os.path.join(shards_dir, name, "model.bin"), "rb").read()
        shards.append({"shard": name, "model_sha256": hashlib.sha256(weights).hexdigest()})
    ensemble = {"rule": "mean-probability-in-shard-order; ties to the lowest label", "labels": 10,
                "features": 64, "feature_scale": 16, "shards": shards}
    with open(os.path.join(target, "ensemble.json"), "w") as out:
        json.dump(ensemble, out, sort_keys=True, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
