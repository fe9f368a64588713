#!/usr/bin/env python3
"""HTTP ingest throughput and latency through `assent serve`, and revocation latency.

    python3 Tools/bench_http.py path/to/assent [--clients 1,8,32] [--requests 200] [--lines 10] [--database URL]
        [--load wrk|python] [--seconds 10] [--prefill N] [--skip-revocations] [--revoke-under-load]

For each client count, a fresh ledger, a server on 127.0.0.1 (port 0), and that many keep-alive
connections sending POST /v1/ingest requests of --lines unique NDJSON lines. With `--load wrk` (the
default when wrk is installed) wrk drives them for --seconds with Tools/bench_http_ingest.lua; with
`--load python` this script's own threads send --requests each (the Python client then takes much of a
core itself). Prints samples/s, the p50/p99 request latency and the server's CPU time per sample (user and
system, from /proc), and checks the log afterwards. Then 50 revocation requests (each withdrawing one subject
of one sample, with a trained model depending on them) and their p50/p99: the time from request to
revocation committed with the model marked stale (--skip-revocations leaves this out; with
--revoke-under-load they are sent, 150 ms apart, while wrk ingests with the largest client count). --prefill N first
ingests N generated samples through `assent ingest`, so the server writes into a ledger of that size (each
sample's two random-key index inserts cost more as the indexes grow). With --database the ledger is on that PostgreSQL
database (each run creates its own schema, so give a database you may write).
"""
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
assent = arguments[0] if arguments else ".build/release/assent"
option = lambda name, default: sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default
clients_list = [int(x) for x in option("--clients", "1,8,32").split(",")]
requests_per_client = int(option("--requests", "200"))
lines_per_request = int(option("--lines", "10"))
database = option("--database", None)
load = option("--load", "wrk" if shutil.which("wrk") else "python")
seconds = int(option("--seconds", "10"))
prefill = int(option("--prefill", "0"))
under_load = "--revoke-under-load" in sys.argv and shutil.which("wrk") is not None


