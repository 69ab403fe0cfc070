"""A stroke sign said late in the symptom check (review N1), generated: every sign x every later question.

Each sign of the check's emergency questions (a droop, a weak or numb limb, trouble speaking,
confusion, balance, dizziness, sight, a severe headache) can be said mid-check ("I also have slurred
speech", "también tengo habla arrastrada") after its emergency question was answered "no". The
check must then read the sign back and ask that emergency question again, so a "yes" now is the
emergency answer, and a "no" goes on from the question after it (every later answer is asked again).

The conversations are generated here from the protocol and the interaction model, not written by
hand: for each locale (two per language) the plain check is answered "no" up to each question in
turn, and at every question after a sign's emergency question the sign is said, through the real
skill in process. The slot is filled as Alexa fills it for the model's value of that symptom.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from skill.domain.triage import Protocol
from skill.tools.models import load_model
from tests.support.client import Conversation, reprompt, speech
from skill.tools.envelopes import slot

MODEL_DIR = Path(__file__).resolve().parents[2] / "interaction_model"
LOCALES = ("en-US", "en-GB", "es-US", "es-ES")
YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"


def _symptom_values(locale: str) -> dict[str, str]:
    model = load_model(MODEL_DIR / f"{locale}.json")
    return {value.id: value.value for value in model.slot_type("SYMPTOM").values}


def _fork(skill, locale: str, attributes: dict) -> Conversation:
    """A conversation that carries on from a copy of a session's attributes."""
    conv = Conversation(skill, locale=locale)
    conv.attributes, conv.new = copy.deepcopy(attributes), False
    return conv


@pytest.mark.parametrize("locale", LOCALES)
def test_every_stroke_sign_said_at_every_later_question_asks_its_question_again(skill, store, locale):
    content = store.for_locale(locale)
    protocol = Protocol.from_content(content.node("triage"))
    ids = protocol.ids
    ask = {node["id"]: content.format(node["ask"]) for node in content.node("triage.questions")}
    again = {node["id"]: content.format(node["reprompt"]) for node in content.node("triage.questions")}
    values = _symptom_values(locale)
    assert protocol.reask_map, f"{locale}: the protocol asks no sign again"

    # The plain check, answered "no" question after question: the session while each one is asked.
    conv = Conversation(skill, locale=locale)
    conv.intent("SymptomCheckIntent")
    asking = [copy.deepcopy(conv.attributes)]
    for qid in ids[:-1]:
        assert ask[qid] in speech(conv.responses[-1]), f"{locale}: the plain check should be asking {qid}"
        conv.intent(NO)
        asking.append(copy.deepcopy(conv.attributes))

    checked = 0
    for symptom, target in protocol.reask_map.items():
        readback = content.text("triage.texts.readback_symptom",
                                symptom=content.text(f"triage.symptom_names.{symptom}"))
        after = ids[ids.index(target) + 1]
        for position in range(ids.index(target) + 1, len(ids)):
            label = f"{locale}: {symptom!r} said while {ids[position]} is asked"
            told = _fork(skill, locale, asking[position])
            response = told.intent("SymptomCheckIntent", slot("symptom", values[symptom], id=symptom))
            said = speech(response)
            assert said.startswith(readback), f"{label}: the sign is read back first: {said!r}"
            assert said.endswith(ask[target]), f"{label}: its emergency question {target} is asked again: {said!r}"
            assert again[target] in reprompt(response) and not told.ended, f"{label}: the check goes on"

            yes = _fork(skill, locale, told.attributes)
            yes.intent(YES)
            assert yes.log.get("disposition") == "emergency", f"{label}: yes to {target} now is an emergency"

            said_no = speech(told.intent(NO))
            told_yes_to = protocol.symptom_map.get(symptom)  # e.g. a weak arm: weakness that came on slowly
            if told_yes_to and protocol.question(told_yes_to).level <= protocol.question(after).level:
                # The sign was not sudden, and what it pre-answers is the most urgent thing left.
                level = protocol.question(told_yes_to).level.key
                assert told.log.get("disposition") == level, f"{label}: no to {target} ends at {level}: {said_no!r}"
            else:
                assert said_no.endswith(ask[after]), f"{label}: no to {target} goes on with {after}: {said_no!r}"
            checked += 1
    expected = sum(len(ids) - ids.index(target) - 1 for target in protocol.reask_map.values())
    assert checked == expected, f"{locale}: {checked} of {expected} sign x position cases were played"
