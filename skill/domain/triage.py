"""Triage engine (domain layer): answers so far -> the next yes/no question, or a disposition.

Pure Python, no Alexa or web types. The protocol (questions, their urgency levels, which one-shot
symptom pre-answers which question) comes from the ``triage`` content section, so a clinician
changes the questions in ``content/`` and this module enforces the safety rules on whatever is
there:

* questions are asked in content order, most urgent level first;
* an answer of "unsure" counts like "yes" (the outcome then says "to be safe");
* the outcome is the most urgent level answered yes or unsure, and it is final as soon as every
  question of a more urgent level has been answered, so no unasked answer could raise it;
* a yes or unsure at the emergency level ends the check at once;
* a second unclear answer to the same question counts as "unsure", so no question loops;
* a sign mentioned mid-check takes back an earlier "no" to its emergency question, which is then
  asked again (:func:`mention`).

Each question names at most :data:`MAX_SIGNS` signs (its ``signs:`` list in content). There is no
limit on the number of questions: the limits are spoken-time budgets, checked when content loads
(:mod:`skill.domain.triage_budget`).

The state is two small tuples (asked answers, pre-answers from one-shot slots) and a count of
unclear answers to the current question; it travels in the Alexa session, and anything read back
from a session is replayed through the engine and rejected unless the engine could have produced it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from enum import IntEnum, StrEnum
from types import MappingProxyType

#: At most this many signs in one yes/no question (a listener holds three things at once).
MAX_SIGNS = 3
#: Unclear answers to one question before the next one counts as "unsure".
MAX_UNCLEAR = 1


class Level(IntEnum):
    """Disposition levels; a lower value is more urgent."""

    EMERGENCY = 0
    URGENT = 1
    SOON = 2
    ROUTINE = 3
    SELF_CARE = 4

    @property
    def key(self) -> str:
        """The content key of the level: "emergency", "urgent", "soon", "routine", "self_care"."""
        return self.name.lower()

    @classmethod
    def from_key(cls, key: object) -> Level:
        if isinstance(key, str) and key.upper() in cls.__members__:
            return cls[key.upper()]
        raise ValueError(f"unknown level {key!r}")


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


#: Answers that raise the outcome to the question's level.
_RAISING = frozenset({Answer.YES, Answer.UNSURE})


@dataclass(frozen=True)
class Question:
    id: str
    level: Level
    #: The sign ids the question asks about (content ``signs:``), at most :data:`MAX_SIGNS`.
    signs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Protocol:
    """The questions in asking order and how one-shot slots pre-answer them."""

    questions: tuple[Question, ...]
    symptom_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    #: Symptom id -> the emergency question a mid-check mention of it asks again (content ``reask:``).
    reask_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    duration_question: str = ""
    duration_min_days: int = 14

    def __post_init__(self) -> None:
        _validate(self)

    @classmethod
    def from_content(cls, node: Mapping) -> Protocol:
        """Build a protocol from the ``triage`` content section; ValueError names the bad key."""
        if not isinstance(node, Mapping):
            raise ValueError("triage: must be a mapping")
        raw_questions = node.get("questions")
        if not isinstance(raw_questions, list | tuple) or not raw_questions:
            raise ValueError("triage.questions: must be a non-empty list")
        questions = []
        for index, item in enumerate(raw_questions):
            where = f"triage.questions.{index}"
            if not isinstance(item, Mapping):
                raise ValueError(f"{where}: must be a mapping")
            qid = item.get("id")
            if not isinstance(qid, str) or not qid:
                raise ValueError(f"{where}.id: must be a non-empty text")
            try:
                level = Level.from_key(item.get("level"))
            except ValueError as exc:
                raise ValueError(f"{where}.level ({qid}): {exc}") from None
            signs = item.get("signs")
            if not isinstance(signs, list | tuple) or not signs or not all(isinstance(x, str) and x for x in signs):
                raise ValueError(f"{where}.signs ({qid}): must be a non-empty list of sign ids")
            questions.append(Question(qid, level, tuple(signs)))
        symptoms = node.get("symptoms", {})
        if not isinstance(symptoms, Mapping):
            raise ValueError("triage.symptoms: must be a mapping of symptom id -> question id")
        for key, target in symptoms.items():
            if not isinstance(key, str) or not isinstance(target, str):
                raise ValueError(f"triage.symptoms.{key}: must map a symptom id to a question id")
        reask = node.get("reask", {})
        if not isinstance(reask, Mapping):
            raise ValueError("triage.reask: must be a mapping of symptom id -> question id")
        for key, target in reask.items():
            if not isinstance(key, str) or not isinstance(target, str):
                raise ValueError(f"triage.reask.{key}: must map a symptom id to a question id")
        duration = node.get("duration")
        if not isinstance(duration, Mapping):
            raise ValueError("triage.duration: must be a mapping with question and min_days")
        min_days = duration.get("min_days")
        if isinstance(min_days, bool) or not isinstance(min_days, int) or min_days <= 0:
            raise ValueError("triage.duration.min_days: must be a positive whole number of days")
        duration_question = duration.get("question")
        if not isinstance(duration_question, str):
            raise ValueError("triage.duration.question: must be a question id")
        return cls(
            questions=tuple(questions),
            symptom_map=MappingProxyType(dict(symptoms)),
            reask_map=MappingProxyType(dict(reask)),
            duration_question=duration_question,
            duration_min_days=min_days,
        )

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    # The derived views below are computed once per protocol (built once per locale at start-up),
    # not on every request: the engine replays a session's answers through them each turn.

    @cached_property
    def pre_answerable(self) -> frozenset[str]:
        """The questions a one-shot symptom or duration can pre-answer."""
        return frozenset({*self.symptom_map.values(), self.duration_question})

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    @cached_property
    def _positions(self) -> Mapping[str, int]:
        return MappingProxyType({qid: i for i, qid in enumerate(self.ids)})

    @cached_property
    def by_level(self) -> tuple[tuple[Level, tuple[Question, ...]], ...]:
        """The questions grouped by level, most urgent level first, asking order kept within each."""
        return tuple(
            (level, tuple(q for q in self.questions if q.level == level))
            for level in sorted({q.level for q in self.questions})
        )

    def index(self, question_id: str) -> int:
        try:
            return self._positions[question_id]
        except KeyError:
            raise ValueError(f"{question_id!r} is not a question of the protocol") from None


def _validate(protocol: Protocol) -> None:
    questions = protocol.questions
    if not questions:
        raise ValueError("triage.questions: must not be empty")
    seen: set[str] = set()
    for index, question in enumerate(questions):
        if question.id in seen:
            raise ValueError(f"triage.questions.{index}.id: duplicate question id {question.id!r}")
        seen.add(question.id)
        if index and question.level < questions[index - 1].level:
            raise ValueError(
                f"triage.questions.{index}.level ({question.id}): {question.level.key} comes after "
                f"{questions[index - 1].level.key}; questions must be ordered most urgent first"
            )
        if question.level == Level.SELF_CARE:
            raise ValueError(f"triage.questions.{index}.level ({question.id}): self_care is the outcome "
                             "when nothing is flagged, not a question level")
        if len(question.signs) > MAX_SIGNS:
            raise ValueError(
                f"triage.questions.{index}.signs ({question.id}): asks about {len(question.signs)} signs "
                f"({', '.join(question.signs)}); at most {MAX_SIGNS} per question"
            )
        if len(set(question.signs)) != len(question.signs):
            raise ValueError(f"triage.questions.{index}.signs ({question.id}): a sign is named twice")
    if questions[0].level != Level.EMERGENCY:
        raise ValueError("triage.questions: the first question must be an emergency question")
    for symptom, target in protocol.symptom_map.items():
        if target not in seen:
            raise ValueError(f"triage.symptoms.{symptom}: unknown question id {target!r}")
    levels = {q.id: q.level for q in questions}
    for symptom, target in protocol.reask_map.items():
        if target not in seen:
            raise ValueError(f"triage.reask.{symptom}: unknown question id {target!r}")
        if levels[target] != Level.EMERGENCY:
            raise ValueError(f"triage.reask.{symptom}: {target} is a {levels[target].key} question; a mention "
                             "asks an emergency question again, the others are pre-answered (triage.symptoms)")
    if protocol.duration_question not in seen:
        raise ValueError(f"triage.duration.question: unknown question id {protocol.duration_question!r}")


@dataclass(frozen=True)
class TriageState:
    """Answers so far: ``asked`` in the order asked, ``pre`` from one-shot slots (protocol order)."""

    asked: tuple[tuple[str, Answer], ...] = ()
    pre: tuple[tuple[str, Answer], ...] = ()
    #: Unclear answers given to the current question so far (0 or 1).
    unclear: int = 0

    def answers(self) -> dict[str, Answer]:
        """Every answer by question id (asked and pre-answered)."""
        return {**dict(self.pre), **dict(self.asked)}


@dataclass(frozen=True)
class Ask:
    question: Question


@dataclass(frozen=True)
class Outcome:
    """The disposition: ``reasons`` are the ids answered yes or unsure at ``level``, in order."""

    level: Level
    reasons: tuple[str, ...]
    to_be_safe: bool


Step = Ask | Outcome


def _decide(protocol: Protocol, answers: Mapping[str, Answer]) -> Step:
    """The engine's one rule, on a map of answers."""
    for level, at_level in protocol.by_level:
        reasons = tuple(q.id for q in at_level if answers.get(q.id) in _RAISING)
        if reasons:
            # Every more urgent question has been answered (and none raised, or the loop would
            # have stopped there), so this level can only stay or be the final answer.
            safe = all(answers[r] == Answer.UNSURE for r in reasons)
            return Outcome(level=level, reasons=reasons, to_be_safe=safe)
        for question in at_level:
            if question.id not in answers:
                return Ask(question)
    return Outcome(level=Level.SELF_CARE, reasons=(), to_be_safe=False)


