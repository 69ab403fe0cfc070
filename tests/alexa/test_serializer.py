"""The fast path builds exactly what the SDK's DefaultSerializer builds, or defers to it.

A corpus of envelopes covers every request type the skill handles, slots with and without
resolutions (old and new slot shapes), session attributes, APL and viewport context, and odd
fields; hypothesis then mutates them. For every input the fast path either returns an object
equal, attribute by attribute, to the SDK's, or raises ``Defer`` (and then the SDK decides).
"""

from __future__ import annotations

import copy
import json
import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from dateutil.parser import parse as dateutil_parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.alexa.context import InvocationContext
from skill.alexa.serializer import Defer, Encoded, JsonDict, Serializer, parse_timestamp
from skill.tools.envelopes import (
    APL,
    can_fulfill_request,
    envelope,
    intent_request,
    launch_request,
    session_ended_request,
    slot,
)
from tests.support.examples import examples

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"

SDK = DefaultSerializer()

# --- what "equal" means -------------------------------------------------------------------------


def difference(sdk: Any, fast: Any, path: str = "envelope") -> str | None:
    """Where two deserialized values differ (None: they are the same, type by type, attribute by
    attribute; a free-form ``JsonDict`` counts as a dict). Datetimes must be equal instants with the same UTC offset (the tzinfo class may
    differ: dateutil's ``tzutc()`` against ``timezone.utc``)."""
    if isinstance(sdk, datetime) and isinstance(fast, datetime):
        same = (
            sdk == fast
            and (sdk.tzinfo is None) == (fast.tzinfo is None)
            and sdk.utcoffset() == fast.utcoffset()
        )
        return None if same else f"{path}: {sdk!r} != {fast!r}"
    if type(sdk) is not type(fast) and not (type(sdk) is dict and type(fast) is JsonDict):
        return f"{path}: {type(sdk).__name__} != {type(fast).__name__}"
    if isinstance(sdk, Enum):
        return None if sdk is fast else f"{path}: {sdk!r} != {fast!r}"
    if isinstance(sdk, float):
        return None if sdk == fast or (math.isnan(sdk) and math.isnan(fast)) else f"{path}: {sdk} != {fast}"
    if isinstance(sdk, list):
        if len(sdk) != len(fast):
            return f"{path}: {len(sdk)} items != {len(fast)}"
        for index, (a, b) in enumerate(zip(sdk, fast)):
            if found := difference(a, b, f"{path}[{index}]"):
                return found
        return None
    if isinstance(sdk, dict):
        if list(sdk) != list(fast):
            return f"{path}: keys {list(sdk)} != {list(fast)}"
        for key in sdk:
            if found := difference(sdk[key], fast[key], f"{path}.{key}"):
                return found
        return None
    if hasattr(sdk, "__dict__") and not isinstance(sdk, type):
        return difference(vars(sdk), vars(fast), path)
    return None if sdk == fast else f"{path}: {sdk!r} != {fast!r}"


# --- the corpus -----------------------------------------------------------------------------------


def _with(env: dict[str, Any], *changes: tuple[str, Any]) -> dict[str, Any]:
    """A copy of ``env`` with values set at dotted paths (lists indexed by number)."""
    env = copy.deepcopy(env)
    for dotted, value in changes:
        *parents, last = dotted.split(".")
        node: Any = env
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return env


VIEWPORT = {
    "experiences": [{"arcMinuteWidth": 246, "arcMinuteHeight": 144, "canRotate": False, "canResize": False}],
    "mode": "HUB",
    "shape": "RECTANGLE",
    "pixelWidth": 1024,
    "pixelHeight": 600,
    "dpi": 160,
    "currentPixelWidth": 1024,
    "currentPixelHeight": 600,
    "touch": ["SINGLE"],
    "video": {"codecs": ["H_264_42", "H_264_41"]},
}
VIEWPORTS = [
    {
        "type": "APL",
        "id": "main",
        "shape": "RECTANGLE",
        "dpi": 213,
        "presentationType": "STANDARD",
        "canRotate": False,
        "configuration": {
            "current": {
                "mode": "HUB",
                "video": {"codecs": ["H_264_42", "H_264_41"]},
                "size": {"type": "DISCRETE", "pixelWidth": 1280, "pixelHeight": 800},
            }
        },
    }
]
NEW_SLOT_VALUE = {
    "type": "Simple",
    "value": "coffee",
    "resolutions": {
        "resolutionsPerAuthority": [
            {
                "authority": "amzn1.er-authority.echo-sdk.x.TRIGGER",
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": "caffeine", "id": "caffeine"}}],
            }
        ]
    },
}
ATTRIBUTES = {
    "last": {"lines": ["Ünïcode — fine.", "Two"], "question": "More?", "screen": {"points": []}},
    "paging": {"kind": "topic", "id": "causes", "next": 3},
    "triage": {"a": [["sudden_face_or_limb", "no"]], "p": []},
    "pending": "triage",
    "odd": [None, 1.5, True, {"nested": []}],
}


