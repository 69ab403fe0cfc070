"""The emergency route acts on what was said, in every state and every locale (issue 17).

- Strong evidence (a resolved sign, a call for the emergency services) gets the one emergency
  answer at once: the number in the first words and again last, "Alexa can't call emergency
  numbers, so use a phone", "the call handler will tell you what to do", the time line only for
  stroke signs, under 20 seconds; then the session ends so Alexa's own calling hears what follows.
- Weak evidence (a sign that did not resolve, or none) never gets the command: a conditional
  safety line, the signs, one question. Yes / not sure: the answer. No: back to the check at its
  question, or the offer of one. Anything else: the answer (never a loop).
- Calls to people are never emergencies. "No" to an open question ends the session.
The positions come from ``tests/support/emergency.py``, which walks the real protocol.
"""

from __future__ import annotations

import html

import pytest

from skill.alexa.builder import request_handlers
from skill.alexa.handlers.emergency import EmergencyHandler
from tests.support.client import ends_session, reprompt, speech
from tests.support.emergency import (
    FIRST_WORDS,
    MAX_WORDS,
    number_first,
    number_position,
    positions,
    run_at,
    strong_request,
    weak_request,
    words,
)
from skill.tools.envelopes import APL, slot
from tests.support.locales import LOCALES

#: Locales whose answer says "Alexa, call for help" (Amazon documents it there: content/en-*/emergency.yaml).
CALL_FOR_HELP = {"en-GB"}


def is_command(text: str, content) -> bool:
    """The emergency answer's command: it starts with the lead ("Call 911 now.") or its "to be safe" form."""
    return text.startswith((content.text("emergency.lead"), content.text("emergency.lead_safe")))


def question_count(resources, locale: str) -> int:
    return len(resources.for_locale(locale).protocol.questions)


def test_the_emergency_handler_is_registered_first():
    first = request_handlers()[0]
    assert isinstance(first, EmergencyHandler), f"the emergency handler must outrank every other, got {first!r}"


# --- strong evidence -------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_strong_evidence_in_every_state_gets_the_answer_at_once(conversation, resources, store, locale):
    content = store.for_locale(locale)
    failures = []
    for position in positions(question_count(resources, locale)):
        conv = conversation(locale)
        text = run_at(position, conv)
        if not (number_first(text, locale) and is_command(text, content)):
            failures.append(f"{position.name}: {text!r}")
        if conv.log != {"handler": "emergency", "disposition": "emergency"}:
            failures.append(f"{position.name}: the log should show the emergency route only, got {conv.log!r}")
        if not conv.ended:
            failures.append(f"{position.name}: the answer ends the session")
    assert not failures, f"{locale}: the emergency answer must come at once in every state:\n" + "\n".join(failures)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("sign", "stroke"), [("stroke", True), ("face", True), ("speech", True), ("vision", True),
                                              ("breathing", False), ("collapse", False), ("chest", False),
                                              ("emergency", False)])
