"""Focused answers through the real skill: a question about one thing gets that thing's facts, its
name in the first sentence, its sources on the card, and an offer of the related topic; stroke and
Bell's palsy answers, and the warning-sign topics, open with the emergency number."""

from __future__ import annotations

import re

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.domain import facts
from skill.tools.models import load_model
from tests.support.client import invoke, reprompt, speech
from skill.tools.envelopes import can_fulfill_request, envelope, slot
from tests.support.locales import LOCALES

FOCUSED_LOCALES = ("en-US", "es-US")
#: The answers that name stroke warning signs: the emergency number comes first.
EMERGENCY_FIRST_TOPICS = ("WhenToSeeDoctorIntent", "IsItSeriousIntent")
EMERGENCY_FIRST_THINGS = ("stroke", "bells_palsy")
MAX_WORDS = 50  # 20 s at 150 words a minute
FIRST_WORDS = 15


def thing_values(locale: str) -> dict[str, str]:
    """THING id -> the value a person says, from the locale's model."""
    model = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")
    return {v.id: v.value for v in model.slot_type("THING").values}


CASES = [(locale, thing) for locale in FOCUSED_LOCALES for thing in thing_values(locale)]


def ask_thing(conv, thing: str, said: str | None = None):
    return conv.intent("FactIntent", slot("thing", said or thing.replace("_", " "), id=thing))


def sources_of(content, thing: str) -> set[str]:
    """Every source cited by a fact about the thing, read straight from the content."""
    cited = set()
    for fact in content.node("facts").values():
        about = [fact["about"]] if isinstance(fact["about"], str) else list(fact["about"])
        if thing in about:
            cited.update([fact["source"]] if isinstance(fact["source"], str) else fact["source"])
    assert cited, f"no fact cites a source for {thing}"
    return cited


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def without_notice(content, text: str) -> str:
    notice = content.text("one_shot_notice")
    return text[len(notice):].lstrip() if text.startswith(notice) else text


def test_every_model_names_the_same_things():
    reference = load_model(DEFAULT_MODEL_DIR / "en-US.json").value_ids("THING")
    assert len(reference) >= 29, f"the THING type should cover every thing the issue lists: {reference}"
    for locale in LOCALES:
        ids = load_model(DEFAULT_MODEL_DIR / f"{locale}.json").value_ids("THING")
        assert ids == reference, f"{locale}: THING ids differ from en-US"


@pytest.mark.parametrize(("locale", "thing"), CASES, ids=[f"{loc}-{t}" for loc, t in CASES])
def test_a_focused_question_names_its_subject_first_and_cites(conversation, store, locale, thing):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    response = ask_thing(conv, thing, thing_values(locale)[thing])
    text = speech(response)
    parts = sentences(text)
    meta = content.node(f"things.{thing}")
    if meta.get("emergency_first"):
        assert parts[0] == content.format(content.node("emergency_line.say")), (
            f"{locale} {thing}: the answer must open with the emergency line: {text!r}"
        )
        parts = parts[1:]
    name = content.format(meta["name"]).lower()
    assert name in parts[0].lower(), f"{locale} {thing}: the first sentence should name {name!r}: {text!r}"
    assert len(text.split()) <= MAX_WORDS, f"{locale} {thing}: {len(text.split())} words is over 20 s: {text!r}"
    card = response["response"]["card"]
    assert card["title"] == content.format(meta["title"]), f"{locale} {thing}: the card is titled for the thing"
    cited = card["content"].splitlines()[-1]
    assert cited.startswith(content.text("facts_help.card_sources", sources="")), f"{locale} {thing}: {cited!r}"
    for source in sources_of(content, thing):
        section = "sources" if content.has(f"sources.{source}") else "clinical_sources"
        assert content.text(f"{section}.{source}.title") in cited, (
            f"{locale} {thing}: the card should name the source {source!r} by its title: {cited!r}"
        )
    assert text.endswith(content.text(f"facts_help.offer.{meta['topic']}")), (
        f"{locale} {thing}: the answer should offer the related topic: {text!r}"
    )
    assert conv.attributes.get("pending") == f"topic:{meta['topic']}", f"{locale} {thing}: yes leads to the topic"
    assert reprompt(response), f"{locale} {thing}: an open session needs a reprompt"


@pytest.mark.parametrize("locale", sorted({*LOCALES, "en", "es"}))
def test_every_fact_answer_fits_twenty_seconds_one_shot(conversation, store, locale):
    content = store.for_locale(locale)
    long = []
    for thing in content.node("things"):
        text = speech(ask_thing(conversation(locale), thing))
        assert text.startswith(content.text("one_shot_notice")), f"{locale} {thing}: a one-shot says the notice"
        if len(text.split()) > MAX_WORDS:
            long.append(f"{thing}: {len(text.split())} words: {text!r}")
    assert not long, f"{locale}: fact answers over 20 s:\n" + "\n".join(long)


