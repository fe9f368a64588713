#!/usr/bin/env python3
"""Tamper campaign: changes random bytes of stored entries, tree tiles and checkpoints in a copy of
the database file, and checks that `assent log verify` reports every change and where; then changes
random bytes anywhere in the file and classifies each as reported, or harmless (every entry, tile and
checkpoint still reads back identical, so nothing that matters changed).

    python3 Tools/guarantees/tamper_campaign.py [path/to/assent] [--trials 300] [--seed 1]
"""
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
assent = arguments[0] if arguments else os.path.join(os.path.dirname(__file__), "../../.build/release/assent")
trials = int(sys.argv[sys.argv.index("--trials") + 1]) if "--trials" in sys.argv else 300
rng = random.Random(int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1)


def contents(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (connection.execute("SELECT seq, body FROM entries ORDER BY seq").fetchall(),
                connection.execute("SELECT id, filled, hashes FROM tree_tiles ORDER BY id").fetchall(),
                connection.execute("SELECT size, note FROM checkpoints ORDER BY size").fetchall())
    finally:
        connection.close()


with tempfile.TemporaryDirectory() as work:
    ledger = os.path.join(work, "ledger")
    subprocess.run([assent, "init", "--ledger", ledger], check=True, capture_output=True)
    for batch in range(6):
        path = os.path.join(work, f"b{batch}.jsonl")
        with open(path, "w") as handle:
            for index in range(300):
                handle.write(json.dumps({"type": "note", "batch": batch, "text": f"entry {batch}-{index}-{rng.random()}"}) + "\n")
        subprocess.run([assent, "log", "append", "--jsonl", path, "--ledger", ledger], check=True, capture_output=True)
    database = os.path.join(ledger, "ledger.sqlite")
    original = open(database, "rb").read()
    entries, tiles, checkpoints = contents(database)
    targets = [("entry", seq, body) for seq, body in entries] + [("tile", tid, hashes) for tid, _, hashes in tiles] + \
              [("checkpoint", size, note.encode()) for size, note in checkpoints]
    copy = os.path.join(work, "copy")
    stats = {"targeted": 0, "targeted_reported": 0, "targeted_named": 0, "random": 0, "random_reported": 0, "random_harmless": 0, "random_missed": 0}

    def verify_copy(mutated):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(ledger, copy)
        with open(os.path.join(copy, "ledger.sqlite"), "wb") as handle:
            handle.write(mutated)
        result = subprocess.run([assent, "log", "verify", "--ledger", copy], capture_output=True, text=True)
        return result.returncode, result.stderr

    for trial in range(trials):
        kind, key, payload = rng.choice(targets)
        offset = original.find(payload)
        if offset < 0 or original.find(payload, offset + 1) >= 0:
            continue
        position = offset + rng.randrange(len(payload))
        mutated = bytearray(original)
        mutated[position] ^= 1 << rng.randrange(8)
        code, message = verify_copy(bytes(mutated))
        stats["targeted"] += 1
        if code != 0:
            stats["targeted_reported"] += 1
            name = {"entry": f"entry {key}", "checkpoint": f"checkpoint at size {key}", "tile": "tree tile"}[kind]
            if name in message or (kind == "entry" and f"entry {key + 1}" in message) or (kind == "tile" and "entry" in message):
                stats["targeted_named"] += 1
            else:
                print(f"reported but not named: {kind} {key}: {message.strip()}")
        else:
            print(f"MISSED: {kind} {key} byte {position}")

    for trial in range(trials):
        position = rng.randrange(len(original))
        mutated = bytearray(original)
        mutated[position] ^= 1 << rng.randrange(8)
        code, _ = verify_copy(bytes(mutated))
        stats["random"] += 1
        if code != 0:
            stats["random_reported"] += 1
            continue
        try:
            same = contents(os.path.join(copy, "ledger.sqlite")) == (entries, tiles, checkpoints)
        except sqlite3.DatabaseError:
            same = False
        if same:
            stats["random_harmless"] += 1
        else:
            stats["random_missed"] += 1
            print(f"MISSED random byte {position}")

    print(json.dumps(stats))
    failed = (stats["targeted"] - stats["targeted_reported"]) + stats["random_missed"]
    print(f"tamper-campaign: {stats['targeted_reported'] + stats['random_reported'] + stats['random_harmless']} passed, {failed} failed")
    sys.exit(1 if failed else 0)
