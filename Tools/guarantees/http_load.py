#!/usr/bin/env python3
"""`assent serve` under load, and killed under load.

    python3 Tools/guarantees/http_load.py path/to/assent [--clients 8] [--requests 40] [--database URL]

Phase 1: 8 clients ingest 10-line requests over HTTP while a ninth withdraws subjects through
/v1/revocations. Every sample must then be in the ledger exactly once (the status count equals the
distinct samples sent, a second sending of each request adds nothing), every revocation must have
committed, and `assent log verify` must pass. Phase 2: the clients ingest again and the server is
killed with SIGKILL mid-run (and, before that, stopped with SIGTERM mid-run, which must exit 0); after a restart, every request that had been answered 200 must be there
whole (sending it again adds nothing) and the log must verify.
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
assent = arguments[0] if arguments else ".build/debug/assent"
option = lambda name, default: sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default
clients = int(option("--clients", "8"))
requests_per_client = int(option("--requests", "40"))
database = option("--database", None)
passed = failed = 0


def check(condition, what):
    global passed, failed
    passed, failed = (passed + 1, failed) if condition else (passed, failed + 1)
    if not condition:
        print("FAIL:", what)


def run(*args):
    return subprocess.run([assent, *args], capture_output=True, text=True)


def start(ledger):
    server = subprocess.Popen([assent, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    if not line.startswith("listening on http://"):
        sys.exit(f"http-load: the server did not start: {line!r}")
    host, port = line.strip().rsplit("/", 1)[1].split(":")
    return server, host, int(port)


def send(host, port, path, body, token):
    connection = http.client.HTTPConnection(host, port, timeout=60)
    connection.request("POST", path, body=body, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data else {}


def request_body(phase, client, request):
    return "".join(json.dumps({"text": f"{phase} client {client} request {request} line {line}", "license": "MIT",
                               "source": f"load-{client}"}) + "\n" for line in range(10)).encode()


with tempfile.TemporaryDirectory() as work:
    ledger = os.path.join(work, "ledger")
    created = run("init", "--ledger", ledger, *(["--database", database] if database else []))
    if created.returncode != 0:
        sys.exit(f"http-load: assent init failed: {created.stderr.strip()}")
    token = run("tokens", "create", "--ledger", ledger, "--role", "admin").stdout.split()[0]
    subjects = [f"load-subject-{index}" for index in range(10)]
    for subject in subjects:
        run("consent", "grant", "--ledger", ledger, "--subject", subject, "--purpose", "ai-training", "--id", f"c-{subject}")
        with open(os.path.join(work, f"{subject}.jsonl"), "w") as handle:
            handle.write(json.dumps({"text": f"sample of {subject}", "license": "MIT", "source": "people",
                                     "subject": subject, "consent": f"c-{subject}"}) + "\n")
        run("ingest", os.path.join(work, f"{subject}.jsonl"), "--ledger", ledger, "--quiet")

    # Phase 1: load with revocations interleaved.
    server, host, port = start(ledger)
    errors = []

    def ingester(client):
        for request in range(requests_per_client):
            status, answer = send(host, port, "/v1/ingest", request_body("one", client, request), token)
            if status != 200 or answer.get("added") != 10:
                errors.append(f"client {client} request {request}: {status} {answer}")

    revoked = []

    def revoker():
        for subject in subjects:
            status, answer = send(host, port, "/v1/revocations", json.dumps({"subject": subject}).encode(), token)
            if status == 200 and answer.get("revocation"):
                revoked.append(subject)
            time.sleep(0.02)

    threads = [threading.Thread(target=ingester, args=(c,)) for c in range(clients)] + [threading.Thread(target=revoker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check(not errors, f"ingest requests failed: {errors[:3]}")
    check(len(revoked) == len(subjects), f"{len(revoked)} of {len(subjects)} revocations committed")
    connection = http.client.HTTPConnection(host, port)
    connection.request("GET", "/v1/status", headers={"Authorization": f"Bearer {token}"})
    status = json.loads(connection.getresponse().read())
    expected = clients * requests_per_client * 10 + len(subjects)
    check(status["samples"] == expected, f"{status['samples']} samples in the ledger, {expected} sent")
    check(status["revocations"] == len(subjects), f"{status['revocations']} revocations logged")
    again = [send(host, port, "/v1/ingest", request_body("one", c, r), token)[1].get("added") for c in range(clients)
             for r in range(0, requests_per_client, 7)]
    check(all(added == 0 for added in again), "sending a request again added samples")
    server.terminate()
    server.wait()
    verify = run("log", "verify", "--ledger", ledger)
    check(verify.returncode == 0, f"log verify after the load: {verify.stderr.strip()}")

    # SIGTERM under load: the server stops after the requests in flight, exits 0, and every request it
    # answered 200 is in the ledger.
    server, host, port = start(ledger)
    answered, lock = [], threading.Lock()

    def ingest_until_stopped(client):
        for request in range(1000):
            try:
                status, _ = send(host, port, "/v1/ingest", request_body("term", client, request), token)
            except (OSError, http.client.HTTPException, ValueError):
                return
            if status == 200:
                with lock:
                    answered.append((client, request))

    threads = [threading.Thread(target=ingest_until_stopped, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    server.send_signal(signal.SIGTERM)
    check(server.wait(timeout=60) == 0, "the server did not exit 0 on SIGTERM")
    for thread in threads:
        thread.join()
    server, host, port = start(ledger)
    missing = [(c, r) for c, r in answered if send(host, port, "/v1/ingest", request_body("term", c, r), token)[1].get("added") != 0]
    check(answered and not missing, f"{len(missing)} of {len(answered)} answered requests missing after SIGTERM")
    server.terminate()
    server.wait()

    # Phase 2: SIGKILL under load; nothing acknowledged is lost.
    server, host, port = start(ledger)
    acknowledged, lock = [], threading.Lock()

    def ingest_until_killed(client):
        for request in range(1000):
            try:
                status, answer = send(host, port, "/v1/ingest", request_body("two", client, request), token)
            except (OSError, http.client.HTTPException, ValueError):
                return
            if status == 200:
                with lock:
                    acknowledged.append((client, request))

    threads = [threading.Thread(target=ingest_until_killed, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    server.send_signal(signal.SIGKILL)
    server.wait()
    for thread in threads:
        thread.join()
    check(len(acknowledged) > 0, "no request was acknowledged before the kill")
    server, host, port = start(ledger)
    lost = [(c, r) for c, r in acknowledged if send(host, port, "/v1/ingest", request_body("two", c, r), token)[1].get("added") != 0]
    check(not lost, f"{len(lost)} acknowledged requests were lost or partial: {lost[:3]}")
    server.terminate()
    server.wait()
    verify = run("log", "verify", "--ledger", ledger)
    check(verify.returncode == 0, f"log verify after the kill: {verify.stderr.strip()}")
    print(f"http-load: {passed} passed, {failed} failed ({clients} clients, {len(acknowledged)} requests acknowledged before SIGKILL)")
sys.exit(1 if failed else 0)
