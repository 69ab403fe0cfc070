"""Symptom-check budgets in spoken time, and the sign rules (domain layer), checked when content is parsed.

For a voice product the budget that matters is what the person hears, so the protocol's limits are
seconds of speech at :data:`WORDS_PER_MINUTE`, not counts of questions:

* every emergency sign is asked within :data:`MAX_EMERGENCY_REACH_SECONDS` of speech from the start
  of the check (the not-medical-advice notice, the intro, the longest read-back of a one-shot symptom
  or duration, then every emergency question in order);
* every question sentence (``ask``, and each sentence of a ``reprompt``) is at most
  :data:`MAX_QUESTION_SECONDS`;
* every response is at most :data:`MAX_RESPONSE_SECONDS`: each question with the longest line that
  can come before it (mid-check, an unplaced symptom's read-back carries the emergency safety line),
  each outcome turn with its required lines (optional lines, the second reason, "write down what you
  noticed" or a tip, are only added by :func:`fit` while the turn stays inside the budget), the
  "no" to an outcome's details (with the safety net), and "stop" mid-check (with the safety net);
* the all-"no" path, every question then the self-care outcome and its details, is at most
  :data:`MAX_ALL_NO_SECONDS`.

It also checks the sign rules: each question names its ``signs`` (their words, from the content's
``triage.signs``) and its reprompt names exactly the signs its question names.

The turn shapes mirror ``skill/alexa/replies/triage.py`` (which uses :func:`fit` for the optional
lines), and ``tests/alexa/test_speech_budget.py`` measures every real response through the skill,
so the two cannot drift apart unnoticed.

Where the checks run: on every locale of content parsed from YAML (:func:`checked_protocol`), by
``ContentStore.load`` before the parsed content goes into the content cache, and by
``SkillResources`` for content that did not come through the cache. The content cache keeps only
content that passed, under a key that covers this module's code (and the engine's, the emergency
answer's and the speech-time rules'), so a start that reads its content from the cache reads content
these very checks passed, and does not measure it again; a content edit or a change to this code
means a parse, and the checks, at the next start. ``nose-twitch validate`` and ``nose-twitch
package`` run them too, so content is checked where it is written and where it is shipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skill.domain.emergency import answer_lines as emergency_answer
from skill.domain.errors import ContentError
from skill.domain.spoken import (  # noqa: F401 - the limits are part of this module's vocabulary
    MAX_ALL_NO_SECONDS,
    MAX_EMERGENCY_REACH_SECONDS,
    MAX_QUESTION_SECONDS,
    MAX_RESPONSE_SECONDS,
    WORDS_PER_MINUTE,
    fit,
    seconds,
    sentences,
    words,
)
from skill.domain.triage import Level, Protocol

if TYPE_CHECKING:  # annotations only: content loading runs these checks (skill.domain.content imports this module)
    from skill.domain.content import Content

#: The largest count a spoken duration read-back can carry in practice ("fifty-two weeks").
_LONGEST_COUNT = "52"


@dataclass(frozen=True)
class Budget:
    """One measured budget: a name, the seconds it takes, its limit, and what was measured."""

    name: str
    seconds: float
    limit: float
    detail: str

    @property
    def ok(self) -> bool:
        return self.seconds <= self.limit + 1e-9


class TurnTexts:
    """The triage texts of one locale, filled: what the turn shapes are built from."""

    def __init__(self, content: Content, protocol: Protocol) -> None:
        self.content, self.protocol = content, protocol
        self.questions = {node["id"]: node for node in content.node("triage.questions")}

    def text(self, key: str, **params: object) -> str:
        return self.content.text(f"triage.texts.{key}", **params)

    def fmt(self, text: str) -> str:
        return self.content.format(text)

    def ask(self, qid: str) -> str:
        return self.fmt(self.questions[qid]["ask"])

    def outcome(self, level: Level) -> Mapping[str, Any]:
        return self.content.node(f"triage.outcomes.{level.key}")

    def longest(self, texts: Iterable[str]) -> str:
        return max(texts, key=words, default="")

    def safety_net(self) -> str:
        return self.text("safety_net")

    def unknown_symptom(self, *, in_check: bool) -> list[str]:
        """What an unplaced symptom gets: "I didn't catch that symptom", and mid-check the safety line."""
        lines = [self.text("symptom_unknown")]
        if in_check and self.content.has("emergency.safety_line"):
            lines.append(self.content.text("emergency.safety_line"))
        return lines

    def readbacks(self, *, in_check: bool = False) -> list[str]:
        """The longest symptom read-back and the longest duration read-back (at the start of a check,
        or said mid-check, where an unplaced symptom also gets the safety line)."""
        names = self.content.node("triage.symptom_names")
        symptom = self.longest(
            [self.text("readback_symptom", symptom=self.fmt(n)) for n in names.values()]
            + [" ".join(self.unknown_symptom(in_check=in_check))]
        )
        units = [k for k in self.content.node("triage.texts") if k.startswith("duration_") and k != "duration_unreadable"]
        spoken = self.longest(self.text(k, count=_LONGEST_COUNT) for k in units)
        duration = self.longest([self.text("readback_duration", duration=spoken), self.text("duration_unreadable")])
        return [symptom, duration]


def outcome_turn(texts: TurnTexts, level: Level, prefix: Sequence[str], reasons: Sequence[str], *,
                 safe: bool) -> tuple[list[str], list[str]]:
    """(required lines, optional lines) of the first turn of a non-emergency outcome.

    Required: the prefix, the lead, the first reason (self care: its meaning), when to call the
    emergency number, the offer of details. Optional, in order, while they fit: further reasons, the
    not-medical-advice notice.
    """
    node = texts.outcome(level)
    lead = texts.fmt(node["lead_safe"] if safe else node["lead"])
    escalate = texts.fmt(node["escalate"]) if node.get("escalate") else texts.text("safety_net")
    first = list(reasons[:1]) or ([texts.fmt(node["meaning"])] if node.get("meaning") else [])
    required = [*prefix, lead, *first, escalate, texts.text("offer_details")]
    return required, [*reasons[1:], texts.text("not_medical_advice")]


def details_turn(texts: TurnTexts, level: Level, question: str) -> tuple[list[str], list[str]]:
    """(required lines, optional lines) of the details turn; ``question`` is the closing question.

    Required: who to see, when to check again, the safety net (when turn 1 said the escalate line
    instead), the closing question. Optional, in order, while they fit: "write down what you
    noticed" (the card always carries it), then the tips.
    """
    node = texts.outcome(level)
    required = [texts.fmt(node["who"])] if node.get("who") else []
    if node.get("recheck"):
        required.append(texts.fmt(node["recheck"]))
    if node.get("escalate"):
        required.append(texts.safety_net())
    required.append(question)
    tips = [texts.fmt(tip["say"]) for tip in node.get("tips") or ()]
    return required, [texts.text("write_down"), *tips]


def declined_turn(texts: TurnTexts, level: Level, question: str) -> list[str]:
    """ "No" to the details: okay, the safety net if turn 1 did not say it, the closing question."""
    safety = [texts.safety_net()] if texts.outcome(level).get("escalate") else []
    return [texts.content.text("moving_on"), *safety, question]


def measure(content: Content, protocol: Protocol) -> list[Budget]:
    """Every budget of one locale's symptom check (see the module docstring)."""
    texts = TurnTexts(content, protocol)
    budgets: list[Budget] = []
    notice, intro = texts.text("not_medical_advice"), texts.text("intro")

    # Reaching each emergency sign: notice, intro, the longest one-shot read-back (a symptom or a
    # duration), then the emergency questions in order.
    spoken = [notice, intro, texts.longest(texts.readbacks())]
    for question in protocol.questions:
        if question.level != Level.EMERGENCY:
            break
        spoken.append(texts.ask(question.id))
        budgets.append(Budget(f"reach {question.id}", seconds(*spoken), MAX_EMERGENCY_REACH_SECONDS,
                              f"signs {', '.join(question.signs)} asked after {len(spoken) - 3} question(s)"))

    # Question sentences.
    for question in protocol.questions:
        node = texts.questions[question.id]
        for key in ("ask", "reprompt"):
            for sentence in sentences(texts.fmt(node[key])):
                budgets.append(Budget(f"sentence {question.id}.{key}", seconds(sentence), MAX_QUESTION_SECONDS,
                                      sentence))

    # Responses that end in a question: the longest line that can come before it, then the question.
    prefixes = {
        "start": [notice, intro, *texts.readbacks()],
        "answer": [texts.text("unsure_ack")],
        "unclear": [texts.text("reask")],
        "second unclear": [texts.text("unclear_as_unsure")],
        "help": [texts.text("help")],
        "start over": [texts.text("restart"), texts.text("restart_kept"), intro],
        "mention": texts.readbacks(in_check=True),
    }
    for index, question in enumerate(protocol.questions):
        why = texts.fmt(texts.questions[question.id]["why"])
        shapes = {**prefixes, "why": [why]}
        if index:
            del shapes["start"]  # a check starts at the first question: no symptom pre-answers it
        name, prefix = max(shapes.items(), key=lambda item: seconds(*item[1]))
        budgets.append(Budget(f"response {question.id}", seconds(*prefix, texts.ask(question.id)),
                              MAX_RESPONSE_SECONDS, f"after {name}"))

    # Outcomes: the emergency one, then each level's first turn with its longest reason and details.
    budgets.append(Budget("response outcome emergency", seconds(*emergency_answer(content, stroke=True, safe=True)),
                          MAX_RESPONSE_SECONDS,
                          "the one emergency answer, longest form (its meaning line is said only while it fits)"))
    prefix = [texts.longest([texts.text("unclear_as_unsure"), texts.text("answer_changed"),
                             texts.text("go_back_done")])]
    closing = content.text("anything_else.question") if content.has("anything_else.question") else ""
    for level in Level:
        if level == Level.EMERGENCY:
            continue
        reasons = [texts.fmt(texts.questions[q.id]["reason"]) for q in protocol.questions
                   if q.level == level and texts.questions[q.id].get("reason")]
        # Self care follows a "no": no acknowledgement, read-back or "taken as not sure" comes before it.
        before = prefix if level != Level.SELF_CARE else []
        for safe in (False, True):
            required, _ = outcome_turn(texts, level, before, [texts.longest(reasons)] if reasons else [], safe=safe)
            budgets.append(Budget(f"response outcome {level.key}{' (to be safe)' if safe else ''}",
                                  seconds(*required), MAX_RESPONSE_SECONDS, "with its longest reason"))
        required, _ = details_turn(texts, level, closing)
        budgets.append(Budget(f"response details {level.key}", seconds(*required), MAX_RESPONSE_SECONDS,
                              "who, recheck, safety net"))
        budgets.append(Budget(f"response declined {level.key}", seconds(*declined_turn(texts, level, closing)),
                              MAX_RESPONSE_SECONDS, "okay, safety net"))
    goodbye = content.text("goodbye") if content.has("goodbye") else ""
    budgets.append(Budget("response stop mid-check",
                          seconds(texts.text("stop_mid_check"), texts.safety_net(), goodbye), MAX_RESPONSE_SECONDS,
                          "stopping, safety net, goodbye"))

    # The all-"no" path: every question, then self care and its details.
    first, optional = outcome_turn(texts, Level.SELF_CARE, [], [], safe=False)
    turn1 = first + fit(first, optional)
    details, tips = details_turn(texts, Level.SELF_CARE, closing)
    turn2 = details + fit(details, tips)
    path = [notice, intro, *(texts.ask(q.id) for q in protocol.questions), *turn1, *turn2]
    budgets.append(Budget("all-no path", seconds(*path), MAX_ALL_NO_SECONDS,
                          f"{len(protocol.questions)} questions, then self care"))
    return budgets


