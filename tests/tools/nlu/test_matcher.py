"""The chat tool's matcher: typed words -> intent and slots, from the interaction model alone."""

from __future__ import annotations

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.models import load_model, model_paths, parse_model
from skill.tools.nlu.matcher import (
    ER_SUCCESS_MATCH,
    ER_SUCCESS_NO_MATCH,
    FALLBACK_INTENT,
    Matcher,
    fold,
    normalise,
    spoken_duration_to_iso,
)

EN_US = DEFAULT_MODEL_DIR / "en-US.json"


@pytest.fixture(scope="module")
def en() -> Matcher:
    return Matcher.load(EN_US)


# Many phrasings: exact samples, other case and punctuation, extra or missing words, other word forms.
INTENT_TABLE = [
    ("why does my nose twitch", "CausesIntent"),
    ("Why does my nose twitch?", "CausesIntent"),
    ("WHY DOES MY NOSE TWITCH!!", "CausesIntent"),
    ("why does my nose twitch so much", "CausesIntent"),
    ("what causes my nose to twitch", "CausesIntent"),
    ("what is a nose twitch", "WhatIsItIntent"),
    ("what is a nasal twitch", "WhatIsItIntent"),
    ("is it serious?", "IsItSeriousIntent"),
    ("is this dangerous", "IsItSeriousIntent"),
    ("is nose twitching bad", "IsItSeriousIntent"),
    ("how do I make my nose stop twitching", "ReliefIntent"),
    ("how do i get rid of a nose twitch", "ReliefIntent"),
    ("how can i prevent nose twitches", "PreventionIntent"),
    ("whats the best treatment", "TreatmentsIntent"),
    ("how do doctors diagnose nose twitching", "DiagnosisIntent"),
    ("when should i see a doc", "WhenToSeeDoctorIntent"),
    ("what can I do at home", "HomeVsProfessionalIntent"),
    ("more", "MoreIntent"),
    ("tell me more", "MoreIntent"),
    ("keep going please", "MoreIntent"),
    ("check my symptoms", "SymptomCheckIntent"),
    ("I'm not sure", "UnsureIntent"),
    ("i dont know", "UnsureIntent"),
    ("why are you asking me that", "WhyAskIntent"),
    ("go back please", "GoBackIntent"),
    ("yes", "AMAZON.YesIntent"),
    ("Yeah.", "AMAZON.YesIntent"),
    ("yeah sure", "AMAZON.YesIntent"),
    ("no", "AMAZON.NoIntent"),
    ("no thank you", "AMAZON.NoIntent"),
    ("nope", "AMAZON.NoIntent"),
    ("help", "AMAZON.HelpIntent"),
    ("I need help", "AMAZON.HelpIntent"),
    ("stop", "AMAZON.StopIntent"),
    ("cancel", "AMAZON.CancelIntent"),
    ("repeat", "AMAZON.RepeatIntent"),
    ("can you repeat that please", "AMAZON.RepeatIntent"),
    ("start over", "AMAZON.StartOverIntent"),
    ("go home", "AMAZON.NavigateHomeIntent"),
]


@pytest.mark.parametrize(("said", "intent"), INTENT_TABLE)
def test_phrasings_match_their_intent(en, said, intent):
    heard = en.match(said)
    assert heard.intent == intent, f"{said!r} should be {intent}, heard {heard.describe()} via {heard.sample!r}"


OUT_OF_DOMAIN = [
    "purple monkey dishwasher",
    "hello",
    "what is the weather in paris",
    "i want pizza",
    "play some music",
    "order a taxi",
    "set a timer for ten minutes",
    "what time is it",
    "turn on the lights",
    "asdf qwer",
    "how tall is mount everest",
    "",
    "?!",
]


@pytest.mark.parametrize("said", OUT_OF_DOMAIN)
def test_out_of_domain_speech_is_fallback(en, said):
    heard = en.match(said)
    assert heard.intent == FALLBACK_INTENT, f"{said!r} should be fallback, heard {heard.describe()} via {heard.sample!r}"


