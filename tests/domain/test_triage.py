"""Triage engine safety tests (domain layer): every answer combination, driven through the engine.

The protocol is loaded from the real ``content/en/triage.yaml``, so these tests prove the content
a clinician reads, not a copy. The oracle for "what should happen" is written here from the spec,
independently of the engine's own rule.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from skill.domain.content import iter_texts, placeholders
from skill.domain.triage import (
    Answer,
    Ask,
    Level,
    Outcome,
    Protocol,
    Question,
    TriageState,
    answer,
    go_back,
    mention,
    next_step,
    parse_iso_duration,
    pre_answer,
    restart,
    state_from_session,
    state_to_session,
    unclear_answer,
)
from tests.support.examples import examples

CONTENT_EN = Path(__file__).resolve().parents[2] / "content" / "en"
TRIAGE_NODE = yaml.safe_load((CONTENT_EN / "triage.yaml").read_text(encoding="utf-8"))["triage"]
PROTOCOL = Protocol.from_content(TRIAGE_NODE)
QUESTIONS = PROTOCOL.questions
IDS = tuple(q.id for q in QUESTIONS)
LEVEL_OF = {q.id: q.level for q in QUESTIONS}
RAISING = (Answer.YES, Answer.UNSURE)
ANSWERS = tuple(Answer)

SPEC_QUESTIONS = (
    ("sudden_face_or_limb", Level.EMERGENCY),  # sudden, or since yesterday however slowly (N4)
    ("sudden_speech_or_confusion", Level.EMERGENCY),  # and a fever with a stiff neck (meningitis; patient p33)
    ("sudden_balance_sight_headache", Level.EMERGENCY),
    ("head_pain_or_senses", Level.URGENT),
    ("new_face_weakness", Level.URGENT),  # over the last few days: Bell's palsy, within three days
    ("eye_wont_close", Level.URGENT),
    ("ear_rash", Level.URGENT),
    ("spread_or_blackout", Level.URGENT),  # a possible seizure (N12)
    ("medicine_spasm", Level.URGENT),  # acute dystonia after a new medicine (N20; simulated patient p14)
    ("slow_weakness_speech_swallowing", Level.SOON),  # the motor neurone disease warning signs (N9)
    ("painful_or_swollen", Level.SOON),
    ("new_medicine", Level.ROUTINE),
    ("child_nose_scrunch", Level.ROUTINE),
    ("twitching_elsewhere", Level.ROUTINE),  # NHS: a twitch in more than one place, apart from weakness (N12)
    ("two_weeks", Level.ROUTINE),
    ("daily_life", Level.ROUTINE),
    ("spreading_one_side", Level.ROUTINE),
)
#: Every SYMPTOM slot value id; the ones in triage.symptoms pre-answer a question, the rest are read back only.
SYMPTOM_IDS = tuple(TRIAGE_NODE["symptom_names"])
MAPPED = tuple(PROTOCOL.symptom_map)
#: One symptom id that pre-answers each question that any symptom pre-answers.
SYMPTOM_FOR = {qid: next(s for s in MAPPED if PROTOCOL.symptom_map[s] == qid) for qid in set(PROTOCOL.symptom_map.values())}
SYMPTOM_FOR.setdefault(PROTOCOL.duration_question, None)
#: Questions a one-shot utterance can pre-answer (a symptom, or a long duration).
PRE_ANSWERABLE = tuple(q for q in IDS if q in SYMPTOM_FOR)
#: Pre-answers per conversation the exhaustive runs combine (a one-shot start plus one mid-check
#: mention). Pre-answers only ever add "yes" to a question, each independently of the others, so
#: pairs cover every interaction between two of them; larger sets add nothing new to prove.
MAX_PRE = 2


# --- the oracle, from the spec ----------------------------------------------------------------


def expected_level(truth: dict[str, Answer]) -> Level:
    """The most urgent level answered yes or unsure (self care if none)."""
    raised = [LEVEL_OF[q] for q, a in truth.items() if a in RAISING]
    return min(raised, default=Level.SELF_CARE)


def spec_final(answers: dict[str, Answer]) -> bool:
    """Early stop rule: some level has a yes/unsure and every more urgent question is answered."""
    for qid, ans in answers.items():
        if ans in RAISING and all(q.id in answers for q in QUESTIONS if q.level < LEVEL_OF[qid]):
            return True
    return all(q in answers for q in IDS)


def apply_pre(state: TriageState, qids) -> TriageState:
    symptoms = [SYMPTOM_FOR[q] for q in qids if SYMPTOM_FOR[q]]
    days = PROTOCOL.duration_min_days if PROTOCOL.duration_question in qids else None
    return pre_answer(PROTOCOL, state, symptoms, days)


class Unread(dict):
    """A truth that fails the test if the engine's conversation reads an answer it must not need."""

    def __init__(self, known: dict[str, Answer], context: str) -> None:
        super().__init__(known)
        self.context = context

    def __missing__(self, qid: str) -> Answer:
        raise AssertionError(f"the check asked {qid}, after its outcome was already decided: {self.context}")


