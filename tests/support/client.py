"""The test suite's view of :mod:`skill.tools.session`: every response a test gets through a
:class:`Conversation` passes the one response check, and speech is read as text only if well-formed."""

from __future__ import annotations

from typing import Any

from skill.alexa.invoker import Skill
from skill.tools import session
from skill.tools.session import ends_session, invoke  # noqa: F401 - the suite drives the skill with these
from tests.support.checks import assert_valid_response, ssml_text


def speech(response: dict[str, Any]) -> str:
    """The spoken text of a response, without SSML tags (fails the test on malformed SSML)."""
    ssml = session.speech_ssml(response)
    return ssml_text(ssml) if ssml else ""


def reprompt(response: dict[str, Any]) -> str:
    ssml = session.reprompt_ssml(response)
    return ssml_text(ssml) if ssml else ""


class Conversation(session.Conversation):
    """A multi-turn session whose every response must pass :func:`assert_valid_response`."""

    def __init__(self, skill: Skill, locale: str = "en-US", interfaces: dict[str, Any] | None = None) -> None:
        super().__init__(skill, locale, interfaces, check=assert_valid_response)
