"""Triage handlers through the real skill: every answer combination, tampered state, predicates.

The domain tests prove the engine; these prove the handlers hand it every answer faithfully and
speak the outcome the engine chose, with the emergency number first and the session ended.
"""

from __future__ import annotations

import pytest

from skill.domain import triage_budget
from skill.domain.triage import Answer, Level
from tests.support.client import speech
from skill.tools.envelopes import slot
from tests.support.triage_paths import NO, UNSURE, answers_to

INTENT_FOR = {Answer.YES: "AMAZON.YesIntent", Answer.NO: "AMAZON.NoIntent", Answer.UNSURE: "UnsureIntent"}


@pytest.fixture(scope="module")
def protocol(resources):
    return resources.for_locale("en-US").protocol


@pytest.fixture(scope="module")
def content(store):
    return store.for_locale("en-US")


def play(conversation, protocol, truth, first_request=("SymptomCheckIntent", ()), locale="en-US"):
    """Answer every question from ``truth`` until the outcome; return (questions heard, last response)."""
    conv = conversation(locale)
    response = conv.intent(first_request[0], *first_request[1])
    asked = []
    for _ in range(len(protocol.questions) + 1):
        if conv.log.get("disposition"):
            return conv, asked, response
        current = conv.attributes["triage"]
        question = protocol.questions[[q.id for q in protocol.questions].index(_current_id(protocol, current))]
        asked.append(question.id)
        response = conv.intent(INTENT_FOR[truth[question.id]])
    raise AssertionError(f"no outcome after {asked} for {truth}")


def _current_id(protocol, raw):
    from skill.domain.triage import next_step, state_from_session

    step = next_step(protocol, state_from_session(protocol, raw))
    return step.question.id


def expected(protocol, truth):
    raised = [q.level for q in protocol.questions if truth[q.id] in (Answer.YES, Answer.UNSURE)]
    return min(raised, default=Level.SELF_CARE)


def classes(protocol):
    """One truth per class of answer combinations: "no" until the first yes or not sure (see
    tests/domain/test_triage.py: the conversation, and so the outcome, is fixed by that prefix)."""
    ids = [q.id for q in protocol.questions]
    yield {q: Answer.NO for q in ids}
    for index, qid in enumerate(ids):
        for raised in (Answer.YES, Answer.UNSURE):
            yield {**{q: Answer.NO for q in ids[:index]}, qid: raised, **{q: Answer.YES for q in ids[index + 1:]}}


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "es-US"])
def test_every_answer_class_through_the_skill(conversation, resources, store, locale):
    protocol, content = resources.for_locale(locale).protocol, store.for_locale(locale)
    number = content.locale_params["emergency_number"]
    played = 0
    for truth in classes(protocol):
        played += 1
        conv, asked, response = play(conversation, protocol, truth, locale=locale)
        want = expected(protocol, truth)
        said = speech(response)
        assert conv.log["disposition"] == want.key, f"{truth}: outcome {conv.log['disposition']}, want {want.key}"
        node = content.node(f"triage.outcomes.{want.key}")
        reasons = [q.id for q in protocol.questions if q.level == want and q.id in asked and truth[q.id] != Answer.NO]
        safe = bool(reasons) and all(truth[r] == Answer.UNSURE for r in reasons)
        if want == Level.EMERGENCY:
            lead = content.text("emergency.lead_safe" if safe else "emergency.lead")  # the one emergency answer
            assert said.startswith(lead), f"{truth}: the emergency outcome must start with {lead!r}: {said!r}"
            assert conv.ended, f"{truth}: the emergency outcome must end the session"
        else:
            lead = content.format(node["lead_safe"] if safe else node["lead"])
            assert lead in said, f"{truth}: the outcome should say {lead!r}: {said!r}"
            assert not conv.ended, f"{truth}: a non-emergency outcome keeps the session open"
            if want in (Level.URGENT, Level.SELF_CARE):
                assert number in said, f"{truth}: the first turn says when to call the emergency number: {said!r}"
            else:
                # Review N10: a worse tic or two-week twitch means the doctor sooner, not the emergency
                # number; the safety net (stroke signs) carries the number, whichever way the offer goes.
                sooner = content.format(node["escalate"])
                assert sooner in said and number not in said, f"{truth}: 'see the doctor sooner' only: {said!r}"
            for qid in reasons:
                reason = content.format(content.node(f"triage.questions.{protocol.index(qid)}.reason"))
                assert reason in said, f"{truth}: the outcome must speak the reason {reason!r}: {said!r}"
            others = [q.id for q in protocol.questions if q.id not in reasons and q.level != Level.EMERGENCY]
            for qid in others:
                reason = content.format(content.node(f"triage.questions.{protocol.index(qid)}.reason"))
                assert reason not in said, f"{truth}: the outcome explains {qid}, which was not answered yes: {said!r}"
            if want != Level.SELF_CARE:
                declined = speech(conv.intent("AMAZON.NoIntent"))
                assert number in declined, f"{truth}: no to the details still hears the safety net: {declined!r}"
    assert played == 2 * len(protocol.questions) + 1, f"only {played} answer classes were played"