def drive(truth, pre: frozenset[str] = frozenset(), pre_after: int = 0):
    """Run one conversation: the user answers from ``truth``; ``pre`` arrives after ``pre_after`` asks.

    Returns (asked ids, final outcome, every state visited, the state when the outcome came).
    """
    state = TriageState()
    asked: list[str] = []
    states = [state]
    pre_applied = False
    context = f"truth={ {k: v.value for k, v in truth.items()} } pre={sorted(pre)} after={pre_after}"
    for _ in range(len(IDS) + 2):
        if not pre_applied and len(asked) >= pre_after:
            state = apply_pre(state, pre)
            pre_applied = True
            states.append(state)
        step = next_step(PROTOCOL, state)
        if isinstance(step, Outcome):
            assert spec_final(state.answers()), f"outcome before the early-stop rule allows it: {context}"
            return asked, step, states, state
        qid = step.question.id
        assert not spec_final(state.answers()), f"asked {qid} after the outcome was already final: {context}"
        assert qid not in state.answers(), f"asked {qid} which is already answered: {context}"
        first_open = next(q for q in IDS if q not in state.answers())
        assert qid == first_open, f"asked {qid} before the more urgent {first_open}: {context}"
        state, _ = answer(PROTOCOL, state, truth[qid])
        asked.append(qid)
        states.append(state)
    raise AssertionError(f"the conversation did not end within {len(IDS)} questions: {context}")


def answer_classes():
    """Every class of answer combinations, as (index of the first yes/unsure or None, that answer).

    Questions run most urgent first and a yes or unsure ends the check at its question, so a
    combination's conversation is fixed by its first raising answer: "no" to every question before
    it, then that answer. Class (i, a) holds the 3^(n-i-1) combinations that share that prefix and
    differ only after it; (None, None) is the one all-"no" combination. The classes partition all
    3^n combinations (2 * sum(3^(n-i-1)) + 1 == 3^n), which the tests check.
    """
    yield None, None
    for index in range(len(IDS)):
        for raised in RAISING:
            yield index, raised


def class_truth(index, raised) -> dict[str, Answer]:
    """The answers a class fixes: "no" before its first raising answer, then that answer."""
    if index is None:
        return {q: Answer.NO for q in IDS}
    return {**{q: Answer.NO for q in IDS[:index]}, IDS[index]: raised}


def class_size(index) -> int:
    return 1 if index is None else 3 ** (len(IDS) - index - 1)


def all_runs():
    """Every class, with every set of up to MAX_PRE pre-answers that are true for it, at every turn."""
    for index, raised in answer_classes():
        fixed = class_truth(index, raised)
        candidates = [q for q in PRE_ANSWERABLE if fixed.get(q, Answer.YES) == Answer.YES]
        for size in range(MAX_PRE + 1):
            for pre in itertools.combinations(candidates, size):
                truth = {**fixed, **{q: Answer.YES for q in pre}}
                for pre_after in range(len(fixed) + 1):
                    yield index, truth, frozenset(pre), pre_after


def reachable_states() -> set[TriageState]:
    """Every state the engine can reach with up to MAX_PRE pre-answers: answers, unclear answers,
    and one-shot symptoms or durations at any turn."""
    start = TriageState()
    seen = {start}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        successors = []
        if len(state.pre) < MAX_PRE:
            successors += [apply_pre(state, [q]) for q in PRE_ANSWERABLE]
        if isinstance(next_step(PROTOCOL, state), Ask):
            successors += [answer(PROTOCOL, state, a)[0] for a in ANSWERS]
            successors.append(unclear_answer(PROTOCOL, state)[0])
        for nxt in successors:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


REACHABLE = reachable_states()


# --- the protocol is the one the spec asks for ------------------------------------------------


def test_protocol_has_the_spec_questions_in_order():
    got = tuple((q.id, q.level) for q in QUESTIONS)
    assert got == SPEC_QUESTIONS, f"triage.yaml questions/levels drifted from the spec: {got}"


def test_no_question_names_more_than_three_signs():
    for question in QUESTIONS:
        assert 1 <= len(question.signs) <= 3, f"{question.id} names {len(question.signs)} signs: {question.signs}"


def test_every_be_fast_sign_is_an_emergency_question():
    emergency_signs = {s for q in QUESTIONS if q.level == Level.EMERGENCY for s in q.signs}
    want = {"face", "arm_or_leg", "speech", "confusion", "balance", "sight", "headache", "stiff_neck"}
    assert emergency_signs == want, f"the emergency questions name {sorted(emergency_signs)}, want {sorted(want)}"
    for item in TRIAGE_NODE["questions"]:
        if item["level"] == "emergency":
            assert "sudden" in item["ask"].lower(), f"{item['id']}: every emergency question asks about 'suddenly'"
    face_limb = next(item for item in TRIAGE_NODE["questions"] if item["id"] == "sudden_face_or_limb")
    assert "since yesterday" in face_limb["ask"] and "since yesterday" in face_limb["reprompt"].lower(), (
        "a droop or weakness that came on slowly since yesterday is an emergency too (review N4): the question says so"
    )
    face_days = next(item for item in TRIAGE_NODE["questions"] if item["id"] == "new_face_weakness")
    assert face_days["level"] == "urgent" and "days" in face_days["ask"], "an older droop is same-day care, by days"
    face_limb = next(item for item in TRIAGE_NODE["questions"] if item["id"] == "sudden_face_or_limb")
    assert "since yesterday" in face_limb["ask"] and "since yesterday" in face_limb["reprompt"].lower(), (
        "a droop or weakness that came on slowly since yesterday is an emergency too (review N4): the question says so"
    )
    face_days = next(item for item in TRIAGE_NODE["questions"] if item["id"] == "new_face_weakness")
    assert face_days["level"] == "urgent" and "days" in face_days["ask"], "an older droop is same-day care, by days"


