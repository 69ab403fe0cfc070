"""Triage handlers (Alexa layer): the symptom check conversation, thin over ``skill.domain.triage``.

A check is in progress when the session's ``pending`` is "triage" and its ``triage`` attribute is
a state the engine accepts (``state_from_session``) that still has a question to ask. Anything
else, including a tampered attribute, means no check is in progress. The session is read once per
request, by :class:`~skill.alexa.interceptors.CheckInterceptor`; the in-check handlers are
:class:`~skill.alexa.handlers.base.TriageHandler` and are handed the check's state and question. During a check these
handlers own every intent, so a stray "more" or topic question cannot silently drop the check:
they re-ask the question, and stop / cancel ends it with the emergency-signs reminder.

An outcome below the emergency level is spoken in two turns: the first ends by offering the
details (``pending`` "outcome_details", the level in ``outcome``), and "yes" speaks them.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.context import note
from skill.alexa.handlers.base import IntentHandler, TriageHandler
from skill.alexa.interceptors import current_check, stored_check
from skill.alexa.replies.common import anything_else, goodbye
from skill.alexa.replies.reply import Reply
from skill.alexa.replies.triage import (
    TriageTexts,
    ask,
    outcome_declined,
    outcome_details,
    readback,
    step_reply,
    stopped_lines,
    why,
)
from skill.alexa.requests import get_intent_name, get_slot, is_intent, is_new_session, is_request_type
from skill.alexa.resources import get_resources
from skill.alexa.state import (
    PENDING_OFFER_CHECK,
    PENDING_OUTCOME_DETAILS,
    PENDING_TRIAGE,
    get_outcome,
    get_pending,
    respond,
)
from skill.domain.triage import (
    Answer,
    Ask,
    Level,
    Outcome,
    Step,
    TriageState,
    answer,
    go_back,
    mention,
    next_step,
    parse_iso_duration,
    pre_answer,
    restart,
    state_to_session,
    unclear_answer,
)

SYMPTOM_CHECK_INTENT = "SymptomCheckIntent"
UNSURE_INTENT = "UnsureIntent"
WHY_INTENT = "WhyAskIntent"
GO_BACK_INTENT = "GoBackIntent"
SYMPTOM_SLOT = "symptom"
DURATION_SLOT = "duration"

_ANSWERS = {"AMAZON.YesIntent": Answer.YES, "AMAZON.NoIntent": Answer.NO, UNSURE_INTENT: Answer.UNSURE}


def _texts(handler_input: HandlerInput) -> TriageTexts:
    resources = get_resources(handler_input)
    return TriageTexts(content=resources.content, protocol=resources.protocol)


# --- for the emergency route (skill/alexa/handlers/emergency.py) --------------------------------


def kept_check(handler_input: HandlerInput) -> TriageState | None:
    """A check the emergency question kept aside in the session: valid and still asking."""
    return stored_check(handler_input).asking


def resume_check(handler_input: HandlerInput, *lines: str) -> Response:
    """The kept check goes on at the question it was at, after ``lines``."""
    check = stored_check(handler_input)
    if check.asking is None or check.question is None:
        raise LookupError("no symptom check was kept to resume")
    reply = ask(_texts(handler_input), check.question.question, *lines)
    return _keep_asking(handler_input, reply, check.asking)


def _respond_step(handler_input: HandlerInput, state: TriageState, step: Step, *lines: str) -> Response:
    """Ask the next question (the check goes on) or give the outcome (the check is over)."""
    reply = step_reply(_texts(handler_input), state, step, *lines)
    if isinstance(step, Outcome):
        note(handler_input, disposition=step.level.key)
        if step.level == Level.EMERGENCY:
            return respond(handler_input, reply)
        # The finished state stays for the offer's turn so "go back" can still change the last answer.
        return respond(handler_input, reply, pending=PENDING_OUTCOME_DETAILS, triage=state_to_session(state),
                       outcome=step.level)
    return _keep_asking(handler_input, reply, state)


def _keep_asking(handler_input: HandlerInput, reply: Reply, state: TriageState) -> Response:
    return respond(handler_input, reply, pending=PENDING_TRIAGE, triage=state_to_session(state))


def start_check(handler_input: HandlerInput, *lead: str) -> Response:
    """A fresh check, pre-answered from the request's slots (if any), read back before asking."""
    texts = _texts(handler_input)
    symptom, duration = get_slot(handler_input, SYMPTOM_SLOT), get_slot(handler_input, DURATION_SLOT)
    days = parse_iso_duration(duration.raw) if duration.raw else None
    state = pre_answer(texts.protocol, TriageState(), [symptom.id] if symptom.id else [], days)
    lines = [*lead]
    if is_new_session(handler_input):
        lines.append(texts.text("not_medical_advice"))
    lines.append(texts.text("intro"))
    lines += readback(texts, symptom.id, symptom.raw, duration.raw, days)
    return _respond_step(handler_input, state, next_step(texts.protocol, state), *lines)


