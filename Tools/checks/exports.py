#!/usr/bin/env python3
"""Checks every export of a demo ledger with the ecosystem's own validators, offline.

    python3 Tools/checks/exports.py path/to/assent [--spdx-files DIR]

Runs the demo, classifies its source, ingests crawled and synthetic samples with languages, sizes
and source URIs, retrains, then exports the AI Act summary, the GDPR Art. 30 record, SPDX 3.0.1,
CycloneDX 1.6 and 1.7 and Croissant, twice each (the bytes must agree), and checks:

- summary.json, art30.json and the provider and controller files against their JSON Schemas in Schemas/;
- SPDX against the SPDX 3.0.1 JSON Schema (check-jsonschema) and SHACL model (pyshacl), with the files
  of DIR (default: $ASSENT_SPDX_FILES, else the spdx-3.0.1 folder of the shared reference beside the
  repository), plus the AI and Dataset profile rules those files do not encode;
- CycloneDX with cyclonedx-python-lib's strict validator, for both specification versions;
- Croissant with `mlcroissant validate`, plus the fields the specification requires and mlcroissant
  does not enforce, and the digest of the distribution against `assent snapshot members`.

Each validator is also shown a broken copy and must refuse it, so that a check that cannot fail is caught.
"""
import argparse
import copy
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENV = pathlib.Path(sys.executable).parent
parser = argparse.ArgumentParser()
parser.add_argument("assent", nargs="?", default=str(ROOT / ".build/debug/assent"))
parser.add_argument("--spdx-files", default=os.environ.get("ASSENT_SPDX_FILES", str(ROOT.parent / "shared/reference/spdx-3.0.1")))
arguments = parser.parse_args()
failures = []


def fail(message):
    failures.append(message)
    print("FAIL", message)


