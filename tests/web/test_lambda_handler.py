"""The AWS Lambda entry point: the same skill, invoked with the event dict, answering as the webhook does."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from skill import lambda_handler
from skill.config import DEFAULT_CONTENT_DIR, ConfigError, SkillConfig
from skill.domain import content_cache
from tests.support.checks import assert_valid_response
from skill.tools.envelopes import APPLICATION_ID, envelope, intent_request, launch_request


@pytest.fixture(autouse=True)
def fresh_skill(monkeypatch):
    """Each test builds the cached skill from its own environment."""
    lambda_handler._skill.cache_clear()
    yield
    lambda_handler._skill.cache_clear()


def test_launch_event_gets_a_valid_response(monkeypatch):
    monkeypatch.delenv("SKILL_ID", raising=False)
    response = lambda_handler.handler(envelope(launch_request(), new=True), None)
    assert_valid_response(response)
    assert "not medical advice" in response["response"]["outputSpeech"]["ssml"]


def test_skill_id_is_checked_when_configured(monkeypatch):
    monkeypatch.setenv("SKILL_ID", APPLICATION_ID)
    assert_valid_response(lambda_handler.handler(envelope(launch_request()), None))
    with pytest.raises(ValueError, match="Request rejected"):
        lambda_handler.handler(envelope(launch_request(), application_id="amzn1.ask.skill.other"), None)


def test_a_non_envelope_event_is_refused_clearly():
    with pytest.raises(ValueError, match="not an Alexa request envelope"):
        lambda_handler.handler({"hello": "world"}, None)


# --- answers as the webhook answers (reliability review 2026-12-06, L5) ---------------------------


def test_an_unknown_request_type_gets_the_empty_response_as_from_the_webhook(monkeypatch):
    monkeypatch.delenv("SKILL_ID", raising=False)
    request = launch_request()
    request["type"] = "Foo.Bar"
    assert lambda_handler.handler(envelope(request), None) == {"version": "1.0", "response": {}}


def test_an_intent_request_without_a_session_gets_the_spoken_apology(monkeypatch, store):
    monkeypatch.delenv("SKILL_ID", raising=False)
    event = envelope(intent_request("AMAZON.RepeatIntent"))
    event.pop("session", None)
    response = lambda_handler.handler(event, None)
    assert_valid_response(response)
    assert response["response"]["shouldEndSession"] is False, "the apology keeps the session open"


def test_deeply_nested_attributes_get_a_defined_answer(monkeypatch):
    monkeypatch.delenv("SKILL_ID", raising=False)
    deep: object = "x"
    for _ in range(950):
        deep = {"n": deep}
    event = envelope(intent_request("AMAZON.YesIntent"))
    event["session"]["attributes"] = {"deep": deep}
    try:
        response = lambda_handler.handler(event, None)
    except ValueError as exc:
        assert "wrong type" in str(exc), f"a refusal says what is wrong: {exc}"
    else:
        assert_valid_response(response)


@pytest.mark.parametrize("event", [None, {}, [], "launch", {"request": None}, {"request": {"type": 5}}])
def test_events_that_are_not_envelopes_are_refused_with_a_value_error(event):
    with pytest.raises(ValueError, match="not an Alexa request envelope"):
        lambda_handler.handler(event, None)


def test_a_malformed_skill_id_stops_the_cold_start_with_how_to_fix_it(monkeypatch):
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.REPLACE-WITH-YOUR-SKILL-ID")
    with pytest.raises(ConfigError, match="placeholder"):
        lambda_handler.handler(envelope(launch_request()), None)


# --- the runtime it was built for --------------------------------------------------------------


def stamp(tmp_path, **values) -> Path:
    path = tmp_path / "_lambda_build.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def test_the_handler_refuses_a_runtime_other_than_the_one_it_was_built_for(tmp_path):
    machine = {"x86_64": "x86_64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
    other = "3.12" if sys.version_info[:2] != (3, 12) else "3.13"
    with pytest.raises(lambda_handler.RuntimeMismatch) as info:
        lambda_handler.check_runtime(stamp(tmp_path, runtime=f"python{other}", python=other, arch=machine))
    message = str(info.value)
    assert f"python{other}" in message and f"Python {sys.version_info[0]}.{sys.version_info[1]}" in message
    assert "Set the function's runtime" in message and "--runtime" in message, "the message says what to change"
    other_arch = "arm64" if machine == "x86_64" else "x86_64"
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    with pytest.raises(lambda_handler.RuntimeMismatch, match="architecture"):
        lambda_handler.check_runtime(stamp(tmp_path, runtime=f"python{here}", python=here, arch=other_arch))
    lambda_handler.check_runtime(stamp(tmp_path, runtime=f"python{here}", python=here, arch=machine))
    lambda_handler.check_runtime(tmp_path / "absent.json")  # a checkout or a wheel: nothing to check


def test_the_shipped_content_is_copied_into_an_empty_cache_and_read_without_parsing(tmp_path, monkeypatch):
    from skill.domain import content as content_module
    from skill.tools.ship.lambda_build import shipped_content_cache

    shipped = tmp_path / "_content_cache.json"
    shipped.write_bytes(shipped_content_cache(DEFAULT_CONTENT_DIR))
    config = SkillConfig(dev=True, cache_dir=tmp_path / "tmp")
    assert lambda_handler.seed_content_cache(config, shipped), "an empty cache folder gets the shipped content"
    assert not lambda_handler.seed_content_cache(config, shipped), "a cache already there is left alone"

    def parse(files):
        raise AssertionError("the content was parsed although the zip shipped it parsed")

    monkeypatch.setattr(content_module, "_parse_folder", parse)
    store = content_cache.load(config.content_dir, config.cache_dir)
    assert store.for_locale("en-US").text("launch.welcome")
