"""Speech budget: every triage path and every topic page, in every locale's content, said short.

A driver plays the symptom check through the real skill, in process, the way a person can: it
starts the check every way there is (plain, one-shot with each symptom of the protocol, one-shot
with a long duration), gives every answer (yes, no, not sure) at every question, and at every
question also asks why, asks for help, says something else, asks to repeat, to go back, to start
over, to stop, and mentions each symptom. At each outcome it says yes, no, repeat and go back to
the offer of details. Each distinct session state is explored once. Every topic and trigger is
then paged through to its end.

The targets, at 150 words a minute (a brisk speaking pace for Alexa):

* every response at most 20 s (50 words), the question included;
* every question sentence at most 8 s (20 words): the one-breath test;
* the emergency instruction reached by the second answer, any disposition by the sixth.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from skill.domain.triage import Protocol
from tests.support import envelopes
from tests.support.checks import assert_valid_response
from tests.support.client import ends_session, invoke, speech

WORDS_PER_MINUTE = 150
MAX_RESPONSE_SECONDS = 20.0
MAX_QUESTION_SECONDS = 8.0
MAX_ANSWERS_TO_EMERGENCY = 2
MAX_ANSWERS_TO_DISPOSITION = 6

ANSWERS = {"yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent", "not sure": "UnsureIntent"}
#: Turns a person can take at a question besides answering it (each is measured, not explored on).
SIDE_TURNS = ("WhyAskIntent", "AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AMAZON.RepeatIntent",
              "GoBackIntent", "AMAZON.StartOverIntent", "AMAZON.StopIntent", "AMAZON.NavigateHomeIntent")
#: Turns at the offer of an outcome's details.
OFFER_TURNS = ("AMAZON.YesIntent", "AMAZON.NoIntent", "UnsureIntent", "MoreIntent", "AMAZON.RepeatIntent",
               "GoBackIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def seconds(text: str) -> float:
    return len(text.split()) * 60 / WORDS_PER_MINUTE


def last_sentence(text: str) -> str:
    parts = [part for part in _SENTENCE_END.split(text) if part.strip()]
    return parts[-1] if parts else text


@dataclass
class Heard:
    """One response: where it was heard (a path of turns) and what was said."""

    path: str
    text: str
    question: str | None

    def __str__(self) -> str:
        return f"{self.path}: {seconds(self.text):.1f} s: {self.text!r}"


@dataclass
class Report:
    locale: str
    heard: list[Heard] = field(default_factory=list)
    dispositions: set[str] = field(default_factory=set)
    max_answers_to_emergency: int = 0
    max_answers_to_disposition: int = 0
    problems: list[str] = field(default_factory=list)

    def longest(self) -> Heard:
        return max(self.heard, key=lambda h: seconds(h.text))


class Driver:
    """Plays one locale through the skill; memoizes on the session state, so tails are shared."""

    def __init__(self, skill, locale: str) -> None:
        self.skill, self.locale = skill, locale
        self.report = Report(locale)
        self.memo: dict[str, tuple[int, int]] = {}
        self.offers: set[str] = set()

    def send(self, name: str, attributes: dict[str, Any], *slots: dict[str, Any], new: bool = False,
             path: str = "") -> tuple[dict[str, Any], dict[str, str]]:
        request = envelopes.intent_request(name, *slots, locale=self.locale)
        log: dict[str, str] = {}
        response = invoke(self.skill, envelopes.envelope(request, attributes=attributes, new=new), log=log)
        assert_valid_response(response)
        text = speech(response)
        question = None if ends_session(response) else last_sentence(text)
        self.report.heard.append(Heard(f"{self.locale} {path}".strip(), text, question))
        return response, log

    def start(self, label: str, *slots: dict[str, Any]) -> None:
        response, log = self.send("SymptomCheckIntent", {}, *slots, new=True, path=f"{label}:")
        worst, worst_emergency = self.explore(response, log, f"{label}:")
        self.report.max_answers_to_disposition = max(self.report.max_answers_to_disposition, worst)
        self.report.max_answers_to_emergency = max(self.report.max_answers_to_emergency, worst_emergency)

    def explore(self, response: dict[str, Any], log: dict[str, str], path: str) -> tuple[int, int]:
        """(most answers to a disposition, most answers to an emergency or -1) from this response on."""
        attributes = response.get("sessionAttributes") or {}
        disposition = log.get("disposition")
        if disposition is not None:
            self.report.dispositions.add(disposition)
            if disposition == "emergency":
                if not ends_session(response):
                    self.report.problems.append(f"{path}: the emergency outcome kept the session open")
                return 0, 0
            self.offer(response, path)
            return 0, -1
        if attributes.get("pending") != "triage":
            self.report.problems.append(f"{path}: neither a triage question nor a disposition")
            return 0, -1
        key = json.dumps([attributes.get("pending"), attributes.get("triage")], sort_keys=True)
        if key in self.memo:
            return self.memo[key]
        worst, worst_emergency = 0, -1
        for label, intent in ANSWERS.items():
            reply, reply_log = self.send(intent, attributes, path=f"{path} {label}")
            below, below_emergency = self.explore(reply, reply_log, f"{path} {label}")
            worst = max(worst, below + 1)
            if below_emergency >= 0:
                worst_emergency = max(worst_emergency, below_emergency + 1)
        for intent in SIDE_TURNS:
            self.send(intent, attributes, path=f"{path} {intent}")
        for symptom in sorted(self.protocol.symptom_map):
            self.send("SymptomCheckIntent", attributes, envelopes.slot("symptom", symptom, id=symptom),
                      path=f"{path} mentions {symptom}")
        self.send("SymptomCheckIntent", attributes, envelopes.slot("duration", long_duration(self.protocol)),
                  path=f"{path} mentions a long duration")
        self.memo[key] = (worst, worst_emergency)
        return self.memo[key]

    def offer(self, response: dict[str, Any], path: str) -> None:
        """The turns at an outcome's offer of details; Repeat must say the outcome again, word for word."""
        attributes = response.get("sessionAttributes") or {}
        key = json.dumps(attributes, sort_keys=True)
        if key in self.offers:
            return
        self.offers.add(key)
        if attributes.get("pending") != "outcome_details":
            self.report.problems.append(f"{path}: a non-emergency outcome must offer its details")
            return
        if self.number not in speech(response):
            self.report.problems.append(f"{path}: the outcome's first turn must say when to call {self.number}")
        for intent in OFFER_TURNS:
            reply, _ = self.send(intent, attributes, path=f"{path} {intent}")
            if intent == "AMAZON.RepeatIntent":
                if speech(reply) != speech(response) or (reply.get("sessionAttributes") or {}) != attributes:
                    self.report.problems.append(f"{path}: repeat did not say the outcome again with its offer")
                again, _ = self.send("AMAZON.YesIntent", reply.get("sessionAttributes") or {},
                                     path=f"{path} repeat yes")
                details, _ = self.send("AMAZON.YesIntent", attributes, path=f"{path} yes")
                if speech(again) != speech(details):
                    self.report.problems.append(f"{path}: yes after repeat did not speak the details")

    def run(self, protocol: Protocol, emergency_number: str) -> Report:
        self.protocol, self.number = protocol, emergency_number
        self.start("plain")
        for symptom in sorted(protocol.symptom_map):
            self.start(f"one-shot {symptom}", envelopes.slot("symptom", symptom, id=symptom))
        self.start("one-shot long duration", envelopes.slot("duration", long_duration(protocol)))
        return self.report


