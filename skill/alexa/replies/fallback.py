"""What a transport answers when the skill cannot (alexa layer), the same for the webhook and Lambda.

* A request type the SDK does not know (Alexa adds them) gets :data:`EMPTY_RESPONSE`: a response
  that says nothing and keeps nothing, the safe answer the SDK's own webservice handler gives.
* A failure outside the skill's handlers (an envelope the SDK cannot turn into a session, a
  response it cannot serialize) gets :func:`apology_response`: the content's spoken apology,
  built without the SDK, with the session left open.

Both transports import this module, so neither depends on the other.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_model.request import Request as AlexaRequest

from skill.alexa.markup import to_ssml
from skill.alexa.replies.common import apology
from skill.domain.content import Content

__all__ = ["EMPTY_RESPONSE", "KNOWN_REQUEST_TYPES", "apology_response", "empty_response"]

#: The request types the SDK can deserialize; anything else gets :data:`EMPTY_RESPONSE`.
KNOWN_REQUEST_TYPES = frozenset(AlexaRequest.discriminator_value_class_map)
#: An Alexa response that says nothing and keeps nothing.
EMPTY_RESPONSE: dict[str, Any] = {"version": "1.0", "response": {}}


def empty_response() -> dict[str, Any]:
    """A fresh copy of :data:`EMPTY_RESPONSE` (the caller may change it)."""
    return {"version": "1.0", "response": {}}


def apology_response(content: Content) -> dict[str, Any]:
    """A valid Alexa response built without the SDK, for when the skill itself cannot answer."""
    reply = apology(content)
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{to_ssml(reply.text)}</speak>"},
            "reprompt": {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{to_ssml(reply.reprompt or '')}</speak>"}},
            "shouldEndSession": False,
        },
    }
