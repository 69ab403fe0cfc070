"""The emergency answer's lines (domain layer): which content lines it says, in which order.

One answer, wherever the skill reaches an emergency (skill/alexa/replies/emergency.py speaks it; the
symptom check's budgets measure it). The number first and last; that Alexa can't call it; that the
call handler will say what to do; when the signs started (stroke signs only); "Alexa, call for
help" where Amazon documents it; and, for the symptom check, what its answers can mean, only while
the whole answer still fits the spoken budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skill.domain.spoken import MAX_RESPONSE_SECONDS, seconds

if TYPE_CHECKING:  # annotations only: content loading runs the checks that measure this answer
    from skill.domain.content import Content


def offers_call_for_help(content: Content) -> bool:
    """Whether Amazon documents "Alexa, call for help" in this locale (content says where)."""
    return content.text("emergency.call_for_help.offered") == "yes"


def middle_lines(content: Content, *, stroke: bool) -> tuple[str, ...]:
    """What to do, between the number said first and the number said again (also the card's body)."""
    text = content.text
    lines = [text("emergency.phone"), text("emergency.handler")]
    if stroke:
        lines.append(text("emergency.time.say"))
    if offers_call_for_help(content):
        lines.append(text("emergency.call_for_help.line"))
    return tuple(lines)


def lead(content: Content, *, safe: bool = False) -> str:
    return content.text("emergency.lead_safe" if safe else "emergency.lead")


def answer_lines(content: Content, *, stroke: bool, safe: bool = False, meaning: bool = False) -> tuple[str, ...]:
    """The spoken answer. ``meaning`` adds what the check's answers can mean, only while it fits."""
    first, middle, again = lead(content, safe=safe), middle_lines(content, stroke=stroke), content.text("emergency.again")
    if meaning:
        with_meaning = (first, content.text("emergency.meaning.say"), *middle, again)
        if seconds(*with_meaning) <= MAX_RESPONSE_SECONDS:
            return with_meaning
    return (first, *middle, again)
