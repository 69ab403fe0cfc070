"""Request verification: signature chain, certificate URL, timestamp, skill id, cache.

Certificates come from a throwaway CA (skill/tools/signing.py); no test uses the network
except a loopback HTTP server for the real fetcher.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import pathlib
import socket
import threading
import time
import types
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from skill.web.verification import (
    FAILURE_MEMORY,
    REQUEST_TOLERANCE,
    SKILL_EVENT_TYPES,
    AbstractVerifier,
    CertificateCache,
    CertificateFetcher,
    CertificateUrlPolicy,
    SignatureVerifier,
    SkillIdVerifier,
    TimestampVerifier,
    VerificationError,
    build_verifiers,
    validate_cert_url,
)
from skill.config import SkillConfig
from skill.tools.signing import CERT_URL, FakeFetcher, SigningPKI, make_leaf, make_root, sign, to_pem
from skill.tools.envelopes import envelope as alexa_envelope
from skill.tools.envelopes import launch_request

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
OTHER_SKILL_ID = "amzn1.ask.skill.99999999-9999-9999-9999-999999999999"


# --- helpers ----------------------------------------------------------------------------


class FakeClock:
    """A clock tests can move."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_envelope(
    *,
    timestamp: Any = None,
    request_type: str = "LaunchRequest",
    context_app_id: str | None = SKILL_ID,
    session_app_id: str | None = SKILL_ID,
) -> dict[str, Any]:
    """A minimal Alexa request envelope with the fields verification reads."""
    envelope: dict[str, Any] = {
        "version": "1.0",
        "context": {"System": {"device": {"deviceId": "amzn1.ask.device.test"}}},
        "request": {
            "type": request_type,
            "requestId": "amzn1.echo-api.request.test",
            "timestamp": timestamp if timestamp is not None else iso(dt.datetime.now(dt.timezone.utc)),
            "locale": "en-US",
        },
    }
    if context_app_id is not None:
        envelope["context"]["System"]["application"] = {"applicationId": context_app_id}
    if session_app_id is not None:
        envelope["session"] = {"new": True, "sessionId": "s", "application": {"applicationId": session_app_id}}
    return envelope


def signed_request(
    pki: SigningPKI, envelope: Mapping[str, Any] | None = None, *, key: Any = None, url: str = CERT_URL
) -> tuple[dict[str, str], bytes, Mapping[str, Any]]:
    """Headers, raw body and parsed envelope as Alexa would send them."""
    envelope = envelope if envelope is not None else make_envelope()
    body = json.dumps(envelope).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "SignatureCertChainUrl": url,
        "Signature-256": sign(body, key or pki.leaf_key),
    }
    return headers, body, envelope


def expect_rejected(
    verifier: AbstractVerifier,
    request: tuple[Mapping[str, str], bytes, Mapping[str, Any]],
    reason: str,
    what: str,
) -> VerificationError:
    headers, body, envelope = request
    try:
        verifier.verify(headers, body, envelope)
    except VerificationError as error:
        assert error.reason == reason, f"{what}: rejected for {error.reason!r} ({error}), expected {reason!r}"
        assert str(error), f"{what}: the error has no human-readable message"
        return error
    except Exception as error:  # noqa: BLE001 - the point is to say which exception leaked
        pytest.fail(f"{what}: raised {type(error).__name__} instead of VerificationError: {error}")
    pytest.fail(f"{what}: the request was accepted")


def expect_accepted(
    verifier: AbstractVerifier, request: tuple[Mapping[str, str], bytes, Mapping[str, Any]], what: str
) -> None:
    headers, body, envelope = request
    try:
        verifier.verify(headers, body, envelope)
    except VerificationError as error:
        pytest.fail(f"{what}: rejected for {error.reason!r}: {error}")


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pki() -> SigningPKI:
    """Four RSA keys and the CA certificates, made once for the whole run."""
    return SigningPKI()


@pytest.fixture(scope="session")
def good_chain(pki: SigningPKI) -> bytes:
    return pki.chain_pem()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetcher(good_chain: bytes) -> FakeFetcher:
    return FakeFetcher({CERT_URL: good_chain})


@pytest.fixture
def verifier(pki: SigningPKI, fetcher: FakeFetcher, clock: FakeClock) -> SignatureVerifier:
    return SignatureVerifier(fetcher=fetcher, trust_roots=[pki.root], clock=clock)


def verifier_serving(pki: SigningPKI, chain: bytes, clock: FakeClock | None = None) -> SignatureVerifier:
    return SignatureVerifier(fetcher=FakeFetcher({CERT_URL: chain}), trust_roots=[pki.root], clock=clock or FakeClock())


# --- signature ----------------------------------------------------------------------------


def test_valid_request_is_accepted(pki: SigningPKI, verifier: SignatureVerifier, fetcher: FakeFetcher) -> None:
    expect_accepted(verifier, signed_request(pki), "a correctly signed request with a valid chain")
    assert fetcher.calls == [CERT_URL], f"the chain should be fetched once from the header URL, got {fetcher.calls}"


