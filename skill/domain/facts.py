"""Facts (domain layer): the answer to a focused question about one thing, read from content.

``content/<lang>/facts.yaml`` has two sections. ``things.<id>`` says how the skill names each thing
it can talk about (the ids are the values of the THING slot type), its card title, the topic a
"yes" to the follow-up leads to, and whether the answer opens with the emergency line.
``facts.<key>`` are the facts, each ``about:`` one thing id or a list of them, with a ``source:``.
An answer is every fact about the thing, in content order, so the first one names the subject.

A slot on a device takes any words. When a thing or trigger does not resolve, :func:`route` reads
those words against the content's ``routing`` list: they point to one answer (given), to two or
three equally (one question naming them), or nowhere (the closest answers are offered).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from skill.domain.content import Content
from skill.domain.errors import ContentError
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


#: Things a topic question names in passing: "is it serious? should I see my GP?", "why does it twitch
#: at bedtime?", "when should I see someone, and how long does it last?". Every other thing outranks the
#: topic when a topic question names it: "is my twitch a sign of a stroke?", "could Bell's palsy cause
#: it?", "does a warm compress help or is it serious?" want that thing's facts, not the general page.
INCIDENTAL_THINGS = frozenset({"family_doctor", "which_specialist", "tests", "duration", "medical_name", "nerve_muscle"})


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


def treatment_of(content: Content, thing: str | None) -> str | None:
    """The thing whose facts say how ``thing`` is treated (``things.<id>.treatment``), else ``thing`` itself."""
    if not thing or thing not in thing_ids(content):
        return thing
    linked = content.node(f"things.{thing}").get("treatment")
    return str(linked) if linked and linked in thing_ids(content) else thing


def specific_answer(content: Content, thing: str | None) -> FactAnswer | None:
    """The answer about ``thing`` when it outranks a topic (not :data:`INCIDENTAL_THINGS`), else None."""
    return None if thing in INCIDENTAL_THINGS else answer(content, thing)


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


# --- routing an unresolved question ---------------------------------------------------------------

#: The content list of answers an unresolved question can go to (see content/en/facts.yaml).
ROUTING = "routing"
ROUTE_KINDS = ("topic", "trigger", "thing")
#: At most this many answers are named in one turn (a list of three, one breath).
MAX_OPTIONS = 3
#: A cue word this short must be a whole heard word; a longer one matches the start of a word.
_SHORT = 3
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold_words(text: str | None) -> tuple[str, ...]:
    """Lowercase words without accents or apostrophes ("What's" -> "whats", "¿Cuánto?" -> "cuanto")."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower().replace("'", "").replace("\u2019", ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(_NOT_WORD.sub(" ", plain).split())


@dataclass(frozen=True)
class Target:
    """An answer an unresolved question can go to: a topic, a trigger or a thing, and how to name it."""

    kind: str
    id: str
    name: str
    #: Cues, each a run of folded words.
    cues: tuple[tuple[str, ...], ...]
    #: Its words count only when no other answer's do (the twitch itself: "what exactly is a nose twitch").
    weak: bool = False


@dataclass(frozen=True)
class Route:
    """Where an unresolved question goes.

    ``answer``: the words point to one target (the first). ``clarify``: they point to two or three
    equally; ask which. ``offer``: they point nowhere; name the closest targets (none heard: the
    content's first three).
    """

    kind: str
    targets: tuple[Target, ...]


def routing_targets(content: Content) -> tuple[Target, ...]:
    """Every routing target the content lists, in content order (unknown targets are skipped)."""
    raw = content.node(ROUTING) if content.has(ROUTING) else ()
    out = []
    for entry in raw if isinstance(raw, list | tuple) else ():
        kind, _, target_id = str(entry.get("to", "")).partition(".")
        section = f"{kind}s"  # topics, triggers, things
        if kind not in ROUTE_KINDS or not target_id or not content.has(f"{section}.{target_id}"):
            continue
        name = entry.get("name") or content.node(f"{section}.{target_id}").get("name", target_id)
        cues = tuple(fold_words(cue) for cue in str(entry.get("words", "")).split(",") if fold_words(cue))
        out.append(Target(kind, target_id, content.format(str(name)), cues, bool(entry.get("weak"))))
    return tuple(out)


def _matches(heard: tuple[str, ...], at: int, cue: tuple[str, ...]) -> bool:
    if at + len(cue) > len(heard):
        return False
    return all(heard[at + k] == word if len(word) <= _SHORT else heard[at + k].startswith(word)
               for k, word in enumerate(cue))


def _covered(heard: tuple[str, ...], target: Target) -> int:
    """How many heard words the target's cues cover."""
    covered: set[int] = set()
    for cue in target.cues:
        for at in range(len(heard)):
            if _matches(heard, at, cue):
                covered.update(range(at, at + len(cue)))
    return len(covered)


def _trigrams(words: Sequence[str]) -> set[str]:
    text = f" {' '.join(words)} "
    return {text[i : i + 3] for i in range(len(text) - 2)}


def route(content: Content, said: str | None, prefer: str | None = None) -> Route:
    """Where the words of an unresolved slot point (see :class:`Route`).

    ``prefer`` (``thing`` or ``trigger``) breaks a tie: the slot's own kind says what was asked
    about ("haven't been sleeping well, is that why?" heard as a trigger question is about sleep,
    not about causes in general).
    """
    targets = routing_targets(content)
    heard = fold_words(said)
    if not heard:  # nothing to go on: the first answers of the kind asked about (else the first ones)
        own = tuple(t for t in targets if t.kind == prefer)
        return Route("offer", (own or targets)[:MAX_OPTIONS])
    scored = [(_covered(heard, t), i, t) for i, t in enumerate(targets)]
    if any(score for score, _, t in scored if not t.weak):
        scored = [(0 if t.weak else score, i, t) for score, i, t in scored]
    best = max((score for score, _, _ in scored), default=0)
    if best == 0:
        grams = _trigrams(heard)

        def closeness(target: Target) -> float:
            theirs = _trigrams([target.name.lower(), *(" ".join(c) for c in target.cues)])
            return len(grams & theirs) / len(grams | theirs) if grams | theirs else 0.0

        ranked = sorted(enumerate(targets), key=lambda it: (-closeness(it[1]), it[0]))
        return Route("offer", tuple(t for _, t in ranked[:MAX_OPTIONS]))
    top = tuple(t for score, _, t in scored if score == best)
    preferred = tuple(t for t in top if t.kind == prefer)
    if len(preferred) == 1:
        return Route("answer", preferred)
    return Route("answer", top[:1]) if len(top) == 1 else Route("clarify", top[:MAX_OPTIONS])


def spoken_list(content: Content, names: Sequence[str]) -> str:
    """Two or three names joined for the ear ("a, b, or c"), as the language says it."""
    names = list(names)[:MAX_OPTIONS]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return content.text("facts_help.list_two", first=names[0], second=names[1])
    return content.text("facts_help.list_three", first=names[0], second=names[1], third=names[2])
