"""Fact handlers (Alexa layer): a focused question about one thing, a question that names one answer,
and where the information comes from.

"Does Botox help?" reads the THING slot's resolved id and speaks the facts about that thing
(:mod:`skill.domain.facts`), then offers the related topic: a "yes" answers it through the pending
topic, like a topic's own follow-up. An unmatched value that names a trigger ("does magnesium
help?") gets that trigger's answer; any other unmatched value (a device fills a slot with any
words) goes where its words point (:func:`skill.alexa.handlers.answers.answer_unresolved`).
"How long does it last?" has its own intent: :data:`QUESTION_INTENTS` maps each such intent to the
thing whose facts answer it. "Can hemifacial spasm be cured?" (``CureIntent``) answers with the
thing's treatment facts where the content links them (``things.<id>.treatment``), else its facts. "Who wrote this?" names the sources; the card lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.context import note
from skill.alexa.handlers.answers import SOURCE_SECTIONS, answer_fact, answer_topic, answer_unresolved
from skill.alexa.handlers.base import IntentHandler
from skill.alexa.handlers.topics import THING_SLOT, intent_for_topic
from skill.alexa.replies.common import anything_else
from skill.alexa.requests import get_intent_name, get_slot
from skill.alexa.resources import get_resources
from skill.alexa.state import respond
from skill.domain import facts
from skill.domain.content import Content

FACT_INTENT = "FactIntent"
THING_TYPE = "THING"
SOURCES_INTENT = "SourcesIntent"
#: "Can {thing} be cured?", "how is {thing} treated?".
CURE_INTENT = "CureIntent"
#: Questions that name one answer but no thing ("how long does it last?", "which doctor should I
#: see?"): each has its own intent, answered by the facts about one thing (also a THING value, so
#: "tell me about tics" reaches the same answer through FactIntent).
QUESTION_THINGS = (
    "duration",
    "medical_name",
    "nerve_muscle",
    "tics",
    "eye_and_nose",
    "which_specialist",
    "tests",
)
QUESTION_INTENTS: Mapping[str, str] = {intent_for_topic(thing): thing for thing in QUESTION_THINGS}


class FactIntentHandler(IntentHandler):
    """"Does Botox help?", "what is an EMG?": the facts about one thing, its name first."""

    intents = (FACT_INTENT,)
    slots = (THING_SLOT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="fact")
        content = get_resources(handler_input).content
        thing = get_slot(handler_input, THING_SLOT)
        found = facts.answer(content, thing.id)
        if found is not None:
            return answer_fact(handler_input, found)
        trigger = facts.trigger_named(content, thing.raw)
        if trigger is not None:
            return answer_topic(handler_input, "trigger", trigger)
        return answer_unresolved(handler_input, thing.raw, "facts_help.unknown", prefer="thing")


class CureIntentHandler(IntentHandler):
    """"Can hemifacial spasm be cured?": the thing's treatment answer (``things.<id>.treatment``), else its facts."""

    intents = (CURE_INTENT,)
    slots = (THING_SLOT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="fact")
        content = get_resources(handler_input).content
        thing = get_slot(handler_input, THING_SLOT)
        found = facts.answer(content, facts.treatment_of(content, thing.id))
        if found is not None:
            return answer_fact(handler_input, found)
        return answer_unresolved(handler_input, thing.raw, "facts_help.unknown", prefer="thing")


class QuestionIntentHandler(IntentHandler):
    """"How long does a twitch last?", "is there a test for it?": the intent names the answer."""

    intents = tuple(QUESTION_INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="fact")
        content = get_resources(handler_input).content
        found = facts.answer(content, QUESTION_INTENTS[get_intent_name(handler_input) or ""])
        if found is None:  # content without the answer (validate reports it): place it like an unknown
            return answer_unresolved(handler_input, None, "facts_help.unknown")
        return answer_fact(handler_input, found)


class SourcesIntentHandler(IntentHandler):
    """"Where does this information come from?": a short spoken answer; the card lists every source."""

    intents = (SOURCES_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="sources")
        content = get_resources(handler_input).content
        lines = tuple(content.format(line) for line in content.node("sources_answer.lines"))
        reply = anything_else(content, *lines, card_title=content.text("sources_answer.card_title"))
        return respond(handler_input, replace(reply, card_text=sources_card(content)))


def handlers() -> list[IntentHandler]:
    """The fact, question and sources handlers, in dispatch order (registered right after the topics)."""
    return [FactIntentHandler(), CureIntentHandler(), QuestionIntentHandler(), SourcesIntentHandler()]


def sources_card(content: Content) -> str:
    """One line per source: its title, then publisher and address where the content gives them."""
    lines = []
    for section in SOURCE_SECTIONS:
        node = content.node(section) if content.has(section) else {}
        for source in node.values() if isinstance(node, Mapping) else ():
            parts = [source.get(field) for field in ("title", "publisher", "url")]
            lines.append(" - ".join(str(part) for part in parts if part))
    return "\n".join(lines)
