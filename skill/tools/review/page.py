"""Content review page (tools layer): ``nose-twitch review`` writes one HTML page for sign-off.

The page shows, per locale, everything the skill can say, with placeholders filled the way that
locale fills them: the symptom check (a diagram of its flow, every question with its reprompt
and its "why", every outcome), every topic and trigger in the turns it is spoken in, and every
other line. Each fact shows the sources it cites. The page is built from the same content and
the same triage :class:`~skill.domain.triage.Protocol` the skill runs on: the diagram's arrows
are found by driving the triage engine itself, not drawn by hand.

One self-contained file: inline CSS and SVG, no scripts, no network. The page's own headings are
English (it is a tool for the team and its reviewing clinician); the skill's words are the
content's own.

The markup lives in Jinja2 templates (``templates/``, shipped as package data, autoescaped): the page
(``page.html.j2`` with ``page.css``), one locale's part (``locale.html.j2``) and the flow diagram
(``flow.svg.j2``). This module builds their view models: :meth:`LocaleReview.view` walks the content
in page order (counting what is shown and which facts cite which source), :func:`flow_view` does the
diagram's layout arithmetic.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from skill.alexa.replies.triage import TriageTexts, outcome_details
from skill.alexa.replies.triage import outcome as triage_outcome
from skill.config import SkillConfig
from skill.domain.content import DEFAULT_LANGUAGE, Content, ContentStore, placeholders
from skill.domain.errors import ContentError
from skill.domain import facts
from skill.domain.topics import EMERGENCY_LINE, page
from skill.domain.triage import Answer, Ask, Level, Outcome, Protocol, TriageState, answer, next_step
from skill.tools.models import InteractionModel, ModelError, load_model, model_paths

DEFAULT_OUT = Path("review.html")

#: Disposition colours, used only inside the flow diagram (elsewhere the page uses tints).
LEVEL_COLOURS: Mapping[Level, str] = {
    Level.EMERGENCY: "#d32f2f",
    Level.URGENT: "#ef6c00",
    Level.SOON: "#ffb300",
    Level.ROUTINE: "#1976d2",
    Level.SELF_CARE: "#388e3c",
}
_TEXT_ON: Mapping[Level, str] = {level: "#212121" if level == Level.SOON else "#ffffff" for level in Level}
ANSWER_WORDS: Mapping[Answer, str] = {Answer.YES: "yes", Answer.UNSURE: "not sure", Answer.NO: "no"}
_ANSWER_ORDER = (Answer.YES, Answer.UNSURE, Answer.NO)
#: Content keys that hold ids or flags, not words anyone hears.
_NOT_WORDS = frozenset({"source", "id", "level", "yes_topic", "offers_check", "about", "topic", "emergency_first", "to",
                        "treatment", "weak"})
#: Top-level content sections with their own part of the page.
_OWN_PART = ("triage", "topics", "triggers", "trigger_help", "manifest", "sources", "clinical_sources",
             "emergency", "locale", "things", "facts", "facts_help", "emergency_line", "routing")


# --- the triage flow, from the engine ---------------------------------------------------------


def outcome_node(level: Level) -> str:
    """The diagram node id of a disposition."""
    return f"outcome:{level.key}"


@dataclass(frozen=True)
class FlowEdge:
    """One arrow: from a question, on these answers, to the next question or a disposition."""

    source: str
    target: str
    answers: tuple[Answer, ...]

    @property
    def label(self) -> str:
        return " / ".join(ANSWER_WORDS[a] for a in _ANSWER_ORDER if a in self.answers)


def triage_flow(protocol: Protocol) -> tuple[FlowEdge, ...]:
    """Every arrow of the check, found by answering each question every way through the engine."""
    found: dict[tuple[str, str], set[Answer]] = defaultdict(set)
    order: list[tuple[str, str]] = []
    frontier, seen = [TriageState()], set()
    while frontier:
        state = frontier.pop(0)
        if state in seen:
            continue
        seen.add(state)
        step = next_step(protocol, state)
        if not isinstance(step, Ask):
            continue
        for ans in _ANSWER_ORDER:
            new_state, new_step = answer(protocol, state, ans)
            if isinstance(new_step, Ask):
                target = new_step.question.id
                frontier.append(new_state)
            else:
                target = outcome_node(new_step.level)
            key = (step.question.id, target)
            if key not in found:
                order.append(key)
            found[key].add(ans)
    return tuple(FlowEdge(s, t, tuple(a for a in _ANSWER_ORDER if a in found[(s, t)])) for s, t in order)


# --- text helpers -----------------------------------------------------------------------------


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _tint(colour: str, amount: float = 0.82) -> str:
    """The colour mixed with white: a background that is never the diagram's exact colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in (r, g, b))


