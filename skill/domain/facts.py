"""Facts (domain layer): the answer to a focused question about one thing, read from content.

``content/<lang>/facts.yaml`` has two sections. ``things.<id>`` says how the skill names each thing
it can talk about (the ids are the values of the THING slot type), its card title, the topic a
"yes" to the follow-up leads to, and whether the answer opens with the emergency line.
``facts.<key>`` are the facts, each ``about:`` one thing id or a list of them, with a ``source:``.
An answer is every fact about the thing, in content order, so the first one names the subject.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skill.domain.content import Content, ContentError
from skill.domain.topics import EMERGENCY_LINE


@dataclass(frozen=True)
class FactAnswer:
    """What to say about one thing: the lines in order, the sources they cite, what to offer next."""

    thing: str
    name: str
    title: str
    lines: tuple[str, ...]
    sources: tuple[str, ...]
    #: The related topic a "yes" to ``offer`` answers (None: no offer).
    topic: str | None
    offer: str | None


def about_ids(fact: Mapping[str, Any]) -> tuple[str, ...]:
    """The thing ids a fact is about (``about:`` is one id or a list)."""
    about = fact.get("about")
    if isinstance(about, str):
        return (about,)
    if isinstance(about, list | tuple):
        return tuple(str(a) for a in about)
    return ()


def source_ids(node: Mapping[str, Any]) -> tuple[str, ...]:
    source = node.get("source")
    if isinstance(source, str):
        return (source,)
    return tuple(str(s) for s in source) if isinstance(source, list | tuple) else ()


def thing_ids(content: Content) -> tuple[str, ...]:
    """Every thing the content can talk about."""
    things = content.node("things") if content.has("things") else {}
    return tuple(things) if isinstance(things, Mapping) else ()


def facts_about(content: Content, thing: str) -> tuple[Mapping[str, Any], ...]:
    """The facts about one thing: its own first (``about:`` it, or a list that starts with it), then
    the ones it shares with other things, each group in content order."""
    facts = content.node("facts") if content.has("facts") else {}
    if not isinstance(facts, Mapping):
        raise ContentError(f"content key 'facts' is not a mapping for {content.tag}")
    about = [fact for fact in facts.values() if isinstance(fact, Mapping) and thing in about_ids(fact)]
    own = [fact for fact in about if about_ids(fact)[0] == thing]
    return (*own, *(fact for fact in about if about_ids(fact)[0] != thing))


def emergency_first(content: Content) -> tuple[str, tuple[str, ...]]:
    """The emergency line as this locale says it, and its sources."""
    node = content.node(EMERGENCY_LINE)
    return content.format(node["say"]), source_ids(node)


def trigger_named(content: Content, said: str | None) -> str | None:
    """The trigger a spoken value names ("does magnesium help?" heard with no THING match), if any.

    Triggers are their own slot type; a question shaped like a fact question can still name one.
    """
    spoken = " ".join((said or "").lower().split())
    triggers = content.node("triggers") if content.has("triggers") else {}
    if not spoken or not isinstance(triggers, Mapping):
        return None
    for trigger_id, node in triggers.items():
        name = str(node.get("name", "")).lower() if isinstance(node, Mapping) else ""
        if spoken in {trigger_id.replace("_", " "), name}:
            return trigger_id
    return None


def answer(content: Content, thing: str | None) -> FactAnswer | None:
    """The answer about ``thing``; None when the content has no facts about it (an unknown thing)."""
    if not thing or thing not in thing_ids(content):
        return None
    facts = facts_about(content, thing)
    if not facts:
        return None
    meta = content.node(f"things.{thing}")
    lines: list[str] = []
    sources: list[str] = []
    if meta.get("emergency_first"):
        line, line_sources = emergency_first(content)
        lines.append(line)
        sources.extend(line_sources)
    for fact in facts:
        lines.append(content.format(fact["say"]))
        sources.extend(s for s in source_ids(fact) if s not in sources)
    topic = meta.get("topic")
    offer_key = f"facts_help.offer.{topic}"
    has_offer = bool(topic) and content.has(offer_key)
    return FactAnswer(
        thing=thing,
        name=content.format(meta.get("name", thing)),
        title=content.format(meta.get("title", "")),
        lines=tuple(lines),
        sources=tuple(dict.fromkeys(sources)),
        topic=topic if has_offer else None,
        offer=content.text(offer_key) if has_offer else None,
    )
