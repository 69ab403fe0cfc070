"""``nose-twitch chat``: a piped-in conversation through the real skill, as plain text and as JSON."""

from __future__ import annotations

import io
import json
import os
import stat
from typing import Any

import pytest

import skill.tools.envelopes
from skill.cli import main
from skill.config import DEFAULT_MODEL_DIR
from skill.tools.models import load_model
from tests.support.checks import assert_valid_response

#: Each chat run trains the locale's intent classifier (``--nlu auto``): seconds per locale, once per
#: session (``shared_training``).
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("shared_training")]

ES_MODEL = DEFAULT_MODEL_DIR / "es-US.json"


def chat(monkeypatch, capsys, lines: list[str], *flags: str) -> tuple[int, str, str]:
    """Run ``nose-twitch chat`` with ``lines`` piped in; the exit status, stdout and stderr."""
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    status = main(["chat", *flags])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def json_documents(out: str) -> list[dict[str, Any]]:
    """Every JSON document printed by --json (each starts with a "{" line)."""
    decoder = json.JSONDecoder()
    lines = out.splitlines(keepends=True)
    documents = []
    for index, line in enumerate(lines):
        if line.rstrip("\n") == "{":
            document, _ = decoder.raw_decode("".join(lines[index:]))
            documents.append(document)
    return documents


def squash(text: str) -> str:
    return " ".join(text.split())


def test_a_conversation_goes_through_the_real_skill(monkeypatch, capsys, store):
    content = store.for_locale("en-US")
    status, out, _ = chat(
        monkeypatch, capsys, ["why does my nose twitch", "more", "does coffee cause it", "purple monkey dishwasher"]
    )
    said = squash(out)
    assert status == 0
    assert content.text("launch.welcome") in said, "the chat starts with a launch"
    assert "heard: CausesIntent" in said and content.text("topics.causes.intro") in said, said
    assert "heard: MoreIntent" in said and content.text("topics.causes.items.3.say") in said, "more pages on"
    assert "heard: TriggerDetailIntent [trigger='coffee' -> caffeine]" in said, said
    assert content.text("triggers.caffeine.items.0.say") in said, "coffee resolves to the caffeine trigger"
    assert "heard: AMAZON.FallbackIntent" in said and content.text("fallback.line") in said, said
    assert f"[card] {content.text('topics.causes.title')}:" in out, "the card's title and text are shown"
    assert "<speak>" not in out and "</" not in out, "speech is printed as plain text"
    assert out.rstrip().endswith("(session ended)"), "end of input ends the chat"


def test_the_typed_lines_are_echoed_after_the_prompt_when_piped(monkeypatch, capsys):
    _, out, _ = chat(monkeypatch, capsys, ["why does my nose twitch"])
    assert "you> why does my nose twitch\n" in out


def test_the_chat_ends_when_the_skill_ends_the_session(monkeypatch, capsys, store):
    content = store.for_locale("en-US")
    status, out, _ = chat(monkeypatch, capsys, ["stop", "why does my nose twitch"])
    assert status == 0
    assert content.text("goodbye") in out
    assert "heard: CausesIntent" not in out, "nothing is sent after the skill ends the session"


def test_silence_gets_the_reprompt(monkeypatch, capsys, store):
    _, out, _ = chat(monkeypatch, capsys, [""])
    assert f"Alexa (reprompt): {store.for_locale('en-US').text('launch.reprompt')}" in out


def test_json_prints_every_request_and_response(monkeypatch, capsys):
    status, out, _ = chat(monkeypatch, capsys, ["why does my nose twitch", "more", "quit"], "--json")
    documents = json_documents(out)
    requests, responses = documents[0::2], documents[1::2]
    assert status == 0 and len(documents) == 8, f"launch, two intents and the session end: {len(documents)}"
    kinds = [r["request"]["type"] for r in requests]
    assert kinds == ["LaunchRequest", "IntentRequest", "IntentRequest", "SessionEndedRequest"], kinds
    assert [r["request"].get("intent", {}).get("name") for r in requests[1:3]] == ["CausesIntent", "MoreIntent"]
    assert requests[0]["session"]["new"] is True and requests[1]["session"]["new"] is False
    for request, previous in zip(requests[1:], responses):
        assert request["session"]["attributes"] == previous.get("sessionAttributes", {}), (
            "session attributes are carried from each response into the next request"
        )
    assert requests[2]["session"]["attributes"].get("paging"), "the causes answer left paging state for 'more'"
    for response in responses[:3]:
        assert_valid_response(response)


def test_chat_and_the_suite_drive_the_skill_the_one_way():
    """One envelope builder and one in-process driver (skill.tools.session) for chat and the tests."""
    import skill.tools.chat
    import skill.tools.session
    import tests.support.client

    assert skill.tools.chat.envelopes is skill.tools.envelopes
    assert issubclass(skill.tools.chat.ChatSession, skill.tools.session.Conversation)
    assert tests.support.client.invoke is skill.tools.session.invoke
    assert issubclass(tests.support.client.Conversation, skill.tools.session.Conversation)


def test_speak_without_espeak_ng_says_so_once_and_carries_on(monkeypatch, capsys, tmp_path, store):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no espeak-ng anywhere
    status, out, err = chat(monkeypatch, capsys, ["why does my nose twitch", "more"], "--speak")
    assert status == 0
    assert err.count("espeak-ng is not installed") == 1, f"one clear message: {err!r}"
    assert store.for_locale("en-US").text("topics.causes.intro") in squash(out), "the conversation goes on"


def test_speak_reads_each_answer_with_the_locale_voice(monkeypatch, capsys, tmp_path, store):
    log = tmp_path / "spoken.txt"
    fake = tmp_path / "espeak-ng"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n/bin/cat >> "{log}"\necho >> "{log}"\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    status, _, err = chat(monkeypatch, capsys, ["why does my nose twitch"], "--speak")
    spoken = log.read_text(encoding="utf-8")
    assert status == 0 and "not installed" not in err, err
    assert spoken.count("-v en-us --stdin") == 2, f"the launch and one answer, in the en-us voice: {spoken!r}"
    assert store.for_locale("en-US").text("topics.causes.intro") in spoken
    assert "<speak>" not in spoken, "espeak-ng gets plain text"


def test_an_unknown_locale_is_refused_with_the_models_there_are(monkeypatch, capsys):
    status, _, err = chat(monkeypatch, capsys, [], "--locale", "xx-XX")
    assert status == 2 and "no interaction model for xx-XX" in err and "en-US" in err, err


@pytest.mark.skipif(not ES_MODEL.is_file(), reason="interaction_model/es-US.json does not exist yet")
def test_a_spanish_conversation(monkeypatch, capsys, store):
    content = store.for_locale("es-US")
    causes = load_model(ES_MODEL).intent("CausesIntent")
    status, out, _ = chat(monkeypatch, capsys, [causes.samples[0], "sí", "adiós"], "--locale", "es-US")
    said = squash(out)
    assert status == 0
    assert content.text("launch.welcome") in said
    assert "heard: CausesIntent" in said and content.text("topics.causes.intro") in said, said
    assert "heard: AMAZON.YesIntent" in said, said
