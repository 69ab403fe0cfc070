"""Alexa request verification (layer: web transport).

Amazon requires a skill hosted as a web service to check every request before acting on it:

* the ``SignatureCertChainUrl`` header points at Amazon's bucket (:class:`CertificateUrlPolicy`);
* the certificate chain found there is currently valid, names ``echo-api.amazon.com`` and
  leads to a trusted root; its leaf key signed the raw body (``Signature-256`` header,
  RSA PKCS#1 v1.5 with SHA-256) (:class:`SignatureVerifier`);
* the request timestamp is fresh (:class:`TimestampVerifier`);
* the request is meant for this skill (:class:`SkillIdVerifier`).

The SDK's own ``ask-sdk-webservice-support`` cannot be imported on OpenSSL 3.0.10+ (its
``oscrypto`` dependency cannot parse the version), so the chain is validated here with
``cryptography``'s own X.509 path validation instead. The verifiers keep the SDK's
``AbstractVerifier`` shape: ``verify(headers, body, envelope)`` returns ``None`` or raises
:class:`VerificationError`.

Nothing here touches the network or the file system at import time or in a constructor: the
trust store is read on first use and certificates are fetched on demand, then cached on the
verifier instance.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import http.client
import math
import pathlib
import posixpath
import re
import ssl
import threading
import time
import urllib.parse
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification as x509_verification

# Shared with the Lambda entry, which must not depend on this (web) module.
from skill.alexa.skill_id import AbstractVerifier, SkillIdVerifier, VerificationError

__all__ = [
    "AbstractVerifier",
    "CertificateCache",
    "CertificateFetcher",
    "CertificateUrlPolicy",
    "SignatureVerifier",
    "SkillIdVerifier",
    "TimestampVerifier",
    "VerificationError",
    "build_verifiers",
    "get_header",
    "load_trust_roots",
    "validate_cert_url",
]

#: Request header holding the URL of the signing certificate chain.
CERT_URL_HEADER = "SignatureCertChainUrl"
#: Request header holding the base64 RSA/SHA-256 signature of the body.
SIGNATURE_HEADER = "Signature-256"
#: The name Amazon's signing certificate must carry in its Subject Alternative Names.
SIGNING_CERT_DOMAIN = "echo-api.amazon.com"

#: How far a request timestamp may be from now, either way; also the largest tolerance allowed
#: (Amazon's documented limit, and ask-sdk's ``MAX_NORMAL_REQUEST_TOLERANCE_IN_MILLIS``).
REQUEST_TOLERANCE = dt.timedelta(seconds=150)
#: How old a skill event may be: Amazon may deliver them up to an hour late
#: (ask-sdk's ``MAX_SKILL_EVENT_TOLERANCE_IN_MILLIS``).
SKILL_EVENT_TOLERANCE = dt.timedelta(seconds=3600)
#: The request types that get the skill-event allowance: exactly ask-sdk-webservice-support's
#: ``ALEXA_SKILL_EVENT_LIST`` (verifier_constants.py). Any other ``AlexaSkillEvent.*`` type
#: gets the ordinary 150 s.
SKILL_EVENT_TYPES = frozenset(
    {
        "AlexaSkillEvent.SkillEnabled",
        "AlexaSkillEvent.SkillDisabled",
        "AlexaSkillEvent.SkillPermissionChanged",
        "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.SkillAccountLinked",
    }
)

DEFAULT_FETCH_TIMEOUT = 5.0
#: A real chain is a few kilobytes; refuse to buffer anything much larger.
MAX_CERT_CHAIN_BYTES = 256 * 1024
DEFAULT_CACHE_ENTRIES = 32
#: How long a URL whose chain could not be fetched or validated is refused without trying again:
#: long enough that a flood of requests naming it costs one download, short enough that a
#: passing network fault heals by itself.
FAILURE_MEMORY = dt.timedelta(seconds=30)
#: How many failed URLs are remembered (the least recently failed go first).
_REMEMBERED_FAILURES = 256
#: How many distinct certificate URLs a verifier remembers the policy's verdict for.
_REMEMBERED_URLS = 64

Clock = Callable[[], dt.datetime]

_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def utc_now() -> dt.datetime:
    """The default clock: the current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def _as_utc(moment: dt.datetime) -> dt.datetime:
    """A naive datetime is taken to be UTC (Alexa timestamps and X.509 dates are)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def get_header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name``, matched case-insensitively, or ``None``."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return candidate
    return None


# --- certificate URL --------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateUrlPolicy:
    """Amazon's rules for ``SignatureCertChainUrl``.

    Scheme and host compare case-insensitively; the path, once dot segments are removed,
    must start with ``/echo.api/`` (case-sensitive); a port, if given, must be 443. A query string
    or a fragment is refused: Amazon's URLs carry neither, and each variation would otherwise be a
    new URL to download and to cache.
    """

    scheme: str = "https"
    host: str = "s3.amazonaws.com"
    path_prefix: str = "/echo.api/"
    port: int = 443

    def validate(self, url: str) -> str:
        """Check ``url``; return the normalised URL to fetch the chain from.

        The normalised URL (dot segments removed) is what was checked, so it is also what gets
        fetched and cached: the fetch cannot reach a path other than the one that passed.

        :raises VerificationError: ``cert_url_invalid`` if any rule is broken
        """
        if not isinstance(url, str) or not url or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
            raise _bad_url("it is empty or contains whitespace or control characters")
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise _bad_url("it cannot be parsed") from exc
        if parts.scheme.lower() != self.scheme:
            raise _bad_url(f"its scheme is not {self.scheme}")
        if (parts.hostname or "").lower() != self.host:
            raise _bad_url(f"its host is not {self.host}")
        if parts.username is not None or parts.password is not None:
            raise _bad_url("it carries user information")
        if port is not None and port != self.port:
            raise _bad_url(f"its port is not {self.port}")
        if parts.query or parts.fragment or "?" in url or "#" in url:
            raise _bad_url("it carries a query string or a fragment")
        path = _normalise_path(parts.path)
        decoded = urllib.parse.unquote(parts.path)
        # Check the percent-decoded path too, so "%2e%2e" cannot climb out of the prefix
        # on a server that decodes before resolving.
        inside = path.startswith(self.path_prefix) and _normalise_path(decoded).startswith(self.path_prefix)
        if "\\" in decoded or not inside:
            raise _bad_url(f"its path does not start with {self.path_prefix}")
        return f"{self.scheme}://{self.host}{path}"


def _normalise_path(path: str) -> str:
    return posixpath.normpath(path) if path else ""


def _bad_url(why: str) -> VerificationError:
    return VerificationError("cert_url_invalid", f"The signature certificate URL was rejected: {why}.")


def validate_cert_url(url: str) -> None:
    """Check ``url`` against Amazon's rules (see :class:`CertificateUrlPolicy`)."""
    CertificateUrlPolicy().validate(url)


