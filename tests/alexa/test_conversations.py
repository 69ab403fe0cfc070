"""Whole conversations as data (tests/conversations/*.yaml), played in process through the real skill.

Session attributes are carried turn to turn by :class:`Conversation`, which also checks every
response with the one response validator. The same stories, where every turn has an utterance,
run end to end over HTTP in tests/e2e/test_e2e.py.
"""

from __future__ import annotations

import re

import pytest

from skill.domain.triage import Level
from tests.support.client import speech
from skill.tools.envelopes import slot
from tests.support.stories import check_expect, expect_for, load_stories

STORIES = load_stories()


def _slots(turn: dict) -> list[dict]:
    slots = []
    for name, spec in (turn.get("slots") or {}).items():
        spec = spec if isinstance(spec, dict) else {"value": spec}
        slots.append(slot(name, spec.get("value"), id=spec.get("id"), match=spec.get("match", True)))
    return slots


@pytest.mark.parametrize("story", STORIES, ids=[story["name"] for story in STORIES])
def test_story(conversation, story):
    conv = conversation(locale=story.get("locale", "en-US"))
    for index, turn in enumerate(story["turns"]):
        label = f"{story['file']}: {story['name']!r} turn {index}"
        assert not conv.ended, f"{label}: the session already ended, so this turn cannot happen"
        if turn.get("launch") is True:
            response = conv.launch()
        else:
            assert "intent" in turn, f"{label}: an in-process turn needs launch: true or intent"
            response = conv.intent(turn["intent"], *_slots(turn))
        check_expect(response, expect_for(turn, http=False), log=conv.log, label=label)


def test_the_triage_stories_reach_every_disposition():
    reached = {
        turn["expect"]["disposition"]
        for story in STORIES
        for turn in story["turns"]
        if "disposition" in (turn.get("expect") or {})
    }
    missing = {level.key for level in Level} - reached
    assert not missing, f"no conversation story reaches the dispositions {sorted(missing)}"


@pytest.mark.parametrize(("locale", "number"), [("en-US", "nine one one")])
def test_emergency_first_sentence_names_the_locale_emergency_number(conversation, store, locale, number):
    assert store.for_locale(locale).locale_params["emergency_number"] == number, "the locale's number changed"
    conv = conversation(locale=locale)
    conv.intent("SymptomCheckIntent")
    said = speech(conv.intent("AMAZON.YesIntent"))
    first = re.split(r"(?<=[.!?])\s", said)[0]
    assert number in first, f"the emergency outcome's first sentence must name {number!r}: {said!r}"
    assert conv.ended, "the emergency outcome must end the session"