def test_header_names_are_matched_case_insensitively(pki: SigningPKI, verifier: SignatureVerifier) -> None:
    headers, body, envelope = signed_request(pki)
    lowered = {name.lower(): value for name, value in headers.items()}
    expect_accepted(verifier, (lowered, body, envelope), "headers sent in lower case")


def test_empty_signature_is_rejected(pki: SigningPKI, verifier: SignatureVerifier) -> None:
    headers, body, envelope = signed_request(pki)
    headers["Signature-256"] = ""
    expect_rejected(verifier, (headers, body, envelope), "signature_missing", "an empty Signature-256 header")


def test_missing_signature_header_is_rejected(pki: SigningPKI, verifier: SignatureVerifier) -> None:
    headers, body, envelope = signed_request(pki)
    del headers["Signature-256"]
    expect_rejected(verifier, (headers, body, envelope), "signature_missing", "no Signature-256 header")


def test_sha1_signature_header_alone_is_not_enough(pki: SigningPKI, verifier: SignatureVerifier) -> None:
    headers, body, envelope = signed_request(pki)
    headers["Signature"] = headers.pop("Signature-256")
    expect_rejected(verifier, (headers, body, envelope), "signature_missing", "only the legacy Signature header")


def test_signature_that_is_not_base64_is_rejected(pki: SigningPKI, verifier: SignatureVerifier) -> None:
    headers, body, envelope = signed_request(pki)
    headers["Signature-256"] = "not base64 at all!"
    expect_rejected(verifier, (headers, body, envelope), "signature_malformed", "a Signature-256 that is not base64")


def test_missing_cert_url_is_rejected(pki: SigningPKI, verifier: SignatureVerifier, fetcher: FakeFetcher) -> None:
    headers, body, envelope = signed_request(pki)
    del headers["SignatureCertChainUrl"]
    expect_rejected(verifier, (headers, body, envelope), "cert_url_missing", "no SignatureCertChainUrl header")
    assert fetcher.calls == [], "nothing should be fetched without a certificate URL"


def test_certificate_for_another_key_is_rejected(pki: SigningPKI) -> None:
    # A valid, trusted chain whose leaf holds a different key than the one that signed.
    wrong_leaf = pki.leaf(key=pki.other_key)
    verifier = verifier_serving(pki, pki.chain_pem(wrong_leaf))
    what = "a body signed by a key the certificate does not hold"
    expect_rejected(verifier, signed_request(pki), "signature_invalid", what)


def test_invalid_signature_is_rejected(pki: SigningPKI, verifier: SignatureVerifier) -> None:
    headers, body, envelope = signed_request(pki)
    headers["Signature-256"] = sign(b"some other body", pki.leaf_key)
    expect_rejected(verifier, (headers, body, envelope), "signature_invalid", "a signature over different bytes")


def test_tampered_body_is_rejected(pki: SigningPKI, verifier: SignatureVerifier) -> None:
    headers, body, envelope = signed_request(pki)
    tampered = body.replace(b"LaunchRequest", b"IntentRequest")
    assert tampered != body, "test setup: the body should have changed"
    expect_rejected(verifier, (headers, tampered, envelope), "signature_invalid", "a body changed after signing")


def test_error_message_does_not_echo_the_signature(pki: SigningPKI, verifier: SignatureVerifier) -> None:
    headers, body, envelope = signed_request(pki)
    headers["Signature-256"] = sign(b"other", pki.leaf_key)
    error = expect_rejected(verifier, (headers, body, envelope), "signature_invalid", "a wrong signature")
    assert headers["Signature-256"] not in str(error), "the error message must not repeat the signature"


