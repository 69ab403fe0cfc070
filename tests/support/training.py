"""Intent classifiers trained once per test session: training one locale's classifier takes seconds
(tens of seconds on a loaded machine), and many tests hear through the same locale's model.

:class:`Classifiers` keys each trained classifier on the locale and the model's whole JSON, so a
test that plants a change in a copy of a model gets a classifier of its own. Training is the real
:meth:`IntentClassifier.train`; only its result is shared (a classifier is not changed by use).
"""

from __future__ import annotations

import json
from pathlib import Path

from skill.tools.models import InteractionModel, load_model
from skill.tools.nlu.classifier import IntentClassifier


class Classifiers:
    def __init__(self) -> None:
        self._trained: dict[tuple[str, str], IntentClassifier] = {}
        self.trainings = 0

    def train(self, model: InteractionModel, locale: str, *, train=IntentClassifier.train) -> IntentClassifier:
        """The classifier ``IntentClassifier.train(model, locale)`` gives, trained on first use."""
        key = (locale, json.dumps(model.raw, sort_keys=True))
        if key not in self._trained:
            self._trained[key] = train(model, locale)
            self.trainings += 1
        return self._trained[key]

    def load(self, path: Path, locale: str) -> IntentClassifier:
        return self.train(load_model(path), locale)