SLOT_TABLE = [
    ("does coffee cause it", "TriggerDetailIntent", "trigger", "caffeine"),
    ("Does coffee cause it?", "TriggerDetailIntent", "trigger", "caffeine"),
    ("does too much coffee cause it", "TriggerDetailIntent", "trigger", "caffeine"),
    ("could it be the coffee", "TriggerDetailIntent", "trigger", "caffeine"),
    ("is it from coffe", "TriggerDetailIntent", "trigger", "caffeine"),  # a typo still resolves
    ("tell me about stress", "TriggerDetailIntent", "trigger", "stress"),
    ("tell me about dehydrated", "TriggerDetailIntent", "trigger", "dehydration"),
    ("can stress make my nose twitch", "TriggerDetailIntent", "trigger", "stress"),
    ("is it because of lack of sleep", "TriggerDetailIntent", "trigger", "sleep"),
    ("what about hay fever", "TriggerDetailIntent", "trigger", "allergies"),
    ("does coffee really cause my nose to twitch", "TriggerDetailIntent", "trigger", "caffeine"),
    ("check my symptoms i have a drooping face", "SymptomCheckIntent", "symptom", "face_droop"),
    ("i have a bad headache and my nose twitches", "SymptomCheckIntent", "symptom", "severe_headache"),
    ("check my symptoms my arm is weak", "SymptomCheckIntent", "symptom", "limb_weakness"),
    ("check my symptoms i have slurred speech", "SymptomCheckIntent", "symptom", "speech_trouble"),
]


@pytest.mark.parametrize(("said", "intent", "slot", "value_id"), SLOT_TABLE)
def test_custom_slot_values_and_synonyms_resolve_to_their_id(en, said, intent, slot, value_id):
    heard = en.match(said)
    assert heard.intent == intent, f"{said!r}: heard {heard.describe()}"
    fill = heard.slot(slot)
    assert fill is not None and fill.status == ER_SUCCESS_MATCH and fill.id == value_id, (
        f"{said!r}: {slot} should resolve to {value_id}, got {fill}"
    )


def test_an_unknown_slot_value_is_no_match_like_alexa(en):
    heard = en.match("what about the weather")
    fill = heard.slot("trigger")
    assert heard.intent == "TriggerDetailIntent"
    assert fill is not None and fill.value == "the weather" and fill.status == ER_SUCCESS_NO_MATCH and fill.id is None


DURATION_TABLE = [
    ("my nose has been twitching for three weeks", "P3W"),
    ("my nose has been twitching for 2 days", "P2D"),
    ("my nose has been twitching for about three weeks", "P3W"),
    ("it's been twitching for a couple of days", "P2D"),
    ("I've had a nose twitch for a month", "P1M"),
    ("the twitching has lasted two weeks and three days", "P2W3D"),
    ("the twitching has lasted five hours", "PT5H"),
]


@pytest.mark.parametrize(("said", "iso"), DURATION_TABLE)
def test_spoken_durations_become_iso_8601(en, said, iso):
    heard = en.match(said)
    assert heard.intent == "SymptomCheckIntent", f"{said!r}: heard {heard.describe()}"
    assert heard.slot("duration").value == iso, f"{said!r}: duration {heard.slot('duration')}"


def test_an_unreadable_duration_is_passed_on_as_said(en):
    heard = en.match("my nose has been twitching for ages")
    assert heard.intent == "SymptomCheckIntent"
    assert heard.slot("duration").value == "ages"


@pytest.mark.parametrize(
    ("spoken", "language", "iso"),
    [
        ("three weeks", "en", "P3W"),
        ("2 days", "en", "P2D"),
        ("a week", "en", "P1W"),
        ("twenty one days", "en", "P21D"),
        ("a fortnight", "en", "P2W"),
        ("ten minutes", "en", "PT10M"),
        ("one year", "en", "P1Y"),
        ("tres semanas", "es", "P3W"),
        ("un mes", "es", "P1M"),
        ("dos días", "es", "P2D"),
        ("veintiún días", "es", "P21D"),
        ("treinta y un días", "es", "P31D"),
        ("unas dos horas", "es", "PT2H"),
        ("banana", "en", None),
        ("three", "en", None),
        ("semanas", "es", None),
    ],
)
def test_spoken_duration_to_iso(spoken, language, iso):
    assert spoken_duration_to_iso(spoken, language) == iso


def test_every_slot_the_intent_declares_is_sent_filled_or_not(en):
    """Alexa sends every declared slot; unfilled ones have no value."""
    request = en.match("check my symptoms").request("en-US")
    slots = request["intent"]["slots"]
    assert set(slots) == {"symptom", "duration"}
    assert all("value" not in slot for slot in slots.values()), slots