#: One symptom value per question a symptom pre-answers (the others map to the same questions; the
#: domain tests prove the map itself, tests/conversations the read-backs).
ONE_PER_QUESTION = ["face_droop", "limb_weakness", "severe_headache", "eye_not_closing", "ear_rash", "blackout",
                    "painful_spasm", "new_medicine", "twitching_elsewhere", "spreading", "daily_life"]


def test_one_symptom_per_pre_answered_question(protocol):
    targets = {protocol.symptom_map[s] for s in ONE_PER_QUESTION}
    assert targets == set(protocol.symptom_map.values()), f"questions no symptom here reaches: {set(protocol.symptom_map.values()) - targets}"


@pytest.mark.parametrize("symptom", ONE_PER_QUESTION)
def test_every_one_shot_symptom_with_every_answer_class(conversation, protocol, symptom):
    target = protocol.symptom_map[symptom]
    first = ("SymptomCheckIntent", (slot("symptom", symptom.replace("_", " "), id=symptom),))
    played = 0
    for truth in classes(protocol):
        if truth.get(target, Answer.YES) == Answer.NO:
            continue
        truth = {**truth, target: Answer.YES} if truth.get(target) != Answer.UNSURE else truth
        played += 1
        conv, asked, _ = play(conversation, protocol, truth, first)
        want = expected(protocol, {**truth, target: Answer.YES})
        assert conv.log["disposition"] == want.key, f"{symptom} {truth}: {conv.log['disposition']} != {want.key}"
        assert target not in asked, f"{symptom}: the pre-answered question {target} was asked again"
    assert played > protocol.index(target), f"{symptom}: only {played} answer classes were played"


TAMPERED = [
    {"pending": "triage", "triage": {"a": [["head_pain_or_senses", "no"]]}},
    {"pending": "triage", "triage": {"a": [["sudden_face_or_limb", "maybe"]]}},
    {"pending": "triage", "triage": {"a": [], "u": 5}},
    {"pending": "triage", "triage": "garbage"},
    {"pending": "triage", "triage": {"p": [["sudden_face_or_limb", "no"]]}},
    {"pending": "triage"},
]


@pytest.mark.parametrize("attributes", TAMPERED, ids=[str(i) for i in range(len(TAMPERED))])
def test_a_tampered_check_is_treated_as_no_check(conversation, attributes):
    conv = conversation()
    conv.attributes = attributes
    conv.new = False
    said = speech(conv.intent("AMAZON.YesIntent"))
    assert "Call" not in said and "disposition" not in conv.log, f"a tampered state must not be answered: {said!r}"
    assert conv.attributes.get("pending") != "triage", "a tampered check must not continue"
    conv.attributes = attributes
    said = speech(conv.intent("SymptomCheckIntent"))
    assert "go weak, numb or droopy, suddenly or since yesterday" in said, (
        f"a new check must start from the first question: {said!r}"
    )
    assert conv.attributes["triage"] == {"a": [], "p": []}, "a new check starts empty"


