"""Utterance matching (tools layer): typed words -> an intent and its slots, as Alexa would resolve them.

A small stand-in for Alexa's language understanding, for ``nose-twitch chat``. It knows only what
the interaction model says: each intent's sample utterances, each custom slot type's values and
synonyms. Matching, in order:

1. A sample whose words match exactly (case, punctuation and accents ignored), its ``{slot}``
   parts captured as slot values. A sample without slots wins over one with slots.
2. Otherwise the closest sample by similarity (characters and lightly stemmed words), after known
   slot values and spoken durations in the input are replaced by their ``{slot}``. Below
   :data:`THRESHOLD` the input is ``AMAZON.FallbackIntent``, as Alexa does with out-of-domain speech.

Custom slot values resolve like Alexa's entity resolution: the value or a synonym gives
``ER_SUCCESS_MATCH`` with the value's id, anything else ``ER_SUCCESS_NO_MATCH``. ``AMAZON.DURATION``
values are spoken English or Spanish durations turned into ISO-8601 ("three weeks" -> "P3W");
what cannot be read is passed on as said. Built-in intents have no samples in a model, so a short
phrase list per language stands in for Alexa's own (:data:`BUILTIN_PHRASES`, read from
``builtin_phrases.yaml``).

Why this matcher and not the statistical classifier (:mod:`skill.tools.nlu.classifier`): ``chat`` is
part of the installed tool set, and scikit-learn is a development dependency only; the matcher
needs nothing beyond the standard library and PyYAML, starts instantly, gives the same answer on every machine
and says which sample it matched, which is what a developer debugging a model wants. The
classifier is the *measurement* of how a learned NLU generalises (``nose-twitch nlu-eval`` and
tests/nlu/), kept independent of the matcher so the two can disagree and show it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from skill.tools import envelopes
from skill.tools.models import InteractionModel, SlotType, load_model

ER_SUCCESS_MATCH = "ER_SUCCESS_MATCH"
ER_SUCCESS_NO_MATCH = "ER_SUCCESS_NO_MATCH"
FALLBACK_INTENT = "AMAZON.FallbackIntent"
DURATION_TYPE = "AMAZON.DURATION"
#: Below this similarity an utterance is out of domain (AMAZON.FallbackIntent).
THRESHOLD = 0.68
#: An exact sample match whose custom slot value does not resolve (Alexa still fills the slot).
_UNRESOLVED_SCORE = 0.8
#: Similarity at which a spoken slot value counts as a near miss of a value or synonym.
_VALUE_CUTOFF = 0.86


def _builtin_phrases() -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    """``builtin_phrases.yaml`` (shipped with this package), read-only: language -> intent -> phrases."""
    text = resources.files(__package__).joinpath("builtin_phrases.yaml").read_text(encoding="utf-8")
    return MappingProxyType({
        language: MappingProxyType({intent: tuple(str(p) for p in phrases) for intent, phrases in intents.items()})
        for language, intents in yaml.safe_load(text).items()
    })


#: Phrases for the built-in intents (which have no samples in a model), per language, from
#: ``skill/tools/nlu/builtin_phrases.yaml``.
BUILTIN_PHRASES: Mapping[str, Mapping[str, tuple[str, ...]]] = _builtin_phrases()

# --- text normalisation -------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "", "\u2018": "", "'": "", "`": "", "\u00b4": ""})
_NON_WORD = re.compile(r"[^\w]+|_", re.UNICODE)
_SLOT_REF = re.compile(r"(\{[^{}]+\})")


def normalise(text: str) -> str:
    """Lowercase words and numbers only: punctuation becomes space, apostrophes go ("what's" -> "whats")."""
    text = unicodedata.normalize("NFC", text).lower().translate(_APOSTROPHES)
    return " ".join(_NON_WORD.sub(" ", text).split())


def fold(text: str) -> str:
    """Accents off, one character for one ("día" -> "dia"), so spans in the folded text fit the original."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        rest = decomposed[1:]
        out.append(decomposed[0] if rest and all(unicodedata.combining(c) for c in rest) else char)
    return "".join(out)


def phrase_key(text: str) -> str:
    """The comparison form of a phrase: normalised, accents off."""
    return fold(normalise(text))


