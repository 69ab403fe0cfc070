"""Name-free requests: CanFulfillIntentRequest gets an honest, silent YES / MAYBE / NO."""

from __future__ import annotations

import re

import pytest

from skill.alexa.handlers.can_fulfill import TWITCH_SPECIFIC_INTENTS, TWITCH_THINGS
from skill.alexa.handlers.facts import QUESTION_INTENTS
from skill.alexa.handlers.topics import TOPIC_INTENTS
from skill.domain import facts
from skill.config import DEFAULT_MODEL_DIR
from skill.tools.models import load_model
from skill.tools.nlu.matcher import Matcher
from tests.support.client import invoke
from skill.tools.envelopes import can_fulfill_request, envelope, slot

EN_US_INTENTS = load_model(DEFAULT_MODEL_DIR / "en-US.json").intent_slots()


def ask(skill, name: str, *slots: dict, log: dict | None = None, locale: str = "en-US") -> dict:
    """Send a CanFulfillIntentRequest (a fresh session, as Alexa sends it); return the response object."""
    response, fields = invoke(skill, envelope(can_fulfill_request(name, *slots, locale=locale), new=True))
    if log is not None:
        log.update(fields)
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


# --- real phrasings, as Alexa would match them to this skill's model -------------------------

#: (locale, what someone says to Alexa without the skill's name, the verdict). Generic health
#: phrasings must never get YES: the request carries only the intent and slots, so a phrasing the
#: model shares with questions about anything must not claim to be about a twitch.
PHRASINGS = [
    # generic health phrasings: never YES
    ("en-US", "is it serious", "MAYBE"),
    ("en-US", "should i be worried", "MAYBE"),
    ("en-US", "when should i see a doctor", "MAYBE"),
    ("en-US", "what can i do right now", "MAYBE"),
    ("en-US", "tell me about stress", "MAYBE"),
    ("en-US", "check my symptoms", "NO"),
    ("en-US", "do i need to see a doctor", "NO"),
    ("en-US", "i'm having a headache", "NO"),
    ("en-US", "my face is numb", "NO"),
    ("en-US", "order a pizza", "NO"),
    ("es-ES", "es grave", "MAYBE"),
    ("es-ES", "debería preocuparme", "MAYBE"),
    ("es-ES", "cuándo debo ir al médico", "MAYBE"),
    ("es-ES", "háblame del estrés", "MAYBE"),
    ("es-ES", "revisa mis síntomas", "NO"),
    ("es-ES", "tengo dolor de cabeza", "NO"),
    ("es-ES", "pide una pizza", "NO"),
    # FactIntent's carriers name no twitch: a general thing is MAYBE, a twitch thing YES (issue 17)
    ("en-US", "tell me about yoga", "MAYBE"),
    ("en-US", "what is an mri", "MAYBE"),
    ("en-US", "tell me about exercise", "MAYBE"),
    ("en-US", "should i see a neurologist", "MAYBE"),
    ("en-US", "tell me about stroke", "MAYBE"),
    ("en-US", "what is fasciculation", "YES"),
    ("en-US", "tell me about hemifacial spasm", "YES"),
    ("es-ES", "háblame del yoga", "MAYBE"),
    # the question intents (issue 19) each hold phrasings that name no twitch: MAYBE, never NO
    ("en-US", "how long will it last", "MAYBE"),
    ("en-US", "how long does a nose twitch last", "MAYBE"),
    ("en-US", "it's been twitching for two weeks when will it stop", "MAYBE"),
    ("en-US", "which nerve controls the face", "MAYBE"),
    ("en-US", "what is tourette's", "MAYBE"),
    ("en-US", "why is my eyelid jumping", "MAYBE"),
    ("en-US", "which doctor should i see", "MAYBE"),
    ("en-US", "what tests are there", "MAYBE"),
    ("es-ES", "cuánto dura un tic en la nariz", "MAYBE"),
    ("es-ES", "a qué médico voy", "MAYBE"),
    # their things are general too; "can it be cured" is YES only for a twitch thing with a treatment answer
    ("en-US", "tell me about eye twitching", "MAYBE"),
    ("en-US", "tell me about blepharospasm", "MAYBE"),
    ("en-US", "can bell's palsy be cured", "MAYBE"),
    ("en-US", "is there a cure for fasciculation", "MAYBE"),
    ("en-US", "can hemifacial spasm be cured", "YES"),
    ("es-ES", "se puede curar el espasmo hemifacial", "YES"),
    # calls and emergencies are Alexa's own business name-free
    ("en-US", "call my wife", "NO"),
    ("es-ES", "llama a mi esposo", "NO"),
    # about a twitch: YES
    ("en-US", "what is nose twitching", "YES"),
    ("en-US", "my nose keeps twitching", "YES"),
    ("en-US", "my nose has been twitching for three weeks", "YES"),
    ("es-ES", "me tiembla la nariz", "YES"),
    ("es-ES", "lleva tres semanas temblando", "YES"),
]