# --- certificate URL --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem", "http scheme"),
        ("https://notamazon.com/echo.api/echo-api-cert-test.pem", "wrong host"),
        ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert-test.pem", "host with a suffix"),
        ("https://s3.amazonaws.com/ECHO.API/echo-api-cert-test.pem", "/ECHO.API/ path (path is case-sensitive)"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert-test.pem", "path outside /echo.api/"),
        ("https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert-test.pem", ".. traversal out of /echo.api/"),
        ("https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/cert.pem", "percent-encoded .. traversal"),
        ("https://s3.amazonaws.com/echo.api", "no file under /echo.api/"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert-test.pem", "port 563"),
        ("https://s3.amazonaws.com:notaport/echo.api/echo-api-cert-test.pem", "a port that is not a number"),
        ("https://user@s3.amazonaws.com/echo.api/echo-api-cert-test.pem", "user information in the URL"),
        ("s3.amazonaws.com/echo.api/echo-api-cert-test.pem", "no scheme at all"),
        ("https://s3.amazonaws.com/%65cho.api/echo-api-cert-test.pem", "percent-encoded prefix"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem?x=1", "a query string"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem?", "an empty query string"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem#frag", "a fragment"),
    ],
    ids=[
        "http-scheme", "wrong-host", "host-suffix", "upper-case-path", "other-path", "dotdot-out",
        "encoded-dotdot-out", "no-file", "port-563", "bad-port", "userinfo", "no-scheme",
        "encoded-prefix", "query", "empty-query", "fragment",
    ],
)
def test_bad_certificate_url_is_rejected_before_fetching(
    pki: SigningPKI, verifier: SignatureVerifier, fetcher: FakeFetcher, url: str, what: str
) -> None:
    expect_rejected(verifier, signed_request(pki, url=url), "cert_url_invalid", what)
    assert fetcher.calls == [], f"{what}: a rejected URL must never be fetched, fetched {fetcher.calls}"


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("https://s3.amazonaws.com:443/echo.api/echo-api-cert-test.pem", "explicit port 443"),
        ("https://S3.AMAZONAWS.COM/echo.api/echo-api-cert-test.pem", "host in upper case"),
        ("HTTPS://s3.amazonaws.com/echo.api/echo-api-cert-test.pem", "scheme in upper case"),
        ("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert-test.pem", ".. that stays inside /echo.api/"),
    ],
    ids=["port-443", "upper-host", "upper-scheme", "dotdot-inside"],
)
def test_equivalent_certificate_url_is_accepted_and_normalised(
    pki: SigningPKI, verifier: SignatureVerifier, fetcher: FakeFetcher, url: str, what: str
) -> None:
    expect_accepted(verifier, signed_request(pki, url=url), what)
    assert fetcher.calls == [CERT_URL], f"{what}: should fetch the normalised URL {CERT_URL}, fetched {fetcher.calls}"


def test_url_policy_returns_the_normalised_url() -> None:
    got = CertificateUrlPolicy().validate("HTTPS://S3.AmazonAWS.com:443/echo.api/./x/../cert.pem")
    assert got == "https://s3.amazonaws.com/echo.api/cert.pem", f"normalised URL was {got!r}"


def test_validate_cert_url_function_raises_verification_error() -> None:
    validate_cert_url(CERT_URL)
    with pytest.raises(VerificationError) as info:
        validate_cert_url("https://s3.amazonaws.com/echo.api/../etc/passwd")
    assert info.value.reason == "cert_url_invalid", f"reason was {info.value.reason!r}"


# --- certificate chain ------------------------------------------------------------------


def test_expired_leaf_is_rejected(pki: SigningPKI, clock: FakeClock) -> None:
    leaf = pki.leaf(not_before=clock.now - dt.timedelta(days=30), not_after=clock.now - dt.timedelta(seconds=1))
    verifier = verifier_serving(pki, pki.chain_pem(leaf), clock)
    expect_rejected(verifier, signed_request(pki), "certificate_expired", "a leaf that expired a second ago")


def test_not_yet_valid_leaf_is_rejected(pki: SigningPKI, clock: FakeClock) -> None:
    leaf = pki.leaf(not_before=clock.now + dt.timedelta(hours=1), not_after=clock.now + dt.timedelta(days=30))
    verifier = verifier_serving(pki, pki.chain_pem(leaf), clock)
    expect_rejected(verifier, signed_request(pki), "certificate_expired", "a leaf valid only from next hour")


def test_wrong_san_is_rejected(pki: SigningPKI) -> None:
    leaf = pki.leaf(san=("echo-api.amazon.com.evil.example", "example.com"))
    verifier = verifier_serving(pki, pki.chain_pem(leaf))
    what = "a leaf not issued to echo-api.amazon.com"
    expect_rejected(verifier, signed_request(pki), "certificate_san_mismatch", what)


def test_missing_san_is_rejected(pki: SigningPKI) -> None:
    verifier = verifier_serving(pki, pki.chain_pem(pki.leaf(san=None)))
    expect_rejected(verifier, signed_request(pki), "certificate_san_mismatch", "a leaf with no SAN extension")