def test_the_answer_says_the_number_first_and_last_within_20_seconds(conversation, store, locale, sign, stroke):
    spoken_number = LOCALES[locale][0]
    content = store.for_locale(locale)
    response = conversation(locale).intent("EmergencyIntent", slot("sign", "said", id=sign, slot_type="EMERGENCY_SIGN"))
    text = speech(response)
    assert text.startswith(content.text("emergency.lead")), f"{locale}: the first words are the call: {text!r}"
    for key in ("emergency.phone", "emergency.handler"):
        assert content.text(key) in text, f"{locale}: the answer should say {key} ({content.text(key)!r}): {text!r}"
    time_line = content.text("emergency.time.say")
    assert (time_line in text) == stroke, f"{locale} {sign}: the time line is for stroke signs only: {text!r}"
    help_line = content.text("emergency.call_for_help.line")
    assert (help_line in text) == (locale in CALL_FOR_HELP), f"{locale}: 'call for help' only where Amazon offers it"
    assert text.endswith(content.text("emergency.again")), f"{locale}: the number again at the end: {text!r}"
    first = number_position(text, spoken_number)
    assert first is not None and first < FIRST_WORDS, f"{locale}: {spoken_number!r} in the first words: {text!r}"
    assert number_position(text[-len(content.text("emergency.again")):], spoken_number) is not None
    assert len(words(text)) <= MAX_WORDS, f"{locale}: {len(words(text))} words is over 20 seconds: {text!r}"
    assert ends_session(response) and not reprompt(response), f"{locale}: the answer closes the session"
    lowered = text.lower()
    assert not any(w in lowered for w in ("aspirin", "aspirina", "medicine", "medicina", "pill")), text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_check_emergency_outcome_is_the_same_answer(conversation, store, locale):
    """N5: the symptom check's emergency outcome is the emergency answer, with its meaning line if it fits."""
    content = store.for_locale(locale)
    direct = speech(conversation(locale).send(strong_request(locale)))
    conv = conversation(locale)
    conv.launch()
    conv.intent("SymptomCheckIntent")
    from_check = speech(conv.intent("AMAZON.YesIntent"))
    assert conv.ended and conv.log.get("disposition") == "emergency", conv.log
    meaning = content.text("emergency.meaning.say")
    assert from_check.replace(f" {meaning}", "") == direct, f"{locale}: one answer:\n{from_check!r}\n{direct!r}"
    unsure = conversation(locale)
    unsure.intent("SymptomCheckIntent")
    said = speech(unsure.intent("UnsureIntent"))
    assert said.startswith(content.text("emergency.lead_safe")), f"{locale}: 'not sure' is 'to be safe': {said!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_card_and_screen_show_the_number_in_digits_and_nothing_that_was_said(conversation, locale):
    _, display, _ = LOCALES[locale]
    said = "my husband's face dropped"
    response = conversation(locale, interfaces=APL).intent(
        "EmergencyIntent", slot("sign", said, id="face", slot_type="EMERGENCY_SIGN"))
    card = response["response"]["card"]
    assert display in card["title"], f"{locale}: the card title shows {display}: {card!r}"
    assert card["content"].startswith(("Call " + display, "Marca " + display)), f"{locale}: digits in the body: {card!r}"
    directive = response["response"]["directives"][0]
    data = directive["datasources"]["answer"]
    assert html.unescape(data["emphasis"]) == display, f"{locale}: the screen shows {display} large: {data!r}"
    assert data["level"] == "emergency"
    everything = f"{card} {directive} {response.get('sessionAttributes')}"
    assert said not in everything, f"{locale}: what the person said must not be kept: {everything!r}"


def test_en_in_names_the_ambulance_number_and_112(conversation, store):
    """N7: "call one zero eight" is never answered with 112 alone; the answer names 108 first, then 112."""
    content = store.for_locale("en-IN")
    text = speech(conversation("en-IN").intent(
        "CallSomeoneIntent", slot("callee", "one zero eight", id="emergency_services", slot_type="CALLEE")))
    assert text.startswith("Call one zero eight for an ambulance, or one one two."), text
    assert text.endswith("Call one zero eight or one one two now."), text
    assert content.text("emergency.safety_line") == "If this is an emergency, call one zero eight now."


# --- weak evidence ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_weak_evidence_in_every_state_is_a_question_never_the_command(conversation, resources, store, locale):
    content = store.for_locale(locale)
    failures = []
    for said in ("trouble sleeping", None):
        for position in positions(question_count(resources, locale)):
            if position.name.startswith("at the emergency question"):
                continue  # weak evidence twice in a row escalates (tested below)
            conv = conversation(locale)
            text = run_at(position, conv, weak_request(locale, said))
            if is_command(text, content) or conv.log.get("disposition") == "emergency":
                failures.append(f"{position.name} ({said}): the command: {text!r}")
            if not text.startswith(content.text("emergency.safety_line")) or not number_first(text, locale):
                failures.append(f"{position.name} ({said}): the conditional safety line first: {text!r}")
            if not text.endswith(content.text("emergency.check.question")) or conv.ended:
                failures.append(f"{position.name} ({said}): one question, the session open: {text!r}")
    assert not failures, f"{locale}: weak evidence must never get the command:\n" + "\n".join(failures)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("answer", ["AMAZON.YesIntent", "UnsureIntent"])
