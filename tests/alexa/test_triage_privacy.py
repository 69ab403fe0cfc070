"""Health answers never leave the session: a crawl of every symptom-check path in every locale.

Amazon's health policy, and the product's promise, is that nothing a person says about their
health is kept: the Alexa app keeps cards, screens can be seen by others, logs are stored. So no
card, no APL screen directive and no log field may carry an answer, a reason, a question's text or
a symptom slot value. The outcome speaks the reasons (speech is not kept) and tells the person to
write down what they noticed instead.

The crawl starts the check every way (plain, one-shot with every symptom value id the model has,
one-shot with a long duration), on a device with a screen, gives every answer at every question
(states are explored once: paths share their tails; ``skill.tools.session.Crawler``), at the plain start also an unclear answer,
twice, and a symptom mentioned mid-check, and at every outcome asks for the details. It asserts
on every response.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.tools import envelopes
from skill.tools.models import load_model
from skill.tools.session import Crawler, Turn
from tests.support.client import invoke

LOCALES = ("en-US", "en-CA", "en-GB", "en-AU", "en-IN", "es-US", "es-MX", "es-ES")
#: Log fields a request may note: the intent, the handler, the disposition level. Nothing else.
LOG_FIELDS = {"intent", "handler", "disposition"}


def private_texts(content, values: dict[str, str]) -> set[str]:
    """What must never be stored: every question, reason and why, every read-back name, the slot values."""
    found: set[str] = set()
    for node in content.node("triage.questions"):
        for field in ("ask", "reprompt", "why", "reason"):
            if node.get(field):
                found.add(content.format(node[field]))
    found.update(content.format(name) for name in content.node("triage.symptom_names").values())
    found.update(values.values())
    return {text for text in found if len(text) >= 6}


def stored_parts(response: dict[str, Any], log: dict[str, str]) -> dict[str, str]:
    body = response.get("response") or {}
    card = body.get("card") or {}
    return {
        "card": " ".join(str(card.get(k, "")) for k in ("title", "content", "text")),
        "screen": json.dumps(body.get("directives") or [], ensure_ascii=False),
        "log": json.dumps(log, ensure_ascii=False),
    }


def general_lines(content) -> set[str]:
    """Advice that is the same for everyone, whatever they answered: the safety net names the
    stroke signs to call the emergency number for (a headache among them), so it is left out
    before a card is searched for what a person said."""
    return {content.text("triage.texts.safety_net")}


class Leaks:
    """Asserts that no turn of a crawl stores a private text, and counts what it saw."""

    def __init__(self, private: set[str], general: set[str] = frozenset()) -> None:
        self.private, self.general = private, general
        self.responses = 0
        self.cards = 0

    def __call__(self, turn: Turn) -> None:
        self.check(turn.response, turn.log, turn.where)

    def check(self, response: dict, log: Mapping[str, str], where: str) -> None:
        self.responses += 1
        assert set(log) <= LOG_FIELDS, f"{where}: the log notes {sorted(set(log) - LOG_FIELDS)}"
        if (response.get("response") or {}).get("card"):
            self.cards += 1
        for part, text in stored_parts(response, log).items():
            for line in self.general:
                text = text.replace(line, "")
            lowered = text.lower()
            leaked = sorted(p for p in self.private if p.lower() in lowered)
            assert not leaked, f"{where}: the {part} carries {leaked[:3]}: {text[:300]!r}"
            for answer in (": yes", ": no", ": not sure", ": sí", ": no sé", "your answers\n", "tus respuestas\n"):
                assert answer not in lowered, f"{where}: the {part} carries an answer ({answer!r}): {text[:300]!r}"


def crawl(crawler: Crawler, turns: list[Turn], outcomes: set[str], side: bool) -> list[Turn]:
    """Walk below ``turns``, noting each outcome reached and asking for its details; with ``side``, at
    every question state first reached also an unclear answer, twice, and a symptom mentioned
    mid-check: those turns are returned, to be walked next."""
    sides = []
    for turn in crawler.walk(*turns):
        if turn.disposition:
            outcomes.add(turn.disposition)
        if turn.disposition and turn.attributes.get("pending") == "outcome_details":
            crawler.send("AMAZON.YesIntent", after=turn, label="details")
        if side and turn.fresh:
            once = crawler.send("AMAZON.FallbackIntent", after=turn)
            sides.append(crawler.send("AMAZON.FallbackIntent", after=once, label="unclear twice"))
            mention = envelopes.slot("symptom", "painful spasms", id="painful_spasm")
            sides.append(crawler.send("SymptomCheckIntent", mention, after=turn, label="mention"))
    return sides


@pytest.mark.parametrize("locale", LOCALES)
def test_no_card_screen_or_log_carries_an_answer_reason_or_symptom(skill, store, locale):
    content = store.for_locale(locale)
    model = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")
    values = {v.id: v.value for v in model.slot_type("SYMPTOM").values}
    assert set(values) == set(model.value_ids("SYMPTOM")), "every SYMPTOM value is crawled"
    leaks = Leaks(private_texts(content, values), general_lines(content))
    crawler = Crawler(partial(invoke, skill), locale, interfaces=envelopes.APL, check=leaks)
    outcomes: set[str] = set()
    sides = crawl(crawler, [crawler.start("plain")], outcomes, side=True)
    crawl(crawler, sides, outcomes, side=False)
    starts = [crawler.start("three weeks", envelopes.slot("duration", "P3W"))]
    starts += [crawler.start(symptom_id, envelopes.slot("symptom", value, id=symptom_id)) for symptom_id, value in values.items()]
    crawl(crawler, starts, outcomes, side=False)
    assert outcomes == {"emergency", "urgent", "soon", "routine", "self_care"}, (
        f"{locale}: the crawl reached only {sorted(outcomes)}"
    )
    assert leaks.cards > 50 and leaks.responses > 300, f"{locale}: only {leaks.responses} responses crawled"


def test_the_crawl_can_see_a_leak(skill, store):
    """The check is not blind: a card that carried a reason would be caught."""
    content = store.for_locale("en-US")
    leaks = Leaks(private_texts(content, {"x": "painful twitching"}))
    reason = content.format(content.node("triage.questions.8.reason"))
    leaky = {"response": {"card": {"type": "Simple", "title": "t", "content": reason}}}
    with pytest.raises(AssertionError, match="the card carries"):
        leaks.check(leaky, {}, "planted")
    with pytest.raises(AssertionError, match="the log notes"):
        leaks.check({"response": {}}, {"symptom": "headache"}, "planted")