def test_symptom_map_keeps_face_and_limb_apart_and_never_assumes_suddenness_or_severity():
    assert set(MAPPED) <= set(SYMPTOM_IDS), f"mapped symptoms without a read-back name: {set(MAPPED) - set(SYMPTOM_IDS)}"
    targets = PROTOCOL.symptom_map
    assert not [s for s, q in targets.items() if LEVEL_OF[q] == Level.EMERGENCY], (
        "no one-shot symptom may pre-answer a 'suddenly' question: the slot does not say it was sudden"
    )
    face = {targets[s] for s in ("face_droop", "facial_numbness", "face_weakness")}
    limb = {targets[s] for s in ("limb_weakness", "limb_numbness")}
    assert face == {"new_face_weakness"} and limb == {"slow_weakness_speech_swallowing"}, f"face {face} vs limb {limb}"
    assert targets["speech_trouble"] == "slow_weakness_speech_swallowing", (
        "trouble speaking that was not sudden came on slowly: it is worth a doctor's check soon (review N9)"
    )
    for unasked in ("headache", "dizziness", "balance_loss", "confusion"):
        assert unasked not in targets, f"{unasked} must be read back and asked, not assumed"
    assert targets["severe_headache"] == "head_pain_or_senses", "a severe headache pre-answers the severe-pain question"
    assert PROTOCOL.duration_question == "two_weeks" and PROTOCOL.duration_min_days == 14, "the two-week rule"


def test_the_answer_classes_partition_every_combination():
    assert sum(class_size(index) for index, _ in answer_classes()) == 3 ** len(IDS), (
        "the classes must cover every yes/no/not-sure combination exactly once"
    )
    runs = sum(1 for _ in all_runs())
    assert runs > 1000, f"the enumeration produced only {runs} runs"
    assert len(REACHABLE) > 500, f"the reachable-state search found only {len(REACHABLE)} states"


# --- exhaustive safety ------------------------------------------------------------------------


@pytest.mark.slow  # exhaustive over every reachable state
def test_every_answer_combination_gets_the_most_urgent_level_and_obeys_the_conversation_rules():
    """Every one of the 3^n combinations, by class (see :func:`answer_classes`).

    Each class is played with the answers after its first raising one left unknown: reading one
    fails the test, so the engine provably decides the class from its prefix alone, and every
    combination in the class gets the same conversation. Its expected outcome, the most urgent
    level answered yes or not sure, is that first raising question's level, since every later
    question is at the same level or less urgent. Pre-answers (true "yes" answers told up front or
    mid-way, up to MAX_PRE of them) are combined with every class at every turn.
    """
    for index, truth, pre, pre_after in all_runs():
        context = f"class={index} truth={ {k: v.value for k, v in truth.items()} } pre={sorted(pre)} after={pre_after}"
        asked, outcome, states, final_state = drive(Unread(truth, context), pre, pre_after)
        assert set(states) <= REACHABLE, f"the reachable-state search missed states of a real run: {asked}"
        context += f" asked={asked}"
        want = expected_level(truth)
        assert outcome.level == want, f"outcome {outcome.level.key} but most urgent flagged is {want.key}: {context}"
        answers = final_state.answers()
        want_reasons = tuple(q for q in IDS if LEVEL_OF[q] == want and answers.get(q) in RAISING)
        assert outcome.reasons == want_reasons, f"reasons {outcome.reasons} != {want_reasons}: {context}"
        assert (want == Level.SELF_CARE) == (not outcome.reasons), f"reasons empty iff self care: {context}"
        safe = bool(want_reasons) and all(answers[r] == Answer.UNSURE for r in want_reasons)
        assert outcome.to_be_safe == safe, f"to_be_safe={outcome.to_be_safe}, expected {safe}: {context}"
        assert len(set(asked)) == len(asked), f"a question was asked twice: {context}"
        if pre_after == 0:
            assert not set(asked) & pre, f"asked pre-answered {sorted(set(asked) & pre)}: {context}"
        levels = [LEVEL_OF[q] for q in asked]
        assert levels == sorted(levels), f"a less urgent question was asked before a more urgent one: {context}"


