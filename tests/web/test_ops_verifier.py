"""The verifier findings from the official ask-sdk verifier tests, now matched.

* the timestamp tolerance is capped at 150 s: a larger one is refused when the verifier is built;
* the one-hour allowance is only for ask-sdk's five documented skill-event types;
* a chunked (no Content-Length) body over the limit gets 413, not 400;
* a request type the SDK does not know gets an empty 200 (once verified), not 400.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from skill.config import SkillConfig
from skill.web.app import create_app
from skill.web.verification import (
    REQUEST_TOLERANCE,
    SKILL_EVENT_TYPES,
    SkillIdVerifier,
    TimestampVerifier,
    VerificationError,
)
from tests.support.envelopes import envelope, launch_request

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
    return envelope(request)


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


# --- chunked bodies over the limit -----------------------------------------------------------


LIMIT = 2048


@pytest.fixture
def small_app(resources, skill):
    return create_app(SkillConfig(dev=True, max_body_bytes=LIMIT), resources=resources, skill=skill, verifiers=())


def chunked_call(wsgi, body: bytes) -> tuple[str, bytes]:
    """A POST as gunicorn passes a chunked one: no CONTENT_LENGTH, a stream it terminates."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/alexa",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
    }
    seen = []
    chunks = wsgi(environ, lambda status, headers, exc_info=None: seen.append(status))
    out = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return seen[0], out


@pytest.mark.parametrize("layer", ["fast lane", "flask route"])
def test_a_chunked_body_over_the_limit_is_413(small_app, layer):
    wsgi = small_app.wsgi_app if layer == "fast lane" else small_app.wsgi_app._next
    status, body = chunked_call(wsgi, b"{" + b" " * (LIMIT * 4) + b"}")
    assert status.startswith("413"), f"{layer}: a chunked body over the limit got {status}, not 413"
    assert json.loads(body)["error"]["code"] == "request_entity_too_large"


@pytest.mark.parametrize("layer", ["fast lane", "flask route"])
def test_a_chunked_body_within_the_limit_is_answered(small_app, layer):
    wsgi = small_app.wsgi_app if layer == "fast lane" else small_app.wsgi_app._next
    status, body = chunked_call(wsgi, json.dumps(envelope(launch_request(), new=True)).encode())
    assert status.startswith("200"), f"{layer}: a small chunked launch got {status}: {body[:200]!r}"
    assert json.loads(body)["response"]["outputSpeech"], "the launch is answered"


# --- request types the SDK does not know ----------------------------------------------------


def unknown_type_envelope() -> dict[str, Any]:
    request = launch_request()
    request["type"] = "Alexa.Something.NotInTheSdk"
    return envelope(request)


def test_an_unknown_request_type_gets_an_empty_200(config, resources, skill):
    client = create_app(config, resources=resources, skill=skill, verifiers=()).test_client()
    response = client.post("/alexa", data=json.dumps(unknown_type_envelope()), content_type="application/json")
    assert response.status_code == 200, f"an unknown request type got {response.status_code}: {response.data!r}"
    body = response.get_json()
    assert body["version"] == "1.0" and body["response"] == {}, f"the answer must say nothing: {body}"


def test_an_unknown_request_type_is_still_verified_first(config, resources, skill):
    verifiers = [SkillIdVerifier("amzn1.ask.skill.some-other-skill")]
    client = create_app(config, resources=resources, skill=skill, verifiers=verifiers).test_client()
    response = client.post("/alexa", data=json.dumps(unknown_type_envelope()), content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "verification_failed"
