"""Blind sets (tools layer): topic-labelled phrasings written blind, measured by what the skill answers.

A blind set (``tests/nlu/heldout/heldout_*.yaml``) was written by someone who never saw the models,
their samples or the content, given only the list of topics the skill covers (``TOPICS.md``) and a
locale. Each line is ``{say, topic, locale}``. Which answers carry a topic's facts is data too
(``topics.yaml``: topic -> answers); the first measure's own mapping stays beside it
(``topics_v0.yaml``), and so do its figures (``first_measure.yaml``).

A line is measured per stand-in hearing (:mod:`skill.tools.nlu.classifier`, :mod:`skill.tools.nlu.neighbours`):

- **answer** (the measure that predicts a device): the heard request goes to the real skill, after
  a launch, and is right when that first response carries the facts of one of the topic's answers
  (its first sentence, as the locale's content says it) or, for the symptom check, starts the check;
- **intent**: the heard intent and resolved slot ids are one of those the answers are reached by.

Nothing here is tuned to a set: the sets are read, heard and answered, never learned from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skill.alexa.invoker import Skill
from skill.domain import facts
from skill.domain.content import Content, ContentStore
from skill.tools import envelopes
from skill.tools.session import invoke, said as spoken
from skill.tools.nlu.matcher import ER_SUCCESS_MATCH, Interpretation

BLIND_GLOB = "heldout_*.yaml"
TOPIC_ANSWERS = "topics.yaml"
FIRST_MEASURE = "first_measure.yaml"
#: The kinds of answer a topic can have, and the key under them.
ANSWER_KINDS = ("topic", "trigger", "fact", "check", "sources")
#: The stand-ins, by the name reports use.
STAND_INS = ("classifier", "neighbours")


class BlindSetError(ValueError):
    """A blind set or mapping that cannot be read; the message names the file and the entry."""


@dataclass(frozen=True)
class BlindLine:
    say: str
    topic: str
    locale: str
    where: str = ""


@dataclass(frozen=True)
class Answer:
    """One answer that carries a topic's facts: a topic, a trigger, a fact thing, the check, or the sources."""

    kind: str
    id: str | None = None


def read_entries(path: Path, error: type[ValueError], what: str) -> tuple[str, list]:
    """(label, entries) of a YAML file holding a list (``folder/file.yaml``, for messages); ``error``
    names the file when it cannot be read or is not a list of ``what``."""
    label = f"{path.parent.name}/{path.name}"
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"{label}: cannot read: {exc}") from exc
    if not isinstance(entries, list):
        raise error(f"{label}: expected a list of {what}")
    return label, entries


def load_blind_sets(directory: Path) -> dict[str, list[BlindLine]]:
    """Every blind set in ``directory``, by file stem, lines in file order."""
    sets: dict[str, list[BlindLine]] = {}
    for path in sorted(directory.glob(BLIND_GLOB)):
        label, entries = read_entries(path, BlindSetError, "lines")
        lines = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("say", "topic", "locale")):
                raise BlindSetError(f"{label}: entry {number}: each line needs 'say', 'topic' and 'locale' (text)")
            lines.append(BlindLine(entry["say"], entry["topic"], entry["locale"], f"{label}: entry {number}"))
        sets[path.stem] = lines
    return sets


def load_topic_answers(path: Path) -> dict[str, tuple[Answer, ...]]:
    """topic id -> the answers that carry its facts (an empty tuple: the skill has none)."""
    label = f"{path.parent.name}/{path.name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BlindSetError(f"{label}: cannot read: {exc}") from exc
    if not isinstance(raw, dict):
        raise BlindSetError(f"{label}: expected topic ids mapped to lists of answers")
    out: dict[str, tuple[Answer, ...]] = {}
    for topic, answers in raw.items():
        parsed = []
        for answer in answers or ():
            if not isinstance(answer, dict) or len(answer) != 1 or next(iter(answer)) not in ANSWER_KINDS:
                raise BlindSetError(f"{label}: {topic}: each answer is one of {', '.join(ANSWER_KINDS)}: {answer!r}")
            kind, value = next(iter(answer.items()))
            parsed.append(Answer(kind, None if value is True else str(value)))
        out[str(topic)] = tuple(parsed)
    return out


def load_first_measure(path: Path) -> dict[str, Any]:
    """The recorded first-measure figures (``{}`` when the file is absent)."""
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return raw if isinstance(raw, dict) else {}


