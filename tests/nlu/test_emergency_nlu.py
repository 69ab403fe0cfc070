"""Held-out emergency statements, heard as chat hears them, answered by the real skill in every state.

The phrasings in ``emergency_heldout.yaml`` were written apart from the interaction models. Each
is heard the way ``nose-twitch chat`` hears typed words by default (an exact sample first, else a
statistical classifier trained only on the locale's model: Alexa's NLU is learned from samples,
not exact matching, so this is the closest offline stand-in for a device), and the request it
builds is sent to the skill in every conversation position, in every locale. At least 95 % must
get the locale's emergency number in the first ten words in EVERY position and locale, and at
least 95 % must land on EmergencyIntent itself; everyday twitch questions never get the number
first. The samples-only matcher's rate is reported alongside, for comparison.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.model_checks import load_model, normalise
from skill.tools.chat import LearnedMatcher
from skill.tools.nlu import Matcher
from tests.support.client import Conversation, speech
from tests.support.emergency import number_first, positions
from tests.support.locales import LOCALES

PHRASINGS = yaml.safe_load((Path(__file__).parent / "emergency_heldout.yaml").read_text(encoding="utf-8"))
#: The share of held-out statements that must get the number first, in each position and locale.
TARGET = 0.95


def phrasings(locale: str, kind: str) -> list[str]:
    return PHRASINGS[locale.split("-")[0]][kind]


@pytest.fixture(scope="module")
def hearing(trained):
    """Chat's default hearing per locale: an exact sample, else the classifier (``chat --nlu auto``)."""
    cache: dict[str, LearnedMatcher] = {}

    def get(locale: str) -> LearnedMatcher:
        if locale not in cache:
            cache[locale] = LearnedMatcher(Matcher.load(DEFAULT_MODEL_DIR / f"{locale}.json", locale), trained(locale))
        return cache[locale]

    return get


@pytest.mark.parametrize("language", sorted(PHRASINGS))
def test_there_are_at_least_25_held_out_statements_and_none_is_a_sample(language):
    statements = PHRASINGS[language]["emergency"]
    assert len(set(statements)) >= 25, f"{language}: at least 25 different held-out emergency statements"
    for locale in (loc for loc in LOCALES if loc.startswith(language)):
        intents = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")["interactionModel"]["languageModel"]["intents"]
        samples = {normalise(s) for intent in intents for s in intent.get("samples", [])}
        copied = sorted(s for s in statements if normalise(s) in samples)
        assert not copied, f"{locale}: held-out statements must not be copies of samples: {copied}"


@pytest.mark.parametrize("locale", LOCALES)
def test_held_out_emergencies_land_on_the_emergency_intent(hearing, locale):
    statements = phrasings(locale, "emergency")
    missed = [f"{said!r} -> {hearing(locale).match(said).describe()}" for said in statements
              if hearing(locale).match(said).intent != "EmergencyIntent"]
    rate = 1 - len(missed) / len(statements)
    if rate < TARGET:  # for comparison: how many the samples-only matcher (chat --nlu samples) reaches
        samples_only = Matcher.load(DEFAULT_MODEL_DIR / f"{locale}.json", locale)
        by_samples = sum(samples_only.match(said).intent == "EmergencyIntent" for said in statements)
        pytest.fail(f"{locale}: {rate:.0%} of held-out emergencies reach EmergencyIntent (samples-only "
                    f"matcher: {by_samples}/{len(statements)}); missed:\n" + "\n".join(missed))


@pytest.mark.parametrize("locale", LOCALES)
def test_held_out_emergencies_get_the_number_first_in_every_position(skill, resources, hearing, locale):
    heard = {said: hearing(locale).match(said) for said in phrasings(locale, "emergency")}
    protocol = resources.for_locale(locale).protocol
    report = []
    for position in positions(len(protocol.questions)):
        start = Conversation(skill, locale=locale)
        position.reach(start)
        misses = []
        for said, interpretation in heard.items():
            conv = Conversation(skill, locale=locale)
            conv.attributes, conv.new = dict(start.attributes), start.new
            text = speech(conv.send(interpretation.request(locale)))
            if not number_first(text, locale):
                misses.append(f"{said!r} -> {interpretation.describe()}: {text[:80]!r}")
        rate = 1 - len(misses) / len(heard)
        if rate < TARGET:
            report.append(f"{position.name}: {rate:.0%}\n    " + "\n    ".join(misses))
    assert not report, f"{locale}: held-out emergencies below {TARGET:.0%} with the number first:\n" + "\n".join(report)


@pytest.mark.parametrize("locale", LOCALES)
def test_everyday_twitch_questions_never_get_the_number_first(skill, hearing, locale):
    wrong = []
    for said in phrasings(locale, "calm"):
        interpretation = hearing(locale).match(said)
        for launch_first in (False, True):
            conv = Conversation(skill, locale=locale)
            if launch_first:
                conv.launch()
            text = speech(conv.send(interpretation.request(locale)))
            if interpretation.intent == "EmergencyIntent" or number_first(text, locale):
                wrong.append(f"{said!r} -> {interpretation.describe()}: {text[:80]!r}")
    assert not wrong, f"{locale}: everyday questions must not be treated as emergencies:\n" + "\n".join(wrong)
