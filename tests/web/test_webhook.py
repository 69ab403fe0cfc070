"""The webhook (skill/web/webhook.py) over HTTP: bad bodies, verification first, request types the
SDK does not know, and a failing skill: each a defined JSON answer, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from skill.alexa.builder import build_skill
from skill.web.app import create_app
from skill.web.verification import SkillIdVerifier
from tests.support.checks import assert_valid_response
from skill.tools.envelopes import envelope, launch_request


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/alexa", data=data, content_type=content_type)


def error_code(response) -> str:
    assert response.is_json, f"an error must be JSON, got {response.content_type}"
    return response.get_json()["error"]["code"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"", "application/json", 400, "empty_body"),
        (b"not json", "application/json", 400, "invalid_json"),
        (b"\xff\xfe", "application/json", 400, "invalid_json"),
        (b"[1, 2]", "application/json", 400, "not_an_envelope"),
        (b'{"version": "1.0"}', "application/json", 400, "not_an_envelope"),
        (b'{"request": {"type": 5}}', "application/json", 400, "not_an_envelope"),
        (b'{"request": {"type": "LaunchRequest"}, "session": 3}', "application/json", 400, "not_an_envelope"),
        (b'{"request": {"type": "LaunchRequest"}}', "text/plain", 415, "unsupported_media_type"),
    ],
    ids=["empty", "not-json", "not-utf8", "array", "no-request", "type-not-string", "session-not-object", "text-plain"],
)
def test_bad_bodies_get_json_errors(client, body, content_type, status, code):
    response = post(client, body, content_type)
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.data!r}"
    assert error_code(response) == code


def test_wrong_typed_fields_are_400_not_500(client):
    bad = envelope(launch_request())
    bad["request"]["timestamp"] = {"not": "a date"}
    bad["context"]["System"]["device"] = "a string"
    response = post(client, bad)
    assert response.status_code in (200, 400), f"malformed fields must not be a 5xx: {response.status_code}"


def test_a_failing_skill_is_a_spoken_apology_not_a_500(config, resources):
    class Broken:
        serializer = build_skill(config, resources).serializer

        def invoke(self, request_envelope, context):
            raise RuntimeError("boom")

    app = create_app(config, resources=resources, skill=Broken(), verifiers=())
    response = post(app.test_client(), envelope(launch_request()))
    assert response.status_code == 200
    body = response.get_json()
    assert_valid_response(body)
    assert "Sorry" in body["response"]["outputSpeech"]["ssml"]


# --- request types the SDK does not know (the official ask-sdk verifier tests' finding) --------------


def unknown_type_envelope() -> dict[str, Any]:
    request = launch_request()
    request["type"] = "Alexa.Something.NotInTheSdk"
    return envelope(request)


def test_an_unknown_request_type_gets_an_empty_200(client):
    response = client.post("/alexa", data=json.dumps(unknown_type_envelope()), content_type="application/json")
    assert response.status_code == 200, f"an unknown request type got {response.status_code}: {response.data!r}"
    body = response.get_json()
    assert body["version"] == "1.0" and body["response"] == {}, f"the answer must say nothing: {body}"


def test_an_unknown_request_type_is_still_verified_first(config, resources, skill):
    verifiers = [SkillIdVerifier("amzn1.ask.skill.some-other-skill")]
    client = create_app(config, resources=resources, skill=skill, verifiers=verifiers).test_client()
    response = client.post("/alexa", data=json.dumps(unknown_type_envelope()), content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "verification_failed"
