#!/usr/bin/env python3
"""Several processes ingesting and revoking at once against one ledger: every entry present once,
chain and tree valid, no "database is locked" reaching the user.

    python3 Tools/guarantees/concurrency.py [path/to/assent] [--writers 4] [--samples 3000] [--database URL]

With --database the ledger is created on that (empty) PostgreSQL database or schema.
"""
import json
import os
import subprocess
import sys
import tempfile

arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
assent = arguments[0] if arguments else os.path.join(os.path.dirname(__file__), "../../.build/release/assent")
writers = int(sys.argv[sys.argv.index("--writers") + 1]) if "--writers" in sys.argv else 4
samples = int(sys.argv[sys.argv.index("--samples") + 1]) if "--samples" in sys.argv else 3000
database = sys.argv[sys.argv.index("--database") + 1] if "--database" in sys.argv else None


def run(*args):
    return subprocess.run([assent, *args], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as work:
    ledger = os.path.join(work, "ledger")
    created = run("init", "--ledger", ledger, *(["--database", database] if database else []))
    if created.returncode != 0:
        sys.exit(f"concurrency: assent init failed: {created.stderr.strip()}")
    for writer in range(writers):
        run("consent", "grant", "--subject", f"w{writer}", "--purpose", "ai-training", "--id", f"c-{writer}", "--ledger", ledger)
        run("consent", "grant", "--subject", f"r{writer}", "--purpose", "ai-training", "--id", f"r-{writer}", "--ledger", ledger)
        with open(os.path.join(work, f"r{writer}.jsonl"), "w") as handle:
            for index in range(20):
                handle.write(json.dumps({"text": f"revocable {writer} {index}", "license": "MIT", "source": "r", "subject": f"r{writer}", "consent": f"r-{writer}"}) + "\n")
        run("ingest", os.path.join(work, f"r{writer}.jsonl"), "--ledger", ledger)
        with open(os.path.join(work, f"m{writer}.jsonl"), "w") as handle:
            for index in range(samples):
                line = {"text": f"writer {writer} sample {index}", "license": "MIT", "source": f"s{writer}"}
                if index % 100 == 0:
                    line.update(subject=f"w{writer}", consent=f"c-{writer}")
                handle.write(json.dumps(line) + "\n")
    processes = []
    for writer in range(writers):
        processes.append(subprocess.Popen([assent, "ingest", os.path.join(work, f"m{writer}.jsonl"), "--chunk-size", "300", "--ledger", ledger],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        processes.append(subprocess.Popen([assent, "revoke", "--subject", f"r{writer}", "--ledger", ledger],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        processes.append(subprocess.Popen([assent, "snapshot", "--shards", "2", "--ledger", ledger],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    failures = 0
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0 or "locked" in err:
            failures += 1
            print("FAIL:", process.args[1:3], process.returncode, err.strip())
    verify = run("log", "verify", "--json", "--ledger", ledger)
    if verify.returncode != 0:
        failures += 1
        print("FAIL: log verify:", verify.stderr.strip())
    entries = [json.loads(line) for line in run("log", "entries", "--ledger", ledger).stdout.splitlines()]
    seqs = [entry["seq"] for entry in entries]
    if seqs != list(range(len(entries))):
        failures += 1
        print("FAIL: sequence numbers are not exactly 0..n-1")
    commitments = [entry["commitment"] for entry in entries if entry["type"] == "sample"]
    if len(commitments) != len(set(commitments)) or len(commitments) != writers * (samples + 20):
        failures += 1
        print(f"FAIL: {len(commitments)} sample entries, {len(set(commitments))} distinct, expected {writers * (samples + 20)}")
    print(f"concurrency: {len(processes) + 3 - failures} passed, {failures} failed ({writers} ingest, {writers} revoke and {writers} snapshot processes, {len(entries)} entries)")
    sys.exit(1 if failures else 0)
