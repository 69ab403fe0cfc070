"""English locales: each says its own emergency number first, and an unknown locale stays safe."""

from __future__ import annotations

import html
import re

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.models import load_model
from tests.support.client import speech
from skill.tools.envelopes import APL
from tests.support.locales import LOCALES, first_sentence, of_language
from tests.support.triage_paths import answers_to

ENGLISH = of_language("en")
SPOKEN_NUMBERS = {spoken for spoken, _, _ in ENGLISH.values()}
#: Locales the skill has no content for: they get content/en, which names no country's number.
UNKNOWN = ["en-NZ", "en-ZA", "fr-FR", "de-DE"]
SAFE_NUMBER = "your local emergency number"


def emergency(conv) -> dict:
    """Launch, one topic, then a check answered yes to its first question: the emergency outcome."""
    launch = conv.launch()
    assert speech(launch), f"{conv.locale}: the launch says nothing"
    topic = conv.intent("CausesIntent")
    assert "stress" in speech(topic).lower(), f"{conv.locale}: the causes topic should name stress: {speech(topic)!r}"
    started = conv.intent("SymptomCheckIntent")
    assert conv.ended is False and speech(started).endswith("?"), f"{conv.locale}: the check should ask a question"
    response = conv.intent("AMAZON.YesIntent")
    assert conv.log.get("disposition") == "emergency", f"{conv.locale}: yes to the first question is an emergency"
    assert conv.ended, f"{conv.locale}: the emergency outcome ends the session"
    return response


@pytest.mark.parametrize("locale", ENGLISH)
def test_emergency_outcome_leads_with_the_locales_number(conversation, locale):
    spoken, display, _ = ENGLISH[locale]
    response = emergency(conversation(locale, interfaces=APL))
    text = speech(response)
    assert spoken in first_sentence(text), f"{locale}: the first sentence must say {spoken!r}: {text!r}"
    for other in SPOKEN_NUMBERS - {spoken}:
        assert other not in text, f"{locale}: the emergency outcome says another country's number {other!r}: {text!r}"
    assert SAFE_NUMBER not in text, f"{locale}: a known locale should name its number: {text!r}"
    assert display in response["response"]["card"]["title"], f"{locale}: the card (read on a phone) shows {display}"
    data = response["response"]["directives"][0]["datasources"]["answer"]
    assert html.unescape(data["emphasis"]) == display, f"{locale}: the screen shows {display} large: {data!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_locale_content_spells_numbers_for_speech(store, locale):
    spoken, display, doctor = LOCALES[locale]
    own = store.raw(locale).get("locale", {})
    assert set(own) >= {"emergency_number", "emergency_number_display", "doctor", "urgent_care"}, (
        f"{locale}: content/{locale}/locale.yaml should set every locale value itself, not inherit the generic ones"
    )
    assert own["emergency_number"] == spoken and not re.search(r"\d", spoken), f"{locale}: spoken, not digits"
    assert own["emergency_number_display"] == display and own["doctor"] == doctor


@pytest.mark.parametrize("locale", ENGLISH)
def test_self_care_outcome_names_who_to_see(conversation, resources, locale):
    spoken, _, doctor = ENGLISH[locale]
    conv = conversation(locale)
    conv.intent("SymptomCheckIntent")
    for intent in answers_to(resources.for_locale(locale).protocol, "self_care"):
        response = conv.intent(intent)
    assert conv.log.get("disposition") == "self_care", f"{locale}: no to every question is self care"
    assert spoken in speech(response), f"{locale}: the safety net names the number: {speech(response)!r}"
    details = speech(conv.intent("AMAZON.YesIntent"))
    assert doctor in details, f"{locale}: the outcome's details should name {doctor!r}: {details!r}"


def urgent(conv) -> str:
    conv.intent("SymptomCheckIntent")
    for intent in answers_to(conv.skill_protocol, "urgent"):
        response = conv.intent(intent)
    assert conv.log.get("disposition") == "urgent", f"{conv.locale}: no to the emergency questions, then yes, is urgent"
    return speech(response)


def _with_protocol(conv, resources):
    conv.skill_protocol = resources.for_locale(conv.locale).protocol
    return conv


def test_british_urgent_outcome_sends_to_nhs_111_or_a_gp_today(conversation, resources):
    text = urgent(_with_protocol(conversation("en-GB"), resources))
    assert "call NHS one one one now" in text, f"NHS 111 leads the advice: {text!r}"
    assert "see your GP today" in text, f"or a GP the same day: {text!r}"
    assert "go to NHS" not in text, f"NHS 111 is called, not visited: {text!r}"
    assert "nine nine nine" in text, "the safety net still names the emergency number"


@pytest.mark.parametrize("locale", [loc for loc in ENGLISH if loc != "en-GB"])
def test_other_urgent_outcomes_do_not_mention_the_nhs(conversation, resources, locale):
    assert "NHS" not in urgent(_with_protocol(conversation(locale), resources)), f"{locale}: NHS is British only"


@pytest.mark.parametrize("locale", UNKNOWN)
def test_unknown_locale_falls_back_to_a_safe_number(conversation, store, locale):
    assert store.for_locale(locale).tag == "en", f"{locale} should fall back to content/en"
    response = emergency(conversation(locale, interfaces=APL))
    text = speech(response)
    assert SAFE_NUMBER in first_sentence(text), f"{locale}: the first sentence must be safe anywhere: {text!r}"
    for number in SPOKEN_NUMBERS:
        assert number not in text, f"{locale}: a country's number {number!r} for an unknown country: {text!r}"


@pytest.mark.parametrize("locale", UNKNOWN)
def test_unknown_locale_handles_every_turn(conversation, locale):
    conv = conversation(locale)
    conv.launch()
    conv.intent("WhenToSeeDoctorIntent")
    conv.intent("AMAZON.HelpIntent")
    conv.intent("AMAZON.StopIntent")
    assert conv.ended, f"{locale}: stop should end the session"


@pytest.mark.parametrize("locale", ENGLISH)
def test_invocation_name(locale):
    model = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")
    invocation = model.invocation_name
    assert invocation == "nose twitch guide", f"{locale}: the invocation name is the same everywhere"
