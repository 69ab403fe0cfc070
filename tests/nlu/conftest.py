"""NLU test fixtures: one trained stand-in per locale per test session, and the blind sets measured once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.nlu.classifier import IntentClassifier
from skill.tools.nlu.neighbours import NeighbourClassifier
from tests.support.training import Classifiers


@pytest.fixture(scope="session")
def trained(classifiers: Classifiers) -> Callable[[str], IntentClassifier]:
    """One classifier per locale per session, trained on first use (the session's ``classifiers``,
    which the chat and nlu-eval command tests share)."""

    def get(locale: str) -> IntentClassifier:
        return classifiers.load(DEFAULT_MODEL_DIR / f"{locale}.json", locale)

    return get


@pytest.fixture(scope="session")
def neighbours() -> Callable[[str], NeighbourClassifier]:
    """The second stand-in (nearest neighbours over character n-grams), one per locale per session."""
    cache: dict[str, NeighbourClassifier] = {}

    def get(locale: str) -> NeighbourClassifier:
        if locale not in cache:
            cache[locale] = NeighbourClassifier.load(DEFAULT_MODEL_DIR / f"{locale}.json", locale)
        return cache[locale]

    return get