def run(*args, check=True):
    result = subprocess.run([arguments.assent, *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"assent {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def schema_check(schema, path):
    validator = Draft202012Validator(json.loads((ROOT / "Schemas" / f"{schema}.schema.json").read_text()))
    errors = sorted(validator.iter_errors(json.loads(pathlib.Path(path).read_text())), key=str)
    if errors:
        fail(f"{path} against {schema}: {errors[0].message} at {list(errors[0].absolute_path)}")


def spdx_profile_violations(document):
    """The AI and Dataset profile rules of SPDX 3.0.1 that its JSON Schema and SHACL model do not encode."""
    graph = document["@graph"]
    problems = []
    required = {"ai_AIPackage": ["releaseTime", "suppliedBy", "software_downloadLocation", "software_packageVersion",
                                "software_primaryPurpose"],
                "dataset_DatasetPackage": ["builtTime", "originatedBy", "releaseTime", "software_downloadLocation",
                                           "software_primaryPurpose", "dataset_datasetType"]}
    licenses = {item["spdxId"] for item in graph if item.get("type") == "simplelicensing_LicenseExpression"}
    for item in graph:
        if item.get("type") not in required:
            continue
        for field in required[item["type"]]:
            if not item.get(field):
                problems.append(f"{item['spdxId']}: {field} is missing")
        if item["type"] == "dataset_DatasetPackage" and len(item.get("originatedBy", [])) != 1:
            problems.append(f"{item['spdxId']}: originatedBy must hold exactly one agent")
        for kind in ("hasConcludedLicense", "hasDeclaredLicense"):
            relations = [r for r in graph if r.get("type") == "Relationship" and r.get("relationshipType") == kind
                         and r.get("from") == item["spdxId"]]
            if len(relations) != 1 or not all(target in licenses for target in relations[0]["to"]):
                problems.append(f"{item['spdxId']}: {len(relations)} {kind} relationships to a licence (exactly one needed)")
    trained = [r for r in graph if r.get("type") == "Relationship" and r.get("relationshipType") == "trainedOn"]
    if not trained:
        problems.append("no trainedOn relationship")
    return problems


def check_spdx(path, work):
    document = json.loads(pathlib.Path(path).read_text())
    for problem in spdx_profile_violations(document):
        fail(f"SPDX profile: {problem}")
    broken = copy.deepcopy(document)
    broken["@graph"] = [item for item in broken["@graph"] if item.get("relationshipType") != "hasDeclaredLicense"]
    if not spdx_profile_violations(broken):
        fail("SPDX profile check accepted a document without hasDeclaredLicense")
    files = pathlib.Path(arguments.spdx_files)
    if not (files / "schema.json").exists():
        print(f"SKIP SPDX JSON Schema and SHACL: the SPDX 3.0.1 files are not in {files} (give --spdx-files DIR)")
        return
    schema = subprocess.run([VENV / "check-jsonschema", "--schemafile", files / "schema.json", path], capture_output=True, text=True)
    if schema.returncode != 0:
        fail(f"SPDX JSON Schema: {schema.stdout}{schema.stderr}")
    wrong = work / "wrong.spdx3.json"
    wrong_document = copy.deepcopy(document)
    next(r for r in wrong_document["@graph"] if r.get("relationshipType") == "trainedOn")["relationshipType"] = "trainedWith"
    wrong.write_text(json.dumps(wrong_document))
    if subprocess.run([VENV / "check-jsonschema", "--schemafile", files / "schema.json", wrong], capture_output=True).returncode == 0:
        fail("SPDX JSON Schema accepted relationshipType trainedWith")
    context = json.loads((files / "spdx-context.jsonld").read_text())["@context"]
    for name, candidate, expected in [("export", document, True), ("broken", None, False)]:
        if candidate is None:
            candidate = copy.deepcopy(document)
            dataset = next(item for item in candidate["@graph"] if item.get("type") == "dataset_DatasetPackage")
            next(item for item in candidate["@graph"] if item.get("type") == "ai_AIPackage")["suppliedBy"] = dataset["spdxId"]
        inline = work / f"{name}.inline.jsonld"
        inline.write_text(json.dumps(dict(candidate, **{"@context": context})))
        shacl = subprocess.run([VENV / "pyshacl", "-s", files / "spdx-model.ttl", "-e", files / "spdx-model.ttl", "-df", "json-ld", inline],
                               capture_output=True, text=True)
        if (shacl.returncode == 0) != expected:
            fail(f"SPDX SHACL on the {name} document: rc {shacl.returncode}: {shacl.stdout[-2000:]}{shacl.stderr[-1000:]}")
    print("checked SPDX: profile rules, JSON Schema and SHACL (and each refused a broken copy)")


def check_cyclonedx(path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    text = pathlib.Path(path).read_text()
    document = json.loads(text)
    validator = JsonStrictValidator(SchemaVersion.from_version(document["specVersion"]))
    error = validator.validate_str(text)
    if error is not None:
        fail(f"CycloneDX {document['specVersion']} strict: {error}")
    card = document["metadata"]["component"]["modelCard"]
    references = {component["bom-ref"] for component in document["components"] if component["type"] == "data"}
    if not card["modelParameters"]["datasets"] or not all(d.get("ref") in references for d in card["modelParameters"]["datasets"]):
        fail("CycloneDX: the model card's datasets do not reference the data component")
    broken = copy.deepcopy(document)
    broken["components"][0]["data"][0]["type"] = "corpus"
    if validator.validate_str(json.dumps(broken)) is None:
        fail("CycloneDX strict validator accepted data type corpus")
    print(f"checked CycloneDX {document['specVersion']}: strict validator (and it refused a broken copy)")


CROISSANT_REQUIRED = ["@context", "@type", "conformsTo", "description", "license", "name", "url", "creator", "datePublished",
                      "distribution", "rai:dataCollection", "rai:dataCollectionType", "rai:dataCollectionTimeframe",
                      "rai:personalSensitiveInformation", "rai:dataUseCases"]


def check_croissant(path, members):
    document = json.loads(pathlib.Path(path).read_text())
    for field in CROISSANT_REQUIRED:
        if not document.get(field):
            fail(f"Croissant: required field {field} is missing or empty")
    for conformance in ("http://mlcommons.org/croissant/1.1", "http://mlcommons.org/croissant/RAI/1.0"):
        if conformance not in document.get("conformsTo", []):
            fail(f"Croissant: conformsTo lacks {conformance}")
    if document["distribution"][0]["sha256"] != hashlib.sha256(members).hexdigest():
        fail("Croissant: the distribution's sha256 is not that of assent snapshot members")
    for name, candidate, expected in [("export", document, 0), ("broken", None, 1)]:
        if candidate is None:
            candidate = copy.deepcopy(document)
            del candidate["distribution"][0]["sha256"]
        target = pathlib.Path(path).with_name(f"{name}.croissant.json")
        target.write_text(json.dumps(candidate))
        result = subprocess.run([VENV / "mlcroissant", "validate", "--jsonld", target], capture_output=True, text=True)
        if (result.returncode != 0) != bool(expected) or (expected == 0 and "WARNING" in result.stderr.upper()
                                                          and "recommended" in result.stderr):
            fail(f"mlcroissant validate on the {name} document: rc {result.returncode}: {result.stderr[-1500:]}")
    print("checked Croissant: required fields, distribution digest, mlcroissant validate (and it refused a broken copy)")


with tempfile.TemporaryDirectory() as work:
    work = pathlib.Path(work)
    run("demo", "--dir", str(work / "demo"), "--data", str(ROOT / "Tools/datasets/digits"))
    ledger = ["--ledger", str(work / "demo" / "ledger")]
    provider = work / "provider.json"
    provider.write_text(json.dumps({"name": "Example AI", "contact": "ai@example.org", "placement_date": "2026-11-01",
                                    "code_of_practice_signatory": True, "narratives": {"1.3": "Handwritten digits."}}))
    controller = work / "controller.json"
    controller.write_text(json.dumps({"name": "Example AI", "contact": "privacy@example.org", "dpo": "dpo@example.org",
                                      "recipients": ["none"], "security_measures": ["signed append-only ledger"]}))
    for source in json.loads(run("source", "list", "--json", *ledger).stdout)["sources"]:
        run("source", "set", source["name"], "--category", "public", "--uri", "https://archive.ics.uci.edu/dataset/80", *ledger)
    # Crawled samples from two registrable domains (three hosts) and synthetic ones, with languages and sizes.
    extra = []
    for number, line in enumerate((work / "demo" / "digits-train.manifest.jsonl").read_text().splitlines()[:60]):
        sample = json.loads(json.loads(line)["text"])
        sample["features"][0] = 17 + number
        host = ["www.example.co.uk", "news.example.co.uk", "blog.example.com"][number % 3] if number < 45 else None
        extra.append({"text": json.dumps(sample), "license": "CC-BY-4.0", "media_type": "application/json",
                      "collected_at": f"2025-0{1 + number % 9}-01T00:00:00Z", "language": ["en", "fr-ca"][number % 2],
                      "size_value": 64, "size_unit": "tokens",
                      **({"source": "web-crawl", "source_uri": f"https://{host}/page/{number}"} if host else
                         {"source": "synthetic-digits"})})
    (work / "extra.jsonl").write_text("".join(json.dumps(line) + "\n" for line in extra))
    run("ingest", str(work / "extra.jsonl"), *ledger)
    trained = json.loads(run("train", "--trainer", "logistic", "--json", *ledger).stdout)
    refused = run("export", "ai-act-summary", trained["model"], "--provider", str(provider), "--out", str(work / "refused"),
                  *ledger, check=False)
    if refused.returncode != 1 or "web-crawl" not in refused.stderr or "assent source set" not in refused.stderr \
            or (work / "refused").exists():
        fail(f"an export over unclassified sources was not refused cleanly: {refused.returncode} {refused.stderr}")
    run("source", "set", "web-crawl", "--category", "crawled", "--crawler", "ExampleBot/1.0", *ledger)
    run("source", "set", "synthetic-digits", "--category", "synthetic", "--generator", "digit-gan-1", *ledger)
    current = {"id": trained["model"], "snapshot": trained["snapshot"]}
    outputs = []
    for attempt in ("a", "b"):
        out = work / attempt
        run("export", "ai-act-summary", current["id"], "--provider", str(provider), "--out", str(out / "summary"), *ledger)
        run("export", "gdpr-art30", "--controller", str(controller), "--out", str(out / "art30"), *ledger)
        run("export", "spdx", current["id"], "--out", str(out / "model.spdx3.json"), *ledger)
        for spec in ("1.6", "1.7"):
            run("export", "cyclonedx", current["id"], "--spec", spec, "--out", str(out / f"model-{spec}.cdx.json"), *ledger)
        run("export", "croissant", current["snapshot"], "--out", str(out / "croissant.json"), *ledger)
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    if outputs[0] != outputs[1]:
        fail(f"exports differ between two runs: {[str(k) for k in outputs[0] if outputs[0][k] != outputs[1].get(k)]}")
    out = work / "a"
    schema_check("ai-act-summary", out / "summary/summary.json")
    schema_check("gdpr-art30", out / "art30/art30.json")
    schema_check("ai-act-provider", provider)
    schema_check("gdpr-controller", controller)
    domains = (out / "summary/domains.csv").read_text().splitlines()
    if domains[0] != "domain,bytes,share,top" or [row.split(",")[0] for row in domains[1:]] != ["example.co.uk", "example.com"]:
        fail(f"domains.csv: {domains}")
    summary = json.loads((out / "summary/summary.json").read_text())["facts"]
    if {s["name"]: s["category"] for s in summary["sources"]} != {"uci-digits": "public", "web-crawl": "crawled",
                                                                    "synthetic-digits": "synthetic"}:
        fail(f"summary sources: {summary['sources']}")
    if summary["languages"] != {"en": 30, "fr-CA": 30}:
        fail(f"summary languages: {summary['languages']}")
    print("checked the AI Act summary, the Art. 30 record and their input files against Schemas/; exports are deterministic")
    art30 = (out / "art30/art30.md").read_text() + (out / "art30/art30.json").read_text()
    if "@digits.example" in art30:
        fail("the Art. 30 record holds a subject's real id")
    check_spdx(out / "model.spdx3.json", work)
    for spec in ("1.6", "1.7"):
        check_cyclonedx(out / f"model-{spec}.cdx.json")
    check_croissant(out / "croissant.json", run("snapshot", "members", current["snapshot"], *ledger).stdout.encode())

print(f"exports: {len(failures)} failures")
sys.exit(1 if failures else 0)