def _corpus() -> dict[str, dict[str, Any]]:
    trigger = intent_request("TriggerDetailIntent", slot("trigger", "coffee", id="caffeine"))
    apl_trigger = envelope(trigger, interfaces=APL)
    apl_trigger["context"]["Viewport"] = VIEWPORT
    apl_trigger["context"]["Viewports"] = VIEWPORTS
    apl_trigger["context"]["Alexa.Presentation.APL"] = {"token": "answer", "version": "AriaRuntimeLibrary-2023.3"}
    apl_trigger["context"]["AudioPlayer"] = {"playerActivity": "IDLE"}
    apl_trigger["context"]["System"]["unit"] = {"unitId": "amzn1.ask.unit.A", "persistentUnitId": "P"}
    apl_trigger["context"]["System"]["person"] = {"personId": "amzn1.ask.person.P", "accessToken": "T"}
    corpus = {
        "launch": envelope(launch_request(), new=True),
        "launch no session": envelope(launch_request(), session=False),
        "launch en-GB": envelope(launch_request("en-GB"), new=True),
        "topic": envelope(intent_request("CausesIntent"), attributes={"pending": "more"}),
        "more with paging": envelope(intent_request("MoreIntent"), attributes=ATTRIBUTES),
        "trigger with resolution": envelope(trigger),
        "trigger on a screen device": apl_trigger,
        "trigger no match": envelope(intent_request("TriggerDetailIntent", slot("trigger", "chocolate", match=False))),
        "trigger empty slot": envelope(intent_request("TriggerDetailIntent", slot("trigger"))),
        "symptom check one shot": envelope(
            intent_request("SymptomCheckIntent", slot("symptom", "headache", id="headache"), slot("duration", "P3W"))
        ),
        "yes mid check": envelope(intent_request("AMAZON.YesIntent"), attributes=ATTRIBUTES),
        "no mid check": envelope(intent_request("AMAZON.NoIntent"), attributes=ATTRIBUTES),
        "unsure": envelope(intent_request("UnsureIntent"), attributes=ATTRIBUTES),
        "help": envelope(intent_request("AMAZON.HelpIntent")),
        "stop": envelope(intent_request("AMAZON.StopIntent")),
        "fallback": envelope(intent_request("AMAZON.FallbackIntent")),
        "session ended": envelope(session_ended_request()),
        "session ended with error": _with(
            envelope(session_ended_request("ERROR")),
            ("request.error", {"type": "INVALID_RESPONSE", "message": "bad"}),
        ),
        "can fulfill": envelope(can_fulfill_request("TriggerDetailIntent", slot("trigger", "tea")), session=False),
        "new slot value shape": _with(envelope(trigger), ("request.intent.slots.trigger.slotValue", NEW_SLOT_VALUE)),
        "timestamp with milliseconds": _with(envelope(launch_request()), ("request.timestamp", "2024-05-01T10:00:00.123Z")),
        "timestamp with offset": _with(envelope(launch_request()), ("request.timestamp", "2024-05-01T10:00:00+02:00")),
        "naive timestamp": _with(envelope(launch_request()), ("request.timestamp", "2024-05-01T10:00:00")),
        "user with permissions": _with(
            envelope(launch_request()), ("session.user.permissions", {"consentToken": "C", "scopes": {}})
        ),
        "apl user event": _with(
            envelope(launch_request()),
            ("request", {"type": "Alexa.Presentation.APL.UserEvent", "requestId": "r", "timestamp": "2024-05-01T10:00:00Z",
                         "locale": "en-US", "token": "answer", "arguments": ["more", 1]}),
        ),
        "null fields": _with(envelope(intent_request("CausesIntent")), ("session.attributes", None), ("context.System.device", None)),
        "null items in lists": _with(
            apl_trigger,
            ("context.Viewport.touch", ["SINGLE", None]),
            ("request.intent.slots.trigger.resolutions.resolutionsPerAuthority", [None]),
        ),
        "unknown extra keys": _with(
            envelope(launch_request()), ("request.shinyNewField", {"a": 1}), ("context.System.futureThing", [1, 2])
        ),
    }
    for name in ("launch.json", "intent_trigger.json", "session_ended_error.json"):
        corpus[f"golden {name}"] = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    return corpus


