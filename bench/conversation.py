"""Conversation efficiency of the symptom check, over every triage path and every locale's content.

``python -m bench.conversation`` prints the table; ``python -m bench`` includes it in RESULTS.md.

For each locale the content has, the check is started every way a user can start it (plain
"check my symptoms", and one-shot with each symptom of the protocol's ``symptoms`` map and with a
long duration), then every answer (yes, no, not sure) is given at every question, through the
real skill (handlers, content, ``skill.domain.triage``), until each path reaches its disposition.
Paths share their tails: a state is the ``(pending, triage)`` session value, explored once
(``skill.tools.session.Crawler``, the crawl the tests use too).

Measured in spoken time at 150 words a minute, against the budgets the content is checked
against when it loads (``skill/domain/triage_budget.py``):
* every emergency sign asked within 30 s of speech from the start, on every start (the speech
  heard until the turn that asks each emergency question, answering "no" before it);
* the all-"no" path, from "check my symptoms" to the outcome and its details (target <= 150 s);
* the longest path to any disposition, in seconds of speech (reported);
* the longest spoken response (target <= 20 s); and for turns that ask a triage question, the
  whole turn and the question sentence alone (target <= 8 s).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from skill.domain.spoken import (
    MAX_ALL_NO_SECONDS, MAX_EMERGENCY_REACH_SECONDS, MAX_QUESTION_SECONDS, MAX_RESPONSE_SECONDS, seconds,
)
from skill.tools import envelopes
from skill.tools.session import Crawler, Turn
from skill.tools.session import said as spoken_text

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def last_sentence(text: str) -> str:
    parts = [p for p in _SENTENCE_END.split(text) if p.strip()]
    return parts[-1] if parts else text


@dataclass
class Spoken:
    seconds: float = 0.0
    text: str = ""

    def offer(self, text: str) -> None:
        if seconds(text) > self.seconds:
            self.seconds, self.text = seconds(text), text


@dataclass
class LocaleReport:
    locale: str
    starts: int = 0
    states: int = 0
    paths: int = 0
    #: Most seconds of speech before the turn asking the last emergency question (any start).
    emergency_reach_seconds: float = 0.0
    #: Seconds of speech of the all-"no" path, outcome and details included.
    all_no_seconds: float = 0.0
    #: Most seconds of speech on any path from the start to a disposition (its first turn included).
    max_seconds_to_disposition: float = 0.0
    dispositions: set[str] = field(default_factory=set)
    longest: Spoken = field(default_factory=Spoken)
    longest_question_turn: Spoken = field(default_factory=Spoken)
    longest_question: Spoken = field(default_factory=Spoken)
    #: The longest outcome turn of each disposition.
    outcomes: dict[str, Spoken] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def meets_targets(self) -> bool:
        return (
            not self.problems
            and self.emergency_reach_seconds <= MAX_EMERGENCY_REACH_SECONDS
            and self.all_no_seconds <= MAX_ALL_NO_SECONDS
            and self.longest.seconds <= MAX_RESPONSE_SECONDS
            and self.longest_question.seconds <= MAX_QUESTION_SECONDS
        )


class _Webhook:
    """The transport of a crawl: each envelope through the webhook core, as its JSON body."""

    def __init__(self, webhook, locale: str) -> None:
        self.webhook, self.locale = webhook, locale

    def __call__(self, envelope: dict[str, Any]) -> tuple[dict[str, Any], dict]:
        status, payload, fields = self.webhook.handle(json.dumps(envelope).encode(), "application/json", {})
        if status != 200:
            raise RuntimeError(f"{self.locale}: HTTP {status}: {payload[:200]!r}")
        return json.loads(payload), fields


def observe(report: LocaleReport, turn: Turn) -> None:
    """Record what one turn of the crawl said, and the outcome it reached."""
    text = spoken_text(turn.response)
    report.longest.offer(text)
    if turn.state is not None:
        report.longest_question_turn.offer(text)
        report.longest_question.offer(last_sentence(text))
    if turn.disposition is not None:
        report.dispositions.add(turn.disposition)
        report.outcomes.setdefault(turn.disposition, Spoken()).offer(text)
    elif turn.state is None:
        report.problems.append(f"{report.locale} {turn.where}: neither a question nor a disposition")


def walk_no(crawler: Crawler, turn: Turn, emergency_ids: set[str], protocol) -> tuple[float, float]:
    """Answer "no" from this turn on: (seconds until the last emergency question is asked, seconds of
    the whole path with the outcome's details)."""
    from skill.domain.triage import Ask, next_step, state_from_session

    spoken, reach = seconds(spoken_text(turn.response)), 0.0
    for _ in range(len(protocol.questions) + 2):
        if turn.state is None:
            break
        step = next_step(protocol, state_from_session(protocol, turn.attributes.get("triage")))
        if isinstance(step, Ask) and step.question.id in emergency_ids:
            reach = spoken
        turn = crawler.send("AMAZON.NoIntent", after=turn, label="no")
        spoken += seconds(spoken_text(turn.response))
    if turn.attributes.get("pending") == "outcome_details":
        details = crawler.send("AMAZON.YesIntent", after=turn, label="details")
        spoken += seconds(spoken_text(details.response))
    return reach, spoken


def starts(protocol) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every way to start a check: plain, one-shot with each symptom, one-shot with a long duration."""
    slot = envelopes.slot
    found = [("plain", [])]
    for symptom in sorted(protocol.symptom_map):
        found.append((f"symptom {symptom}", [slot("symptom", symptom.replace("_", " "), id=symptom)]))
    weeks = max(1, -(-protocol.duration_min_days // 7))
    found.append((f"duration P{weeks}W", [slot("duration", f"P{weeks}W")]))
    return found


def measure(webhook=None, resources=None) -> list[LocaleReport]:
    if webhook is None or resources is None:
        from skill.alexa.resources import SkillResources
        from skill.config import SkillConfig
        from skill.domain.content import ContentStore
        from skill.web.app import create_app

        config = SkillConfig(dev=True)
        resources = SkillResources(ContentStore.load(config.content_dir))
        webhook = create_app(config, resources=resources, verifiers=()).extensions["alexa_webhook"]
    reports = []
    for tag in resources.store.tags:
        report = LocaleReport(tag)
        crawler = Crawler(_Webhook(webhook, tag), tag)
        protocol = resources.for_locale(tag).protocol
        emergency = {q.id for q in protocol.questions if q.level.key == "emergency"}
        begun = [crawler.start(name, *slots) for name, slots in starts(protocol)]
        for turn in crawler.walk(*begun):
            observe(report, turn)
        report.starts, report.states = len(begun), len(crawler.tree)
        for turn in begun:
            report.paths += crawler.paths(turn)
            worst = crawler.longest(turn, lambda answer: seconds(spoken_text(answer.response)))
            first = seconds(spoken_text(turn.response))
            report.max_seconds_to_disposition = max(report.max_seconds_to_disposition, first + worst)
            reach, all_no = walk_no(crawler, turn, emergency, protocol)
            report.emergency_reach_seconds = max(report.emergency_reach_seconds, reach)
            if turn.path == ("plain",):
                report.all_no_seconds = all_no
        reports.append(report)
    return reports


def markdown(reports: list[LocaleReport]) -> str:
    lines = [
        f"| locale | starts | paths | every emergency sign asked by (<= {MAX_EMERGENCY_REACH_SECONDS:.0f} s) "
        f"| all-no path (<= {MAX_ALL_NO_SECONDS:.0f} s) | longest path to a disposition "
        f"| longest response (<= {MAX_RESPONSE_SECONDS:.0f} s) "
        f"| longest question turn (<= 20 s) | longest question sentence (<= {MAX_QUESTION_SECONDS:.0f} s) "
        "| dispositions reached |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        lines.append(
            f"| {r.locale} | {r.starts} | {r.paths} | {r.emergency_reach_seconds:.1f} s | {r.all_no_seconds:.1f} s "
            f"| {r.max_seconds_to_disposition:.1f} s "
            f"| {r.longest.seconds:.1f} s | {r.longest_question_turn.seconds:.1f} s | {r.longest_question.seconds:.1f} s "
            f"| {', '.join(sorted(r.dispositions))} |"
        )
    levels = sorted({level for r in reports for level in r.outcomes})
    lines += [
        "",
        "Longest outcome turn of each disposition (seconds at 150 words a minute):",
        "",
        "| locale | " + " | ".join(levels) + " |",
        "|---|" + "---:|" * len(levels),
    ]
    for r in reports:
        cells = [f"{r.outcomes[level].seconds:.1f}" if level in r.outcomes else "-" for level in levels]
        lines.append(f"| {r.locale} | " + " | ".join(cells) + " |")
    worst = max(reports, key=lambda r: r.longest.seconds)
    worst_q = max(reports, key=lambda r: r.longest_question_turn.seconds)
    lines += [
        "",
        f"Longest response ({worst.locale}, {worst.longest.seconds:.1f} s): \"{worst.longest.text}\"",
        "",
        f"Longest question turn ({worst_q.locale}, {worst_q.longest_question_turn.seconds:.1f} s): "
        f"\"{worst_q.longest_question_turn.text}\"",
    ]
    problems = [p for r in reports for p in r.problems]
    if problems:
        lines += ["", "Problems:", *(f"- {p}" for p in problems[:20])]
    return "\n".join(lines)


def main() -> int:
    reports = measure()
    print(markdown(reports))
    return 0 if all(r.meets_targets for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
