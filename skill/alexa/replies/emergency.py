"""The emergency answer (Alexa layer): one builder for every place the skill reaches an emergency.

``EmergencyIntent`` with strong evidence, "yes" or "not sure" to the emergency question, a call for
an ambulance, and the symptom check's emergency outcome all speak :func:`emergency_reply`. It says
the number first and last, that Alexa can't call it, that the call handler will say what to do,
the time line for stroke signs, and (where Amazon offers it) "Alexa, call for help"; then the
session ends, so Alexa's own calling can hear the next words. Every word comes from the
``emergency`` content section (content/<lang>/emergency.yaml).
"""

from __future__ import annotations

from skill.alexa.replies.reply import Reply, Screen
from skill.domain import emergency
from skill.domain.content import Content

#: The disposition level this route records (the same key as the symptom check's emergency outcome).
LEVEL = "emergency"


def emergency_reply(content: Content, *, stroke: bool, safe: bool = False, meaning: bool = False) -> Reply:
    """The one emergency answer. It asks nothing, so the session ends.

    ``stroke``: the evidence was a stroke sign, so the answer says to note when it started.
    ``safe``: reached on "not sure" ("To be safe, call ..."). ``meaning``: the symptom check's
    outcome, which says what its yes answers can mean, when the answer still fits 20 seconds.
    """
    text = content.text
    lead = emergency.lead(content, safe=safe)
    spoken = emergency.answer_lines(content, stroke=stroke, safe=safe, meaning=meaning)
    card = (text("emergency.card_lead"), *emergency.middle_lines(content, stroke=stroke))
    return Reply(
        lines=spoken,
        card_title=text("emergency.card_title"),
        card_text="\n".join(card),
        screen=Screen(
            title=text("emergency.title"),
            points=(lead, text("emergency.phone"), text("emergency.handler")),
            level=LEVEL,
            emphasis=content.locale_params.get("emergency_number_display"),
        ),
    )


def safety_line(content: Content) -> str:
    """ "If this is an emergency, call {number} now.": for turns that could not place what was said."""
    return content.text("emergency.safety_line")


def check_reply(content: Content) -> Reply:
    """Weak evidence: the conditional safety line, the BE-FAST signs, and one yes/no question."""
    text = content.text
    return Reply(
        lines=(safety_line(content), text("emergency.check.signs")),
        question=text("emergency.check.question"),
        reprompt=text("emergency.check.reprompt"),
        # No command on the card either: the same conditional line and the signs.
        card_text="\n".join((safety_line(content), text("emergency.check.signs"))),
    )


def call_person_reply(content: Content) -> Reply:
    """ "Call my wife": the safety line (a call can hide an emergency: "call my husband, he can't move
    his arm"), then the skill can't place calls; Alexa may, once the skill has closed. Ends the session."""
    return Reply(lines=(safety_line(content), content.text("emergency.call_person.line"),
                        content.text("emergency.call_person.how")))