_SUFFIXES = ("ing", "es", "ed", "s")


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def _quick(a: int, b: int) -> float:
    """An upper bound of difflib's ratio for sequences of lengths ``a`` and ``b``."""
    return 2 * min(a, b) / (a + b) if a + b else 1.0


def similarity(said: Sequence[str], sample: Sequence[str]) -> float:
    """0..1: the mean of a character ratio, a ratio over lightly stemmed words in order, and their overlap."""
    chars = difflib.SequenceMatcher(None, " ".join(said), " ".join(sample), autojunk=False).ratio()
    said_stems, sample_stems = [_stem(t) for t in said], [_stem(t) for t in sample]
    words = difflib.SequenceMatcher(None, said_stems, sample_stems, autojunk=False).ratio()
    bag_said, bag_sample = set(said_stems), set(sample_stems)
    overlap = 2 * len(bag_said & bag_sample) / (len(bag_said) + len(bag_sample)) if bag_said or bag_sample else 0.0
    return (chars + words + overlap) / 3


# --- durations ----------------------------------------------------------------------------------

_NUMBERS: Mapping[str, Mapping[str, int]] = {
    "en": {
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
        "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
        "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "couple": 2, "a couple": 2, "a couple of": 2,
        "couple of": 2,
    },
    "es": {
        "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
        "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
        "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21,
        "veintiun": 21, "veintidos": 22, "veintitres": 23, "treinta": 30, "cuarenta": 40, "cincuenta": 50,
        "sesenta": 60, "un par de": 2, "par de": 2,
    },
}
#: Spoken unit -> ISO-8601 designator; time units carry a leading "T".
_UNITS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "second": "TS", "seconds": "TS", "minute": "TM", "minutes": "TM", "hour": "TH", "hours": "TH",
        "day": "D", "days": "D", "week": "W", "weeks": "W", "month": "M", "months": "M", "year": "Y",
        "years": "Y", "fortnight": "2W", "fortnights": "2W",
    },
    "es": {
        "segundo": "TS", "segundos": "TS", "minuto": "TM", "minutos": "TM", "hora": "TH", "horas": "TH",
        "dia": "D", "dias": "D", "semana": "W", "semanas": "W", "mes": "M", "meses": "M", "ano": "Y",
        "anos": "Y", "quincena": "2W", "quincenas": "2W",
    },
}
_JOINERS = {"en": ("and",), "es": ("y",)}
_LEAD_INS = {
    "en": ("about", "around", "roughly", "almost", "nearly", "over", "more than", "the last", "the past",
           "past", "last", "for", "maybe", "like", "at least"),
    "es": ("unos", "unas", "casi", "mas de", "alrededor de", "como", "las ultimas", "los ultimos", "durante",
           "desde hace", "hace", "al menos", "mas o menos"),
}
_ORDER = ("Y", "M", "W", "D", "TH", "TM", "TS")


def _vocab(table: Mapping[str, Mapping[str, Any]], language: str) -> Mapping[str, Any]:
    return table.get(language, table["en"])


def _read_number(tokens: Sequence[str], i: int, language: str) -> tuple[int, int] | None:
    """(value, next index) for a number at ``tokens[i]``: digits, words, "twenty one", "a couple of"."""
    words = _vocab(_NUMBERS, language)
    if i < len(tokens) and tokens[i].isdigit():
        return int(tokens[i]), i + 1
    for length in (3, 2):  # multi-word numbers first: "a couple of", "un par de"
        phrase = " ".join(tokens[i : i + length])
        if len(tokens) >= i + length and phrase in words:
            return words[phrase], i + length
    if i < len(tokens) and tokens[i] in words:
        value, j = words[tokens[i]], i + 1
        joiner = "y" if language == "es" else None
        # "twenty one" / "treinta y uno"
        if value >= 20 and value % 10 == 0:
            k = j + 1 if joiner and j < len(tokens) and tokens[j] == joiner else j
            if k < len(tokens) and tokens[k] in words and 0 < words[tokens[k]] < 10:
                return value + words[tokens[k]], k + 1
        return value, j
    return None