@pytest.fixture(scope="module")
def matchers() -> dict[str, Matcher]:
    return {locale: Matcher.load(DEFAULT_MODEL_DIR / f"{locale}.json") for locale in {p[0] for p in PHRASINGS}}


@pytest.mark.parametrize(("locale", "said", "expected"), PHRASINGS, ids=[f"{p[0]}:{p[1]}" for p in PHRASINGS])
def test_name_free_phrasings(skill, matchers, locale, said, expected):
    meaning = matchers[locale].match(said)
    slots = [s.to_json() for s in meaning.slots if s.value is not None]
    request = can_fulfill_request(meaning.intent, *slots, locale=locale)
    result = invoke(skill, envelope(request, new=True))[0]["response"]["canFulfillIntent"]
    assert verdict(result) == expected, (
        f"{locale} {said!r} (matched {meaning.describe()}) should be {expected}, got {result!r}"
    )


# --- intent by intent -------------------------------------------------------------------------


@pytest.mark.parametrize("intent", sorted(TOPIC_INTENTS))
def test_topic_intents_are_yes_only_when_every_phrasing_names_the_twitch(skill, intent):
    expected = "YES" if intent in TWITCH_SPECIFIC_INTENTS else "MAYBE"
    assert verdict(ask(skill, intent)) == expected, f"{intent} name-free should be {expected}"


@pytest.mark.parametrize("intent", sorted(QUESTION_INTENTS))
def test_question_intents_are_maybe_never_no(skill, intent):
    """ "How long does it last?", "which doctor should I see?": the skill has the answer (so not NO), but
    each intent holds phrasings that name no twitch (so not YES)."""
    assert intent not in TWITCH_SPECIFIC_INTENTS, f"{intent} has samples that name no twitch"
    result = verdict(ask(skill, intent))
    assert result == "MAYBE", f"{intent} name-free should be MAYBE, got {result}"
    assert verdict(ask(skill, intent, locale="es-ES")) == "MAYBE", f"{intent} (es-ES) name-free should be MAYBE"


@pytest.mark.parametrize(
    ("duration", "understood"), [("P2W", ("YES", "YES")), ("a while", ("MAYBE", "YES"))], ids=["readable", "unreadable"]
)
def test_how_long_with_a_duration_is_maybe_and_answered_whatever_the_duration(skill, duration, understood):
    """ "It's been two weeks, when will it stop?": the answer (a few days or weeks; see a doctor after two)
    holds for any duration, so the slot never makes it NO."""
    result = ask(skill, "DurationIntent", slot("duration", duration, slot_type="AMAZON.DURATION"))
    assert verdict(result) == "MAYBE", f"how long, with a duration: {result!r}"
    assert slot_verdict(result, "duration") == understood


def test_question_intent_with_a_slot_it_does_not_take_is_no(skill):
    result = ask(skill, "TestsIntent", slot("city", "Boston"))
    assert verdict(result) == "NO" and slot_verdict(result, "city") == ("NO", "NO"), result


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ((slot("thing", "hemifacial spasm", id="hemifacial_spasm", slot_type="THING"),), "YES"),
        ((slot("thing", "fasciculation", id="fasciculation", slot_type="THING"),), "MAYBE"),
        ((slot("thing", "bell's palsy", id="bells_palsy", slot_type="THING"),), "MAYBE"),
        ((slot("thing", "the moon", match=False, slot_type="THING"),), "NO"),
        ((), "NO"),
    ],
    ids=["twitch-thing-with-treatment", "twitch-thing-without-treatment", "general-thing", "unresolved", "no-thing"],
)
def test_cure_intent_is_yes_only_for_a_twitch_thing_with_its_treatment(skill, slots, expected):
    """ "Can hemifacial spasm be cured?" means only that, and its treatment answers it; "can fasciculation
    be cured?" gets what fasciculation is (no cure answer); "can Bell's palsy be cured?" is a general subject."""
    assert verdict(ask(skill, "CureIntent", *slots)) == expected