def test_signing_leaf_needs_no_server_auth_usage(pki: SigningPKI) -> None:
    # Amazon documents dates, SAN and chain of trust, nothing about key purposes; a
    # signing certificate without TLS serverAuth must not be refused for that.
    leaf = pki.leaf(eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    verifier = verifier_serving(pki, pki.chain_pem(leaf))
    expect_accepted(verifier, signed_request(pki), "a trusted signing leaf whose EKU lacks serverAuth")


def test_untrusted_root_is_rejected(pki: SigningPKI) -> None:
    verifier = verifier_serving(pki, pki.chain_pem(untrusted=True))
    expect_rejected(verifier, signed_request(pki), "certificate_untrusted", "a chain ending at a root we do not trust")


def test_chain_without_its_intermediate_is_rejected(pki: SigningPKI) -> None:
    verifier = verifier_serving(pki, pki.leaf().public_bytes(serialization.Encoding.PEM))
    expect_rejected(verifier, signed_request(pki), "certificate_untrusted", "a leaf served without the intermediate")


def test_self_signed_leaf_is_rejected(pki: SigningPKI) -> None:
    fake_issuer = make_root(pki.leaf_key, common_name="echo-api.amazon.com")
    leaf = make_leaf(pki.leaf_key, fake_issuer, pki.leaf_key)
    verifier = verifier_serving(pki, to_pem(leaf, fake_issuer))
    expect_rejected(verifier, signed_request(pki), "certificate_untrusted", "a leaf issued by a self-made CA")


def test_garbage_chain_is_rejected(pki: SigningPKI) -> None:
    verifier = verifier_serving(pki, b"<html>Access Denied</html>")
    expect_rejected(verifier, signed_request(pki), "certificate_invalid", "a chain URL that serves no PEM")


def test_trust_store_is_loaded_lazily_from_a_pem_file(pki: SigningPKI, good_chain: bytes, tmp_path: Any) -> None:
    bundle = tmp_path / "roots.pem"
    verifier = SignatureVerifier(fetcher=FakeFetcher({CERT_URL: good_chain}), trust_store=bundle)
    # The file does not exist yet: constructing the verifier must not have read it.
    bundle.write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    expect_accepted(verifier, signed_request(pki), "a root loaded from the configured PEM bundle on first use")


def test_missing_trust_store_denies_instead_of_crashing(pki: SigningPKI, good_chain: bytes, tmp_path: Any) -> None:
    verifier = SignatureVerifier(fetcher=FakeFetcher({CERT_URL: good_chain}), trust_store=tmp_path / "absent.pem")
    expect_rejected(verifier, signed_request(pki), "trust_store_unavailable", "a trust store file that does not exist")


# --- fetching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [TimeoutError("timed out"), OSError("connection refused"), RuntimeError("fetcher bug")],
    ids=["timeout", "oserror", "unexpected"],
)
def test_fetch_failure_becomes_verification_error(pki: SigningPKI, failure: BaseException) -> None:
    verifier = SignatureVerifier(fetcher=FakeFetcher({CERT_URL: failure}), trust_roots=[pki.root], clock=FakeClock())
    error = expect_rejected(verifier, signed_request(pki), "cert_fetch_failed", f"a fetcher raising {failure!r}")
    assert error.__cause__ is failure, "the original fetch error should be chained for the logs"


class _ChainHandler(http.server.BaseHTTPRequestHandler):
    chain = b""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/chain.pem":
            self.send_response(200)
            self.send_header("Content-Length", str(len(self.chain)))
            self.end_headers()
            self.wfile.write(self.chain)
        elif self.path == "/moved.pem":
            self.send_response(302)
            self.send_header("Location", "/chain.pem")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence test output
        pass


