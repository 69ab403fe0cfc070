"""Emergency test support: every conversation position an emergency can be said in, and the check.

A position is a function that drives a fresh conversation to a state (launch, a topic page, each
symptom-check question, the outcome offer, ...) and returns it; the tests then say an emergency
there. The symptom-check positions are found by walking the real protocol, so a protocol with more
or fewer questions is covered without editing this file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tests.support.client import Conversation, speech
from skill.tools.envelopes import intent_request, session_ended_request, slot
from tests.support.locales import LOCALES

#: The first words the number must be within.
FIRST_WORDS = 10
#: Spoken budget: 20 seconds at 150 words a minute.
MAX_WORDS = 50


@dataclass(frozen=True)
class Position:
    name: str
    reach: Callable[[Conversation], None]


def _check_questions(conv: Conversation, answered: int) -> None:
    conv.intent("SymptomCheckIntent")
    for _ in range(answered):
        conv.intent("AMAZON.NoIntent")


def positions(question_count: int) -> list[Position]:
    """Every state the skill has, in the order a person meets them."""
    found = [
        Position("one-shot", lambda conv: None),
        Position("after launch", lambda conv: conv.launch()),
        Position("after a topic", lambda conv: (conv.launch(), conv.intent("CausesIntent"))),
        Position("topic, more", lambda conv: (conv.intent("CausesIntent"), conv.intent("MoreIntent"))),
        Position("after help", lambda conv: (conv.launch(), conv.intent("AMAZON.HelpIntent"))),
        Position("after a fallback", lambda conv: (conv.launch(), conv.intent("AMAZON.FallbackIntent"))),
        Position("check offered", lambda conv: (conv.launch(), conv.intent("IsItSeriousIntent"))),
    ]
    found += [
        Position(f"check question {n + 1}", lambda conv, n=n: (conv.launch(), _check_questions(conv, n)))
        for n in range(question_count)
    ]
    found += [
        Position("outcome offer", lambda conv: (conv.launch(), _check_questions(conv, question_count))),
        Position("at the emergency question", lambda conv: (conv.launch(), conv.intent("EmergencyIntent"))),
        Position("at the emergency question, mid-check",
                 lambda conv: (conv.launch(), _check_questions(conv, 1), conv.intent("EmergencyIntent"))),
        Position("after the emergency answer", _after_the_answer),
        Position("after stop", _after_stop),
    ]
    return found


def strong_request(locale: str) -> dict:
    """EmergencyIntent with strong evidence: the sign slot resolved to a stroke word."""
    return intent_request("EmergencyIntent", slot("sign", "a stroke", id="stroke", slot_type="EMERGENCY_SIGN"),
                          locale=locale)


def weak_request(locale: str, said: str | None = "trouble sleeping") -> dict:
    """EmergencyIntent with weak evidence: the sign did not resolve (or, with ``said`` None, is empty)."""
    slots = (slot("sign", said, match=False, slot_type="EMERGENCY_SIGN"),) if said else ()
    return intent_request("EmergencyIntent", *slots, locale=locale)


def _after_the_answer(conv: Conversation) -> None:
    conv.send(strong_request(conv.locale))
    assert conv.ended, "the emergency answer ends the session"
    conv.send(session_ended_request(locale=conv.locale))
    conv.attributes, conv.new = {}, True


def _after_stop(conv: Conversation) -> None:
    conv.launch()
    conv.intent("AMAZON.StopIntent")
    assert conv.ended, "stop ends the session"
    # Alexa then closes the session; the next utterance opens a new one.
    conv.send(session_ended_request(locale=conv.locale))
    conv.attributes, conv.new = {}, True


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’]+", text.lower())


def number_position(text: str, number: str) -> int | None:
    """Where the spoken number starts, as a word index (None when it is not said)."""
    said, wanted = words(text), words(number)
    for i in range(len(said) - len(wanted) + 1):
        if said[i : i + len(wanted)] == wanted:
            return i
    return None


def number_first(text: str, locale: str) -> bool:
    index = number_position(text, LOCALES[locale][0])
    return index is not None and index < FIRST_WORDS


def say_emergency(conv: Conversation, request: dict | None = None) -> dict:
    """Say an emergency (strong evidence, or a request the matcher built) in the conversation's state."""
    return conv.send(request or strong_request(conv.locale))


def run_at(position: Position, conv: Conversation, request: dict | None = None) -> str:
    """Reach the position, say the emergency there, return what the skill said."""
    position.reach(conv)
    return speech(say_emergency(conv, request))


def locales() -> Iterator[str]:
    yield from LOCALES