def _read_duration(tokens: Sequence[str], i: int, language: str) -> tuple[dict[str, int], int] | None:
    """Units and amounts of a spoken duration starting at ``tokens[i]``, and the index after it."""
    units = _vocab(_UNITS, language)
    joiners = _JOINERS.get(language, _JOINERS["en"])
    parts: dict[str, int] = {}
    j = i
    while True:
        number = _read_number(tokens, j, language)
        if number is None or number[1] >= len(tokens) or tokens[number[1]] not in units:
            break
        amount, k = number
        unit = units[tokens[k]]
        if unit[0].isdigit():  # "fortnight" = 2W
            amount, unit = amount * int(unit[0]), unit[1:]
        if unit in parts:
            break
        parts[unit] = amount
        j = k + 1
        if j + 1 < len(tokens) and tokens[j] in joiners and _read_number(tokens, j + 1, language):
            j += 1
            continue
        break
    if not parts:
        return None
    while j > i and tokens[j - 1] in joiners:  # a dangling "and"
        j -= 1
    return parts, j


def _iso(parts: Mapping[str, int]) -> str:
    date = "".join(f"{parts[u]}{u}" for u in _ORDER[:4] if u in parts)
    time = "".join(f"{parts[u]}{u[1]}" for u in _ORDER[4:] if u in parts)
    return "P" + date + (f"T{time}" if time else "")


def spoken_duration_to_iso(text: str, language: str = "en") -> str | None:
    """ "three weeks" -> "P3W", "2 days" -> "P2D", "tres semanas" -> "P3W"; None if it is not a duration."""
    tokens = phrase_key(text).split()
    leads = sorted(_vocab(_LEAD_INS, language), key=len, reverse=True)
    stripped = True
    while stripped and tokens:
        stripped = False
        for lead in leads:
            words = lead.split()
            if tokens[: len(words)] == words and len(tokens) > len(words):
                tokens, stripped = tokens[len(words) :], True
                break
    found = _read_duration(tokens, 0, language)
    if found is None or found[1] != len(tokens):
        return None
    return _iso(found[0])


def find_duration(tokens: Sequence[str], language: str) -> tuple[int, int] | None:
    """The first span ``(start, end)`` of a spoken duration in folded tokens."""
    for i in range(len(tokens)):
        found = _read_duration(tokens, i, language)
        if found is not None:
            return i, found[1]
    return None


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotFill:
    """A slot as Alexa fills it: ``value`` is what was said (an ISO duration for AMAZON.DURATION)."""

    name: str
    type: str
    value: str | None = None
    #: Entity resolution for custom types: the status, and on a match the value's id and name.
    status: str | None = None
    id: str | None = None
    resolved_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The slot in a request, made by the one envelope builder."""
        if self.status == ER_SUCCESS_MATCH:
            return envelopes.slot(self.name, self.value, id=self.id, resolved_name=self.resolved_name,
                                  slot_type=self.type)
        if self.status == ER_SUCCESS_NO_MATCH:
            return envelopes.slot(self.name, self.value, match=False, slot_type=self.type)
        return envelopes.slot(self.name, self.value)

    def describe(self) -> str:
        if self.value is None:
            return f"{self.name}=(empty)"
        if self.status == ER_SUCCESS_MATCH:
            return f"{self.name}={self.value!r} -> {self.id}"
        if self.status == ER_SUCCESS_NO_MATCH:
            return f"{self.name}={self.value!r} (no match)"
        return f"{self.name}={self.value!r}"


@dataclass(frozen=True)
class Interpretation:
    """What a typed utterance means: the intent, its slots (every declared one), how sure, and why."""

    intent: str
    slots: tuple[SlotFill, ...] = ()
    score: float = 0.0
    #: The sample utterance (or built-in phrase) it matched best.
    sample: str | None = None

    def slot(self, name: str) -> SlotFill | None:
        return next((s for s in self.slots if s.name == name), None)

    def request(self, locale: str) -> dict[str, Any]:
        """The IntentRequest Alexa would send."""
        return envelopes.intent_request(self.intent, *(s.to_json() for s in self.slots), locale=locale)

    def describe(self) -> str:
        filled = ", ".join(s.describe() for s in self.slots if s.value is not None)
        return f"{self.intent}" + (f" [{filled}]" if filled else "") + f" ({self.score:.2f})"


@dataclass(frozen=True)
class _Sample:
    intent: str
    text: str
    tokens: tuple[str, ...]  # folded words; a slot is the token "{name}"
    pattern: re.Pattern[str] | None  # only for a sample with slots (one without is its words, exactly)
    slots: tuple[str, ...]


class Resolver:
    """Entity resolution for one custom slot type: its values and synonyms, folded, for resolving
    what was said to a value id and for spotting the type's values in an utterance."""

    def __init__(self, slot_type: SlotType) -> None:
        self.name = slot_type.name
        self.lookup: dict[str, tuple[str, str]] = {}
        for value in slot_type.values:
            for said in value.said:
                key = phrase_key(said)
                if key and value.id:
                    self.lookup.setdefault(key, (value.id, value.value))
        self.by_length = sorted(self.lookup, key=lambda k: (-len(k.split()), -len(k)))

    def resolve(self, spoken_key: str, language: str) -> tuple[str, str] | None:
        if spoken_key in self.lookup:
            return self.lookup[spoken_key]
        words = spoken_key.split()
        while len(words) > 1 and words[0] in _ARTICLES.get(language, _ARTICLES["en"]):
            words = words[1:]
            if " ".join(words) in self.lookup:
                return self.lookup[" ".join(words)]
        close = difflib.get_close_matches(" ".join(words), self.lookup, n=1, cutoff=_VALUE_CUTOFF)
        return self.lookup[close[0]] if close else None


