"""Held-out emergency statements, heard through chat's matcher, answered by the real skill in every state.

The phrasings in ``emergency_heldout.yaml`` were written apart from the interaction models. Each
is matched by chat's matcher (the models' samples and slot values, as a stand-in for Alexa's NLU),
and the request it builds is sent to the skill in every conversation position, in every locale.
At least 95 % must get the locale's emergency number in the first ten words in EVERY position and
locale; everyday twitch questions must never get it first.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.model_checks import load_model, normalise
from skill.tools.nlu import Matcher
from tests.support.client import Conversation, speech
from tests.support.emergency import number_first, positions
from tests.support.locales import LOCALES

PHRASINGS = yaml.safe_load((Path(__file__).parent / "emergency_heldout.yaml").read_text(encoding="utf-8"))
#: The share of held-out statements that must get the number first, in each position and locale.
TARGET = 0.95


def phrasings(locale: str, kind: str) -> list[str]:
    return PHRASINGS[locale.split("-")[0]][kind]


@cache
def matcher(locale: str) -> Matcher:
    return Matcher.load(DEFAULT_MODEL_DIR / f"{locale}.json", locale)


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
def test_held_out_emergencies_get_the_number_first_in_every_position(skill, resources, locale):
    heard = {said: matcher(locale).match(said) for said in phrasings(locale, "emergency")}
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
def test_everyday_twitch_questions_never_get_the_number_first(skill, locale):
    wrong = []
    for said in phrasings(locale, "calm"):
        interpretation = matcher(locale).match(said)
        for launch_first in (False, True):
            conv = Conversation(skill, locale=locale)
            if launch_first:
                conv.launch()
            text = speech(conv.send(interpretation.request(locale)))
            if interpretation.intent == "EmergencyIntent" or number_first(text, locale):
                wrong.append(f"{said!r} -> {interpretation.describe()}: {text[:80]!r}")
    assert not wrong, f"{locale}: everyday questions must not be treated as emergencies:\n" + "\n".join(wrong)
