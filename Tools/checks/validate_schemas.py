#!/usr/bin/env python3
"""Validates real Assent output against the JSON Schemas in Schemas/.

    python3 Tools/checks/validate_schemas.py path/to/assent

Runs the demo and a second ingest that exercises further sources, opt-out signals, a consent renewal
a note and a source classification, then validates every log entry against the schema for its type, every line of the demo's
manifest (and of a second one with language, size and source URI) against manifest-line.schema.json, and a subject's receipt against consent-receipt.schema.json.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator

ROOT = pathlib.Path(__file__).resolve().parents[2]
assent = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/debug/assent")
schemas = {path.name.removesuffix(".schema.json"): Draft202012Validator(json.loads(path.read_text()))
           for path in (ROOT / "Schemas").glob("*.schema.json")}
for validator in schemas.values():
    Draft202012Validator.check_schema(validator.schema)
by_type = {"sample": "entry-sample", "sample.source": "entry-sample-source", "consent.grant": "entry-consent-grant",
           "consent.renew": "entry-consent-renew", "revocation": "entry-revocation", "snapshot": "entry-snapshot",
           "model": "entry-model", "stale": "entry-stale", "erasure": "entry-erasure", "source": "entry-source"}
passed = failed = 0


def check(schema, document, where):
    global passed, failed
    errors = sorted(schemas[schema].iter_errors(document), key=str)
    if errors:
        failed += 1
        print(f"FAIL {where} against {schema}: {errors[0].message} at {list(errors[0].absolute_path)}")
    else:
        passed += 1


def run(*arguments, stdin=None):
    return subprocess.run([assent, *arguments], input=stdin, capture_output=True, text=True, check=True).stdout


with tempfile.TemporaryDirectory() as work:
    work = pathlib.Path(work)
    run("demo", "--dir", str(work / "demo"), "--data", str(ROOT / "Tools/datasets/digits"))
    ledger = str(work / "demo" / "ledger")
    extra = work / "extra.jsonl"
    extra.write_text("\n".join(json.dumps(line) for line in [
        {"text": (ROOT / "Tools/datasets/digits/digits-train.jsonl").read_text().splitlines()[400], "license": "CC-BY-4.0",
         "source": "digits-mirror", "media_type": "application/json"},
        {"text": "signals", "license": "hf:apache-2.0", "source": "web", "collected_at": "2024-02-01T00:00:00Z",
         "opt_out": {"signals": [{"mechanism": "tdm-header", "value": "1", "observed_at": "2024-02-01T00:00:00Z"}]}},
        {"text": "Bonjour le monde", "license": "CC0-1.0", "source": "web", "language": "fr-ca", "size_value": 4,
         "size_unit": "tokens", "source_uri": "https://news.example.co.uk/a/1"},
    ]) + "\n")
    run("ingest", str(extra), "--ledger", ledger)
    run("source", "set", "web", "--category", "crawled", "--crawler", "ExampleBot/1.0", "--ledger", ledger)
    consents = json.loads(run("consent", "list", "--json", "--ledger", ledger))["consents"]
    run("consent", "renew", consents[1]["consent"], "--expires", "2031-01-01T00:00:00Z", "--ledger", ledger)
    run("log", "append", "--type", "note", "--json", '{"text":"checked"}', "--ledger", ledger)
    run("erase", "--subject", "writer-01@digits.example", "--ledger", ledger)
    for policy in sorted((ROOT / "Schemas").glob("policy-*.json")):
        check("policy", json.loads(policy.read_text()), policy.name)
    types = set()
    for number, line in enumerate(run("log", "entries", "--ledger", ledger).splitlines()):
        entry = json.loads(line)
        types.add(entry["type"])
        check(by_type.get(entry["type"], "entry-note"), entry, f"entry {number}")
    missing = set(by_type) - types
    if missing:
        failed += 1
        print(f"FAIL: no entry of type {sorted(missing)} was produced")
    for number, line in enumerate((work / "demo" / "digits-train.manifest.jsonl").read_text().splitlines()):
        check("manifest-line", json.loads(line), f"manifest line {number + 1}")
    for number, line in enumerate(extra.read_text().splitlines()):
        check("manifest-line", json.loads(line), f"extra manifest line {number + 1}")
    receipt = json.loads(run("consent", "receipt", "writer-02@digits.example", "--ledger", ledger))
    check("consent-receipt", receipt, "receipt")

print(f"schemas: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
