"""Answers to what people ask (issue 19), through the real skill, in English and Spanish.

- Question intents ("how long does it last?", "which doctor should I see?") get the facts that
  answer them, their first fact first, sources on the card, and the related topic on offer.
- New triggers: alcohol and medicines (NHS), and vitamins, which the sources don't cover: it says
  so, offers what they do say, and ends with the safety line.
- A question whose slot did not resolve goes where its words point: one answer (given, then the
  safety line), two (one question naming them), or none ("I don't have details on that", closest
  first, the safety line). A past stroke gets the emergency line first (review N17).
"""

from __future__ import annotations

import pytest

from skill.alexa.handlers.facts import QUESTION_INTENTS
from skill.domain import facts
from tests.support.client import reprompt, speech
from skill.tools.envelopes import slot
from tests.support.locales import LOCALES

FOCUSED = ("en-US", "es-US")
FIRST_WORDS = 15
MAX_WORDS = 50


def first_fact(content, thing: str) -> str:
    return content.format(facts.facts_about(content, thing)[0]["say"])


def first_item(content, trigger: str) -> str:
    return content.format(content.node(f"triggers.{trigger}.items")[0]["say"])


@pytest.mark.parametrize("locale", sorted(LOCALES))
@pytest.mark.parametrize("intent", sorted(QUESTION_INTENTS))
def test_a_question_intent_answers_with_its_facts_sources_and_offer(conversation, store, locale, intent):
    content = store.for_locale(locale)
    thing = QUESTION_INTENTS[intent]
    conv = conversation(locale)
    conv.launch()
    response = conv.intent(intent)
    text = speech(response)
    assert text.startswith(first_fact(content, thing)), f"{locale} {intent}: answer first: {text!r}"
    assert len(text.split()) <= MAX_WORDS, f"{locale} {intent}: over 20 s: {text!r}"
    card = response["response"]["card"]
    assert card["title"] == content.format(content.node(f"things.{thing}.title"))
    assert card["content"].splitlines()[-1].startswith(content.text("facts_help.card_sources", sources=""))
    topic = content.node(f"things.{thing}.topic")
    assert text.endswith(content.text(f"facts_help.offer.{topic}")), f"{locale} {intent}: offer {topic}: {text!r}"
    assert conv.attributes.get("pending") == f"topic:{topic}" and reprompt(response)


@pytest.mark.parametrize("locale", FOCUSED)
def test_yes_after_a_question_answer_gives_the_related_topic(conversation, store, locale):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    conv.intent("DurationIntent")
    text = speech(conv.intent("AMAZON.YesIntent"))
    assert text.startswith(content.text("topics.causes.intro")), f"{locale}: yes answers what causes it: {text!r}"


@pytest.mark.parametrize("locale", FOCUSED)
@pytest.mark.parametrize("trigger", ["alcohol", "medicines", "vitamins"])
def test_new_triggers_are_answered(conversation, store, locale, trigger):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent("TriggerDetailIntent", slot("trigger", trigger, id=trigger)))
    assert text.startswith(first_item(content, trigger)), f"{locale} {trigger}: {text!r}"
    safety = content.text("emergency.safety_line")
    if trigger == "vitamins":  # the sources don't cover it: say so, offer what they do say, the safety line
        assert safety in text, f"{locale}: an answer the sources don't cover carries the safety line: {text!r}"
        assert content.format(content.node("triggers.magnesium.name")) in text, f"{locale}: offer what is known: {text!r}"
    else:
        assert safety not in text, f"{locale} {trigger}: a sourced answer needs no safety line: {text!r}"


@pytest.mark.parametrize("locale", FOCUSED)
def test_a_medicine_is_not_stopped_without_advice(conversation, store, locale):
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent("TriggerDetailIntent", slot("trigger", "medicine", id="medicines"))).lower()
    assert ("don't stop it without advice" in text) or ("no lo dejes sin consultarlo" in text), text


@pytest.mark.parametrize("locale", sorted(LOCALES))
@pytest.mark.parametrize("resolved", [True, False], ids=["resolved", "unresolved"])
def test_a_past_stroke_gets_the_number_first_and_a_doctor_check(conversation, store, locale, resolved):
    """N17: "I had a stroke last year, is my twitch related?" is answered, never "I don't have details"."""
    content = store.for_locale(locale)
    said = {("en", True): "a stroke last year", ("en", False): "stroke two years ago",
            ("es", True): "un derrame el año pasado", ("es", False): "un ictus hace dos años"}[(locale[:2], resolved)]
    number = LOCALES[locale][0]
    conv = conversation(locale)
    conv.launch()
    heard = slot("thing", said, id="past_stroke") if resolved else slot("thing", said, match=False)
    text = speech(conv.intent("FactIntent", heard))
    assert number in " ".join(text.split()[:FIRST_WORDS]), f"{locale}: the number comes first: {text!r}"
    assert first_fact(content, "past_stroke") in text, f"{locale}: new twitching after a stroke needs a check: {text!r}"


