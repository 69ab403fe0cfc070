"""Interaction model checks (tools layer): Alexa's rules and the project's own, as data.

Used by ``nose-twitch validate`` and by the test suite, so the rules CI enforces are the ones a
developer can run by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from skill.tools.checks.problem import Problem
from skill.tools.models import language_model, model_label, sample_key

#: Words Alexa reserves for launching and the wake words; an invocation name may not contain them.
LAUNCH_WORDS = frozenset(
    {"launch", "ask", "tell", "load", "begin", "enable", "open", "start", "play", "use", "alexa", "amazon",
     "echo", "computer", "skill", "app"}
)
#: The same rule in other languages the skill speaks (the launch phrases of Alexa in Spanish).
LAUNCH_WORDS_BY_LANGUAGE = {
    "en": LAUNCH_WORDS,
    "es": LAUNCH_WORDS
    | frozenset({"abre", "abrir", "pregunta", "preguntar", "pide", "pedir", "dile", "decir", "inicia", "iniciar",
                 "empieza", "empezar", "comienza", "lanza", "carga", "juega", "jugar", "usa", "usar", "activa",
                 "habilita", "ejecuta"}),
}
MIN_SAMPLES = 15
#: Alexa's documented limits for a custom interaction model.
MAX_INTENTS = 250
MAX_SAMPLES_PER_INTENT = 2000
MAX_MODEL_BYTES = 1_500_000
_SAMPLE = re.compile(r"^[\w' .\-]+$|^$", re.UNICODE)
_SLOT_REF = re.compile(r"\{([^{}]+)\}")
_INVOCATION = re.compile(r"^[a-zñáéíóúü]+( [a-zñáéíóúü]+)+$")


#: Words that carry no intent: two samples that differ only by these are one sample to a listener.
FILLER_WORDS = {
    "en": frozenset({"please", "the", "a", "an", "my", "me", "just", "so", "really", "now", "then", "um", "uh",
                     "well", "oh", "hey", "okay", "ok"}),
    "es": frozenset({"pues", "bueno", "oye", "eh", "por favor", "favor", "el", "la", "los", "las", "mi", "ahora",
                     "entonces", "ya"}),
}


class _Lines:
    """Line numbers of strings in a model's JSON text, so a problem can say where to look."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def find(self, needle: str, after: int = 0, nth: int = 1) -> int | None:
        """The 1-based line of the ``nth`` line at or after line ``after`` that contains ``needle``."""
        for number, line in enumerate(self._lines[after:], start=after + 1):
            if needle in line:
                nth -= 1
                if nth == 0:
                    return number
        return None

    def intent(self, name: str) -> int:
        return self.find(json.dumps({"name": name})[1:-1]) or 0

    def where(self, intent_line: int, sample: str, nth: int = 1) -> str:
        """``line N: intents.X: 'sample'`` (without the line when it cannot be found)."""
        line = self.find(json.dumps(sample, ensure_ascii=False), intent_line, nth) or self.find(
            json.dumps(sample), intent_line, nth
        )
        return f"line {line}: " if line else ""


