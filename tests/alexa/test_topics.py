"""Topic answers through the real skill: facts spoken, pages of three, more / no, cards."""

from __future__ import annotations

import pytest

from skill.alexa.handlers.topics import TOPIC_IDS, intent_for_topic
from tests.support.client import reprompt, speech
from skill.tools.envelopes import slot

# What a listener must hear for each topic (lower-case fragments of the facts in content/).
EXPECTED = {
    "what_is_it": ["nerve"],
    "is_it_serious": ["harmless"],
    "causes": ["stress", "sleep", "caffeine"],
    "relief": ["warm", "massage"],
    "prevention": ["sleep"],
    "treatments": [],
    "diagnosis": [],
    "when_to_see_doctor": ["weeks"],
    "home_vs_professional": [],
}


def hear_all(conv, intent: str) -> str:
    """Everything a topic says, paging with "more" until it stops offering."""
    said = [speech(conv.intent(intent))]
    for _ in range(10):
        if conv.attributes.get("pending") != "more":
            break
        said.append(speech(conv.intent("AMAZON.YesIntent")))
    return " ".join(said).lower()


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_each_topic_speaks_its_facts(conversation, topic_id):
    conv = conversation()
    conv.launch()
    text = hear_all(conv, intent_for_topic(topic_id))
    for fragment in EXPECTED[topic_id]:
        assert fragment in text, f"{topic_id}: expected to hear {fragment!r} in {text!r}"


def test_causes_pages_three_at_a_time_then_offers_more(conversation, store):
    conv = conversation()
    conv.launch()
    first = conv.intent("CausesIntent")
    items = store.for_locale("en-US").node("topics.causes.items")
    assert len(items) > 3, "the causes topic should be long enough to page"
    text = speech(first)
    assert items[0]["say"].split(".")[0] in text, "the first page should include the first item"
    assert items[3]["say"].split(".")[0] not in text, "the first page must stop after three items"
    assert text.endswith("Want to hear more?"), f"a page with more to come must offer more: {text!r}"
    second = speech(conv.intent("MoreIntent"))
    assert items[3]["say"].split(".")[0] in second, "'more' should continue with the fourth item"


def test_no_to_more_moves_on(conversation):
    conv = conversation()
    conv.launch()
    conv.intent("CausesIntent")
    text = speech(conv.intent("AMAZON.NoIntent"))
    assert "What else would you like to know?" in text, f"'no' should move on: {text!r}"
    assert "pending" not in conv.attributes, "after 'no' nothing should be pending"


def test_trigger_detail_resolves_synonym(conversation):
    conv = conversation()
    text = speech(conv.intent("TriggerDetailIntent", slot("trigger", "coffee", id="caffeine"))).lower()
    assert "caffeine" in text or "coffee" in text, f"coffee should answer about caffeine: {text!r}"
    assert text.startswith("here's some information, not medical advice."), "a one-shot answer states the notice"


@pytest.mark.parametrize(
    "trigger_slot",
    [slot("trigger", "moon phases", match=False), slot("trigger"), None],
    ids=["no-match", "empty", "absent"],
)
def test_unknown_trigger_gets_helpful_answer(conversation, trigger_slot):
    conv = conversation()
    conv.launch()
    response = conv.intent("TriggerDetailIntent", *([trigger_slot] if trigger_slot else []))
    text = speech(response).lower()
    assert text.startswith("i don't have details on that trigger. i can tell you about"), text
    if trigger_slot is None or "value" not in trigger_slot:
        assert "stress" in text, f"with nothing heard, name the first triggers the skill knows: {text!r}"
    assert "if this is an emergency, call nine one one now." in text, f"the safety line (S9): {text!r}"
    assert conv.ended is False, "an unknown trigger must not end the session"
    assert reprompt(response), "an unknown trigger needs a reprompt"
