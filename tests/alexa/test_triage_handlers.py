"""Triage handlers through the real skill: every answer combination, tampered state, predicates.

The domain tests prove the engine; these prove the handlers hand it every answer faithfully and
speak the outcome the engine chose, with the emergency number first and the session ended.
"""

from __future__ import annotations

import itertools

import pytest

from skill.domain.triage import Answer, Level
from tests.support.client import speech
from tests.support.envelopes import slot

INTENT_FOR = {Answer.YES: "AMAZON.YesIntent", Answer.NO: "AMAZON.NoIntent", Answer.UNSURE: "UnsureIntent"}


@pytest.fixture(scope="module")
def protocol(resources):
    return resources.for_locale("en-US").protocol


@pytest.fixture(scope="module")
def content(store):
    return store.for_locale("en-US")


def play(conversation, protocol, truth, first_request=("SymptomCheckIntent", ())):
    """Answer every question from ``truth`` until the outcome; return (questions heard, last response)."""
    conv = conversation()
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


def test_every_answer_combination_through_the_skill(conversation, protocol, content):
    ids = [q.id for q in protocol.questions]
    played = 0
    for combo in itertools.product(Answer, repeat=len(ids)):
        truth = dict(zip(ids, combo))
        played += 1
        conv, asked, response = play(conversation, protocol, truth)
        want = expected(protocol, truth)
        said = speech(response)
        assert conv.log["disposition"] == want.key, f"{truth}: outcome {conv.log['disposition']}, want {want.key}"
        node = content.node(f"triage.outcomes.{want.key}")
        reasons = [q.id for q in protocol.questions if q.level == want and q.id in asked and truth[q.id] != Answer.NO]
        safe = bool(reasons) and all(truth[r] == Answer.UNSURE for r in reasons)
        lead = content.format(node["lead_safe"] if safe else node["lead"])
        if want == Level.EMERGENCY:
            assert said.startswith(lead), f"{truth}: the emergency outcome must start with {lead!r}: {said!r}"
            assert conv.ended, f"{truth}: the emergency outcome must end the session"
            assert len(asked) <= 2, f"{truth}: the emergency was reached only after {len(asked)} questions"
        else:
            assert lead in said, f"{truth}: the outcome should say {lead!r}: {said!r}"
            assert "nine one one" in said, f"{truth}: a non-emergency outcome keeps the emergency safety net"
            assert not conv.ended, f"{truth}: a non-emergency outcome keeps the session open"
    assert played == 3 ** len(ids), f"only {played} answer combinations were played"


@pytest.mark.parametrize("symptom", sorted(
    ["face_droop", "limb_weakness", "speech_trouble", "balance_loss", "sight_loss", "headache", "vision_change",
     "hearing_change", "facial_numbness", "painful_spasm", "spreading", "daily_life"]
))
def test_every_one_shot_symptom_with_every_answer_combination(conversation, protocol, symptom):
    target = protocol.symptom_map[symptom]
    ids = [q.id for q in protocol.questions]
    first = ("SymptomCheckIntent", (slot("symptom", symptom.replace("_", " "), id=symptom),))
    played = 0
    for combo in itertools.product(Answer, repeat=len(ids)):
        truth = dict(zip(ids, combo))
        if truth[target] != Answer.YES:
            continue
        played += 1
        conv, asked, _ = play(conversation, protocol, truth, first)
        want = expected(protocol, truth)
        assert conv.log["disposition"] == want.key, f"{symptom} {truth}: {conv.log['disposition']} != {want.key}"
        assert target not in asked, f"{symptom}: the pre-answered question {target} was asked again"
    assert played == 3 ** (len(ids) - 1), f"{symptom}: only {played} answer combinations were played"


