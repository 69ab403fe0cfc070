"""Conversation efficiency of the symptom check, over every triage path and every locale's content.

``python -m bench.conversation`` prints the table; ``python -m bench`` includes it in RESULTS.md.

For each locale the content has, the check is started every way a user can start it (plain
"check my symptoms", and one-shot with each symptom of the protocol's ``symptoms`` map and with a
long duration), then every answer (yes, no, not sure) is given at every question, through the
real skill (handlers, content, ``skill.domain.triage``), until each path reaches its disposition.
Paths share their tails: a state is the ``(pending, triage)`` session value, explored once.

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
from skill.tools.session import said as spoken_text

ANSWERS = {"yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent", "not sure": "UnsureIntent"}
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


class _Explorer:
    """Plays one locale's check through the webhook core, memoizing on the session state."""

    def __init__(self, webhook, locale: str, report: LocaleReport) -> None:
        self.webhook, self.locale, self.report = webhook, locale, report
        #: state key -> (most seconds of speech to a disposition from this state on, leaf paths)
        self.memo: dict[str, tuple[float, int]] = {}

    def send(self, request: dict[str, Any], attributes: dict[str, Any], new: bool) -> tuple[dict[str, Any], dict]:
        env = envelopes.envelope(request, attributes=attributes, new=new)
        status, payload, fields = self.webhook.handle(json.dumps(env).encode(), "application/json", {})
        if status != 200:
            raise RuntimeError(f"{self.locale}: HTTP {status}: {payload[:200]!r}")
        return json.loads(payload), fields

    def observe(self, response: dict[str, Any]) -> tuple[bool, str | None]:
        """Record what was said; (still asking a triage question?, disposition if it ended)."""
        text = spoken_text(response)
        self.report.longest.offer(text)
        attributes = response.get("sessionAttributes") or {}
        asking = attributes.get("pending") == "triage"
        if asking:
            self.report.longest_question_turn.offer(text)
            self.report.longest_question.offer(last_sentence(text))
        return asking, None

    def explore(self, response: dict[str, Any], fields: dict, depth_label: str) -> tuple[float, int]:
        """(most seconds of speech to a disposition after this response, paths) from this response on."""
        asking, _ = self.observe(response)
        disposition = fields.get("disposition")
        if disposition is not None:
            self.report.dispositions.add(disposition)
            self.report.outcomes.setdefault(disposition, Spoken()).offer(spoken_text(response))
            return 0.0, 1
        if not asking:
            self.report.problems.append(f"{depth_label}: neither a question nor a disposition")
            return 0.0, 1
        attributes = response.get("sessionAttributes") or {}
        key = json.dumps([attributes.get("pending"), attributes.get("triage")], sort_keys=True)
        if key in self.memo:
            return self.memo[key]
        self.report.states += 1
        worst, paths = 0.0, 0
        for label, intent in ANSWERS.items():
            reply, reply_fields = self.send(envelopes.intent_request(intent, locale=self.locale), attributes, False)
            below, below_paths = self.explore(reply, reply_fields, f"{depth_label} {label}")
            worst = max(worst, seconds(spoken_text(reply)) + below)
            paths += below_paths
        self.memo[key] = (worst, paths)
        return self.memo[key]

    def walk_no(self, response: dict[str, Any], emergency_ids: set[str], protocol) -> tuple[float, float]:
        """Answer "no" from this response on: (seconds until the last emergency question is asked,
        seconds of the whole path with the outcome's details)."""
        from skill.domain.triage import Ask, next_step, state_from_session

        spoken, reach = seconds(spoken_text(response)), 0.0
        for _ in range(len(protocol.questions) + 2):
            attributes = response.get("sessionAttributes") or {}
            if attributes.get("pending") != "triage":
                break
            step = next_step(protocol, state_from_session(protocol, attributes.get("triage")))
            if isinstance(step, Ask) and step.question.id in emergency_ids:
                reach = spoken
            response, _ = self.send(envelopes.intent_request("AMAZON.NoIntent", locale=self.locale), attributes, False)
            spoken += seconds(spoken_text(response))
        attributes = response.get("sessionAttributes") or {}
        if attributes.get("pending") == "outcome_details":
            details, _ = self.send(envelopes.intent_request("AMAZON.YesIntent", locale=self.locale), attributes, False)
            spoken += seconds(spoken_text(details))
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
        explorer = _Explorer(webhook, tag, report)
        protocol = resources.for_locale(tag).protocol
        for name, slots in starts(protocol):
            report.starts += 1
            request = envelopes.intent_request("SymptomCheckIntent", *slots, locale=tag)
            response, fields = explorer.send(request, {}, True)
            worst, paths = explorer.explore(response, fields, f"{tag} {name}:")
            report.paths += paths
            first = seconds(spoken_text(response))
            report.max_seconds_to_disposition = max(report.max_seconds_to_disposition, first + worst)
            emergency = {q.id for q in protocol.questions if q.level.key == "emergency"}
            reach, all_no = explorer.walk_no(response, emergency, protocol)
            report.emergency_reach_seconds = max(report.emergency_reach_seconds, reach)
            if name == "plain":
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
