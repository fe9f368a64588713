#!/usr/bin/env python3
"""A c2sp.org/tlog-witness peer for tests, built on tlog-scales (loopback only).

    python3 Tools/checks/witness_peer.py --log-vkey VKEY --state FILE [--name NAME] [--seed HEX]

Prints `listening on http://127.0.0.1:PORT` and its verifier key (`vkey <key>`) on stdout, then answers
POST /add-checkpoint as the specification says: 403 without a valid signature by the log's key, 400
for old > new, 409 with its own size when `old` differs from it, 422 when the consistency proof fails
(a fork), else 200 with a cosignature/v1 line, after persisting the new size and root atomically.
With --garbage it answers 200 with lines that are no cosignature, for testing the client.
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import struct
import sys
import threading
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from tlog_scales import signing, tlog

parser = argparse.ArgumentParser()
parser.add_argument("--log-vkey", required=True)
parser.add_argument("--state", required=True)
parser.add_argument("--name", default="witness.test")
parser.add_argument("--seed", default=None, help="32-byte Ed25519 seed in hex (default: random)")
parser.add_argument("--garbage", action="store_true", help="answer every push 200 with a line that is no cosignature")
options = parser.parse_args()

log_key = signing.Vkey.from_string(options.log_vkey)
private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(options.seed)) if options.seed else Ed25519PrivateKey.generate()
public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
key_id = hashlib.sha256(options.name.encode() + b"\n\x04" + public).digest()[:4]
encoded_key = base64.b64encode(b"\x04" + public).decode()
vkey = f"{options.name}+{key_id.hex()}+{encoded_key}"
lock = threading.Lock()


def load():
    try:
        with open(options.state) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {"size": 0, "root": base64.b64encode(hashlib.sha256(b"").digest()).decode()}


def save(state):
    temporary = options.state + ".tmp"
    with open(temporary, "w") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, options.state)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="text/plain; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path != "/add-checkpoint":
            return self.answer(404, "unknown path\n")
        if options.garbage:
            return self.answer(200, f"— {options.name} bm90IGEgY29zaWduYXR1cmU=\nhello\n")
        text = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        head, _, note = text.partition("\n\n")
        lines = head.split("\n")
        if not lines[0].startswith("old "):
            return self.answer(400, "the body starts with old N\n")
        old = int(lines[0][4:])
        proof = [base64.b64decode(line) for line in lines[1:] if line]
        try:
            checkpoint = tlog.Checkpoint.from_text(note)
            checkpoint.verify(log_key)
        except Exception as error:  # noqa: BLE001: any failure to verify is a 403
            return self.answer(403, f"no valid signature by the log's key: {error}\n")
        if checkpoint.origin != log_key.name:
            return self.answer(404, "unknown origin\n")
        if old > checkpoint.size:
            return self.answer(400, "old is past the checkpoint's size\n")
        with lock:
            state = load()
            if old != state["size"]:
                return self.answer(409, f"{state['size']}\n", "text/x.tlog.size")
            if old == 0 and proof:
                return self.answer(422, "a proof from size 0\n")
            try:
                tlog.ConsistencyProof(old, checkpoint.size, proof).check(base64.b64decode(state["root"]), checkpoint.root_hash)
            except Exception as error:  # noqa: BLE001: a failing proof is the evidence of a fork
                return self.answer(422, f"the checkpoint is not consistent with size {old}: {error}\n")
            save({"size": checkpoint.size, "root": base64.b64encode(checkpoint.root_hash).decode()})
        timestamp = int(time.time())
        message = f"cosignature/v1\ntime {timestamp}\n".encode() + checkpoint.serialize_body().encode()
        signature = key_id + struct.pack(">Q", timestamp) + private.sign(message)
        self.answer(200, f"— {options.name} {base64.b64encode(signature).decode()}\n")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
print(f"vkey {vkey}", flush=True)
server.serve_forever()
