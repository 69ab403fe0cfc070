"""Request reading (Alexa layer): predicates and getters over a request envelope, tolerant of gaps.

Alexa, simulators and forged requests can leave out any field; these helpers return None instead
of raising, so a handler never crashes on a thin envelope.
"""

from __future__ import annotations

from dataclasses import dataclass

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Slot

ER_SUCCESS_MATCH = "ER_SUCCESS_MATCH"


@dataclass(frozen=True)
class SlotValue:
    """A slot as the skill uses it: the resolved id (None when unresolved) and whether it was filled."""

    id: str | None
    raw: str | None

    @property
    def filled(self) -> bool:
        return bool(self.raw)


def get_intent_name(handler_input: HandlerInput) -> str | None:
    request = handler_input.request_envelope.request
    if isinstance(request, IntentRequest) and request.intent is not None:
        return request.intent.name
    return None


def is_intent(handler_input: HandlerInput, *names: str) -> bool:
    return get_intent_name(handler_input) in names


def is_request_type(handler_input: HandlerInput, type_name: str) -> bool:
    request = handler_input.request_envelope.request
    return request is not None and request.object_type == type_name


def get_slot(handler_input: HandlerInput, name: str) -> SlotValue:
    """A slot's resolved id (first ER_SUCCESS_MATCH value) and raw value; empty when absent."""
    request = handler_input.request_envelope.request
    if not isinstance(request, IntentRequest) or request.intent is None or not request.intent.slots:
        return SlotValue(id=None, raw=None)
    return read_slot(request.intent.slots.get(name))


def read_slot(slot: Slot | None) -> SlotValue:
    """One slot object (from any request type that carries an intent) as a :class:`SlotValue`."""
    if slot is None:
        return SlotValue(id=None, raw=None)
    resolved = None
    authorities = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
    for authority in authorities:
        status = getattr(getattr(authority, "status", None), "code", None)
        code = getattr(status, "value", status)
        if code == ER_SUCCESS_MATCH and authority.values:
            value = authority.values[0].value
            resolved = getattr(value, "id", None) or getattr(value, "name", None)
            break
    return SlotValue(id=resolved, raw=slot.value or None)


def is_new_session(handler_input: HandlerInput) -> bool:
    session = handler_input.request_envelope.session
    return bool(session is not None and session.new)


def get_locale(handler_input: HandlerInput) -> str | None:
    request = handler_input.request_envelope.request
    return getattr(request, "locale", None) if request is not None else None
