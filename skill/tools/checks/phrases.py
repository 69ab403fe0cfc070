"""Phrase checks (tools layer): what the skill tells people to say must be something its models hear.

Two rules, run by ``nose-twitch validate`` (each finding names the file and the key):

- **Description phrases.** Every phrase quoted in a store description or summary
  (``content/<language>/manifest.yaml``) is a full example phrase: the wake word, a launch word, the
  locale's invocation name, and then nothing or one of the model's samples ("Alexa, ask nose twitch
  guide to check my symptoms"). A bare "check my symptoms" is one of Amazon's common description
  failures. Use ``{invocation_name}`` in the text; it is filled from each locale's model.
- **Suggested phrases.** Every phrase the skill suggests while talking ("You could say: why does my
  nose twitch? Or: check my symptoms.", "Try: ...", "Say yes, no, or not sure", "Puedes decir: ...",
  "Di sí ...") is, word for word, a sample of that locale's model (a custom slot filled with one of
  its values counts) or a phrase of a built-in intent. Suggestions are recognised by their cue
  words (:data:`CUES`); hints in indirect speech ("You can ask about causes") are not phrases and
  are not checked. A purpose clause after a phrase ("Say yes *to hear more*") is not part of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.domain.content import DEFAULT_LANGUAGE, ContentStore
from skill.domain.errors import ContentError
from skill.tools.checks.content import load_content_files, lookup, walk
from skill.tools.checks.problem import Problem
from skill.tools.models import readable_models
from skill.tools.nlu.matcher import ER_SUCCESS_NO_MATCH, FALLBACK_INTENT, Matcher
from skill.tools.ship.package import example_phrase_problem  # the store listing's own rule

#: Cue words that introduce phrases to say, per language: a cue with a colon, or a "say" word.
CUES: Mapping[str, re.Pattern[str]] = {
    "en": re.compile(r"\b(?:you could say|you can say|try saying|or say|say)\b:?|(?:^|(?<=[.!?] ))answer\b:?|\b(?:try|or)\b:", re.IGNORECASE),
    "es": re.compile(
        r"\b(?:puedes decir|intenta decir|prueba a decir|o di|di)\b:?|(?:^|(?<=[.!?] ))responde\b:?|\b(?:prueba|o bien|o)\b:", re.IGNORECASE
    ),
}
#: Between listed phrases: a comma, "or" / "o", or both.
_SEPARATORS = {
    "en": re.compile(r"\s*,\s*(?:or\s+)?|\s+or\s+", re.IGNORECASE),
    "es": re.compile(r"\s*,\s*(?:o\s+)?|\s+o\s+", re.IGNORECASE),
}
#: An item that starts like this is an indirect hint ("or ask what causes it"), not a phrase.
_INDIRECT = {"en": re.compile(r"^(?:ask|you can ask)\b", re.I), "es": re.compile(r"^(?:preguntar|pregunta|pregúntame)\b", re.I)}
#: A purpose clause after the phrase: "yes *to hear more*", "sí *para seguir*".
_PURPOSE = {"en": re.compile(r"\s+(?:to|for)\s.*$", re.I), "es": re.compile(r"\s+para\s.*$", re.I)}
_SENTENCE = re.compile(r"[^.?!]*")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|«([^»]+)»")
#: Sections that are not spoken (the store listing has its own rule).
_NOT_SPOKEN = frozenset({"manifest", "sources", "clinical_sources"})


@dataclass(frozen=True)
class Suggestion:
    file: str
    key: str
    phrase: str
    locales: tuple[str, ...]


def suggested_phrases(text: str, language: str) -> Iterator[str]:
    """The phrases a spoken text suggests saying, lower case, without punctuation around them."""
    cues = CUES.get(language, CUES["en"])
    separators = _SEPARATORS.get(language, _SEPARATORS["en"])
    indirect = _INDIRECT.get(language, _INDIRECT["en"])
    for cue in cues.finditer(text):
        tail = _SENTENCE.match(text, cue.end())
        for item in separators.split(tail.group(0) if tail else ""):
            item = item.strip(" \"'“”«»¿¡:;").lower()
            if not item:
                continue
            if indirect.match(item):
                break
            yield item


def _heard(matcher: Matcher, phrase: str, language: str) -> bool:
    """True when the model hears ``phrase`` word for word (or without its purpose clause): a sample
    without slots, or one whose custom slots are filled with the type's values or synonyms."""
    candidates = [phrase]
    shorter = _PURPOSE.get(language, _PURPOSE["en"]).sub("", phrase)
    if shorter != phrase:
        candidates.append(shorter)
    for candidate in candidates:
        meaning = matcher.exact(candidate)  # exact only: no fuzzy guess, as a tester says it
        if meaning is None or meaning.intent == FALLBACK_INTENT:
            continue
        if any(s.value is not None and s.status == ER_SUCCESS_NO_MATCH for s in meaning.slots):
            continue
        return True
    return False


