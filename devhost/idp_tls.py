"""A self-signed certificate for devhost's https port.

MSAL refuses an identity provider that is not https, with no exemption for localhost, so
devhost can also listen with TLS (``python -m devhost run --https-port 7443``). The certificate
names ``localhost``, ``127.0.0.1`` and ``::1``; it is made with ``cryptography`` on first start
and kept in the state directory (``devhost-tls-cert.pem``, key mode 0600) so a browser or
``curl --cacert`` can trust it once. It is renewed when it has less than a day left.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERT_FILE = "devhost-tls-cert.pem"
KEY_FILE = "devhost-tls-key.pem"
VALID_DAYS = 30


def ensure_certificate(state_dir: Path, *, now: dt.datetime | None = None) -> tuple[Path, Path]:
    """The (certificate, key) files of ``state_dir``, made or renewed as needed."""
    state_dir.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = state_dir / CERT_FILE, state_dir / KEY_FILE
    moment = now or dt.datetime.now(dt.UTC)
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc - moment > dt.timedelta(days=1):
            return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OpenAlert devhost")])
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(minutes=5))
        .not_valid_after(moment + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context
