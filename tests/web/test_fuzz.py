"""Property-based: real envelopes, mutated thousands of ways, never get a 5xx or a broken response."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.web.app import create_app
from tests.support.checks import assert_valid_response
from tests.support.envelopes import envelope, intent_request, launch_request, session_ended_request, slot

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


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated())
def test_mutated_envelopes_never_5xx_and_every_200_is_valid(fuzz_client, data):
    response = fuzz_client.post("/alexa", data=json.dumps(data), content_type="application/json")
    assert response.status_code < 500, f"{response.status_code} for {json.dumps(data)[:400]}"
    assert response.is_json, "every answer is JSON"
    if response.status_code == 200:
        assert_valid_response(response.get_json())
    else:
        assert "error" in response.get_json(), "a 4xx carries a JSON error"