def run(*args):
    result = subprocess.run([assent, *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench_http: assent {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def fresh_ledger(work):
    ledger = os.path.join(work, f"ledger-{uuid.uuid4().hex[:8]}")
    extra = []
    if database:
        schema = "b_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", "-q", database, "-c", f"CREATE SCHEMA {schema}"], check=True)
        extra = ["--database", database + ("&" if "?" in database else "?") + f"options=-csearch_path%3D{schema}"]
    run("init", "--ledger", ledger, *extra)
    return ledger


def start_server(ledger):
    server = subprocess.Popen([assent, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    if not line.startswith("listening on http://"):
        sys.exit(f"bench_http: the server did not start: {line!r}")
    host, port = line.strip().rsplit("/", 1)[1].split(":")
    return server, host, int(port)


def server_cpu(server):
    """The server's user and system CPU seconds so far (Linux), or None."""
    try:
        fields = open(f"/proc/{server.pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def cpu_note(before, after, samples):
    """Server CPU per sample between two `server_cpu` readings."""
    if before is None or after is None or samples == 0:
        return ""
    user, system = ((after[i] - before[i]) * 1e6 / samples for i in (0, 1))
    return f", server CPU {user + system:.0f} us/sample (user {user:.0f}, system {system:.0f})"


def post(connection, path, body, token, content_type="application/x-ndjson"):
    started = time.perf_counter()
    connection.request("POST", path, body=body, headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    response = connection.getresponse()
    data = response.read()
    if response.status not in (200, 201):
        raise RuntimeError(f"{path}: {response.status} {data[:200]!r}")
    return time.perf_counter() - started, json.loads(data)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


with tempfile.TemporaryDirectory() as work:
    pace = f"wrk for {seconds} s" if load == "wrk" else f"{requests_per_client} requests per client"
    print(f"HTTP ingest: requests of {lines_per_request} lines, {pace}" + (" (PostgreSQL)" if database else " (SQLite)"))
    for clients in clients_list:
        ledger = fresh_ledger(work)
        if prefill:
            started = time.perf_counter()
            manifest = os.path.join(work, "prefill.jsonl")
            with open(manifest, "w") as out:
                for index in range(prefill):
                    out.write(json.dumps({"text": f"prefill {uuid.uuid4().hex} {index}", "license": "MIT", "source": "bench"}) + "\n")
            run("ingest", manifest, "--ledger", ledger, "--quiet")
            print(f"       prefilled {prefill} samples in {time.perf_counter() - started:.1f} s")
        token = run("tokens", "create", "--ledger", ledger, "--role", "ingest").split()[0]
        server, host, port = start_server(ledger)
        if load == "wrk":
            environment = dict(os.environ, TOKEN=token, LINES=str(lines_per_request))
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_http_ingest.lua")
            cpu_before = server_cpu(server)
            result = subprocess.run(["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "-s", script,
                                     f"http://{host}:{port}"], capture_output=True, text=True, env=environment)
            summary = next((line for line in result.stdout.splitlines() if line.startswith("WRK ")), None)
            if summary is None:
                sys.exit(f"bench_http: wrk failed: {result.stdout}{result.stderr}")
            figures = dict(item.split("=") for item in summary.split()[1:])
            samples = (int(figures["requests"]) - int(figures["errors"])) * lines_per_request
            print(f"  {clients:>3} clients: {samples / float(figures['seconds']):8.0f} samples/s, p50 {float(figures['p50_ms']):6.1f} ms,"
                  f" p99 {float(figures['p99_ms']):6.1f} ms, {figures['errors']} failed (wrk, {seconds} s)"
                  + cpu_note(cpu_before, server_cpu(server), samples))
            server.terminate()
            server.wait()
            print("       " + run("log", "verify", "--ledger", ledger).strip().splitlines()[-1])
            continue
        latencies, failures = [], []

        def client(index):
            connection = http.client.HTTPConnection(host, port)
            for request in range(requests_per_client):
                body = "".join(json.dumps({"text": f"client {index} request {request} line {line}", "license": "MIT",
                                           "source": "bench"}) + "\n" for line in range(lines_per_request))
                try:
                    elapsed, _ = post(connection, "/v1/ingest", body.encode(), token)
                    latencies.append(elapsed)
                except Exception as error:  # noqa: BLE001: a failed request is reported, not fatal
                    failures.append(str(error))
            connection.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        cpu_before = server_cpu(server)
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        samples = len(latencies) * lines_per_request
        print(f"  {clients:>3} clients: {samples / elapsed:8.0f} samples/s, p50 {percentile(latencies, 0.5) * 1000:6.1f} ms,"
              f" p99 {percentile(latencies, 0.99) * 1000:6.1f} ms, {len(failures)} failed"
              + cpu_note(cpu_before, server_cpu(server), samples))
        server.terminate()
        server.wait()

    if "--skip-revocations" in sys.argv:
        sys.exit(0)
    # Revocations with a model to mark stale.
    ledger = fresh_ledger(work)
    token = run("tokens", "create", "--ledger", ledger, "--role", "admin").split()[0]
    manifest = os.path.join(work, "digits.jsonl")
    with open(os.path.join(os.path.dirname(__file__), "datasets/digits/digits-train.jsonl")) as source, open(manifest, "w") as out:
        for index, line in enumerate(source):
            if index >= 600:
                break
            fields = {"text": line.rstrip("\n"), "license": "CC-BY-4.0", "source": "digits"}
            if index < 50:
                run("consent", "grant", "--ledger", ledger, "--subject", f"s{index}", "--purpose", "ai-training", "--id", f"c{index}")
                fields.update(subject=f"s{index}", consent=f"c{index}")
            out.write(json.dumps(fields) + "\n")
    run("ingest", manifest, "--ledger", ledger, "--quiet")
    run("train", "--trainer", "naive-bayes", "--shards", "4", "--ledger", ledger, "--quiet")
    server, host, port = start_server(ledger)
    connection = http.client.HTTPConnection(host, port)
    # --revoke-under-load: the revocations go in while wrk ingests with the largest client count.
    background = None
    if under_load:
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_http_ingest.lua")
        background = subprocess.Popen(
            ["wrk", "-t2", f"-c{max(clients_list)}", "-d12s", "-s", script, f"http://{host}:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, TOKEN=token, LINES=str(lines_per_request)))
        time.sleep(2)
    timings, staled = [], 0
    for index in range(50):
        elapsed, answer = post(connection, "/v1/revocations", json.dumps({"subject": f"s{index}"}).encode(), token,
                               "application/json")
        timings.append(elapsed)
        staled += len(answer["stale_models"])
        if background:
            time.sleep(0.15)
    if background:
        background.wait()
    server.terminate()
    server.wait()
    load_note = f", while {max(clients_list)} clients ingest" if background else ""
    print(f"revocation to stale marking: p50 {percentile(timings, 0.5) * 1000:.1f} ms, p99 {percentile(timings, 0.99) * 1000:.1f} ms"
          f" ({staled} stale markings over 50 revocations{load_note})")