def test_an_unsure_answer_is_never_treated_as_no():
    for index, raised in answer_classes():
        if raised != Answer.UNSURE:
            continue
        _, outcome, _, _ = drive(class_truth(index, Answer.UNSURE))
        _, outcome_yes, _, _ = drive(class_truth(index, Answer.YES))
        assert outcome.level == outcome_yes.level and outcome.to_be_safe, (
            f"not sure at {IDS[index]} must escalate like yes, to be safe: {outcome} vs {outcome_yes}"
        )


def test_a_second_unclear_answer_counts_as_not_sure_and_never_loops():
    for index in range(len(IDS)):
        state = TriageState(asked=tuple((q, Answer.NO) for q in IDS[:index]))
        once, step, as_unsure = unclear_answer(PROTOCOL, state)
        assert not as_unsure and isinstance(step, Ask) and step.question.id == IDS[index], "the first is re-asked"
        assert once.unclear == 1 and once.answers() == state.answers(), "the first unclear answer records nothing"
        twice, step, as_unsure = unclear_answer(PROTOCOL, once)
        assert as_unsure and twice.answers()[IDS[index]] == Answer.UNSURE, f"{IDS[index]}: the second counts as not sure"
        assert isinstance(step, Outcome) and step.level == LEVEL_OF[IDS[index]] and step.to_be_safe, (
            f"{IDS[index]}: two unclear answers must escalate to its level, to be safe: {step}"
        )
        assert twice.unclear == 0, "the count starts again at the next question"


def test_restart_keeps_what_the_person_told_and_drops_the_answers():
    told = apply_pre(TriageState(), ["new_face_weakness"])
    state, _ = answer(PROTOCOL, told, Answer.NO)
    state, _, _ = unclear_answer(PROTOCOL, state)
    again = restart(state)
    assert again == TriageState(pre=told.pre), f"start over keeps the pre-answers only: {again}"
    assert isinstance(next_step(PROTOCOL, again), Ask) and next_step(PROTOCOL, again).question.id == IDS[0]


def test_pre_answer_maps_every_symptom_subset_and_duration():
    durations = (None, 0.0, 1.0, 13.99, 14.0, 21.0, 365.0, float("nan"), float("inf"))
    for size in range(4):
        for symptoms in itertools.combinations(SYMPTOM_IDS, size):
            for days in durations:
                state = pre_answer(PROTOCOL, TriageState(), [*symptoms, "not_a_symptom"], days)
                want = {PROTOCOL.symptom_map[s] for s in symptoms if s in PROTOCOL.symptom_map}
                if days is not None and days == days and days != float("inf") and days >= 14:
                    want.add("two_weeks")
                got = dict(state.pre)
                assert set(got) == want, (
                    f"symptoms={symptoms} days={days}: pre-answered {sorted(got)}, want {sorted(want)}"
                )
                assert all(a == Answer.YES for a in got.values()), f"a pre-answer was not yes: {got}"
                order = [q for q, _ in state.pre]
                assert order == [q for q in IDS if q in want], f"pre not in protocol order: {state.pre}"
                assert state.asked == (), "pre_answer must not add asked answers"


def test_pre_answer_never_overrides_an_asked_answer():
    for state in REACHABLE:
        for symptom in MAPPED:
            after = pre_answer(PROTOCOL, state, [symptom], 30.0)
            assert after.asked == state.asked, f"pre_answer changed asked answers of {state}"
            for qid, ans in state.answers().items():
                assert after.answers()[qid] == ans, f"pre_answer({symptom}) overrode {qid}={ans.value} in {state}"


def test_a_mention_mid_check_beats_an_earlier_no():
    checked = 0
    for state in REACHABLE:
        if len(state.pre) >= MAX_PRE:
            continue
        for qid in PRE_ANSWERABLE:
            symptom = SYMPTOM_FOR[qid]
            days = None if symptom else 30.0
            after = mention(PROTOCOL, state, [symptom] if symptom else [], days)
            context = f"mention({symptom}, {days}) in {state} -> {after}"
            assert after.answers()[qid] in RAISING, f"the mentioned symptom's question is not yes/unsure: {context}"
            assert after in REACHABLE, f"mention produced a state the engine cannot reach: {context}"
            assert state.asked[: len(after.asked)] == after.asked, f"mention changed earlier answers: {context}"
            step = next_step(PROTOCOL, after)
            if isinstance(step, Outcome):
                assert step.level <= LEVEL_OF[qid], f"outcome less urgent than the mention: {context}"
            checked += 1
    assert checked > 1000, f"mention was checked on only {checked} cases"


#: The emergency question each stroke sign belongs to (review N1): a sign said after its question
#: was answered "no" asks that question again. Written from the spec, not read from the content.
SPEC_REASK = {
    "sudden_face_or_limb": {"face_droop", "facial_numbness", "face_weakness", "limb_weakness", "limb_numbness"},
    "sudden_speech_or_confusion": {"speech_trouble", "confusion"},
    "sudden_balance_sight_headache": {"balance_loss", "dizziness", "sight_loss", "vision_change", "severe_headache"},
}


