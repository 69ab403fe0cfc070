"""Emergency handlers (Alexa layer): the emergency route acts on what was said, in every state.

Registered before every other handler, so they win at launch, one-shot, mid-topic, during the
symptom check and at the outcome offer. They read the evidence Alexa sends, never the words:

- **Strong evidence** gets the emergency answer at once (:func:`emergency_reply`): an
  ``EmergencyIntent`` whose ``sign`` slot resolved (ER_SUCCESS_MATCH: a stroke word, a BE-FAST
  sign, not breathing, collapse, chest pain, "an ambulance", "an emergency"), or a
  ``CallSomeoneIntent`` whose ``callee`` resolved to the emergency services ("call nine one one").
  The answer ends the session, so Alexa's own calling hears what comes next.
- **Weak evidence**, an ``EmergencyIntent`` whose sign did not resolve (ER_SUCCESS_NO_MATCH: a
  device fills a custom slot with any words, as in "I'm having trouble sleeping") or has no sign at
  all, never gets the command. It gets one short turn (:func:`check_reply`): "If this is an
  emergency, call ... now", the BE-FAST signs, "Is any of that happening now?". "Yes" or "not
  sure" gets the emergency answer; "no" returns to the symptom check at its question (the check
  is kept in the session meanwhile) or offers one; anything else escalates to the emergency
  answer, so the question never loops.
- **Calls to people** ("call my wife", "llama a mi esposo") are never emergencies: the skill can't
  place calls, says so, and closes so the person can ask Alexa (:func:`call_person_reply`). The
  conditional safety line comes first, because "call my husband, he can't move his arm" is heard
  as a call too.

Nothing of what was said is kept: the log records only the handler and the level.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.context import note
from skill.alexa.handlers import triage as triage_handlers
from skill.alexa.handlers.base import IntentHandler, RequestTypeHandler
from skill.alexa.interceptors import current_check
from skill.alexa.replies.common import goodbye
from skill.alexa.replies.emergency import LEVEL, call_person_reply, check_reply, emergency_reply, safety_line
from skill.alexa.replies.reply import Reply
from skill.alexa.requests import get_slot, is_intent
from skill.alexa.resources import get_resources
from skill.alexa.state import PENDING_EMERGENCY_CHECK, PENDING_OFFER_CHECK, get_pending, respond
from skill.domain.triage import state_to_session

EMERGENCY_INTENT = "EmergencyIntent"
CALL_INTENT = "CallSomeoneIntent"
SIGN_SLOT = "sign"
CALLEE_SLOT = "callee"
#: The EMERGENCY_SIGN ids that are stroke signs: the answer then says to note when they started.
STROKE_SIGNS = frozenset({"stroke", "face", "arm_leg", "speech", "confusion", "balance", "vision", "headache"})
#: Every EMERGENCY_SIGN id; each is strong evidence (the models' types are checked against it).
EMERGENCY_SIGNS = STROKE_SIGNS | {"emergency", "breathing", "collapse", "chest"}
#: The CALLEE id for the emergency services ("nine one one", "an ambulance").
EMERGENCY_CALLEE = "emergency_services"

_YES = ("AMAZON.YesIntent", triage_handlers.UNSURE_INTENT)
_STOP = ("AMAZON.StopIntent", "AMAZON.CancelIntent")


def answer(handler_input: HandlerInput, *, stroke: bool, safe: bool = False) -> Response:
    """The emergency answer; the session ends."""
    note(handler_input, handler="emergency", disposition=LEVEL)
    return respond(handler_input, emergency_reply(get_resources(handler_input).content, stroke=stroke, safe=safe))


def ask_about_signs(handler_input: HandlerInput) -> Response:
    """Weak evidence: the safety line, the signs, one question; a check in progress is kept."""
    note(handler_input, handler="emergency_check")
    state = current_check(handler_input)
    triage = state_to_session(state) if state is not None else None
    return respond(handler_input, check_reply(get_resources(handler_input).content),
                   pending=PENDING_EMERGENCY_CHECK, triage=triage)


class EmergencyHandler(IntentHandler):
    """ "I think I'm having a stroke", "my face dropped": the answer; an unresolved sign: one question."""

    intents = (EMERGENCY_INTENT,)
    slots = (SIGN_SLOT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        sign = get_slot(handler_input, SIGN_SLOT).id
        if sign in EMERGENCY_SIGNS:
            return answer(handler_input, stroke=sign in STROKE_SIGNS)
        if get_pending(handler_input) == PENDING_EMERGENCY_CHECK:
            return answer(handler_input, stroke=True)  # weak again, right after the question: escalate
        return ask_about_signs(handler_input)


class CallSomeoneHandler(IntentHandler):
    """ "Call nine one one": the answer. "Call my wife": the skill can't call; Alexa may, after it closes."""

    intents = (CALL_INTENT,)
    slots = (CALLEE_SLOT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        callee = get_slot(handler_input, CALLEE_SLOT).id
        if callee == EMERGENCY_CALLEE:
            return answer(handler_input, stroke=False)
        note(handler_input, handler="call_someone")
        return respond(handler_input, call_person_reply(get_resources(handler_input).content))


class EmergencyCheckAnswerHandler(RequestTypeHandler):
    """The turn after "Is any of that happening now?": every intent is handled here, nothing loops."""

    request_type = "IntentRequest"

    def applies(self, handler_input: HandlerInput) -> bool:
        return get_pending(handler_input) == PENDING_EMERGENCY_CHECK

    def handle(self, handler_input: HandlerInput) -> Response:
        content = get_resources(handler_input).content
        if is_intent(handler_input, *_YES):
            return answer(handler_input, stroke=True, safe=is_intent(handler_input, triage_handlers.UNSURE_INTENT))
        if is_intent(handler_input, "AMAZON.RepeatIntent"):
            return ask_about_signs_again(handler_input)
        if is_intent(handler_input, *_STOP):
            note(handler_input, handler="emergency_check")
            return respond(handler_input, goodbye(content, safety_line(content), content.text("emergency.check.goodbye")))
        if is_intent(handler_input, "AMAZON.NoIntent"):
            return declined(handler_input)
        return answer(handler_input, stroke=True)  # unclear: escalate, never ask again


def ask_about_signs_again(handler_input: HandlerInput) -> Response:
    """ "Repeat" at the question: the same turn, the kept check still kept."""
    state = triage_handlers.kept_check(handler_input)
    triage = state_to_session(state) if state is not None else None
    return respond(handler_input, check_reply(get_resources(handler_input).content),
                   pending=PENDING_EMERGENCY_CHECK, triage=triage)


def declined(handler_input: HandlerInput) -> Response:
    """ "No" to the question: back to the check at its question, or the offer of a check."""
    note(handler_input, handler="emergency_check")
    content = get_resources(handler_input).content
    if triage_handlers.kept_check(handler_input) is not None:
        return triage_handlers.resume_check(handler_input, content.text("emergency.check.back_to_check"))
    reply = Reply(
        lines=(content.text("emergency.check.declined"),),
        question=content.text("triage.texts.offer_check"),
        reprompt=content.text("triage.texts.offer_check_reprompt"),
    )
    return respond(handler_input, reply, pending=PENDING_OFFER_CHECK)


def handlers() -> list:
    """The emergency handlers, to be registered before every other handler."""
    return [EmergencyHandler(), CallSomeoneHandler(), EmergencyCheckAnswerHandler()]
