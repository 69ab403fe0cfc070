"""End to end: virtual-alexa (a real external client) talks to the real server over loopback HTTP.

The server is ``python -m skill serve --dev`` (gunicorn); virtual-alexa resolves utterances with
interaction_model/<locale>.json, builds Alexa's request JSON, posts it and carries the session.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.checks import assert_valid_response
from tests.support.client import ends_session, reprompt, speech
from tests.support.stories import check_expect, expect_for, load_stories, runs_over_http

#: virtual-alexa turns a phrase containing any of these (even inside a word) into a launch, and
#: "exit" into a session end, so a test phrase must avoid them.
NOT_AN_UTTERANCE = re.compile(r"ask|open|launch|talk to|tell|exit", re.IGNORECASE)
MODEL_DIR = Path(__file__).resolve().parent.parent.parent / "interaction_model"


def first_sentence(text: str) -> str:
    return text.split(".")[0].strip()


def play(drive, turns, locale="en-US"):
    for turn in turns:
        if "utter" in turn:
            assert not NOT_AN_UTTERANCE.search(turn["utter"]), (
                f"virtual-alexa would not send {turn['utter']!r} as an utterance (it contains a launch word or exit)"
            )
    session = drive(turns, locale=locale)
    assert session.error is None, f"virtual-alexa failed: {session.error}"
    assert len(session.responses) == len(turns)
    for response in session.responses:
        assert_valid_response(response)
    return session


# --- a) a topic conversation, paging carried in session attributes over HTTP -------------------


def test_topic_conversation_pages_and_stops(drive, store):
    causes = store.for_locale("en-US").node("topics.causes.items")
    assert len(causes) > 3, "the causes topic must be long enough to page"
    session = play(
        drive,
        [{"launch": True}, {"utter": "why is my nose twitching"}, {"utter": "more"}, {"utter": "stop"}],
    )
    welcome, answer, more, stop = session.responses

    said = speech(welcome)
    assert "not medical advice" in said.lower(), f"the welcome must say it is not medical advice: {said!r}"
    assert not ends_session(welcome) and reprompt(welcome), "the welcome keeps the session open with a reprompt"

    said = speech(answer)
    assert first_sentence(causes[0]["say"]) in said, f"the causes answer should start its items: {said!r}"
    assert first_sentence(causes[3]["say"]) not in said, f"one page is three items: {said!r}"
    assert said.endswith("Want to hear more?"), f"a page with more to come offers more: {said!r}"
    assert answer["sessionAttributes"].get("pending") == "more"

    said = speech(more)
    assert first_sentence(causes[3]["say"]) in said, f"'more' continues with the fourth item: {said!r}"
    assert first_sentence(causes[0]["say"]) not in said, f"'more' must not start over: {said!r}"

    assert ends_session(stop), f"stop ends the session: {speech(stop)!r}"
    assert speech(stop), "stop still says goodbye"

    logged = session.logs
    assert [line.get("status") for line in logged] == [200, 200, 200, 200], f"access log per turn: {logged}"
    assert logged[1].get("handler") == "topic"
    assert all(line.get("verification") == "OFF (dev mode)" for line in logged)


def test_unmatched_phrase_is_reported_not_crashed(drive):
    session = drive([{"launch": True}, {"utter": "zebra quantum pancake"}])
    assert len(session.responses) == 1
    assert session.error and session.error.startswith("turn 1"), session.error


# --- b) the YAML conversation stories that have an utterance for every turn ---------------------

HTTP_STORIES = [story for story in load_stories() if runs_over_http(story)]


@pytest.mark.parametrize(
    "story",
    HTTP_STORIES or [None],
    ids=[story["name"] for story in HTTP_STORIES] or ["no-e2e-stories"],
)
def test_story_over_http(drive, story):
    assert story is not None, (
        "no story in tests/conversations/*.yaml has an utter (or launch: true) on every turn, "
        "so nothing runs end to end"
    )
    locale = story.get("locale", "en-US")
    if not (MODEL_DIR / f"{locale}.json").is_file():
        pytest.skip(f"no interaction model for {locale}")
    turns = [{"launch": True} if turn.get("launch") is True else {"utter": turn["utter"]} for turn in story["turns"]]
    session = play(drive, turns, locale=locale)
    for index, (turn, response) in enumerate(zip(story["turns"], session.responses, strict=True)):
        label = f"{story['name']} turn {index} ({turn.get('utter') or 'launch'})"
        check_expect(response, expect_for(turn, http=True), log=session.logs[index], label=label)


# --- c) HTTP basics against the real server -----------------------------------------------------


def _call(url: str, *, method: str = "GET", body: bytes | None = None, content_type: str | None = None):
    request = urllib.request.Request(url, data=body, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.headers.get_content_type(), reply.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get_content_type(), exc.read()


def test_healthz(server):
    status, content_type, body = _call(f"{server.base}/healthz")
    assert status == 200 and content_type == "application/json"
    assert json.loads(body) == {"status": "ok"}


def test_get_on_endpoint_is_405_json(server_url):
    status, content_type, body = _call(server_url)
    assert status == 405 and content_type == "application/json"
    assert json.loads(body)["error"]["code"]


def test_non_json_body_is_400_json(server_url):
    status, content_type, body = _call(server_url, method="POST", body=b"not json {", content_type="application/json")
    assert status == 400 and content_type == "application/json"
    assert json.loads(body)["error"]["code"] == "invalid_json"
