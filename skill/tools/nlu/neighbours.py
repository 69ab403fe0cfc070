"""A second NLU stand-in (tools layer): nearest neighbours by character n-gram similarity.

One stand-in's quirks should not decide what the models are worth, so ``nose-twitch nlu-eval`` and
tests/nlu/ measure with two that learn differently from the same training data
(:func:`skill.tools.nlu.classifier.training_data`, one locale's model alone):

- :class:`skill.tools.nlu.classifier.IntentClassifier` learns weights (logistic regression over word
  and character n-grams): it generalises from words that mark an intent;
- :class:`NeighbourClassifier` learns nothing: it keeps every training sentence and answers with
  the intent whose sentences are closest to what was said, by cosine similarity of character
  3-5-grams (TF-IDF). It rewards phrasings that look like some sample as a whole, and knows no word
  is more telling than another beyond how rare it is.

An intent's score is the mean similarity of its :data:`NEIGHBOURS` closest sentences, so one lucky
sample does not carry an intent. Below :data:`THRESHOLD` the answer is ``AMAZON.FallbackIntent``.
Slots are read by the same :class:`skill.tools.nlu.matcher.SlotReader` as the classifier's, so the two
differ only in hearing the intent. scikit-learn (a development dependency) builds the vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skill.tools.nlu.classifier import ClassifierUnavailable, INSTALL_HINT, training_data
from skill.tools.models import InteractionModel, load_model
from skill.tools.nlu.matcher import Interpretation, SlotReader, fold, normalise

#: How many of an intent's closest training sentences make its score.
NEIGHBOURS = 3
#: Below this mean similarity the utterance is out of domain.
THRESHOLD = 0.12


def _vectorizer() -> Any:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError as exc:  # pragma: no cover - exercised only without the dev extra
        raise ClassifierUnavailable(INSTALL_HINT) from exc
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)


def _key(text: str) -> str:
    return fold(normalise(text))


class NeighbourClassifier:
    """Intent and slots for an utterance: the intent of the most similar training sentences."""

    def __init__(self, vectorizer: Any, matrix: Any, labels: Sequence[str], locale: str, slots: SlotReader,
                 threshold: float = THRESHOLD) -> None:
        self._vectorizer = vectorizer
        self._matrix = matrix  # training sentences x n-grams, rows L2-normalised
        self.classes = tuple(sorted(set(labels)))
        self._rows = {c: [i for i, label in enumerate(labels) if label == c] for c in self.classes}
        self.locale = locale
        self.slots = slots
        self.threshold = threshold

    @classmethod
    def train(cls, model: InteractionModel, locale: str) -> NeighbourClassifier:
        """The stand-in for one interaction model."""
        language = locale.split("-")[0].lower()
        texts, labels = training_data(model, language)
        if len(set(labels)) < 2:
            raise ValueError(f"{locale}: a classifier needs samples for at least two intents")
        vectorizer = _vectorizer()
        matrix = vectorizer.fit_transform([_key(t) for t in texts])
        return cls(vectorizer, matrix, labels, locale, SlotReader(model, language))

    @classmethod
    def load(cls, path: Path, locale: str | None = None) -> NeighbourClassifier:
        """The stand-in for ``interaction_model/<locale>.json``."""
        return cls.train(load_model(path), locale or path.stem)

    def scores(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """For each text, every intent with its score (mean similarity of its closest sentences), best first."""
        keys = [_key(t) for t in texts]
        if not keys:
            return []
        similarities = (self._vectorizer.transform(keys) @ self._matrix.T).toarray()
        out = []
        for key, row in zip(keys, similarities):
            if not key:
                out.append([])
                continue
            ranked = []
            for intent, rows in self._rows.items():
                closest = sorted((float(row[i]) for i in rows), reverse=True)[:NEIGHBOURS]
                ranked.append((intent, sum(closest) / len(closest)))
            out.append(sorted(ranked, key=lambda pair: -pair[1]))
        return out

    def ranked(self, text: str, n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` likeliest intents with their scores."""
        return self.scores([text])[0][:n]

    def predict(self, text: str) -> Interpretation:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Interpretation]:
        """The intent and slots for each text; ``AMAZON.FallbackIntent`` when nothing is close enough."""
        return [self.slots.interpret(text, ranked, self.threshold) for text, ranked in zip(texts, self.scores(texts))]
