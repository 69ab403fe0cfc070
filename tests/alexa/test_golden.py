"""Golden envelopes in Alexa's documented shape parse through the production deserializer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ask_sdk_model import IntentRequest, LaunchRequest, RequestEnvelope, SessionEndedRequest

from tests.support.client import invoke, speech
from tests.support.checks import assert_valid_response

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"


def load(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "request_type"),
    [("launch.json", LaunchRequest), ("intent_trigger.json", IntentRequest), ("session_ended_error.json", SessionEndedRequest)],
)
def test_golden_envelope_deserializes_to_sdk_types(skill, name, request_type):
    envelope = skill.serializer.deserialize(json.dumps(load(name)), RequestEnvelope)
    assert isinstance(envelope.request, request_type), f"{name} should parse as {request_type.__name__}"
    assert envelope.context.system.application.application_id.startswith("amzn1.ask.skill."), (
        f"{name}: the application id should survive deserialization"
    )


def test_golden_launch_answers_with_welcome_and_notice(skill):
    response, _ = invoke(skill, load("launch.json"))
    assert_valid_response(response)
    assert "not medical advice" in speech(response), "launch must say this is not medical advice"


def test_golden_trigger_intent_resolves_coffee_to_caffeine(skill):
    response, _ = invoke(skill, load("intent_trigger.json"))
    assert_valid_response(response)
    assert "caffeine" in speech(response).lower(), "coffee resolves to the caffeine entry"


def test_golden_session_ended_returns_empty_response_and_keeps_nothing(skill):
    response, _ = invoke(skill, load("session_ended_error.json"))
    assert_valid_response(response)
    assert "outputSpeech" not in response["response"], "nothing may be spoken after the session ended"
    assert not response.get("sessionAttributes"), "nothing is kept once the session has ended"
