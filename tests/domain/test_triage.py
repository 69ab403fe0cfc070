"""Triage engine safety tests (domain layer): every answer combination, driven through the engine.

The protocol is loaded from the real ``content/en/triage.yaml``, so these tests prove the content
a clinician reads, not a copy. The oracle for "what should happen" is written here from the spec,
independently of the engine's own rule.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Iterator
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
    state_from_session,
    state_to_session,
)

CONTENT_EN = Path(__file__).resolve().parents[2] / "content" / "en"
TRIAGE_NODE = yaml.safe_load((CONTENT_EN / "triage.yaml").read_text(encoding="utf-8"))["triage"]
PROTOCOL = Protocol.from_content(TRIAGE_NODE)
QUESTIONS = PROTOCOL.questions
IDS = tuple(q.id for q in QUESTIONS)
LEVEL_OF = {q.id: q.level for q in QUESTIONS}
RAISING = (Answer.YES, Answer.UNSURE)
ANSWERS = tuple(Answer)

SPEC_QUESTIONS = (
    ("sudden_face_or_limb", Level.EMERGENCY),
    ("sudden_speech_balance_sight", Level.EMERGENCY),
    ("head_pain_or_senses", Level.URGENT),
    ("gradual_face_weakness", Level.SOON),
    ("painful_or_swollen", Level.SOON),
    ("persistent_or_spreading", Level.ROUTINE),
)
SYMPTOM_IDS = (
    "face_droop", "limb_weakness", "speech_trouble", "balance_loss", "sight_loss", "headache",
    "vision_change", "hearing_change", "facial_numbness", "painful_spasm", "spreading", "daily_life",
)
#: One symptom id that pre-answers each question (so every subset of questions can be pre-answered).
SYMPTOM_FOR = {qid: next(s for s in SYMPTOM_IDS if PROTOCOL.symptom_map[s] == qid) for qid in IDS}


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


def all_truths() -> Iterator[dict[str, Answer]]:
    for combo in itertools.product(ANSWERS, repeat=len(IDS)):
        yield dict(zip(IDS, combo))


def pre_subsets(truth: dict[str, Answer]) -> Iterator[frozenset[str]]:
    """Every set of questions a one-shot utterance could pre-answer: only questions truly "yes"."""
    yes = [q for q in IDS if truth[q] == Answer.YES]
    for size in range(len(yes) + 1):
        for combo in itertools.combinations(yes, size):
            yield frozenset(combo)


def drive(truth: dict[str, Answer], pre: frozenset[str], pre_after: int):
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
            state = pre_answer(PROTOCOL, state, [SYMPTOM_FOR[q] for q in pre], None)
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


def all_runs():
    for truth in all_truths():
        for pre in pre_subsets(truth):
            for pre_after in range(len(IDS) + 1):
                yield truth, pre, pre_after


def reachable_states() -> set[TriageState]:
    """Every state the engine can reach: answers, and one-shot symptoms or durations at any turn."""
    start = TriageState()
    seen = {start}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        successors = [pre_answer(PROTOCOL, state, [s], None) for s in SYMPTOM_IDS]
        successors.append(pre_answer(PROTOCOL, state, [], PROTOCOL.duration_min_days))
        if isinstance(next_step(PROTOCOL, state), Ask):
            successors += [answer(PROTOCOL, state, a)[0] for a in ANSWERS]
        for nxt in successors:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


REACHABLE = reachable_states()


# --- the protocol is the one the spec asks for ------------------------------------------------


def test_protocol_has_the_six_spec_questions_in_order():
    got = tuple((q.id, q.level) for q in QUESTIONS)
    assert got == SPEC_QUESTIONS, f"triage.yaml questions/levels drifted from the spec: {got}"


def test_symptom_map_covers_every_slot_value_and_face_droop_is_a_floor():
    assert set(PROTOCOL.symptom_map) == set(SYMPTOM_IDS), (
        f"symptom ids in triage.yaml differ from the SYMPTOM slot ids: {sorted(PROTOCOL.symptom_map)}"
    )
    assert PROTOCOL.symptom_map["face_droop"] == "gradual_face_weakness", "face_droop must pre-answer the soon question"
    assert PROTOCOL.symptom_map["limb_weakness"] == "sudden_face_or_limb", "limb_weakness must pre-answer emergency"
    assert PROTOCOL.duration_question == "persistent_or_spreading", "duration must pre-answer the routine question"
    assert PROTOCOL.duration_min_days == 14, "the duration threshold must be two weeks"


def test_the_enumeration_covers_the_spec_state_space():
    runs = sum(1 for _ in all_runs())
    assert runs == 4**6 * 7, f"expected every truth x pre-answer subset x timing, got {runs} runs"
    assert len(REACHABLE) > 200, f"the reachable-state search found only {len(REACHABLE)} states"


# --- exhaustive safety ------------------------------------------------------------------------


def test_every_answer_combination_gets_the_most_urgent_level_and_obeys_the_conversation_rules():
    for truth, pre, pre_after in all_runs():
        asked, outcome, states, final_state = drive(truth, pre, pre_after)
        assert set(states) <= REACHABLE, f"the reachable-state search missed states of a real run: {asked}"
        context = f"truth={ {k: v.value for k, v in truth.items()} } pre={sorted(pre)} after={pre_after} asked={asked}"
        want = expected_level(truth)
        assert outcome.level == want, f"outcome {outcome.level.key} but most urgent flagged is {want.key}: {context}"
        answers = final_state.answers()
        want_reasons = tuple(q for q in IDS if LEVEL_OF[q] == want and answers.get(q) in RAISING)
        assert outcome.reasons == want_reasons, f"reasons {outcome.reasons} != {want_reasons}: {context}"
        assert (want == Level.SELF_CARE) == (not outcome.reasons), f"reasons empty iff self care: {context}"
        safe = bool(want_reasons) and all(answers[r] == Answer.UNSURE for r in want_reasons)
        assert outcome.to_be_safe == safe, f"to_be_safe={outcome.to_be_safe}, expected {safe}: {context}"
        assert len(asked) <= 6, f"asked {len(asked)} questions: {context}"
        assert len(set(asked)) == len(asked), f"a question was asked twice: {context}"
        levels = [LEVEL_OF[q] for q in asked]
        assert levels == sorted(levels), f"a less urgent question was asked before a more urgent one: {context}"
        if want == Level.EMERGENCY:
            assert len(asked) <= 2, f"an emergency sign was reached only at question {len(asked)}: {context}"
        for qid in asked:
            if LEVEL_OF[qid] == Level.EMERGENCY and truth[qid] in RAISING:
                assert asked[-1] == qid, f"the first emergency yes/unsure did not end the check: {context}"


def test_pre_answered_questions_are_never_asked():
    for truth, pre, _ in all_runs():
        asked, _, _, _ = drive(truth, pre, 0)
        assert not set(asked) & pre, f"asked pre-answered {sorted(set(asked) & pre)} (pre={sorted(pre)})"


def test_an_unsure_answer_is_never_treated_as_no():
    for truth in all_truths():
        no_version = {q: (Answer.NO if a == Answer.UNSURE else a) for q, a in truth.items()}
        _, outcome, _, _ = drive(truth, frozenset(), 0)
        _, outcome_no, _, _ = drive(no_version, frozenset(), 0)
        assert outcome.level <= outcome_no.level, (
            f"unsure gave a less urgent outcome than no: {outcome.level.key} vs {outcome_no.level.key} for {truth}"
        )


def test_pre_answer_maps_every_symptom_subset_and_duration():
    durations = (None, 0.0, 1.0, 13.99, 14.0, 21.0, 365.0, float("nan"), float("inf"))
    for size in range(len(SYMPTOM_IDS) + 1):
        for symptoms in itertools.combinations(SYMPTOM_IDS, size):
            for days in durations:
                state = pre_answer(PROTOCOL, TriageState(), [*symptoms, "not_a_symptom"], days)
                want = {PROTOCOL.symptom_map[s] for s in symptoms}
                if days is not None and days == days and days != float("inf") and days >= 14:
                    want.add("persistent_or_spreading")
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
        for symptom in SYMPTOM_IDS:
            after = pre_answer(PROTOCOL, state, [symptom], 30.0)
            assert after.asked == state.asked, f"pre_answer changed asked answers of {state}"
            for qid, ans in state.answers().items():
                assert after.answers()[qid] == ans, f"pre_answer({symptom}) overrode {qid}={ans.value} in {state}"


def test_a_mention_mid_check_beats_an_earlier_no():
    checked = 0
    for state in REACHABLE:
        for symptom, days in [*((s, None) for s in SYMPTOM_IDS), (None, 30.0)]:
            target = PROTOCOL.symptom_map[symptom] if symptom else PROTOCOL.duration_question
            after = mention(PROTOCOL, state, [symptom] if symptom else [], days)
            context = f"mention({symptom}, {days}) in {state} -> {after}"
            assert after.answers()[target] in RAISING, f"the mentioned symptom's question is not yes/unsure: {context}"
            assert after in REACHABLE, f"mention produced a state the engine cannot reach: {context}"
            assert state.asked[: len(after.asked)] == after.asked, f"mention changed earlier answers: {context}"
            step = next_step(PROTOCOL, after)
            if isinstance(step, Outcome):
                assert step.level <= LEVEL_OF[target], f"outcome less urgent than the mention: {context}"
            if state.answers().get(target) != Answer.NO:
                assert after == pre_answer(PROTOCOL, state, [symptom] if symptom else [], days), (
                    f"without a conflicting no, mention must equal pre_answer: {context}"
                )
            checked += 1
    assert checked == len(REACHABLE) * (len(SYMPTOM_IDS) + 1), "mention was not checked on every reachable state"


def test_outcome_never_becomes_less_urgent_when_more_is_said():
    for state in REACHABLE:
        step = next_step(PROTOCOL, state)
        if not isinstance(step, Outcome):
            continue
        for symptom in SYMPTOM_IDS:
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
        for first in ANSWERS:
            after, _ = answer(PROTOCOL, state, first)
            back = go_back(PROTOCOL, after)
            assert back == state, f"go_back after {first.value} did not restore {state}: got {back}"
            for second in ANSWERS:
                assert answer(PROTOCOL, back, second) == answer(PROTOCOL, state, second), (
                    f"answering {second.value} after go_back differs from answering directly in {state}"
                )
                checked += 1
    assert checked > 300, f"go_back was checked on only {checked} cases"


def test_go_back_at_the_start_keeps_pre_answers():
    pre = pre_answer(PROTOCOL, TriageState(), ["headache"], 20)
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


TAMPERED = [
    None, 0, "x", [], True, {"a": None}, {"a": "no"}, {"a": [["sudden_face_or_limb"]]},
    {"a": [["sudden_face_or_limb", "no", "extra"]]}, {"a": [["sudden_face_or_limb", "maybe"]]},
    {"a": [["sudden_face_or_limb", True]]}, {"a": [[1, "no"]]}, {"a": [["nope", "no"]]},
    {"a": [], "p": [], "x": 1},
    # out of order: skips the emergency questions
    {"a": [["head_pain_or_senses", "no"]]},
    {"a": [["sudden_speech_balance_sight", "no"], ["sudden_face_or_limb", "no"]]},
    # duplicate ids
    {"a": [["sudden_face_or_limb", "no"], ["sudden_face_or_limb", "no"]]},
    {"a": [["sudden_face_or_limb", "no"]], "p": [["sudden_face_or_limb", "yes"]]},
    {"p": [["headache", "yes"], ["head_pain_or_senses", "yes"], ["head_pain_or_senses", "yes"]]},
    # answers after an already-final outcome
    {"a": [["sudden_face_or_limb", "yes"], ["sudden_speech_balance_sight", "no"]]},
    {"a": [["sudden_face_or_limb", "unsure"], ["sudden_speech_balance_sight", "no"]]},
    {"a": [["sudden_face_or_limb", "no"], ["sudden_speech_balance_sight", "no"], ["head_pain_or_senses", "yes"],
           ["gradual_face_weakness", "no"]]},
    # a pre-answered question also asked, or a pre-answered emergency followed by more questions
    {"a": [["sudden_face_or_limb", "no"]], "p": [["sudden_face_or_limb", "yes"]]},
    {"a": [["sudden_speech_balance_sight", "no"]], "p": [["sudden_face_or_limb", "yes"]]},
    # pre-answers are only ever "yes": a pre "no" would skip a question
    {"p": [["sudden_face_or_limb", "no"]]},
    {"p": [["sudden_face_or_limb", "unsure"]]},
]


@pytest.mark.parametrize("raw", TAMPERED, ids=[str(i) for i in range(len(TAMPERED))])
def test_state_from_session_rejects_tampered_values(raw):
    assert state_from_session(PROTOCOL, raw) is None, f"accepted a tampered session value: {raw!r}"


def test_state_from_session_accepts_an_empty_value_and_normalises_pre_order():
    assert state_from_session(PROTOCOL, {}) == TriageState(), "an empty mapping is the start of the check"
    raw = {"a": [], "p": [["persistent_or_spreading", "yes"], ["head_pain_or_senses", "yes"]]}
    state = state_from_session(PROTOCOL, raw)
    assert state is not None and [q for q, _ in state.pre] == ["head_pain_or_senses", "persistent_or_spreading"], (
        f"pre-answers should be accepted in any order and stored in protocol order: {state}"
    )


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30)
    | st.sampled_from([*IDS, *(a.value for a in ANSWERS), "a", "p"]),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(
        st.sampled_from(["a", "p", "x"]) | st.text(max_size=5), children, max_size=4
    ),
    max_leaves=25,
)
PAIR = st.tuples(st.sampled_from([*IDS, "bogus"]), st.sampled_from([*(a.value for a in ANSWERS), "no "])).map(list)
STRUCTURED = st.fixed_dictionaries(
    {"a": st.lists(PAIR, max_size=7)}, optional={"p": st.lists(PAIR, max_size=7)}
)


@settings(max_examples=400, deadline=None, database=None)
@given(st.one_of(JSONISH, STRUCTURED))
def test_state_from_session_never_raises_and_accepts_only_reachable_states(raw):
    state = state_from_session(PROTOCOL, raw)
    assert state is None or state in REACHABLE, f"accepted a state the engine cannot reach: {raw!r} -> {state}"


def test_state_from_session_accepts_exactly_the_reachable_states_among_well_formed_ones():
    # Exhaustive over short asked sequences with every pre-answer subset: well-formed but possibly
    # impossible values are accepted exactly when the engine can reach them.
    checked = 0
    for length in range(4):
        for ids in itertools.permutations(IDS, length):
            for answers in itertools.product(ANSWERS, repeat=length):
                for size in range(3):
                    for pre_ids in itertools.combinations([q for q in IDS if q not in ids], size):
                        state = TriageState(tuple(zip(ids, answers)), tuple((q, Answer.YES) for q in pre_ids))
                        got = state_from_session(PROTOCOL, state_to_session(state))
                        want = state if state in REACHABLE else None
                        assert got == want, f"state_from_session({state}) gave {got}, expected {want}"
                        checked += 1
    assert checked > 10000, f"only {checked} candidate states were checked"


# --- protocol validation ----------------------------------------------------------------------


def _mutated(change):
    node = yaml.safe_load((CONTENT_EN / "triage.yaml").read_text(encoding="utf-8"))["triage"]
    change(node)
    return node


BAD_PROTOCOLS = {
    "duplicate id": (lambda n: n["questions"][1].update(id="sudden_face_or_limb"), "triage.questions.1.id"),
    "levels out of order": (lambda n: n["questions"][2].update(level="routine"), "triage.questions.3.level"),
    "unknown level": (lambda n: n["questions"][0].update(level="whenever"), "triage.questions.0.level"),
    "self care question": (lambda n: n["questions"][5].update(level="self_care"), "triage.questions.5.level"),
    "symptom to unknown question": (lambda n: n["symptoms"].update(headache="nope"), "triage.symptoms.headache"),
    "duration to unknown question": (lambda n: n["duration"].update(question="nope"), "triage.duration.question"),
    "duration not a number": (lambda n: n["duration"].update(min_days="two weeks"), "triage.duration.min_days"),
    "no questions": (lambda n: n.update(questions=[]), "triage.questions"),
    "question without id": (lambda n: n["questions"][0].pop("id"), "triage.questions.0.id"),
    "three emergency questions": (lambda n: n["questions"][2].update(level="emergency"), "triage.questions"),
    "seven questions": (
        lambda n: n["questions"].append({"id": "extra", "level": "routine"}), "triage.questions"
    ),
    "no emergency question": (
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
    assert QUESTIONS[0] == Question("sudden_face_or_limb", Level.EMERGENCY), "Question equality by value"
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


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet="PTYMWDHS0123456789.,-? x", max_size=20) | st.text(max_size=20))
def test_parse_iso_duration_never_raises(text):
    got = parse_iso_duration(text)
    assert got is None or (got >= 0 and got == got and got != float("inf")), f"{text!r} gave {got}"


# --- the content a clinician reads ------------------------------------------------------------

ALLOWED = {"emergency_number", "emergency_number_display", "doctor", "urgent_care"}
EXTRA_PLACEHOLDERS = {
    "readback_symptom": {"symptom"}, "readback_duration": {"duration"},
    "card_answer_yes": {"summary"}, "card_answer_no": {"summary"}, "card_answer_unsure": {"summary"},
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


def test_questions_are_one_breath_with_reprompt_why_summary_and_source():
    sources = _source_ids()
    for item in TRIAGE_NODE["questions"]:
        qid = item["id"]
        for field in ("ask", "reprompt", "why", "summary", "source"):
            assert item.get(field), f"question {qid} has no {field}"
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
        for field in ("lead", "lead_safe", "meaning", "card_title", "source"):
            assert node.get(field), f"outcome {key} has no {field}"
        ids = node["source"] if isinstance(node["source"], list) else [node["source"]]
        assert set(ids) <= sources, f"outcome {key}: unknown source ids {set(ids) - sources}"
        spoken = " ".join(str(v) for k, v in node.items() if k not in ("source", "tips"))
        diagnosing = re.search(r"\byou have\b|\byou've got\b|\bdiagnos", spoken, re.I)
        assert not diagnosing, f"outcome {key} sounds like a diagnosis: {diagnosing and diagnosing.group()}"
        if key != "self_care":
            assert node["lead_safe"].startswith("To be safe"), f"outcome {key}: lead_safe must say 'To be safe'"
        if key not in ("emergency",):
            assert node.get("who"), f"outcome {key} has no who"
            if key != "self_care":
                assert node.get("escalate"), f"outcome {key}: the first turn needs its escalation line"
            if node.get("escalate"):
                escalate = node["escalate"]
                assert "{emergency_number}" in escalate, f"outcome {key}: escalate must name the emergency number"
                assert len(re.split(r"(?<=[.!?])\s+", escalate.strip())) == 1, f"outcome {key}: escalate is one sentence"
            assert isinstance(node.get("tips"), list) and len(node["tips"]) <= 3, f"outcome {key}: tips, at most three"
            for tip in node["tips"]:
                assert tip.get("say") and tip.get("source"), f"outcome {key}: every tip needs say and source"
    emergency = outcomes["emergency"]
    for field in ("lead", "lead_safe"):
        first_sentence = re.split(r"(?<=[.!?])\s", emergency[field])[0]
        assert "{emergency_number}" in first_sentence, f"emergency {field}: the number must be in the first sentence"
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", emergency["meaning"]) if s]
    assert len(sentences) <= 2, f"emergency meaning must be at most two short sentences: {sentences}"
    assert set(emergency) <= {"lead", "lead_safe", "meaning", "card_title", "source"}, (
        f"the emergency outcome must say nothing else: {sorted(emergency)}"
    )
    assert "{emergency_number_display}" in emergency["card_title"], "the emergency card must show the number in digits"


def test_conversation_texts_and_symptom_names_exist():
    texts = TRIAGE_NODE["texts"]
    for key in ("intro", "readback_symptom", "readback_duration", "duration_unreadable", "unsure_ack", "go_back_first",
                "help", "stop_mid_check", "safety_net", "not_medical_advice", "card_answers_heading",
                "card_answer_yes", "card_answer_no", "card_answer_unsure", "restart", "offer_details",
                "offer_details_reprompt"):
        assert texts.get(key), f"triage.texts.{key} is missing"
    assert texts["offer_details"].endswith("?"), "the offer of an outcome's details is a question"
    assert "{emergency_number}" in texts["stop_mid_check"], "stopping mid-check must remind of the emergency number"
    assert "{emergency_number}" in texts["safety_net"], "the safety net must name the emergency number"
    assert set(TRIAGE_NODE["symptom_names"]) == set(SYMPTOM_IDS), "every symptom id needs a spoken name"
