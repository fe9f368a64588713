#!/usr/bin/env python3
"""An independent verifier for Assent provenance proof folders, using only `cryptography` and the
standard library (no Swift, no Assent code).

    python3 Tools/verify_proof.py PROOF_DIR MODEL_DIR [--trust trust.json] [--allow-stale]

Checks: the checkpoint's Ed25519 signed note (C2SP signed-note, key id from the vkey); every
entries/<seq>.entry against its c2sp.org/tlog-proof@v1 (RFC 9162 inclusion verification); the
OpenSSF model signature (ECDSA P-256 over the DSSE PAE, key hint, resources re-hashed from the model
folder, root digest); the signed snapshot, provenance and status statements and how they tie to the
logged entries; and the status (stale fails unless --allow-stale). Prints one line per step; exits 0
when every step passes against the keys of --trust, 3 when every step passes but no --trust was
given (the proof is only internally consistent: one forged on another ledger passes that too), 2
otherwise.
"""
import base64
import datetime
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Failure(Exception):
    pass


def read(folder, name):
    with open(os.path.join(folder, name), "rb") as handle:
        return handle.read()


def open_note(note, vkey):
    name, key_id_hex, key_b64 = vkey.strip().split("+", 2)
    raw = base64.b64decode(key_b64, validate=True)
    if raw[0] != 1 or len(raw) != 33:
        raise Failure("log.vkey is not an Ed25519 verifier key")
    key_id = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if key_id.hex() != key_id_hex:
        raise Failure("log.vkey key id does not match its key")
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    public = Ed25519PublicKey.from_public_bytes(raw[1:])
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            raise Failure("malformed signature line")
        signer, payload = line[2:].split(" ")
        blob = base64.b64decode(payload, validate=True)
        if signer == name and blob[:4] == key_id:
            public.verify(blob[4:], text.encode())
            return text
    raise Failure("the checkpoint has no signature by the log key")


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def pae(payload_type, body):
    return b"DSSEv1 %d %s %d " % (len(payload_type), payload_type.encode(), len(body)) + body


def open_envelope(data, key):
    envelope = json.loads(data)
    payload = base64.b64decode(envelope["payload"], validate=True)
    message = pae(envelope["payloadType"], payload)
    for signature in envelope["signatures"]:
        try:
            key.verify(base64.b64decode(signature["sig"], validate=True), message, ec.ECDSA(hashes.SHA256()))
            statement = json.loads(payload)
            if statement.get("_type") != "https://in-toto.io/Statement/v1":
                raise Failure("not an in-toto Statement v1")
            return statement
        except InvalidSignature:
            continue
    raise Failure("no signature verifies")