@pytest.fixture
def loopback_server(good_chain: bytes) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the test chain; yields its base URL."""
    handler = type("Handler", (_ChainHandler,), {"chain": good_chain})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_real_fetcher_downloads_the_chain(loopback_server: str, good_chain: bytes) -> None:
    got = CertificateFetcher(timeout=5).fetch(f"{loopback_server}/chain.pem")
    assert got == good_chain, "the fetcher should return the served bytes unchanged"


@pytest.mark.parametrize(("path", "what"), [("/missing.pem", "a 404"), ("/moved.pem", "a redirect")])
def test_real_fetcher_refuses_errors_and_redirects(loopback_server: str, path: str, what: str) -> None:
    with pytest.raises(VerificationError) as info:
        CertificateFetcher(timeout=5).fetch(f"{loopback_server}{path}")
    assert info.value.reason == "cert_fetch_failed", f"{what}: reason was {info.value.reason!r}"


def test_real_fetcher_refuses_oversized_chain(loopback_server: str) -> None:
    with pytest.raises(VerificationError) as info:
        CertificateFetcher(timeout=5, max_bytes=100).fetch(f"{loopback_server}/chain.pem")
    assert info.value.reason == "cert_chain_too_large", f"reason was {info.value.reason!r}"


def test_real_fetcher_timeout_becomes_verification_error() -> None:
    # A listening socket that never answers: the connection is accepted by the kernel,
    # the HTTP response never comes.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/chain.pem"
        started = time.monotonic()
        with pytest.raises(VerificationError) as info:
            CertificateFetcher(timeout=0.3).fetch(url)
        elapsed = time.monotonic() - started
    assert info.value.reason == "cert_fetch_failed", f"a timeout gave reason {info.value.reason!r}"
    assert elapsed < 5, f"the fetch should give up after its timeout, took {elapsed:.1f}s"


def test_real_fetcher_connection_refused_becomes_verification_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(VerificationError) as info:
        CertificateFetcher(timeout=2).fetch(f"http://127.0.0.1:{port}/chain.pem")
    assert info.value.reason == "cert_fetch_failed", f"a refused connection gave reason {info.value.reason!r}"


# --- cache ------------------------------------------------------------------------------


def test_second_verify_uses_the_cache(pki: SigningPKI, verifier: SignatureVerifier, fetcher: FakeFetcher) -> None:
    expect_accepted(verifier, signed_request(pki), "first request")
    expect_accepted(verifier, signed_request(pki, make_envelope(request_type="IntentRequest")), "second request")
    assert fetcher.calls == [CERT_URL], f"the chain should be fetched once and then cached, fetched {fetcher.calls}"


def test_a_failed_chain_is_refused_again_briefly_then_retried(pki: SigningPKI) -> None:
    fetcher = FakeFetcher({CERT_URL: pki.chain_pem(untrusted=True)})
    clock = FakeClock()
    verifier = SignatureVerifier(fetcher=fetcher, trust_roots=[pki.root], clock=clock)
    expect_rejected(verifier, signed_request(pki), "certificate_untrusted", "first try")
    expect_rejected(verifier, signed_request(pki), "certificate_untrusted", "second try, remembered")
    assert len(fetcher.calls) == 1, "a failed URL is refused again without a download for a while"
    assert len(verifier.cache) == 0, "a failure never enters the certificate cache"
    clock.now += FAILURE_MEMORY + dt.timedelta(seconds=1)
    expect_rejected(verifier, signed_request(pki), "certificate_untrusted", "after the failure memory")
    assert len(fetcher.calls) == 2, "once the failure is forgotten the chain is fetched again"


def test_a_failed_download_is_remembered_per_url_and_a_good_chain_still_works(pki: SigningPKI) -> None:
    fetcher = FakeFetcher({CERT_URL: pki.chain_pem()})
    verifier = SignatureVerifier(fetcher=fetcher, trust_roots=[pki.root], clock=FakeClock())
    missing = "https://s3.amazonaws.com/echo.api/missing.pem"
    for _ in range(50):
        expect_rejected(verifier, signed_request(pki, url=missing), "cert_fetch_failed", "a URL that answers 404")
    assert fetcher.calls == [missing], f"50 requests for a failing URL: one download, got {len(fetcher.calls)}"
    expect_accepted(verifier, signed_request(pki), "the real chain, after the failures")


def test_expired_cached_certificate_is_refetched(pki: SigningPKI, clock: FakeClock) -> None:
    short_lived = pki.leaf(not_before=clock.now - dt.timedelta(days=1), not_after=clock.now + dt.timedelta(hours=1))
    fetcher = FakeFetcher({CERT_URL: pki.chain_pem(short_lived)})
    verifier = SignatureVerifier(fetcher=fetcher, trust_roots=[pki.root], clock=clock)
    expect_accepted(verifier, signed_request(pki), "request while the first leaf is valid")

    # Amazon rotates the certificate behind the same URL; the cached one expires.
    fetcher.chains[CERT_URL] = pki.chain_pem(pki.leaf(now=clock.now + dt.timedelta(hours=2)))
    clock.advance(hours=2)
    envelope = make_envelope(timestamp=iso(clock.now))
    expect_accepted(verifier, signed_request(pki, envelope), "request after the cached leaf expired")
    assert fetcher.calls == [CERT_URL, CERT_URL], f"the expired certificate should be refetched: {fetcher.calls}"


class CountingPolicy(CertificateUrlPolicy):
    """Amazon's URL policy, counting how often it is asked."""

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "calls", [])

    def validate(self, url: str) -> str:
        self.calls.append(url)  # type: ignore[attr-defined]
        return super().validate(url)


def test_the_url_verdict_is_remembered_but_a_rejected_url_never_is(pki: SigningPKI, fetcher: FakeFetcher) -> None:
    policy = CountingPolicy()
    verifier = SignatureVerifier(fetcher=fetcher, trust_roots=[pki.root], clock=FakeClock(), url_policy=policy)
    for n in range(3):
        expect_accepted(verifier, signed_request(pki), f"request {n}")
    assert policy.calls == [CERT_URL], f"the URL should be checked once, then remembered: {policy.calls}"
    bad = "http://s3.amazonaws.com/echo.api/echo-api-cert.pem"
    for n in range(2):
        expect_rejected(verifier, signed_request(pki, url=bad), "cert_url_invalid", f"bad URL, try {n}")
    assert policy.calls.count(bad) == 2, "a rejected URL must be checked again every time, never remembered"


def test_an_expired_leaf_is_rejected_although_its_key_was_remembered(pki: SigningPKI, clock: FakeClock) -> None:
    short_lived = pki.leaf(not_before=clock.now - dt.timedelta(days=1), not_after=clock.now + dt.timedelta(hours=1))
    fetcher = FakeFetcher({CERT_URL: pki.chain_pem(short_lived)})
    verifier = SignatureVerifier(fetcher=fetcher, trust_roots=[pki.root], clock=clock)
    expect_accepted(verifier, signed_request(pki), "request while the leaf is valid")
    clock.advance(hours=2)
    envelope = make_envelope(timestamp=iso(clock.now))
    expect_rejected(verifier, signed_request(pki, envelope), "certificate_expired", "request after the leaf expired")


