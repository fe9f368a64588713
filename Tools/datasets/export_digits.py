#!/usr/bin/env python3
"""Exports scikit-learn's copy of the UCI Optical Recognition of Handwritten Digits test set
(1,797 images of 8x8 pixels, values 0-16) as the Assent fixture, in scikit-learn's order.

    python3 -m pip install scikit-learn==1.9.1
    python3 Tools/datasets/export_digits.py

Writes Tools/datasets/digits/digits-train.jsonl (index mod 5 != 4) and digits-test.jsonl
(index mod 5 == 4): one sample per line, the content object {"features": [64 integers], "label": n}
in canonical JSON (sorted keys, no spaces), plus LICENSE.md with the licence and attribution.
"""
import json
import pathlib

from sklearn.datasets import load_digits

out = pathlib.Path(__file__).resolve().parent / "digits"
digits = load_digits()
train, test = [], []
for index, (pixels, label) in enumerate(zip(digits.data, digits.target)):
    row = {"features": [int(value) for value in pixels], "label": int(label)}
    (test if index % 5 == 4 else train).append(json.dumps(row, sort_keys=True, separators=(",", ":")))
(out / "digits-train.jsonl").write_text("\n".join(train) + "\n")
(out / "digits-test.jsonl").write_text("\n".join(test) + "\n")
print(f"{len(train)} training and {len(test)} test samples")