_ARTICLES = {
    "en": frozenset({"the", "a", "an", "my", "some", "too", "much", "all", "that", "this", "of"}),
    "es": frozenset({"el", "la", "los", "las", "un", "una", "unos", "unas", "mi", "mis", "del", "de", "al",
                     "mucho", "mucha", "demasiado", "demasiada", "tanto", "tanta"}),
}


class Matcher:
    """Matches typed utterances against one locale's interaction model."""

    def __init__(self, model: InteractionModel, locale: str, threshold: float = THRESHOLD) -> None:
        self.locale = locale
        self.language = locale.split("-")[0].lower()
        self.threshold = threshold
        self.types = resolvers(model)
        self.intent_slots: dict[str, dict[str, str]] = {}
        self.samples: list[_Sample] = []
        phrases = BUILTIN_PHRASES.get(self.language, BUILTIN_PHRASES["en"])
        for intent in model.intents:
            self.intent_slots[intent.name] = intent.slot_types
            texts = list(intent.samples)
            if intent.is_builtin:
                texts += phrases.get(intent.name, ())
            for text in texts:
                sample = self._compile(intent.name, text)
                if sample is not None:
                    self.samples.append(sample)
        # The exact step: a sample without slots matches only its own words, so it is looked up by
        # them (the first such sample wins, as in a scan); only samples with slots need a pattern.
        self._literal: dict[str, _Sample] = {}
        for sample in self.samples:
            if not sample.slots:
                self._literal.setdefault(" ".join(sample.tokens), sample)
        self._slotted = [sample for sample in self.samples if sample.slots]
        #: Per sample: its stemmed words and its length in characters (for the fuzzy step's bound).
        self._shape = [(frozenset(_stem(t) for t in s.tokens), len(" ".join(s.tokens))) for s in self.samples]

    @classmethod
    def load(cls, path: Path, locale: str | None = None) -> Matcher:
        """The matcher for ``interaction_model/<locale>.json``."""
        return cls(load_model(path), locale or path.stem)

    @staticmethod
    def _compile(intent: str, text: str) -> _Sample | None:
        tokens: list[str] = []
        parts: list[str] = []
        slots: list[str] = []
        for piece in _SLOT_REF.split(text):
            if piece.startswith("{") and piece.endswith("}"):
                name = piece[1:-1]
                if name in slots or not name.isidentifier():
                    return None
                slots.append(name)
                tokens.append(piece)
                parts.append(f"(?P<{name}>.+?)")
            else:
                words = phrase_key(piece).split()
                tokens += words
                parts += [re.escape(w) for w in words]
        if not tokens:
            return None
        pattern = re.compile(" ".join(parts)) if slots else None
        return _Sample(intent=intent, text=text, tokens=tuple(tokens), pattern=pattern, slots=tuple(slots))

    # --- matching ---

    def match(self, text: str) -> Interpretation:
        """The intent and slots for one utterance; AMAZON.FallbackIntent when nothing is close."""
        said = normalise(text)
        key = fold(said)
        if not key:
            return self._fallback(0.0)
        best = self._exact(said, key)
        if best is None or best.score < 1.0:
            fuzzy = self._fuzzy(said, key)
            if fuzzy is not None and (best is None or fuzzy.score > best.score):
                best = fuzzy
        if best is None or best.score < self.threshold:
            return self._fallback(best.score if best else 0.0)
        return best

    def _fallback(self, score: float) -> Interpretation:
        if FALLBACK_INTENT not in self.intent_slots:
            return Interpretation(intent=FALLBACK_INTENT, score=score)
        return Interpretation(intent=FALLBACK_INTENT, slots=self._slots(FALLBACK_INTENT, {}), score=score)

    def exact(self, text: str) -> Interpretation | None:
        """Only the exact step, as virtual-alexa matches: a sample whose words are the input's, or None."""
        said = normalise(text)
        return self._exact(said, fold(said)) if said else None

    def _exact(self, said: str, key: str) -> Interpretation | None:
        literal_match = self._literal.get(key)
        if literal_match is not None:  # a sample's very words: nothing with slots scores as high
            return Interpretation(literal_match.intent, self._slots(literal_match.intent, {}), 1.0, literal_match.text)
        best: tuple[float, int, Interpretation] | None = None
        for sample in self._slotted:
            found = sample.pattern.fullmatch(key)  # type: ignore[union-attr]
            if found is None:
                continue
            values = {name: said[found.start(name) : found.end(name)] for name in sample.slots}
            slots = self._slots(sample.intent, values)
            if all(s.status != ER_SUCCESS_NO_MATCH for s in slots):
                score = 0.97
            else:
                score = _UNRESOLVED_SCORE
            literal = len(sample.tokens) - len(sample.slots)
            candidate = (score, literal, Interpretation(sample.intent, slots, score, sample.text))
            if best is None or candidate[:2] > best[:2]:
                best = candidate
        return best[2] if best else None

    def _spot(self, intent: str, said: str, key: str) -> tuple[list[str], dict[str, str]]:
        """Folded words of the input with known slot values replaced by ``{slot}``, and those values."""
        tokens, raw = key.split(), said.split()
        values: dict[str, str] = {}
        for slot_name, slot_type in self.intent_slots.get(intent, {}).items():
            span = find_slot(tokens, slot_type, self.types, self.language)
            if span is None:
                continue
            start, end = span
            values[slot_name] = " ".join(raw[start:end])
            tokens[start:end] = ["{" + slot_name + "}"]
            raw[start:end] = ["{" + slot_name + "}"]
        return tokens, values

    def _fuzzy(self, said: str, key: str) -> Interpretation | None:
        """The most similar sample (the first of equals, in model order).

        Samples are scored in the order of a cheap upper bound of :func:`similarity` (length ratios
        and word overlap), and scoring stops once no remaining bound can beat the best score: the
        same answer as scoring every sample, at a fraction of the cost on a large model.
        """
        plain = key.split()
        spotted: dict[str, tuple[list[str], dict[str, str]]] = {}
        heard: dict[int, tuple[frozenset[str], int]] = {}  # id(tokens) -> (stems, characters)
        candidates: list[tuple[float, int, Sequence[str], dict[str, str]]] = []
        for index, sample in enumerate(self.samples):
            tokens: Sequence[str] = plain
            values: dict[str, str] = {}
            if sample.slots:
                # Known slot values in the input become "{slot}", like the sample's own slots; only
                # the slots this sample has are filled (a slotless sample fills none, as on Alexa).
                if sample.intent not in spotted:
                    spotted[sample.intent] = self._spot(sample.intent, said, key)
                tokens, found = spotted[sample.intent]
                values = {name: value for name, value in found.items() if name in sample.slots}
            if id(tokens) not in heard:
                heard[id(tokens)] = (frozenset(_stem(t) for t in tokens), len(" ".join(tokens)))
            stems, chars = heard[id(tokens)]
            own_stems, own_chars = self._shape[index]
            bound = (_quick(chars, own_chars) + _quick(len(tokens), len(sample.tokens))
                     + (2 * len(stems & own_stems) / (len(stems) + len(own_stems)) if stems or own_stems else 0.0)) / 3
            candidates.append((bound, index, tokens, values))
        candidates.sort(key=lambda c: (-c[0], c[1]))
        best: tuple[float, int, dict[str, str]] | None = None
        for bound, index, tokens, values in candidates:
            if best is not None and bound < best[0]:
                break
            score = similarity(tokens, self.samples[index].tokens)
            if best is None or score > best[0] or (score == best[0] and index < best[1]):
                best = (score, index, values)
        if best is None:
            return None
        score, index, values = best
        sample = self.samples[index]
        return Interpretation(sample.intent, self._slots(sample.intent, values), score, sample.text)

    def _slots(self, intent: str, values: Mapping[str, str]) -> tuple[SlotFill, ...]:
        """Every slot the intent declares, filled and resolved where a value was said."""
        fills = []
        for name, slot_type in self.intent_slots.get(intent, {}).items():
            value = values.get(name)
            if value is None:
                fills.append(SlotFill(name, slot_type))
            elif slot_type == DURATION_TYPE:
                fills.append(SlotFill(name, slot_type, spoken_duration_to_iso(value, self.language) or value))
            elif slot_type in self.types or not slot_type.startswith("AMAZON."):
                slot_values = self.types.get(slot_type)
                found = slot_values.resolve(phrase_key(value), self.language) if slot_values else None
                if found:
                    fills.append(SlotFill(name, slot_type, value, ER_SUCCESS_MATCH, found[0], found[1]))
                else:
                    fills.append(SlotFill(name, slot_type, value, ER_SUCCESS_NO_MATCH))
            else:
                fills.append(SlotFill(name, slot_type, value))
        return tuple(fills)