# --- during a check ---------------------------------------------------------------------------


class TriageAnswerHandler(TriageHandler):
    """Yes, no or not sure to the current question."""

    intents = tuple(_ANSWERS)

    def handle_check(self, handler_input: HandlerInput, state: TriageState, question: Ask) -> Response:
        given = _ANSWERS[get_intent_name(handler_input) or ""]
        state, step = answer(get_resources(handler_input).protocol, state, given)
        lines = (_texts(handler_input).text("unsure_ack"),) if given == Answer.UNSURE else ()
        return _respond_step(handler_input, state, step, *lines)


class TriageWhyHandler(TriageHandler):
    """"Why do you ask?": the question's reason, then the question again."""

    intents = (WHY_INTENT,)

    def handle_check(self, handler_input: HandlerInput, state: TriageState, question: Ask) -> Response:
        return _keep_asking(handler_input, why(_texts(handler_input), question.question), state)


class TriageGoBackHandler(IntentHandler):
    """"Go back": undo the last answer, during a check or right after its outcome."""

    intents = (GO_BACK_INTENT,)

    def applies(self, handler_input: HandlerInput) -> bool:
        return current_check(handler_input) is not None or _finished_state(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = _texts(handler_input)
        state = current_check(handler_input) or _finished_state(handler_input)
        if state is None:
            raise LookupError("no symptom check to go back in")
        if not state.asked:
            line = texts.text("go_back_first")
        else:
            state, line = go_back(texts.protocol, state), texts.text("go_back_done")
        return _respond_step(handler_input, state, next_step(texts.protocol, state), line)


def _finished_state(handler_input: HandlerInput) -> TriageState | None:
    """A finished check's state, kept while its outcome offers the details."""
    if get_outcome(handler_input) is None:
        return None
    return stored_check(handler_input).finished


class TriageRepeatHandler(TriageHandler):
    """"Repeat": the current question again."""

    intents = ("AMAZON.RepeatIntent",)

    def handle_check(self, handler_input: HandlerInput, state: TriageState, question: Ask) -> Response:
        return _keep_asking(handler_input, ask(_texts(handler_input), question.question), state)


class TriageHelpHandler(TriageHandler):
    """"Help": how to answer, then the question again."""

    intents = ("AMAZON.HelpIntent",)

    def handle_check(self, handler_input: HandlerInput, state: TriageState, question: Ask) -> Response:
        texts = _texts(handler_input)
        return _keep_asking(handler_input, ask(texts, question.question, texts.text("help")), state)


class TriageStartOverHandler(TriageHandler):
    """"Start over" during a check: from the first question again, keeping the symptoms the person told."""

    intents = ("AMAZON.StartOverIntent",)

    def handle_check(self, handler_input: HandlerInput, state: TriageState, question: Ask) -> Response:
        texts = _texts(handler_input)
        state = restart(state)
        lines = [texts.text("restart")]
        if state.pre:
            lines.append(texts.text("restart_kept"))
        lines.append(texts.text("intro"))
        return _respond_step(handler_input, state, next_step(texts.protocol, state), *lines)


class TriageStopHandler(TriageHandler):
    """Stop or cancel ends the check with the emergency-signs reminder; "home" leaves it the same way."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def handle_check(self, handler_input: HandlerInput, state: TriageState, question: Ask) -> Response:
        lines = stopped_lines(_texts(handler_input))
        content = get_resources(handler_input).content
        if is_intent(handler_input, "AMAZON.NavigateHomeIntent"):
            return respond(handler_input, anything_else(content, *lines))
        return respond(handler_input, goodbye(content, *lines))


class SymptomCheckHandler(IntentHandler):
    """"Check my symptoms" (with or without a symptom or duration) starts a check, or adds to one."""

    intents = (SYMPTOM_CHECK_INTENT,)
    slots = (SYMPTOM_SLOT, DURATION_SLOT)

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="triage")
        state = current_check(handler_input)
        if state is None:
            return start_check(handler_input)
        texts = _texts(handler_input)
        symptom, duration = get_slot(handler_input, SYMPTOM_SLOT), get_slot(handler_input, DURATION_SLOT)
        days = parse_iso_duration(duration.raw) if duration.raw else None
        # A sign whose emergency question was answered "no" takes that "no" back: the read-back, then
        # that question again (see skill.domain.triage.mention).
        state = mention(texts.protocol, state, [symptom.id] if symptom.id else [], days)
        lines = readback(texts, symptom.id, symptom.raw, duration.raw, days, in_check=True) or [texts.text("carry_on")]
        return _respond_step(handler_input, state, next_step(texts.protocol, state), *lines)


class TriageOtherIntentHandler(TriageHandler):
    """Any other intent during a check (fallback, a topic, "more"): an unclear answer.

    The first gets the re-ask (with the emergency line); a second to the same question counts as
    "not sure", so a red-flag question escalates instead of looping.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type(handler_input, "IntentRequest") and self.applies(handler_input)

    def handle_check(self, handler_input: HandlerInput, state: TriageState, question: Ask) -> Response:
        texts = _texts(handler_input)
        state, step, as_unsure = unclear_answer(texts.protocol, state)
        line = texts.text("unclear_as_unsure") if as_unsure else texts.text("reask")
        return _respond_step(handler_input, state, step, line)


# --- after an outcome -------------------------------------------------------------------------

_DETAILS_YES = ("AMAZON.YesIntent", UNSURE_INTENT, "MoreIntent")


class OutcomeDetailsHandler(IntentHandler):
    """"Yes" (or "more", or "not sure") to the outcome's offer speaks the details; "no" moves on."""

    intents = (*_DETAILS_YES, "AMAZON.NoIntent")

    def applies(self, handler_input: HandlerInput) -> bool:
        return get_outcome(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        level = get_outcome(handler_input)
        if level is None:
            raise LookupError("no outcome offers its details in this session")
        texts = _texts(handler_input)
        if is_intent(handler_input, *_DETAILS_YES):
            return respond(handler_input, outcome_details(texts, level))
        return respond(handler_input, outcome_declined(texts, level))


# --- outside a check --------------------------------------------------------------------------


class OfferedCheckYesHandler(IntentHandler):
    """"Yes" to "Would you like me to run a quick symptom check?"."""

    intents = ("AMAZON.YesIntent",)

    def applies(self, handler_input: HandlerInput) -> bool:
        return get_pending(handler_input) == PENDING_OFFER_CHECK

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="triage")
        return start_check(handler_input)


_OUTSIDE_LINES = {WHY_INTENT: "outside_why", GO_BACK_INTENT: "outside_go_back", UNSURE_INTENT: "outside_unsure"}


class OutsideCheckHandler(IntentHandler):
    """"Why?", "go back" or "not sure" with no check running: a short answer and the offer of one."""

    intents = tuple(_OUTSIDE_LINES)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = _texts(handler_input)
        reply = Reply(
            lines=(texts.text(_OUTSIDE_LINES[get_intent_name(handler_input) or ""]),),
            question=texts.text("offer_check"),
            reprompt=texts.text("offer_check_reprompt"),
        )
        return respond(handler_input, reply, pending=PENDING_OFFER_CHECK)


def handlers() -> list:
    """The triage handlers in dispatch order: in-check handlers first, the catch-all last of those."""
    return [
        TriageAnswerHandler(),
        TriageWhyHandler(),
        TriageGoBackHandler(),
        TriageRepeatHandler(),
        TriageHelpHandler(),
        TriageStartOverHandler(),
        TriageStopHandler(),
        SymptomCheckHandler(),
        TriageOtherIntentHandler(),
        OutcomeDetailsHandler(),
        OfferedCheckYesHandler(),
        OutsideCheckHandler(),
    ]