def model_files(folder, ignored):
    names = []
    for directory, _, files in os.walk(folder):
        for file in files:
            relative = os.path.relpath(os.path.join(directory, file), folder).replace(os.sep, "/")
            parts = relative.split("/")
            if any("/".join(parts[: i + 1]) in ignored for i in range(len(parts))):
                continue
            names.append(relative)
    return sorted(names, key=lambda name: [part.encode() for part in name.split("/")])


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    proof_dir, model_dir = arguments[0], arguments[1]
    allow_stale = "--allow-stale" in sys.argv
    trust = json.load(open(sys.argv[sys.argv.index("--trust") + 1])) if "--trust" in sys.argv else None
    passed = 0

    def ok(step, detail):
        nonlocal passed
        passed += 1
        print(f"ok    {step}: {detail}")

    step = "keys"
    try:
        vkey = read(proof_dir, "log.vkey").decode().strip()
        pem = read(proof_dir, "signing-key.pub.pem")
        if trust and (trust["log_key"] != vkey or trust["signing_key"].encode() != pem):
            raise Failure("the proof's keys are not the trusted ones")
        signing_key = serialization.load_pem_public_key(pem)
        ok(step, "pinned by the trust file" if trust else "taken from the proof")

        step = "checkpoint"
        checkpoint_text = read(proof_dir, "checkpoint").decode()
        body = open_note(checkpoint_text, vkey).split("\n")
        origin, size, root = body[0], int(body[1]), base64.b64decode(body[2], validate=True)
        if origin != vkey.split("+")[0]:
            raise Failure("the checkpoint origin is not the key's name")
        ok(step, f"{origin} at size {size}")

        step = "entries"
        entries = {}
        for name in sorted(os.listdir(os.path.join(proof_dir, "entries"))):
            if not name.endswith(".entry"):
                continue
            seq = int(name[:-6])
            data = read(proof_dir, "entries/" + name)
            head, _, note = read(proof_dir, f"entries/{seq}.tlog-proof").decode().partition("\n\n")
            lines = head.split("\n")
            if lines[0] != "c2sp.org/tlog-proof@v1" or note != checkpoint_text:
                raise Failure(f"entry {seq}: not a tlog-proof against the proof's checkpoint")
            at = 2 if lines[1].startswith("extra ") else 1
            if lines[at] != f"index {seq}":
                raise Failure(f"entry {seq}: the proof is for another index")
            hashes_ = [base64.b64decode(line, validate=True) for line in lines[at + 1:]]
            if not verify_inclusion(seq, size, hashlib.sha256(b"\x00" + data).digest(), hashes_, root):
                raise Failure(f"entry {seq}: the inclusion proof fails")
            entries[seq] = json.loads(data)
        ok(step, f"{len(entries)} entries included in the checkpoint's tree")

        step = "model-signature"
        bundle = json.loads(read(proof_dir, "model.sig"))
        if bundle["verificationMaterial"]["publicKey"].get("hint") not in (None, hashlib.sha256(pem).hexdigest()):
            raise Failure("key hint mismatch")
        statement = open_envelope(json.dumps(bundle["dsseEnvelope"]), signing_key)
        predicate = statement["predicate"]
        ignored = set(predicate["serialization"].get("ignore_paths", []))
        resources = {r["name"]: r["digest"] for r in predicate["resources"]}
        local = {name: hashlib.sha256(open(os.path.join(model_dir, name), "rb").read()).hexdigest() for name in model_files(model_dir, ignored)}
        if local != resources:
            raise Failure("the model folder's files differ from the signed resources")
        model_root = hashlib.sha256(b"".join(bytes.fromhex(local[name]) for name in model_files(model_dir, ignored))).hexdigest()
        if statement["subject"][0]["digest"]["sha256"] != model_root:
            raise Failure("the signed subject is not the folder's root digest")
        model_id = "sha256:" + model_root
        ok(step, f"{model_id}")

        step = "model-entry"
        model_entry = next((e for e in entries.values() if e["type"] == "model" and e["model"] == model_id), None)
        if model_entry is None:
            raise Failure("no proven model entry names the model")
        snapshot_entry = entries.get(int(model_entry["snapshot"][5:]))
        if not snapshot_entry or snapshot_entry["type"] != "snapshot" or snapshot_entry["root"] != model_entry["snapshot_root"]:
            raise Failure("the model's snapshot entry is missing or differs")
        ok(step, f"trained on {model_entry['snapshot']}")

        step = "snapshot-statement"
        snapshot = open_envelope(read(proof_dir, "snapshot.dsse.json"), signing_key)
        for key in ["base_height", "revocation_height", "as_of", "evaluated_at", "policy", "count", "root", "shards", "shard_roots"]:
            if snapshot["predicate"][key] != snapshot_entry[key]:
                raise Failure(f"{key} differs from the logged snapshot")
        ok(step, f"{snapshot_entry['count']} samples, root {snapshot_entry['root']}")

        step = "provenance"
        provenance = open_envelope(read(proof_dir, "provenance.dsse.json"), signing_key)
        digests = [d["digest"]["sha256"] for d in provenance["predicate"]["buildDefinition"]["resolvedDependencies"]]
        if provenance["subject"][0]["digest"]["sha256"] != model_root or snapshot_entry["root"][7:] not in digests or root.hex() not in digests:
            raise Failure("subject or resolvedDependencies do not match")
        ok(step, "SLSA Provenance v1, subject and dependencies match")

        step = "status"
        status = open_envelope(read(proof_dir, "status.dsse.json"), signing_key)["predicate"]
        now = datetime.datetime.now(datetime.timezone.utc)
        valid_until = parse_time(status["valid_until"])
        if status["model"] != model_id or status["checkpoint"]["size"] != size or valid_until < now:
            raise Failure("the attestation is for another model or checkpoint, or has expired")
        stale = [e for e in entries.values() if e["type"] == "stale" and e["model"] == model_id]
        if (status["status"] == "stale") != bool(stale):
            raise Failure("the attested status disagrees with the proven stale entries")
        if status["status"] == "stale" and not allow_stale:
            raise Failure(f"the model is stale; successor {status['successor']}")
        ok(step, status["status"] + (f", successor {status['successor']}" if status.get("successor") else ""))
    except (Failure, InvalidSignature, KeyError, ValueError, OSError) as error:
        print(f"FAIL  {step}: {error or type(error).__name__}")
        print(f"python-verifier: {passed} passed, 1 failed")
        return 2
    if trust is None:
        print("UNANCHORED: every step passed, but against the proof's own keys; pass --trust trust.json to know whose ledger it is")
        print(f"python-verifier: {passed} passed, 0 failed")
        return 3
    print(f"python-verifier: {passed} passed, 0 failed")
    return 0


def parse_time(text):
    """Parses YYYY-MM-DDTHH:MM:SSZ exactly, as the entries write it; anything else is a failure."""
    try:
        parsed = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        raise Failure(f"{text!r} is not a UTC time like 2026-01-01T00:00:00Z")
    if parsed.strftime("%Y-%m-%dT%H:%M:%SZ") != text:
        raise Failure(f"{text!r} is not a UTC time like 2026-01-01T00:00:00Z")
    return parsed


if __name__ == "__main__":
    sys.exit(main())
