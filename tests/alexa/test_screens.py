"""Screens: an APL document goes only to devices that support it, and shows what is spoken."""

from __future__ import annotations

import html
import json
from importlib.resources import files

import pytest

from skill.alexa import screens
from skill.alexa.handlers.topics import TOPIC_IDS, intent_for_topic
from skill.alexa.replies.reply import Screen
from skill.config import DEFAULT_CONTENT_DIR
from skill.domain.content import ContentStore
from skill.domain.triage import Protocol
from tests.support.client import speech
from skill.tools.envelopes import APL, slot
from tests.support.triage_paths import answers_to

RENDER = "Alexa.Presentation.APL.RenderDocument"
LEVELS = ("emergency", "urgent", "soon", "routine", "self_care")
#: The en-US protocol, for the answers that lead the check to each level.
_PROTOCOL = Protocol.from_content(ContentStore.load(DEFAULT_CONTENT_DIR).for_locale("en-US").node("triage"))


def directives(response: dict) -> list[dict]:
    return response["response"].get("directives") or []


def render_directive(response: dict) -> dict:
    found = [d for d in directives(response) if d.get("type") == RENDER]
    assert len(found) == 1, f"expected one {RENDER} directive, got {directives(response)!r}"
    return found[0]


def shown(response: dict) -> dict:
    """The datasource the document binds, with APL markup escapes undone."""
    directive = render_directive(response)
    data = directive["datasources"][screens.DATASOURCE]
    return {
        **data,
        "title": html.unescape(data["title"]),
        "points": [html.unescape(p) for p in data["points"]],
    }


def check_outcome(conv, level: str) -> dict:
    """Start a check and answer until the outcome; return the outcome response."""
    conv.launch()
    conv.intent("SymptomCheckIntent")
    response = None
    for intent in answers_to(_PROTOCOL, level):
        response = conv.intent(intent)
    assert response is not None
    assert conv.log.get("disposition") == level, f"the answers should lead to {level}: {conv.log!r}"
    return response


def test_no_apl_directive_without_a_screen(conversation):
    conv = conversation()
    conv.launch()
    response = conv.intent("CausesIntent")
    assert directives(response) == [], f"a device without APL must get no directive: {directives(response)!r}"
    assert response["response"].get("card"), "the card stays for every answer"


def test_no_apl_directive_for_an_outcome_without_a_screen(conversation):
    response = check_outcome(conversation(), "emergency")
    assert directives(response) == [], "a device without APL must get no directive, even for an emergency"


def test_apl_directive_sent_when_supported(conversation):
    conv = conversation(interfaces=APL)
    conv.launch()
    response = conv.intent("CausesIntent")
    directive = render_directive(response)
    assert directive["token"] == screens.TOKEN
    assert response["response"].get("card"), "the card stays alongside the screen"


def test_document_is_the_packaged_json_and_binds_the_datasource(conversation):
    conv = conversation(interfaces=APL)
    directive = render_directive(conv.intent("CausesIntent"))
    document = directive["document"]
    packaged = json.loads((files("skill.alexa") / "apl" / "answer.json").read_text(encoding="utf-8"))
    assert document == packaged, "the directive should carry the packaged document unchanged"
    assert document["type"] == "APL" and document["version"], "an APL document needs a type and a version"
    assert document["mainTemplate"]["parameters"] == [screens.DATASOURCE], "the document must bind the datasource"
    assert set(directive["datasources"]) == {screens.DATASOURCE}
    json.dumps(directive)  # the whole directive is plain JSON


