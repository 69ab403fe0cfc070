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


# --- routing an unresolved question (issue 19) ---------------------------------------------------

from skill.config import SkillConfig  # noqa: E402 - grouped with the routing tests
from skill.domain.facts import fold_words, route, routing_targets, spoken_list  # noqa: E402


def routing_store() -> ContentStore:
    return tiny_store(
        triggers={"sleep": {"name": "sleep", "items": []}},
        routing=[
            {"to": "topic.treatments", "name": "treatments", "words": "treat, cure"},
            {"to": "thing.botox", "words": "botox, injection"},
            {"to": "trigger.sleep", "words": "sleep, tired, night shift"},
            {"to": "thing.yoga", "words": "yoga, stretch"},
            {"to": "thing.nowhere", "name": "ghost", "words": "ghost"},
        ],
        facts_help={"offer": {"treatments": "Want the treatments?"}, "list_two": "{first} or {second}",
                    "list_three": "{first}, {second}, or {third}"},
    )


def test_fold_words_drops_case_accents_apostrophes_and_punctuation():
    assert fold_words("What's ¿Cuánto DURA?") == ("whats", "cuanto", "dura")
    assert fold_words(None) == ()


def test_routing_targets_skip_answers_the_content_lacks_and_name_things_by_their_own_name():
    targets = routing_targets(routing_store().for_locale("en"))
    assert [(t.kind, t.id, t.name) for t in targets] == [
        ("topic", "treatments", "treatments"), ("thing", "botox", "Botox"), ("trigger", "sleep", "sleep"),
        ("thing", "yoga", "yoga")]
    assert ("night", "shift") in targets[2].cues


@pytest.mark.parametrize(("said", "prefer", "kind", "ids"), [
    ("is a botox injection any good", None, "answer", ["botox"]),          # two words of one answer
    ("working the night shift", None, "answer", ["sleep"]),                 # words in a row
    ("Tiredness", None, "answer", ["sleep"]),                               # a word's start, any case
    ("botox to cure it", None, "clarify", ["treatments", "botox"]),         # a tie: ask which
    ("botox to cure it", "thing", "answer", ["botox"]),                     # ... unless one is the kind asked about
    ("stretching and botox", "thing", "clarify", ["botox", "yoga"]),        # two of that kind: ask
    ("", "thing", "offer", ["botox", "yoga"]),                              # nothing heard: that kind's first
    ("", None, "offer", ["treatments", "botox", "sleep"]),                  # ... or the first three
    ("a unicorn", None, "offer", None),                                     # nothing points anywhere
])
def test_route_goes_where_the_words_point(said, prefer, kind, ids):
    routed = route(routing_store().for_locale("en"), said, prefer)
    assert routed.kind == kind, f"{said!r}: {routed}"
    if ids is not None:
        assert [t.id for t in routed.targets] == ids
    else:
        assert len(routed.targets) == 3, "the closest three are offered"


def test_a_short_cue_word_must_be_a_whole_word():
    content = tiny_store(routing=[{"to": "thing.yoga", "name": "yoga", "words": "tea"}]).for_locale("en")
    assert route(content, "a team", "thing").kind == "offer"
    assert route(content, "green tea", "thing").kind == "answer"


def test_spoken_list_joins_two_or_three_names_as_the_language_says():
    content = routing_store().for_locale("en")
    assert spoken_list(content, ["a"]) == "a"
    assert spoken_list(content, ["a", "b"]) == "a or b"
    assert spoken_list(content, ["a", "b", "c", "d"]) == "a, b, or c"


@pytest.mark.parametrize("tag", ["en", "es"])
def test_every_routing_word_said_alone_reaches_its_answer_or_a_question_naming_it(tag):
    """No word in the content's routing list is shadowed by another answer's."""
    content = ContentStore.load(SkillConfig().content_dir).for_locale(tag)
    shadowed = []
    for target in routing_targets(content):
        for cue in target.cues:
            routed = route(content, " ".join(cue), target.kind)
            if target not in routed.targets or routed.kind == "offer":
                shadowed.append(f"{target.kind}.{target.id}: {' '.join(cue)!r} -> {routed.kind} {[t.id for t in routed.targets]}")
    assert not shadowed, "\n".join(shadowed)