# --- hearing and answering ------------------------------------------------------------------------


def slot_id_map(heard: Interpretation) -> dict[str, str]:
    """Resolved slot ids only (an unresolved value is no id)."""
    return {s.name: s.id for s in heard.slots if s.status == ER_SUCCESS_MATCH and s.id}


class AnswerJudge:
    """Sends a heard request to the real skill after a launch and says whether it answered a topic.

    ``intents_for`` maps an answer to the (intent, slot ids) that reach it directly, for the
    intent-level figure; it is given by the caller so this module reads no handler tables.
    """

    def __init__(self, skill: Skill, store: ContentStore,
                 intents_for: Callable[[Answer, Content], Iterable[tuple[str, Mapping[str, str]]]]) -> None:
        self.skill, self.store, self.intents_for = skill, store, intents_for
        self._launched: dict[str, dict[str, Any]] = {}

    def _invoke(self, envelope: dict[str, Any]) -> dict[str, Any]:
        return invoke(self.skill, envelope)[0]

    def first_response(self, locale: str, heard: Interpretation) -> dict[str, Any]:
        """The skill's response to ``heard``, said right after the skill was opened."""
        if locale not in self._launched:
            launch = self._invoke(envelopes.envelope(envelopes.launch_request(locale), new=True))
            self._launched[locale] = launch.get("sessionAttributes") or {}
        return self._invoke(envelopes.envelope(heard.request(locale), attributes=self._launched[locale]))

    def marker(self, content: Content, answer: Answer) -> str | None:
        """The sentence that shows an answer was given, as this locale's content says it."""
        if answer.kind == "topic" and content.has(f"topics.{answer.id}"):
            # The intro, or the first item of a topic that opens with the emergency line instead.
            key = f"topics.{answer.id}.intro"
            return content.format(content.node(key) if content.has(key) else content.node(f"topics.{answer.id}.items")[0]["say"])
        if answer.kind == "trigger" and content.has(f"triggers.{answer.id}.items"):
            return content.format(content.node(f"triggers.{answer.id}.items")[0]["say"])
        if answer.kind == "fact" and answer.id:
            own = facts.facts_about(content, answer.id) if answer.id in facts.thing_ids(content) else ()
            return content.format(own[0]["say"]) if own else None
        if answer.kind == "check":
            return content.text("triage.texts.intro")
        if answer.kind == "sources":
            return content.format(content.node("sources_answer.lines")[0])
        return None

    def answered(self, locale: str, answers: Sequence[Answer], response: dict[str, Any]) -> bool:
        """Whether the response carries one of the answers."""
        content = self.store.for_locale(locale)
        said = " ".join(spoken(response).split())
        for answer in answers:
            if answer.kind == "check" and "triage" in (response.get("sessionAttributes") or {}):
                return True
            mark = self.marker(content, answer)
            if mark and " ".join(mark.split()) in said:
                return True
        return False

    def heard_right(self, locale: str, answers: Sequence[Answer], heard: Interpretation) -> bool:
        """Whether the heard intent and resolved slot ids reach one of the answers directly."""
        ids = slot_id_map(heard)
        content = self.store.for_locale(locale)
        for answer in answers:
            for intent, slots in self.intents_for(answer, content):
                if heard.intent != intent:
                    continue
                if slots is ANY_SLOTS or dict(slots) == ids:
                    return True
        return False


#: ``intents_for`` may give this as the slots of an intent reached with any slots (the symptom check).
ANY_SLOTS: Mapping[str, str] = {"*": "*"}


