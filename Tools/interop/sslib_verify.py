#!/usr/bin/env python3
"""Verifies a DSSE envelope (an Assent *.dsse.json, or the envelope inside a model.sig bundle) with
securesystemslib, which matches keys by keyid: the envelope's keyid is set to the key's own first."""
import json
import sys

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

document = json.load(open(sys.argv[1]))
envelope = document.get("dsseEnvelope", document)
key = SSlibKey.from_crypto(load_pem_public_key(open(sys.argv[2], "rb").read()))
envelope = dict(envelope, signatures=[{"keyid": key.keyid, "sig": s["sig"]} for s in envelope["signatures"]])
verified = Envelope.from_dict(envelope).verify([key], 1)
print("securesystemslib: DSSE envelope verified by", list(verified)[0][:16])
