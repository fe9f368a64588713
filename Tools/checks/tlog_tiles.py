#!/usr/bin/env python3
"""`assent log export-tiles` against an independent tlog-tiles reader and writer (tlog-scales, PyPI).

    python3 Tools/checks/tlog_tiles.py path/to/assent

A ledger of 66,000 entries (three tile levels) is exported, grown to 70,300 and exported again. The stock
reader must verify the checkpoint's signature with the ledger's key, recompute its root from the tiles,
check inclusion proofs (edges and a random sample) and the consistency proof between the two exports;
its CLI `tlog-tiles get-leaf -c` must agree. tlog-scales' own writer, fed the same entries (read from
SQLite, not from our tiles), must produce byte for byte the same tiles and bundles, and `assent serve`
must serve the same bytes at the same paths (the stock reader checks it over HTTP too). The second export must
leave the first one's full tiles untouched, and a folder holding another log's tiles must be refused.
"""
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from tlog_scales import backend, reader, signing, tiles, writer

assent = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/assent"
cli = str(Path(sys.executable).parent / "tlog-tiles")
passed = failed = 0


def check(condition, what):
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(*args, expect=0):
    result = subprocess.run([assent, *args], capture_output=True, text=True)
    if result.returncode != expect:
        sys.exit(f"tlog-tiles: assent {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result


def append_notes(ledger, work, first, count):
    path = os.path.join(work, f"notes-{first}.jsonl")
    with open(path, "w") as handle:
        for index in range(first, first + count):
            handle.write(f'{{"type":"note","text":"note {index}"}}\n')
    run("log", "append", "--jsonl", path, "--ledger", ledger)


def entries(ledger):
    connection = sqlite3.connect(os.path.join(ledger, "ledger.sqlite"))
    rows = [bytes(body) for (body,) in connection.execute("SELECT body FROM entries ORDER BY seq")]
    connection.close()
    return rows


def files(folder):
    return {str(path.relative_to(folder)): path for path in Path(folder).rglob("*") if path.is_file()}


def verify_export(folder, vkey, bodies, label):
    log = reader.TilesReader(backend.LocalBackend(Path(folder)))
    checkpoint = log.get_checkpoint()
    try:
        checkpoint.verify(vkey)
        check(True, "")
    except Exception as error:  # noqa: BLE001: any failure of the stock verifier is the finding
        check(False, f"{label}: the checkpoint signature does not verify: {error}")
    check(checkpoint.size == len(bodies), f"{label}: checkpoint size {checkpoint.size}, expected {len(bodies)}")
    check(log.calculate_root_hash() == checkpoint.root_hash, f"{label}: the root from the tiles differs from the checkpoint's")
    size = checkpoint.size
    picks = {0, 255, 256, size - 1, size // 2} | set(random.Random(size).sample(range(size), 120))
    for index in sorted(picks):
        entry = log.get_entry(index)
        check(entry == bodies[index], f"{label}: bundle entry {index} differs from the ledger's entry")
        try:
            log.get_inclusion_proof(index, size).check(tiles.leaf_hash(entry), checkpoint.root_hash)
            check(True, "")
        except Exception as error:  # noqa: BLE001
            check(False, f"{label}: inclusion proof of {index} fails: {error}")
    return checkpoint


with tempfile.TemporaryDirectory() as work:
    ledger = os.path.join(work, "ledger")
    out = os.path.join(work, "public")
    run("init", "--ledger", ledger)
    vkey = signing.Vkey.from_string(run("log", "key", "--ledger", ledger).stdout.strip())
    append_notes(ledger, work, 0, 66_000)
    run("log", "export-tiles", out, "--ledger", ledger)
    first = verify_export(out, vkey, entries(ledger), "first export")
    full_before = {name: path.stat().st_ino for name, path in files(out).items() if ".p" not in name and name != "checkpoint"}

    append_notes(ledger, work, 66_000, 4_000)
    append_notes(ledger, work, 70_000, 300)
    again = run("log", "export-tiles", out, "--json", "--ledger", ledger)
    bodies = entries(ledger)
    second = verify_export(out, vkey, bodies, "second export")
    log = reader.TilesReader(backend.LocalBackend(Path(out)))
    log.get_checkpoint()
    try:
        log.get_consistency_proof(first.size, second.size).check(first.root_hash, second.root_hash)
        check(True, "")
    except Exception as error:  # noqa: BLE001
        check(False, f"the consistency proof {first.size} → {second.size} fails: {error}")
    after = files(out)
    check(all(name in after and after[name].stat().st_ino == inode for name, inode in full_before.items()),
          "the second export rewrote full tiles of the first")

    leaf = subprocess.run([cli, "get-leaf", "-c", out, "70299"], capture_output=True)
    check(leaf.returncode == 0 and leaf.stdout == bodies[70299], f"tlog-tiles get-leaf -c: {leaf.stderr.decode().strip()}")

    # The independent writer, fed the same entry bodies in one commit.
    independent = Path(work) / "independent"
    tiles_writer = writer.TilesWriter.create(independent, "independent")
    for body in bodies:
        tiles_writer.add_leaf(body)
    tiles_writer.commit([signing.DummySigner()])
    theirs = {name: path for name, path in files(independent).items() if name != "checkpoint"}
    ours = {name: path for name, path in after.items() if name != "checkpoint"}
    check(len(theirs) > 0 and all(name in ours and ours[name].read_bytes() == path.read_bytes() for name, path in theirs.items()),
          "the tiles differ from tlog-scales' writer for the same entries")
    extra = set(ours) - set(theirs)
    check(all(".p/" in name for name in extra), f"files no independent writer has: {sorted(extra)[:5]}")
    check(any(name.startswith("tile/2/") for name in theirs), "the log did not reach tile level 2")

    # The same log served live by `assent serve`: the stock reader over HTTP, and every file of the
    # export byte for byte at the same path.
    server = subprocess.Popen([assent, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = server.stdout.readline().strip().removeprefix("listening on ")
        live = reader.TilesReader(backend.HttpBackend(url))
        served = live.get_checkpoint()
        check(served.size == second.size and live.calculate_root_hash() == served.root_hash,
              "the served tiles do not give the served checkpoint's root")
        for index in (0, 256, 65_535, served.size - 1):
            entry = live.get_entry(index)
            live.get_inclusion_proof(index, served.size).check(tiles.leaf_hash(entry), served.root_hash)
            check(entry == bodies[index], f"served entry {index} differs")
        session = backend.HttpBackend(url)
        mismatched = [name for name in sorted(theirs)[:: max(1, len(theirs) // 40)]
                      if session.get(*name.split("/")) != theirs[name].read_bytes()]
        check(not mismatched, f"served tiles differ from the export: {mismatched[:3]}")
        leaf = subprocess.run([cli, "get-leaf", "-c", url, "70000"], capture_output=True)
        check(leaf.returncode == 0 and leaf.stdout == bodies[70000], f"tlog-tiles get-leaf -c over HTTP: {leaf.stderr.decode().strip()}")
    finally:
        server.terminate()
        server.wait()

    # Another log's folder is refused and left as it was.
    other = os.path.join(work, "other")
    run("init", "--ledger", other)
    refused = run("log", "export-tiles", out, "--ledger", other, expect=1)
    check("did not sign" in refused.stderr and out in refused.stderr, f"another log's folder: {refused.stderr.strip()}")
    check(reader.TilesReader(backend.LocalBackend(Path(out))).get_checkpoint().size == second.size,
          "a refused export changed the folder's checkpoint")

print(f"tlog-tiles: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