def test_log_fields_never_hold_answers_or_symptoms(conversation, protocol):
    conv = conversation()
    conv.intent("SymptomCheckIntent", slot("symptom", "severe headache", id="severe_headache"), slot("duration", "P3W"))
    for intent in answers_to(protocol, "urgent", NO)[:-1]:
        conv.intent(intent)
        assert set(conv.log) <= {"intent", "disposition", "handler"}, f"unexpected log fields {conv.log}"
        assert not any("headache" in str(v) or "P3W" in str(v) for v in conv.log.values()), conv.log
    assert conv.log.get("disposition") == "urgent", f"the check should end urgent: {conv.log}"


def test_outcome_card_carries_the_disposition_and_advice_never_the_answers_or_reasons(conversation, content, protocol):
    conv = conversation()
    conv.intent("SymptomCheckIntent")
    for intent in answers_to(protocol, "urgent", UNSURE):
        response = conv.intent(intent)
    card = response["response"]["card"]
    assert card["title"] == "Get medical help today", f"the card title is the disposition: {card}"
    reason = content.format(content.node(f"triage.questions.{protocol.index('head_pain_or_senses')}.reason"))
    assert reason in speech(response), "the reason is spoken"
    for line in ("To be safe, call your doctor now", "Write down what you noticed", "This is not medical advice."):
        assert line in card["content"], f"the outcome card should show {line!r}: {card['content']!r}"
    for private in (reason, "Your answers", ": yes", ": no", "not sure", "head pain"):
        assert private.lower() not in card["content"].lower(), f"the card must not carry {private!r}: {card['content']!r}"


NON_EMERGENCY = ("urgent", "soon", "routine", "self_care")


def _outcome(conversation, level, protocol):
    conv = conversation()
    conv.intent("SymptomCheckIntent")
    for intent in answers_to(protocol, level):
        response = conv.intent(intent)
    assert conv.log.get("disposition") == level, f"the path to {level} should end {level}"
    return conv, response


@pytest.mark.parametrize("level", NON_EMERGENCY)
def test_an_outcome_card_carries_the_advice_and_yes_speaks_the_second_turn(conversation, content, protocol, level):
    conv, response = _outcome(conversation, level, protocol)
    node = content.node(f"triage.outcomes.{level}")
    first, card = speech(response), response["response"]["card"]["content"]
    details = [content.format(node["who"])]
    details += [content.format(node["recheck"])] if node.get("recheck") else []
    write_down = content.text("triage.texts.write_down")
    safety_net = content.text("triage.texts.safety_net")
    for line in [*details, *(content.format(t["say"]) for t in node["tips"]), write_down, safety_net]:
        assert line in card, f"{level}: the card should show {line!r}: {card!r}"
    if level in ("urgent", "self_care"):
        assert "nine one one" in first, f"{level}: the first turn must say when to call the emergency number: {first!r}"
    else:
        assert content.format(node["escalate"]) in first and "nine one one" not in first, (
            f"{level}: worse means the doctor sooner (review N10): {first!r}"
        )
    assert first.endswith(content.text("triage.texts.offer_details")), f"{level}: the first turn offers the rest"
    assert conv.attributes.get("pending") == "outcome_details" and conv.attributes.get("outcome") == level
    said = speech(conv.intent("AMAZON.YesIntent"))
    for line in details:
        assert line in said, f"{level}: yes should speak {line!r}: {said!r}"
    # "Write down what you noticed" is spoken where it fits in 20 s, and always on the card.
    required = [line for line in [*details, safety_net if node.get("escalate") else None,
                                  content.text("anything_else.question")] if line]
    if triage_budget.fit(required, [write_down]):
        assert write_down in said, f"{level}: yes should speak {write_down!r}: {said!r}"
    assert (safety_net in first) != (safety_net in said), f"{level}: the safety net is said exactly once: {first!r} {said!r}"
    assert said.endswith(content.text("anything_else.question")) and not conv.ended
    assert "outcome" not in conv.attributes and conv.attributes.get("pending") is None, conv.attributes


