#!/usr/bin/env python3
"""Witnessing against an independent tlog-witness peer (Tools/checks/witness_peer.py, on tlog-scales).

    python3 Tools/checks/witness.py path/to/assent

Every write pushes the new checkpoint; the peer's cosignature is stored and served with the checkpoint
by `assent serve` (tlog-scales verifies the log's signature and the cosignature); a 409 is answered
with a proof from the peer's size; a witness that cannot be reached is a warning and holds back the
published checkpoint until the quorum is met; `assent verify --witness-policy` requires the quorum on
the proof's checkpoint; a forked copy of the ledger gets a 422, which raises the fork alarm and stops
publishing to that witness.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from tlog_scales import signing, tlog

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
assent = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/debug/assent")
python = sys.executable
passed = failed = 0
processes = []


def check(condition, what):
    global passed, failed
    passed, failed = (passed + 1, failed) if condition else (passed, failed + 1)
    if not condition:
        print("FAIL:", what)


def run(*args, expect=0):
    result = subprocess.run([assent, *args], capture_output=True, text=True)
    if expect is not None and result.returncode != expect:
        sys.exit(f"witness: assent {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result


def start(command):
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    processes.append(process)
    return process


def get(url):
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


try:
    with tempfile.TemporaryDirectory() as work:
        ledger = os.path.join(work, "ledger")
        run("init", "--ledger", ledger)
        log_vkey = run("log", "key", "--ledger", ledger).stdout.strip()
        peer = start([python, os.path.join(root, "Tools/checks/witness_peer.py"), "--log-vkey", log_vkey,
                      "--state", os.path.join(work, "peer.json"), "--name", "witness-a.test"])
        peer_url = peer.stdout.readline().strip().removeprefix("listening on ")
        peer_vkey = peer.stdout.readline().strip().removeprefix("vkey ")
        run("witness", "add", "--ledger", ledger, "--vkey", peer_vkey, "--url", peer_url)
        refused = run("witness", "add", "--ledger", ledger, "--vkey", "not-a-key", "--url", peer_url, expect=1)
        check("vkey" in refused.stderr, f"a bad witness key: {refused.stderr.strip()}")

        # Every write is cosigned.
        consent = run("consent", "grant", "--ledger", ledger, "--subject", "alice@example.org", "--purpose", "ai-training", "--id", "c-alice")
        check("witness" not in consent.stderr, f"a write warned about its witness: {consent.stderr.strip()}")
        manifest = os.path.join(work, "digits.jsonl")
        with open(os.path.join(root, "Tools/datasets/digits/digits-train.jsonl")) as source, open(manifest, "w") as out:
            for index, line in zip(range(60), source):
                fields = {"text": line.rstrip("\n"), "license": "CC-BY-4.0", "source": "digits"}
                if index % 2 == 0:
                    fields.update(subject="alice@example.org", consent="c-alice")
                out.write(json.dumps(fields) + "\n")
        run("ingest", manifest, "--ledger", ledger, "--quiet")
        model = json.loads(run("train", "--trainer", "naive-bayes", "--shards", "2", "--ledger", ledger, "--quiet", "--json").stdout)
        size = int(json.loads(run("log", "info", "--json", "--ledger", ledger).stdout)["size"])
        witnesses = json.loads(run("witness", "list", "--json", "--ledger", ledger).stdout)["witnesses"]
        check(witnesses[0]["size"] == size, f"the witness cosigned size {witnesses[0]['size']}, the log is at {size}")

        # The peer's idea of the log is older than the ledger thinks: a 409, then a proof from its size.
        connection = sqlite3.connect(os.path.join(ledger, "ledger.sqlite"))
        connection.execute("UPDATE witnesses SET size = 0")
        connection.commit()
        connection.close()
        run("log", "append", "--ledger", ledger, "--type", "note", "--json", '{"text":"after a 409"}')
        witnesses = json.loads(run("witness", "list", "--json", "--ledger", ledger).stdout)["witnesses"]
        check(witnesses[0]["size"] == size + 1, f"after a 409 the witness is at {witnesses[0]['size']}, not {size + 1}")

        # The served checkpoint carries the cosignature; tlog-scales checks both signatures.
        server = start([assent, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0"])
        url = server.stdout.readline().strip().removeprefix("listening on ")
        status, note = get(url + "/checkpoint")
        checkpoint = tlog.Checkpoint.from_text(note)
        try:
            checkpoint.verify(signing.Vkey.from_string(log_vkey))
            checkpoint.verify(signing.Vkey.from_string(peer_vkey))
            check(checkpoint.size == size + 1, f"the served checkpoint has size {checkpoint.size}")
        except Exception as error:  # noqa: BLE001: any failure of the stock verifier is the finding
            check(False, f"tlog-scales rejects the served checkpoint: {error}")

        # A second witness that cannot be reached: a warning, and with quorum 2 nothing new is published.
        unreachable_vkey = signing.Vkey("witness-b.test", None, 4, bytes(range(32))).serialize()
        run("witness", "add", "--ledger", ledger, "--vkey", unreachable_vkey, "--url", "http://127.0.0.1:9")
        appended = run("log", "append", "--ledger", ledger, "--type", "note", "--json", '{"text":"b is down"}')
        check("witness-b.test" in appended.stderr and "unreachable" in appended.stderr,
              f"an unreachable witness was not reported: {appended.stderr.strip()}")
        status, _ = get(url + "/checkpoint")
        check(status == 503, f"with quorum 2 and one cosigner the checkpoint route answered {status}")
        run("witness", "policy", "--ledger", ledger, "--quorum", "1")
        status, note = get(url + "/checkpoint")
        check(status == 200 and tlog.Checkpoint.from_text(note).size == size + 2, f"quorum 1: {status} {note[:60]!r}")

        # A witness that answers 200 with garbage: refused, nothing stored, and a warning.
        garbage = start([python, os.path.join(root, "Tools/checks/witness_peer.py"), "--log-vkey", log_vkey,
                         "--state", os.path.join(work, "garbage.json"), "--name", "witness-c.test", "--garbage"])
        garbage_url = garbage.stdout.readline().strip().removeprefix("listening on ")
        garbage_vkey = garbage.stdout.readline().strip().removeprefix("vkey ")
        run("witness", "add", "--ledger", ledger, "--vkey", garbage_vkey, "--url", garbage_url)
        pushed = run("witness", "push", "--ledger", ledger, "--json", expect=1)
        outcome = {w["witness"]: w for w in json.loads(pushed.stdout)["witnesses"]}.get("witness-c.test", {})
        check(outcome.get("status") == "failed" and "without a valid cosignature" in outcome.get("detail", ""),
              f"a garbage answer: {outcome}")
        listed = {w["name"]: w for w in json.loads(run("witness", "list", "--json", "--ledger", ledger).stdout)["witnesses"]}
        check(listed["witness-c.test"]["size"] == 0, "a garbage answer counted as a cosignature")
        run("witness", "remove", "witness-c.test", "--ledger", ledger)
        check("witness-c.test" not in run("witness", "policy", "--ledger", ledger).stdout, "a removed witness is in the policy")

        # verify --witness-policy: met with quorum 1, not with quorum 2.
        proof = os.path.join(work, "proof")
        run("prove", model["model"], "--out-dir", proof, "--ledger", ledger)
        with open(os.path.join(work, "trust.json"), "w") as handle:
            handle.write(run("keys", "export", "--ledger", ledger).stdout)
        for quorum, expect in ((1, 0), (2, 2)):
            with open(os.path.join(work, f"policy-{quorum}"), "w") as handle:
                handle.write(run("witness", "policy", "--ledger", ledger, "--quorum", str(quorum)).stdout)
            verify = run("verify", proof, "--model", model["path"], "--trust", os.path.join(work, "trust.json"),
                         "--witness-policy", os.path.join(work, f"policy-{quorum}"), "--json", expect=None)
            report = json.loads(verify.stdout or "{}")
            if not verify.stdout:
                print("verify:", verify.returncode, verify.stderr.strip())
            if expect == 0:
                check(verify.returncode == 0 and any(s["step"] == "witnesses" for s in report["steps"]), f"quorum 1: {verify.stdout}")
            else:
                check(verify.returncode == 2 and report.get("failed_step") == "witnesses", f"quorum 2: {verify.stdout}")
        run("witness", "policy", "--ledger", ledger, "--quorum", "1")

        # A forked copy under the same key: the peer answers 422, the fork alarm is raised and stays.
        fork = os.path.join(work, "fork")
        server.terminate()
        server.wait()
        shutil.copytree(ledger, fork)
        run("log", "append", "--ledger", ledger, "--type", "note", "--json", '{"text":"the real history"}')
        forked = run("log", "append", "--ledger", fork, "--type", "note", "--json", '{"text":"another history"}')
        check("FORK" in forked.stderr and "witness-a.test" in forked.stderr, f"no fork alarm: {forked.stderr.strip()}")
        listed = json.loads(run("witness", "list", "--json", "--ledger", fork).stdout)["witnesses"]
        check(any(w["name"] == "witness-a.test" and w["fork"] for w in listed), f"the fork is not recorded: {listed}")
        pushed = run("witness", "push", "--ledger", fork, "--json", expect=1)
        statuses = {w["witness"]: w["status"] for w in json.loads(pushed.stdout)["witnesses"]}
        check(statuses.get("witness-a.test") == "fork", f"a push after the fork: {statuses}")
        genuine = json.loads(run("witness", "list", "--json", "--ledger", ledger).stdout)["witnesses"]
        check(any(w["name"] == "witness-a.test" and not w["fork"] for w in genuine), "the real ledger was marked forked")
finally:
    for process in processes:
        process.terminate()
        process.wait()
print(f"witness: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
