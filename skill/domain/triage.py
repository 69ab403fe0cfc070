"""Triage engine (domain layer): answers so far -> the next yes/no question, or a disposition.

Pure Python, no Alexa or web types. The protocol (questions, their urgency levels, which one-shot
symptom pre-answers which question) comes from the ``triage`` content section, so a clinician
changes the questions in ``content/`` and this module enforces the safety rules on whatever is
there:

* questions are asked in content order, most urgent level first;
* an answer of "unsure" counts like "yes" (the outcome then says "to be safe");
* the outcome is the most urgent level answered yes or unsure, and it is final as soon as every
  question of a more urgent level has been answered, so no unasked answer could raise it;
* a yes or unsure at the emergency level ends the check at once.

The state is two small tuples (asked answers, pre-answers from one-shot slots) that travel in the
Alexa session; anything read back from a session is replayed through the engine and rejected
unless the engine could have produced it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from types import MappingProxyType

#: The safety and efficiency targets a protocol must meet (checked when content is loaded).
MAX_QUESTIONS = 6
MAX_EMERGENCY_QUESTIONS = 2


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


@dataclass(frozen=True)
class Protocol:
    """The questions in asking order and how one-shot slots pre-answer them."""

    questions: tuple[Question, ...]
    symptom_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
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
            questions.append(Question(qid, level))
        symptoms = node.get("symptoms", {})
        if not isinstance(symptoms, Mapping):
            raise ValueError("triage.symptoms: must be a mapping of symptom id -> question id")
        for key, target in symptoms.items():
            if not isinstance(key, str) or not isinstance(target, str):
                raise ValueError(f"triage.symptoms.{key}: must map a symptom id to a question id")
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
            duration_question=duration_question,
            duration_min_days=min_days,
        )

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def index(self, question_id: str) -> int:
        return self.ids.index(question_id)


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
    if len(questions) > MAX_QUESTIONS:
        raise ValueError(f"triage.questions: {len(questions)} questions; at most {MAX_QUESTIONS} may be asked")
    emergency = [q for q in questions if q.level == Level.EMERGENCY]
    if not emergency:
        raise ValueError("triage.questions: the first question must be an emergency question")
    if len(emergency) > MAX_EMERGENCY_QUESTIONS:
        raise ValueError(
            f"triage.questions: {len(emergency)} emergency questions; at most {MAX_EMERGENCY_QUESTIONS} "
            "so an emergency sign is reached by the second question"
        )
    for symptom, target in protocol.symptom_map.items():
        if target not in seen:
            raise ValueError(f"triage.symptoms.{symptom}: unknown question id {target!r}")
    if protocol.duration_question not in seen:
        raise ValueError(f"triage.duration.question: unknown question id {protocol.duration_question!r}")


@dataclass(frozen=True)
class TriageState:
    """Answers so far: ``asked`` in the order asked, ``pre`` from one-shot slots (protocol order)."""

    asked: tuple[tuple[str, Answer], ...] = ()
    pre: tuple[tuple[str, Answer], ...] = ()

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
    for level in sorted({q.level for q in protocol.questions}):
        at_level = [q for q in protocol.questions if q.level == level]
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

    If a mentioned symptom's question was asked and answered no, the check goes back to that
    question (the more urgent answers before it stay) and takes the mention as yes. Letting the
    "no" stand would ignore what the person just said, which could under-triage.
    """
    symptoms = tuple(symptoms)
    targets = _targets(protocol, symptoms, duration_days)
    asked = state.asked
    for position, (qid, ans) in enumerate(state.asked):
        if qid in targets and ans == Answer.NO:
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


def state_to_session(state: TriageState) -> dict[str, list[list[str]]]:
    """A compact JSON-safe form for the Alexa session."""
    return {
        "a": [[qid, str(ans)] for qid, ans in state.asked],
        "p": [[qid, str(ans)] for qid, ans in state.pre],
    }


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
    if not isinstance(raw, Mapping) or not set(raw) <= {"a", "p"}:
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
    return TriageState(asked=tuple(asked), pre=ordered_pre)