TAMPERED = [
    {"pending": "triage", "triage": {"a": [["head_pain_or_senses", "no"]]}},
    {"pending": "triage", "triage": {"a": [["sudden_face_or_limb", "maybe"]]}},
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
    assert "suddenly drooped" in said, f"a new check must start from the first question: {said!r}"


def test_log_fields_never_hold_answers_or_symptoms(conversation):
    conv = conversation()
    conv.intent("SymptomCheckIntent", slot("symptom", "bad headache", id="headache"), slot("duration", "P3W"))
    for intent in ("AMAZON.NoIntent", "AMAZON.NoIntent"):
        conv.intent(intent)
        assert set(conv.log) <= {"intent", "disposition", "handler"}, f"unexpected log fields {conv.log}"
        assert not any("headache" in str(v) or "P3W" in str(v) for v in conv.log.values()), conv.log
    assert conv.log.get("disposition") == "urgent", f"the check should end urgent: {conv.log}"


def test_outcome_card_lists_every_answer_for_a_doctor(conversation, content):
    conv = conversation()
    conv.intent("SymptomCheckIntent")
    for intent in ("AMAZON.NoIntent", "AMAZON.NoIntent", "UnsureIntent"):
        response = conv.intent(intent)
    card = response["response"]["card"]
    assert card["title"] == "Get medical help today", f"the card title is the disposition: {card}"
    for line in ("Your answers", "Sudden face droop, or arm or leg weakness: no",
                 "Sudden speech, balance or sight trouble: no", "Severe head pain, or sight or hearing changes: not sure",
                 "This is not medical advice."):
        assert line in card["content"], f"the outcome card should list {line!r}: {card['content']!r}"


NON_EMERGENCY = {
    "urgent": ("AMAZON.NoIntent", "AMAZON.NoIntent", "AMAZON.YesIntent"),
    "soon": ("AMAZON.NoIntent",) * 3 + ("AMAZON.YesIntent",),
    "routine": ("AMAZON.NoIntent",) * 5 + ("AMAZON.YesIntent",),
    "self_care": ("AMAZON.NoIntent",) * 6,
}


def _outcome(conversation, level, locale="en-US"):
    conv = conversation(locale)
    conv.intent("SymptomCheckIntent")
    for intent in NON_EMERGENCY[level]:
        response = conv.intent(intent)
    assert conv.log.get("disposition") == level, f"the answers {NON_EMERGENCY[level]} should end {level}"
    return conv, response


@pytest.mark.parametrize("level", NON_EMERGENCY)
def test_an_outcome_card_carries_both_turns_and_yes_speaks_the_second(conversation, content, level):
    conv, response = _outcome(conversation, level)
    node = content.node(f"triage.outcomes.{level}")
    first, card = speech(response), response["response"]["card"]["content"]
    details = [content.format(node["who"]), *(content.format(t["say"]) for t in node["tips"])]
    details += [content.format(node["recheck"])] if node.get("recheck") else []
    safety_net = content.text("triage.texts.safety_net")
    for line in [*details, safety_net, content.format(node["meaning"])]:
        assert line in card, f"{level}: the card should show {line!r}: {card!r}"
    assert "nine one one" in first, f"{level}: the first turn must say when to call the emergency number: {first!r}"
    assert first.endswith(content.text("triage.texts.offer_details")), f"{level}: the first turn offers the rest"
    assert conv.attributes.get("pending") == "outcome_details" and conv.attributes.get("outcome") == level
    said = speech(conv.intent("AMAZON.YesIntent"))
    for line in details:
        assert line in said, f"{level}: yes should speak {line!r}: {said!r}"
    assert (safety_net in first) != (safety_net in said), f"{level}: the safety net is said exactly once: {first!r} {said!r}"
    assert said.endswith(content.text("anything_else.question")) and not conv.ended
    assert "outcome" not in conv.attributes and conv.attributes.get("pending") is None, conv.attributes


@pytest.mark.parametrize("level", NON_EMERGENCY)
def test_no_to_the_details_moves_on_without_them(conversation, content, level):
    conv, _ = _outcome(conversation, level)
    said = speech(conv.intent("AMAZON.NoIntent"))
    assert said == f"{content.text('moving_on')} {content.text('anything_else.question')}", said
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


def test_the_details_offer_keeps_its_state_through_repeat_and_go_back(conversation):
    conv, response = _outcome(conversation, "soon")
    offered = dict(conv.attributes)
    again = conv.intent("AMAZON.RepeatIntent")
    assert speech(again) == speech(response), "repeat says the first turn again, word for word"
    assert conv.attributes == offered, f"repeat keeps the offer: {conv.attributes} != {offered}"
    said = speech(conv.intent("GoBackIntent"))
    assert "Over a day or more" in said and conv.attributes.get("pending") == "triage", said