@pytest.mark.parametrize("locale", FOCUSED_LOCALES)
def test_yes_to_the_offer_answers_the_related_topic(conversation, store, locale):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    ask_thing(conv, "botox")
    text = speech(conv.intent("AMAZON.YesIntent"))
    assert text.startswith(content.text("topics.treatments.intro")), f"{locale}: yes should answer treatments: {text!r}"
    assert re.search(r"b[oó]tox", text.lower()), f"{locale}: the treatments summary names Botox first: {text!r}"


@pytest.mark.parametrize("locale", FOCUSED_LOCALES)
@pytest.mark.parametrize(
    "thing_slot",
    [slot("thing", "unicorn tears", match=False), slot("thing"), None, slot("thing", "acupuncture", id="acupuncture")],
    ids=["no-match", "empty", "absent", "id-without-facts"],
)
def test_an_unknown_thing_says_so_names_at_most_three_answers_and_the_safety_line(conversation, store, locale, thing_slot):
    """S9: "I don't have details on that" names what the skill has (never the whole list) and the number."""
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    response = conv.intent("FactIntent", *([thing_slot] if thing_slot else []))
    text = speech(response)
    lead = content.text("facts_help.unknown", options="\0").split("\0")[0]
    assert text.startswith(lead), f"{locale}: say it has no details, then what it has: {text!r}"
    options = text[len(lead):].split(".")[0]
    named = {t.name for t in facts.routing_targets(content) if t.name in options}
    named = [n for n in named if not any(n != other and n in other for other in named)]  # "stroke" in "after a stroke"
    assert 1 <= len(named) <= 3, f"{locale}: name one to three answers, not the whole list: {options!r}"
    assert content.text("emergency.safety_line") in text, f"{locale}: the safety line (S9): {text!r}"
    assert conv.ended is False and reprompt(response), f"{locale}: an unknown thing keeps the session open"


@pytest.mark.parametrize("locale", FOCUSED_LOCALES)
def test_a_fact_question_with_no_words_offers_things_like_a_warm_compress_and_botox(conversation, store, locale):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent("FactIntent"))
    assert content.format(content.node("things.warm_compress.name")) in text and re.search(r"b[oó]tox", text.lower()), (
        f"{locale}: with nothing heard, offer the first things (a warm compress, Botox): {text!r}"
    )


@pytest.mark.parametrize("locale", FOCUSED_LOCALES)
def test_a_stroke_question_says_a_twitch_alone_is_not_a_sign_with_the_number_first(conversation, store, locale):
    """"Is nose twitching a sign of a stroke?" gets the focused answer, number in the first sentence."""
    content = store.for_locale(locale)
    spoken = LOCALES[locale][0]
    text = speech(ask_thing(conversation(locale), "stroke", thing_values(locale)["stroke"]))
    parts = sentences(without_notice(content, text))
    assert spoken in parts[0], f"{locale}: the number should be in the first sentence: {text!r}"
    assert re.search(r"\bnot\b|\bno\b", parts[1].lower()), f"{locale}: a twitch alone is not a stroke sign: {text!r}"


def first_words(content, text: str) -> str:
    return " ".join(without_notice(content, text).split()[:FIRST_WORDS])


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("new", [True, False], ids=["one-shot", "after-launch"])
def test_warning_sign_answers_give_the_number_in_the_first_fifteen_words(conversation, store, locale, new):
    content = store.for_locale(locale)
    spoken = LOCALES[locale][0]
    asked = [(intent, ()) for intent in EMERGENCY_FIRST_TOPICS]
    asked += [("FactIntent", (slot("thing", thing, id=thing),)) for thing in EMERGENCY_FIRST_THINGS]
    for intent, slots in asked:
        conv = conversation(locale)
        if not new:
            conv.launch()
        text = speech(conv.intent(intent, *slots))
        assert spoken in first_words(content, text), (
            f"{locale} {intent} {slots}: {spoken!r} should be in the first {FIRST_WORDS} words: {text!r}"
        )


@pytest.mark.parametrize("locale", LOCALES)
def test_everyday_fact_answers_do_not_lead_with_the_number(conversation, store, locale):
    content = store.for_locale(locale)
    spoken = LOCALES[locale][0]
    for thing in ("warm_compress", "botox", "mri", "hydration"):
        text = speech(ask_thing(conversation(locale), thing))
        assert spoken not in text, f"{locale} {thing}: an everyday answer should not bring the number: {text!r}"


@pytest.mark.parametrize("locale", FOCUSED_LOCALES)
def test_sources_are_named_and_the_card_lists_them(conversation, store, locale):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    response = conv.intent("SourcesIntent")
    text = speech(response)
    assert "NHS" in text, f"{locale}: the spoken answer names the clinical references: {text!r}"
    assert len(text.split()) <= MAX_WORDS, f"{locale}: the sources answer is over 20 s: {text!r}"
    card = response["response"]["card"]
    assert card["title"] == content.text("sources_answer.card_title")
    for section in ("sources", "clinical_sources"):
        for source_id, node in (content.node(section).items() if content.has(section) else ()):
            assert node["title"] in card["content"], f"{locale}: the card should list {source_id}: {card['content']!r}"
            if node.get("url"):
                assert node["url"] in card["content"], f"{locale}: the card should give {source_id}'s address"
    assert conv.ended is False and reprompt(response), f"{locale}: the sources answer asks what else"