def test_yes_or_not_sure_to_the_question_gets_the_answer(conversation, store, locale, answer):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.send(weak_request(locale))
    text = speech(conv.intent(answer))
    lead = content.text("emergency.lead_safe" if answer == "UnsureIntent" else "emergency.lead")
    assert text.startswith(lead) and conv.ended, f"{locale} {answer}: {text!r}"
    assert content.text("emergency.time.say") in text, f"{locale}: a yes to stroke signs gets the time line: {text!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_to_the_question_mid_check_resumes_the_check_at_its_question(conversation, resources, store, locale):
    """The check is never lost: after "no" the same question is asked again, at every question."""
    content = store.for_locale(locale)
    for answered in range(question_count(resources, locale)):
        conv = conversation(locale)
        conv.launch()
        conv.intent("SymptomCheckIntent")
        for _ in range(answered):
            conv.intent("AMAZON.NoIntent")
        question = conv.responses[-1]["response"]["reprompt"]
        conv.send(weak_request(locale))
        resumed = conv.intent("AMAZON.NoIntent")
        text = speech(resumed)
        assert text.startswith(content.text("emergency.check.back_to_check")), f"{locale} Q{answered + 1}: {text!r}"
        assert resumed["response"]["reprompt"] == question, f"{locale} Q{answered + 1}: the same question again"
        assert conv.attributes.get("pending") == "triage", f"{locale} Q{answered + 1}: the check goes on"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_to_the_question_outside_the_check_offers_the_check(conversation, store, locale):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.launch()
    conv.send(weak_request(locale))
    text = speech(conv.intent("AMAZON.NoIntent"))
    assert text.endswith(content.text("triage.texts.offer_check")) and not conv.ended, f"{locale}: {text!r}"
    started = speech(conv.intent("AMAZON.YesIntent"))
    assert conv.attributes.get("pending") == "triage", f"{locale}: yes starts the check: {started!r}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("unclear", [
    ("AMAZON.FallbackIntent",), ("AMAZON.HelpIntent",), ("ReliefIntent",), ("FactIntent",), ("MoreIntent",),
    ("AMAZON.NavigateHomeIntent",), ("SymptomCheckIntent",), ("EmergencyIntent",),
], ids=lambda u: u[0])
def test_an_unclear_answer_to_the_question_escalates(conversation, store, locale, unclear):
    """ "What do I do now?", "help", "should I give him aspirin": never twitch content, never a loop."""
    content = store.for_locale(locale)
    for mid_check in (False, True):
        conv = conversation(locale)
        conv.launch()
        if mid_check:
            conv.intent("SymptomCheckIntent")
        conv.send(weak_request(locale))
        text = speech(conv.intent(unclear[0]))
        assert is_command(text, content) and conv.ended, f"{locale} {unclear[0]} (mid-check {mid_check}): {text!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_repeat_stop_and_a_call_at_the_question(conversation, store, locale):
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.intent("SymptomCheckIntent")
    first = speech(conv.send(weak_request(locale)))
    assert speech(conv.intent("AMAZON.RepeatIntent")) == first and not conv.ended, f"{locale}: repeat says it again"
    assert conv.attributes.get("triage"), f"{locale}: repeat keeps the check aside"
    for stop in ("AMAZON.StopIntent", "AMAZON.CancelIntent"):
        conv2 = conversation(locale)
        conv2.send(weak_request(locale))
        text = speech(conv2.intent(stop))
        assert text.startswith(content.text("emergency.safety_line")) and conv2.ended, f"{locale} {stop}: {text!r}"
    conv3 = conversation(locale)
    conv3.send(weak_request(locale))
    text = speech(conv3.intent("CallSomeoneIntent", slot("callee", "my mom", id="person", slot_type="CALLEE")))
    assert text.startswith(content.text("emergency.safety_line")) and conv3.ended, f"{locale}: call my mom: {text!r}"