def test_a_rotated_certificate_brings_its_own_key(pki: SigningPKI, clock: FakeClock) -> None:
    short_lived = pki.leaf(not_before=clock.now - dt.timedelta(days=1), not_after=clock.now + dt.timedelta(hours=1))
    fetcher = FakeFetcher({CERT_URL: pki.chain_pem(short_lived)})
    verifier = SignatureVerifier(fetcher=fetcher, trust_roots=[pki.root], clock=clock)
    expect_accepted(verifier, signed_request(pki), "request under the first leaf")
    # Amazon rotates to a leaf with another key behind the same URL.
    fetcher.chains[CERT_URL] = pki.chain_pem(pki.leaf(key=pki.other_key, now=clock.now + dt.timedelta(hours=2)))
    clock.advance(hours=2)
    envelope = make_envelope(timestamp=iso(clock.now))
    expect_accepted(verifier, signed_request(pki, envelope, key=pki.other_key), "request under the new leaf")
    expect_rejected(verifier, signed_request(pki, envelope), "signature_invalid", "request signed by the old key")


def test_cache_is_bounded(pki: SigningPKI, good_chain: bytes) -> None:
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in range(3)]
    fetcher = FakeFetcher({url: good_chain for url in urls})
    cache = CertificateCache(max_entries=2)
    verifier = SignatureVerifier(fetcher=fetcher, trust_roots=[pki.root], clock=FakeClock(), cache=cache)
    for url in urls:
        expect_accepted(verifier, signed_request(pki, url=url), f"request signed under {url}")
    assert len(cache) == 2, f"the cache should hold at most 2 entries, holds {len(cache)}"
    assert urls[0] not in cache, "the least recently used entry should have been evicted"
    expect_accepted(verifier, signed_request(pki, url=urls[0]), "request for the evicted URL")
    assert fetcher.calls.count(urls[0]) == 2, "an evicted entry should be fetched again"


def test_cache_forgets_expired_entries_and_honours_leaf_expiry(pki: SigningPKI) -> None:
    cache = CertificateCache(max_entries=4)
    leaf = pki.leaf()
    cache.put("u", leaf)
    assert cache.get("u", leaf.not_valid_after_utc) is leaf, "a leaf is valid up to and including not_valid_after"
    assert cache.get("u", leaf.not_valid_after_utc + dt.timedelta(seconds=1)) is None, "expired entry was returned"
    assert len(cache) == 0, "an expired entry should be dropped when found"


def test_cache_is_safe_under_concurrent_use(pki: SigningPKI) -> None:
    cache = CertificateCache(max_entries=8)
    leaf = pki.leaf()
    now = dt.datetime.now(dt.timezone.utc)
    errors: list[BaseException] = []

    def hammer(worker: int) -> None:
        try:
            for n in range(300):
                cache.put(f"{worker}-{n % 20}", leaf)
                cache.get(f"{(worker + 1) % 4}-{n % 20}", now)
                len(cache)
        except BaseException as error:  # noqa: BLE001 - collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=hammer, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, f"concurrent cache use raised {errors[:1]}"
    assert len(cache) <= 8, f"the bound was exceeded under concurrency: {len(cache)} entries"


def test_cache_rejects_a_zero_bound() -> None:
    with pytest.raises(ValueError):
        CertificateCache(max_entries=0)


# --- timestamp --------------------------------------------------------------------------


def timestamp_request(
    clock: FakeClock, seconds_ago: float, request_type: str = "LaunchRequest"
) -> tuple[dict[str, str], bytes, dict[str, Any]]:
    envelope = make_envelope(timestamp=iso(clock.now - dt.timedelta(seconds=seconds_ago)), request_type=request_type)
    return {}, b"", envelope


@pytest.mark.parametrize(
    ("seconds_ago", "reason", "what"),
    [(151, "timestamp_too_old", "151 s old"), (-151, "timestamp_in_future", "151 s in the future")],
    ids=["151s-old", "151s-future"],
)
def test_timestamp_outside_tolerance_is_rejected(clock: FakeClock, seconds_ago: float, reason: str, what: str) -> None:
    expect_rejected(TimestampVerifier(clock=clock), timestamp_request(clock, seconds_ago), reason, what)


@pytest.mark.parametrize("seconds_ago", [149, -149, 0], ids=["149s-old", "149s-future", "now"])
def test_timestamp_inside_tolerance_is_accepted(clock: FakeClock, seconds_ago: float) -> None:
    expect_accepted(TimestampVerifier(clock=clock), timestamp_request(clock, seconds_ago), f"{seconds_ago} s old")


def test_skill_event_thirty_minutes_old_is_accepted(clock: FakeClock) -> None:
    request = timestamp_request(clock, 30 * 60, "AlexaSkillEvent.SkillDisabled")
    expect_accepted(TimestampVerifier(clock=clock), request, "a skill event delivered 30 minutes late")


