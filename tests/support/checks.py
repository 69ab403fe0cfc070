"""The one response check every test uses: the certification self-check's rules
(:func:`skill.tools.checks.selfcheck.response_problems`), so the suite and ``validate --certification``
hold every response to the same limits (defined once, in :mod:`skill.alexa.speech`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skill.tools.checks.selfcheck import response_problems
from skill.tools.session import parse_ssml


def ssml_text(ssml: str) -> str:
    """The text inside an SSML document; fails the test if it is not well-formed SSML in <speak>."""
    text, error = parse_ssml(ssml)
    assert error is None, f"{error}: {ssml!r}"
    return text or ""


def assert_valid_response(envelope: dict[str, Any], log: Mapping[str, str] | None = None) -> None:
    """Fail with a sentence saying what broke if the response breaks Alexa's or the skill's rules."""
    problems = response_problems(envelope, log)
    assert not problems, f"the response breaks Alexa's or the skill's rules: {'; '.join(problems)}"