def reaching_intents(answer: Answer, content: Content | None = None) -> list[tuple[str, Mapping[str, str]]]:
    """The (intent, resolved slot ids) that reach an answer directly, from the skill's own handler tables
    (and the content's treatment links, when given)."""
    from skill.alexa.handlers import facts as fact_handlers
    from skill.alexa.handlers import topics as topic_handlers

    if answer.kind == "topic" and answer.id:
        return [(topic_handlers.intent_for_topic(answer.id), {})]
    if answer.kind == "trigger" and answer.id:
        return [(topic_handlers.TRIGGER_INTENT, {topic_handlers.TRIGGER_SLOT: answer.id})]
    if answer.kind == "fact" and answer.id:
        reached = [(fact_handlers.FACT_INTENT, {fact_handlers.THING_SLOT: answer.id}),
                   (fact_handlers.CURE_INTENT, {fact_handlers.THING_SLOT: answer.id})]
        reached += [(intent, {}) for intent, thing in fact_handlers.QUESTION_INTENTS.items() if thing == answer.id]
        if content is not None:  # "can hemifacial spasm be cured?" reaches the thing its treatment links to
            reached += [(fact_handlers.CURE_INTENT, {fact_handlers.THING_SLOT: thing}) for thing in facts.thing_ids(content)
                        if thing != answer.id and facts.treatment_of(content, thing) == answer.id]
        return reached
    if answer.kind == "check":
        return [("SymptomCheckIntent", ANY_SLOTS)]
    if answer.kind == "sources":
        return [(fact_handlers.SOURCES_INTENT, {})]
    return []


# --- reports --------------------------------------------------------------------------------------


@dataclass
class BlindMiss:
    stand_in: str
    say: str
    topic: str
    heard: str
    said: str


@dataclass
class BlindReport:
    """One blind set in one locale: lines, and per stand-in the answer-level and intent-level counts."""

    set_name: str
    locale: str
    lines: int = 0
    #: Lines whose topic has an answer in the content today.
    answerable: int = 0
    answer: dict[str, int] = field(default_factory=dict)
    intent: dict[str, int] = field(default_factory=dict)
    misses: list[BlindMiss] = field(default_factory=list)

    def rate(self, count: int) -> float:
        return count / self.lines if self.lines else 0.0

    def answer_rate(self, stand_in: str) -> float:
        return self.rate(self.answer.get(stand_in, 0))

    def intent_rate(self, stand_in: str) -> float:
        return self.rate(self.intent.get(stand_in, 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "set": self.set_name, "locale": self.locale, "lines": self.lines, "answerable": self.answerable,
            "answer": self.answer, "intent": self.intent,
            "answer_rate": {k: self.answer_rate(k) for k in self.answer},
            "intent_rate": {k: self.intent_rate(k) for k in self.intent},
            "misses": [vars(m) for m in self.misses],
        }


def measure(set_name: str, locale: str, lines: Sequence[BlindLine], answers: Mapping[str, Sequence[Answer]],
            hearings: Mapping[str, Any], judge: AnswerJudge) -> BlindReport:
    """Measure one set's lines for one locale with every stand-in hearing (name -> object with ``predict_many``)."""
    report = BlindReport(set_name, locale, lines=len(lines))
    report.answerable = sum(bool(answers.get(line.topic)) for line in lines)
    for name, hearing in hearings.items():
        report.answer[name] = report.intent[name] = 0
        for line, heard in zip(lines, hearing.predict_many([line.say for line in lines])):
            wanted = answers.get(line.topic, ())
            report.intent[name] += judge.heard_right(locale, wanted, heard)
            response = judge.first_response(locale, heard)
            if judge.answered(locale, wanted, response):
                report.answer[name] += 1
            else:
                report.misses.append(BlindMiss(name, line.say, line.topic, heard.describe(), spoken(response)[:160]))
    return report


def describe(reports: Sequence[BlindReport], first: Mapping[str, Any]) -> str:
    """The reports as text, each beside the set's first-measure figures for its locale."""
    out = []
    for report in reports:
        # A set measured later than the first ones names its own date and commit (``measured_sets``).
        measured = (first.get("measured_sets") or {}).get(report.set_name) or first.get("measured", "the first measure")
        then = ((first.get("sets") or {}).get(report.set_name) or {}).get(report.locale) or {}
        lines = [f"{report.set_name} {report.locale}: {report.lines} lines ({report.answerable} with an answer in the content)"]
        for name in report.answer:
            was = []
            if isinstance(then.get(f"answer_{name}"), int):
                was.append(f"answer {then[f'answer_{name}'] / report.lines:6.1%}")
            if isinstance(then.get(f"intent_{name}"), int):
                was.append(f"intent {then[f'intent_{name}'] / report.lines:6.1%}")
            lines.append(
                f"  {name:<11} answer {report.answer_rate(name):6.1%}  intent {report.intent_rate(name):6.1%}"
                + (f"   first measure ({measured}): {', '.join(was)}" if was else "")
            )
        out.append("\n".join(lines))
    return "\n".join(out)
