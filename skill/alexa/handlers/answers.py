"""Answers (Alexa layer): speak a topic or trigger page, the facts about one thing, or place a question
whose slot did not resolve.

Shared by the topic, trigger and fact handlers (and "yes" to a follow-up), so each of them stays a
few lines: read the request, pick the answer here.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.replies.emergency import safety_line
from skill.alexa.replies.reply import Reply, Screen, join_lines
from skill.alexa.requests import is_new_session
from skill.alexa.resources import get_resources
from skill.alexa.state import PENDING_MORE, PENDING_OFFER_CHECK, Paging, respond, topic_pending
from skill.domain import facts
from skill.domain.content import Content
from skill.domain.topics import page


def answer_topic(handler_input: HandlerInput, kind: str, topic_id: str, start: int = 0,
                 after: tuple[str, ...] = ()) -> Response:
    """Speak one page of a topic or trigger; ask "want to hear more?" while items remain.

    ``after``: lines said after the page (the safety line of a question placed by its words).
    """
    content = get_resources(handler_input).content
    current = page(content, kind, topic_id, start)
    lines = (*current.lines, *after)
    if start == 0 and is_new_session(handler_input):
        lines = (content.text("one_shot_notice"), *lines)
    screen = Screen(title=current.title, points=current.points)
    card = join_lines(current.lines)
    if current.next_start is not None:
        reply = Reply(
            lines=lines,
            question=content.text("more.question"),
            reprompt=content.text("more.reprompt"),
            card_title=current.title,
            card_text=card,
            screen=screen,
        )
        return respond(handler_input, reply, pending=PENDING_MORE, paging=Paging(kind, topic_id, current.next_start))
    node = content.node(current.key)
    help_key = "trigger_help" if kind == "trigger" else current.key
    help_node = content.node(help_key)
    reply = Reply(
        lines=lines,
        question=content.format(help_node["followup"]),
        reprompt=content.format(help_node["reprompt"]),
        card_title=current.title,
        card_text=card,
        screen=screen,
    )
    if node.get("offers_check"):
        return respond(handler_input, reply, pending=PENDING_OFFER_CHECK)
    yes_topic = help_node.get("yes_topic")
    return respond(handler_input, reply, pending=topic_pending(yes_topic) if yes_topic else None)


def answer_fact(handler_input: HandlerInput, found: facts.FactAnswer, after: tuple[str, ...] = ()) -> Response:
    """The facts about one thing, its name first, then the offer of its related topic."""
    content = get_resources(handler_input).content
    notice = (content.text("one_shot_notice"),) if is_new_session(handler_input) else ()
    reply = Reply(
        lines=(*notice, *found.lines, *after),
        question=found.offer or content.text("anything_else.question"),
        reprompt=content.text("facts_help.reprompt") if found.offer else content.text("anything_else.reprompt"),
        card_title=found.title,
        card_text=f"{join_lines(found.lines)}\n{cited(content, found.sources)}",
        screen=Screen(title=found.title, points=found.lines),
    )
    return respond(handler_input, reply, pending=topic_pending(found.topic) if found.topic else None)


def answer_unresolved(handler_input: HandlerInput, said: str | None, unknown_key: str, prefer: str | None = None) -> Response:
    """A question whose thing or trigger did not resolve: where its words point (:func:`facts.route`).

    One answer: given, then the safety line (the words were placed by a guess, not by the model).
    Two or three: one question naming them. None: ``unknown_key`` names what the skill has, closest
    first. Both of those carry the safety line too, so a red flag said here still hears the number.
    ``prefer``: the kind of answer the slot was for (``thing``, ``trigger``), which wins a tie.
    """
    content = get_resources(handler_input).content
    routed = facts.route(content, said, prefer)
    safety = safety_line(content)
    if routed.kind == "answer":
        target = routed.targets[0]
        if target.kind == "thing":
            found = facts.answer(content, target.id)
            if found is not None:
                return answer_fact(handler_input, found, after=(safety,))
        else:
            return answer_topic(handler_input, target.kind, target.id, after=(safety,))
    notice = (content.text("one_shot_notice"),) if is_new_session(handler_input) else ()
    options = facts.spoken_list(content, [t.name for t in routed.targets])
    if routed.kind == "clarify":
        reply = Reply(
            lines=(*notice, safety),
            question=content.text("facts_help.clarify", options=options),
            reprompt=content.text("facts_help.clarify_reprompt", options=options),
        )
    else:
        reply = Reply(
            lines=(*notice, content.text(unknown_key, options=options), safety),
            question=content.text("facts_help.unknown_question"),
            reprompt=content.text("facts_help.unknown_reprompt"),
        )
    return respond(handler_input, reply)


SOURCE_SECTIONS = ("sources", "clinical_sources")


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
