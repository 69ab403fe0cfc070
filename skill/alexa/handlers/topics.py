"""Topic handlers (Alexa layer): answer a topic or a named trigger, three points per turn.

A trigger that does not resolve goes where its words point (:mod:`skill.alexa.handlers.answers`).
A topic question that names a condition, test, treatment or remedy ("is my twitch a sign of a
stroke?") gets that thing's facts instead: the THING slot of :data:`TOPIC_THING_INTENTS`.
"""

from __future__ import annotations

from collections.abc import Mapping

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.context import note
from skill.alexa.handlers.answers import answer_fact, answer_topic, answer_unresolved
from skill.alexa.handlers.base import IntentHandler
from skill.alexa.replies.common import anything_else
from skill.alexa.requests import get_intent_name, get_slot, is_intent
from skill.alexa.resources import get_resources
from skill.alexa.state import PENDING_MORE, get_paging, get_pending, respond
from skill.domain import facts

#: Every topic the skill answers; each has its own intent and its own content under ``topics``.
TOPIC_IDS = (
    "what_is_it",
    "is_it_serious",
    "causes",
    "relief",
    "prevention",
    "treatments",
    "diagnosis",
    "when_to_see_doctor",
    "home_vs_professional",
)

TRIGGER_INTENT = "TriggerDetailIntent"
TRIGGER_SLOT = "trigger"
MORE_INTENT = "MoreIntent"
THING_SLOT = "thing"


def intent_for_topic(topic_id: str) -> str:
    """``when_to_see_doctor`` -> ``WhenToSeeDoctorIntent``."""
    return "".join(part.capitalize() for part in topic_id.split("_")) + "Intent"


TOPIC_INTENTS: Mapping[str, str] = {intent_for_topic(topic_id): topic_id for topic_id in TOPIC_IDS}
#: Topic intents that also take a THING: "is it a sign of {thing}", "can {thing} cause it", "should I
#: see someone about {thing}". A resolved thing is answered instead of the topic unless it is one
#: named in passing (:data:`skill.domain.facts.INCIDENTAL_THINGS`); a value that does not resolve (a
#: device fills a slot with any words) leaves the topic's answer.
TOPIC_THING_INTENTS = frozenset(map(intent_for_topic, ("is_it_serious", "causes", "when_to_see_doctor")))


class TopicIntentHandler(IntentHandler):
    """One handler for every topic intent: the intent name picks the content."""

    intents = tuple(TOPIC_INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = get_intent_name(handler_input) or ""
        if intent in TOPIC_THING_INTENTS:
            found = facts.specific_answer(get_resources(handler_input).content, get_slot(handler_input, THING_SLOT).id)
            if found is not None:
                note(handler_input, handler="fact")
                return answer_fact(handler_input, found)
        note(handler_input, handler="topic")
        return answer_topic(handler_input, "topic", TOPIC_INTENTS[intent])


class TriggerDetailHandler(IntentHandler):
    """"Does coffee cause it?": the trigger slot's resolved id picks the content."""

    intents = (TRIGGER_INTENT,)
    slots = (TRIGGER_SLOT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = get_resources(handler_input).content
        slot = get_slot(handler_input, TRIGGER_SLOT)
        if slot.id and content.has(f"triggers.{slot.id}"):
            return answer_topic(handler_input, "trigger", slot.id)
        return answer_unresolved(handler_input, slot.raw, "trigger_help.unknown", prefer="trigger")


class MoreHandler(IntentHandler):
    """"More", or "yes" to "want to hear more?": the next page of the topic."""

    intents = (MORE_INTENT, "AMAZON.YesIntent")

    def applies(self, handler_input: HandlerInput) -> bool:
        return is_intent(handler_input, MORE_INTENT) or get_pending(handler_input) == PENDING_MORE

    def handle(self, handler_input: HandlerInput) -> Response:
        paging = get_paging(handler_input)
        content = get_resources(handler_input).content
        if paging is None or not content.has(f"{'triggers' if paging.kind == 'trigger' else 'topics'}.{paging.id}"):
            return respond(handler_input, anything_else(content, content.text("more.none_left")))
        return answer_topic(handler_input, paging.kind, paging.id, paging.next)
