#!/usr/bin/env python3
"""Cross-checks Assent's SPDX expression parser against the PyPI package license-expression.

    python3 Tools/spdx/crosscheck.py path/to/assent

Generates a few hundred expressions (seeded, so every run is the same), runs `assent license --json`
on them, and compares with license-expression built from the same SPDX list 3.29 where both define
the result: an expression we accept must be valid for license-expression too, with the same licence
keys and the same meaning (equal after simplify()); an unknown id must be rejected by both. Inputs
that only we reject because the SPDX grammar is stricter than license-expression (operator case,
'+' spacing) are counted as skipped.
"""
import json
import pathlib
import random
import subprocess
import sys

from license_expression import ExpressionError, LicenseSymbol, Licensing

ROOT = pathlib.Path(__file__).resolve().parents[2]
assent = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/debug/assent")
data = json.loads((ROOT / "Schemas/spdx-licenses-3.29.json").read_text())
licenses = [item["id"] for item in data["licenses"]]
exceptions = [item["id"] for item in data["exceptions"]]
licensing = Licensing([LicenseSymbol(key) for key in licenses] + [LicenseSymbol(key, is_exception=True) for key in exceptions])

rng = random.Random(20261129)


def license_id():
    key = rng.choice(licenses)
    roll = rng.random()
    if roll < 0.15:
        key = key.lower()
    elif roll < 0.2:
        key = key.upper()
    return key


def simple(depth):
    roll = rng.random()
    if roll < 0.12:
        return license_id() + " WITH " + rng.choice(exceptions)
    if roll < 0.2 and depth < 3:
        return "(" + compound(depth + 1) + ")"
    return license_id()


def compound(depth=0):
    parts = [simple(depth)]
    for _ in range(rng.randint(0, 3)):
        parts.append(rng.choice([" AND ", " OR ", " and ", " or "]))
        parts.append(simple(depth))
    return "".join(parts)


valid_inputs = [compound() for _ in range(300)]
unknown_inputs = [compound() + " AND Unknown-Licence-" + str(index) for index in range(60)]
strict_inputs = [license_id() + rng.choice([" And ", " oR ", " With "]) + license_id() for _ in range(40)]
inputs = valid_inputs + unknown_inputs + strict_inputs

completed = subprocess.run([assent, "license", "--json"], input="\n".join(inputs) + "\n", capture_output=True, text=True)
results = [json.loads(line) for line in completed.stdout.splitlines()]
assert len(results) == len(inputs), f"expected {len(inputs)} results, got {len(results)}: {completed.stderr[:500]}"

passed = failed = skipped = 0


def fail(message):
    global failed
    failed += 1
    print("FAIL:", message)


for text, ours in zip(inputs, results):
    try:
        oracle = licensing.parse(text, validate=True, strict=True)
        oracle_error = None
    except ExpressionError as error:
        oracle, oracle_error = None, str(error)
    if ours["valid"]:
        if oracle is None:
            fail(f"{text!r}: we accept, license-expression rejects: {oracle_error}")
            continue
        canonical = licensing.parse(ours["canonical"], validate=True, strict=True)
        if oracle.simplify() != canonical.simplify():
            fail(f"{text!r}: our canonical {ours['canonical']!r} means something else")
            continue
        # The list itself holds deprecated ids ending in '+' (GPL-2.0+), which license-expression keeps as
        # one key and the SPDX grammar reads as GPL-2.0 with '+': compare without the '+'.
        ours_keys = {item.rstrip("+").lower() for item in ours["licenses"]}
        oracle_keys = {key.rstrip("+").lower() for key in licensing.license_keys(oracle)} - {key.lower() for key in exceptions}
        if ours_keys != oracle_keys:
            fail(f"{text!r}: licence keys differ: {sorted(ours_keys)} vs {sorted(oracle_keys)}")
            continue
        passed += 1
    elif "Unknown-Licence" in text:
        if oracle is not None:
            fail(f"{text!r}: license-expression accepts an unknown id")
            continue
        if "unknown licence id" not in ours["error"]:
            fail(f"{text!r}: our error does not say unknown id: {ours['error']}")
            continue
        passed += 1
    elif oracle is not None:
        skipped += 1
    else:
        passed += 1

print(f"spdx-crosscheck: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
