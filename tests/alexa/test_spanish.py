"""Spanish (es-US, es-MX, es-ES): whole conversations, each locale's emergency number, no English left."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from skill.tools.checks.content import SOURCE_SECTIONS

from skill.config import DEFAULT_MODEL_DIR
from skill.domain.content import iter_texts, placeholders
from skill.tools.models import load_model
from tests.support.client import reprompt, speech
from skill.tools.envelopes import APL, slot
from tests.support.locales import first_sentence, of_language
from tests.support.triage_paths import UNSURE, answers_to

SPANISH = of_language("es")
SPOKEN_NUMBERS = {spoken for spoken, _, _ in SPANISH.values()}
#: A Spanish locale the skill has no folder for gets content/es, which names no country's number.
SAFE_NUMBER = "tu número local de emergencias"
#: Common English words that must never reach a Spanish listener (text padded and lower-cased).
ENGLISH_WORDS = (" the ", " and ", " your ", " you ", " doctor ", " what ", "twitch", " is ", " with ")
#: Leaf keys whose values are ids, not words: they must match content/en exactly.
ID_KEYS = {"id", "level", "yes_topic", "file"}


def is_id(key: str) -> bool:
    parts = key.split(".")
    return (
        parts[-1] in ID_KEYS
        or "source" in parts
        or key == "triage.duration.question"
        or key.startswith(("triage.symptoms.", "triage.reask."))
    )


def cites(key: str) -> bool:
    """A source id, or a named reference's publisher, title or URL: those name an English document as it is."""
    parts = key.split(".")
    return "source" in parts or (parts[0] == "clinical_sources" and parts[-1] in {"publisher", "title", "url"})


def english_in(text: str) -> list[str]:
    padded = f" {text.lower()} "
    return [word for word in ENGLISH_WORDS if word in padded]


def said(response: dict[str, Any]) -> list[str]:
    """Everything a response speaks or shows: speech, reprompt, card."""
    card = response["response"].get("card") or {}
    return [speech(response), reprompt(response), card.get("title", ""), card.get("content", "")]


def emergency(conv) -> tuple[dict[str, Any], list[str]]:
    """Launch, one topic, then a check answered yes to its first question: the emergency outcome."""
    heard = []
    launch = conv.launch()
    heard += said(launch)
    assert "Guía del tic nasal" in speech(launch), f"{conv.locale}: the launch names the skill: {speech(launch)!r}"
    topic = conv.intent("CausesIntent")
    heard += said(topic)
    assert "estrés" in speech(topic), f"{conv.locale}: the causes topic should name stress: {speech(topic)!r}"
    assert speech(topic).endswith("¿Quieres saber más?"), f"{conv.locale}: a long topic offers more in Spanish"
    heard += said(conv.intent("MoreIntent"))
    started = conv.intent("SymptomCheckIntent")
    heard += said(started)
    assert conv.ended is False and speech(started).endswith("?"), f"{conv.locale}: the check should ask a question"
    response = conv.intent("AMAZON.YesIntent")
    heard += said(response)
    assert conv.log.get("disposition") == "emergency", f"{conv.locale}: yes to the first question is an emergency"
    assert conv.ended, f"{conv.locale}: the emergency outcome ends the session"
    return response, heard


@pytest.mark.parametrize("locale", SPANISH)
def test_emergency_outcome_leads_with_the_locales_number(conversation, locale):
    spoken, display, _ = SPANISH[locale]
    response, heard = emergency(conversation(locale, interfaces=APL))
    text = speech(response)
    assert spoken in first_sentence(text), f"{locale}: the first sentence must say {spoken!r}: {text!r}"
    assert first_sentence(text).startswith("Marca"), f"{locale}: the first sentence is the call: {text!r}"
    for other in SPOKEN_NUMBERS - {spoken}:
        assert other not in text, f"{locale}: the emergency outcome says another country's number {other!r}: {text!r}"
    assert SAFE_NUMBER not in text, f"{locale}: a known locale should name its number: {text!r}"
    assert display in response["response"]["card"]["title"], f"{locale}: the card (read on a phone) shows {display}"
    data = response["response"]["directives"][0]["datasources"]["answer"]
    assert html.unescape(data["emphasis"]) == display, f"{locale}: the screen shows {display} large: {data!r}"
    for piece in heard:
        assert not english_in(piece), f"{locale}: English words {english_in(piece)} in {piece!r}"