def sign_problems(content: Content, protocol: Protocol) -> list[str]:
    """Questions whose text does not name its signs, and reprompts whose signs differ from the question's."""
    vocabulary = content.node("triage.signs") if content.has("triage.signs") else {}
    problems: list[str] = []
    patterns: dict[str, re.Pattern[str]] = {}
    for sign, sign_words in vocabulary.items():
        parts = [w.strip().lower() for w in sign_words.split(",")] if isinstance(sign_words, str) else []
        if not all(parts):
            problems.append(f"triage.signs.{sign}: must be its words, separated by commas")
            continue
        alternatives = "|".join(re.escape(w) for w in parts)
        patterns[sign] = re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)
    nodes = {node["id"]: node for node in content.node("triage.questions")}

    def named(text: str) -> set[str]:
        return {sign for sign, pattern in patterns.items() if pattern.search(text)}

    for index, question in enumerate(protocol.questions):
        where = f"triage.questions.{index} ({question.id})"
        unknown = [s for s in question.signs if s not in vocabulary]
        if unknown:
            problems.append(f"{where}.signs: unknown sign ids {unknown} (not in triage.signs)")
            continue
        node = nodes[question.id]
        in_ask, in_reprompt = named(str(node.get("ask", ""))), named(str(node.get("reprompt", "")))
        missing = [s for s in question.signs if s not in in_ask]
        if missing:
            problems.append(f"{where}.ask: does not name its signs {missing}")
        if in_reprompt != in_ask:
            dropped, added = sorted(in_ask - in_reprompt), sorted(in_reprompt - in_ask)
            problems.append(
                f"{where}.reprompt: names different signs from its question"
                + (f"; drops {dropped}" if dropped else "") + (f"; adds {added}" if added else "")
            )
        if question.level != Level.EMERGENCY and not node.get("reason"):
            problems.append(f"{where}.reason: missing: the outcome speaks the reason of each question that led to it")
    return problems


