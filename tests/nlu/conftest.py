"""NLU test fixtures: one statistical classifier per locale per test session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.classifier import IntentClassifier


@pytest.fixture(scope="session")
def trained() -> Callable[[str], IntentClassifier]:
    """One classifier per locale per session, trained on first use (kept in memory only)."""
    cache: dict[str, IntentClassifier] = {}

    def get(locale: str) -> IntentClassifier:
        if locale not in cache:
            cache[locale] = IntentClassifier.load(DEFAULT_MODEL_DIR / f"{locale}.json", locale)
        return cache[locale]

    return get