@pytest.mark.parametrize("locale", SPANISH)
def test_self_care_and_urgent_outcomes_name_who_to_see(conversation, resources, locale):
    spoken, _, doctor = SPANISH[locale]
    protocol = resources.for_locale(locale).protocol
    conv = conversation(locale)
    conv.intent("SymptomCheckIntent")
    for intent in answers_to(protocol, "self_care"):
        response = conv.intent(intent)
    assert conv.log.get("disposition") == "self_care", f"{locale}: no to every question is self care"
    text = speech(response)
    assert spoken in text, f"{locale}: the safety net names the emergency number: {text!r}"
    assert not english_in(text), f"{locale}: English words {english_in(text)} in {text!r}"
    details = speech(conv.intent("AMAZON.YesIntent"))
    assert doctor in details, f"{locale}: the outcome's details should name {doctor!r}: {details!r}"
    assert not english_in(details), f"{locale}: English words {english_in(details)} in {details!r}"
    conv = conversation(locale)
    conv.intent("SymptomCheckIntent")
    for intent in answers_to(protocol, "urgent", UNSURE):
        urgent = speech(conv.intent(intent))
    assert conv.log.get("disposition") == "urgent", f"{locale}: not sure to the first same-day question is urgent"
    lead = "Por seguridad, pide cita para hoy con" if locale == "es-ES" else "Por seguridad, llama ya a"
    assert f"{lead} {doctor}" in urgent, (
        f"{locale}: not sure is 'to be safe', and the urgent outcome names {doctor!r}: {urgent!r}"
    )
    assert spoken in urgent, f"{locale}: the urgent outcome says when to call the emergency number: {urgent!r}"
    assert not english_in(urgent), f"{locale}: English words {english_in(urgent)} in {urgent!r}"


@pytest.mark.parametrize("locale", SPANISH)
def test_one_shot_symptom_and_duration_are_read_back_in_spanish(conversation, locale):
    conv = conversation(locale)
    response = conv.intent("SymptomCheckIntent", slot("symptom", "caída", id="face_droop"), slot("duration", "P3W"))
    text = speech(response)
    assert "Mencionaste la cara caída." in text, f"{locale}: the symptom read-back: {text!r}"
    assert "desde hace 3 semanas" in text, f"{locale}: the duration read-back: {text!r}"
    assert not english_in(text), f"{locale}: English words {english_in(text)} in {text!r}"


@pytest.mark.parametrize("locale", SPANISH)
def test_trigger_synonym_answers_in_spanish(conversation, locale):
    conv = conversation(locale)
    text = speech(conv.intent("TriggerDetailIntent", slot("trigger", "café", id="caffeine"))).lower()
    assert "cafeína" in text, f"{locale}: coffee should answer about caffeine: {text!r}"
    assert text.startswith("aquí tienes información, no consejo médico."), f"{locale}: a one-shot states the notice"


@pytest.mark.parametrize("locale", [*SPANISH, "es"])
def test_no_english_left_in_the_merged_spanish_content(store, locale):
    content = store.for_locale(locale)
    assert content.tag == locale, f"{locale} should have its own content, not a fallback"
    # A named reference keeps its publisher's own title (an English page is cited in English).
    leaks = [(key, text) for key, text in iter_texts(content.tree)
             if english_in(text) and not cites(key) and not is_id(key) and key.split(".")[0] not in SOURCE_SECTIONS]
    assert not leaks, f"{locale}: English left in content: {leaks}"


def shape(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf below a node with its dotted key; a list also yields its length."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from shape(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list | tuple):
        yield f"{prefix}#len", len(node)
        for index, value in enumerate(node):
            yield from shape(value, f"{prefix}.{index}")
    else:
        yield prefix, node


def test_spanish_content_has_the_english_keys_lists_placeholders_and_ids(store):
    english, spanish = dict(shape(store.raw("en"))), dict(shape(store.raw("es")))
    assert sorted(english) == sorted(spanish), (
        f"content/es keys differ from content/en: missing {sorted(set(english) - set(spanish))}, "
        f"extra {sorted(set(spanish) - set(english))}"
    )
    for key, value in english.items():
        other = spanish[key]
        if isinstance(value, str):
            assert placeholders(value) == placeholders(other), f"{key}: placeholders differ: {value!r} / {other!r}"
            if is_id(key):
                assert value == other, f"{key}: an id must not be translated: {value!r} / {other!r}"
        else:
            assert value == other, f"{key}: a non-text value differs: {value!r} / {other!r}"


def test_spanish_locales_only_override_keys_the_language_has(store):
    spanish = dict(shape(store.raw("es")))
    for locale in SPANISH:
        extra = sorted(set(dict(shape(store.raw(locale)))) - set(spanish))
        assert not extra, f"content/{locale} sets keys content/es does not have: {extra}"


def test_unknown_spanish_locale_falls_back_to_a_safe_number(conversation, store):
    assert store.for_locale("es-AR").tag == "es", "es-AR should fall back to content/es"
    response, _ = emergency(conversation("es-AR", interfaces=APL))
    text = speech(response)
    assert SAFE_NUMBER in first_sentence(text), f"es-AR: the first sentence must be safe anywhere: {text!r}"
    for number in SPOKEN_NUMBERS:
        assert number not in text, f"es-AR: a country's number {number!r} for an unknown country: {text!r}"


@pytest.mark.parametrize("locale", SPANISH)
def test_invocation_name_and_samples_are_spanish(locale):
    model = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")
    assert model.invocation_name == "tic de la nariz", f"{locale}: one Spanish invocation name everywhere"
    for intent in model.intents:
        for sample in intent.samples:
            assert not english_in(sample), f"{locale}: {intent.name} sample {sample!r} is English"