def check(content: Content, protocol: Protocol) -> list[str]:
    """Every sign and budget problem of one locale's symptom check, as messages naming the key."""
    try:
        problems = sign_problems(content, protocol)
    except (ContentError, KeyError, TypeError) as exc:
        return [f"triage: cannot check the signs: {exc}"]
    try:
        problems += [
            f"triage: time budget broken: {b.name} takes {b.seconds:.1f} s of speech (at most {b.limit:.0f} s "
            f"at {WORDS_PER_MINUTE} words a minute): {b.detail}"
            for b in measure(content, protocol)
            if not b.ok
        ]
    except (ContentError, KeyError, TypeError) as exc:
        return [f"triage: cannot measure the symptom check: {exc}"]
    return problems


def checked_protocol(content: Content, *, budgets: bool = True) -> Protocol:
    """One locale's triage protocol, its content checked: the engine's rules on the questions
    (:meth:`Protocol.from_content`), then, with ``budgets``, the sign rules and the spoken-time
    budgets (:func:`check`).

    :raises ContentError: naming the locale and every problem found
    """
    try:
        protocol = Protocol.from_content(content.node("triage"))
    except ValueError as exc:
        raise ContentError(f"{content.tag}: triage content is invalid: {exc}") from None
    problems = check(content, protocol) if budgets else []
    if problems:
        raise ContentError(f"{content.tag}: triage content is invalid: {'; '.join(problems)}")
    return protocol
