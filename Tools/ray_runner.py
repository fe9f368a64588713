#!/usr/bin/env python3
"""Runs Assent's shard jobs on a Ray cluster; `assent train --per-shard --runner ray` starts it.

Usage: ray_runner.py JOBS.json ADDRESS     run the jobs
       ray_runner.py --check ADDRESS       only check that ray imports and the cluster answers

JOBS.json is a list of jobs, each {"shard", "run", "input", "output", "log", "argv", "env", "timeout"}.
Each job's input folder travels to a worker as tar bytes through Ray's object store (no shared file
system is assumed); on the worker the job runs in a fresh folder, with exactly the environment `env`
(nothing of the worker's), and its output folder comes back as tar bytes, which are unpacked into
`output`. In `argv` (but its last element, the user's command) and in the values of `env`, the token
@ASSENT_WORK@ stands for the worker's job folder, which holds `input/` and `output/`.

Prints one JSON line per finished job on stdout, in the order they finish:
{"shard", "run", "status", "node", "error"}. Exit status: 0 when every job ran (whatever its status),
2 when the cluster cannot be reached or Ray is not installed (the reason on stderr).
"""
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile

TOKEN = "@ASSENT_WORK@"


def pack(folder):
    """A folder as tar bytes, entries in sorted order; only regular files and folders are taken."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for root, folders, files in os.walk(folder):
            folders.sort()
            for name in sorted(folders + files):
                path = os.path.join(root, name)
                relative = os.path.relpath(path, folder)
                if os.path.islink(path) or not (os.path.isfile(path) or os.path.isdir(path)):
                    raise ValueError(f"{relative} is not a regular file or folder")
                tar.add(path, arcname=relative, recursive=False)
    return buffer.getvalue()


def unpack(data, folder):
    """Unpacks tar bytes into `folder`, refusing links, devices and paths that leave it."""
    os.makedirs(folder, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()):
                raise ValueError(f"{member.name} is not a regular file or folder")
        tar.extractall(folder, filter="data")


def scratch_for(size):
    """Where a job folder for `size` bytes of input goes: /dev/shm when it has room for four times
    that (creating many small files there is far cheaper than on a disk), else the default."""
    try:
        stat = os.statvfs("/dev/shm")
        if stat.f_bavail * stat.f_frsize > 4 * size + (256 << 20):
            return "/dev/shm"
    except OSError:
        pass
    return None


def run_job(argv, env, timeout, data):
    """Runs one job in a fresh folder on this worker; returns (status, log tail, output tar, error)."""
    import ray

    node = ray.get_runtime_context().get_node_id()[:8]
    with tempfile.TemporaryDirectory(prefix="assent-shard-", dir=scratch_for(len(data))) as work:
        unpack(data, os.path.join(work, "input"))
        os.makedirs(os.path.join(work, "output"))
        argv = [part.replace(TOKEN, work) for part in argv[:-1]] + argv[-1:]
        env = {name: value.replace(TOKEN, work) for name, value in env.items()}
        if not os.path.exists(argv[0]):
            return None, "", b"", node, f"{argv[0]} is not on the worker"
        with open(os.path.join(work, "log"), "wb") as log:
            process = subprocess.Popen(argv, env=env, cwd=work, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            try:
                status = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                status = None
            finally:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        with open(os.path.join(work, "log"), "rb") as log:
            tail = log.read()[-16384:].decode("utf-8", "replace")
        if status is None:
            return None, tail, b"", node, f"ran past --timeout {timeout} s and was killed"
        try:
            output = pack(os.path.join(work, "output"))
        except ValueError as error:
            return status, tail, b"", node, f"its output holds {error}"
        return status, tail, output, node, None


def reachable(address):
    """Why `address` (HOST:PORT) cannot be reached, or None when a TCP connection opens."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=5):
            return None
    except (OSError, ValueError) as error:
        return str(error)


def main():
    address = sys.argv[2]
    try:
        import ray
    except ImportError:
        print(f"ray is not installed for {sys.executable} (pip install ray; or set ASSENT_PYTHON "
              "to a Python that has it)", file=sys.stderr)
        return 2
    if address != "auto":
        problem = reachable(address.removeprefix("ray://"))
        if problem:
            print(f"no Ray cluster at {address}: {problem}", file=sys.stderr)
            return 2
    if sys.argv[1] == "--check":
        return 0
    jobs = json.load(open(sys.argv[1]))
    try:
        ray.init(address=address, log_to_driver=False, logging_level="ERROR")
    except Exception as error:  # Ray raises ConnectionError, RuntimeError and others here
        print(f"cannot connect to the Ray cluster at {address}: {error}", file=sys.stderr)
        return 2
    remote = ray.remote(num_cpus=1, max_retries=0)(run_job)
    pending = {}
    for job in jobs:
        reference = remote.remote(job["argv"], job["env"], job.get("timeout"), ray.put(pack(job["input"])))
        pending[reference] = job
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        job = pending.pop(done[0])
        try:
            status, tail, output, node, error = ray.get(done[0])
        except Exception as failure:  # a worker that died, a task Ray could not run
            status, tail, output, node, error = None, "", b"", "", f"Ray could not run it: {failure}"
        with open(job["log"], "w") as log:
            log.write(tail)
        if status == 0 and error is None:
            unpack(output, job["output"])
        print(json.dumps({"shard": job["shard"], "run": job["run"], "status": status, "node": node,
                          "error": error}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