@pytest.mark.parametrize(
    ("intent", "slots", "expected"),
    [
        # "tell me about botox": the skill knows Botox only for a twitch, so it may fit (issue 17).
        ("FactIntent", (slot("thing", "botox shots", id="botox"),), "MAYBE"),
        ("FactIntent", (slot("thing", "hemifacial spasm", id="hemifacial_spasm"),), "YES"),
        ("FactIntent", (slot("thing", "unicorn tears", match=False),), "NO"),
        ("FactIntent", (), "NO"),
        # "where is this from" names no twitch: out of a session it could be about anything.
        ("SourcesIntent", (), "NO"),
    ],
    ids=["general-thing", "twitch-thing", "unknown-thing", "no-thing", "sources"],
)
def test_name_free_requests_for_facts_and_sources(skill, intent, slots, expected):
    response, _ = invoke(skill, envelope(can_fulfill_request(intent, *slots), new=True))
    verdict = response["response"]["canFulfillIntent"]["canFulfill"]
    assert verdict == expected, f"{intent} {slots}: expected {expected}, got {verdict}"


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_the_treatments_first_page_is_the_summary_with_botox(conversation, locale):
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent("TreatmentsIntent")).lower()
    assert re.search(r"b[oó]tox", text), f"{locale}: the first page of treatments should name Botox: {text!r}"
    assert conv.attributes.get("pending") == "more", f"{locale}: the other treatments follow on request"


@pytest.mark.parametrize(
    ("locale", "said", "trigger"),
    [("en-US", "magnesium", "magnesium"), ("en-US", "Sleep", "sleep"), ("es-US", "magnesio", "magnesium"),
     ("es-MX", "cafeína", "caffeine")],
)
def test_a_fact_question_that_names_a_trigger_gets_the_trigger(conversation, store, locale, said, trigger):
    """"Does magnesium help?" heard as FactIntent with no THING match still answers about magnesium."""
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent("FactIntent", slot("thing", said, match=False)))
    first = content.format(content.node(f"triggers.{trigger}.items")[0]["say"])
    assert text.startswith(first), f"{locale} {said!r}: should answer the {trigger} trigger: {text!r}"


#: A topic question naming a thing, per language: (intent, thing id, the words a person says).
TOPIC_THING_CASES = {
    "en-US": [("IsItSeriousIntent", "stroke", "a stroke"), ("CausesIntent", "bells_palsy", "bell's palsy"),
              ("WhenToSeeDoctorIntent", "mri", "an mri")],
    "es-US": [("IsItSeriousIntent", "stroke", "un derrame"), ("CausesIntent", "bells_palsy", "parálisis facial"),
              ("WhenToSeeDoctorIntent", "mri", "una resonancia")],
}


@pytest.mark.parametrize(("locale", "intent", "thing", "said"),
                         [(loc, *case) for loc, cases in TOPIC_THING_CASES.items() for case in cases])
def test_a_topic_question_naming_a_condition_or_test_gets_its_facts(conversation, store, locale, intent, thing, said):
    """ "Is my nose twitch a sign of a stroke?" heard as IsItSeriousIntent with the thing: the stroke
    facts, not the general page ("usually harmless")."""
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    text = speech(conv.intent(intent, slot("thing", said, id=thing)))
    expected = facts.answer(content, thing)
    assert expected is not None
    assert all(line in text for line in expected.lines), f"{locale} {intent} {thing}: {text!r}"
    assert conv.attributes.get("pending") == f"topic:{expected.topic}", f"{locale}: yes leads to {thing}'s topic"


@pytest.mark.parametrize("locale", FOCUSED_LOCALES)
@pytest.mark.parametrize("thing_slot", [("family_doctor", "my gp"), (None, "something my aunt said")],
                         ids=["in-passing", "unresolved"])
def test_a_topic_question_naming_a_thing_in_passing_keeps_its_topic(conversation, store, locale, thing_slot):
    """ "Is it serious, should I see my GP?": the family doctor is named in passing, and a value that
    does not resolve is any words: both get the seriousness page."""
    content = store.for_locale(locale)
    thing, said = thing_slot
    plain = speech(conversation(locale).intent("IsItSeriousIntent"))
    named = speech(conversation(locale).intent("IsItSeriousIntent", slot("thing", said, id=thing)))
    assert named == plain, f"{locale}: {named!r} != {plain!r}"
    assert facts.answer(content, "family_doctor").lines[0] not in named, f"{locale}: the GP is not the subject"


def test_things_named_in_passing_are_things():
    """Every id of INCIDENTAL_THINGS is a THING value in every model (no dead id hides a typo)."""
    for path in sorted(DEFAULT_MODEL_DIR.glob("*.json")):
        ids = set(load_model(path).value_ids("THING"))
        assert facts.INCIDENTAL_THINGS <= ids, f"{path.stem}: {sorted(facts.INCIDENTAL_THINGS - ids)}"
