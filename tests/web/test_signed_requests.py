"""The webhook with verification ON, as in production: only signed, fresh, own-skill requests get in."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from skill.config import SkillConfig
from skill.web.app import create_app
from skill.web.verification import SignatureVerifier, SkillIdVerifier, TimestampVerifier
from skill.tools.signing import CERT_URL, FakeFetcher, SigningPKI, sign
from tests.support.checks import assert_valid_response
from skill.tools.envelopes import APPLICATION_ID, envelope, launch_request


@pytest.fixture(scope="module")
def pki() -> SigningPKI:
    return SigningPKI()


@pytest.fixture
def production_client(pki, resources, skill):
    config = SkillConfig(skill_id=APPLICATION_ID)
    verifiers = [
        SignatureVerifier(fetcher=FakeFetcher({CERT_URL: pki.chain_pem()}), trust_roots=[pki.root]),
        TimestampVerifier(),
        SkillIdVerifier(APPLICATION_ID),
    ]
    return create_app(config, resources=resources, skill=skill, verifiers=verifiers).test_client()


def signed_post(client, pki, body: bytes, **header_overrides):
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature-256": sign(body, pki.leaf_key), **header_overrides}
    headers = {k: v for k, v in headers.items() if v is not None}
    return client.post("/alexa", data=body, content_type="application/json", headers=headers)


def test_signed_request_is_answered(production_client, pki):
    body = json.dumps(envelope(launch_request(), new=True)).encode()
    response = signed_post(production_client, pki, body)
    assert response.status_code == 200, response.data
    assert_valid_response(response.get_json())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Signature-256": None}, "missing signature"),
        ({"SignatureCertChainUrl": None}, "missing certificate URL"),
        ({"SignatureCertChainUrl": "http://s3.amazonaws.com/echo.api/echo-api-cert.pem"}, "http URL"),
        ({"Signature-256": "bm90IGEgc2lnbmF0dXJl"}, "bad signature"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_tampered_headers_are_400(production_client, pki, change, reason):
    body = json.dumps(envelope(launch_request())).encode()
    response = signed_post(production_client, pki, body, **change)
    assert response.status_code == 400, f"{reason}: expected 400, got {response.status_code}"
    assert response.get_json()["error"]["code"] == "verification_failed"


def test_body_changed_after_signing_is_400(production_client, pki):
    body = json.dumps(envelope(launch_request())).encode()
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature-256": sign(body, pki.leaf_key)}
    tampered = body.replace(b"LaunchRequest", b"LaunchRequest", 1) + b" "
    response = production_client.post("/alexa", data=tampered, content_type="application/json", headers=headers)
    assert response.status_code == 400


def test_stale_signed_request_is_400(production_client, pki):
    request = launch_request()
    request["timestamp"] = (datetime.now(timezone.utc) - timedelta(seconds=151)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = signed_post(production_client, pki, json.dumps(envelope(request)).encode())
    assert response.status_code == 400, "a request older than 150 s is a replay"


def test_other_skill_id_is_400_not_500(production_client, pki):
    body = json.dumps(envelope(launch_request(), application_id="amzn1.ask.skill.someone-else")).encode()
    response = signed_post(production_client, pki, body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "verification_failed"


def test_production_defaults_check_signatures(resources, skill):
    """Built from config alone (no seams), an unsigned request is refused."""
    app = create_app(SkillConfig(skill_id=APPLICATION_ID), resources=resources, skill=skill)
    response = app.test_client().post("/alexa", data=json.dumps(envelope(launch_request())), content_type="application/json")
    assert response.status_code == 400, "production mode must verify signatures by default"


def test_dev_mode_accepts_unsigned_and_says_so_in_the_log(resources, skill, caplog):
    app = create_app(SkillConfig(dev=True), resources=resources, skill=skill)
    with caplog.at_level("INFO", logger="skill.access"):
        response = app.test_client().post(
            "/alexa", data=json.dumps(envelope(launch_request())), content_type="application/json"
        )
    assert response.status_code == 200
    assert any('"verification": "OFF (dev mode)"' in r.getMessage() for r in caplog.records), (
        "every log line in dev mode must say verification is off"
    )
