"""Conversation efficiency of the symptom check, over every triage path and every locale's content.

``python -m bench.conversation`` prints the table; ``python -m bench`` includes it in RESULTS.md.

For each locale the content has, the check is started every way a user can start it (plain
"check my symptoms", and one-shot with each symptom of the protocol's ``symptoms`` map and with a
long duration), then every answer (yes, no, not sure) is given at every question, through the
real skill (handlers, content, ``skill.domain.triage``), until each path reaches its disposition.
Paths share their tails: a state is the ``(pending, triage)`` session value, explored once.

Measured, against the targets:
* answers to the emergency instruction, on every path that ends in it (target <= 2);
* answers to any disposition (target <= 6);
* the longest spoken response, at 150 words a minute (target <= 20 s); and for turns that ask
  a triage question, the whole turn and the question sentence alone (target <= 8 s).
"""

from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from tests.support import envelopes

WORDS_PER_MINUTE = 150
TARGET_EMERGENCY_ANSWERS = 2
TARGET_DISPOSITION_ANSWERS = 6
TARGET_RESPONSE_SECONDS = 20.0
TARGET_QUESTION_SECONDS = 8.0
ANSWERS = {"yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent", "not sure": "UnsureIntent"}
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def spoken_text(response: dict[str, Any]) -> str:
    ssml = ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")
    return " ".join(html.unescape(_TAG.sub(" ", ssml)).split())


def seconds(text: str) -> float:
    return len(text.split()) / WORDS_PER_MINUTE * 60


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
    max_answers_to_emergency: int = 0
    max_answers_to_disposition: int = 0
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
            and self.max_answers_to_emergency <= TARGET_EMERGENCY_ANSWERS
            and self.max_answers_to_disposition <= TARGET_DISPOSITION_ANSWERS
            and self.longest.seconds <= TARGET_RESPONSE_SECONDS
            and self.longest_question.seconds <= TARGET_QUESTION_SECONDS
        )


class _Explorer:
    """Plays one locale's check through the webhook core, memoizing on the session state."""

    def __init__(self, webhook, locale: str, report: LocaleReport) -> None:
        self.webhook, self.locale, self.report = webhook, locale, report
        #: state key -> (max answers to a disposition, max answers to an emergency or -1, leaf paths)
        self.memo: dict[str, tuple[int, int, int]] = {}

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

    def explore(self, response: dict[str, Any], fields: dict, depth_label: str) -> tuple[int, int, int]:
        """(max answers to disposition, max answers to emergency, paths) from this response on."""
        asking, _ = self.observe(response)
        disposition = fields.get("disposition")
        if disposition is not None:
            self.report.dispositions.add(disposition)
            self.report.outcomes.setdefault(disposition, Spoken()).offer(spoken_text(response))
            return 0, (0 if disposition == "emergency" else -1), 1
        if not asking:
            self.report.problems.append(f"{depth_label}: neither a question nor a disposition")
            return 0, -1, 1
        attributes = response.get("sessionAttributes") or {}
        key = json.dumps([attributes.get("pending"), attributes.get("triage")], sort_keys=True)
        if key in self.memo:
            return self.memo[key]
        self.report.states += 1
        worst, worst_emergency, paths = 0, -1, 0
        for label, intent in ANSWERS.items():
            reply, reply_fields = self.send(envelopes.intent_request(intent, locale=self.locale), attributes, False)
            below, below_emergency, below_paths = self.explore(reply, reply_fields, f"{depth_label} {label}")
            worst = max(worst, below + 1)
            if below_emergency >= 0:
                worst_emergency = max(worst_emergency, below_emergency + 1)
            paths += below_paths
        self.memo[key] = (worst, worst_emergency, paths)
        return self.memo[key]


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
            worst, worst_emergency, paths = explorer.explore(response, fields, f"{tag} {name}:")
            report.paths += paths
            report.max_answers_to_disposition = max(report.max_answers_to_disposition, worst)
            report.max_answers_to_emergency = max(report.max_answers_to_emergency, worst_emergency)
        reports.append(report)
    return reports


def markdown(reports: list[LocaleReport]) -> str:
    lines = [
        f"| locale | starts | paths | answers to emergency (<= {TARGET_EMERGENCY_ANSWERS}) "
        f"| answers to a disposition (<= {TARGET_DISPOSITION_ANSWERS}) | longest response (<= {TARGET_RESPONSE_SECONDS:.0f} s) "
        f"| longest question turn (<= {TARGET_QUESTION_SECONDS:.0f} s) | longest question sentence | dispositions reached |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        lines.append(
            f"| {r.locale} | {r.starts} | {r.paths} | {r.max_answers_to_emergency} | {r.max_answers_to_disposition} "
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