def test_document_shows_only_datasource_text():
    """Every text on screen is bound from the datasource: the document holds no words of its own."""
    def texts(node):
        if isinstance(node, dict):
            if node.get("type") == "Text":
                yield node["text"]
            for value in node.values():
                yield from texts(value)
        elif isinstance(node, list):
            for value in node:
                yield from texts(value)

    found = list(texts(screens.document()))
    assert found, "the document should have Text components"
    for text in found:
        assert text.startswith("${") and text.endswith("}"), f"on-screen text must come from content: {text!r}"


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_topic_screen_matches_what_is_spoken(conversation, topic_id):
    conv = conversation(interfaces=APL)
    conv.launch()
    response = conv.intent(intent_for_topic(topic_id))
    data = shown(response)
    spoken = speech(response)
    assert data["title"] == response["response"]["card"]["title"], "the screen title is the card title"
    assert 1 <= len(data["points"]) <= 3, f"one to three points on screen: {data['points']!r}"
    for point in data["points"]:
        assert point in spoken, f"the screen shows {point!r}, which is not spoken: {spoken!r}"
    assert data["level"] is None and data["emphasis"] is None, "a topic answer has no triage level"


def test_next_page_screen_shows_the_next_points(conversation):
    conv = conversation(interfaces=APL)
    conv.launch()
    first = shown(conv.intent("CausesIntent"))["points"]
    response = conv.intent("MoreIntent")
    second = shown(response)["points"]
    assert second and not set(first) & set(second), "the next page shows the next points"
    for point in second:
        assert point in speech(response)


def test_trigger_screen_matches_what_is_spoken(conversation):
    conv = conversation(interfaces=APL)
    response = conv.intent("TriggerDetailIntent", slot("trigger", "coffee", id="caffeine"))
    for point in shown(response)["points"]:
        assert point in speech(response)


def test_repeat_shows_the_screen_again(conversation):
    conv = conversation(interfaces=APL)
    conv.launch()
    before = shown(conv.intent("CausesIntent"))
    assert shown(conv.intent("AMAZON.RepeatIntent")) == before, "repeat should show the same screen"


def test_turns_without_a_screen_send_no_directive(conversation):
    conv = conversation(interfaces=APL)
    assert directives(conv.launch()) == [], "the welcome has no screen of its own"
    assert directives(conv.intent("AMAZON.HelpIntent")) == []


@pytest.mark.parametrize("level", LEVELS)
def test_outcome_screen_shows_level_colour(conversation, level):
    response = check_outcome(conversation(interfaces=APL), level)
    data = shown(response)
    assert data["level"] == level
    assert data["color"] == screens.LEVEL_COLORS[level], f"{level} should be shown in its colour"
    assert data["title"] == response["response"]["card"]["title"], "the disposition is the card title"
    spoken = speech(response)
    for point in data["points"]:
        assert point in spoken, f"the screen shows {point!r}, which is not spoken: {spoken!r}"
    if level != "emergency":
        assert data["emphasis"] is None, "only an emergency shows the number large"


def test_emergency_screen_is_red_with_the_number_large(conversation):
    response = check_outcome(conversation(interfaces=APL), "emergency")
    data = shown(response)
    assert data["color"] == screens.LEVEL_COLORS["emergency"] == "#D32F2F", "an emergency is red"
    assert data["emphasis"] == "911", f"the en-US emergency number for the screen: {data!r}"
    assert data["points"][0] == speech(response).split(". ")[0] + ".", "the screen leads with the spoken lead"


def test_level_colours_are_distinct_and_cover_every_level(resources):
    levels = set(resources.for_locale("en-US").content.node("triage.outcomes"))
    assert set(screens.LEVEL_COLORS) == levels, "every disposition level needs a colour"
    assert len(set(screens.LEVEL_COLORS.values())) == len(screens.LEVEL_COLORS), "colours must tell levels apart"


def test_datasource_escapes_markup_and_keeps_three_points():
    data = screens.datasource(Screen(title="Salt & <b>", points=("a < b", "two", "three", "four")))
    assert data["title"] == "Salt &amp; &lt;b&gt;", "content is plain text: APL markup characters are escaped"
    assert data["points"] == ["a &lt; b", "two", "three"], "at most three points, escaped"
    assert data["level"] is None and data["color"] is None and data["emphasis"] is None