def test_a_resolved_slot_in_the_request_has_alexa_shape(en):
    request = en.match("does coffee cause it").request("en-US")
    trigger = request["intent"]["slots"]["trigger"]
    authority = trigger["resolutions"]["resolutionsPerAuthority"][0]
    assert trigger["value"] == "coffee"
    assert authority["status"]["code"] == ER_SUCCESS_MATCH
    assert authority["values"][0]["value"] == {"name": "caffeine", "id": "caffeine"}
    assert authority["authority"].endswith(".TRIGGER"), "the authority names the slot type"


@pytest.mark.slow  # every sample of every model through the matcher
@pytest.mark.parametrize("path", list(model_paths(DEFAULT_MODEL_DIR)), ids=lambda p: p.stem)
def test_every_sample_of_every_model_matches_its_own_intent(path):
    """The matcher must at least understand the model's own samples (with a slot value filled in)."""
    matcher = Matcher.load(path)
    model = load_model(path)
    types = {t.name: t.values[0].value for t in model.types}
    wrong = []
    for intent in model.intents:
        for sample in intent.samples:
            said = sample
            for slot, slot_type in intent.slot_types.items():
                said = said.replace("{" + slot + "}", types.get(slot_type, "three weeks"))
            heard = matcher.match(said)
            if heard.intent != intent.name and normalise(heard.sample or "") != normalise(sample):
                wrong.append(f"{said!r} -> {heard.intent} (from {intent.name})")
    # Models may share a sample text between intents only through slots; anything else is a miss.
    assert not wrong, f"{path.stem}: samples heard as another intent:\n" + "\n".join(wrong)


SPANISH_MODEL = {
    "interactionModel": {
        "languageModel": {
            "invocationName": "guia del tic nasal",
            "intents": [
                {"name": "CausesIntent", "samples": ["por qué me tiembla la nariz", "qué causa el tic nasal"]},
                {
                    "name": "TriggerDetailIntent",
                    "slots": [{"name": "trigger", "type": "TRIGGER"}],
                    "samples": ["háblame de {trigger}", "el {trigger} lo causa"],
                },
                {
                    "name": "SymptomCheckIntent",
                    "slots": [{"name": "duration", "type": "AMAZON.DURATION"}],
                    "samples": ["me tiembla la nariz desde hace {duration}"],
                },
                {"name": "AMAZON.YesIntent", "samples": []},
                {"name": "AMAZON.NoIntent", "samples": []},
                {"name": "AMAZON.StopIntent", "samples": []},
                {"name": "AMAZON.HelpIntent", "samples": []},
                {"name": "AMAZON.FallbackIntent", "samples": []},
            ],
            "types": [
                {"name": "TRIGGER", "values": [{"id": "caffeine", "name": {"value": "cafeína", "synonyms": ["café"]}}]}
            ],
        }
    }
}


@pytest.mark.parametrize(
    ("said", "intent", "check"),
    [
        ("¿Por qué me tiembla la nariz?", "CausesIntent", None),
        ("por que me tiembla la nariz", "CausesIntent", None),  # no accents typed
        ("Háblame de café", "TriggerDetailIntent", ("trigger", "caffeine")),
        ("hablame de la cafeina", "TriggerDetailIntent", ("trigger", "caffeine")),
        ("me tiembla la nariz desde hace tres semanas", "SymptomCheckIntent", ("duration", "P3W")),
        ("sí", "AMAZON.YesIntent", None),
        ("si", "AMAZON.YesIntent", None),
        ("claro", "AMAZON.YesIntent", None),
        ("no gracias", "AMAZON.NoIntent", None),
        ("ayuda", "AMAZON.HelpIntent", None),
        ("adiós", "AMAZON.StopIntent", None),
        ("pon música de los ochenta", FALLBACK_INTENT, None),
    ],
)
def test_spanish_accents_built_ins_and_durations(said, intent, check):
    heard = Matcher(parse_model(SPANISH_MODEL), "es-US").match(said)
    assert heard.intent == intent, f"{said!r}: heard {heard.describe()}"
    if check:
        slot, expected = check
        fill = heard.slot(slot)
        assert fill is not None and (fill.id or fill.value) == expected, f"{said!r}: {fill}"


def test_normalise_and_fold_keep_one_character_for_one():
    said = normalise("¿Qué DÍA es, mañana?")
    assert said == "qué día es mañana"
    assert fold(said) == "que dia es manana" and len(fold(said)) == len(said)
