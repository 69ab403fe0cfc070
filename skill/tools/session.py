"""One way to drive the skill in process (tools layer): a request envelope in, the response JSON and
the access-log fields out, a conversation carried turn to turn, and what a response says as text.

Used by ``nose-twitch chat``, the certification self-check, the blind NLU measure, the test suite
(tests/support) and the bench, so that every one of them sees exactly what goes over the wire: the
envelope goes through the SDK's own deserializer, the skill, the SDK's serializer and JSON.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.alexa.context import InvocationContext
from skill.tools import envelopes

_TAG = re.compile(r"<[^>]+>")

#: Called with each response of a :class:`Conversation` and its log fields (e.g. a test's check).
ResponseCheck = Callable[[dict[str, Any], Mapping[str, str]], None]


def invoke(skill: CustomSkill, envelope: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The response JSON (round-tripped through JSON: what goes over the wire) and the access-log
    fields for one request envelope."""
    request_envelope = skill.serializer.deserialize(json.dumps(envelope), RequestEnvelope)
    context = InvocationContext()
    response = skill.serializer.serialize(skill.invoke(request_envelope=request_envelope, context=context))
    return json.loads(json.dumps(response)), dict(context.log)


def parse_ssml(ssml: str) -> tuple[str | None, str | None]:
    """(the text inside an SSML document, None) or (None, why it is not well-formed SSML)."""
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as exc:
        return None, f"SSML is not well-formed ({exc})"
    if root.tag != "speak":
        return None, "SSML is not wrapped in <speak>"
    return " ".join("".join(root.itertext()).split()), None


def spoken_text(ssml: str) -> str:
    """What an SSML string says, as plain text (tags dropped, whitespace folded); a string that is
    not well-formed XML is read with its tags stripped rather than lost."""
    try:
        text = "".join(ET.fromstring(ssml).itertext())
    except ET.ParseError:
        text = html.unescape(_TAG.sub(" ", ssml))
    return " ".join(text.split())


def speech_ssml(response: Mapping[str, Any]) -> str:
    """The outputSpeech SSML of a response JSON ("" when it says nothing)."""
    return ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")


def reprompt_ssml(response: Mapping[str, Any]) -> str:
    """The reprompt SSML of a response JSON ("" when there is none)."""
    return (((response.get("response") or {}).get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", "")


def said(response: Mapping[str, Any]) -> str:
    """What a response JSON says, as plain text ("" when it says nothing)."""
    ssml = speech_ssml(response)
    return spoken_text(ssml) if ssml else ""


def ends_session(response: Mapping[str, Any]) -> bool:
    return (response.get("response") or {}).get("shouldEndSession") is True


class Conversation:
    """A multi-turn session: the session attributes of each response go into the next request.

    ``check`` (optional) is called with every response and its log fields before it is returned.
    """

    def __init__(self, skill: CustomSkill, locale: str = "en-US", interfaces: dict[str, Any] | None = None,
                 check: ResponseCheck | None = None) -> None:
        self.skill, self.locale, self.interfaces, self.check = skill, locale, interfaces, check
        self.attributes: dict[str, Any] = {}
        self.new = True
        self.ended = False
        self.responses: list[dict[str, Any]] = []
        self.log: dict[str, str] = {}

    def next_envelope(self, request: dict[str, Any]) -> dict[str, Any]:
        """The envelope the next turn sends: the request with the session so far."""
        return envelopes.envelope(request, attributes=self.attributes, new=self.new, interfaces=self.interfaces)

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.send_envelope(self.next_envelope(request))

    def send_envelope(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """One turn; the session attributes of the response are carried into the next."""
        response, self.log = invoke(self.skill, envelope)
        if self.check is not None:
            self.check(response, self.log)
        self.new = False
        self.attributes = response.get("sessionAttributes") or {}
        self.ended = ends_session(response)
        self.responses.append(response)
        return response

    def launch(self) -> dict[str, Any]:
        return self.send(envelopes.launch_request(self.locale))

    def intent(self, name: str, *slots: dict[str, Any]) -> dict[str, Any]:
        return self.send(envelopes.intent_request(name, *slots, locale=self.locale))
