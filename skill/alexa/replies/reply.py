"""The reply (Alexa layer): one turn of the skill as structured output, before it is Alexa JSON.

Handlers and the reply builders return a :class:`Reply`; :mod:`skill.alexa.speech` renders it (SSML,
card) and :mod:`skill.alexa.screens` renders its :class:`Screen` (APL). Neither renderer is needed to
build one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Screen:
    """What a device with a screen shows alongside the speech."""

    title: str
    points: tuple[str, ...] = ()
    #: For a triage outcome: the disposition level key and the emergency number to show large.
    level: str | None = None
    emphasis: str | None = None


@dataclass(frozen=True)
class Reply:
    """One turn of the skill, before it is Alexa JSON.

    ``lines`` are spoken in order; ``question`` is spoken last and keeps the session open, with
    ``reprompt`` said if the user stays silent. A reply without a question ends the session.
    """

    lines: tuple[str, ...]
    question: str | None = None
    reprompt: str | None = None
    card_title: str | None = None
    card_text: str | None = None
    screen: Screen | None = None
    #: Only for replies that must not end the session and ask nothing (none so far).
    end_session: bool | None = None

    @property
    def text(self) -> str:
        """Everything spoken, as plain text."""
        return join_lines((*self.lines, self.question) if self.question else self.lines)

    @property
    def keeps_session_open(self) -> bool:
        return self.end_session is False or (self.end_session is None and self.question is not None)

    def to_session(self) -> dict[str, Any]:
        """A JSON-safe copy for the ``last`` session attribute (Repeat): the fields that are set.

        Written out rather than ``dataclasses.asdict`` (which deep-copies every value): it runs on
        every turn, and every value here is already an immutable text or tuple of texts.
        """
        data: dict[str, Any] = {}
        if self.lines:
            data["lines"] = self.lines
        for name in ("question", "reprompt", "card_title", "card_text"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.screen is not None:
            screen = self.screen
            data["screen"] = {"title": screen.title, "points": screen.points, "level": screen.level,
                              "emphasis": screen.emphasis}
        if self.end_session is not None:
            data["end_session"] = self.end_session
        return data

    @classmethod
    def from_session(cls, raw: object) -> Reply | None:
        """Rebuild a stored reply; None when the attribute is missing or malformed."""
        if not isinstance(raw, Mapping):
            return None
        lines = raw.get("lines")
        if not isinstance(lines, list | tuple) or not all(isinstance(x, str) for x in lines):
            return None
        text_fields = ("question", "reprompt", "card_title", "card_text")
        if any(raw.get(name) is not None and not isinstance(raw.get(name), str) for name in text_fields):
            return None
        screen = raw.get("screen")
        try:
            screen_obj = (
                Screen(**{**screen, "points": tuple(screen.get("points", ()))})
                if isinstance(screen, Mapping)
                else None
            )
        except TypeError:
            screen_obj = None
        return cls(
            lines=tuple(lines),
            screen=screen_obj,
            end_session=raw.get("end_session") if isinstance(raw.get("end_session"), bool) else None,
            **{name: raw.get(name) for name in text_fields},
        )


def join_lines(lines: tuple[str, ...] | list[str]) -> str:
    return " ".join(line.strip() for line in lines if line and line.strip())
