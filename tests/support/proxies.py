"""Debian's nginx and Caddy for the proxy tests, and a self-signed certificate for them.

Like the chromium support: a fresh machine gets the packages with apt-get when the tests run as
root; in CI a missing proxy fails the run, elsewhere the test is skipped with the reason. The
packages' services are not started by the tests (the proxies run in the foreground, on a port of
their own, with their files in a temporary folder).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _apt_install(package: str) -> str:
    """Try to install a Debian package; the reason it failed, or "" on success."""
    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return f"{package} is not installed, and installing it needs root and apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command, timeout in (
        (["apt-get", "update"], 900),
        (["apt-get", "install", "-y", "--no-install-recommends", package], 1800),
    ):
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"{' '.join(command)} took more than {timeout} seconds"
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {(done.stderr or done.stdout).strip()[-800:]}"
    return ""


def find_or_install(binary: str, package: str) -> str:
    """The path of ``binary`` (``/usr/sbin`` included), installing ``package`` first if it is missing."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])
    path = shutil.which(binary, path=search)
    reason = "" if path else _apt_install(package)
    path = shutil.which(binary, path=search)
    if path:
        return path
    reason = reason or f"{binary} is still not on PATH after installing {package}"
    if os.environ.get("CI"):
        pytest.fail(f"the proxy tests cannot run in CI: {reason}")
    pytest.skip(reason)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, as PEM files in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path