def resolvers(model: InteractionModel) -> dict[str, Resolver]:
    """slot type name -> its resolver, for every custom slot type of a model."""
    return {slot_type.name: Resolver(slot_type) for slot_type in model.types}


def find_slot(
    tokens: Sequence[str], slot_type: str, types: Mapping[str, Resolver], language: str
) -> tuple[int, int] | None:
    """Where a value of ``slot_type`` stands in the folded words: a spoken duration for
    ``AMAZON.DURATION``, else the longest known value or synonym of a custom type (None if absent)."""
    if slot_type == DURATION_TYPE:
        return find_duration(tokens, language)
    if slot_type in types:
        return find_phrase(tokens, types[slot_type].by_length)
    return None


#: The longest stretch of words a carrier phrase's slot takes when no known value is in it.
CARRIER_MAX_WORDS = 8
#: How close the utterance, with the stretch as the slot, must come to the carrier sample.
CARRIER_MIN_SIMILARITY = 0.5
_FREE = "\0"  # a word already given to a slot


def template_tokens(sample: str) -> tuple[str, ...]:
    """A sample's folded words, each ``{slot}`` kept as one token."""
    tokens: list[str] = []
    for piece in _SLOT_REF.split(sample):
        if piece.startswith("{") and piece.endswith("}"):
            tokens.append(piece)
        else:
            tokens += phrase_key(piece).split()
    return tuple(tokens)


