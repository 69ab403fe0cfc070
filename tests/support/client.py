"""Drive the real skill in-process with request JSON, and carry a conversation turn to turn."""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.alexa.context import InvocationContext
from tests.support import envelopes
from tests.support.checks import assert_valid_response


def invoke(skill: CustomSkill, envelope: dict[str, Any], *, log: dict[str, str] | None = None) -> dict[str, Any]:
    """Send an envelope through the SDK's own deserializer and the skill; return the response JSON."""
    request_envelope = skill.serializer.deserialize(json.dumps(envelope), RequestEnvelope)
    context = InvocationContext()
    response = skill.serializer.serialize(skill.invoke(request_envelope=request_envelope, context=context))
    if log is not None:
        log.update(context.log)
    # Round-trip through JSON so tests see exactly what goes over the wire.
    return json.loads(json.dumps(response))


def speech(response: dict[str, Any]) -> str:
    """The spoken text of a response, without SSML tags."""
    from tests.support.checks import ssml_text

    ssml = (response.get("response", {}).get("outputSpeech") or {}).get("ssml", "")
    return ssml_text(ssml) if ssml else ""


def reprompt(response: dict[str, Any]) -> str:
    from tests.support.checks import ssml_text

    ssml = (((response.get("response", {}).get("reprompt") or {}).get("outputSpeech")) or {}).get("ssml", "")
    return ssml_text(ssml) if ssml else ""


def ends_session(response: dict[str, Any]) -> bool:
    return response.get("response", {}).get("shouldEndSession") is True


class Conversation:
    """A multi-turn session: session attributes from each response go into the next request."""

    def __init__(self, skill: CustomSkill, locale: str = "en-US", interfaces: dict[str, Any] | None = None) -> None:
        self.skill, self.locale, self.interfaces = skill, locale, interfaces
        self.attributes: dict[str, Any] = {}
        self.new = True
        self.ended = False
        self.responses: list[dict[str, Any]] = []
        self.log: dict[str, str] = {}

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        envelope = envelopes.envelope(request, attributes=self.attributes, new=self.new, interfaces=self.interfaces)
        self.log = {}
        response = invoke(self.skill, envelope, log=self.log)
        assert_valid_response(response)
        self.new = False
        self.attributes = response.get("sessionAttributes") or {}
        self.ended = ends_session(response)
        self.responses.append(response)
        return response

    def launch(self) -> dict[str, Any]:
        return self.send(envelopes.launch_request(self.locale))

    def intent(self, name: str, *slots: dict[str, Any]) -> dict[str, Any]:
        return self.send(envelopes.intent_request(name, *slots, locale=self.locale))
