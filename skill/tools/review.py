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

from skill.alexa.replies.triage import TriageTexts, outcome_details
from skill.alexa.replies.triage import outcome as triage_outcome
from skill.config import SkillConfig
from skill.domain.content import DEFAULT_LANGUAGE, Content, ContentStore, placeholders
from skill.domain.errors import ContentError
from skill.domain import facts
from skill.domain.topics import EMERGENCY_LINE, page
from skill.domain.triage import Answer, Ask, Level, Outcome, Protocol, TriageState, answer, next_step
from skill.tools.model_checks import load_model, model_paths

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
        """The escaped, filled text at a key (marked as shown)."""
        value = self.content.node(key)
        self.shown.add(key)
        return esc(self.fill(value)) if isinstance(value, str) else ""

    def badges(self, key: str, node: object | None = None) -> str:
        node = self.content.node(key) if node is None else node
        ids = _sources(node)
        for source in ids:
            self.cited[source].append(key)
        return "".join(f'<a class="src" href="#{self.dom}-src-{esc(s)}">{esc(s)}</a>' for s in ids)

    def row(self, key: str, label: str | None = None, *, sources_of: str | None = None) -> str:
        badges = self.badges(sources_of) if sources_of else ""
        label = label if label is not None else key.rsplit(".", 1)[-1].replace("_", " ")
        return (
            f'<tr><th>{esc(label)}</th><td>{self.say(key)} {badges}</td>'
            f'<td class="key">{esc(key)}</td></tr>'
        )

    def table(self, key: str, *, skip: Iterable[str] = ()) -> str:
        """Every text below a key, in content order, as rows (lists numbered, facts with sources)."""
        node = self.content.node(key)
        rows = []
        for sub, value in node.items():
            if sub in _NOT_WORDS or sub in skip:
                continue
            sub_key = f"{key}.{sub}"
            if isinstance(value, str):
                rows.append(self.row(sub_key))
            elif isinstance(value, tuple):
                for index, item in enumerate(value):
                    item_key = f"{sub_key}.{index}"
                    if isinstance(item, str):
                        rows.append(self.row(item_key, f"{sub.replace('_', ' ')} {index + 1}"))
                    elif isinstance(item, Mapping) and isinstance(item.get("say"), str):
                        rows.append(self.row(f"{item_key}.say", f"{sub.replace('_', ' ')} {index + 1}", sources_of=item_key))
            elif isinstance(value, Mapping):
                rows.append(f'<tr><th colspan="3" class="sub">{esc(sub.replace("_", " "))}</th></tr>')
                rows.append(self.table(sub_key).removeprefix('<table class="lines">').removesuffix("</table>"))
        return f'<table class="lines">{"".join(rows)}</table>'

    # --- parts ---

    def render(self, svg: str) -> str:
        parts = [
            f'<section class="locale" id="locale-{esc(self.locale)}" lang="{esc(self.locale)}">',
            f"<h2>{esc(self.locale)}</h2>",
            self._intro(),
            self._emergency(),
            '<h3 id="' + self.dom + '-flow">Symptom check: the flow</h3>',
            '<p class="note">Questions in the order asked. An arrow shows where each answer leads; '
            '"not sure" counts like "yes" and the outcome then begins "to be safe". '
            "Drawn by answering every question through the skill's own triage engine.</p>",
            f'<figure class="flow">{svg}</figure>',
            self._questions(),
            self._symptoms(),
            self._outcomes(),
            "<h3>Symptom check: other lines</h3>",
            self.table("triage.texts"),
            self._topics("topic", "topics", "Topics"),
            self._topics("trigger", "triggers", "Triggers"),
            self._facts(),
            self._conversation(),
            self._listing(),
            self._sources(),
            self._others(),
            f"</section><!-- /locale-{esc(self.locale)} -->",
        ]
        return "\n".join(parts)

    def _intro(self) -> str:
        rows = "".join(self.row(f"locale.{k}", k.replace("_", " ")) for k in self.content.node("locale"))
        fallback = (
            f'<p class="warn">No content of its own: this locale speaks the {esc(self.content.tag)} content.</p>'
            if self.content.tag != self.locale
            else ""
        )
        return (
            f'<p>Content: <code>{esc(self.content.tag)}</code>. Locale settings fill the placeholders below; '
            f"⟨name⟩ marks a value filled in during the conversation.</p>{fallback}"
            f'<table class="lines">{rows}</table>'
        )

    def _emergency(self) -> str:
        """The emergency answer as spoken, its lines, and the phrasings that reach it."""
        from skill.alexa.replies.emergency import emergency_reply

        reply = emergency_reply(self.content, stroke=True)
        spoken = esc(reply.text)
        phrasings = "".join(f"<li>{esc(p)}</li>" for p in self.emergency_phrasings)
        heard = (
            f"<details><summary>{len(self.emergency_phrasings)} phrasings in this locale's model reach it"
            f"</summary><ul class=\"phrasings\">{phrasings}</ul></details>"
            if self.emergency_phrasings
            else '<p class="warn">No interaction model for this locale: no phrasings to show.</p>'
        )
        return (
            f'<h3 id="{self.dom}-emergency">Emergency: what anyone reporting a stroke or emergency hears</h3>'
            '<p class="note">Said in any state of the conversation (launch, a topic, the symptom check, an '
            "outcome), before anything else. The session stays open once so the number can be heard again.</p>"
            f'<p class="spoken emergency">{spoken}</p>' + self.table("emergency") + heard
        )

    def _questions(self) -> str:
        rows = []
        for index, question in enumerate(self.protocol.questions):
            key = f"triage.questions.{index}"
            level = question.level
            rows.append(
                f'<tr class="question" id="{self.dom}-q-{esc(question.id)}">'
                f'<td class="num">{index + 1}</td>'
                f'<td><span class="level" style="background:{_tint(LEVEL_COLOURS[level])}">{esc(level.key)}</span>'
                f'<br><code>{esc(question.id)}</code></td>'
                f'<td><p class="ask">{self.say(key + ".ask")}</p>'
                f'<p><b>Reprompt:</b> {self.say(key + ".reprompt")}</p>'
                f'<p><b>Why (if asked):</b> {self.say(key + ".why")}</p>'
                f"{self._question_reason(key)}"
                f"<p><b>Signs (at most three):</b> {self._signs(key, question.signs)}</p></td>"
                f"<td>{self.badges(key)}</td></tr>"
            )
        words = (
            "<h4>The words that name each sign</h4>"
            '<p class="note">Not spoken. <code>validate</code> checks that a question names its signs and '
            "that its reprompt names exactly the same ones.</p>" + self.table("triage.signs")
            if self.content.has("triage.signs") else ""
        )
        return (
            "<h3>Symptom check: every question</h3>"
            '<table class="grid"><tr><th>#</th><th>Level</th><th>What Alexa asks</th><th>Sources</th></tr>'
            + "".join(rows)
            + "</table>"
            + words
        )

    def _signs(self, key: str, signs: Sequence[str]) -> str:
        """The sign ids a question names (validate checks its ask and reprompt name exactly these)."""
        self.shown.update(f"{key}.signs.{index}" for index in range(len(signs)))
        return esc(", ".join(signs))

    def _question_reason(self, key: str) -> str:
        """The reason the outcome speaks when this question led to it (spoken only, never on a card)."""
        if not self.content.has(key + ".reason"):
            return "<p><b>At the outcome:</b> the emergency outcome (the number first).</p>"
        return f'<p><b>Reason spoken at the outcome (never on the card):</b> {self.say(key + ".reason")}</p>'

    def _symptoms(self) -> str:
        names = self.content.node("triage.symptom_names") if self.content.has("triage.symptom_names") else {}
        rows = []
        for symptom in names:
            name = self.say(f"triage.symptom_names.{symptom}")
            question_id = self.protocol.symptom_map.get(symptom)
            target = "nothing: read back, then asked" if question_id is None else self._question_link(question_id)
            again_id = self.protocol.reask_map.get(symptom)
            again = "" if again_id is None else self._question_link(again_id)
            self.shown.add(f"triage.reask.{symptom}")
            rows.append(f"<tr><td><code>{esc(symptom)}</code></td><td>{name}</td><td>{target}</td><td>{again}</td></tr>")
        duration_index = self.protocol.index(self.protocol.duration_question) + 1
        duration = self.content.node("triage.duration")
        return (
            "<h3>Symptom check: symptoms said up front</h3>"
            '<p class="note">A symptom named in a check request ("check my symptoms, my arm is weak") is read '
            "back as said and answers its question yes in advance; every more urgent question is still asked "
            "first. No symptom answers a sudden (emergency) question, and a plain headache or dizziness is "
            "asked about, never assumed. Said during the check, after its emergency question was answered "
            "no, a stroke sign takes that no back: the read-back, then that question again (last column).</p>"
            '<table class="grid"><tr><th>Symptom value</th><th>Read back as</th><th>Answers yes to</th>'
            "<th>Asked again mid-check</th></tr>"
            + "".join(rows)
            + "</table>"
            f'<p>A duration of {self.protocol.duration_min_days} days or more answers '
            f'<a href="#{self.dom}-q-{esc(self.protocol.duration_question)}">question {duration_index}</a> '
            f"yes in advance. {self.badges('triage.duration', duration)}</p>"
        )

    def _question_link(self, question_id: str) -> str:
        index = self.protocol.index(question_id) + 1
        return f'<a href="#{self.dom}-q-{esc(question_id)}">question {index}</a> ({esc(question_id)})'

    def _outcomes(self) -> str:
        blocks = ["<h3>Symptom check: every outcome</h3>"]
        for level in Level:
            key = f"triage.outcomes.{level.key}"
            if not self.content.has(key):
                blocks.append(f'<p class="warn">No outcome texts for {esc(level.key)}.</p>')
                continue
            blocks.append(
                f'<div class="outcome" id="{self.dom}-outcome-{level.key}" '
                f'style="background:{_tint(LEVEL_COLOURS[level], 0.88)}">'
                f"<h4>{esc(level.key.replace('_', ' '))}: {self.say(key + '.card_title')} {self.badges(key)}</h4>"
                f"{self.table(key, skip=('card_title',))}{self._outcome_turns(level)}</div>"
            )
        return "".join(blocks)

    def _outcome_turns(self, level: Level) -> str:
        """The outcome as the skill speaks it (built by the skill's own reply code), turn by turn."""
        texts = TriageTexts(content=self.content, protocol=self.protocol)
        # An example: the first question of the level answered yes (its reason is spoken).
        example = tuple(q.id for q in self.protocol.questions if q.level == level)[:1]
        reasons = example if level not in (Level.EMERGENCY, Level.SELF_CARE) else ()
        first = triage_outcome(texts, TriageState(), Outcome(level=level, reasons=reasons, to_be_safe=False))
        turns = [first, outcome_details(texts, level)] if first.question else [first]
        shown = "".join(
            f'<div class="turn"><div class="turn-n">Turn {number}{" (after yes)" if number > 1 else ""}'
            f"</div><p>{esc(reply.text)}</p></div>"
            for number, reply in enumerate(turns, start=1)
        )
        return f'<div class="spoken"><div class="turn-n">As spoken</div>{shown}</div>'

    def _topics(self, kind: str, section: str, heading: str) -> str:
        if not self.content.has(section):
            return ""
        blocks = [f"<h3>{heading}</h3>"]
        for topic_id, node in self.content.node(section).items():
            key = f"{section}.{topic_id}"
            items = node.get("items", ())
            turns, start = [], 0
            while True:
                current = page(self.content, kind, topic_id, start)
                lines = []
                if start == 0 and node.get("intro"):
                    lines.append(f"<li class='intro'>{self.say(key + '.intro')} {self.badges(key)}</li>")
                for offset in range(len(current.points)):
                    item_key = f"{key}.items.{start + offset}"
                    lines.append(f"<li>{self.say(item_key + '.say')} {self.badges(item_key, items[start + offset])}</li>")
                if current.next_start is not None:
                    closing = f"{self.say('more.question')} <span class='muted'>(reprompt: {self.say('more.reprompt')})</span>"
                else:
                    help_key = "trigger_help" if kind == "trigger" else key
                    closing = (
                        f"{self.say(help_key + '.followup')} "
                        f"<span class='muted'>(reprompt: {self.say(help_key + '.reprompt')})</span>"
                    )
                turns.append(
                    f'<div class="turn"><div class="turn-n">Turn {len(turns) + 1}</div><ul>{"".join(lines)}</ul>'
                    f'<p class="closing">{closing}</p></div>'
                )
                if current.next_start is None:
                    break
                start = current.next_start
            extra = []
            if node.get("yes_topic"):
                extra.append(f"“Yes” to the follow-up answers the topic <code>{esc(node['yes_topic'])}</code>.")
            if node.get("offers_check"):
                extra.append("“Yes” to the follow-up starts the symptom check.")
            name = f" <span class='muted'>(heard as “{self.say(key + '.name')}”)</span>" if "name" in node else ""
            blocks.append(
                f'<div class="topic" id="{self.dom}-{esc(section)}-{esc(topic_id)}">'
                f"<h4>{self.say(key + '.title')}{name} <code>{esc(topic_id)}</code></h4>"
                + "".join(turns)
                + (f'<p class="note">{" ".join(extra)}</p>' if extra else "")
                + "</div>"
            )
        if kind == "trigger" and self.content.has("trigger_help"):
            blocks.append("<h4>Trigger lines</h4>" + self.table("trigger_help"))
        return "".join(blocks)

    def _facts(self) -> str:
        """Each thing the skill can be asked about, with its facts (and their sources) as spoken."""
        if not self.content.has("things"):
            return ""
        blocks = ["<h3>Facts: focused questions about one thing</h3>"]
        if self.content.has(EMERGENCY_LINE):
            blocks.append(
                f'<p class="note">Emergency line (said first where marked): {self.say(EMERGENCY_LINE + ".say")} '
                f"{self.badges(EMERGENCY_LINE)}</p>"
            )
        fact_keys = {id(node): key for key, node in self.content.node("facts").items()}
        for thing in facts.thing_ids(self.content):
            lines = []
            if self.content.node(f"things.{thing}").get("emergency_first"):
                lines.append("<li class='muted'>(the emergency line)</li>")
            for node in facts.facts_about(self.content, thing):
                key = f"facts.{fact_keys[id(node)]}"
                lines.append(f"<li>{self.say(key + '.say')} {self.badges(key, node)}</li>")
            topic = self.content.node(f"things.{thing}").get("topic")
            offer = self.say(f"facts_help.offer.{topic}") if topic else ""
            title, name = self.say(f"things.{thing}.title"), self.say(f"things.{thing}.name")
            blocks.append(
                f'<div class="topic" id="{self.dom}-things-{esc(thing)}">'
                f"<h4>{title} <span class='muted'>(named “{name}”)</span> <code>{esc(thing)}</code></h4>"
                f"<ul>{''.join(lines)}</ul>"
                f'<p class="closing">{offer} <span class="muted">(“yes” answers <code>{esc(topic)}</code>)</span></p>'
                "</div>"
            )
        blocks.append("<h4>Fact lines</h4>" + self.table("facts_help"))
        if self.content.has("routing"):
            rows = []
            for index, entry in enumerate(self.content.node("routing")):
                key = f"routing.{index}"
                named = self.say(f"{key}.name") if entry.get("name") else '<span class="muted">(its own name)</span>'
                rows.append(f"<tr><th><code>{esc(entry.get('to', ''))}</code></th><td>{named}</td>"
                            f"<td>{self.say(f'{key}.words')}</td></tr>")
            blocks.append(
                "<h4>Where a question the model could not place goes</h4>"
                '<p class="note">The words a device heard in an unmatched slot: the answer with the most of its '
                "words heard is given (then the safety line); a tie is asked about; none names the closest.</p>"
                '<table class="grid"><tr><th>Answer</th><th>Named in a list as</th><th>Words that point to it</th></tr>'
                + "".join(rows) + "</table>"
            )
        return "".join(blocks)

    def _conversation(self) -> str:
        rows = []
        for key, value in self.content.tree.items():
            if key in _OWN_PART:
                continue
            if isinstance(value, str):
                rows.append(f'<table class="lines">{self.row(key)}</table>')
            elif isinstance(value, Mapping):
                rows.append(f"<h4>{esc(key.replace('_', ' '))}</h4>{self.table(key)}")
        return "<h3>Conversation: launch, help, fallback and every other line</h3>" + "".join(rows)

    def _listing(self) -> str:
        if not self.content.has("manifest"):
            return (
                "<h3>Skill store listing</h3>"
                '<p class="warn">No store listing in this locale\'s content; the package uses English.</p>'
            )
        return "<h3>Skill store listing</h3>" + self.table("manifest", skip=("connecting_words",))

    def _sources(self) -> str:
        rows = []
        for section in ("sources", "clinical_sources"):
            if not self.content.has(section):
                continue
            for source_id, node in self.content.node(section).items():
                key = f"{section}.{source_id}"
                details = "".join(
                    f"<div><b>{esc(k)}:</b> {self.say(f'{key}.{k}')}</div>" for k, v in node.items() if isinstance(v, str)
                )
                cited = self.cited.get(source_id, [])
                rows.append(
                    f'<tr id="{self.dom}-src-{esc(source_id)}"><td><code>{esc(source_id)}</code></td><td>{details}</td>'
                    f'<td>{len(cited)} facts<details><summary>which</summary>'
                    f'{"".join(f"<div class=key>{esc(c)}</div>" for c in cited)}</details></td></tr>'
                )
        known = {row for section in ("sources", "clinical_sources") if self.content.has(section)
                 for row in self.content.node(section)}  # fmt: skip
        unknown = sorted(set(self.cited) - known)
        warn = f'<p class="warn">Cited but not declared: {esc(", ".join(unknown))}</p>' if unknown else ""
        return (
            "<h3>Sources</h3>"
            '<table class="grid"><tr><th>Id</th><th>Source</th><th>Cited by</th></tr>' + "".join(rows) + "</table>" + warn
        )

    def _others(self) -> str:
        rest = [
            (key, text)
            for key, text in _walk(self.content.tree)
            if key not in self.shown and _is_words(key) and not key.startswith(("triage.symptoms.", "triage.duration.", "manifest.connecting_words"))
        ]
        if not rest:
            return '<h3>Other texts</h3><p class="note">None: every text in the content is shown above.</p>'
        rows = "".join(self.row(key, key) for key, _ in rest)
        return f'<h3>Other texts</h3><table class="lines">{rows}</table>'


