#!/usr/bin/env python3
"""A benchmark trainer for `assent train --trainer exec --per-shard`: deterministic work per sample.

Each sample's bytes are hashed ROUNDS times (default 2000, `ASSENT_ROUNDS` is not passed: the rounds
are the first argument), and the shard's "model" is the digest of the sorted per-sample results, so
the output depends only on the shard's samples and the time grows with their number, as a real
trainer's does. Standard library only; runs in the sandbox with Debian's /usr/bin/python3.

    assent train --trainer exec --per-shard --shards 16 --sandbox-ro "$PWD/Tools/trainers" \\
        --exec "/usr/bin/python3 $PWD/Tools/trainers/shard_hash_work.py 2000"
"""
import hashlib
import json
import os
import sys


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    source, target = os.environ["ASSENT_INPUT"], os.environ["ASSENT_OUTPUT"]
    manifest = json.load(open(os.path.join(source, "manifest.json")))
    results = []
    for sample in manifest["samples"]:
        digest = open(os.path.join(source, sample["file"]), "rb").read()
        for _ in range(rounds):
            digest = hashlib.sha256(digest).digest()
        results.append(digest)
    model = hashlib.sha256(b"".join(sorted(results))).hexdigest()
    with open(os.path.join(target, "model.txt"), "w") as out:
        out.write(f"{manifest.get('shard')} {len(results)} {model}\n")


if __name__ == "__main__":
    main()
