"""The one response check every test uses (taimos/ask-sdk-test's validator, for this skill)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

MAX_SPEECH_CHARS = 8000
MAX_RESPONSE_BYTES = 24 * 1024
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def ssml_text(ssml: str) -> str:
    """The text inside an SSML document; fails the test if it is not well-formed."""
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as exc:
        raise AssertionError(f"SSML is not well-formed XML ({exc}): {ssml!r}") from None
    assert root.tag == "speak", f"SSML must be wrapped in <speak>: {ssml!r}"
    return " ".join("".join(root.itertext()).split())


def assert_valid_response(envelope: dict[str, Any]) -> None:
    """Fail with a sentence saying what broke if the response breaks Alexa's or the skill's rules."""
    size = len(json.dumps(envelope).encode("utf-8"))
    assert size <= MAX_RESPONSE_BYTES, f"response is {size} bytes, over Alexa's {MAX_RESPONSE_BYTES}"
    assert envelope.get("version") == "1.0", f"response version must be 1.0: {envelope.get('version')!r}"
    response = envelope.get("response")
    assert isinstance(response, dict), "response envelope has no response object"
    output = response.get("outputSpeech")
    if output is None:
        assert response.get("reprompt") is None, "a reprompt without speech"
        return
    assert output.get("type") == "SSML", f"speech must be SSML: {output!r}"
    ssml = output["ssml"]
    assert len(ssml) <= MAX_SPEECH_CHARS, f"speech is {len(ssml)} characters, over {MAX_SPEECH_CHARS}"
    text = ssml_text(ssml)
    assert text, "speech is empty"
    texts = [text]
    card = response.get("card")
    if card is not None:
        texts += [card.get("title", ""), card.get("content", "")]
        assert card.get("title") and card.get("content"), f"a card needs a title and text: {card!r}"
    open_session = response.get("shouldEndSession") is False
    if open_session:
        reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
        assert reprompt, f"the session stays open but there is no reprompt: {text!r}"
        texts.append(ssml_text(reprompt))
        assert text.rstrip().endswith("?"), f"the session stays open but the speech asks nothing: {text!r}"
    else:
        assert response.get("shouldEndSession") is True, "a response with speech must say whether the session ends"
        assert not text.rstrip().endswith("?"), f"the session ends on a question: {text!r}"
    for piece in texts:
        assert not _PLACEHOLDER.search(piece), f"an unfilled placeholder in {piece!r}"
