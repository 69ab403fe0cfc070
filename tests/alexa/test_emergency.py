"""Emergency first, wherever it is said: the locale's number in the first words, in every state.

The emergency handler is registered before every other handler. These tests say an emergency in
every state the skill has (see ``tests/support/emergency.py``) and in every locale, and check what
a frightened person hears: the number in the first ten words, a phone, the time, someone else, the
number again, all inside 20 seconds; a card and a screen with the number in digits; nothing of what
they said kept anywhere.
"""

from __future__ import annotations

import html

import pytest

from skill.alexa.builder import request_handlers
from skill.alexa.handlers.emergency import EmergencyHandler
from tests.support.client import ends_session, reprompt, speech
from tests.support.emergency import (
    FIRST_WORDS,
    MAX_WORDS,
    number_first,
    number_position,
    positions,
    run_at,
    words,
)
from tests.support.envelopes import APL, intent_request, slot
from tests.support.locales import LOCALES


@pytest.fixture(scope="module")
def question_count(resources) -> int:
    counts = {len(resources.for_locale(locale).protocol.questions) for locale in LOCALES}
    return max(counts)


def test_the_emergency_handler_is_registered_first():
    first = request_handlers()[0]
    assert isinstance(first, EmergencyHandler), f"the emergency handler must outrank every other, got {first!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_an_emergency_in_every_state_gets_the_number_first(conversation, resources, locale):
    """Every position, every locale: the number in the first ten words, never a re-ask or a fallback."""
    protocol = resources.for_locale(locale).protocol
    failures = []
    for position in positions(len(protocol.questions)):
        conv = conversation(locale)
        text = run_at(position, conv)
        if not number_first(text, locale):
            failures.append(f"{position.name}: {text!r}")
        if conv.log.get("handler") != "emergency" or conv.log.get("disposition") != "emergency":
            failures.append(f"{position.name}: the log should show the emergency route, got {conv.log!r}")
    assert not failures, f"{locale}: the emergency number must come first in every state:\n" + "\n".join(failures)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_answer_says_phone_time_someone_else_and_the_number_again_within_20_seconds(conversation, store, locale):
    spoken_number = LOCALES[locale][0]
    content = store.for_locale(locale)
    response = conversation(locale).intent("EmergencyIntent")
    text = speech(response)
    assert text.startswith(content.text("emergency.lead")), f"{locale}: the first words are the call: {text!r}"
    for key in ("emergency.phone", "emergency.time.say", "emergency.other_person.say", "emergency.again"):
        assert content.text(key) in text, f"{locale}: the answer should say {key} ({content.text(key)!r}): {text!r}"
    said = words(text)
    first = number_position(text, spoken_number)
    assert first is not None and first < FIRST_WORDS, f"{locale}: {spoken_number!r} in the first words: {text!r}"
    closing = text[text.index(content.text("emergency.again")):]
    assert number_position(closing, spoken_number) is not None, f"{locale}: the number again at the end: {text!r}"
    assert len(said) <= MAX_WORDS, f"{locale}: {len(said)} words is over 20 seconds at 150 a minute: {text!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_session_stays_open_once_so_the_number_can_be_heard_again(conversation, locale):
    spoken_number = LOCALES[locale][0]
    conv = conversation(locale)
    first = conv.intent("EmergencyIntent")
    assert not ends_session(first), f"{locale}: the answer asks whether to say it again"
    assert spoken_number in reprompt(first), f"{locale}: silence hears the number again: {reprompt(first)!r}"
    for again in ("AMAZON.YesIntent", "AMAZON.RepeatIntent"):
        repeated = conv.intent(again)
        assert speech(repeated) == speech(first), f"{locale}: {again} says the emergency answer again"
    closing = conv.intent("AMAZON.NoIntent")
    assert ends_session(closing), f"{locale}: no closes the session"
    assert number_first(speech(closing), locale), f"{locale}: the goodbye still leads with the number"


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_after_the_answer_closes_with_the_number(conversation, intent):
    conv = conversation("en-US")
    conv.intent("EmergencyIntent")
    closing = conv.intent(intent)
    assert ends_session(closing) and number_first(speech(closing), "en-US"), speech(closing)


@pytest.mark.parametrize("locale", LOCALES)
def test_card_and_screen_show_the_number_in_digits_and_nothing_that_was_said(conversation, locale):
    _, display, _ = LOCALES[locale]
    said = "my husband's face dropped"
    response = conversation(locale, interfaces=APL).intent(
        "EmergencyIntent", slot("sign", said, id="face", slot_type="EMERGENCY_SIGN"))
    card = response["response"]["card"]
    assert display in card["title"], f"{locale}: the card title shows {display}: {card!r}"
    directive = response["response"]["directives"][0]
    data = directive["datasources"]["answer"]
    assert html.unescape(data["emphasis"]) == display, f"{locale}: the screen shows {display} large: {data!r}"
    assert data["level"] == "emergency"
    everything = f"{card} {directive} {response.get('sessionAttributes')}"
    assert said not in everything, f"{locale}: what the person said must not be kept: {everything!r}"


def test_the_log_has_the_route_and_level_only(conversation):
    conv = conversation("en-US")
    conv.intent("EmergencyIntent", slot("sign", "a stroke", id="stroke", slot_type="EMERGENCY_SIGN"))
    assert conv.log == {"handler": "emergency", "disposition": "emergency"}, conv.log


@pytest.mark.parametrize("locale", [*LOCALES, "en-NZ", "es-AR"])
def test_the_fallback_carries_the_emergency_line(conversation, store, locale):
    text = speech(conversation(locale).intent("AMAZON.FallbackIntent"))
    line = store.for_locale(locale).text("emergency.safety_line")
    assert line in text, f"{locale}: the fallback says {line!r}: {text!r}"


@pytest.mark.parametrize("locale", ["en-NZ", "fr-FR", "es-AR"])
def test_a_locale_without_content_names_the_local_emergency_number(conversation, store, locale):
    content = store.for_locale(locale)
    text = speech(conversation(locale).intent("EmergencyIntent"))
    assert text.startswith(content.text("emergency.lead")), text
    assert content.locale_params["emergency_number"] in " ".join(text.split()[:FIRST_WORDS]), text


def test_an_emergency_request_without_a_session_is_answered(skill):
    """Some clients send no session (a one-shot from a routine): still the number first."""
    from tests.support.client import invoke
    from tests.support.envelopes import envelope

    raw = envelope(intent_request("EmergencyIntent"), new=True)
    raw.pop("session", None)
    text = speech(invoke(skill, raw))
    assert number_first(text, "en-US"), text