def next_step(protocol: Protocol, state: TriageState) -> Step:
    """The next question to ask, or the final outcome."""
    return _decide(protocol, state.answers())


def answer(protocol: Protocol, state: TriageState, ans: Answer) -> tuple[TriageState, Step]:
    """Answer the current question; ValueError if the check has already reached its outcome."""
    step = next_step(protocol, state)
    if not isinstance(step, Ask):
        raise ValueError("the check is finished; there is no question to answer")
    new_state = TriageState(asked=(*state.asked, (step.question.id, Answer(ans))), pre=state.pre)
    return new_state, next_step(protocol, new_state)


def unclear_answer(protocol: Protocol, state: TriageState) -> tuple[TriageState, Step, bool]:
    """An answer that is not yes, no or not sure: the first is re-asked, the second counts as unsure.

    Returns the new state, the next step, and whether the answer was taken as "unsure". Counting
    a repeated unclear answer as unsure means a red-flag question never loops: it escalates.
    """
    step = next_step(protocol, state)
    if not isinstance(step, Ask):
        raise ValueError("the check is finished; there is no question to answer")
    if state.unclear >= MAX_UNCLEAR:
        new_state, nxt = answer(protocol, state, Answer.UNSURE)
        return new_state, nxt, True
    new_state = TriageState(asked=state.asked, pre=state.pre, unclear=state.unclear + 1)
    return new_state, step, False