# --- fetching and caching ---------------------------------------------------------------


class SupportsFetch(Protocol):
    """Anything that returns the PEM chain found at a URL (the seam tests fake)."""

    def fetch(self, url: str) -> bytes: ...


def _build_opener(ssl_context: ssl.SSLContext | None) -> Any:
    """A urllib opener that follows no redirects: the chain must come from the URL that was
    checked, not from wherever it redirects. (urllib.request is imported here, when a real
    fetcher is built, not by every process that imports the verifiers.)"""
    import urllib.request

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            return None

    handlers: list[urllib.request.BaseHandler] = [NoRedirects()]
    if ssl_context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
    return urllib.request.build_opener(*handlers)


class CertificateFetcher:
    """Downloads a PEM certificate chain with urllib: a total deadline, a size cap, no redirects.

    ``timeout`` bounds the whole download (name lookup, connection, TLS, headers and body), not
    each socket operation: a server that trickles a byte now and then is cut off at the deadline.
    The download runs in a helper thread that the caller waits for at most ``timeout`` seconds;
    the thread itself stops reading at the same deadline, so it never outlives the request by
    more than one socket operation.
    """

    def __init__(
        self,
        timeout: float = DEFAULT_FETCH_TIMEOUT,
        max_bytes: int = MAX_CERT_CHAIN_BYTES,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a finite number of seconds above 0, got {timeout!r}")
        self._timeout = float(timeout)
        self._max_bytes = max_bytes
        self._opener = _build_opener(ssl_context)

    def fetch(self, url: str) -> bytes:
        """Return the body served at ``url``.

        :raises VerificationError: ``cert_fetch_failed`` on any network error, a download that
            does not finish within the timeout, or a non-200 answer; ``cert_chain_too_large``
            if the body exceeds the cap
        """
        deadline = time.monotonic() + self._timeout
        outcome: list[bytes | BaseException] = []
        worker = threading.Thread(
            target=self._download_into, args=(url, deadline, outcome), name="cert-fetch", daemon=True
        )
        worker.start()
        worker.join(self._timeout + 0.05)
        if not outcome:
            raise VerificationError(
                "cert_fetch_failed",
                f"The signing certificate chain could not be downloaded within {self._timeout:g} s.",
            )
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _download_into(self, url: str, deadline: float, outcome: list[bytes | BaseException]) -> None:
        try:
            outcome.append(self._download(url, deadline))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            outcome.append(exc)

    def _download(self, url: str, deadline: float) -> bytes:
        import urllib.error  # loaded already by the opener's urllib.request

        try:
            with self._opener.open(url, timeout=self._timeout) as response:
                status = getattr(response, "status", 200)
                if status != 200:
                    raise VerificationError(
                        "cert_fetch_failed", f"The signing certificate chain could not be downloaded (HTTP {status})."
                    )
                data = _read_until(response, deadline, self._max_bytes + 1)
        except VerificationError:
            raise
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response socket open
            raise VerificationError(
                "cert_fetch_failed", f"The signing certificate chain could not be downloaded (HTTP {exc.code})."
            ) from exc
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # URLError and socket timeouts are OSError subclasses.
            raise VerificationError(
                "cert_fetch_failed", "The signing certificate chain could not be downloaded."
            ) from exc
        if len(data) > self._max_bytes:
            raise VerificationError("cert_chain_too_large", "The signing certificate chain is implausibly large.")
        return data


def _read_until(response: Any, deadline: float, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``response``, read chunk by chunk, each read allowed only the time
    left before ``deadline`` (so a trickle of single bytes cannot stretch the download)."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise VerificationError("cert_fetch_failed", "The signing certificate chain took too long to download.")
        if sock is not None:
            sock.settimeout(remaining)
        chunk = response.read1(min(16 * 1024, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


class CertificateCache:
    """Validated signing certificates by URL: bounded (least recently used goes first),
    forgotten once any certificate of their chain expires, safe to share between threads."""

    def __init__(self, max_entries: int = DEFAULT_CACHE_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[x509.Certificate, dt.datetime]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def max_entries(self) -> int:
        return self._max_entries

    def get(self, url: str, now: dt.datetime) -> x509.Certificate | None:
        """The cached leaf for ``url`` if it is still valid at ``now``, else ``None``."""
        now = _as_utc(now)
        with self._lock:
            entry = self._entries.get(url)
            if entry is None:
                return None
            leaf, expires_at = entry
            if now > expires_at:
                del self._entries[url]
                return None
            self._entries.move_to_end(url)
            return leaf

    def put(self, url: str, leaf: x509.Certificate, expires_at: dt.datetime | None = None) -> None:
        """Remember ``leaf`` for ``url`` until ``expires_at`` (default: the leaf's own expiry)."""
        expiry = _as_utc(expires_at) if expires_at is not None else leaf.not_valid_after_utc
        with self._lock:
            self._entries[url] = (leaf, expiry)
            self._entries.move_to_end(url)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, url: object) -> bool:
        with self._lock:
            return url in self._entries


# --- trust store ------------------------------------------------------------------------


def _load_pem_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle that this cryptography version can parse.

    Blocks are parsed one by one so one odd root does not cost the whole bundle. Some
    long-standing public roots have non-positive serial numbers, which cryptography
    accepts with a deprecation warning; that is not this application's concern.
    """
    certificates = []
    # catch_warnings is process-wide; this runs once per verifier, under its store lock.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for block in _PEM_BLOCK.findall(data):
            try:
                certificates.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return certificates


def _default_trust_files() -> Iterable[pathlib.Path]:
    try:
        import certifi
    except ImportError:
        pass
    else:
        yield pathlib.Path(certifi.where())
        return
    paths = ssl.get_default_verify_paths()
    if paths.cafile:
        yield pathlib.Path(paths.cafile)
    elif paths.capath and pathlib.Path(paths.capath).is_dir():
        yield from sorted(p for p in pathlib.Path(paths.capath).iterdir() if p.is_file())


def load_trust_roots(path: pathlib.Path | None = None) -> list[x509.Certificate]:
    """Trusted roots from the PEM bundle at ``path``; without one, certifi's bundle if it is
    installed, else the system's default verify paths."""
    files = [pathlib.Path(path)] if path is not None else list(_default_trust_files())
    roots: list[x509.Certificate] = []
    for file in files:
        try:
            roots.extend(_load_pem_certificates(file.read_bytes()))
        except OSError:
            continue
    return roots


# --- verifiers --------------------------------------------------------------------------


def _signing_leaf_policy() -> x509_verification.ExtensionPolicy:
    """Web PKI defaults for the leaf, except Extended Key Usage.

    The server verifier would otherwise demand ``serverAuth``; Amazon's documented checks
    (dates, SAN, chain of trust) say nothing about the purpose of a request-signing
    certificate, so any EKU (or none) is accepted.
    """
    return x509_verification.ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.ExtendedKeyUsage, x509_verification.Criticality.AGNOSTIC, None
    )


class SignatureVerifier(AbstractVerifier):
    """Checks the request signature against Amazon's signing certificate chain.

    It is the one check that may go to the network, so the webhook runs it after the cheap ones
    (timestamp, skill id: :attr:`needs_network`). A URL whose chain could not be downloaded or
    validated is refused again, without a download, for :data:`FAILURE_MEMORY`.
    """

    #: The webhook runs verifiers that need the network last.
    needs_network = True

    def __init__(
        self,
        fetcher: SupportsFetch | None = None,
        trust_roots: Sequence[x509.Certificate] | None = None,
        clock: Clock = utc_now,
        cache: CertificateCache | None = None,
        *,
        trust_store: pathlib.Path | None = None,
        url_policy: CertificateUrlPolicy | None = None,
    ) -> None:
        """
        :param fetcher: downloads chains; defaults to a :class:`CertificateFetcher`
        :param trust_roots: the roots to trust; if ``None`` they are loaded on first use
            from ``trust_store`` (see :func:`load_trust_roots`)
        :param clock: returns the current time (timezone-aware)
        :param cache: where validated certificates are kept; a fresh one by default
        :param trust_store: PEM bundle of roots, used only when ``trust_roots`` is ``None``
        :param url_policy: rules for ``SignatureCertChainUrl``; Amazon's by default
        """
        self._fetcher: SupportsFetch = fetcher if fetcher is not None else CertificateFetcher()
        self._trust_roots = list(trust_roots) if trust_roots is not None else None
        self._trust_store_path = trust_store
        self._clock = clock
        self._cache = cache if cache is not None else CertificateCache()
        self._url_policy = url_policy if url_policy is not None else CertificateUrlPolicy()
        self._store: x509_verification.Store | None = None
        self._store_lock = threading.Lock()
        # Per URL, so a request does not redo them: the policy's verdict (the URL to fetch; a
        # rejected URL is never kept) and the leaf's RSA key. The leaf's and chain's dates are
        # still checked on every request (the certificate cache's ``get``). Both are bounded:
        # when full they start over.
        self._fetch_urls: dict[str, str] = {}
        self._leaf_keys: dict[str, tuple[x509.Certificate, rsa.RSAPublicKey]] = {}
        # URL -> (the failure, until when it is repeated without trying again).
        self._failures: OrderedDict[str, tuple[VerificationError, dt.datetime]] = OrderedDict()
        self._failures_lock = threading.Lock()

    @property
    def cache(self) -> CertificateCache:
        return self._cache

    def verify(self, headers: Mapping[str, str], body: bytes, envelope: Mapping[str, Any]) -> None:
        cert_url = get_header(headers, CERT_URL_HEADER)
        if cert_url is None or not cert_url.strip():
            raise VerificationError("cert_url_missing", f"The {CERT_URL_HEADER} header is missing.")
        encoded = get_header(headers, SIGNATURE_HEADER)
        if encoded is None or not encoded.strip():
            raise VerificationError("signature_missing", f"The {SIGNATURE_HEADER} header is missing or empty.")
        try:
            signature = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise VerificationError(
                "signature_malformed", f"The {SIGNATURE_HEADER} header is not valid base64."
            ) from exc
        if not signature:
            raise VerificationError("signature_malformed", f"The {SIGNATURE_HEADER} header decodes to nothing.")

        public_key = self._public_key(self._fetch_url(cert_url.strip()))
        try:
            public_key.verify(signature, bytes(body), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise VerificationError("signature_invalid", "The request signature does not match its body.") from exc

    def _fetch_url(self, cert_url: str) -> str:
        fetch_url = self._fetch_urls.get(cert_url)
        if fetch_url is None:
            fetch_url = self._url_policy.validate(cert_url)
            if len(self._fetch_urls) >= _REMEMBERED_URLS:
                self._fetch_urls.clear()
            self._fetch_urls[cert_url] = fetch_url
        return fetch_url

    def _public_key(self, url: str) -> rsa.RSAPublicKey:
        leaf = self._signing_certificate(url)
        known = self._leaf_keys.get(url)
        if known is not None and known[0] is leaf:
            return known[1]
        public_key = leaf.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise VerificationError("certificate_invalid", "The signing certificate does not hold an RSA key.")
        if len(self._leaf_keys) >= self._cache.max_entries:
            self._leaf_keys.clear()
        self._leaf_keys[url] = (leaf, public_key)
        return public_key

    def _now(self) -> dt.datetime:
        return _as_utc(self._clock())

    def _signing_certificate(self, url: str) -> x509.Certificate:
        now = self._now()
        cached = self._cache.get(url, now)
        if cached is not None:
            return cached
        remembered = self._remembered_failure(url, now)
        if remembered is not None:
            raise VerificationError(remembered.reason, str(remembered))
        try:
            leaf, verified = self._download_and_validate(url, now)
        except VerificationError as exc:
            self._remember_failure(url, exc, now)
            raise
        self._cache.put(url, leaf, min(cert.not_valid_after_utc for cert in verified))
        return leaf

    def _download_and_validate(self, url: str, now: dt.datetime) -> tuple[x509.Certificate, list[x509.Certificate]]:
        try:
            pem = self._fetcher.fetch(url)
        except VerificationError:
            raise
        except Exception as exc:  # an injected fetcher may raise anything; all of it means "deny"
            raise VerificationError(
                "cert_fetch_failed", "The signing certificate chain could not be downloaded."
            ) from exc
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except (TypeError, ValueError) as exc:
            raise VerificationError("certificate_invalid", "The signing certificate chain is not valid PEM.") from exc
        leaf, intermediates = chain[0], chain[1:]
        return leaf, self._validate_chain(leaf, intermediates, now)

    def _remembered_failure(self, url: str, now: dt.datetime) -> VerificationError | None:
        with self._failures_lock:
            entry = self._failures.get(url)
            if entry is None:
                return None
            if now >= entry[1]:
                del self._failures[url]
                return None
            return entry[0]

    def _remember_failure(self, url: str, error: VerificationError, now: dt.datetime) -> None:
        with self._failures_lock:
            self._failures[url] = (VerificationError(error.reason, str(error)), now + FAILURE_MEMORY)
            self._failures.move_to_end(url)
            while len(self._failures) > _REMEMBERED_FAILURES:
                self._failures.popitem(last=False)

    def _validate_chain(
        self, leaf: x509.Certificate, intermediates: list[x509.Certificate], now: dt.datetime
    ) -> list[x509.Certificate]:
        # Path validation below checks dates and the name too; these first checks only
        # give the common failures a precise reason.
        if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
            raise VerificationError("certificate_expired", "The signing certificate is expired or not yet valid.")
        try:
            names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound as exc:
            raise VerificationError(
                "certificate_san_mismatch", "The signing certificate has no Subject Alternative Names."
            ) from exc
        if SIGNING_CERT_DOMAIN not in {name.lower() for name in names.get_values_for_type(x509.DNSName)}:
            raise VerificationError(
                "certificate_san_mismatch", f"The signing certificate is not issued to {SIGNING_CERT_DOMAIN}."
            )
        verifier = (
            x509_verification.PolicyBuilder()
            .store(self._trust_store())
            .time(now)
            .extension_policies(
                ca_policy=x509_verification.ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=_signing_leaf_policy(),
            )
            .build_server_verifier(x509.DNSName(SIGNING_CERT_DOMAIN))
        )
        try:
            return verifier.verify(leaf, intermediates)
        except x509_verification.VerificationError as exc:
            raise VerificationError(
                "certificate_untrusted", "The signing certificate chain does not lead to a trusted root."
            ) from exc

    def _trust_store(self) -> x509_verification.Store:
        with self._store_lock:
            if self._store is None:
                roots = self._trust_roots if self._trust_roots is not None else load_trust_roots(self._trust_store_path)
                if not roots:
                    raise VerificationError("trust_store_unavailable", "No trusted root certificates could be loaded.")
                self._store = x509_verification.Store(roots)
            return self._store


def _parse_timestamp(raw: object) -> dt.datetime:
    if isinstance(raw, str) and raw.strip():
        try:
            return _as_utc(dt.datetime.fromisoformat(raw.strip()))
        except ValueError as exc:
            raise VerificationError("timestamp_malformed", "The request timestamp is not ISO 8601.") from exc
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # Some Alexa payloads have carried epoch milliseconds; ask-sdk for Node accepts them.
        try:
            return dt.datetime.fromtimestamp(raw / 1000, tz=dt.timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise VerificationError("timestamp_malformed", "The request timestamp is out of range.") from exc
    raise VerificationError("timestamp_missing", "The request has no timestamp.")


class TimestampVerifier(AbstractVerifier):
    """Rejects stale or future-dated requests (replay protection).

    A request may be at most ``tolerance`` (150 s) old or ahead of our clock. The skill events
    in :data:`SKILL_EVENT_TYPES` may be up to ``skill_event_tolerance`` (one hour) old, since
    Amazon can deliver them late; they get no extra allowance for being in the future.

    As in ask-sdk's ``TimestampVerifier``, 150 s is also the ceiling: a larger ``tolerance``
    (or a skill-event tolerance over an hour, or any negative one) is refused with a
    ``ValueError`` when the verifier is built, so no configuration can quietly widen the
    replay window.
    """

    def __init__(
        self,
        tolerance: dt.timedelta = REQUEST_TOLERANCE,
        skill_event_tolerance: dt.timedelta = SKILL_EVENT_TOLERANCE,
        clock: Clock = utc_now,
    ) -> None:
        if not dt.timedelta(0) <= tolerance <= REQUEST_TOLERANCE:
            raise ValueError(
                f"tolerance must be between 0 and {REQUEST_TOLERANCE.total_seconds():g} s, "
                f"got {tolerance.total_seconds():g} s"
            )
        if not dt.timedelta(0) <= skill_event_tolerance <= SKILL_EVENT_TOLERANCE:
            raise ValueError(
                f"skill_event_tolerance must be between 0 and {SKILL_EVENT_TOLERANCE.total_seconds():g} s, "
                f"got {skill_event_tolerance.total_seconds():g} s"
            )
        self._tolerance = tolerance
        self._skill_event_tolerance = skill_event_tolerance
        self._clock = clock

    def verify(self, headers: Mapping[str, str], body: bytes, envelope: Mapping[str, Any]) -> None:
        request = envelope.get("request") if isinstance(envelope, Mapping) else None
        if not isinstance(request, Mapping):
            raise VerificationError("request_missing", "The envelope has no request object.")
        timestamp = _parse_timestamp(request.get("timestamp"))
        request_type = request.get("type")
        is_skill_event = isinstance(request_type, str) and request_type in SKILL_EVENT_TYPES
        max_age = max(self._skill_event_tolerance, self._tolerance) if is_skill_event else self._tolerance
        age = _as_utc(self._clock()) - timestamp
        if age > max_age:
            raise VerificationError("timestamp_too_old", "The request timestamp is too old.")
        if -age > self._tolerance:
            raise VerificationError("timestamp_in_future", "The request timestamp is too far in the future.")


def build_verifiers(config: object) -> list[AbstractVerifier]:
    """The verifiers a :class:`skill.config.SkillConfig` asks for, in the order they run.

    The cheap checks come first: the timestamp and the skill id read only the body, so a stale or
    misaddressed request is refused before anything is downloaded. Signature and timestamp checks
    are on unless the config turns them off (``--dev``); the skill id check runs whenever a skill
    id is configured.
    """
    verifiers: list[AbstractVerifier] = []
    if getattr(config, "verify_timestamps", True):
        verifiers.append(TimestampVerifier())
    skill_id = getattr(config, "skill_id", None)
    if skill_id:
        verifiers.append(SkillIdVerifier(skill_id))
    if getattr(config, "verify_signatures", True):
        fetcher = CertificateFetcher(timeout=getattr(config, "cert_fetch_timeout", DEFAULT_FETCH_TIMEOUT))
        verifiers.append(SignatureVerifier(fetcher=fetcher, trust_store=getattr(config, "trust_store", None)))
    return verifiers
