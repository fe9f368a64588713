#!/usr/bin/env python3
"""Kills `assent` with SIGKILL at random moments during ingest, revoke, snapshot and train, then
checks the ledger: `assent log verify` passes, no committed entry was lost, the vault and the log
agree (`assent status` counts match the entries), and re-running the interrupted command completes
it idempotently.

    python3 Tools/guarantees/crash_harness.py [path/to/assent] [--kills 200] [--seed 1] [--database URL]

With --database the ledger is created on that (empty) PostgreSQL database or schema.

Prints the counts: kills, kills that landed mid-command, verify failures, lost entries.
"""
import glob
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
assent = arguments[0] if arguments else os.path.join(os.path.dirname(__file__), "../../.build/release/assent")
kills = int(sys.argv[sys.argv.index("--kills") + 1]) if "--kills" in sys.argv else 200
rng = random.Random(int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1)
database = sys.argv[sys.argv.index("--database") + 1] if "--database" in sys.argv else None


def run(*args, check=True):
    return subprocess.run([assent, *args], capture_output=True, text=True, check=check)


def size(ledger):
    return json.loads(run("log", "info", "--json", "--ledger", ledger).stdout)["size"]


with tempfile.TemporaryDirectory() as work:
    ledger = os.path.join(work, "ledger")
    run("init", "--ledger", ledger, *(["--database", database] if database else []))
    stats = {"kills": 0, "mid_command": 0, "verify_failures": 0, "lost_entries": 0, "rerun_failures": 0}
    # Where each mid-command ingest kill landed: before the spill of validated samples existed (start-up
    # and reading), during phase 1 (the spill exists, nothing committed), or during phase 2's commits.
    ingest_phases = {"startup": 0, "validating": 0, "committing": 0}
    batch = 0
    while stats["kills"] < kills:
        batch += 1
        manifest = os.path.join(work, f"m{batch}.jsonl")
        run("consent", "grant", "--subject", f"r{batch}", "--purpose", "ai-training", "--id", f"c-{batch}", "--ledger", ledger)
        with open(manifest, "w") as handle:
            for index in range(5000):
                line = {"text": f"batch {batch} sample {index}", "license": "MIT", "source": f"b{batch}"}
                if index < 10:
                    line.update(subject=f"r{batch}", consent=f"c-{batch}")
                handle.write(json.dumps(line) + "\n")
        commands = [
            ["ingest", manifest, "--chunk-size", "1000"],
            ["revoke", "--subject", f"r{batch}"],
            ["snapshot", "--shards", "4"],
            ["train", "--trainer", "naive-bayes", "--shards", "4"],
        ]
        for command in commands:
            before = size(ledger)
            process = subprocess.Popen([assent, *command, "--ledger", ledger], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, 0.15) if command[0] != "ingest" else rng.uniform(0, 0.6))
            spilled = []
            if process.poll() is None:
                stats["mid_command"] += 1
                if command[0] == "ingest":
                    spilled = glob.glob(os.path.join(ledger, "tmp", "ingest-*", "validated"))
            process.send_signal(signal.SIGKILL)
            process.wait()
            if command[0] == "ingest" and process.returncode == -signal.SIGKILL:
                grown = size(ledger) > before
                ingest_phases["committing" if grown else "validating" if spilled else "startup"] += 1
            stats["kills"] += 1
            verify = run("log", "verify", "--ledger", ledger, check=False)
            if verify.returncode != 0:
                stats["verify_failures"] += 1
                print("verify failed:", verify.stderr.strip())
            after = size(ledger)
            if after < before:
                stats["lost_entries"] += before - after
            rerun = run(*command, "--ledger", ledger, check=False)
            if rerun.returncode != 0 and command[0] != "train":
                stats["rerun_failures"] += 1
                print("re-run failed:", command, rerun.stderr.strip())
            if command[0] == "ingest":
                again_run = run("ingest", manifest, "--ledger", ledger, "--json", check=False)
                if again_run.returncode != 0:
                    stats["rerun_failures"] += 1
                    print("second ingest failed:", again_run.stderr.strip())
                    continue
                again = json.loads(again_run.stdout)
                if again["added"] != 0 or again["added_sources"] != 0:
                    stats["rerun_failures"] += 1
                    print("ingest was not idempotent after completion:", again)
            if stats["kills"] >= kills:
                break
    status = json.loads(run("status", "--json", "--ledger", ledger).stdout)
    entries = run("log", "entries", "--ledger", ledger).stdout.splitlines()
    logged_samples = sum(1 for line in entries if json.loads(line)["type"] == "sample")
    agree = logged_samples == status["samples"]
    print(
        json.dumps(
            dict(
                stats, ingest_kills_by_phase=ingest_phases, entries=status["entries"], samples=status["samples"],
                vault_and_log_agree=agree,
            )
        )
    )
    failed = stats["verify_failures"] + stats["lost_entries"] + stats["rerun_failures"] + (0 if agree else 1)
    print(f"crash-harness: {stats['kills'] - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
