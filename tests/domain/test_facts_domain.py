"""Facts (domain): which facts answer a thing, in what order, with what offer; no Alexa types."""

from __future__ import annotations

import pytest

from skill.domain.content import ContentStore
from skill.domain.facts import about_ids, answer, facts_about, thing_ids, trigger_named


def tiny_store(**facts_yaml) -> ContentStore:
    tree = {
        "locale": {"emergency_number": "nine one one"},
        "emergency_line": {"say": "Call {emergency_number} now.", "source": "s"},
        "topics": {"treatments": {"items": []}},
        "things": {
            "botox": {"name": "Botox", "title": "Botox injections", "topic": "treatments"},
            "stroke": {"name": "stroke", "title": "Stroke", "topic": "missing_topic", "emergency_first": True},
            "yoga": {"name": "yoga", "title": "Yoga", "topic": "treatments"},
        },
        "facts": {
            "shared": {"about": ["yoga", "botox"], "say": "Shared.", "source": "s"},
            "botox_one": {"about": "botox", "say": "Botox can help.", "source": "a"},
            "botox_two": {"about": "botox", "say": "A doctor decides.", "source": ["a", "b"]},
            "stroke_one": {"about": "stroke", "say": "A twitch alone is not a stroke sign.", "source": "c"},
        },
        "facts_help": {"offer": {"treatments": "Want the treatments?"}},
        **facts_yaml,
    }
    return ContentStore({"en": tree})


def test_about_is_one_id_or_a_list():
    assert about_ids({"about": "botox"}) == ("botox",)
    assert about_ids({"about": ["a", "b"]}) == ("a", "b")
    assert about_ids({"say": "no about"}) == ()


def test_own_facts_come_before_shared_ones_so_the_first_names_the_subject():
    content = tiny_store().for_locale("en")
    assert [f["say"] for f in facts_about(content, "botox")] == ["Botox can help.", "A doctor decides.", "Shared."]
    assert [f["say"] for f in facts_about(content, "yoga")] == ["Shared."], "a list starting with yoga is yoga's own"


def test_answer_has_the_lines_sources_and_offer():
    found = answer(tiny_store().for_locale("en"), "botox")
    assert found is not None
    assert found.lines == ("Botox can help.", "A doctor decides.", "Shared.")
    assert found.sources == ("a", "b", "s"), "each source once, in order of first citation"
    assert (found.topic, found.offer) == ("treatments", "Want the treatments?")
    assert found.title == "Botox injections"


def test_emergency_first_things_open_with_the_emergency_line_and_an_offer_needs_content():
    found = answer(tiny_store().for_locale("en"), "stroke")
    assert found is not None
    assert found.lines[0] == "Call nine one one now.", "the emergency line comes first, number filled"
    assert found.lines[1].startswith("A twitch alone"), "then the subject's own first fact"
    assert found.topic is None and found.offer is None, "no offer text for the topic: nothing is offered"


@pytest.mark.parametrize("thing", [None, "", "unicorn", "shared"])
def test_unknown_things_have_no_answer(thing):
    assert answer(tiny_store().for_locale("en"), thing) is None


def test_the_real_content_has_facts_for_every_thing(store):
    for tag in store.tags:
        content = store.for_locale(tag)
        empty = [thing for thing in thing_ids(content) if answer(content, thing) is None]
        assert not empty, f"{tag}: things without facts: {empty}"


@pytest.mark.parametrize(
    ("said", "expected"),
    [("caffeine", "caffeine"), ("  Magnesium ", "magnesium"), ("neurological disorders", "neurological"),
     ("botox", None), ("", None), (None, None)],
)
def test_a_spoken_value_that_names_a_trigger(store, said, expected):
    assert trigger_named(store.for_locale("en-US"), said) == expected
