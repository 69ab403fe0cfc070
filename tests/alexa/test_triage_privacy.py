"""Health answers never leave the session: a crawl of every symptom-check path in every locale.

Amazon's health policy, and the product's promise, is that nothing a person says about their
health is kept: the Alexa app keeps cards, screens can be seen by others, logs are stored. So no
card, no APL screen directive and no log field may carry an answer, a reason, a question's text or
a symptom slot value. The outcome speaks the reasons (speech is not kept) and tells the person to
write down what they noticed instead.

The crawl starts the check every way (plain, one-shot with every symptom value id the model has,
one-shot with a long duration), on a device with a screen, gives every answer at every question
(states are explored once: paths share their tails), at the plain start also an unclear answer,
twice, and a symptom mentioned mid-check, and at every outcome asks for the details. It asserts
on every response.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.models import load_model
from skill.tools import envelopes
from tests.support.client import invoke

ANSWERS = ("AMAZON.YesIntent", "AMAZON.NoIntent", "UnsureIntent")
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


class Crawler:
    def __init__(self, skill, locale: str, private: set[str], general: set[str] = frozenset()) -> None:
        self.skill, self.locale, self.private, self.general = skill, locale, private, general
        self.seen: set[str] = set()
        self.responses = 0
        self.outcomes: set[str] = set()
        self.cards = 0

    def send(self, name: str, attributes: dict, *slots: dict, new: bool = False, path: str = "") -> tuple[dict, dict]:
        request = envelopes.intent_request(name, *slots, locale=self.locale)
        response, log = invoke(self.skill, envelopes.envelope(request, attributes=attributes, new=new,
                                                              interfaces=envelopes.APL))
        self.check(response, log, f"{self.locale} {path} {name}")
        return response, log

    def check(self, response: dict, log: dict, where: str) -> None:
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

    def explore(self, response: dict, log: dict, path: str, side: bool) -> None:
        attributes = response.get("sessionAttributes") or {}
        if log.get("disposition"):
            self.outcomes.add(log["disposition"])
            if attributes.get("pending") == "outcome_details":
                self.send("AMAZON.YesIntent", attributes, path=f"{path} details")
            return
        if attributes.get("pending") != "triage":
            return
        key = json.dumps(attributes.get("triage"), sort_keys=True)
        if key in self.seen:
            return
        self.seen.add(key)
        for intent in ANSWERS:
            reply, reply_log = self.send(intent, attributes, path=path)
            self.explore(reply, reply_log, f"{path} {intent}", side)
        if side:
            once, once_log = self.send("AMAZON.FallbackIntent", attributes, path=path)
            twice, twice_log = self.send("AMAZON.FallbackIntent", once.get("sessionAttributes") or {}, path=path)
            self.explore(twice, twice_log, f"{path} unclear twice", False)
            mention = envelopes.slot("symptom", "painful spasms", id="painful_spasm")
            reply, reply_log = self.send("SymptomCheckIntent", attributes, mention, path=f"{path} mention")
            self.explore(reply, reply_log, f"{path} mention", False)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_card_screen_or_log_carries_an_answer_reason_or_symptom(skill, store, locale):
    content = store.for_locale(locale)
    model = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")
    values = {v.id: v.value for v in model.slot_type("SYMPTOM").values}
    assert set(values) == set(model.value_ids("SYMPTOM")), "every SYMPTOM value is crawled"
    crawler = Crawler(skill, locale, private_texts(content, values), general_lines(content))
    starts = [("plain", [], True), ("three weeks", [envelopes.slot("duration", "P3W")], False)]
    starts += [(symptom_id, [envelopes.slot("symptom", value, id=symptom_id)], False) for symptom_id, value in values.items()]
    for label, slots, side in starts:
        response, log = crawler.send("SymptomCheckIntent", {}, *slots, new=True, path=label)
        crawler.explore(response, log, label, side)
    assert crawler.outcomes == {"emergency", "urgent", "soon", "routine", "self_care"}, (
        f"{locale}: the crawl reached only {sorted(crawler.outcomes)}"
    )
    assert crawler.cards > 50 and crawler.responses > 300, f"{locale}: only {crawler.responses} responses crawled"


def test_the_crawl_can_see_a_leak(skill, store):
    """The check is not blind: a card that carried a reason would be caught."""
    content = store.for_locale("en-US")
    crawler = Crawler(skill, "en-US", private_texts(content, {"x": "painful twitching"}))
    reason = content.format(content.node("triage.questions.8.reason"))
    leaky = {"response": {"card": {"type": "Simple", "title": "t", "content": reason}}}
    with pytest.raises(AssertionError, match="the card carries"):
        crawler.check(leaky, {}, "planted")
    with pytest.raises(AssertionError, match="the log notes"):
        crawler.check({"response": {}}, {"symptom": "headache"}, "planted")
