"""Spoken time (domain layer): the one place that says how long words take to say, and the limits.

A voice product's budgets are what the person hears, in seconds at :data:`WORDS_PER_MINUTE`. The
symptom check's budgets (:mod:`skill.domain.triage_budget`), the emergency answer
(:mod:`skill.domain.emergency`), the tests and the bench all read these numbers from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

WORDS_PER_MINUTE = 150
#: Every emergency sign of the symptom check is asked within this much speech from its start.
MAX_EMERGENCY_REACH_SECONDS = 30.0
#: One question sentence.
MAX_QUESTION_SECONDS = 8.0
#: One response.
MAX_RESPONSE_SECONDS = 20.0
#: The whole symptom check answered "no" throughout, with its outcome.
MAX_ALL_NO_SECONDS = 150.0

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def words(text: str) -> int:
    return len(text.split())


def seconds(*texts: str) -> float:
    """Spoken seconds of some texts at :data:`WORDS_PER_MINUTE`."""
    return sum(words(t) for t in texts) * 60 / WORDS_PER_MINUTE


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def fit(required: Sequence[str], optional: Iterable[str], budget: float = MAX_RESPONSE_SECONDS) -> list[str]:
    """The optional lines, in order, that still fit in ``budget`` seconds after the required ones."""
    used = seconds(*required)
    chosen = []
    for line in optional:
        if used + seconds(line) <= budget + 1e-9:
            chosen.append(line)
            used += seconds(line)
    return chosen