def test_every_stroke_sign_symptom_asks_its_emergency_question_again():
    got: dict[str, set[str]] = {}
    for symptom, qid in PROTOCOL.reask_map.items():
        got.setdefault(qid, set()).add(symptom)
    assert got == SPEC_REASK, f"triage.reask drifted from the spec: {got}"
    assert set(PROTOCOL.reask_map) <= set(SYMPTOM_IDS), "every re-asked symptom has a read-back name"


def test_a_sign_said_after_its_emergency_question_was_answered_no_asks_it_again():
    """Every reachable state x every stroke sign: a "no" to the sign's question gives way.

    The check goes back to that question (the answers before it stay), so the next thing asked is
    the question itself, and a "yes" to it now is an emergency. Where the question has not been
    asked yet, nothing before it changes and it is still asked before anything less urgent.
    """
    checked = rewound = 0
    for state in REACHABLE:
        if not isinstance(next_step(PROTOCOL, state), Ask) or len(state.pre) >= MAX_PRE:
            continue
        before = state.answers()
        for symptom, qid in PROTOCOL.reask_map.items():
            after = mention(PROTOCOL, state, [symptom], None)
            context = f"mention({symptom}) in {state} -> {after}"
            step = next_step(PROTOCOL, after)
            assert state_from_session(PROTOCOL, state_to_session(after)) == after, f"an unreplayable state: {context}"
            assert state.asked[: len(after.asked)] == after.asked, f"a mention changed earlier answers: {context}"
            if before.get(qid) == Answer.NO:
                assert isinstance(step, Ask) and step.question.id == qid, f"{qid} is not asked again: {context}"
                kept = [q for q, _ in after.asked]
                assert kept == [q for q, _ in state.asked[: len(kept)]] and qid not in kept, f"wrong rewind: {context}"
                _, said_yes = answer(PROTOCOL, after, Answer.YES)
                assert isinstance(said_yes, Outcome) and said_yes.level == Level.EMERGENCY, (
                    f"yes to the re-asked {qid} must be an emergency: {context}"
                )
                rewound += 1
            else:
                assert qid not in before and qid not in after.answers(), f"{qid} was answered yet not re-asked: {context}"
                assert isinstance(step, Ask) and IDS.index(step.question.id) <= IDS.index(qid), (
                    f"{step} is asked before the sign's question {qid}: {context}"
                )
            checked += 1
    assert rewound > 300 and checked > 1000, f"only {rewound} rewinds in {checked} mentions were checked"


def test_outcome_never_becomes_less_urgent_when_more_is_said():
    for state in REACHABLE:
        step = next_step(PROTOCOL, state)
        if not isinstance(step, Outcome):
            continue
        for symptom in MAPPED:
            later = next_step(PROTOCOL, pre_answer(PROTOCOL, state, [symptom], None))
            assert isinstance(later, Outcome), f"a final outcome reopened after {symptom} in {state}"
            assert later.level <= step.level, f"{symptom} lowered the outcome from {step.level.key} in {state}"


def test_go_back_then_reanswering_equals_answering_directly():
    checked = 0
    for state in REACHABLE:
        if not isinstance(next_step(PROTOCOL, state), Ask):
            with pytest.raises(ValueError):
                answer(PROTOCOL, state, Answer.YES)
            continue
        plain = TriageState(asked=state.asked, pre=state.pre)
        for first in ANSWERS:
            after, _ = answer(PROTOCOL, state, first)
            back = go_back(PROTOCOL, after)
            assert back == plain, f"go_back after {first.value} did not restore {plain}: got {back}"
            for second in ANSWERS:
                assert answer(PROTOCOL, back, second) == answer(PROTOCOL, state, second), (
                    f"answering {second.value} after go_back differs from answering directly in {state}"
                )
                checked += 1
    assert checked > 300, f"go_back was checked on only {checked} cases"


def test_go_back_at_the_start_keeps_pre_answers():
    pre = pre_answer(PROTOCOL, TriageState(), ["severe_headache"], 20)
    assert go_back(PROTOCOL, pre) == pre, "go_back at the first question must not drop pre-answers"
    assert go_back(PROTOCOL, TriageState()) == TriageState(), "go_back on an empty state must be a no-op"
    one, _ = answer(PROTOCOL, pre, Answer.NO)
    assert go_back(PROTOCOL, one) == pre, "go_back must remove only the asked answer"


# --- session round trip and tampering ---------------------------------------------------------


def test_every_reachable_state_round_trips_through_the_session():
    import json

    for state in REACHABLE:
        raw = json.loads(json.dumps(state_to_session(state)))
        assert state_from_session(PROTOCOL, raw) == state, f"round trip failed for {state}: {raw}"