CORPUS = _corpus()

#: Odd envelopes the fast path must hand to the SDK (which builds or rejects them its own way).
ODD = {
    "timestamp in another format": _with(CORPUS["launch"], ("request.timestamp", "May 1 2024 10:00")),
    "epoch timestamp": _with(CORPUS["launch"], ("request.timestamp", 1714557600000)),
    "number for a string": _with(CORPUS["launch"], ("request.locale", 5)),
    "string for a boolean": _with(CORPUS["launch"], ("session.new", "true")),
    "unknown enum value": _with(CORPUS["topic"], ("request.dialogState", "SOMETIMES")),
    "unknown request type": _with(CORPUS["launch"], ("request.type", "Made.Up.Request")),
    "object for a list": _with(CORPUS["trigger on a screen device"], ("context.Viewport.touch", {"a": 1})),
    "string for an object": _with(CORPUS["launch"], ("context.System.device", "a string")),
    "no request type": _with(CORPUS["launch"], ("request", {"requestId": "x"})),
    "extra key shadowing an attribute": _with(CORPUS["launch"], ("request.object_type", "Sneaky")),
}


def sdk_result(data: Any) -> tuple[Any, Exception | None]:
    try:
        return SDK.deserialize(json.dumps(data), RequestEnvelope), None
    except SerializationException as exc:
        return None, exc


@pytest.fixture(scope="module")
def fast() -> Serializer:
    return Serializer()


@pytest.mark.parametrize("name", list(CORPUS))
def test_fast_path_equals_the_sdk_on_the_corpus(fast, name):
    data = CORPUS[name]
    expected, error = sdk_result(data)
    assert error is None, f"{name}: the corpus envelope itself should be valid for the SDK: {error}"
    try:
        built = fast.try_from_data(copy.deepcopy(data), RequestEnvelope)
    except Defer:
        if name in ("unknown extra keys",):
            return  # allowed either way; equality is checked when it builds
        pytest.fail(f"{name}: the fast path deferred on a well-formed envelope (it should handle it)")
    assert difference(expected, built) is None, f"{name}: {difference(expected, built)}"
    assert expected == built, f"{name}: the SDK's own __eq__ disagrees"


@pytest.mark.parametrize("name", list(ODD))
def test_odd_envelopes_go_to_the_sdk_and_end_the_same(fast, name):
    data = ODD[name]
    expected, error = sdk_result(data)
    try:
        built = fast.try_from_data(copy.deepcopy(data), RequestEnvelope)
    except Defer:
        built = None
    else:
        assert error is None, f"{name}: the fast path built an envelope the SDK rejects ({error})"
        assert difference(expected, built) is None, f"{name}: {difference(expected, built)}"
    # Through the public entry, the outcome is the SDK's either way.
    if error is None:
        result = fast.request_envelope(copy.deepcopy(data), json.dumps(data))
        assert difference(expected, result) is None, f"{name}: {difference(expected, result)}"
    else:
        with pytest.raises(SerializationException):
            fast.request_envelope(copy.deepcopy(data), json.dumps(data))


def test_the_drop_in_deserialize_matches_the_sdk_on_text(fast):
    for name, data in CORPUS.items():
        text = json.dumps(data)
        assert difference(SDK.deserialize(text, RequestEnvelope), fast.deserialize(text, RequestEnvelope)) is None, name
    with pytest.raises(SerializationException):
        fast.deserialize("not json", RequestEnvelope)
    assert fast.deserialize(None, RequestEnvelope) is None