@pytest.mark.parametrize("locale, said, thing", [
    ("en-US", "how long it goes on for", "duration"),
    ("en-GB", "the proper medical term", "medical_name"),
    ("en-IN", "which department in the hospital i should consult", "which_specialist"),
    ("es-US", "cuánto tiempo tarda en quitarse", "duration"),
    ("es-ES", "el párpado que me tiembla a la vez", "eye_and_nose"),
    ("es-MX", "un tic nervioso de mi niño", "tics"),
])
def test_unresolved_words_that_name_one_answer_get_it_then_the_safety_line(conversation, store, locale, said, thing):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    response = conv.intent("FactIntent", slot("thing", said, match=False))
    text = speech(response)
    assert text.startswith(first_fact(content, thing)), f"{locale} {said!r}: should answer {thing}: {text!r}"
    assert content.text("emergency.safety_line") in text, f"{locale}: a guessed answer carries the safety line: {text!r}"


@pytest.mark.parametrize("locale, said, trigger", [
    ("en-US", "the pills for my heart", "medicines"),
    ("en-AU", "not sleeping too well is that why", "sleep"),
    ("es-MX", "unas chelas el fin de semana", "alcohol"),
    ("es-US", "me falta vitamina b", "vitamins"),
])
def test_an_unresolved_trigger_goes_where_its_words_point(conversation, store, locale, said, trigger):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent("TriggerDetailIntent", slot("trigger", said, match=False)))
    assert text.startswith(first_item(content, trigger)), f"{locale} {said!r}: should answer {trigger}: {text!r}"


@pytest.mark.parametrize("locale, said, named", [
    ("en-US", "my eyelid or a tic", ("eye and nose twitching", "tics and Tourette's")),
    ("es-US", "el ojo o el tourette", ("cuando tiemblan el ojo y la nariz", "tics nerviosos y Tourette")),
])
def test_words_that_point_to_two_answers_get_one_question_naming_them(conversation, store, locale, said, named):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    response = conv.intent("FactIntent", slot("thing", said, match=False))
    text = speech(response)
    assert all(name in text for name in named), f"{locale}: ask which of the two: {text!r}"
    assert text.endswith("?") and content.text("emergency.safety_line") in text, text
    assert all(name in reprompt(response) for name in named), f"{locale}: the reprompt names the same: {reprompt(response)!r}"
    assert conv.ended is False


@pytest.mark.parametrize("locale, intent, said", [
    ("es-US", "TriggerDetailIntent", "fiebre y el cuello rígido"),
    ("en-US", "FactIntent", "a rash on my arm"),
])
def test_words_that_point_nowhere_get_what_the_skill_has_and_the_number(conversation, store, locale, intent, said):
    """S9: the unknown answers carry the safety line, so a red flag said there still hears the number."""
    content = store.for_locale(locale)
    number = LOCALES[locale][0]
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent(intent, slot(intent == "FactIntent" and "thing" or "trigger", said, match=False)))
    assert number in text and content.text("emergency.safety_line") in text, f"{locale}: {text!r}"
    key = "facts_help.unknown" if intent == "FactIntent" else "trigger_help.unknown"
    assert text.startswith(content.text(key, options="\0").split("\0")[0]), text


@pytest.mark.parametrize("locale", FOCUSED)
def test_an_unresolved_question_about_when_to_see_a_doctor_gets_that_topic_number_first(conversation, store, locale):
    content = store.for_locale(locale)
    said = "when to see a doctor about it" if locale.startswith("en") else "cuándo ir al médico por esto"
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent("FactIntent", slot("thing", said, match=False)))
    assert LOCALES[locale][0] in " ".join(text.split()[:FIRST_WORDS]), text
    assert content.format(content.node("topics.when_to_see_doctor.items")[0]["say"]) in text, text


@pytest.mark.parametrize("locale", FOCUSED)
def test_a_child_tic_and_an_eyelid_twitch_get_their_own_answers(conversation, store, locale):
    """N16, N23: a child's nervous tic is not called a fasciculation; an eyelid twitch has an answer."""
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    tics = speech(conv.intent("TicsIntent"))
    assert "fascicul" not in tics.lower(), f"{locale}: a child's tic is not a fasciculation: {tics!r}"
    eye = speech(conv.intent("EyeAndNoseIntent"))
    assert first_fact(content, "eye_and_nose") in eye and content.format(content.node("things.hemifacial_spasm.name")) in eye
