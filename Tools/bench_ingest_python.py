"""The baseline a user would otherwise write: dump a JSONL manifest into SQLite with Python's sqlite3.

Reads the manifest line by line, inserts id, licence, source, subject and content into one table in
transactions of 10,000, and prints samples/s and peak RSS, for comparison with `assent ingest` on the
same manifest (`assent-bench ingest --manifest-out PATH` writes the benchmark's manifest).

    python3 Tools/bench_ingest_python.py MANIFEST.jsonl
"""

import json
import os
import resource
import sqlite3
import sys
import tempfile
import time

manifest = sys.argv[1]
with tempfile.TemporaryDirectory() as work:
    database = sqlite3.connect(os.path.join(work, "dump.sqlite"), isolation_level=None)
    database.execute("PRAGMA journal_mode = WAL")
    database.execute(
        "CREATE TABLE samples (id INTEGER PRIMARY KEY, license TEXT, source TEXT, subject TEXT, content BLOB)"
    )
    start = time.perf_counter()
    count = 0
    database.execute("BEGIN")
    with open(manifest, "rb") as lines:
        for line in lines:
            if not line.strip():
                continue
            item = json.loads(line)
            database.execute(
                "INSERT INTO samples (license, source, subject, content) VALUES (?, ?, ?, ?)",
                (item.get("license"), item.get("source"), item.get("subject"), item["text"].encode()),
            )
            count += 1
            if count % 10_000 == 0:
                database.execute("COMMIT")
                database.execute("BEGIN")
    database.execute("COMMIT")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"python sqlite3: {count / seconds:,.0f} samples/s ({count} samples, {seconds:.1f} s), peak RSS {peak:.0f} MiB")
