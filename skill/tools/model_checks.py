"""Interaction model checks (tools layer): Alexa's rules and the project's own, as data.

Used by ``nose-twitch validate`` and by the test suite, so the rules CI enforces are the ones a
developer can run by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Words Alexa reserves for launching and the wake words; an invocation name may not contain them.
LAUNCH_WORDS = frozenset(
    {"launch", "ask", "tell", "load", "begin", "enable", "open", "start", "play", "use", "alexa", "amazon",
     "echo", "computer", "skill", "app"}
)
MIN_SAMPLES = 15
#: Alexa's documented limits for a custom interaction model.
MAX_INTENTS = 250
MAX_SAMPLES_PER_INTENT = 2000
MAX_MODEL_BYTES = 1_500_000
_SAMPLE = re.compile(r"^[\w' .\-]+$|^$", re.UNICODE)
_SLOT_REF = re.compile(r"\{([^{}]+)\}")
_INVOCATION = re.compile(r"^[a-zñáéíóúü]+( [a-zñáéíóúü]+)+$")


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: where (file and key) and what."""

    file: str
    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.severity}: {self.message}"


def load_model(path: Path) -> Mapping[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def normalise(utterance: str) -> str:
    return " ".join(utterance.lower().split())


def check_model(path: Path) -> list[Problem]:
    """Every problem with one ``interaction_model/<locale>.json``."""
    name = path.name
    try:
        raw = path.read_bytes()
        model = json.loads(raw)
    except (OSError, ValueError) as exc:
        return [Problem(name, "file", f"cannot read the model: {exc}")]
    problems: list[Problem] = []
    if len(raw) > MAX_MODEL_BYTES:
        problems.append(Problem(name, "file", f"model is {len(raw)} bytes, over Alexa's {MAX_MODEL_BYTES}"))
    language = (model.get("interactionModel") or {}).get("languageModel") or {}
    if not language:
        return [Problem(name, "interactionModel.languageModel", "missing")]
    problems += check_invocation_name(name, language.get("invocationName", ""))
    types = {t.get("name"): t for t in language.get("types", [])}
    intents = language.get("intents", [])
    if len(intents) > MAX_INTENTS:
        problems.append(Problem(name, "intents", f"{len(intents)} intents, over Alexa's {MAX_INTENTS}"))
    seen: dict[str, str] = {}
    for intent in intents:
        intent_name = intent.get("name", "?")
        where = f"intents.{intent_name}"
        samples = intent.get("samples", [])
        slots = {s.get("name"): s for s in intent.get("slots", [])}
        custom = not intent_name.startswith("AMAZON.")
        if custom and len(samples) < MIN_SAMPLES:
            problems.append(Problem(name, where, f"only {len(samples)} sample utterances (at least {MIN_SAMPLES})"))
        if len(samples) > MAX_SAMPLES_PER_INTENT:
            problems.append(Problem(name, where, f"{len(samples)} samples, over {MAX_SAMPLES_PER_INTENT}"))
        for sample in samples:
            key = normalise(sample)
            if not _SAMPLE.match(_SLOT_REF.sub("slot", sample)) or re.search(r"\d", sample):
                problems.append(Problem(name, f"{where}: {sample!r}", "sample has characters Alexa rejects"))
            if key in seen and seen[key] != intent_name:
                problems.append(Problem(name, f"{where}: {sample!r}", f"same sample as in {seen[key]}"))
            seen.setdefault(key, intent_name)
            for ref in _SLOT_REF.findall(sample):
                if ref not in slots:
                    problems.append(Problem(name, f"{where}: {sample!r}", f"slot {{{ref}}} is not declared"))
            if _SLOT_REF.sub("", sample).strip() == "":
                problems.append(Problem(name, f"{where}: {sample!r}", "a sample that is only a slot"))
        for slot_name, slot in slots.items():
            slot_type = slot.get("type", "")
            if not slot_type.startswith("AMAZON.") and slot_type not in types:
                problems.append(Problem(name, f"{where}.slots.{slot_name}", f"slot type {slot_type!r} is not defined"))
    for type_name, slot_type in types.items():
        ids = [v.get("id") for v in slot_type.get("values", [])]
        if len(ids) != len(set(ids)):
            problems.append(Problem(name, f"types.{type_name}", "duplicate value ids"))
        if any(not i for i in ids):
            problems.append(Problem(name, f"types.{type_name}", "a value without an id (entity resolution needs one)"))
    return problems


def check_invocation_name(file: str, invocation: str) -> list[Problem]:
    problems = []
    if not _INVOCATION.match(invocation or ""):
        problems.append(Problem(file, "invocationName", f"{invocation!r}: two or more lowercase words, letters only"))
    banned = sorted(set(invocation.split()) & LAUNCH_WORDS)
    if banned:
        problems.append(Problem(file, "invocationName", f"{invocation!r} contains launch or wake words: {banned}"))
    return problems


def model_intents(model: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """intent name -> {slot name: slot type}."""
    language = model["interactionModel"]["languageModel"]
    return {
        intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for intent in language.get("intents", [])
    }


def slot_value_ids(model: Mapping[str, Any], type_name: str) -> list[str]:
    language = model["interactionModel"]["languageModel"]
    for slot_type in language.get("types", []):
        if slot_type.get("name") == type_name:
            return [value["id"] for value in slot_type.get("values", [])]
    return []


def model_paths(model_dir: Path) -> Iterable[Path]:
    return sorted(model_dir.glob("*.json"))