# --- the diagram ------------------------------------------------------------------------------

_QX, _QW = 24, 440
_DX, _DW, _DH = 640, 280, 72
_GAP = 48
_LINE = 17


def _text_lines(x: float, y: float, lines: Sequence[str], *, size: int, weight: str = "normal",
                fill: str = "#212121", anchor: str = "start") -> str:  # fmt: skip
    spans = "".join(
        f'<tspan x="{x:.0f}" dy="{0 if i == 0 else _LINE}">{esc(line)}</tspan>' for i, line in enumerate(lines)
    )
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="{anchor}" font-family="system-ui, sans-serif">{spans}</text>'
    )


def flow_svg(review: LocaleReview) -> str:
    """The triage flow as inline SVG: question nodes in order, coloured disposition nodes, arrows."""
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

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" role="img" aria-labelledby="{dom}-flow-title">',
        f'<title id="{dom}-flow-title">Symptom check flow, {esc(review.locale)}</title>',
        f'<defs><marker id="{dom}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#455a64"/></marker></defs>',
        f'<rect x="0" y="0" width="{width}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for edge in edges:
        out.append(_edge(edge, dom, centre, bottom, tops, questions, placed))
    for index, question in enumerate(questions):
        top, h = tops[index], heights[index]
        colour = LEVEL_COLOURS[question.level]
        out.append(
            f'<g class="node question" id="{dom}-node-{esc(question.id)}" data-question="{esc(question.id)}" '
            f'data-level="{question.level.key}">'
            f"<title>{esc(review.fill(review.content.node(f'triage.questions.{index}.why')))}</title>"
            f'<rect x="{_QX}" y="{top:.0f}" width="{_QW}" height="{h}" rx="8" fill="#f5f7f8" stroke="#455a64" '
            'stroke-width="1.5"/>'
            f'<rect x="{_QX}" y="{top:.0f}" width="8" height="{h}" rx="3" fill="{colour}"/>'
            + _text_lines(_QX + 20, top + 20, [f"Q{index + 1} · {question.level.key.replace('_', ' ')}"],
                          size=12, weight="bold", fill="#455a64")  # fmt: skip
            + _text_lines(_QX + 20, top + 40, wrapped[index], size=14)
            + "</g>"
        )
    for level, middle in placed.items():
        reached = any(e.target == outcome_node(level) for e in edges)
        key = f"triage.outcomes.{level.key}.card_title"
        title = review.fill(review.content.node(key)) if review.content.has(key) else level.key
        lines = textwrap.wrap(title, 30)[:2]
        top = middle - _DH / 2
        dash = "" if reached else ' stroke-dasharray="6 4"'
        out.append(
            f'<g class="node disposition" id="{dom}-node-{outcome_node(level).replace(":", "-")}" '
            f'data-level="{level.key}" data-reached="{str(reached).lower()}">'
            f'<rect x="{_DX}" y="{top:.0f}" width="{_DW}" height="{_DH}" rx="12" fill="{LEVEL_COLOURS[level]}" '
            f'stroke="#263238" stroke-width="1.5"{dash}/>'
            + _text_lines(_DX + 16, top + 22, [level.key.replace("_", " ").upper() + ("" if reached else " (not reached)")],
                          size=12, weight="bold", fill=_TEXT_ON[level])  # fmt: skip
            + _text_lines(_DX + 16, top + 42, lines, size=15, weight="bold", fill=_TEXT_ON[level])
            + "</g>"
        )
    out.append("</svg>")
    return "".join(out)


