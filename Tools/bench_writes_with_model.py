#!/usr/bin/env python3
"""Latency of write commands on a ledger that holds a current model, each followed by the sweep.

Every write command runs the sweep, which must decide for each current model whether its snapshot
would change if re-cut now. This measures that cost end to end (process start to exit).

    swift build -c release --product assent
    python3 Tools/bench_writes_with_model.py .build/release/assent [--samples 100000]
"""
import argparse
import hashlib
import json
import pathlib
import statistics
import subprocess
import tempfile
import time


def run(assent, *arguments):
    start = time.perf_counter()
    subprocess.run([assent, *arguments], check=True, capture_output=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assent")
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        ledger = str(work / "ledger")
        with open(work / "m.jsonl", "w") as out:
            for index in range(args.samples):
                digest = hashlib.sha256(f"sample {index}".encode()).digest()
                features = [byte % 17 for byte in digest * 2]
                content = json.dumps({"features": features, "label": index % 10})
                out.write(json.dumps({"text": content, "license": "CC-BY-4.0", "source": "generated"}) + "\n")
        subprocess.run([args.assent, "init", "--ledger", ledger], check=True, capture_output=True)
        print(f"set-up: ingest {args.samples} samples in {run(args.assent, 'ingest', str(work / 'm.jsonl'), '--ledger', ledger):.1f} s, "
              f"train naive-bayes K=4 in {run(args.assent, 'train', '--trainer', 'naive-bayes', '--shards', '4', '--ledger', ledger):.1f} s")
        timings = {"ingest one new sample": [], "revoke one sample outside the model": [], "consent grant": []}
        for round in range(args.repeat):
            extra = work / f"extra-{round}.jsonl"
            extra.write_text(json.dumps({"text": f"extra {round}", "license": "MIT", "source": f"extra-{round}"}) + "\n")
            timings["ingest one new sample"].append(run(args.assent, "ingest", str(extra), "--ledger", ledger))
            timings["revoke one sample outside the model"].append(
                run(args.assent, "revoke", "--source", f"extra-{round}", "--ledger", ledger))
            timings["consent grant"].append(
                run(args.assent, "consent", "grant", "--subject", f"s{round}@example.org", "--purpose", "ai-training",
                    "--ledger", ledger))
        models = json.loads(subprocess.run([args.assent, "models", "--json", "--ledger", ledger], check=True,
                                           capture_output=True, text=True).stdout)["models"]
        assert len(models) == 1 and not models[0]["stale"], "the model must still be current"
        for name, values in timings.items():
            print(f"{name:38s} median {1000 * statistics.median(values):6.1f} ms, max {1000 * max(values):6.1f} ms "
                  f"({len(values)} runs, sweep included)")


if __name__ == "__main__":
    main()