def test_known_trigger_is_maybe_with_slot_understood(skill):
    """"Tell me about caffeine" may be about caffeine in general: the skill answers only its link to twitching."""
    result = ask(skill, "TriggerDetailIntent", slot("trigger", "coffee", id="caffeine"))
    assert verdict(result) == "MAYBE", f"a trigger with content, phrasing unknown: {result!r}"
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


@pytest.mark.parametrize(
    "slots",
    [(), (slot("symptom", "bad headache", id="headache"),), (slot("symptom", "itchy elbow", match=False),)],
    ids=["no-slots", "symptom-only", "unknown-symptom-only"],
)
def test_symptom_check_without_a_twitch_duration_is_no(skill, slots):
    """"Check my symptoms" or "I'm having a headache" said to Alexa is not about a nose twitch."""
    assert verdict(ask(skill, "SymptomCheckIntent", *slots)) == "NO"


def test_symptom_check_with_twitch_duration_and_known_symptom_is_yes(skill):
    result = ask(
        skill, "SymptomCheckIntent", slot("symptom", "severe headache", id="severe_headache"), slot("duration", "P3W")
    )
    assert verdict(result) == "YES", f"a known symptom and a readable twitch duration: {result!r}"
    assert slot_verdict(result, "symptom") == ("YES", "YES")
    assert slot_verdict(result, "duration") == ("YES", "YES")


@pytest.mark.parametrize(
    ("slots", "unread"),
    [
        ((slot("duration", "three weeks"),), "duration"),
        ((slot("symptom", "itchy elbow", match=False), slot("duration", "P3W")), "symptom"),
        ((slot("symptom", "bad headache", id="headache"), slot("duration", "ages")), "duration"),
    ],
    ids=["unreadable-duration", "unknown-symptom", "one-of-two-unread"],
)
def test_symptom_check_with_unread_slot_is_maybe(skill, slots, unread):
    """The check still runs in full (it asks about every sign), but the detail given is not used."""
    result = ask(skill, "SymptomCheckIntent", *slots)
    assert verdict(result) == "MAYBE", f"an unread {unread} should give MAYBE: {result!r}"
    assert slot_verdict(result, unread) == ("MAYBE", "YES")


def test_emergency_is_no_so_alexa_itself_answers(skill):
    result = ask(skill, "EmergencyIntent", slot("sign", "my face dropped", id="face_droop"))
    assert verdict(result) == "NO", f"a name-free emergency is better served by Alexa than by this skill: {result!r}"
    assert verdict(ask(skill, "EmergencyIntent")) == "NO"


@pytest.mark.parametrize(
    ("slots", "expected"),
    [((slot("thing", "procerus", id="procerus"),), "YES"), ((slot("thing", "the moon", match=False),), "NO"), ((), "NO")],
    ids=["resolved", "unresolved", "no-thing"],
)
def test_fact_intent_needs_a_resolved_thing(skill, slots, expected):
    assert verdict(ask(skill, "FactIntent", *slots)) == expected


def test_sources_intent_is_no(skill):
    assert verdict(ask(skill, "SourcesIntent")) == "NO", "where the answers come from only makes sense in a session"


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


def test_every_custom_model_intent_without_slots_is_never_a_blind_yes(skill):
    """Every custom intent of the en-US model gets a verdict; without slots only the twitch-specific ones YES."""
    for intent in EN_US_INTENTS:
        if intent.startswith("AMAZON."):
            continue
        result = verdict(ask(skill, intent))
        if intent in TWITCH_SPECIFIC_INTENTS:
            assert result == "YES", f"{intent}: every phrasing names the twitch"
        else:
            assert result in {"NO", "MAYBE"}, f"{intent} without slots must not claim a name-free request: {result}"


#: Words that make a phrasing about a nose twitch, per language (a slot reference is not one).
SUBJECT = {
    "en": re.compile(r"\b(nose|nasal|twitch\w*|spasms?|fasciculation)\b"),
    "es": re.compile(r"\b(nariz|naric\w+|nasal\w*|tic|tiembl\w*|temblor\w*|temblando|espasmos?|fasciculaci\w+)\b"),
}