def restart(state: TriageState) -> TriageState:
    """ "Start over": every asked answer goes; pre-answers (what the person told) stay."""
    return TriageState(pre=state.pre)


def go_back(protocol: Protocol, state: TriageState) -> TriageState:
    """Undo the last asked answer; pre-answers stay. At the first question, the state is unchanged."""
    if not state.asked:
        return state
    return TriageState(asked=state.asked[:-1], pre=state.pre)


def _targets(protocol: Protocol, symptoms: Iterable[str], duration_days: float | None) -> set[str]:
    """The questions one-shot slots answer yes; unknown symptom ids are ignored."""
    targets = {protocol.symptom_map[s] for s in symptoms if isinstance(s, str) and s in protocol.symptom_map}
    if (
        isinstance(duration_days, int | float)
        and math.isfinite(duration_days)
        and duration_days >= protocol.duration_min_days
    ):
        targets.add(protocol.duration_question)
    return targets


def pre_answer(
    protocol: Protocol,
    state: TriageState,
    symptoms: Iterable[str],
    duration_days: float | None,
) -> TriageState:
    """Pre-answer questions from one-shot slots; only ever adds "yes", never overrides an answer.

    A duration shorter than the minimum pre-answers nothing: the duration question also asks
    about other things (daily life, spreading), so "no" cannot be assumed.
    """
    answered = state.answers()
    targets = _targets(protocol, symptoms, duration_days)
    pre = dict(state.pre)
    for qid in targets:
        if qid not in answered:
            pre[qid] = Answer.YES
    ordered = tuple((q.id, pre[q.id]) for q in protocol.questions if q.id in pre)
    return TriageState(asked=state.asked, pre=ordered)


def mention(
    protocol: Protocol,
    state: TriageState,
    symptoms: Iterable[str],
    duration_days: float | None,
) -> TriageState:
    """Symptoms told mid-check: like :func:`pre_answer`, but a later "I have it" beats an earlier "no".

    Two kinds of earlier "no" give way, and the check goes back to the first of them (the more
    urgent answers before it stay; everything after it is asked again):

    * the question the symptom pre-answers (``triage.symptoms``), which the mention answers yes;
    * the emergency question the symptom belongs to (``triage.reask``), which is asked again: a
      symptom slot never says the sign was sudden, so it cannot answer that question, but a "no"
      given before the person mentioned the sign cannot stand either. Letting it stand would read
      the sign back and never ask about it, and the check could end in home care.
    """
    symptoms = tuple(symptoms)
    targets = _targets(protocol, symptoms, duration_days)
    rewind = targets | {protocol.reask_map[s] for s in symptoms if isinstance(s, str) and s in protocol.reask_map}
    asked = state.asked
    for position, (qid, ans) in enumerate(state.asked):
        if qid in rewind and ans == Answer.NO:
            asked = state.asked[:position]
            break
    return pre_answer(protocol, TriageState(asked=asked, pre=state.pre), symptoms, duration_days)


