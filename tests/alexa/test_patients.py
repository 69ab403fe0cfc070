"""Simulated patients, written apart from the protocol, played through the real skill: no under-triage.

tests/conversations/patients.yaml holds people written by a blind writer who never saw the protocol
(facts, absent signs, and the least urgent level public guidance allows for them). The answer key,
tests/conversations/patients_answers.yaml, says which questions each would truthfully answer "yes"
or "not sure"; every other question is "no". Each patient runs the symptom check in their own
locale, in process, through the real skill, answering every question the check asks from the key,
and the outcome must be at least as urgent as their expected level. A patient whose story says
they mention a sign late plays it again that way: "no" to the sign's emergency question, then the
sign said at a later question, then the truthful answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.domain.content import load_yaml_file
from skill.domain.triage import Level, Protocol
from tests.support.client import speech
from skill.tools.envelopes import slot

FOLDER = Path(__file__).resolve().parents[1] / "conversations"
PATIENTS = load_yaml_file(FOLDER / "patients.yaml")
ANSWERS = load_yaml_file(FOLDER / "patients_answers.yaml")
#: The writer's level names -> the check's levels ("same_day" is the check's "urgent").
LEVELS = {"emergency": Level.EMERGENCY, "same_day": Level.URGENT, "urgent": Level.URGENT, "soon": Level.SOON,
          "routine": Level.ROUTINE, "self_care": Level.SELF_CARE}
INTENT = {"yes": "AMAZON.YesIntent", "not_sure": "UnsureIntent", "no": "AMAZON.NoIntent"}


def _key(patient_id: str) -> dict:
    return ANSWERS.get(patient_id) or {}


def _answer_for(key: dict, question_id: str) -> str:
    if question_id in key.get("yes_to", ()):
        return "yes"
    if question_id in key.get("not_sure_to", ()):
        return "not_sure"
    return "no"


def _asked(content, response) -> str | None:
    """The id of the question a response asks, if it asks one of the check's questions."""
    said = speech(response)
    for node in content.node("triage.questions"):
        if said.endswith(content.format(node["ask"])):
            return node["id"]
    return None


def _play(conversation, content, patient: dict, key: dict, *, late: dict | None = None) -> tuple[str | None, list]:
    """One check answered from the key; returns the logged disposition and the (question, answer) turns."""
    protocol = Protocol.from_content(content.node("triage"))
    conv = conversation(locale=patient["locale"])
    response = conv.intent("SymptomCheckIntent")
    turns: list[tuple[str, str]] = []
    played_down = protocol.reask_map.get(late["symptom"]) if late else None
    mentioned = False
    for _ in range(3 * len(protocol.ids)):
        qid = _asked(content, response)
        if qid is None:
            break
        if late and not mentioned and qid == late["at"]:
            response = conv.intent("SymptomCheckIntent", slot("symptom", late["symptom"].replace("_", " "),
                                                                id=late["symptom"]))
            turns.append((qid, f"mentions {late['symptom']}"))
            mentioned = True
            continue
        given = "no" if qid == played_down and not mentioned else _answer_for(key, qid)
        response = conv.intent(INTENT[given])
        turns.append((qid, given))
    if late:
        assert mentioned, f"{patient['id']}: the check never asked {late['at']}, where the sign is mentioned: {turns}"
    return conv.log.get("disposition"), turns


def test_every_patient_has_an_answer_key_that_names_real_questions(store):
    ids = {patient["id"] for patient in PATIENTS}
    assert len(PATIENTS) >= 40 and len(ids) == len(PATIENTS), "the blind writer's patients, each once"
    assert set(ANSWERS) == ids, f"answer key and patients differ: {sorted(set(ANSWERS) ^ ids)}"
    questions = set(Protocol.from_content(store.for_locale("en-US").node("triage")).ids)
    for patient_id, key in ANSWERS.items():
        named = [*key.get("yes_to", ()), *key.get("not_sure_to", ()), *([key["late"]["at"]] if "late" in key else [])]
        assert set(named) <= questions, f"{patient_id}: unknown question ids {sorted(set(named) - questions)}"
        assert set(key) <= {"yes_to", "not_sure_to", "late"}, f"{patient_id}: unknown keys {sorted(key)}"
    assert {p["expected_level"] for p in PATIENTS} <= set(LEVELS), "every expected level is a known one"


@pytest.mark.parametrize("patient", PATIENTS, ids=[p["id"] for p in PATIENTS])
def test_no_simulated_patient_is_under_triaged(conversation, store, patient):
    content = store.for_locale(patient["locale"])
    key = _key(patient["id"])
    expected = LEVELS[patient["expected_level"]]
    runs = [("truthful", None)] + ([("mentioned late", key["late"])] if "late" in key else [])
    for name, late in runs:
        disposition, turns = _play(conversation, content, patient, key, late=late)
        assert disposition is not None, f"{patient['id']} ({name}): the check ended without an outcome: {turns}"
        got = Level.from_key(disposition)
        assert got <= expected, (
            f"{patient['id']} ({patient['locale']}, {name}): under-triaged: {got.key}, but guidance asks at least "
            f"{expected.key} ({patient['why']}); answers {turns}"
        )