def carrier_span(tokens: Sequence[str], templates: Iterable[Sequence[str]], slot: str) -> tuple[int, int] | None:
    """Where a custom slot stands when no known value was spotted: the words a carrier sample puts there.

    A custom slot on a device takes any words, not only its values ("tell me about {thing}" said as
    "tell me about the blinking in my eye" fills ``thing`` with "the blinking in my eye", which entity
    resolution then reports as ER_SUCCESS_NO_MATCH). The stand-ins do the same: for each of the
    intent's samples with the slot, the words between the sample's literal neighbours of the slot
    (the word before and the word after it) become the value, when the utterance with those words
    as the slot is close enough to the sample. The closest sample wins; a shorter stretch breaks ties.
    """
    marker = "{" + slot + "}"
    best: tuple[float, int, int, int] | None = None
    for template in templates:
        if marker not in template:
            continue
        at = list(template).index(marker)
        before, after = template[:at], template[at + 1 :]
        pre = before[-1] if before and not before[-1].startswith("{") else None
        post = after[0] if after and not after[0].startswith("{") else None
        if (before and pre is None) or (after and post is None) or (pre is None and post is None):
            continue
        starts = [k + 1 for k, word in enumerate(tokens) if word == pre] if pre else [0]
        ends = [k for k, word in enumerate(tokens) if word == post] if post else [len(tokens)]
        for start in starts:
            for end in ends:
                if not start < end <= start + CARRIER_MAX_WORDS or _FREE in tokens[start:end]:
                    continue
                candidate = [*tokens[:start], marker, *tokens[end:]]
                score = difflib.SequenceMatcher(None, candidate, list(template), autojunk=False).ratio()
                if best is None or (score, start - end) > (best[0], best[1]):
                    best = (score, start - end, start, end)
    if best is None or best[0] < CARRIER_MIN_SIMILARITY:
        return None
    return best[2], best[3]