# --- durations --------------------------------------------------------------------------------

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_ISO_DURATION = re.compile(
    rf"P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"
)
#: Days per unit, in the order of the pattern's groups. A year and a month are averages; the
#: threshold (two weeks) is far from where that rounding matters.
_DAYS_PER_UNIT = (365.0, 30.0, 7.0, 1.0, 1 / 24, 1 / 1440, 1 / 86400)


def parse_iso_duration(text: str) -> float | None:
    """Days in an ISO-8601 duration as Alexa sends it ("P3W", "PT5H", "P1DT2H"); None if unreadable."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    match = _ISO_DURATION.fullmatch(text.strip().upper())
    if match is None or not any(match.groups()):
        return None
    if "T" in text.upper() and not any(match.groups()[4:]):
        return None  # "P1DT": a time designator with no time in it
    days = sum(float(value.replace(",", ".")) * unit for value, unit in zip(match.groups(), _DAYS_PER_UNIT) if value)
    return days if math.isfinite(days) else None


# --- session ----------------------------------------------------------------------------------


def state_to_session(state: TriageState) -> dict[str, object]:
    """A compact JSON-safe form for the Alexa session (``u``, the unclear count, only when set)."""
    raw: dict[str, object] = {
        "a": [[qid, str(ans)] for qid, ans in state.asked],
        "p": [[qid, str(ans)] for qid, ans in state.pre],
    }
    if state.unclear:
        raw["u"] = state.unclear
    return raw


def _read_pairs(raw: object) -> list[tuple[str, Answer]] | None:
    if not isinstance(raw, list | tuple):
        return None
    pairs = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            return None
        qid, value = item
        if not isinstance(qid, str) or not isinstance(value, str) or value not in Answer._value2member_map_:
            return None
        pairs.append((qid, Answer(value)))
    return pairs


def state_from_session(protocol: Protocol, raw: object) -> TriageState | None:
    """Read a session value back; None unless the engine could have produced exactly this state.

    Pre-answers may arrive at any point of the check (a one-shot utterance mid-way), so each asked
    answer is checked against the pre-answers that must already have existed when it was asked:
    those of questions earlier in the protocol (the engine asks the first unanswered question).
    """
    try:
        return _state_from_session(protocol, raw)
    except Exception:  # noqa: BLE001 - a tampered session must never crash the skill
        return None


def _state_from_session(protocol: Protocol, raw: object) -> TriageState | None:
    if not isinstance(raw, Mapping) or not set(raw) <= {"a", "p", "u"}:
        return None
    unclear = raw.get("u", 0)
    if isinstance(unclear, bool) or not isinstance(unclear, int) or not 0 <= unclear <= MAX_UNCLEAR:
        return None
    asked = _read_pairs(raw.get("a", []))
    pre = _read_pairs(raw.get("p", []))
    if asked is None or pre is None:
        return None
    ids = protocol.ids
    all_ids = [qid for qid, _ in asked] + [qid for qid, _ in pre]
    if any(qid not in ids for qid in all_ids) or len(set(all_ids)) != len(all_ids):
        return None
    if any(ans != Answer.YES for _, ans in pre):
        return None  # pre_answer only ever records "yes"; a pre-answered "no" would skip a question
    if any(qid not in protocol.pre_answerable for qid, _ in pre):
        return None  # only a symptom or a duration pre-answers, and only the questions they map to
    pre_map = dict(pre)
    so_far: dict[str, Answer] = {}
    for qid, ans in asked:
        position = protocol.index(qid)
        earlier_pre = {p: a for p, a in pre_map.items() if protocol.index(p) < position}
        step = _decide(protocol, {**earlier_pre, **so_far})
        if not isinstance(step, Ask) or step.question.id != qid:
            return None
        so_far[qid] = ans
    ordered_pre = tuple((q.id, pre_map[q.id]) for q in protocol.questions if q.id in pre_map)
    state = TriageState(asked=tuple(asked), pre=ordered_pre, unclear=unclear)
    if unclear and not isinstance(next_step(protocol, state), Ask):
        return None  # an unclear count belongs to a question still being asked
    return state