def long_duration(protocol: Protocol) -> str:
    return f"P{max(1, -(-protocol.duration_min_days // 7))}W"


def topic_pages(skill, content, locale: str) -> list[Heard]:
    """Every page of every topic and trigger, asked after a launch and asked one-shot."""
    heard = []
    askings = [(topic_id, envelopes.intent_request(_intent(topic_id), locale=locale)) for topic_id in content.node("topics")]
    askings += [
        (f"trigger {trigger_id}", envelopes.intent_request(
            "TriggerDetailIntent", envelopes.slot("trigger", trigger_id, id=trigger_id), locale=locale))
        for trigger_id in content.node("triggers")
    ]
    for name, request in askings:
        for new in (False, True):
            response = invoke(skill, envelopes.envelope(request, attributes={}, new=new))
            page = 1
            while True:
                assert_valid_response(response)
                text = speech(response)
                open_ = not ends_session(response)
                heard.append(Heard(f"{locale} {name}{' one-shot' if new else ''} page {page}", text,
                                   last_sentence(text) if open_ else None))
                attributes = response.get("sessionAttributes") or {}
                if attributes.get("pending") != "more":
                    break
                page += 1
                more = envelopes.intent_request("MoreIntent", locale=locale)
                response = invoke(skill, envelopes.envelope(more, attributes=attributes, new=False))
    return heard


