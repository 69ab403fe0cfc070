"""Triage replies (Alexa layer): engine steps and slot read-backs become :class:`Reply` objects.

Every word comes from the ``triage`` content section; this module only chooses and orders keys.
The emergency outcome is the skill's one emergency answer (:func:`skill.alexa.replies.emergency.
emergency_reply`, the same as ``EmergencyIntent``'s), with the meaning of the check's stroke
questions: no intro, acknowledgement or read-back can ever delay its number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skill.alexa.replies.common import anything_else
from skill.alexa.replies.emergency import emergency_reply
from skill.alexa.replies.reply import Reply, Screen, join_lines
from skill.domain import triage_budget
from skill.domain.content import Content
from skill.domain.triage import Ask, Level, Outcome, Protocol, Question, Step, TriageState

#: Spoken duration units, largest first: (content key stem, days per unit).
_DURATION_UNITS = (("year", 365.0), ("month", 30.0), ("week", 7.0), ("day", 1.0), ("hour", 1 / 24))


@dataclass(frozen=True)
class TriageTexts:
    """The triage content of one locale, with the protocol it drives."""

    content: Content
    protocol: Protocol

    def text(self, key: str, **params: object) -> str:
        return self.content.text(f"triage.texts.{key}", **params)

    def question_node(self, question_id: str) -> Mapping[str, Any]:
        for node in self.content.node("triage.questions"):
            if node["id"] == question_id:
                return node
        raise KeyError(question_id)

    def outcome_node(self, level: Level) -> Mapping[str, Any]:
        return self.content.node(f"triage.outcomes.{level.key}")

    def symptom_name(self, symptom_id: str) -> str:
        return self.content.text(f"triage.symptom_names.{symptom_id}")


def ask(texts: TriageTexts, question: Question, *lines: str) -> Reply:
    """Some lines, then the question (its reprompt says how to answer).

    The card says only that a check is in progress: a card would otherwise repeat the turn's
    speech, read-backs and acknowledgements included, and the Alexa app keeps cards.
    """
    node = texts.question_node(question.id)
    return Reply(
        lines=tuple(lines),
        question=texts.content.format(node["ask"]),
        reprompt=texts.content.format(node["reprompt"]),
        card_text=texts.text("card_in_check"),
    )


def why(texts: TriageTexts, question: Question) -> Reply:
    return ask(texts, question, texts.content.format(texts.question_node(question.id)["why"]))


def step_reply(texts: TriageTexts, state: TriageState, step: Step, *lines: str) -> Reply:
    """The next question after ``lines``, or the outcome (an emergency drops ``lines``)."""
    if isinstance(step, Ask):
        return ask(texts, step.question, *lines)
    return outcome(texts, state, step, *lines)


def reasons(texts: TriageTexts, result: Outcome) -> list[str]:
    """The spoken reason of each question that led to the outcome, in asking order."""
    return [texts.content.format(texts.question_node(qid)["reason"]) for qid in result.reasons]


def outcome(texts: TriageTexts, state: TriageState, result: Outcome, *lines: str) -> Reply:
    """The disposition: speech with the reasons that led to it; a card and a screen without them.

    Below the emergency level the outcome is spoken in two turns, so no turn runs past 20 s: this
    one says what to do, why (the reason of each question answered yes or not sure, as many as fit,
    at least one), when to call the emergency number, then offers the rest (:func:`outcome_details`).
    The card and the screen carry the disposition and general advice only, never the answers or
    the reasons: the Alexa app keeps cards, and a person's health answers must not outlive the
    session. The person is told to write down what they noticed instead.
    """
    content = texts.content
    if result.level == Level.EMERGENCY:
        # The one emergency answer (the check's questions are stroke signs); the session ends.
        return emergency_reply(content, stroke=True, safe=result.to_be_safe, meaning=True)
    node = texts.outcome_node(result.level)
    lead = content.format(node["lead_safe"] if result.to_be_safe else node["lead"])
    title = content.format(node["card_title"])
    notice = texts.text("not_medical_advice")
    # Self care follows a "no"; a "taken as not sure" is said (its lead then says "to be safe").
    kept = tuple(line for line in lines if line == texts.text("unclear_as_unsure"))
    required, optional = triage_budget.outcome_turn(_budget_texts(texts), result.level, kept, reasons(texts, result),
                                                    safe=result.to_be_safe)
    spoken = _in_order(required, triage_budget.fit(required, optional), texts)
    escalate = escalation(texts, result.level)
    card = "\n".join([
        join_lines([lead, escalate]),
        join_lines(details_lines(texts, result.level, all_tips=True)),
        notice,
    ])
    return Reply(
        lines=tuple(spoken[:-1]),
        question=spoken[-1],
        reprompt=texts.text("offer_details_reprompt"),
        card_title=title,
        card_text=card,
        screen=Screen(title=title, points=(lead, escalate), level=result.level.key),
    )


def _budget_texts(texts: TriageTexts) -> triage_budget.TurnTexts:
    return triage_budget.TurnTexts(texts.content, texts.protocol)


def _in_order(required: list[str], extra: list[str], texts: TriageTexts) -> list[str]:
    """The first outcome turn: prefix, lead, reasons, escalate, (notice), offer."""
    *body, offer = required
    escalate = body[-1]
    head = body[:-1]  # prefix, lead, first reason
    more_reasons = [line for line in extra if line != texts.text("not_medical_advice")]
    notice = [line for line in extra if line == texts.text("not_medical_advice")]
    return [*head, *more_reasons, escalate, *notice, offer]


def escalation(texts: TriageTexts, level: Level) -> str:
    """The outcome's one line on when to call the emergency number (the safety net by default)."""
    node = texts.outcome_node(level)
    return texts.content.format(node["escalate"]) if node.get("escalate") else texts.text("safety_net")


