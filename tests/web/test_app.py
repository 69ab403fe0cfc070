"""The webhook over HTTP (Flask test client): routing, bad input, error mapping, logs."""

from __future__ import annotations

import json
import logging

import pytest

from skill.config import SkillConfig
from skill.web.app import create_app
from tests.support.checks import assert_valid_response
from tests.support.envelopes import envelope, intent_request, launch_request, slot


@pytest.fixture
def client(config: SkillConfig, resources, skill):
    """The app with verification off: these tests are about everything after it."""
    app = create_app(config, resources=resources, skill=skill, verifiers=())
    return app.test_client()


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/alexa", data=data, content_type=content_type)


def error_code(response) -> str:
    assert response.is_json, f"an error must be JSON, got {response.content_type}"
    return response.get_json()["error"]["code"]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_launch_over_http_is_a_valid_alexa_response(client):
    response = post(client, envelope(launch_request(), new=True))
    assert response.status_code == 200, response.data
    assert_valid_response(response.get_json())


def test_wrong_method_is_405_json(client):
    response = client.get("/alexa")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


def test_unknown_path_is_404_json(client):
    response = client.post("/nowhere", data="{}", content_type="application/json")
    assert response.status_code == 404 and error_code(response) == "not_found"


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


def test_body_over_limit_is_413(resources, skill):
    app = create_app(SkillConfig(dev=True, max_body_bytes=1024), resources=resources, skill=skill, verifiers=())
    response = post(app.test_client(), b"{" + b" " * 2048 + b"}")
    assert response.status_code == 413 and error_code(response) == "request_entity_too_large"


def test_a_failing_skill_is_a_spoken_apology_not_a_500(config, resources):
    class Broken:
        serializer = __import__("skill.alexa.builder", fromlist=["x"]).build_skill(config, resources).serializer

        def invoke(self, request_envelope, context):
            raise RuntimeError("boom")

    app = create_app(config, resources=resources, skill=Broken(), verifiers=())
    response = post(app.test_client(), envelope(launch_request()))
    assert response.status_code == 200
    body = response.get_json()
    assert_valid_response(body)
    assert "Sorry" in body["response"]["outputSpeech"]["ssml"]


def test_access_log_has_no_user_data(client, caplog):
    request = intent_request("TriggerDetailIntent", slot("trigger", "espresso", id="caffeine"))
    with caplog.at_level(logging.INFO, logger="skill.access"):
        post(client, envelope(request, attributes={"secret": "PRIVATE-ANSWER"}))
    lines = [r.getMessage() for r in caplog.records if r.name == "skill.access"]
    assert lines, "each request writes an access log line"
    record = json.loads(lines[-1])
    assert record["type"] == "IntentRequest" and record["status"] == 200 and "latency_ms" in record
    assert record["intent"] == "TriggerDetailIntent" and record["request_id"].startswith("amzn1.echo-api.request.")
    for secret in ("TESTUSER", "TESTDEVICE", "TEST-TOKEN", "espresso", "PRIVATE-ANSWER"):
        assert secret not in lines[-1], f"the access log leaks {secret!r}: {lines[-1]}"