def _intent(topic_id: str) -> str:
    return "".join(part.capitalize() for part in topic_id.split("_")) + "Intent"


@pytest.fixture(scope="module")
def reports(skill, store, resources) -> list[Report]:
    found = []
    for tag in store.tags:
        found.append(Driver(skill, tag).run(resources.for_locale(tag).protocol,
                                            store.for_locale(tag).locale_params["emergency_number"]))
    return found


def test_the_driver_reaches_every_disposition_in_every_locale(reports):
    for report in reports:
        assert not report.problems, f"{report.locale}: {report.problems[:5]}"
        assert report.dispositions == {"emergency", "urgent", "soon", "routine", "self_care"}, (
            f"{report.locale}: the driver reached only {sorted(report.dispositions)}"
        )
        assert len(report.heard) > 300, f"{report.locale}: only {len(report.heard)} responses were heard"


def test_the_emergency_comes_by_the_second_answer_and_any_outcome_by_the_sixth(reports):
    for report in reports:
        assert report.max_answers_to_emergency <= MAX_ANSWERS_TO_EMERGENCY, (
            f"{report.locale}: an emergency took {report.max_answers_to_emergency} answers"
        )
        assert report.max_answers_to_disposition <= MAX_ANSWERS_TO_DISPOSITION, (
            f"{report.locale}: a disposition took {report.max_answers_to_disposition} answers"
        )


def test_every_symptom_check_response_fits_twenty_seconds(reports):
    over = [h for r in reports for h in r.heard if seconds(h.text) > MAX_RESPONSE_SECONDS]
    over.sort(key=lambda h: -seconds(h.text))
    assert not over, f"{len(over)} responses run over {MAX_RESPONSE_SECONDS:.0f} s; the longest:\n" + "\n".join(
        str(h) for h in over[:8]
    )


def test_every_symptom_check_question_passes_the_one_breath_test(reports):
    over = {(h.question, h.path.split()[0]) for r in reports for h in r.heard
            if h.question and seconds(h.question) > MAX_QUESTION_SECONDS}
    assert not over, f"{len(over)} question sentences run over {MAX_QUESTION_SECONDS:.0f} s:\n" + "\n".join(
        f"{locale}: {seconds(q):.1f} s: {q!r}" for q, locale in sorted(over, key=lambda x: -seconds(x[0]))[:8]
    )


def test_every_topic_page_fits_twenty_seconds_and_its_question_one_breath(skill, store):
    heard = [h for tag in store.tags for h in topic_pages(skill, store.for_locale(tag), tag)]
    assert len(heard) > 100, f"only {len(heard)} topic pages were heard"
    long = sorted((h for h in heard if seconds(h.text) > MAX_RESPONSE_SECONDS), key=lambda h: -seconds(h.text))
    assert not long, f"{len(long)} topic pages run over {MAX_RESPONSE_SECONDS:.0f} s:\n" + "\n".join(
        str(h) for h in long[:8]
    )
    breathless = [h for h in heard if h.question and seconds(h.question) > MAX_QUESTION_SECONDS]
    assert not breathless, "topic questions over one breath:\n" + "\n".join(
        f"{h.path}: {h.question!r}" for h in breathless[:8]
    )


def test_the_budget_check_can_fail():
    fifty_one = " ".join(["word"] * 51)
    assert seconds(fifty_one) > MAX_RESPONSE_SECONDS, "51 words must be over the 20 s budget"
    assert seconds(" ".join(["word"] * 50)) <= MAX_RESPONSE_SECONDS, "50 words must fit the 20 s budget"
    assert last_sentence("Okay. Has it lasted two weeks?") == "Has it lasted two weeks?"
