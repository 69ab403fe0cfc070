"""Name-free requests: CanFulfillIntentRequest gets an honest, silent YES / MAYBE / NO."""

from __future__ import annotations

import pytest

from skill.alexa.handlers.topics import TOPIC_INTENTS
from skill.config import DEFAULT_MODEL_DIR
from skill.tools.model_checks import load_model, model_intents
from tests.support.client import invoke
from tests.support.envelopes import can_fulfill_request, envelope, slot

EN_US_INTENTS = model_intents(load_model(DEFAULT_MODEL_DIR / "en-US.json"))


def ask(skill, name: str, *slots: dict, log: dict | None = None) -> dict:
    """Send a CanFulfillIntentRequest (a fresh session, as Alexa sends it); return the response object."""
    response = invoke(skill, envelope(can_fulfill_request(name, *slots), new=True), log=log)
    body = response["response"]
    assert "outputSpeech" not in body, f"a CanFulfillIntentRequest must get no speech: {body!r}"
    assert "reprompt" not in body and "card" not in body and "directives" not in body, f"nothing but the verdict: {body!r}"
    assert "shouldEndSession" not in body, f"a CanFulfillIntentRequest neither opens nor ends a session: {body!r}"
    assert "canFulfillIntent" in body, f"no canFulfillIntent in {body!r}"
    return body["canFulfillIntent"]


def verdict(result: dict) -> str:
    return result["canFulfill"]


def slot_verdict(result: dict, name: str) -> tuple[str, str]:
    data = result.get("slots", {}).get(name)
    assert data is not None, f"slot {name!r} is missing from the verdict: {result!r}"
    return data["canUnderstand"], data["canFulfill"]


@pytest.mark.parametrize("intent", sorted(TOPIC_INTENTS))
def test_topic_intents_are_yes(skill, intent):
    assert verdict(ask(skill, intent)) == "YES", f"{intent}: the skill answers this topic on its own"


def test_known_trigger_is_yes_with_slot_understood(skill):
    result = ask(skill, "TriggerDetailIntent", slot("trigger", "coffee", id="caffeine"))
    assert verdict(result) == "YES", f"a trigger with content should be YES: {result!r}"
    assert slot_verdict(result, "trigger") == ("YES", "YES")


@pytest.mark.parametrize(
    "trigger_slot",
    [slot("trigger", "moon phases", match=False), slot("trigger", "moon phases"), slot("trigger", "x", id="not_in_content")],
    ids=["no-match", "unresolved", "unknown-id"],
)
def test_unknown_trigger_is_no(skill, trigger_slot):
    result = ask(skill, "TriggerDetailIntent", trigger_slot)
    assert verdict(result) == "NO", f"the skill has nothing on this trigger, so it must not claim it: {result!r}"
    assert slot_verdict(result, "trigger") == ("NO", "NO")


def test_trigger_question_without_a_trigger_is_no(skill):
    assert verdict(ask(skill, "TriggerDetailIntent")) == "NO", "a trigger question needs the trigger"


def test_symptom_check_is_yes(skill):
    assert verdict(ask(skill, "SymptomCheckIntent")) == "YES"


def test_symptom_check_with_known_slots_is_yes(skill):
    result = ask(
        skill, "SymptomCheckIntent", slot("symptom", "bad headache", id="headache"), slot("duration", "P3W")
    )
    assert verdict(result) == "YES", f"a known symptom and a readable duration: {result!r}"
    assert slot_verdict(result, "symptom") == ("YES", "YES")
    assert slot_verdict(result, "duration") == ("YES", "YES")


@pytest.mark.parametrize(
    ("slots", "unread"),
    [
        ((slot("symptom", "itchy elbow", match=False),), "symptom"),
        ((slot("duration", "three weeks"),), "duration"),
        ((slot("symptom", "bad headache", id="headache"), slot("duration", "ages")), "duration"),
    ],
    ids=["unknown-symptom", "unreadable-duration", "one-of-two-unread"],
)
def test_symptom_check_with_unread_slot_is_maybe(skill, slots, unread):
    """The check still runs in full (it asks about every sign), but the detail given is not used."""
    result = ask(skill, "SymptomCheckIntent", *slots)
    assert verdict(result) == "MAYBE", f"an unread {unread} should give MAYBE: {result!r}"
    assert slot_verdict(result, unread) == ("MAYBE", "YES")


@pytest.mark.parametrize(
    "intent",
    [name for name in EN_US_INTENTS if name.startswith("AMAZON.")]
    + ["MoreIntent", "UnsureIntent", "WhyAskIntent", "GoBackIntent", "PlayMusicIntent", "OrderPizzaIntent"],
)
def test_built_ins_conversation_only_and_unknown_intents_are_no(skill, intent):
    assert verdict(ask(skill, intent)) == "NO", f"{intent} is not something to route to this skill by name-free"


def test_unknown_intent_reports_its_slots_as_not_understood(skill):
    result = ask(skill, "OrderPizzaIntent", slot("topping", "cheese"))
    assert verdict(result) == "NO"
    assert slot_verdict(result, "topping") == ("NO", "NO")


def test_slot_the_intent_does_not_have_is_no(skill):
    result = ask(skill, "CausesIntent", slot("city", "Boston"))
    assert verdict(result) == "NO", f"a slot the intent does not take is not understood: {result!r}"


def test_every_custom_model_intent_gets_a_verdict(skill):
    """Every custom intent of the en-US model gets a verdict, and only the answerable ones YES."""
    conversation_only = {"MoreIntent", "UnsureIntent", "WhyAskIntent", "GoBackIntent"}
    for intent in EN_US_INTENTS:
        if intent.startswith("AMAZON."):
            continue
        needs_slot = {"TriggerDetailIntent", "FactIntent"}
        expected = "NO" if intent in conversation_only else ("NO" if intent in needs_slot else "YES")
        assert verdict(ask(skill, intent)) == expected, f"{intent} without slots should be {expected}"


def test_no_state_is_kept_and_log_names_the_handler(skill):
    log: dict[str, str] = {}
    response = invoke(skill, envelope(can_fulfill_request("CausesIntent"), new=True), log=log)
    assert not response.get("sessionAttributes"), f"a CanFulfillIntentRequest must not store state: {response!r}"
    assert log.get("handler") == "can_fulfill", f"the access log should name the handler: {log!r}"