class SlotReader:
    """Slots read from an utterance once its intent is known, as a learned NLU's slot tagger would.

    Known values and synonyms of the intent's slot types are spotted first (longest first) and
    resolved to ids like Alexa's entity resolution; ``AMAZON.DURATION`` through
    :func:`spoken_duration_to_iso`. A custom slot with no known value in the words takes what a
    carrier sample puts there (:func:`carrier_span`), unresolved (ER_SUCCESS_NO_MATCH), as on a device.
    """

    def __init__(self, model: InteractionModel, language: str) -> None:
        self.language = language
        self.types = resolvers(model)
        self.intent_slots: dict[str, dict[str, str]] = {}
        self.templates: dict[str, list[tuple[str, ...]]] = {}
        for intent in model.intents:
            self.intent_slots[intent.name] = intent.slot_types
            self.templates[intent.name] = [template_tokens(s) for s in intent.samples if "{" in s]

    def interpret(self, text: str, ranked: Sequence[tuple[str, float]], threshold: float,
                  known: bool = True) -> Interpretation:
        """A stand-in's answer for ``text`` from its intents ranked best first: the best intent with
        its slots, or ``AMAZON.FallbackIntent`` when nothing is ranked, the best is below
        ``threshold``, or the words are not ``known``."""
        if not ranked or ranked[0][1] < threshold or not known:
            return Interpretation(FALLBACK_INTENT, self.read(FALLBACK_INTENT, text), ranked[0][1] if ranked else 0.0)
        intent, score = ranked[0]
        return Interpretation(intent, self.read(intent, text), score)

    def read(self, intent: str, text: str) -> tuple[SlotFill, ...]:
        """Every slot ``intent`` declares, filled from ``text`` where it can be."""
        said = normalise(text)
        tokens, raw = fold(said).split(), said.split()
        fills: dict[str, SlotFill] = {}
        declared = self.intent_slots.get(intent, {})
        for name, slot_type in declared.items():
            span = find_slot(tokens, slot_type, self.types, self.language)
            if span is None:
                continue
            value = " ".join(raw[span[0] : span[1]])
            tokens[span[0] : span[1]] = [_FREE] * (span[1] - span[0])  # one span fills one slot
            if slot_type == DURATION_TYPE:
                fills[name] = SlotFill(name, slot_type, spoken_duration_to_iso(value, self.language) or value)
                continue
            found = self.types[slot_type].resolve(phrase_key(value), self.language)
            status = ER_SUCCESS_MATCH if found else ER_SUCCESS_NO_MATCH
            fills[name] = SlotFill(name, slot_type, value, status, *(found or (None, None)))
        for name, slot_type in declared.items():
            if name in fills or slot_type not in self.types:
                continue
            span = carrier_span(tokens, self.templates.get(intent, ()), name)
            if span is not None:
                value = " ".join(raw[span[0] : span[1]])
                tokens[span[0] : span[1]] = [_FREE] * (span[1] - span[0])
                fills[name] = SlotFill(name, slot_type, value, ER_SUCCESS_NO_MATCH)
        return tuple(fills.get(name) or SlotFill(name, slot_type) for name, slot_type in declared.items())


def find_phrase(tokens: Sequence[str], phrases: Sequence[str]) -> tuple[int, int] | None:
    """The first, longest occurrence of any phrase (folded words) as whole words in ``tokens``."""
    for phrase in phrases:
        words = phrase.split()
        for i in range(len(tokens) - len(words) + 1):
            if list(tokens[i : i + len(words)]) == words:
                return i, i + len(words)
    return None