def details_lines(texts: TriageTexts, level: Level, *, all_tips: bool = False) -> list[str]:
    """Who to see, what helps, when to check again, the safety net if the outcome did not say it,
    and to write down what was noticed. The card gets every line; speech as many as fit in 20 s."""
    required, optional = triage_budget.details_turn(_budget_texts(texts), level,
                                                    texts.content.text("anything_else.question"))
    chosen = optional if all_tips else triage_budget.fit(required, optional)
    write_down = texts.text("write_down")
    tips = [line for line in chosen if line != write_down]
    written = [line for line in chosen if line == write_down]
    who = required[:1] if texts.outcome_node(level).get("who") else []
    return [*who, *tips, *required[len(who):-1], *written]


def outcome_details(texts: TriageTexts, level: Level) -> Reply:
    """ "Yes" to the details offer: the second turn of a non-emergency outcome."""
    title = texts.content.format(texts.outcome_node(level)["card_title"])
    lines = details_lines(texts, level)
    base = anything_else(texts.content, *lines, card_title=title)
    return Reply(lines=base.lines, question=base.question, reprompt=base.reprompt, card_title=title,
                 card_text=join_lines(lines))


def outcome_declined(texts: TriageTexts, level: Level) -> Reply:
    """ "No" to the details offer: moving on, with the safety net if turn one did not say it."""
    *lines, _question = triage_budget.declined_turn(_budget_texts(texts), level,
                                                    texts.content.text("anything_else.question"))
    return anything_else(texts.content, *lines)


def stopped_lines(texts: TriageTexts) -> list[str]:
    """ "Stop" mid-check: stopping, then the safety net (the signs to call the emergency number for)."""
    return [texts.text("stop_mid_check"), texts.text("safety_net")]


def readback(texts: TriageTexts, symptom_id: str | None, symptom_raw: str | None, duration_raw: str | None,
             duration_days: float | None, *, in_check: bool = False) -> list[str]:
    """What the skill understood from one-shot slots, said before the next question.

    A symptom the skill could not place gets "I didn't catch that symptom"; during a check also the
    emergency safety line, since the person may have named a sign the check has no word for.
    """
    lines = []
    if symptom_id and texts.content.has(f"triage.symptom_names.{symptom_id}"):
        lines.append(texts.text("readback_symptom", symptom=texts.symptom_name(symptom_id)))
    elif symptom_raw:
        lines += _budget_texts(texts).unknown_symptom(in_check=in_check)
    if duration_raw:
        if duration_days is None:
            lines.append(texts.text("duration_unreadable"))
        else:
            lines.append(texts.text("readback_duration", duration=spoken_duration(texts, duration_days)))
    return lines


def spoken_duration(texts: TriageTexts, days: float) -> str:
    """ "3 weeks", "a month", "26 hours": the largest unit that fits whole, else rounded."""
    if days < 1 / 24:
        return texts.text("duration_less_than_hour")
    whole = [(unit, days / size) for unit, size in _DURATION_UNITS if days >= size and _is_whole(days / size)]
    unit, count = whole[0] if whole else next((u, days / s) for u, s in _DURATION_UNITS if days >= s)
    number = round(count)
    if number == 1:
        return texts.text(f"duration_one_{unit}")
    return texts.text(f"duration_{unit}s", count=number)


def _is_whole(value: float) -> bool:
    return abs(value - round(value)) < 1e-6