@pytest.mark.parametrize("path", sorted(DEFAULT_MODEL_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_fact_yes_only_for_the_twitch_things_every_value_checked(skill, path):
    """Every THING value of every model, as Alexa resolves it: YES only for a twitch thing, MAYBE
    for every other known thing (yoga, water, an MRI...), with the slot understood either way."""
    locale = path.stem
    thing = load_model(path).slot_type("THING")
    wrong = []
    for value in thing.values:
        said = value.value
        result = ask(skill, "FactIntent", slot("thing", said, id=value.id, slot_type="THING"), locale=locale)
        expected = "YES" if value.id in TWITCH_THINGS else "MAYBE"
        if verdict(result) != expected or slot_verdict(result, "thing") != ("YES", "YES"):
            wrong.append(f"{value.id} ({said!r}): {result!r}, expected {expected}")
    assert not wrong, f"{locale}: FactIntent verdicts:\n" + "\n".join(wrong)
    assert TWITCH_THINGS <= set(thing.ids), f"{locale}: a twitch thing left the model"


@pytest.mark.parametrize("path", sorted(DEFAULT_MODEL_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_cure_yes_only_for_a_twitch_thing_with_a_treatment_every_value_checked(skill, store, path):
    """ "Can {thing} be cured?" for every THING value of every model: YES only for a twitch thing whose
    treatment the content links, MAYBE for every other known thing."""
    locale = path.stem
    content = store.for_locale(locale)
    thing = load_model(path).slot_type("THING")
    wrong, yes = [], set()
    for value in thing.values:
        result = ask(skill, "CureIntent", slot("thing", value.value, id=value.id, slot_type="THING"),
                     locale=locale)
        treated = facts.treatment_of(content, value.id) != value.id
        expected = "YES" if value.id in TWITCH_THINGS and treated else "MAYBE"
        yes |= {value.id} if expected == "YES" else set()
        if verdict(result) != expected or slot_verdict(result, "thing") != ("YES", "YES"):
            wrong.append(f"{value.id}: {result!r}, expected {expected}")
    assert not wrong, f"{locale}: CureIntent verdicts:\n" + "\n".join(wrong)
    assert yes == {"hemifacial_spasm"}, f"{locale}: CureIntent YES for {sorted(yes)}"


@pytest.mark.parametrize("path", sorted(DEFAULT_MODEL_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_yes_verdicts_rest_on_phrasings_that_all_name_the_twitch(path):
    """YES is given for an intent (or a slot it carries) only if every sample that can produce it
    names the twitch; a generic sample added to such an intent must move it to MAYBE."""
    subject = SUBJECT[path.stem.split("-")[0]]
    intents = {i.name: i.samples for i in load_model(path).intents}
    generic = []
    for intent in TWITCH_SPECIFIC_INTENTS:
        generic += [f"{intent}: {s!r}" for s in intents.get(intent, []) if not subject.search(s.lower())]
    with_duration = [s for s in intents.get("SymptomCheckIntent", []) if "{duration}" in s]
    generic += [f"SymptomCheckIntent: {s!r}" for s in with_duration if not subject.search(s.lower())]
    assert not generic, f"{path.name}: these samples would make a name-free YES imprecise: {generic}"


def test_no_state_is_kept_and_log_names_the_handler(skill):
    response, log = invoke(skill, envelope(can_fulfill_request("CausesIntent"), new=True))
    assert not response.get("sessionAttributes"), f"a CanFulfillIntentRequest must not store state: {response!r}"
    assert log.get("handler") == "can_fulfill", f"the access log should name the handler: {log!r}"


@pytest.mark.parametrize(
    ("thing", "understood"), [("stroke", ("YES", "YES")), ("family_doctor", ("MAYBE", "YES"))], ids=["specific", "in-passing"]
)
def test_a_topic_question_naming_a_thing_is_maybe_and_never_no(skill, thing, understood):
    """ "Is my twitch a sign of a stroke?" is answered with the stroke facts (slot understood); "is it
    serious, should I see my GP?" still gets the topic (slot read but not needed): neither is NO."""
    result = ask(skill, "IsItSeriousIntent", slot("thing", thing.replace("_", " "), id=thing))
    assert verdict(result) == "MAYBE", f"IsItSerious with {thing}: {result!r}"
    assert slot_verdict(result, "thing") == understood