# --- the turn after the answer ----------------------------------------------------------------


#: What a frightened person says next (the review's N2), as the skill would receive it.
TURN_AFTER = {
    "help": ("AMAZON.HelpIntent",),
    "what do I do now": ("ReliefIntent",),
    "should I give him aspirin": ("FactIntent",),
    "call my mom": ("CallSomeoneIntent", slot("callee", "my mom", id="person", slot_type="CALLEE")),
    "yes": ("AMAZON.YesIntent",),
    "repeat": ("AMAZON.RepeatIntent",),
    "stop": ("AMAZON.StopIntent",),
}


@pytest.mark.parametrize("locale", LOCALES)
def test_after_the_answer_the_next_words_are_alexas(conversation, locale):
    """The answer closes the session: no reprompt, nothing kept, so "help", "call my mom" or
    "Alexa, call for help" reach Alexa itself and never the skill's twitch content."""
    response = conversation(locale).send(strong_request(locale))
    body = response["response"]
    assert body.get("shouldEndSession") is True, f"{locale}: the session ends: {body!r}"
    assert "reprompt" not in body, f"{locale}: nothing keeps the microphone: {body!r}"
    assert not response.get("sessionAttributes"), f"{locale}: nothing is kept: {response.get('sessionAttributes')!r}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("said", sorted(TURN_AFTER))
def test_the_one_open_emergency_turn_never_talks_about_twitches(conversation, store, locale, said):
    """The question after weak evidence is the only emergency turn that keeps the microphone: whatever
    comes next gets the number first (or, for "repeat", the same question) and never twitch content."""
    content = store.for_locale(locale)
    conv = conversation(locale)
    conv.send(weak_request(locale))
    asked = speech(conv.responses[-1])
    name, *slots = TURN_AFTER[said]
    text = speech(conv.intent(name, *slots))
    assert number_first(text, locale), f"{locale} {said!r}: the number first: {text!r}"
    if said == "repeat":
        assert text == asked
    else:
        assert conv.ended, f"{locale} {said!r}: the session ends: {text!r}"
    twitch = ("twitch", "nariz", "tic ", "compress", "compresa")
    assert not any(w in text.lower() for w in twitch), f"{locale} {said!r}: no twitch content: {text!r}"
    assert content.format(content.node("help.lines")[0]) not in text, f"{locale} {said!r}: not the skill's help"


# --- calls to people ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("callee", [("my wife", "person"), ("the pharmacy", "person"), ("my neurologist", None)],
                         ids=["person", "place", "unknown"])
def test_a_call_to_a_person_is_never_an_emergency(conversation, store, locale, callee):
    content = store.for_locale(locale)
    said, value_id = callee
    spec = slot("callee", said, id=value_id, slot_type="CALLEE") if value_id else slot("callee", said, match=False)
    for launched in (False, True):
        conv = conversation(locale)
        if launched:
            conv.launch()
        text = speech(conv.intent("CallSomeoneIntent", spec))
        assert conv.log.get("disposition") != "emergency" and not is_command(text, content), f"{locale}: {text!r}"
        assert content.text("emergency.call_person.line") in text, f"{locale}: says it can't call: {text!r}"
        assert text.startswith(content.text("emergency.safety_line")), f"{locale}: the safety line first: {text!r}"
        assert conv.ended, f"{locale}: the session ends so Alexa can place the call"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_call_for_the_emergency_services_gets_the_answer(conversation, store, locale):
    content = store.for_locale(locale)
    conv = conversation(locale)
    text = speech(conv.intent("CallSomeoneIntent", slot("callee", "ambulance", id="emergency_services",
                                                        slot_type="CALLEE")))
    assert is_command(text, content) and conv.log.get("disposition") == "emergency", f"{locale}: {text!r}"
    assert content.text("emergency.time.say") not in text, f"{locale}: no stroke line for a call: {text!r}"