def test_skill_event_over_an_hour_old_is_rejected(clock: FakeClock) -> None:
    request = timestamp_request(clock, 3601, "AlexaSkillEvent.SkillDisabled")
    expect_rejected(TimestampVerifier(clock=clock), request, "timestamp_too_old", "a skill event 3601 s old")


def test_ordinary_request_thirty_minutes_old_is_rejected(clock: FakeClock) -> None:
    request = timestamp_request(clock, 30 * 60, "IntentRequest")
    expect_rejected(TimestampVerifier(clock=clock), request, "timestamp_too_old", "an IntentRequest 30 minutes old")


def test_timestamp_with_milliseconds_is_parsed(clock: FakeClock) -> None:
    moment = clock.now - dt.timedelta(seconds=3)
    envelope = make_envelope(timestamp=moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")
    expect_accepted(TimestampVerifier(clock=clock), ({}, b"", envelope), "an ISO timestamp with milliseconds")


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [("", "timestamp_missing"), ("yesterday", "timestamp_malformed"), (None, "timestamp_missing")],
    ids=["empty", "garbage", "absent"],
)
def test_missing_or_malformed_timestamp_is_rejected(clock: FakeClock, timestamp: Any, reason: str) -> None:
    envelope = make_envelope()
    if timestamp is None:
        del envelope["request"]["timestamp"]
    else:
        envelope["request"]["timestamp"] = timestamp
    expect_rejected(TimestampVerifier(clock=clock), ({}, b"", envelope), reason, f"timestamp {timestamp!r}")


def test_envelope_without_request_is_rejected(clock: FakeClock) -> None:
    request = ({}, b"", {"version": "1.0"})
    expect_rejected(TimestampVerifier(clock=clock), request, "request_missing", "no request object")


# --- skill id ---------------------------------------------------------------------------


def test_matching_skill_id_is_accepted() -> None:
    expect_accepted(SkillIdVerifier(SKILL_ID), ({}, b"", make_envelope()), "our own skill id")


def test_wrong_skill_id_is_rejected() -> None:
    envelope = make_envelope(context_app_id=OTHER_SKILL_ID, session_app_id=OTHER_SKILL_ID)
    expect_rejected(SkillIdVerifier(SKILL_ID), ({}, b"", envelope), "skill_id_mismatch", "another skill's id")


def test_context_skill_id_wins_over_session() -> None:
    envelope = make_envelope(context_app_id=OTHER_SKILL_ID, session_app_id=SKILL_ID)
    expect_rejected(SkillIdVerifier(SKILL_ID), ({}, b"", envelope), "skill_id_mismatch", "a session id masking context")


def test_session_skill_id_is_the_fallback() -> None:
    envelope = make_envelope(context_app_id=None, session_app_id=SKILL_ID)
    expect_accepted(SkillIdVerifier(SKILL_ID), ({}, b"", envelope), "only session.application.applicationId set")


def test_missing_application_id_is_rejected() -> None:
    envelope = make_envelope(context_app_id=None, session_app_id=None)
    expect_rejected(SkillIdVerifier(SKILL_ID), ({}, b"", envelope), "skill_id_missing", "no application id anywhere")


def test_skill_id_verifier_needs_an_id() -> None:
    with pytest.raises(ValueError):
        SkillIdVerifier("")


# --- build_verifiers --------------------------------------------------------------------


def config(**overrides: Any) -> types.SimpleNamespace:
    values = {
        "skill_id": SKILL_ID,
        "verify_signatures": True,
        "verify_timestamps": True,
        "cert_fetch_timeout": 2.0,
        "trust_store": None,
    }
    values.update(overrides)
    return types.SimpleNamespace(**values)


def test_build_verifiers_production_order() -> None:
    kinds = [type(v) for v in build_verifiers(config())]
    assert kinds == [TimestampVerifier, SkillIdVerifier, SignatureVerifier], (
        f"the cheap checks run before the one that downloads: {kinds}"
    )


def test_build_verifiers_dev_mode_keeps_only_skill_id() -> None:
    kinds = [type(v) for v in build_verifiers(config(verify_signatures=False, verify_timestamps=False))]
    assert kinds == [SkillIdVerifier], f"--dev verifiers were {kinds}"


def test_build_verifiers_without_skill_id_skips_that_check() -> None:
    kinds = [type(v) for v in build_verifiers(config(skill_id=None))]
    assert kinds == [TimestampVerifier, SignatureVerifier], f"verifiers without a skill id were {kinds}"


def test_build_verifiers_defaults_to_verifying_when_fields_are_absent() -> None:
    kinds = [type(v) for v in build_verifiers(types.SimpleNamespace())]
    assert kinds == [TimestampVerifier, SignatureVerifier], f"a config without the fields gave {kinds}"