def _file_of(files: Any, tag: str, language: str, key: str) -> str:
    """The file a key of a locale's merged tree comes from: the locale's own, else its language's."""
    own, _ = lookup(files.trees.get(tag, {}), key)
    return files.file_of(tag if own else (language if language in files.trees else tag), key)


def check_suggestions(content_dir: Path, model_dir: Path) -> list[Problem]:
    """Suggested phrases a locale's model does not hear, one per file, key and phrase."""
    files = load_content_files(content_dir)
    if files.problems:
        return []  # the content checks report them
    failing: dict[tuple[str, str, str], list[str]] = {}
    for locale, model in sorted(readable_models(model_dir).items()):
        language = locale.split("-")[0].lower()
        tag = locale if locale in files.trees else language
        if tag not in files.trees:
            continue
        matcher = Matcher(model, locale)
        for key, value in walk(files.merged(tag)):
            if not isinstance(value, str) or key.split(".")[0] in _NOT_SPOKEN:
                continue
            for phrase in suggested_phrases(value, language):
                if "{" in phrase or _heard(matcher, phrase, language):
                    continue
                where = (_file_of(files, tag, language, key), key, phrase)
                failing.setdefault(where, []).append(locale)
    return [
        Problem(file, key, f"suggests saying {phrase!r}, which is not a sample of the model for {', '.join(locales)}")
        for (file, key, phrase), locales in sorted(failing.items())
    ]


def check_description_phrases(content_dir: Path, model_dir: Path) -> list[Problem]:
    """Quoted phrases in each locale's store description and summary that are not full example phrases."""
    try:
        store = ContentStore.load(content_dir)
    except ContentError:
        return []  # the content checks report it
    found: dict[tuple[str, str, str], list[str]] = {}
    for locale, model in sorted(readable_models(model_dir).items()):
        invocation = model.invocation_name
        if not invocation:
            continue
        samples = list(model.samples())
        content = store.for_locale(locale)
        if not content.has("manifest"):
            content = store.for_locale(DEFAULT_LANGUAGE)
        connecting = content.node("manifest.connecting_words") if content.has("manifest.connecting_words") else []
        file = f"{content_dir.name}/{content.tag.split('-')[0]}/manifest.yaml"
        for key in ("manifest.summary", "manifest.description"):
            if not content.has(key):
                continue
            text = content.text(key, invocation_name=invocation)
            for match in _QUOTED.finditer(text):
                phrase = next(group for group in match.groups() if group)
                problem = example_phrase_problem(phrase.strip(), invocation, samples, connecting)
                if problem:
                    found.setdefault((file, key, f"quoted phrase {phrase!r}: {problem}"), []).append(locale)
    return [
        Problem(file, key, f"{message} (for {', '.join(locales)})") for (file, key, message), locales in sorted(found.items())
    ]