# --- "no" ends the conversation -------------------------------------------------------------------


NON_CHECK_POSITIONS = ("one-shot", "after launch", "after a topic", "topic, more", "after help", "after a fallback",
                       "check offered", "outcome offer", "after the emergency answer", "after stop")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_after_every_open_question_ends_the_session(conversation, resources, store, locale):
    """Every state outside the check: "no" answers a yes/no offer, and "no" to the open "What else?"
    that follows (or that was asked) says goodbye and ends the session; never "not sure what that
    answers", never a loop."""
    content = store.for_locale(locale)
    goodbye = content.text("goodbye")
    confused = content.text("yes_no_without_question.line")
    walked = {p.name: p for p in positions(question_count(resources, locale))}
    assert set(NON_CHECK_POSITIONS) <= set(walked), sorted(walked)
    failures = []
    for name in NON_CHECK_POSITIONS:
        conv = conversation(locale)
        walked[name].reach(conv)
        said = []
        for _ in range(2):
            said.append(speech(conv.intent("AMAZON.NoIntent")))
            if conv.ended:
                break
        if not conv.ended or not said[-1].endswith(goodbye):
            failures.append(f"{name}: {said!r}")
        if any(confused in text for text in said):
            failures.append(f"{name}: 'no' was not understood: {said!r}")
        if len(said) == 2 and not said[0].endswith(content.text("anything_else.question")):
            failures.append(f"{name}: a yes/no offer declined goes to the open question: {said!r}")
    assert not failures, f"{locale}: 'no' must end the conversation:\n" + "\n".join(failures)


# --- the rest ---------------------------------------------------------------------------------------


def test_the_log_has_the_route_and_level_only(conversation):
    conv = conversation("en-US")
    conv.send(strong_request("en-US"))
    assert conv.log == {"handler": "emergency", "disposition": "emergency"}, conv.log
    conv = conversation("en-US")
    conv.send(weak_request("en-US", "my secret words"))
    assert conv.log == {"handler": "emergency_check"}, conv.log


@pytest.mark.parametrize("locale", [*LOCALES, "en-NZ", "es-AR"])
def test_the_fallback_carries_the_emergency_line(conversation, store, locale):
    text = speech(conversation(locale).intent("AMAZON.FallbackIntent"))
    line = store.for_locale(locale).text("emergency.safety_line")
    assert line in text, f"{locale}: the fallback says {line!r}: {text!r}"


@pytest.mark.parametrize("locale", ["en-NZ", "fr-FR", "es-AR"])
def test_a_locale_without_content_names_the_local_emergency_number(conversation, store, locale):
    content = store.for_locale(locale)
    text = speech(conversation(locale).send(strong_request(locale)))
    assert text.startswith(content.text("emergency.lead")), text
    assert content.locale_params["emergency_number"] in " ".join(text.split()[:FIRST_WORDS]), text
    assert content.text("emergency.call_for_help.line") not in text, "no country, no promise of Alexa's help call"


def test_an_emergency_request_without_a_session_is_answered(skill):
    """Some clients send no session (a one-shot from a routine): still the number first."""
    from tests.support.client import invoke
    from skill.tools.envelopes import envelope

    raw = envelope(strong_request("en-US"), new=True)
    raw.pop("session", None)
    text = speech(invoke(skill, raw)[0])
    assert number_first(text, "en-US"), text
    weak = envelope(weak_request("en-US"), new=True)
    weak.pop("session", None)
    assert number_first(speech(invoke(skill, weak)[0]), "en-US")