def test_build_verifiers_does_no_io(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    touched: list[str] = []
    read_bytes, connect = pathlib.Path.read_bytes, socket.create_connection
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda self: touched.append(f"read {self}") or read_bytes(self))
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: touched.append("connect") or connect(*a, **k))
    verifiers = build_verifiers(config(trust_store=tmp_path / "does-not-exist.pem"))
    assert [type(v) for v in verifiers] == [TimestampVerifier, SkillIdVerifier, SignatureVerifier]
    assert touched == [], f"building the verifiers touched {touched}: the trust store and the chain wait for a request"


def test_build_verifiers_reads_the_real_skill_config() -> None:
    production = SkillConfig(skill_id=SKILL_ID)
    for name in ("skill_id", "verify_signatures", "verify_timestamps", "cert_fetch_timeout", "trust_store"):
        assert hasattr(production, name), f"SkillConfig has no {name!r}, which build_verifiers reads"
    kinds = [type(v) for v in build_verifiers(production)]
    assert kinds == [TimestampVerifier, SkillIdVerifier, SignatureVerifier], f"SkillConfig production gave {kinds}"
    dev_kinds = [type(v) for v in build_verifiers(SkillConfig(skill_id=SKILL_ID, dev=True))]
    assert dev_kinds == [SkillIdVerifier], f"SkillConfig(dev=True) gave {dev_kinds}"


# --- the official ask-sdk verifier tests' findings, now matched: the 150 s cap, and the one-hour
# allowance only for the SDK's five documented skill-event types ------------------------------------

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)

#: ask-sdk-webservice-support's ALEXA_SKILL_EVENT_LIST (verifier_constants.py), copied by hand.
SDK_SKILL_EVENTS = (
    "AlexaSkillEvent.SkillEnabled",
    "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.SkillPermissionChanged",
    "AlexaSkillEvent.SkillPermissionAccepted",
    "AlexaSkillEvent.SkillAccountLinked",
)


def aged(request_type: str, seconds_old: float) -> dict[str, Any]:
    request = launch_request()
    request["type"] = request_type
    request["timestamp"] = (NOW - dt.timedelta(seconds=seconds_old)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return alexa_envelope(request)


def reason(verifier: TimestampVerifier, data: dict[str, Any]) -> str | None:
    try:
        verifier.verify({}, b"", data)
    except VerificationError as error:
        return error.reason
    return None


# --- the 150 s cap ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"tolerance": dt.timedelta(seconds=151)}, "a tolerance of 151 s"),
        ({"tolerance": dt.timedelta(hours=1)}, "a tolerance of an hour"),
        ({"tolerance": dt.timedelta(seconds=-1)}, "a negative tolerance"),
        ({"skill_event_tolerance": dt.timedelta(seconds=3601)}, "a skill-event tolerance over an hour"),
    ],
)
def test_a_tolerance_past_the_cap_is_refused(kwargs, what):
    with pytest.raises(ValueError, match="tolerance"):
        TimestampVerifier(**kwargs)
        pytest.fail(f"{what} was accepted; the SDK caps it at 150 s (an hour for skill events)")


def test_the_cap_itself_and_less_are_allowed_and_applied():
    at_cap = TimestampVerifier(tolerance=REQUEST_TOLERANCE, clock=lambda: NOW)
    assert reason(at_cap, aged("LaunchRequest", 150)) is None, "150 s old is within the cap"
    strict = TimestampVerifier(tolerance=dt.timedelta(seconds=30), clock=lambda: NOW)
    assert reason(strict, aged("LaunchRequest", 31)) == "timestamp_too_old", "a tighter tolerance is honoured"


# --- the one-hour allowance ---------------------------------------------------------------


def test_the_allowance_list_is_the_sdks():
    assert SKILL_EVENT_TYPES == frozenset(SDK_SKILL_EVENTS)


@pytest.mark.parametrize("request_type", SDK_SKILL_EVENTS)
def test_documented_skill_events_get_an_hour(request_type):
    verifier = TimestampVerifier(clock=lambda: NOW)
    assert reason(verifier, aged(request_type, 30 * 60)) is None, f"{request_type} 30 min late must pass"
    assert reason(verifier, aged(request_type, 3601)) == "timestamp_too_old", f"{request_type} over an hour late"


@pytest.mark.parametrize(
    "request_type",
    [
        "AlexaSkillEvent.ProactiveSubscriptionChanged",
        "AlexaSkillEvent.NotificationSubscriptionChanged",
        "AlexaSkillEvent.SomethingNew",
        "IntentRequest",
    ],
)
def test_other_types_get_150_seconds_only(request_type):
    verifier = TimestampVerifier(clock=lambda: NOW)
    assert reason(verifier, aged(request_type, 149)) is None
    assert reason(verifier, aged(request_type, 30 * 60)) == "timestamp_too_old", (
        f"{request_type} is not on the SDK's list and must not get the one-hour allowance"
    )