E1, E2, E3, U1, U2 = IDS[:5]
TAMPERED = [
    None, 0, "x", [], True, {"a": None}, {"a": "no"}, {"a": [[E1]]},
    {"a": [[E1, "no", "extra"]]}, {"a": [[E1, "maybe"]]},
    {"a": [[E1, True]]}, {"a": [[1, "no"]]}, {"a": [["nope", "no"]]},
    {"a": [], "p": [], "x": 1},
    # out of order: skips the emergency questions
    {"a": [[U1, "no"]]},
    {"a": [[E2, "no"], [E1, "no"]]},
    # duplicate ids
    {"a": [[E1, "no"], [E1, "no"]]},
    {"a": [[E1, "no"]], "p": [[E1, "yes"]]},
    {"p": [[U1, "yes"], [U1, "yes"]]},
    # answers after an already-final outcome
    {"a": [[E1, "yes"], [E2, "no"]]},
    {"a": [[E1, "unsure"], [E2, "no"]]},
    {"a": [[E1, "no"], [E2, "no"], [E3, "no"], [U1, "yes"], [U2, "no"]]},
    # a pre-answered question also asked, or a pre-answered emergency followed by more questions
    {"a": [[E1, "no"]], "p": [[E1, "yes"]]},
    {"a": [[E2, "no"]], "p": [[E1, "yes"]]},
    # pre-answers are only ever "yes": a pre "no" would skip a question
    {"p": [[E1, "no"]]},
    {"p": [[E1, "unsure"]]},
    # the unclear count: a small whole number, and only while a question is open
    {"a": [], "u": 2}, {"a": [], "u": -1}, {"a": [], "u": True}, {"a": [], "u": "1"}, {"a": [], "u": 1.0},
    {"a": [[E1, "yes"]], "u": 1},
]

@pytest.mark.parametrize("raw", TAMPERED, ids=[str(i) for i in range(len(TAMPERED))])
def test_state_from_session_rejects_tampered_values(raw):
    assert state_from_session(PROTOCOL, raw) is None, f"accepted a tampered session value: {raw!r}"


def test_state_from_session_accepts_an_empty_value_and_normalises_pre_order():
    assert state_from_session(PROTOCOL, {}) == TriageState(), "an empty mapping is the start of the check"
    raw = {"a": [], "p": [["two_weeks", "yes"], ["head_pain_or_senses", "yes"]], "u": 1}
    state = state_from_session(PROTOCOL, raw)
    assert state is not None and [q for q, _ in state.pre] == ["head_pain_or_senses", "two_weeks"], (
        f"pre-answers should be accepted in any order and stored in protocol order: {state}"
    )


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
    | st.sampled_from([*IDS, *(a.value for a in ANSWERS), "a", "p"]),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(
        st.sampled_from(["a", "p", "u", "x"]) | st.text(max_size=5), children, max_size=4
    ),
    max_leaves=25,
)
PAIR = st.tuples(st.sampled_from([*IDS, "bogus"]), st.sampled_from([*(a.value for a in ANSWERS), "no "])).map(list)
STRUCTURED = st.fixed_dictionaries(
    {"a": st.lists(PAIR, max_size=7)},
    optional={"p": st.lists(PAIR, max_size=3), "u": st.integers(min_value=-1, max_value=2)}
)


@pytest.mark.slow  # exhaustive over every reachable state
@settings(max_examples=examples(400))
@given(st.one_of(JSONISH, STRUCTURED))
def test_state_from_session_never_raises_and_accepts_only_reachable_states(raw):
    state = state_from_session(PROTOCOL, raw)
    if state is not None and len(state.pre) <= MAX_PRE:
        assert state in REACHABLE, f"accepted a state the engine cannot reach: {raw!r} -> {state}"


@pytest.mark.slow  # exhaustive over every reachable state
def test_state_from_session_accepts_exactly_the_reachable_states_among_well_formed_ones():
    # Exhaustive over short asked sequences with every pre-answer subset: well-formed but possibly
    # impossible values are accepted exactly when the engine can reach them.
    checked = 0
    for length in range(3):
        for ids in itertools.permutations(IDS, length):
            for answers in itertools.product(ANSWERS, repeat=length):
                for size in range(3):
                    for pre_ids in itertools.combinations([q for q in IDS if q not in ids], size):
                        state = TriageState(tuple(zip(ids, answers)), tuple((q, Answer.YES) for q in pre_ids))
                        got = state_from_session(PROTOCOL, state_to_session(state))
                        want = state if state in REACHABLE else None
                        assert got == want, f"state_from_session({state}) gave {got}, expected {want}"
                        checked += 1
    assert checked > 5000, f"only {checked} candidate states were checked"


# --- protocol validation ----------------------------------------------------------------------


def _mutated(change):
    node = yaml.safe_load((CONTENT_EN / "triage.yaml").read_text(encoding="utf-8"))["triage"]
    change(node)
    return node