@pytest.mark.parametrize("level", NON_EMERGENCY)
def test_no_to_the_details_moves_on_without_them(conversation, content, protocol, level):
    conv, _ = _outcome(conversation, level, protocol)
    said = speech(conv.intent("AMAZON.NoIntent"))
    # The safety net was said in the first turn of self care; the others say it now.
    safety = "" if level == "self_care" else f" {content.text('triage.texts.safety_net')}"
    assert said == f"{content.text('moving_on')}{safety} {content.text('anything_else.question')}", said
    assert not conv.ended and "outcome" not in conv.attributes, conv.attributes


def test_the_emergency_outcome_offers_nothing_and_ends(conversation):
    conv = conversation()
    conv.intent("SymptomCheckIntent")
    said = speech(conv.intent("AMAZON.YesIntent"))
    assert conv.ended and "?" not in said, f"the emergency outcome ends at once, asking nothing: {said!r}"


@pytest.mark.parametrize("outcome", ["emergency", "nonsense", None, 3, "SOON"])
def test_a_tampered_details_offer_is_treated_as_no_offer(conversation, outcome):
    conv = conversation()
    conv.attributes = {"pending": "outcome_details", **({"outcome": outcome} if outcome is not None else {})}
    conv.new = False
    said = speech(conv.intent("AMAZON.YesIntent"))
    assert said.startswith("I'm not sure what that answers."), f"outcome={outcome!r}: no details offered: {said!r}"


def test_the_details_offer_keeps_its_state_through_repeat_and_go_back(conversation, protocol):
    conv, response = _outcome(conversation, "soon", protocol)
    offered = dict(conv.attributes)
    again = conv.intent("AMAZON.RepeatIntent")
    assert speech(again) == speech(response), "repeat says the first turn again, word for word"
    assert conv.attributes == offered, f"repeat keeps the offer: {conv.attributes} != {offered}"
    said = speech(conv.intent("GoBackIntent"))
    assert "slowly developed weakness" in said and conv.attributes.get("pending") == "triage", said


def test_a_second_unclear_answer_counts_as_not_sure_and_escalates(conversation, content):
    conv = conversation()
    conv.intent("SymptomCheckIntent")
    first = speech(conv.intent("AMAZON.FallbackIntent"))
    assert first.startswith(content.text("triage.texts.reask")), f"the first unclear answer is re-asked: {first!r}"
    assert "If this is an emergency, call nine one one now." in first, f"the re-ask carries the emergency line: {first!r}"
    assert conv.attributes["triage"].get("u") == 1, f"the count is kept in the session: {conv.attributes}"
    second = speech(conv.intent("WhenToSeeDoctorIntent"))
    assert conv.log.get("disposition") == "emergency" and conv.ended, f"a second unclear answer escalates: {second!r}"
    assert second.startswith("To be safe, call nine one one now."), second


def test_an_answer_resets_the_unclear_count(conversation):
    conv = conversation()
    conv.intent("SymptomCheckIntent")
    conv.intent("AMAZON.FallbackIntent")
    said = speech(conv.intent("AMAZON.NoIntent"))
    assert "u" not in conv.attributes["triage"] and "confused" in said, f"the next question starts afresh: {said!r}"
    said = speech(conv.intent("AMAZON.FallbackIntent"))
    assert conv.attributes.get("pending") == "triage" and "Sorry" in said, "one unclear answer there is re-asked"
