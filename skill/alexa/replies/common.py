"""Common replies (Alexa layer): the turns many handlers share, assembled from content keys."""

from __future__ import annotations

from skill.alexa.replies.reply import Reply
from skill.domain.content import Content


def anything_else(content: Content, *lines: str, card_title: str | None = None) -> Reply:
    """Some lines, then "What else would you like to know?"."""
    return Reply(
        lines=tuple(lines),
        question=content.text("anything_else.question"),
        reprompt=content.text("anything_else.reprompt"),
        card_title=card_title,
    )


def welcome(content: Content, *lead: str) -> Reply:
    """The launch turn: welcome, the not-medical-advice notice, and what to ask."""
    lines = (*lead, content.text("launch.welcome"), content.text("launch.notice"), content.text("launch.what_to_ask"))
    return Reply(
        lines=lines,
        question=content.text("launch.question"),
        reprompt=content.text("launch.reprompt"),
        card_title=content.text("skill_name"),
    )


def goodbye(content: Content, *lead: str) -> Reply:
    return Reply(lines=(*lead, content.text("goodbye")))


def apology(content: Content) -> Reply:
    return Reply(
        lines=(content.text("errors.apology"),),
        question=content.text("errors.question"),
        reprompt=content.text("errors.reprompt"),
    )
