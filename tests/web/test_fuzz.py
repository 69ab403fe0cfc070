"""Property-based: real envelopes, mutated thousands of ways, never get a 5xx or a broken response.

Raw bodies too: nesting past the decoder's recursion, lone surrogates (escaped and as raw bytes),
numbers past float and int limits; each gets JSON, exactly one access line and a count.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.config import SkillConfig
from skill.web.app import create_app
from tests.support.checks import assert_valid_response
from skill.tools.envelopes import envelope, intent_request, launch_request, session_ended_request, slot
from tests.support.examples import examples

REQUEST_TYPES = [
    "LaunchRequest",
    "IntentRequest",
    "SessionEndedRequest",
    "CanFulfillIntentRequest",
    "Alexa.Presentation.APL.UserEvent",
    "Connections.Response",
    "AudioPlayer.PlaybackStarted",
    "Made.Up.Request",
]
INTENTS = [
    "CausesIntent",
    "TriggerDetailIntent",
    "SymptomCheckIntent",
    "MoreIntent",
    "UnsureIntent",
    "WhyAskIntent",
    "GoBackIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StopIntent",
    "NoSuchIntent",
]
LOCALES = ["en-US", "en-GB", "es-ES", "fr-FR", "", "xx", "EN-us"]


def bases() -> list[dict[str, Any]]:
    mid_check = {"pending": "triage", "triage": {"a": [["sudden_face_or_limb", "no"]], "p": []}}
    mid_topic = {"pending": "more", "paging": {"kind": "topic", "id": "causes", "next": 3}}
    return [
        envelope(launch_request(), new=True),
        envelope(intent_request("TriggerDetailIntent", slot("trigger", "coffee", id="caffeine"))),
        envelope(intent_request("SymptomCheckIntent", slot("symptom", "bad headache", id="headache"), slot("duration", "P3W"))),
        envelope(intent_request("AMAZON.YesIntent"), attributes=mid_check),
        envelope(intent_request("MoreIntent"), attributes=mid_topic),
        envelope(session_ended_request()),
    ]


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
interesting = st.one_of(
    st.sampled_from(REQUEST_TYPES),
    st.sampled_from(INTENTS),
    st.sampled_from(LOCALES),
    json_values,
)


@st.composite
def mutated(draw) -> dict[str, Any]:
    data = copy.deepcopy(draw(st.sampled_from(bases())))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        target = draw(st.sampled_from(paths(data)))
        parent = data
        for key in target[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(target[-1], None)
        else:
            parent[target[-1]] = draw(interesting)
        if not isinstance(data, dict):
            break
    return data


@pytest.fixture(scope="module")
def fuzz_client(config, resources, skill):
    return create_app(config, resources=resources, skill=skill, verifiers=()).test_client()


@pytest.mark.slow  # 2,500 hypothesis examples through the whole webhook
@settings(max_examples=examples(2500), suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated())
def test_mutated_envelopes_never_5xx_and_every_200_is_valid(fuzz_client, data):
    response = fuzz_client.post("/alexa", data=json.dumps(data), content_type="application/json")
    assert response.status_code < 500, f"{response.status_code} for {json.dumps(data)[:400]}"
    assert response.is_json, "every answer is JSON"
    if response.status_code == 200:
        assert_valid_response(response.get_json())
    else:
        assert "error" in response.get_json(), "a 4xx carries a JSON error"


# --- raw bodies: deep nesting, lone surrogates, huge numbers (reliability review 2026-12-06) ----------

#: JSON text that is hard to parse or to answer: nesting deeper than the decoder's recursion,
#: lone surrogates (escaped, and raw bytes that are not UTF-8), numbers past float and int limits.
hard_fragments = st.one_of(
    st.integers(min_value=1, max_value=200_000).map(lambda n: "[" * n + "]" * n),
    st.integers(min_value=1, max_value=50_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.integers(min_value=900, max_value=2000).map(lambda n: "[" * n),  # unclosed
    st.sampled_from(['"\\ud800"', '"\\udfff"', '"a\\ud800b"', '"\\ud83d"', '"\\u0000"']),
    st.sampled_from(["1e400", "-1e400", "1" * 5000, "9" * 4301, "1.5e-400", "NaN", "Infinity", "-0", "1" * 4300]),
    st.text(max_size=30).map(json.dumps),
)


@st.composite
def raw_bodies(draw) -> bytes:
    """An envelope's JSON with one value replaced by a hard fragment, or a bare fragment, as bytes."""
    data = copy.deepcopy(draw(st.sampled_from(bases())))
    target = draw(st.sampled_from(paths(data)))
    data_text = json.dumps(data)
    marker = "\u2603MARK\u2603"
    parent = data
    for key in target[:-1]:
        parent = parent[key]
    parent[target[-1]] = marker
    text = json.dumps(data, ensure_ascii=False).replace(json.dumps(marker, ensure_ascii=False), draw(hard_fragments))
    body = (text if draw(st.booleans()) else draw(hard_fragments) if draw(st.booleans()) else data_text).encode(
        "utf-8", "surrogatepass"
    )
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        body += b"\xed\xa0\x80"  # a lone surrogate as raw bytes: not UTF-8
    return body


@pytest.fixture(scope="module")
def counted_app(resources, skill):
    import os

    saved = os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    try:
        app = create_app(SkillConfig(dev=True, metrics_path="/metrics"), resources=resources, skill=skill,
                         verifiers=())
    finally:
        if saved is not None:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = saved
    return app


def _requests_counted(client) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    return sum(float(line.rpartition(" ")[2]) for line in text.splitlines()
               if line.startswith("nose_twitch_requests_total{") and 'route="/metrics"' not in line)


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(body=raw_bodies())
def test_raw_bodies_always_get_json_one_access_line_and_a_count(counted_app, caplog, body):
    client = counted_app.test_client()
    before = _requests_counted(client)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="skill.access"):
        response = client.post("/alexa", data=body, content_type="application/json")
    assert response.status_code < 500, f"{response.status_code} for {body[:200]!r}"
    assert response.is_json and (response.status_code == 200 or "error" in response.get_json()), response.data[:200]
    if response.status_code == 200:
        assert_valid_response(response.get_json())
    posted = [r for r in caplog.records if r.name == "skill.access" and r.msg.fields.get("route") == "/alexa"]
    assert len(posted) == 1, f"one access line per response, got {len(posted)}"
    assert posted[0].msg.fields["status"] == response.status_code
    # The scrape itself is counted too (as a GET); the POST is the difference minus that one.
    assert _requests_counted(client) - before == 2, "the response (and the scrape before it) were counted"
