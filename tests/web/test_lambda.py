"""The AWS Lambda entry point: the same skill, invoked with the event dict."""

from __future__ import annotations

import pytest

from skill import lambda_handler
from tests.support.checks import assert_valid_response
from tests.support.envelopes import APPLICATION_ID, envelope, launch_request


@pytest.fixture(autouse=True)
def fresh_skill(monkeypatch):
    """Each test builds the cached skill from its own environment."""
    lambda_handler._skill.cache_clear()
    yield
    lambda_handler._skill.cache_clear()


def test_launch_event_gets_a_valid_response(monkeypatch):
    monkeypatch.delenv("SKILL_ID", raising=False)
    response = lambda_handler.handler(envelope(launch_request(), new=True), None)
    assert_valid_response(response)
    assert "not medical advice" in response["response"]["outputSpeech"]["ssml"]


def test_skill_id_is_checked_when_configured(monkeypatch):
    monkeypatch.setenv("SKILL_ID", APPLICATION_ID)
    assert_valid_response(lambda_handler.handler(envelope(launch_request()), None))
    with pytest.raises(ValueError, match="Request rejected"):
        lambda_handler.handler(envelope(launch_request(), application_id="amzn1.ask.skill.other"), None)


def test_a_non_envelope_event_is_refused_clearly():
    with pytest.raises(ValueError, match="not an Alexa request envelope"):
        lambda_handler.handler({"hello": "world"}, None)
