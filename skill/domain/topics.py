"""Topics (domain layer): answers read from content, spoken a page (three items) at a time.

Answer first: a topic marked ``emergency_first`` (one that names warning signs) opens its first page
with the shared emergency line, before its intro, so the emergency number comes in the first words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from skill.domain.content import Content
from skill.domain.errors import ContentError

PAGE_SIZE = 3
#: The shared emergency line (top-level content key): said first by topics marked ``emergency_first``.
EMERGENCY_LINE = "emergency_line"
#: "If this is an emergency, call ... now.": said last by an answer marked ``safety_line``, one whose
#: sources do not cover the question (it says so, and offers what it can).
SAFETY_LINE = "emergency.safety_line"


@dataclass(frozen=True)
class Page:
    """One turn's worth of a topic: what to say, and where the next page starts (None: no more)."""

    key: str
    title: str
    lines: tuple[str, ...]
    next_start: int | None
    #: The points of this page (without the intro), for screens.
    points: tuple[str, ...]


def topic_key(kind: str, topic_id: str) -> str:
    """The content key of a topic (``topics.causes``) or a trigger (``triggers.caffeine``)."""
    if kind not in {"topic", "trigger"}:
        raise ContentError(f"unknown topic kind {kind!r}")
    return f"{'topics' if kind == 'topic' else 'triggers'}.{topic_id}"


def page(content: Content, kind: str, topic_id: str, start: int = 0, size: int = PAGE_SIZE) -> Page:
    """The page of a topic that starts at item ``start``; the intro is spoken with the first page.

    A topic may hold fewer items on its first page (``first_page_items``), so that its intro (and
    the emergency line) still fit one turn.
    """
    key = topic_key(kind, topic_id)
    node = content.node(key)
    if not isinstance(node, Mapping):
        raise ContentError(f"content key {key!r} is not a topic for {content.tag}")
    items = [content.format(item["say"]) for item in node.get("items", ())]
    start = max(0, min(start, len(items)))
    if start == 0 and isinstance(node.get("first_page_items"), int):
        size = max(1, node["first_page_items"])  # at least one, so "more" moves on
    points = tuple(items[start : start + size])
    lines = list(points)
    if start == 0 and node.get("intro"):
        lines.insert(0, content.format(node["intro"]))
    if start == 0 and node.get("emergency_first"):
        lines.insert(0, content.format(content.node(EMERGENCY_LINE)["say"]))
    end = start + size
    if node.get("safety_line") and end >= len(items):
        lines.append(content.text(SAFETY_LINE))
    return Page(
        key=key,
        title=content.format(node.get("title", "")),
        lines=tuple(lines),
        next_start=end if end < len(items) else None,
        points=points,
    )
