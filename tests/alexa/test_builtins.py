"""Built-in intents: each handler answers, and each predicate matches only what it should."""

from __future__ import annotations

import pytest

from skill.alexa.handlers import builtins
from skill.alexa.requests import is_intent
from tests.support.client import reprompt, speech
from skill.tools.envelopes import envelope, intent_request, launch_request


def test_launch_welcomes_states_notice_and_asks(conversation):
    conv = conversation()
    text = speech(conv.launch())
    assert text.startswith("Welcome"), f"launch should welcome first: {text!r}"
    assert "not medical advice" in text, "every launch says it is not medical advice"
    assert text.endswith("?"), "launch ends with a question"


def test_help_says_what_can_be_asked(conversation):
    conv = conversation()
    conv.launch()
    text = speech(conv.intent("AMAZON.HelpIntent")).lower()
    assert "symptom check" in text and "twitch" in text, f"help should name what the skill does: {text!r}"
    assert conv.ended is False, "help keeps the session open"


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_say_goodbye_and_end(conversation, intent):
    conv = conversation()
    conv.launch()
    text = speech(conv.intent(intent))
    assert "Goodbye" in text, f"{intent} should say goodbye: {text!r}"
    assert conv.ended, f"{intent} must end the session"
    assert conv.attributes == {}, "nothing is kept when the session ends"


def test_fallback_reorients_never_dead_ends(conversation):
    conv = conversation()
    conv.launch()
    response = conv.intent("AMAZON.FallbackIntent")
    assert conv.ended is False, "fallback keeps the session open"
    assert "nose twitching" in speech(response), "fallback says what the skill can do"
    assert reprompt(response), "fallback has a reprompt"


def test_fallback_mid_topic_keeps_the_page(conversation):
    conv = conversation()
    conv.launch()
    conv.intent("CausesIntent")
    conv.intent("AMAZON.FallbackIntent")
    assert conv.attributes.get("paging", {}).get("next") == 3, "a misheard turn must not lose the user's place"


def test_navigate_home_returns_to_start(conversation):
    conv = conversation()
    conv.launch()
    conv.intent("CausesIntent")
    text = speech(conv.intent("AMAZON.NavigateHomeIntent"))
    assert "back to the start" in text, f"home should say where we are: {text!r}"
    assert "paging" not in conv.attributes, "going home drops the topic in progress"


def test_repeat_repeats_the_last_answer_exactly(conversation):
    conv = conversation()
    conv.launch()
    first = conv.intent("ReliefIntent")
    again = conv.intent("AMAZON.RepeatIntent")
    assert speech(again) == speech(first), "repeat must say the last answer word for word"
    assert reprompt(again) == reprompt(first), "repeat keeps the same reprompt"
    assert conv.attributes.get("pending") == (first.get("sessionAttributes") or {}).get("pending"), (
        "repeat keeps the conversation where it was"
    )


def test_repeat_after_more_repeats_the_second_page(conversation):
    conv = conversation()
    conv.launch()
    conv.intent("CausesIntent")
    second = conv.intent("MoreIntent")
    assert speech(conv.intent("AMAZON.RepeatIntent")) == speech(second), "repeat repeats the latest page"


def test_repeat_with_nothing_said_yet(conversation):
    conv = conversation()
    text = speech(conv.intent("AMAZON.RepeatIntent"))
    assert "haven't said anything" in text, f"repeat with no history explains itself: {text!r}"


def test_start_over_welcomes_again_and_clears_state(conversation):
    conv = conversation()
    conv.launch()
    conv.intent("CausesIntent")
    text = speech(conv.intent("AMAZON.StartOverIntent"))
    assert "start over" in text and "Welcome" in text, f"start over restarts: {text!r}"
    assert "paging" not in conv.attributes, "start over forgets the topic in progress"


def test_yes_without_a_question_reorients(conversation):
    conv = conversation()
    text = speech(conv.intent("AMAZON.YesIntent"))
    assert "not sure what that answers" in text, f"yes with nothing pending: {text!r}"
    assert conv.ended is False


def test_no_without_a_yes_no_question_is_a_goodbye(conversation, store):
    """ "No" to "What else would you like to know?" ends the session (certification testers say it)."""
    conv = conversation()
    text = speech(conv.intent("AMAZON.NoIntent"))
    assert text.endswith(store.for_locale("en-US").text("goodbye")), f"no with nothing pending: {text!r}"
    assert conv.ended is True


def test_yes_to_a_topic_followup_answers_that_topic(conversation, store):
    content = store.for_locale("en-US")
    with_yes = [t for t, node in content.node("topics").items() if node.get("yes_topic")]
    if not with_yes:
        pytest.skip("no topic's follow-up leads to another topic")
    conv = conversation()
    conv.launch()
    topic = with_yes[0]
    target = content.node(f"topics.{topic}.yes_topic")
    from skill.alexa.handlers.topics import intent_for_topic

    conv.intent(intent_for_topic(topic))
    while conv.attributes.get("pending") == "more":
        conv.intent("MoreIntent")
    text = speech(conv.intent("AMAZON.YesIntent"))
    assert content.text(f"topics.{target}.intro") in text, f"yes should answer {target}: {text!r}"


def test_session_ended_is_silent(conversation):
    conv = conversation()
    conv.launch()
    from skill.tools.envelopes import session_ended_request

    response = conv.send(session_ended_request())
    assert "outputSpeech" not in response["response"], "nothing is said when the session has ended"


def test_unknown_intent_is_treated_as_fallback(conversation):
    conv = conversation()
    conv.launch()
    response = conv.intent("SomethingNotInTheModelIntent")
    assert conv.ended is False and "nose twitching" in speech(response), "an unknown intent re-orients"


def test_unknown_request_type_gets_an_empty_valid_response(skill):
    from tests.support.client import invoke

    request = launch_request()
    request["type"] = "Messaging.MessageReceived"
    response, _ = invoke(skill, envelope(request))
    assert response["version"] == "1.0" and "outputSpeech" not in response["response"]


class _Input:
    """The smallest handler input a predicate needs (can_handle reads the request only)."""

    def __init__(self, skill, request):
        import json

        from ask_sdk_model import RequestEnvelope

        self.request_envelope = skill.serializer.deserialize(json.dumps(envelope(request)), RequestEnvelope)


@pytest.mark.parametrize(
    "handler",
    [
        builtins.HelpHandler(),
        builtins.StopHandler(),
        builtins.FallbackHandler(),
        builtins.NavigateHomeHandler(),
        builtins.StartOverHandler(),
        builtins.RepeatHandler(),
    ],
    ids=lambda h: type(h).__name__,
)
def test_each_predicate_matches_exactly_its_intents(skill, handler):
    for intent in handler.intents:
        assert handler.can_handle(_Input(skill, intent_request(intent))), f"{type(handler).__name__} misses {intent}"
    for other in ("CausesIntent", "AMAZON.YesIntent", "AMAZON.PauseIntent"):
        if other not in handler.intents:
            assert not handler.can_handle(_Input(skill, intent_request(other))), (
                f"{type(handler).__name__} wrongly takes {other}"
            )
    assert not handler.can_handle(_Input(skill, launch_request())), f"{type(handler).__name__} takes a launch"
    assert is_intent(_Input(skill, intent_request(handler.intents[0])), *handler.intents)
