#!/usr/bin/env python3
"""Per-shard external training, end to end through the CLI: full training of K shard jobs against the
reproduction after one subject is revoked, and --jobs 1 against --jobs 2.

    python3 Tools/bench_per_shard.py [ASSENT_BINARY] [--samples 100000] [--shards 16] [--rounds 300]

Generates `--samples` text samples from 1,000 consenting subjects, ingests them, trains
Tools/trainers/shard_hash_work.py once per shard (per-sample work dominates), revokes one subject
and times `assent reproduce`; then retrains the same snapshot with --jobs 1 and --jobs 2. Prints the
figures; asserts nothing about time.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser(description="per-shard external training benchmark")
parser.add_argument("binary", nargs="?", default=os.path.join(root, ".build/release/assent"))
parser.add_argument("--samples", type=int, default=100_000)
parser.add_argument("--shards", type=int, default=16)
parser.add_argument("--rounds", type=int, default=300, help="hash rounds per sample in the trainer")
options = parser.parse_args()
binary = os.path.abspath(options.binary)
samples, shards, rounds = options.samples, options.shards, options.rounds
work = tempfile.mkdtemp(prefix="assent-bench-shards-")
env = dict(os.environ, ASSENT_LEDGER=os.path.join(work, "ledger"))
trainers = os.path.join(root, "Tools/trainers")
command = f"/usr/bin/python3 {trainers}/shard_hash_work.py {rounds}"


def run(*arguments):
    started = time.monotonic()
    result = subprocess.run([binary, *arguments, "--quiet"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"assent {' '.join(arguments)} failed: {result.stderr}")
    return time.monotonic() - started, result.stdout


run("init", "--origin", "bench.example/shards")
subjects = 1000
for subject in range(subjects):
    run("consent", "grant", "--subject", f"s{subject}", "--purpose", "ai-training", "--id", f"c-{subject}")
with open(os.path.join(work, "m.jsonl"), "w") as manifest:
    for index in range(samples):
        manifest.write(json.dumps({"text": f"sample {index} " + "x" * 200, "license": "CC-BY-4.0",
                                   "source": "bench", "subject": f"s{index % subjects}", "consent": f"c-{index % subjects}"}) + "\n")
seconds, _ = run("ingest", os.path.join(work, "m.jsonl"))
print(f"ingest of {samples} samples: {seconds:.1f} s")
train = ["train", "--trainer", "exec", "--per-shard", "--shards", str(shards), "--sandbox-ro", trainers,
         "--exec", command, "--json"]
full, output = run(*train, "--jobs", "2")
model = json.loads(output)["model"]
print(f"full training, {shards} shard jobs, --jobs 2: {full:.2f} s")
run("revoke", "--subject", "s7")
reproduction, output = run("reproduce", model, "--json")
trained = json.loads(output)["trained_shards"]
print(f"reproduction after revoking one subject ({len(trained)} of {shards} shards re-run): {reproduction:.2f} s")
print(f"ratio full / reproduction: {full / reproduction:.1f}x")
snapshot_id = json.loads(output)["snapshot"]
one, _ = run("train", "--trainer", "exec", "--per-shard", "--snapshot", snapshot_id, "--sandbox-ro", trainers,
             "--exec", command, "--jobs", "1")
two, _ = run("train", "--trainer", "exec", "--per-shard", "--snapshot", snapshot_id, "--sandbox-ro", trainers,
             "--exec", command, "--jobs", "2")
print(f"the re-cut snapshot retrained: --jobs 1 {one:.2f} s, --jobs 2 {two:.2f} s, speed-up {one / two:.2f}x")
subprocess.run(["rm", "-rf", work])