BAD_PROTOCOLS = {
    "duplicate id": (lambda n: n["questions"][1].update(id="sudden_face_or_limb"), "triage.questions.1.id"),
    "levels out of order": (lambda n: n["questions"][3].update(level="routine"), "triage.questions.4.level"),
    "unknown level": (lambda n: n["questions"][0].update(level="whenever"), "triage.questions.0.level"),
    "self care question": (lambda n: n["questions"][-1].update(level="self_care"), f"triage.questions.{len(IDS) - 1}.level"),
    "symptom to unknown question": (lambda n: n["symptoms"].update(severe_headache="nope"), "triage.symptoms.severe_headache"),
    "duration to unknown question": (lambda n: n["duration"].update(question="nope"), "triage.duration.question"),
    "re-ask of an unknown question": (lambda n: n["reask"].update(confusion="nope"), "triage.reask.confusion"),
    "re-ask of a question below emergency": (
        lambda n: n["reask"].update(confusion="head_pain_or_senses"), "triage.reask.confusion"
    ),
    "re-ask map not a mapping": (lambda n: n.update(reask=["confusion"]), "triage.reask"),
    "duration not a number": (lambda n: n["duration"].update(min_days="two weeks"), "triage.duration.min_days"),
    "no questions": (lambda n: n.update(questions=[]), "triage.questions"),
    "question without id": (lambda n: n["questions"][0].pop("id"), "triage.questions.0.id"),
    "question without signs": (lambda n: n["questions"][2].pop("signs"), "triage.questions.2.signs"),
    "four signs in one question": (
        lambda n: n["questions"][2].update(signs=["balance", "sight", "headache", "confusion"]), "triage.questions.2.signs"
    ),
    "a sign named twice": (lambda n: n["questions"][0].update(signs=["face", "face"]), "triage.questions.0.signs"),
    "no emergency question first": (
        lambda n: [q.update(level="urgent") for q in n["questions"] if q["level"] == "emergency"], "triage.questions"
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_PROTOCOLS))
def test_protocol_from_content_rejects_bad_content_naming_the_key(name):
    change, key = BAD_PROTOCOLS[name]
    with pytest.raises(ValueError) as info:
        Protocol.from_content(_mutated(change))
    assert key in str(info.value), f"{name}: the error should name {key!r}, got {info.value}"


def test_protocol_objects_are_immutable_questions():
    assert QUESTIONS[0] == Question("sudden_face_or_limb", Level.EMERGENCY, ("face", "arm_or_leg")), "by value"
    assert [lvl.key for lvl in Level] == ["emergency", "urgent", "soon", "routine", "self_care"], "Level keys"


# --- durations --------------------------------------------------------------------------------

DURATIONS = [
    ("P3W", 21.0), ("P2D", 2.0), ("PT5H", 5 / 24), ("P1Y2M", 365 + 60), ("P1DT2H", 1 + 2 / 24),
    ("PT30M", 30 / 1440), ("P2W", 14.0), ("P13D", 13.0), ("P1M", 30.0), ("PT45S", 45 / 86400),
    ("P0D", 0.0), ("P1.5W", 10.5), ("P0,5D", 0.5), ("P1W2D", 9.0), ("P1Y", 365.0), ("PT1H30M", 1.5 / 24),
    ("p3w", 21.0), (" P3W ", 21.0),
    ("three weeks", None), ("", None), ("P", None), ("PT", None), ("P1DT", None), ("garbage", None),
    ("3W", None), ("P-3W", None), ("P3X", None), ("PT3D", None), ("P3H", None), ("P?W", None),
    ("P3W3W", None), ("P" + "9" * 400 + "Y", None), (None, None), (21, None),
]


@pytest.mark.parametrize(("text", "days"), DURATIONS, ids=[repr(t)[:20] for t, _ in DURATIONS])
def test_parse_iso_duration(text, days):
    got = parse_iso_duration(text)
    if days is None:
        assert got is None, f"parse_iso_duration({text!r}) should be unreadable, got {got}"
    else:
        assert got == pytest.approx(days), f"parse_iso_duration({text!r}) = {got}, want {days} days"


@settings(max_examples=examples(300))
@given(st.text(alphabet="PTYMWDHS0123456789.,-? x", max_size=20) | st.text(max_size=20))
def test_parse_iso_duration_never_raises(text):
    got = parse_iso_duration(text)
    assert got is None or (got >= 0 and got == got and got != float("inf")), f"{text!r} gave {got}"


# --- the content a clinician reads ------------------------------------------------------------

ALLOWED = {"emergency_number", "emergency_number_display", "doctor", "urgent_care", "stroke"}
EXTRA_PLACEHOLDERS = {
    "readback_symptom": {"symptom"}, "readback_duration": {"duration"},
}


def _words(text):
    return len(text.split())


def _source_ids():
    ids = set()
    for name, key in (("sources.yaml", "sources"), ("sources_clinical.yaml", "clinical_sources")):
        path = CONTENT_EN / name
        if path.exists():
            ids |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(key, {}))
    return ids


def test_every_text_is_plain_and_uses_only_known_placeholders():
    for key, text in iter_texts(TRIAGE_NODE):
        assert "<" not in text and "&" not in text, f"triage.{key} must be plain text, not SSML: {text!r}"
        leaf = key.rsplit(".", 1)[-1]
        allowed = ALLOWED | EXTRA_PLACEHOLDERS.get(leaf, set()) | ({"count"} if leaf.startswith("duration_") else set())
        extra = placeholders(text) - allowed
        assert not extra, f"triage.{key} uses unknown placeholders {sorted(extra)}"