# --- mutated envelopes --------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "NONE", "CONFIRMED", "ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "STARTED", "COMPLETED", "HUB", "ROUND",
            "LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest", "Simple", "List",
            "Alexa.Presentation.APL.UserEvent", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.5+05:30",
            "2024-13-01T10:00:00Z", "2024-05-01 10:00:00", "yesterday", "", "0", "1.5", "true",
        ]
    ),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
_KEYS = st.sampled_from(
    ["type", "value", "name", "id", "status", "code", "values", "slots", "slotValue", "resolutions", "attributes",
     "new", "timestamp", "locale", "object_type", "deserialized_types", "to_dict", "__dict__", "zzz", "Viewport"]
) | st.text(max_size=8)


def _locations(tree: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _locations(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _locations(value, (*path, index))
    return found


@st.composite
def mutated_envelopes(draw) -> dict[str, Any]:
    data = copy.deepcopy(draw(st.sampled_from(list(CORPUS.values()))))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        location = draw(st.sampled_from(_locations(data)[1:]))
        *parents, last = location
        node = data
        for part in parents:
            node = node[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "null"]))
        if action == "replace":
            node[last] = draw(_VALUES)
        elif action == "delete":
            del node[last]
        elif action == "null":
            node[last] = [None, node[last]] if draw(st.booleans()) else None
        elif isinstance(node[last], dict):
            node[last][draw(_KEYS)] = draw(_VALUES)
        elif isinstance(node[last], list):
            node[last].append(draw(_VALUES))
    return data


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_envelopes())
def test_mutated_envelopes_are_built_equal_or_deferred(data):
    fast = Serializer()
    expected, error = sdk_result(data)
    try:
        built = fast.try_from_data(copy.deepcopy(data), RequestEnvelope)
    except Defer:
        return
    assert error is None, f"the fast path built an envelope the SDK rejects ({error})"
    found = difference(expected, built)
    assert found is None, f"the fast path differs from the SDK at {found}"


# --- timestamps -----------------------------------------------------------------------------------

_ZONES = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])


@settings(max_examples=examples(300))
@given(
    moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=_ZONES),
    spec=st.sampled_from(["seconds", "milliseconds", "microseconds"]),
    zulu=st.booleans(),
)
def test_timestamps_parse_as_dateutil_parses_them(moment, spec, zulu):
    text = moment.isoformat(timespec=spec)
    if zulu and text.endswith("+00:00"):
        text = text[:-6] + "Z"
    parsed, expected = parse_timestamp(text), dateutil_parse(text)
    assert parsed is not None, f"{text!r} is a plain ISO timestamp and should not need dateutil"
    assert difference(expected, parsed) is None, f"{text!r}: {expected!r} != {parsed!r}"


