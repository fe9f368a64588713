#!/usr/bin/env python3
"""`assent serve` over TLS, and its refusal of plain HTTP off this machine.

    python3 Tools/checks/serve_tls.py path/to/assent

A self-signed certificate for 127.0.0.1 (made here with `cryptography`) is served with --tls-cert and
--tls-key; a client that trusts it reads /healthz and /checkpoint over HTTPS, and a client that does
not is refused by its own TLS check. A non-loopback --listen without TLS exits with a usage error
naming --tls-cert and --insecure-http; unreadable TLS files are a clear error.
"""
import datetime
import ipaddress
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

assent = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/assent"
passed = failed = 0


def check(condition, what):
    global passed, failed
    passed, failed = (passed + 1, failed) if condition else (passed, failed + 1)
    if not condition:
        print("FAIL:", what)


with tempfile.TemporaryDirectory() as work:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    with open(cert_path, "wb") as handle:
        handle.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    ledger = os.path.join(work, "ledger")
    subprocess.run([assent, "init", "--ledger", ledger], check=True, capture_output=True)

    server = subprocess.Popen([assent, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0", "--tls-cert", cert_path,
                               "--tls-key", key_path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline().strip()
    check(line.startswith("listening on https://127.0.0.1:"), f"the TLS server's first line: {line!r}")
    url = line.removeprefix("listening on ")
    trusting = ssl.create_default_context(cafile=cert_path)
    with urllib.request.urlopen(url + "/healthz", context=trusting) as response:
        check(response.status == 200 and b'"status":"ok"' in response.read(), "GET /healthz over HTTPS")
    with urllib.request.urlopen(url + "/checkpoint", context=trusting) as response:
        check(response.read().startswith(b"assent.local/"), "GET /checkpoint over HTTPS")
    try:
        urllib.request.urlopen(url + "/healthz", context=ssl.create_default_context())
        check(False, "a client that does not trust the certificate connected")
    except urllib.error.URLError as error:
        check("CERTIFICATE_VERIFY_FAILED" in str(error), f"an untrusting client: {error}")
    server.terminate()
    check(server.wait(timeout=30) == 0, "the TLS server did not exit 0 on SIGTERM")

    plain = subprocess.run([assent, "serve", "--ledger", ledger, "--listen", "0.0.0.0:0"], capture_output=True, text=True, timeout=30)
    check(plain.returncode == 64 and "--tls-cert" in plain.stderr and "--insecure-http" in plain.stderr,
          f"plain HTTP off loopback: exit {plain.returncode}, {plain.stderr.strip()[:200]}")
    missing = subprocess.run([assent, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0", "--tls-cert", "nope.pem",
                              "--tls-key", key_path], capture_output=True, text=True, timeout=30)
    check(missing.returncode == 1 and "nope.pem" in missing.stderr, f"a missing certificate: {missing.stderr.strip()[:200]}")
print(f"serve-tls: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