def check_model(path: Path) -> list[Problem]:
    """Every problem with one ``interaction_model/<locale>.json``."""
    name = model_label(path)
    try:
        raw = path.read_bytes()
        model = json.loads(raw)
    except (OSError, ValueError) as exc:
        return [Problem(name, "file", f"cannot read the model: {exc}")]
    lines = _Lines(raw.decode("utf-8", errors="replace"))
    problems: list[Problem] = []
    if len(raw) > MAX_MODEL_BYTES:
        problems.append(Problem(name, "file", f"model is {len(raw)} bytes, over Alexa's {MAX_MODEL_BYTES}"))
    language = language_model(model) or {}
    if not language:
        return [Problem(name, "interactionModel.languageModel", "missing")]
    problems += check_invocation_name(name, language.get("invocationName", ""), path.stem.split("-")[0].lower())
    types = {t.get("name"): t for t in language.get("types", [])}
    intents = language.get("intents", [])
    if len(intents) > MAX_INTENTS:
        problems.append(Problem(name, "intents", f"{len(intents)} intents, over Alexa's {MAX_INTENTS}"))
    seen: dict[str, str] = {}
    placed: list[tuple[str, str, str]] = []
    for intent in intents:
        intent_name = intent.get("name", "?")
        where = f"intents.{intent_name}"
        intent_line = lines.intent(intent_name)
        samples = intent.get("samples", [])
        times: dict[str, int] = {}
        slots = {s.get("name"): s for s in intent.get("slots", [])}
        custom = not intent_name.startswith("AMAZON.")
        if custom and len(samples) < MIN_SAMPLES:
            problems.append(Problem(name, where, f"only {len(samples)} sample utterances (at least {MIN_SAMPLES})"))
        if len(samples) > MAX_SAMPLES_PER_INTENT:
            problems.append(Problem(name, where, f"{len(samples)} samples, over {MAX_SAMPLES_PER_INTENT}"))
        for sample in samples:
            key = sample_key(sample)
            times[sample] = times.get(sample, 0) + 1
            at = f"{lines.where(intent_line, sample, times[sample])}{where}: {sample!r}"
            if not _SAMPLE.match(_SLOT_REF.sub("slot", sample)) or re.search(r"\d", sample):
                problems.append(Problem(name, at, "sample has characters Alexa rejects"))
            if key in seen and seen[key] != intent_name:
                problems.append(Problem(name, at, f"same sample as in {seen[key]}"))
            elif key in seen:
                problems.append(Problem(name, at, "the same sample is listed twice in this intent"))
            seen.setdefault(key, intent_name)
            for ref in _SLOT_REF.findall(sample):
                if ref not in slots:
                    problems.append(Problem(name, at, f"slot {{{ref}}} is not declared"))
            if _SLOT_REF.sub("", sample).strip() == "":
                problems.append(Problem(name, at, "a sample that is only a slot"))
            placed.append((intent_name, sample, at))
        for slot_name, slot in slots.items():
            slot_type = slot.get("type", "")
            if not slot_type.startswith("AMAZON.") and slot_type not in types:
                problems.append(Problem(name, f"{where}.slots.{slot_name}", f"slot type {slot_type!r} is not defined"))
    problems += check_near_duplicates(name, placed, path.stem.split("-")[0].lower())
    for type_name, slot_type in types.items():
        ids = [v.get("id") for v in slot_type.get("values", [])]
        if len(ids) != len(set(ids)):
            problems.append(Problem(name, f"types.{type_name}", "duplicate value ids"))
        if any(not i for i in ids):
            problems.append(Problem(name, f"types.{type_name}", "a value without an id (entity resolution needs one)"))
        owner: dict[str, str] = {}
        for value in slot_type.get("values", []):
            body = value.get("name") or {}
            for said in (body.get("value", ""), *body.get("synonyms", ())):
                key = sample_key(said)
                if key in owner and owner[key] != value.get("id"):
                    problems.append(Problem(
                        name, f"types.{type_name}.{value.get('id')}",
                        f"{said!r} is also a value or synonym of {owner[key]!r} (resolution is ambiguous)",
                        "warning",
                    ))
                owner.setdefault(key, value.get("id"))
    return problems


def _loose_words(sample: str, language: str) -> list[str]:
    """A sample's words with filler words dropped; a slot stays as ``{name}``.

    Two carriers that differ only in their slot ("tell me about {trigger}", "tell me about {thing}")
    are told apart by the slot's values, as Alexa does, so slot names are kept.
    """
    fillers = FILLER_WORDS.get(language, FILLER_WORDS["en"])
    text = " ".join(sample.lower().split())
    for phrase in (f for f in fillers if " " in f):
        text = f" {text} ".replace(f" {phrase} ", " ").strip()
    return [w for w in text.split() if w not in fillers]


def check_near_duplicates(file: str, placed: Iterable[tuple[str, str, str]], language: str) -> list[Problem]:
    """Warnings for samples of different intents that Alexa would find ambiguous.

    Two kinds: the same words once filler words are ignored ("tell me about {trigger}" and "tell me
    about the {trigger}"), and one word apart ("should i see a doctor about it" and "when
    should i see a doctor about it"). Exact duplicates are errors reported elsewhere.
    """
    problems: list[Problem] = []
    loose: dict[str, tuple[str, str]] = {}
    exact: dict[str, tuple[str, str]] = {}
    entries = []
    for intent, sample, at in placed:
        words = _loose_words(sample, language)
        key = " ".join(words)
        exact_key = sample_key(sample)
        if key in loose and loose[key][0] != intent and exact.get(exact_key, (intent,))[0] == intent:
            other_intent, other = loose[key]
            problems.append(Problem(file, at, f"near-duplicate of {other!r} in intents.{other_intent} (the same "
                                              "words once filler words are ignored)", "warning"))
        loose.setdefault(key, (intent, sample))
        exact.setdefault(exact_key, (intent, sample))
        entries.append((intent, sample, at, words))
    for intent, sample, at, words in entries:
        if len(words) < 3:
            continue
        for i in range(len(words)):
            if words[i].startswith("{"):  # a slot carries what was said: "puede ser el {trigger}" is not "puede ser"
                continue
            shorter = " ".join(words[:i] + words[i + 1 :])
            if shorter in loose and loose[shorter][0] != intent:
                other_intent, other = loose[shorter]
                problems.append(Problem(file, at, f"near-duplicate of {other!r} in intents.{other_intent} (one word "
                                                  f"apart: {words[i]!r}); Alexa may confuse them", "warning"))
                break
    return problems


def check_invocation_name(file: str, invocation: str, language: str = "en") -> list[Problem]:
    problems = []
    if not _INVOCATION.match(invocation or ""):
        problems.append(Problem(file, "invocationName", f"{invocation!r}: two or more lowercase words, letters only"))
    banned = sorted(set(invocation.split()) & LAUNCH_WORDS_BY_LANGUAGE.get(language, LAUNCH_WORDS))
    if banned:
        problems.append(Problem(file, "invocationName", f"{invocation!r} contains launch or wake words: {banned}"))
    return problems
