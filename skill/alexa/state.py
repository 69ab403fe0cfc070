"""Conversation state (Alexa layer): the few session attributes the skill keeps, read defensively.

State lives only in Alexa session attributes, so nothing about a person outlives the session.
Attributes arrive from the client and may be stale or tampered with: every reader validates and
treats anything unexpected as absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.resources import get_resources
from skill.alexa.speech import Reply, build_response
from skill.domain.triage import Level

LAST = "last"
PAGING = "paging"
TRIAGE = "triage"
PENDING = "pending"
#: The disposition level whose details a pending "yes" would speak (with PENDING_OUTCOME_DETAILS).
OUTCOME = "outcome"

#: What a bare "yes" or "no" answers.
PENDING_MORE = "more"
PENDING_OFFER_CHECK = "offer_check"
PENDING_TRIAGE = "triage"
#: After a non-emergency outcome: "yes" hears who to see, what helps and when to check again.
PENDING_OUTCOME_DETAILS = "outcome_details"
#: After weak emergency evidence asked "Is any of that happening now?": yes / not sure gets the
#: emergency answer, no goes back (a check in progress is kept in TRIAGE meanwhile), anything else
#: escalates. (The emergency answer itself ends the session, so it has no pending value.)
PENDING_EMERGENCY_CHECK = "emergency_check"
PENDING_VALUES = frozenset({PENDING_MORE, PENDING_OFFER_CHECK, PENDING_TRIAGE, PENDING_OUTCOME_DETAILS,
                            PENDING_EMERGENCY_CHECK})
#: "yes" to a topic's follow-up question ("Want to know how to ease it?") answers that topic.
_TOPIC_PREFIX = "topic:"


def topic_pending(topic_id: str) -> str:
    return f"{_TOPIC_PREFIX}{topic_id}"


def pending_topic(pending: str | None) -> str | None:
    """The topic a pending "yes" leads to, if any."""
    if pending and pending.startswith(_TOPIC_PREFIX):
        return pending[len(_TOPIC_PREFIX) :]
    return None


@dataclass(frozen=True)
class Paging:
    """Where a paged topic stopped: ``kind`` is "topic" or "trigger"."""

    kind: str
    id: str
    next: int

    def to_session(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "next": self.next}


def attributes(handler_input: HandlerInput) -> dict[str, Any]:
    """The session attributes (an empty dict for requests without a session)."""
    if handler_input.request_envelope.session is None:
        return {}  # the SDK raises for an out-of-session request (a routine's one-shot)
    attrs = handler_input.attributes_manager.session_attributes
    return attrs if isinstance(attrs, dict) else {}


def get_pending(handler_input: HandlerInput) -> str | None:
    value = attributes(handler_input).get(PENDING)
    if value in PENDING_VALUES:
        return value
    topic = pending_topic(value) if isinstance(value, str) else None
    return value if topic and topic.replace("_", "").isalpha() and topic.islower() else None


def get_paging(handler_input: HandlerInput) -> Paging | None:
    raw = attributes(handler_input).get(PAGING)
    if not isinstance(raw, Mapping):
        return None
    kind, topic_id, start = raw.get("kind"), raw.get("id"), raw.get("next")
    if kind not in {"topic", "trigger"} or not isinstance(topic_id, str) or not isinstance(start, int):
        return None
    if isinstance(start, bool) or start < 0:
        return None
    return Paging(kind=kind, id=topic_id, next=start)


def get_triage_raw(handler_input: HandlerInput) -> object:
    """The raw triage attribute; the triage engine validates it."""
    return attributes(handler_input).get(TRIAGE)


def get_outcome(handler_input: HandlerInput) -> Level | None:
    """The level whose details are on offer: only with its pending value, and never the emergency."""
    if get_pending(handler_input) != PENDING_OUTCOME_DETAILS:
        return None
    raw = attributes(handler_input).get(OUTCOME)
    level = next((level for level in Level if level.key == raw), None)
    return None if level == Level.EMERGENCY else level


def last_reply(handler_input: HandlerInput) -> Reply | None:
    return Reply.from_session(attributes(handler_input).get(LAST))


def respond(
    handler_input: HandlerInput,
    reply: Reply,
    *,
    pending: str | None = None,
    paging: Paging | None = None,
    triage: Mapping[str, Any] | None = None,
    outcome: Level | None = None,
) -> Response:
    """Store the turn's state (replacing the previous turn's) and build the response.

    Every call states the whole conversation state: what is not passed is cleared. A reply that
    ends the session clears everything.
    """
    manager = handler_input.attributes_manager
    if reply.card_title is None:
        reply = replace(reply, card_title=get_resources(handler_input).content.text("skill_name"))
    if handler_input.request_envelope.session is None:
        return build_response(handler_input, reply)
    if not reply.keeps_session_open:
        manager.session_attributes = {}
        return build_response(handler_input, reply)
    attrs: dict[str, Any] = {LAST: reply.to_session()}
    if pending is not None:
        attrs[PENDING] = pending
    if paging is not None:
        attrs[PAGING] = paging.to_session()
    if triage is not None:
        attrs[TRIAGE] = dict(triage)
    if outcome is not None:
        attrs[OUTCOME] = outcome.key
    manager.session_attributes = attrs
    return build_response(handler_input, reply)


def keep_state(handler_input: HandlerInput) -> dict[str, Any]:
    """The current state as ``respond`` keyword arguments (for Repeat and other pass-through turns)."""
    raw_triage = get_triage_raw(handler_input)
    return {
        "pending": get_pending(handler_input),
        "paging": get_paging(handler_input),
        "triage": raw_triage if isinstance(raw_triage, Mapping) else None,
        "outcome": get_outcome(handler_input),
    }
