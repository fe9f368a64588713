#!/usr/bin/env python3
"""Ingest from 1, 2 and 4 writer processes at once on PostgreSQL next to SQLite, snapshot and revoke latency.

Every figure is end to end through the CLI (process start to exit). Each PostgreSQL configuration
gets a schema of its own in the database at URL (created with psql and dropped at the end); the
writers are copies of one ledger folder, so they share the log, and each ingests its own part of
one manifest of generated samples (features and a label as the naive-Bayes trainer reads them, manifest
lines of about 0.4 KiB).

    swift build -c release --product assent
    python3 Tools/bench_postgres.py .build/release/assent URL [--samples 1000000] [--writers 1,2,4]
"""
import argparse
import hashlib
import json
import pathlib
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse


def run(assent, *arguments):
    """Runs one assent command and returns its wall time in seconds."""
    start = time.perf_counter()
    finished = subprocess.run([assent, *arguments], capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"assent {' '.join(arguments[:2])} failed: {finished.stderr.strip()}")
    return time.perf_counter() - start


def in_schema(url, schema):
    """The URL with search_path set to `schema` (libpq's options parameter)."""
    separator = "&" if "?" in url else "?"
    return url + separator + "options=" + urllib.parse.quote(f"-csearch_path={schema}")


def psql(url, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True, capture_output=True)


def write_manifests(folder, samples, parts):
    """One manifest of `samples` generated samples split into `parts` files; returns their paths."""
    licenses = ["CC-BY-4.0", "MIT", "Apache-2.0 OR MIT", "CC0-1.0", "CC-BY-SA-4.0"]
    paths = [folder / f"part-{parts}-{number}.jsonl" for number in range(parts)]
    outputs = [open(path, "w") for path in paths]
    for index in range(samples):
        digest = hashlib.sha256(f"sample {index}".encode()).digest()
        content = json.dumps({"features": [byte % 17 for byte in digest * 2], "label": index % 10})
        line = {"text": content, "license": licenses[index % 5],
                "source": f"generated-{index % 4}", "collected_at": "2024-06-01T00:00:00Z",
                "media_type": "text/plain"}
        outputs[index * parts // samples].write(json.dumps(line) + "\n")
    for output in outputs:
        output.close()
    return paths


def ingest_at_once(assent, ledgers, manifests):
    """Starts one `assent ingest` per ledger folder at once; returns the wall time until all exit."""
    start = time.perf_counter()
    processes = [subprocess.Popen([assent, "ingest", str(manifest), "--ledger", str(ledger)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for ledger, manifest in zip(ledgers, manifests)]
    for process in processes:
        _, errors = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"assent ingest failed: {errors.strip()}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assent")
    parser.add_argument("url", help="postgresql://USER@HOST:PORT/DB (the password from the URL, PGPASSWORD or ~/.pgpass)")
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--writers", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=5, help="revocations to time")
    args = parser.parse_args()
    writer_counts = [int(count) for count in args.writers.split(",")]
    schemas = []
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        sqlite = work / "sqlite"
        run(args.assent, "init", "--ledger", str(sqlite), "--origin", "bench.example/sqlite")
        whole = write_manifests(work, args.samples, 1)
        seconds = ingest_at_once(args.assent, [sqlite], whole)
        print(f"SQLite, 1 writer: {args.samples} samples in {seconds:.1f} s ({args.samples / seconds:,.0f} samples/s)")
        ledger = None
        try:
            for writers in writer_counts:
                schema = f"bench_{writers}_{int(time.time())}"
                psql(args.url, f"CREATE SCHEMA {schema}")
                schemas.append(schema)
                ledger = work / f"pg-{writers}"
                run(args.assent, "init", "--ledger", str(ledger), "--origin", "bench.example/pg",
                    "--database", in_schema(args.url, schema))
                copies = [ledger] + [work / f"pg-{writers}-copy-{n}" for n in range(1, writers)]
                for copy in copies[1:]:
                    shutil.copytree(ledger, copy)
                manifests = whole if writers == 1 else write_manifests(work, args.samples, writers)
                seconds = ingest_at_once(args.assent, copies, manifests)
                print(f"PostgreSQL, {writers} writer(s) at once: {args.samples} samples in {seconds:.1f} s "
                      f"({args.samples / seconds:,.0f} samples/s)")
            if ledger is None:
                return
            seconds = run(args.assent, "snapshot", "create", "--shards", "16", "--ledger", str(ledger))
            print(f"PostgreSQL, snapshot of {args.samples} samples, 16 shards: {seconds:.2f} s")
            seconds = run(args.assent, "train", "--trainer", "naive-bayes", "--shards", "4", "--ledger", str(ledger))
            print(f"PostgreSQL, naive-bayes model, 4 shards: trained in {seconds:.1f} s")
            timings = []
            for round in range(args.repeat):
                extra = work / f"extra-{round}.jsonl"
                extra.write_text(json.dumps({"text": f"extra {round}", "license": "MIT", "source": f"extra-{round}"}) + "\n")
                run(args.assent, "ingest", str(extra), "--ledger", str(ledger))
                timings.append(run(args.assent, "revoke", "--source", f"extra-{round}", "--ledger", str(ledger)))
            print(f"PostgreSQL, revoke of one sample outside the current model, sweep included: median "
                  f"{1000 * statistics.median(timings):.1f} ms, max {1000 * max(timings):.1f} ms ({len(timings)} runs)")
            verified = subprocess.run([args.assent, "log", "verify", "--ledger", str(ledger)], capture_output=True, text=True)
            print("PostgreSQL, log verify of the last ledger:", "ok" if verified.returncode == 0 else verified.stderr)
        finally:
            for schema in schemas:
                psql(args.url, f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