def _edge(edge: FlowEdge, dom: str, centre: Mapping[str, float], bottom: Mapping[str, float],
          tops: Sequence[float], questions: Sequence[Any], placed: Mapping[Level, float]) -> str:  # fmt: skip
    marker = f'marker-end="url(#{dom}-arrow)"'
    style = 'fill="none" stroke="#455a64" stroke-width="1.8"'
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
    return (
        f'<g class="edge" data-from="{esc(edge.source)}" data-to="{esc(edge.target)}" '
        f'data-answers="{" ".join(a.value for a in edge.answers)}">'
        f'<path d="{path}" {style} {marker}/>'
        + _text_lines(label_at[0], label_at[1], [edge.label], size=12, weight="bold", fill="#37474f")
        + "</g>"
    )


# --- the page ---------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#212121;background:#fff;line-height:1.4}
main{max-width:1180px;margin:0 auto;padding:16px 24px}
h1{font-size:24px;margin:8px 0}h2{font-size:22px;border-bottom:3px solid #455a64;margin-top:40px}
h3{font-size:18px;margin-top:28px}h4{font-size:15px;margin:10px 0 6px}
code,.key{font-family:ui-monospace,monospace;font-size:12px;color:#546e7a}
table{border-collapse:collapse;width:100%;margin:6px 0}
td,th{border-bottom:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top;font-size:14px}
table.lines th{width:150px;font-weight:600;color:#37474f}table.lines td.key{width:240px}
th.sub{background:#eceff1}.num{font-weight:bold;width:24px}
.level{display:inline-block;padding:1px 6px;border-radius:4px;font-size:12px;font-weight:bold}
.ask{font-weight:600;margin:0 0 4px}td p{margin:2px 0}
.src{display:inline-block;font-size:11px;background:#eceff1;color:#37474f;border-radius:8px;padding:0 6px;
margin-left:3px;text-decoration:none;font-family:ui-monospace,monospace}
.outcome{border-radius:8px;padding:6px 12px;margin:10px 0}
.topic{border-left:3px solid #b0bec5;padding-left:12px;margin:12px 0}
.turn{margin:4px 0 8px}.turn-n{font-size:12px;font-weight:bold;color:#607d8b}.turn ul{margin:2px 0}
.intro{font-style:italic}.closing{margin:2px 0 0 24px;font-weight:600}.muted{color:#78909c;font-weight:normal}
.note{color:#546e7a;font-size:13px}.warn{background:#fff8e1;border:1px solid #ffe082;padding:6px 10px}
figure.flow{margin:8px 0}nav a{margin-right:12px}.signoff td{height:32px}
@media print{h2{page-break-before:always}.flow{page-break-inside:avoid}}
"""


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


def _invocation_name(model_dir: Path | None, locale: str) -> str | None:
    path = model_dir / f"{locale}.json" if model_dir else None
    if path is None or not path.is_file():
        return None
    try:
        return load_model(path)["interactionModel"]["languageModel"]["invocationName"]
    except (KeyError, TypeError, ValueError):
        return None


def _emergency_phrasings(model_dir: Path | None, locale: str) -> tuple[str, ...]:
    """The EmergencyIntent samples of a locale's model, with ``{sign}`` shown as its first values."""
    path = model_dir / f"{locale}.json" if model_dir else None
    if path is None or not path.is_file():
        return ()
    try:
        language_model = load_model(path)["interactionModel"]["languageModel"]
        intent = next(i for i in language_model["intents"] if i["name"] == "EmergencyIntent")
        signs = next(t for t in language_model.get("types", []) if t["name"] == "EMERGENCY_SIGN")
    except (KeyError, TypeError, ValueError, StopIteration):
        return ()
    values = " / ".join(v["name"]["value"] for v in signs["values"])
    return tuple(sample.replace("{sign}", f"⟨{values}⟩") for sample in intent.get("samples", []))


def build_review(store: ContentStore, locales: Sequence[str], *, model_dir: Path | None = None,
                 fingerprint: str = "") -> str:  # fmt: skip
    """The whole page, as one HTML string."""
    sections, nav = [], []
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
        invocation = _invocation_name(model_dir, locale)
        if invocation:
            params["invocation_name"] = invocation
        review = LocaleReview(locale=locale, content=content, protocol=protocol, params=params,
                              emergency_phrasings=_emergency_phrasings(model_dir, locale))
        sections.append(review.render(flow_svg(review)))
        nav.append(f'<a href="#locale-{esc(locale)}">{esc(locale)}</a>')
    stamp = f" Content fingerprint <code>{esc(fingerprint)}</code>." if fingerprint else ""
    signoff = (
        '<h2>Sign-off</h2><table class="grid signoff"><tr><th>Reviewer</th><th>Role</th><th>Date</th>'
        "<th>Content fingerprint</th><th>Decision and notes</th></tr>"
        f"<tr><td></td><td></td><td></td><td><code>{esc(fingerprint)}</code></td><td></td></tr></table>"
    )
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}: content review</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body><main>"
        f"<h1>{esc(title)}: everything the skill says, for clinical review</h1>"
        f'<p class="note">Generated by <code>nose-twitch review</code> from <code>content/</code> and the '
        f"triage engine.{stamp} Each locale shows its own wording with its own emergency number and "
        "care services. Source badges link to the source list of the locale.</p>"
        f"<nav>{''.join(nav)}</nav>" + "\n".join(sections) + signoff + "</main></body></html>\n"
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