@settings(max_examples=examples(300))
@given(text=st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?(Z|[+-][0-9]{2}:?[0-9]{2})?\Z") | st.text(max_size=30))
def test_any_text_parses_as_dateutil_or_is_left_to_it(text):
    parsed = parse_timestamp(text)
    if parsed is None:
        return
    expected = dateutil_parse(text)
    assert difference(expected, parsed) is None, f"{text!r}: dateutil {expected!r}, fast path {parsed!r}"


# --- responses ------------------------------------------------------------------------------------


def sdk_json(response: Any) -> Any:
    """The SDK's serialization of a response, for comparison.

    The APL document is the one value the skill hands over pre-encoded (:class:`Encoded`, which only
    this serializer writes): the SDK is given the same document as a plain dict.
    """
    body = getattr(response, "response", None) or response  # an envelope, or a response
    for directive in getattr(body, "directives", None) or ():
        if type(getattr(directive, "document", None)) is Encoded:
            directive.document = directive.document.value()
    return SDK.serialize(response)


@pytest.mark.parametrize("name", list(CORPUS))
def test_responses_serialize_exactly_as_the_sdk_serializes_them(skill, fast, name):
    request_envelope = SDK.deserialize(json.dumps(CORPUS[name]), RequestEnvelope)
    response = skill.invoke(request_envelope=request_envelope, context=InvocationContext())
    ours = json.dumps(fast.serialize(response))
    assert ours == json.dumps(sdk_json(response)), (
        f"{name}: the fast serializer's JSON differs from the SDK's"
    )


def test_odd_values_serialize_as_the_sdk_does(fast):
    from ask_sdk_model import Intent, IntentConfirmationStatus, Slot

    intent = Intent(name="X", confirmation_status=IntentConfirmationStatus.NONE, slots={"s": Slot(name="s", value="v")})
    odd = [
        intent,
        {"when": datetime(2024, 5, 1, tzinfo=timezone.utc), "money": Decimal("2.50"), "whole": Decimal("3")},
        (1, "two", [intent]),
        [None, b"bytes", 1.5, True],
    ]
    for value in odd:
        assert fast.serialize(value) == SDK.serialize(value), f"{value!r} serializes differently"


@pytest.mark.parametrize("name", list(CORPUS))
def test_responses_dump_to_the_same_json_text_as_the_sdk(skill, fast, name):
    request_envelope = SDK.deserialize(json.dumps(CORPUS[name]), RequestEnvelope)
    response = skill.invoke(request_envelope=request_envelope, context=InvocationContext())
    ours = fast.dumps(response)
    assert ours == json.dumps(sdk_json(response), ensure_ascii=False), (
        f"{name}: the one-pass dump differs from the SDK's serialize + json.dumps"
    )


def test_odd_values_dump_as_the_sdk_serializes_them(fast):
    from ask_sdk_model import Intent, IntentConfirmationStatus, Slot

    intent = Intent(name="X", confirmation_status=IntentConfirmationStatus.NONE, slots={"s": Slot(name="s", value="v")})
    for value in (intent, {"when": datetime(2024, 5, 1, tzinfo=timezone.utc), "money": Decimal("2.50")}, (1, [intent])):
        assert fast.dumps(value) == json.dumps(SDK.serialize(value), ensure_ascii=False), f"{value!r} dumps differently"
    with pytest.raises(TypeError):
        fast.dumps({"raw": b"bytes"})


def test_a_pre_encoded_value_dumps_and_serializes_as_its_plain_value(fast):
    document = {"type": "APL", "version": "1.1", "items": [{"text": "ü & <b>", "n": 1.5, "on": True}]}
    holder = {"directives": [{"document": Encoded(document)}, {"document": Encoded(document)}], "x": "y"}
    plain = {"directives": [{"document": document}, {"document": document}], "x": "y"}
    assert fast.dumps(holder) == json.dumps(plain, ensure_ascii=False)
    assert fast.serialize(holder) == plain
    copy_one = fast.serialize(holder)["directives"][0]["document"]
    copy_one["items"].clear()
    assert fast.serialize(holder) == plain, "each serialize gives a fresh copy: nothing shared can change"


def test_a_response_that_says_the_splice_mark_still_dumps_exactly(fast):
    """A text equal to the serializer's internal mark can't shift the pre-encoded values."""
    mark = "\x00encoded\x00"
    holder = {"said": mark, "document": Encoded({"a": [1, 2]}), "after": [mark, mark]}
    plain = {"said": mark, "document": {"a": [1, 2]}, "after": [mark, mark]}
    assert fast.dumps(holder) == json.dumps(plain, ensure_ascii=False)


def test_session_attributes_deep_copy_as_the_sdk_needs(fast):
    """The SDK deep-copies the session attributes so the handlers' changes never reach the request:
    the fast copy must be as deep, and equal."""
    from ask_sdk_core.attributes_manager import AttributesManager

    attributes = {"last": {"lines": ["a", "b"], "n": 1, "x": None, "ok": True, "f": 1.5},
                  "triage": {"a": [["q1", "no"], ["q2", "unsure"]], "u": 1}, "pending": "triage"}
    body = {**CORPUS[next(iter(CORPUS))], "session": {"new": False, "sessionId": "s", "attributes": attributes,
                                                      "application": {"applicationId": "a"}, "user": {"userId": "u"}}}
    envelope = fast.request_envelope(json.loads(json.dumps(body)))
    manager = AttributesManager(request_envelope=envelope)
    copied = manager.session_attributes
    assert copied == attributes and type(copied) is dict
    copied["last"]["lines"].append("c")
    copied["triage"]["a"][0][1] = "yes"
    assert envelope.session.attributes == attributes, "changing the copy changed the request"