def test_questions_are_one_breath_with_reprompt_why_reason_and_source():
    sources = _source_ids()
    for item in TRIAGE_NODE["questions"]:
        qid = item["id"]
        fields = ("ask", "reprompt", "why", "source") + (("reason",) if item["level"] != "emergency" else ())
        for field in fields:
            assert item.get(field), f"question {qid} has no {field}"
        assert "summary" not in item, f"question {qid}: no card summary; answers never go on a card"
        reason = item.get("reason", "")
        assert not re.search(r"\byou have\b|\byou've got\b|\bdiagnos", reason, re.I), f"{qid}: reason diagnoses"
        assert item["ask"].endswith("?"), f"question {qid}: ask must be a question"
        assert _words(item["ask"]) <= 20, f"question {qid}: ask has {_words(item['ask'])} words (one breath is ~20)"
        assert _words(item["reprompt"]) <= 24, f"question {qid}: reprompt is too long for one breath"
        assert re.search(r"yes, no, or not sure", item["reprompt"]), f"question {qid}: reprompt must say how to answer"
        ids = item["source"] if isinstance(item["source"], list) else [item["source"]]
        assert set(ids) <= sources, f"question {qid}: unknown source ids {set(ids) - sources}"


def test_outcomes_exist_for_every_level_and_the_emergency_one_is_fast():
    outcomes = TRIAGE_NODE["outcomes"]
    assert set(outcomes) == {lvl.key for lvl in Level}, f"outcomes must be exactly the five levels: {sorted(outcomes)}"
    sources = _source_ids()
    for key, node in outcomes.items():
        if key == "emergency":
            continue  # the one emergency answer (content/<lang>/emergency.yaml): checked below
        for field in ("lead", "lead_safe", "card_title", "source") + (("meaning",) if key == "self_care" else ()):
            assert node.get(field), f"outcome {key} has no {field}"
        if key != "self_care":
            assert "meaning" not in node, f"outcome {key}: the reasons that led to it are spoken, not one meaning for all"
        ids = node["source"] if isinstance(node["source"], list) else [node["source"]]
        assert set(ids) <= sources, f"outcome {key}: unknown source ids {set(ids) - sources}"
        spoken = " ".join(str(v) for k, v in node.items() if k not in ("source", "tips"))
        diagnosing = re.search(r"\byou have\b|\byou've got\b|\bdiagnos", spoken, re.I)
        assert not diagnosing, f"outcome {key} sounds like a diagnosis: {diagnosing and diagnosing.group()}"
        if key != "self_care":
            assert node["lead_safe"].startswith("To be safe"), f"outcome {key}: lead_safe must say 'To be safe'"
        assert node.get("who"), f"outcome {key} has no who"
        if key != "self_care":
            assert node.get("escalate"), f"outcome {key}: the first turn needs its escalation line"
        if node.get("escalate"):
            escalate = node["escalate"]
            # Review N10: the emergency number only where worsening can be an emergency (urgent);
            # a worse tic, medicine side effect or two-week twitch means seeing the doctor sooner.
            if key == "urgent":
                assert "{emergency_number}" in escalate, f"outcome {key}: escalate must name the emergency number"
            else:
                assert "{emergency_number}" not in escalate and "{doctor}" in escalate, (
                    f"outcome {key}: escalate sends to the doctor sooner, not the emergency number: {escalate!r}"
                )
            assert len(re.split(r"(?<=[.!?])\s+", escalate.strip())) == 1, f"outcome {key}: escalate is one sentence"
        assert isinstance(node.get("tips"), list) and len(node["tips"]) <= 3, f"outcome {key}: tips, at most three"
        for tip in node["tips"]:
            assert tip.get("say") and tip.get("source"), f"outcome {key}: every tip needs say and source"
    emergency = outcomes["emergency"]
    assert set(emergency) <= {"card_title", "source"}, (
        f"the emergency outcome speaks the one emergency answer (emergency.yaml), nothing of its own: {sorted(emergency)}"
    )
    assert "{emergency_number_display}" in emergency["card_title"], "the emergency card must show the number in digits"


def test_conversation_texts_and_symptom_names_exist():
    texts = TRIAGE_NODE["texts"]
    for key in ("intro", "readback_symptom", "readback_duration", "duration_unreadable", "unsure_ack", "go_back_first",
                "help", "stop_mid_check", "safety_net", "not_medical_advice", "write_down", "restart",
                "restart_kept", "unclear_as_unsure", "offer_details", "offer_details_reprompt"):
        assert texts.get(key), f"triage.texts.{key} is missing"
    assert texts["offer_details"].endswith("?"), "the offer of an outcome's details is a question"
    assert "{emergency_number}" in texts["safety_net"], "the safety net must name the emergency number"
    be_fast = {"balance": "balance", "eyes": "sight", "face": "face", "arm": "arm", "speech": "speech",
               "headache": "headache"}
    missing = [sign for sign, word in be_fast.items() if word not in texts["safety_net"]]
    assert not missing, f"the safety net must name every BE-FAST sign and the sudden headache (S6): {missing}"
    assert "{emergency_number}" in texts["reask"], "the in-check re-ask carries the emergency line"
    assert not any(k.startswith("card_answer") for k in texts), "answers never go on a card"
