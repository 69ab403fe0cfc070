"""A statistical intent classifier (tools layer): an offline stand-in for Alexa's learned NLU.

Alexa learns from an interaction model's samples; it does not match them exactly. This classifier
is trained on one locale's model alone, so its accuracy on phrasings written apart from the samples
is the closest offline measure of what a real device will hear:

- **Training data**: every custom intent's samples, each ``{slot}`` filled with a few of its slot
  type's values and synonyms (a bounded number of copies per sample, chosen so that every value and
  synonym is seen), and for the built-in intents the phrases of :data:`skill.tools.nlu.matcher.BUILTIN_PHRASES`.
- **Features**: TF-IDF of word uni- and bigrams plus character 2-5-grams inside word boundaries
  (robust to word forms: "twitching", "twitches", "twitchy").
- **Model**: logistic regression, one intent against the rest. Below :data:`THRESHOLD` probability the answer is
  ``AMAZON.FallbackIntent``.
- **Slots**: read by :class:`skill.tools.nlu.matcher.SlotReader`: known values and synonyms of the intent's
  slot types, longest first, resolved to ids like Alexa's entity resolution (``AMAZON.DURATION``
  through :func:`skill.tools.nlu.matcher.spoken_duration_to_iso`); a custom slot with no known value takes
  the words a carrier sample puts there, unresolved, as a device does.

scikit-learn is a development dependency only (``pip install -e '.[dev]'``); it is imported when a
classifier is trained, so the skill and the other tools start without it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from skill.tools.models import InteractionModel, load_model
from skill.tools.nlu.matcher import BUILTIN_PHRASES, DURATION_TYPE, FALLBACK_INTENT, Interpretation, SlotReader, fold, normalise

#: Below this probability of the best intent, the utterance is out of domain.
THRESHOLD = 0.2
#: Copies of one sample template with its slots filled by different values (training stays fast).
EXPANSIONS_PER_SAMPLE = 6
#: Spoken durations used to fill AMAZON.DURATION slots in training copies.
_DURATIONS = {
    "en": ("two days", "a week", "three weeks", "a month", "a few days", "six months"),
    "es": ("dos días", "una semana", "tres semanas", "un mes", "unos días", "seis meses"),
}
#: Everyday requests outside the skill, learned as AMAZON.FallbackIntent (as Alexa's fallback model does).
#: Nothing about the body or calling anyone: those words must stay free for the emergency intent.
OUT_OF_DOMAIN = {
    "en": (
        "what's the weather like today", "play some music", "set a timer for ten minutes", "what time is it",
        "turn off the lights", "add milk to my shopping list", "who won the game last night",
        "how tall is mount everest", "order me a pizza", "what's on my calendar",
        "play the news", "how many ounces in a cup", "what's the capital of france", "read me a recipe for pancakes",
        "find a coffee shop nearby", "when does the store close", "wake me up at seven", "what movies are playing",
        "how do i fix my car", "sing me a song", "what's the score", "translate hello into french",
        "what's a good book to read", "how far away is the moon", "give me a joke",
    ),
    "es": (
        "qué tiempo hace hoy", "pon música", "pon un temporizador de diez minutos", "qué hora es",
        "apaga las luces", "añade leche a la lista de la compra", "quién ganó el partido",
        "cuánto mide el everest", "pídeme una pizza", "qué tengo en el calendario",
        "pon las noticias", "cuál es la capital de francia", "dame una receta de tortilla",
        "busca una cafetería cerca", "a qué hora cierra la tienda", "despiértame a las siete",
        "qué películas hay en el cine", "cómo arreglo mi coche", "cántame una canción", "cuánto va el partido",
        "traduce hola al inglés", "recomiéndame un libro", "qué distancia hay a la luna", "cuéntame un chiste",
    ),
}
INSTALL_HINT = "scikit-learn is needed for the classifier: pip install -e '.[dev]' (or pip install scikit-learn)"


class ClassifierUnavailable(RuntimeError):
    """scikit-learn is not installed."""


def _sklearn() -> Any:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion
        import numpy
    except ImportError as exc:  # pragma: no cover - exercised only without the dev extra
        raise ClassifierUnavailable(INSTALL_HINT) from exc

    def model() -> Any:  # one-vs-rest liblinear: ~50x faster to train than the multinomial solver here
        return OneVsRestClassifier(LogisticRegression(C=20.0, solver="liblinear"))

    return TfidfVectorizer, model, FeatureUnion, numpy


def _text_key(text: str) -> str:
    return fold(normalise(text))


class IntentClassifier:
    """Intent and slots for an utterance, learned from one locale's interaction model."""

    def __init__(self, features: Any, weights: Any, bias: Any, classes: Sequence[str], locale: str,
                 slots: SlotReader, threshold: float = THRESHOLD, vocabulary: frozenset[str] = frozenset()) -> None:
        self._features = features
        #: Every word of the training texts: an utterance sharing none of them is out of domain.
        self._vocabulary = vocabulary
        self._weights = weights  # classes x features, the one-vs-rest models stacked
        self._bias = bias
        self.classes = tuple(classes)
        self.locale = locale
        self.language = locale.split("-")[0].lower()
        self.slots = slots
        self.threshold = threshold

    # --- training ---

    @classmethod
    def train(cls, model: InteractionModel, locale: str) -> IntentClassifier:
        """A classifier trained on ``model`` alone."""
        TfidfVectorizer, linear_model, FeatureUnion, numpy = _sklearn()
        language = locale.split("-")[0].lower()
        texts, labels = training_data(model, language)
        if len(set(labels)) < 2:
            raise ValueError(f"{locale}: a classifier needs samples for at least two intents")
        features = FeatureUnion([
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                      token_pattern=r"(?u)\b\w+\b")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ])
        matrix = features.fit_transform([_text_key(t) for t in texts])
        fitted = linear_model().fit(matrix, labels)
        # One matrix product per batch instead of one call per intent model: predicting stays ~1 ms.
        weights = numpy.vstack([estimator.coef_ for estimator in fitted.estimators_])
        bias = numpy.concatenate([estimator.intercept_ for estimator in fitted.estimators_])
        vocabulary = frozenset(word for text in texts for word in _text_key(text).split())
        return cls(features, weights, bias, [str(c) for c in fitted.classes_], locale, SlotReader(model, language),
                   vocabulary=vocabulary)

    @classmethod
    def load(cls, path: Path, locale: str | None = None) -> IntentClassifier:
        """The classifier for ``interaction_model/<locale>.json``."""
        return cls.train(load_model(path), locale or path.stem)

    # --- prediction ---

    def probabilities(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """For each text, every intent with its probability, likeliest first (one-vs-rest, normalised)."""
        keys = [_text_key(t) for t in texts]
        if not keys:
            return []
        scores = self._features.transform(keys) @ self._weights.T + self._bias
        out = []
        for key, row in zip(keys, scores):
            if not key:
                out.append([])
                continue
            odds = [1.0 / (1.0 + math.exp(-float(x))) for x in row]
            total = sum(odds) or 1.0
            out.append(sorted(((c, p / total) for c, p in zip(self.classes, odds)), key=lambda cp: -cp[1]))
        return out

    def ranked(self, text: str, n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` likeliest intents with their probabilities."""
        return self.probabilities([text])[0][:n]

    def predict(self, text: str) -> Interpretation:
        """The intent and its slots; ``AMAZON.FallbackIntent`` when no intent is likely enough."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Interpretation]:
        """:meth:`predict` for many texts at once (one matrix product)."""
        return [
            self.slots.interpret(text, ranked, self.threshold,
                                 known=not self._vocabulary or any(w in self._vocabulary for w in _text_key(text).split()))
            for text, ranked in zip(texts, self.probabilities(texts))
        ]


# --- training data ------------------------------------------------------------------------------


def _slot_phrases(model: InteractionModel, language: str) -> dict[str, list[str]]:
    """Slot type -> every value and synonym (as written), in model order."""
    phrases: dict[str, list[str]] = {}
    for slot_type in model.types:
        phrases[slot_type.name] = [said for value in slot_type.values for said in value.said if said]
    phrases[DURATION_TYPE] = list(_DURATIONS.get(language, _DURATIONS["en"]))
    return phrases


def _fill(template: str, slots: Mapping[str, str], cycles: Mapping[str, Iterable[str]]) -> str:
    text = template
    for name, slot_type in slots.items():
        marker = "{" + name + "}"
        if marker in text:
            cycle = cycles.get(slot_type)
            text = text.replace(marker, next(cycle) if cycle is not None else "something")  # type: ignore[call-overload]
    return text


def training_data(model: InteractionModel, language: str) -> tuple[list[str], list[str]]:
    """(texts, intents): samples with their slots filled, the built-in intents' phrases, and everyday
    out-of-domain requests as ``AMAZON.FallbackIntent`` when the model has it.

    Each slot type's values and synonyms are dealt out in turn across the templates that use it,
    :data:`EXPANSIONS_PER_SAMPLE` copies per template, so every phrase is seen and none dominates.
    """
    phrases = _slot_phrases(model, language)
    cycles = {name: itertools.cycle(said) for name, said in phrases.items() if said}
    builtins = BUILTIN_PHRASES.get(language, BUILTIN_PHRASES["en"])
    texts: list[str] = []
    labels: list[str] = []
    for intent in model.intents:
        name = intent.name
        slots = intent.slot_types
        samples: Sequence[str] = intent.samples
        if intent.is_builtin:
            samples = [*samples, *builtins.get(name, ())]
        for sample in samples:
            if "{" not in sample:
                texts.append(sample)
                labels.append(name)
                continue
            copies = {_fill(sample, slots, cycles) for _ in range(EXPANSIONS_PER_SAMPLE)}
            for copy in sorted(copies):
                texts.append(copy)
                labels.append(name)
    if FALLBACK_INTENT in model.intent_names:
        phrases_out = OUT_OF_DOMAIN.get(language, OUT_OF_DOMAIN["en"])
        texts += phrases_out
        labels += [FALLBACK_INTENT] * len(phrases_out)
    return texts, labels
