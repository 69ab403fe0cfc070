"""Symptom-check paths for tests: the answers that reach a level, read from the protocol itself.

Questions are asked most urgent first and a yes ends the check at its question's level, so the
path to a level is "no" to every earlier question, then "yes" to the level's first question; self
care is "no" to every question. Tests that need an outcome use this instead of counting questions,
so a protocol change (a new question) does not silently change what they test.
"""

from __future__ import annotations

from skill.domain.triage import Level, Protocol

YES, NO, UNSURE = "AMAZON.YesIntent", "AMAZON.NoIntent", "UnsureIntent"


def answers_to(protocol: Protocol, level: Level | str, last: str = YES, *, question: str | None = None) -> list[str]:
    """The answer intents that end the check at ``level`` (or at ``question``), ``last`` the raising one."""
    level = level if isinstance(level, Level) else Level.from_key(level)
    ids = protocol.ids
    if level == Level.SELF_CARE and question is None:
        return [NO] * len(ids)
    target = question or next(q.id for q in protocol.questions if q.level == level)
    return [NO] * ids.index(target) + [last]


def first_question_of(protocol: Protocol, level: Level | str) -> str:
    level = level if isinstance(level, Level) else Level.from_key(level)
    return next(q.id for q in protocol.questions if q.level == level)
