"""Interaction models (tools layer): ``interaction_model/<locale>.json`` read once into typed objects.

The one place that knows the file's shape (``interactionModel.languageModel`` with its invocation
name, intents, their samples and slots, and the custom slot types with their values, ids and
synonyms). Every tool reads models through :func:`load_model`; only the validator
(:func:`skill.tools.checks.model.check_model`) reads the raw JSON, through :func:`language_model`,
because its job is to report every shape problem a file has, where this reader stops at the first.

The reader is as lenient as Alexa's console about what may be left out (no samples, no slots, no
types, no synonyms) and strict about what must be there: a file that is not JSON, or has no
``interactionModel.languageModel`` mapping, is a :class:`ModelError` naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.domain.errors import ContentError


class ModelError(ContentError):
    """An interaction model that cannot be read; the message names the file and what is wrong.

    A :class:`~skill.domain.errors.ContentError`, so the command line reports it as it reports
    broken content: one line naming the file, exit status 2.
    """


@dataclass(frozen=True)
class Slot:
    """A slot an intent declares: its name and its type (custom or ``AMAZON.*``)."""

    name: str
    type: str


@dataclass(frozen=True)
class Intent:
    """An intent with its sample utterances (``{slot}`` references kept) and its slots."""

    name: str
    samples: tuple[str, ...] = ()
    slots: tuple[Slot, ...] = ()

    @property
    def is_builtin(self) -> bool:
        return self.name.startswith("AMAZON.")

    @property
    def slot_types(self) -> dict[str, str]:
        """slot name -> slot type, in declaration order."""
        return {slot.name: slot.type for slot in self.slots}


@dataclass(frozen=True)
class SlotValue:
    """One value of a custom slot type: the id entity resolution reports, the value and its synonyms."""

    id: str | None
    value: str
    synonyms: tuple[str, ...] = ()

    @property
    def said(self) -> tuple[str, ...]:
        """The value, then its synonyms: everything that resolves to this id."""
        return (self.value, *self.synonyms)


@dataclass(frozen=True)
class SlotType:
    """A custom slot type and its values, in model order."""

    name: str
    values: tuple[SlotValue, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [value.id for value in self.values if value.id is not None]


@dataclass(frozen=True)
class InteractionModel:
    """One locale's interaction model. ``raw`` is the file's JSON, written unchanged into a package;
    ``locale`` is the file's stem (``en-US``), empty for a model that came from no file."""

    invocation_name: str
    intents: tuple[Intent, ...]
    types: tuple[SlotType, ...]
    raw: Mapping[str, Any]
    locale: str = ""

    @property
    def country(self) -> str:
        """The locale's country code (``US`` for ``en-US``)."""
        return self.locale.split("-")[1].upper()

    def intent(self, name: str) -> Intent | None:
        return next((intent for intent in self.intents if intent.name == name), None)

    def slot_type(self, name: str) -> SlotType | None:
        return next((slot_type for slot_type in self.types if slot_type.name == name), None)

    @property
    def custom_intents(self) -> tuple[Intent, ...]:
        return tuple(intent for intent in self.intents if not intent.is_builtin)

    @property
    def intent_names(self) -> frozenset[str]:
        return frozenset(intent.name for intent in self.intents)

    def intent_slots(self) -> dict[str, dict[str, str]]:
        """intent name -> {slot name: slot type}, for every intent."""
        return {intent.name: intent.slot_types for intent in self.intents}

    def value_ids(self, type_name: str) -> list[str]:
        """The value ids of a custom slot type, in model order (empty when the model has no such type)."""
        slot_type = self.slot_type(type_name)
        return slot_type.ids if slot_type is not None else []

    def samples(self) -> Iterator[str]:
        """Every sample utterance of every intent, in model order."""
        for intent in self.intents:
            yield from intent.samples


def language_model(data: Any) -> dict[str, Any] | None:
    """The raw ``interactionModel.languageModel`` mapping of a model's JSON, or None when it has none.

    For the validator, which reports what the typed reader would refuse, and for tests that plant a
    fault in a copy of a model file.
    """
    body = data.get("interactionModel") if isinstance(data, dict) else None
    language = body.get("languageModel") if isinstance(body, dict) else None
    return language if isinstance(language, dict) else None


def parse_model(data: Any, source: str = "the interaction model", locale: str = "") -> InteractionModel:
    """A model from its JSON (as loaded); ModelError naming ``source`` when it is not one."""
    language = language_model(data)
    if language is None:
        raise ModelError(f"{source}: no interactionModel.languageModel mapping")
    try:
        intents = tuple(
            Intent(
                name=str(intent["name"]),
                samples=tuple(str(sample) for sample in intent.get("samples", ())),
                slots=tuple(Slot(str(slot["name"]), str(slot["type"])) for slot in intent.get("slots", ())),
            )
            for intent in language.get("intents", ())
        )
        types = tuple(
            SlotType(str(slot_type["name"]), tuple(_value(value) for value in slot_type.get("values", ())))
            for slot_type in language.get("types", ())
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"{source}: not an interaction model Alexa would accept ({type(exc).__name__}: {exc})") from None
    return InteractionModel(str(language.get("invocationName", "")), intents, types, data, locale)


def _value(value: Mapping[str, Any]) -> SlotValue:
    body = value.get("name") or {}
    value_id = value.get("id")
    return SlotValue(
        id=str(value_id) if value_id else None,
        value=str(body.get("value", "")),
        synonyms=tuple(str(synonym) for synonym in body.get("synonyms", ())),
    )


def model_label(path: Path) -> str:
    """How messages name a model file: ``interaction_model/en-US.json``."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def load_model(path: Path) -> InteractionModel:
    """The model in ``path``; ModelError naming the file when it cannot be read or is not a model."""
    label = model_label(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{label}: cannot read the model: {exc}") from None
    return parse_model(data, label, path.stem)


def model_paths(model_dir: Path) -> list[Path]:
    """The model files of a folder, ``<locale>.json``, sorted (the locale is the file's stem)."""
    return sorted(model_dir.glob("*.json"))


def sample_key(utterance: str) -> str:
    """How Alexa tells two samples (or an example phrase and a sample) apart: case and spacing aside.

    Not :func:`skill.tools.nlu.matcher.normalise`, which also drops punctuation and apostrophes to
    hear typed words; a model's samples must differ by more than case and spaces.
    """
    return " ".join(utterance.lower().split())


def readable_models(model_dir: Path) -> dict[str, InteractionModel]:
    """locale -> model for each readable file of a folder; the others are left out (the validator
    reports them)."""
    models = {}
    for path in model_paths(model_dir):
        try:
            models[path.stem] = load_model(path)
        except ModelError:
            continue
    return models
