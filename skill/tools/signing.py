"""A throwaway certificate authority (tools layer) for request-verification tests and the bench.

Everything is made with ``cryptography`` at test time: a root CA, an intermediate CA and
leaves shaped like Amazon's request-signing certificate (SAN ``echo-api.amazon.com``).
Parameters make the broken variants (expired, wrong name, other issuer). Nothing touches
the network: :class:`FakeFetcher` serves chains from a dict.

RSA key generation is the slow part, so build one :class:`SigningPKI` per test session and
derive the certificates from it.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNING_DOMAIN = "echo-api.amazon.com"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


def new_key() -> rsa.RSAPrivateKey:
    """A fresh RSA 2048 key (the smallest size cryptography's path validation accepts)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Nose Twitch Guide Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def make_root(
    key: rsa.RSAPrivateKey, *, common_name: str = "Test Root CA", now: dt.datetime | None = None
) -> x509.Certificate:
    """A self-signed root CA certificate, valid for ten years around ``now``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=3650))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def make_intermediate(
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    *,
    common_name: str = "Test Intermediate CA",
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """An intermediate CA certificate signed by ``issuer``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1825))
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def make_leaf(
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    *,
    san: Sequence[str] | None = (SIGNING_DOMAIN,),
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    now: dt.datetime | None = None,
    eku: Sequence[x509.ObjectIdentifier] | None = (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),
) -> x509.Certificate:
    """A signing certificate like Amazon's; ``san=None`` / ``eku=None`` leave that extension out.

    By default it is valid from a day before ``now`` to a year after.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(san[0] if san else "no-san.test"))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def to_pem(*certificates: x509.Certificate) -> bytes:
    """The certificates as one PEM bundle, in the order given (leaf first for a chain)."""
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certificates)


def sign(body: bytes, key: rsa.RSAPrivateKey) -> str:
    """What Alexa puts in ``Signature-256``: base64 RSA PKCS#1 v1.5 / SHA-256 over the body."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


@dataclass
class SigningPKI:
    """Root -> intermediate -> leaf, plus an unrelated root for "untrusted" cases."""

    root_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    intermediate_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    leaf_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    other_key: rsa.RSAPrivateKey = field(default_factory=new_key)

    def __post_init__(self) -> None:
        self.root = make_root(self.root_key)
        self.intermediate = make_intermediate(self.intermediate_key, self.root, self.root_key)
        self.other_root = make_root(self.other_key, common_name="Untrusted Root CA")
        self.other_intermediate = make_intermediate(
            self.intermediate_key, self.other_root, self.other_key, common_name="Test Intermediate CA"
        )

    def leaf(
        self, *, untrusted: bool = False, key: rsa.RSAPrivateKey | None = None, **kwargs: object
    ) -> x509.Certificate:
        """A leaf for ``leaf_key`` (or ``key``) issued by the intermediate.

        ``untrusted=True`` issues it under an intermediate of the same name and key that
        chains to :attr:`other_root` instead of :attr:`root`.
        """
        issuer = self.other_intermediate if untrusted else self.intermediate
        return make_leaf(key or self.leaf_key, issuer, self.intermediate_key, **kwargs)  # type: ignore[arg-type]

    def chain_pem(self, leaf: x509.Certificate | None = None, *, untrusted: bool = False) -> bytes:
        """A PEM chain as Amazon serves it: leaf, then intermediate."""
        leaf = leaf or self.leaf(untrusted=untrusted)
        intermediate = self.other_intermediate if untrusted else self.intermediate
        return to_pem(leaf, intermediate)


class FakeFetcher:
    """Serves PEM chains from a dict ``url -> bytes`` and records every URL asked for.

    An unknown URL raises ``OSError`` like a failed download; a value that is an exception
    instance is raised instead of returned.
    """

    def __init__(self, chains: Mapping[str, bytes | BaseException] | None = None) -> None:
        self.chains: dict[str, bytes | BaseException] = dict(chains or {})
        self.calls: list[str] = []

    def fetch(self, url: str) -> bytes:
        self.calls.append(url)
        try:
            value = self.chains[url]
        except KeyError:
            raise OSError(f"no chain served at {url}") from None
        if isinstance(value, BaseException):
            raise value
        return value
