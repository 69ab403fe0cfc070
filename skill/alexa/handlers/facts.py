"""Fact handlers (Alexa layer): a focused question about one thing, and where the information comes from.

"Does Botox help?" reads the THING slot's resolved id and speaks the facts about that thing
(:mod:`skill.domain.facts`), then offers the related topic: a "yes" answers it through the pending
topic, like a topic's own follow-up. An unmatched value that names a trigger ("does magnesium
help?") gets that trigger's answer. "Who wrote this?" names the sources; the card lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.context import note
from skill.alexa.handlers.replies import anything_else
from skill.alexa.handlers.topics import answer_topic
from skill.alexa.requests import get_slot, is_intent, is_new_session
from skill.alexa.resources import get_resources
from skill.alexa.speech import Reply, Screen, join_lines
from skill.alexa.state import respond, topic_pending
from skill.domain import facts
from skill.domain.content import Content

FACT_INTENT = "FactIntent"
THING_SLOT = "thing"
THING_TYPE = "THING"
SOURCES_INTENT = "SourcesIntent"
SOURCE_SECTIONS = ("sources", "clinical_sources")


class FactIntentHandler(AbstractRequestHandler):
    """"Does Botox help?", "what is an EMG?": the facts about one thing, its name first."""

    intents = (FACT_INTENT,)
    slots = (THING_SLOT,)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent(handler_input, FACT_INTENT)

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="fact")
        content = get_resources(handler_input).content
        thing = get_slot(handler_input, THING_SLOT)
        found = facts.answer(content, thing.id)
        trigger = facts.trigger_named(content, thing.raw) if found is None else None
        if trigger is not None:
            return answer_topic(handler_input, "trigger", trigger)
        notice = (content.text("one_shot_notice"),) if is_new_session(handler_input) else ()
        if found is None:
            reply = Reply(
                lines=(*notice, content.text("facts_help.unknown")),
                question=content.text("facts_help.unknown_question"),
                reprompt=content.text("facts_help.unknown_reprompt"),
            )
            return respond(handler_input, reply)
        reply = Reply(
            lines=(*notice, *found.lines),
            question=found.offer or content.text("anything_else.question"),
            reprompt=content.text("facts_help.reprompt") if found.offer else content.text("anything_else.reprompt"),
            card_title=found.title,
            card_text=f"{join_lines(found.lines)}\n{cited(content, found.sources)}",
            screen=Screen(title=found.title, points=found.lines),
        )
        return respond(handler_input, reply, pending=topic_pending(found.topic) if found.topic else None)


class SourcesIntentHandler(AbstractRequestHandler):
    """"Where does this information come from?": a short spoken answer; the card lists every source."""

    intents = (SOURCES_INTENT,)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent(handler_input, SOURCES_INTENT)

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="sources")
        content = get_resources(handler_input).content
        lines = tuple(content.format(line) for line in content.node("sources_answer.lines"))
        reply = anything_else(content, *lines, card_title=content.text("sources_answer.card_title"))
        return respond(handler_input, replace(reply, card_text=sources_card(content)))


def handlers() -> list[AbstractRequestHandler]:
    """The fact and sources handlers, in dispatch order (registered right after the topics)."""
    return [FactIntentHandler(), SourcesIntentHandler()]


def source_title(content: Content, source_id: str) -> str:
    """How a card names one source: its publisher and title where the content gives both."""
    for section in SOURCE_SECTIONS:
        key = f"{section}.{source_id}"
        if content.has(key):
            node = content.node(key)
            return ": ".join(str(node[field]) for field in ("publisher", "title") if node.get(field))
    return source_id


def cited(content: Content, source_ids: tuple[str, ...]) -> str:
    """The card line naming the sources an answer cites."""
    return content.text("facts_help.card_sources", sources="; ".join(source_title(content, s) for s in source_ids))


def sources_card(content: Content) -> str:
    """One line per source: its title, then publisher and address where the content gives them."""
    lines = []
    for section in SOURCE_SECTIONS:
        node = content.node(section) if content.has(section) else {}
        for source in node.values() if isinstance(node, Mapping) else ():
            parts = [source.get(field) for field in ("title", "publisher", "url")]
            lines.append(" - ".join(str(part) for part in parts if part))
    return "\n".join(lines)