def _sources(node: object) -> tuple[str, ...]:
    if not isinstance(node, Mapping) or "source" not in node:
        return ()
    source = node["source"]
    return (source,) if isinstance(source, str) else tuple(str(s) for s in source)


def _walk(node: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every ``(dotted.key, text)`` of a (frozen) content tree."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _walk(value, f"{prefix}.{index}")
    elif isinstance(node, str):
        yield prefix, node


def _is_words(key: str) -> bool:
    parts = key.split(".")
    return not any(part in _NOT_WORDS for part in parts)


# --- one locale -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A row of a lines table: a text with its label, key and sources, or (``heading``) a sub-heading."""

    label: str
    key: str = ""
    text: str = ""
    sources: tuple[str, ...] = ()
    heading: bool = False


@dataclass
class LocaleReview:
    """Renders one locale's part of the page and remembers which texts it has shown."""

    locale: str
    content: Content
    protocol: Protocol
    params: Mapping[str, str] = field(default_factory=dict)
    shown: set[str] = field(default_factory=set)
    cited: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: How people say an emergency in this locale: the model's EmergencyIntent samples and slot values.
    emergency_phrasings: tuple[str, ...] = ()

    @property
    def dom(self) -> str:
        return f"l-{self.locale}"

    def fill(self, text: str) -> str:
        """The text as the locale says it; a placeholder filled only at run time shows as ⟨name⟩."""
        try:
            names = placeholders(text)
        except ContentError:
            return text
        extra = {n: f"⟨{n}⟩" for n in names if n not in self.content.locale_params and n not in self.params}
        return self.content.format(text, **{**self.params, **extra})

    def say(self, key: str) -> str:
        """The filled text at a key (marked as shown); the template escapes it."""
        value = self.content.node(key)
        self.shown.add(key)
        return self.fill(value) if isinstance(value, str) else ""

    def badges(self, key: str, node: object | None = None) -> tuple[str, ...]:
        """The source ids a node cites (each citation remembered for the source list)."""
        node = self.content.node(key) if node is None else node
        ids = _sources(node)
        for source in ids:
            self.cited[source].append(key)
        return ids

    def line(self, key: str, label: str | None = None, *, sources_of: str | None = None) -> Line:
        sources = self.badges(sources_of) if sources_of else ()
        label = label if label is not None else key.rsplit(".", 1)[-1].replace("_", " ")
        return Line(label=label, key=key, text=self.say(key), sources=sources)

    def lines(self, key: str, *, skip: Iterable[str] = ()) -> list[Line]:
        """Every text below a key, in content order (lists numbered, facts with sources, a sub-mapping
        as a heading line and then its own lines)."""
        node = self.content.node(key)
        rows: list[Line] = []
        for sub, value in node.items():
            if sub in _NOT_WORDS or sub in skip:
                continue
            sub_key = f"{key}.{sub}"
            if isinstance(value, str):
                rows.append(self.line(sub_key))
            elif isinstance(value, tuple):
                for index, item in enumerate(value):
                    item_key = f"{sub_key}.{index}"
                    if isinstance(item, str):
                        rows.append(self.line(item_key, f"{sub.replace('_', ' ')} {index + 1}"))
                    elif isinstance(item, Mapping) and isinstance(item.get("say"), str):
                        rows.append(self.line(f"{item_key}.say", f"{sub.replace('_', ' ')} {index + 1}", sources_of=item_key))
            elif isinstance(value, Mapping):
                rows.append(Line(label=sub.replace("_", " "), heading=True))
                rows += self.lines(sub_key)
        return rows

    # --- the view model, part by part, in page order (what is shown and cited is counted as it goes) ---

    def view(self) -> dict[str, Any]:
        """Everything templates/locale.html.j2 shows for this locale, built in the page's order."""
        view: dict[str, Any] = {"locale": self.locale, "dom": self.dom, "tag": self.content.tag}
        view["intro"] = [self.line(f"locale.{k}", k.replace("_", " ")) for k in self.content.node("locale")]
        view["emergency"] = self._emergency()
        view["questions"] = self._questions()
        view["sign_words"] = self.lines("triage.signs") if self.content.has("triage.signs") else None
        view["symptoms"] = self._symptoms()
        view["outcomes"] = self._outcomes()
        view["triage_texts"] = self.lines("triage.texts")
        view["topics"] = self._topics("topic", "topics", "Topics")
        view["triggers"] = self._topics("trigger", "triggers", "Triggers")
        view["facts"] = self._facts()
        view["conversation"] = self._conversation()
        view["listing"] = self.lines("manifest", skip=("connecting_words",)) if self.content.has("manifest") else None
        view["sources"] = self._sources()
        view["others"] = self._others()
        return view

    def _emergency(self) -> dict[str, Any]:
        """The emergency answer as spoken, its lines, and the phrasings that reach it."""
        from skill.alexa.replies.emergency import emergency_reply

        reply = emergency_reply(self.content, stroke=True)
        return {"spoken": reply.text, "lines": self.lines("emergency"), "phrasings": self.emergency_phrasings}

    def _questions(self) -> list[dict[str, Any]]:
        questions = []
        for index, question in enumerate(self.protocol.questions):
            key = f"triage.questions.{index}"
            questions.append({
                "number": index + 1, "id": question.id, "level": question.level.key,
                "tint": _tint(LEVEL_COLOURS[question.level]),
                "ask": self.say(key + ".ask"), "reprompt": self.say(key + ".reprompt"), "why": self.say(key + ".why"),
                # The reason the outcome speaks when this question led to it (spoken only, never on a
                # card); none for the emergency questions, whose outcome is the emergency answer.
                "reason": self.say(key + ".reason") if self.content.has(key + ".reason") else None,
                "signs": self._signs(key, question.signs),
                "sources": self.badges(key),
            })  # fmt: skip
        return questions

    def _signs(self, key: str, signs: Sequence[str]) -> str:
        """The sign ids a question names (validate checks its ask and reprompt name exactly these)."""
        self.shown.update(f"{key}.signs.{index}" for index in range(len(signs)))
        return ", ".join(signs)

    def _symptoms(self) -> dict[str, Any]:
        names = self.content.node("triage.symptom_names") if self.content.has("triage.symptom_names") else {}
        rows = []
        for symptom in names:
            name = self.say(f"triage.symptom_names.{symptom}")
            question_id = self.protocol.symptom_map.get(symptom)
            again_id = self.protocol.reask_map.get(symptom)
            self.shown.add(f"triage.reask.{symptom}")
            rows.append({"id": symptom, "name": name, "answers": self._question_link(question_id),
                         "again": self._question_link(again_id)})
        return {
            "rows": rows,
            "min_days": self.protocol.duration_min_days,
            "duration": self._question_link(self.protocol.duration_question),
            "sources": self.badges("triage.duration", self.content.node("triage.duration")),
        }

    def _question_link(self, question_id: str | None) -> dict[str, Any] | None:
        if question_id is None:
            return None
        return {"id": question_id, "number": self.protocol.index(question_id) + 1}

    def _outcomes(self) -> list[dict[str, Any]]:
        outcomes = []
        for level in Level:
            key = f"triage.outcomes.{level.key}"
            if not self.content.has(key):
                outcomes.append({"missing": True, "level": level.key})
                continue
            outcomes.append({
                "missing": False, "level": level.key, "tint": _tint(LEVEL_COLOURS[level], 0.88),
                "name": level.key.replace("_", " "), "title": self.say(key + ".card_title"),
                "sources": self.badges(key), "lines": self.lines(key, skip=("card_title",)),
                "turns": self._outcome_turns(level),
            })  # fmt: skip
        return outcomes

    def _outcome_turns(self, level: Level) -> list[str]:
        """The outcome as the skill speaks it (built by the skill's own reply code), turn by turn."""
        texts = TriageTexts(content=self.content, protocol=self.protocol)
        # An example: the first question of the level answered yes (its reason is spoken).
        example = tuple(q.id for q in self.protocol.questions if q.level == level)[:1]
        reasons = example if level not in (Level.EMERGENCY, Level.SELF_CARE) else ()
        first = triage_outcome(texts, TriageState(), Outcome(level=level, reasons=reasons, to_be_safe=False))
        turns = [first, outcome_details(texts, level)] if first.question else [first]
        return [reply.text for reply in turns]

    def _topics(self, kind: str, section: str, heading: str) -> dict[str, Any] | None:
        if not self.content.has(section):
            return None
        topics = []
        for topic_id, node in self.content.node(section).items():
            key = f"{section}.{topic_id}"
            items = node.get("items", ())
            turns, start = [], 0
            while True:
                current = page(self.content, kind, topic_id, start)
                lines = []
                if start == 0 and node.get("intro"):
                    lines.append({"intro": True, "text": self.say(key + ".intro"), "sources": self.badges(key)})
                for offset in range(len(current.points)):
                    item_key = f"{key}.items.{start + offset}"
                    lines.append({"intro": False, "text": self.say(item_key + ".say"),
                                  "sources": self.badges(item_key, items[start + offset])})
                closing_key = "more" if current.next_start is not None else ("trigger_help" if kind == "trigger" else key)
                closing = self.say(closing_key + (".question" if closing_key == "more" else ".followup"))
                turns.append({"said": lines, "closing": closing, "reprompt": self.say(closing_key + ".reprompt")})
                if current.next_start is None:
                    break
                start = current.next_start
            topics.append({
                "id": topic_id, "turns": turns, "yes_topic": node.get("yes_topic"),
                "offers_check": bool(node.get("offers_check")),
                "name": self.say(key + ".name") if "name" in node else None, "title": self.say(key + ".title"),
            })  # fmt: skip
        help_lines = self.lines("trigger_help") if kind == "trigger" and self.content.has("trigger_help") else None
        return {"heading": heading, "section": section, "topics": topics, "help_lines": help_lines}

    def _facts(self) -> dict[str, Any] | None:
        """Each thing the skill can be asked about, with its facts (and their sources) as spoken."""
        if not self.content.has("things"):
            return None
        emergency_line = None
        if self.content.has(EMERGENCY_LINE):
            emergency_line = {"text": self.say(EMERGENCY_LINE + ".say"), "sources": self.badges(EMERGENCY_LINE)}
        fact_keys = {id(node): key for key, node in self.content.node("facts").items()}
        things = []
        for thing in facts.thing_ids(self.content):
            said = []
            for node in facts.facts_about(self.content, thing):
                key = f"facts.{fact_keys[id(node)]}"
                said.append({"text": self.say(key + ".say"), "sources": self.badges(key, node)})
            topic = self.content.node(f"things.{thing}").get("topic")
            things.append({
                "id": thing, "emergency_first": bool(self.content.node(f"things.{thing}").get("emergency_first")),
                "facts": said, "topic": topic, "offer": self.say(f"facts_help.offer.{topic}") if topic else "",
                "title": self.say(f"things.{thing}.title"), "name": self.say(f"things.{thing}.name"),
            })  # fmt: skip
        help_lines = self.lines("facts_help")
        routing = None
        if self.content.has("routing"):
            routing = []
            for index, entry in enumerate(self.content.node("routing")):
                key = f"routing.{index}"
                routing.append({"to": entry.get("to", ""), "name": self.say(f"{key}.name") if entry.get("name") else None,
                                "words": self.say(f"{key}.words")})
        return {"emergency_line": emergency_line, "things": things, "help_lines": help_lines, "routing": routing}

    def _conversation(self) -> list[dict[str, Any]]:
        parts = []
        for key, value in self.content.tree.items():
            if key in _OWN_PART:
                continue
            if isinstance(value, str):
                parts.append({"heading": None, "line": self.line(key)})
            elif isinstance(value, Mapping):
                parts.append({"heading": key.replace("_", " "), "lines": self.lines(key)})
        return parts

    def _sources(self) -> dict[str, Any]:
        rows = []
        for section in ("sources", "clinical_sources"):
            if not self.content.has(section):
                continue
            for source_id, node in self.content.node(section).items():
                key = f"{section}.{source_id}"
                details = [(k, self.say(f"{key}.{k}")) for k, v in node.items() if isinstance(v, str)]
                rows.append({"id": source_id, "details": details, "cited": list(self.cited.get(source_id, []))})
        known = {row for section in ("sources", "clinical_sources") if self.content.has(section)
                 for row in self.content.node(section)}  # fmt: skip
        return {"rows": rows, "unknown": ", ".join(sorted(set(self.cited) - known))}

    def _others(self) -> list[Line]:
        rest = [
            key
            for key, _ in _walk(self.content.tree)
            if key not in self.shown and _is_words(key) and not key.startswith(("triage.symptoms.", "triage.duration.", "manifest.connecting_words"))
        ]
        return [self.line(key, key) for key in rest]


# --- the diagram ------------------------------------------------------------------------------

_QX, _QW = 24, 440
_DX, _DW, _DH = 640, 280, 72
_GAP = 48
_LINE = 17


@dataclass(frozen=True)
class TextBlock:
    """Lines of SVG text at a point (coordinates already formatted)."""

    x: str
    y: str
    lines: tuple[str, ...]
    size: int
    weight: str = "normal"
    fill: str = "#212121"
    anchor: str = "start"
    line_height: int = _LINE


def _text(x: float, y: float, lines: Sequence[str], *, size: int, weight: str = "normal",
          fill: str = "#212121") -> TextBlock:  # fmt: skip
    return TextBlock(f"{x:.0f}", f"{y:.0f}", tuple(lines), size, weight, fill)


@dataclass(frozen=True)
class EdgeView:
    source: str
    target: str
    answers: str
    path: str
    label: TextBlock


@dataclass(frozen=True)
class QuestionView:
    id: str
    level: str
    why: str
    x: int
    top: str
    width: int
    height: int
    colour: str
    heading: TextBlock
    ask: TextBlock


@dataclass(frozen=True)
class DispositionView:
    node: str
    level: str
    reached: bool
    x: int
    top: str
    width: int
    height: int
    colour: str
    kind: TextBlock
    title: TextBlock


@dataclass(frozen=True)
class FlowView:
    """The flow diagram laid out: what templates/flow.svg.j2 draws."""

    dom: str
    locale: str
    width: int
    height: str
    edges: tuple[EdgeView, ...]
    questions: tuple[QuestionView, ...]
    dispositions: tuple[DispositionView, ...]


def locale_section(review: LocaleReview, env: Environment) -> Markup:
    """One locale's part of the page, from the ``locale`` macro of templates/locale.html.j2."""
    svg = flow_svg(review, env)  # the diagram first, as the page has always been built
    return Markup(env.get_template("locale.html.j2").module.locale(review.view(), svg))


def flow_svg(review: LocaleReview, env: Environment) -> Markup:
    """The triage flow as inline SVG, from the ``flow`` macro of templates/flow.svg.j2."""
    return Markup(env.get_template("flow.svg.j2").module.flow(flow_view(review)))


def flow_view(review: LocaleReview) -> FlowView:
    """The triage flow laid out: question nodes in order, coloured disposition nodes, arrows."""
    protocol, dom = review.protocol, review.dom
    edges = triage_flow(protocol)
    questions = protocol.questions
    wrapped = [textwrap.wrap(review.fill(review.content.node(f"triage.questions.{i}.ask")), 52) for i in range(len(questions))]
    tops, y = [], 24.0
    for lines in wrapped:
        tops.append(y)
        y += 30 + _LINE * len(lines) + 10 + _GAP
    heights = [30 + _LINE * len(lines) + 10 for lines in wrapped]
    centre = {q.id: tops[i] + heights[i] / 2 for i, q in enumerate(questions)}
    bottom = {q.id: tops[i] + heights[i] for i, q in enumerate(questions)}

    # Place each disposition level with the questions whose "yes" leads to it; one reached only
    # by "no" (all clear) goes below the question it follows.
    wanted: dict[Level, float] = {}
    for level in Level:
        into = [e for e in edges if e.target == outcome_node(level)]
        raising = [centre[e.source] for e in into if Answer.YES in e.answers or Answer.UNSURE in e.answers]
        if raising:
            wanted[level] = sum(raising) / len(raising)
        elif into:
            wanted[level] = max(bottom[e.source] for e in into) + _GAP + _DH / 2
    placed: dict[Level, float] = {}
    last = -1e9
    for level in sorted(wanted, key=lambda lv: (wanted[lv], lv)):
        placed[level] = max(wanted[level], last + _DH + 16)
        last = placed[level]
    for level in Level:  # a level no answer reaches still gets its node, marked as such
        if level not in placed:
            placed[level] = max(last + _DH + 16, 24 + _DH / 2)
            last = placed[level]
    height = max([tops[-1] + heights[-1]] + [c + _DH / 2 for c in placed.values()]) + 24
    width = _DX + _DW + 24

    question_views = []
    for index, question in enumerate(questions):
        top = tops[index]
        question_views.append(QuestionView(
            id=question.id, level=question.level.key,
            why=review.fill(review.content.node(f"triage.questions.{index}.why")),
            x=_QX, top=f"{top:.0f}", width=_QW, height=heights[index], colour=LEVEL_COLOURS[question.level],
            heading=_text(_QX + 20, top + 20, [f"Q{index + 1} · {question.level.key.replace('_', ' ')}"],
                          size=12, weight="bold", fill="#455a64"),
            ask=_text(_QX + 20, top + 40, wrapped[index], size=14),
        ))  # fmt: skip
    dispositions = []
    for level, middle in placed.items():
        reached = any(e.target == outcome_node(level) for e in edges)
        key = f"triage.outcomes.{level.key}.card_title"
        title = review.fill(review.content.node(key)) if review.content.has(key) else level.key
        top = middle - _DH / 2
        dispositions.append(DispositionView(
            node=outcome_node(level).replace(":", "-"), level=level.key, reached=reached,
            x=_DX, top=f"{top:.0f}", width=_DW, height=_DH, colour=LEVEL_COLOURS[level],
            kind=_text(_DX + 16, top + 22, [level.key.replace("_", " ").upper() + ("" if reached else " (not reached)")],
                       size=12, weight="bold", fill=_TEXT_ON[level]),
            title=_text(_DX + 16, top + 42, textwrap.wrap(title, 30)[:2], size=15, weight="bold", fill=_TEXT_ON[level]),
        ))  # fmt: skip
    return FlowView(
        dom=dom, locale=review.locale, width=width, height=f"{height:.0f}",
        edges=tuple(_edge(edge, centre, bottom, tops, questions, placed) for edge in edges),
        questions=tuple(question_views), dispositions=tuple(dispositions),
    )  # fmt: skip


def _edge(edge: FlowEdge, centre: Mapping[str, float], bottom: Mapping[str, float],
          tops: Sequence[float], questions: Sequence[Any], placed: Mapping[Level, float]) -> EdgeView:  # fmt: skip
    mid_x = _QX + _QW / 2
    ids = [q.id for q in questions]
    if edge.target in ids:
        target_top = tops[ids.index(edge.target)]
        if ids.index(edge.target) == ids.index(edge.source) + 1:
            path = f"M{mid_x:.0f},{bottom[edge.source]:.0f} V{target_top - 2:.0f}"
            label_at = (mid_x + 10, (bottom[edge.source] + target_top) / 2 + 5)
        else:  # a jump past a question: round the left of the column
            path = (f"M{_QX:.0f},{centre[edge.source]:.0f} H{_QX - 14} V{centre[edge.target]:.0f} "
                    f"H{_QX - 2}")  # fmt: skip
            label_at = (_QX - 12, (centre[edge.source] + centre[edge.target]) / 2)
    else:
        level = Level.from_key(edge.target.split(":", 1)[1])
        y = placed[level]
        if edge.answers == (Answer.NO,):
            path = f"M{mid_x:.0f},{bottom[edge.source]:.0f} V{y:.0f} H{_DX - 2}"
            label_at = (mid_x + 10, bottom[edge.source] + 22)
        else:
            x0, y0 = _QX + _QW, centre[edge.source]
            path = f"M{x0},{y0:.0f} C{x0 + 80},{y0:.0f} {_DX - 80},{y:.0f} {_DX - 2},{y:.0f}"
            label_at = (x0 + 8, y0 - 8)
    return EdgeView(
        source=edge.source, target=edge.target, answers=" ".join(a.value for a in edge.answers), path=path,
        label=_text(label_at[0], label_at[1], [edge.label], size=12, weight="bold", fill="#37474f"),
    )


# --- the page ---------------------------------------------------------------------------------

#: Where the page's templates live (package data): the page, its style sheet and the flow diagram.
TEMPLATES = "templates"


def environment() -> Environment:
    """The templates, autoescaped. Text is escaped with :func:`html.escape` (as the page always has been:
    ``&#x27;`` for an apostrophe), markup built here (a rendered section) passes as :class:`Markup`."""
    env = Environment(
        loader=PackageLoader("skill.tools.review", TEMPLATES),
        autoescape=select_autoescape(["html", "svg", "j2"], default_for_string=True, default=True),
        finalize=_escaped,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    return env


def _escaped(value: object) -> object:
    return value if isinstance(value, Markup) else Markup(esc(value))



def content_fingerprint(content_dir: Path) -> str:
    """A short hash of every content file: what a sign-off refers to."""
    digest = hashlib.sha256()
    for path in sorted(content_dir.glob("*/*.yaml")):
        digest.update(path.relative_to(content_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def review_locales(store: ContentStore, model_dir: Path | None) -> list[str]:
    """The locales the skill serves: those with a model or content of their own."""
    locales = set(store.locales)
    if model_dir is not None and model_dir.is_dir():
        locales |= {path.stem for path in model_paths(model_dir)}
    return sorted(locales) or [DEFAULT_LANGUAGE]


def _locale_model(model_dir: Path | None, locale: str) -> InteractionModel | None:
    """A locale's model, or None when it has none (or none that can be read)."""
    path = model_dir / f"{locale}.json" if model_dir else None
    if path is None or not path.is_file():
        return None
    try:
        return load_model(path)
    except ModelError:
        return None


def _emergency_phrasings(model: InteractionModel | None) -> tuple[str, ...]:
    """The EmergencyIntent samples of a locale's model, with ``{sign}`` shown as its first values."""
    intent = model.intent("EmergencyIntent") if model is not None else None
    signs = model.slot_type("EMERGENCY_SIGN") if model is not None else None
    if intent is None or signs is None:
        return ()
    values = " / ".join(value.value for value in signs.values)
    return tuple(sample.replace("{sign}", f"⟨{values}⟩") for sample in intent.samples)


def build_review(store: ContentStore, locales: Sequence[str], *, model_dir: Path | None = None,
                 fingerprint: str = "") -> str:  # fmt: skip
    """The whole page, as one HTML string."""
    env = environment()
    sections = []
    title = "Nose Twitch Guide"
    for locale in locales:
        content = store.for_locale(locale)
        if content.has("skill_name"):
            title = content.text("skill_name") if locale == locales[0] else title
        try:
            protocol = Protocol.from_content(content.node("triage"))
        except ValueError as exc:
            raise ContentError(f"{locale}: triage content is invalid: {exc}") from None
        params = {}
        model = _locale_model(model_dir, locale)
        if model is not None and model.invocation_name:
            params["invocation_name"] = model.invocation_name
        review = LocaleReview(locale=locale, content=content, protocol=protocol, params=params,
                              emergency_phrasings=_emergency_phrasings(model))
        sections.append(locale_section(review, env))
    return env.get_template("page.html.j2").render(
        title=title, fingerprint=fingerprint, locales=list(locales), sections=sections
    )


# --- command ----------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "review",
        help="write one HTML page of everything the skill says, with the triage flow, for sign-off",
        description="Write a self-contained HTML page (no scripts, no network) for clinical review.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the page to write (default {DEFAULT_OUT})")
    parser.add_argument(
        "--locale", action="append", dest="locales", metavar="LOCALE",
        help="review only this locale (repeatable; default: every locale with a model or content)",
    )  # fmt: skip
    parser.add_argument("--content-dir", type=Path, help="content folder (default: the project's content/)")
    parser.add_argument("--model-dir", type=Path, help="interaction models (default: the project's interaction_model/)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, config: SkillConfig) -> int:
    config = config.with_overrides(content_dir=args.content_dir, model_dir=args.model_dir)
    store = ContentStore.load(config.content_dir)
    locales = args.locales or review_locales(store, config.model_dir)
    page_html = build_review(
        store, locales, model_dir=config.model_dir, fingerprint=content_fingerprint(config.content_dir)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page_html, encoding="utf-8")
    print(f"wrote {args.out} ({', '.join(locales)}; {len(page_html)} characters)")
    return 0
