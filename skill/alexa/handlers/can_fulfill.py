"""Name-free requests (Alexa layer): answer ``CanFulfillIntentRequest`` without saying anything.

Alexa asks "could you handle this?" before routing a request that did not name the skill. The
answer must be honest and silent (no speech, no state):

- YES for an intent the skill answers on its own (a topic, a named trigger, a named thing, the
  sources, a symptom check) when every filled slot is understood;
- MAYBE for a symptom check whose symptom or duration the skill cannot read: the check still runs
  in full (it asks about every sign), but the detail the user gave is not used;
- NO for built-ins (stop, help, yes...), for intents that only make sense mid-conversation ("more",
  "not sure", "why", "go back"), for a trigger or a thing the skill has no content for, and for
  anything else.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.canfulfill import (
    CanFulfillIntent,
    CanFulfillIntentRequest,
    CanFulfillIntentValues,
    CanFulfillSlot,
    CanFulfillSlotValues,
    CanUnderstandSlotValues,
)

from skill.alexa.context import note
from skill.alexa.handlers.facts import FACT_INTENT, SOURCES_INTENT, THING_SLOT
from skill.alexa.handlers.topics import TOPIC_INTENTS, TRIGGER_INTENT, TRIGGER_SLOT
from skill.alexa.requests import SlotValue, is_request_type, read_slot
from skill.alexa.resources import LocaleResources, get_resources
from skill.domain import facts
from skill.domain.triage import parse_iso_duration

SYMPTOM_CHECK_INTENT = "SymptomCheckIntent"
SYMPTOM_SLOT = "symptom"
DURATION_SLOT = "duration"

YES, NO, MAYBE = CanFulfillIntentValues.YES, CanFulfillIntentValues.NO, CanFulfillIntentValues.MAYBE
#: (canUnderstand, canFulfill) for one slot.
UNDERSTOOD = (CanUnderstandSlotValues.YES, CanFulfillSlotValues.YES)
NOT_UNDERSTOOD = (CanUnderstandSlotValues.NO, CanFulfillSlotValues.NO)
#: The skill does not know the value but still does what was asked (the check asks instead).
READ_BY_ASKING = (CanUnderstandSlotValues.MAYBE, CanFulfillSlotValues.YES)

#: The slots each answerable intent can take; a slot outside this list is not understood.
ANSWERABLE_SLOTS: dict[str, tuple[str, ...]] = {
    **{intent: () for intent in TOPIC_INTENTS},
    TRIGGER_INTENT: (TRIGGER_SLOT,),
    FACT_INTENT: (THING_SLOT,),
    SOURCES_INTENT: (),
    SYMPTOM_CHECK_INTENT: (SYMPTOM_SLOT, DURATION_SLOT),
}
#: Intents that cannot be answered without the slot (a trigger question needs the trigger).
REQUIRED_SLOTS = {TRIGGER_INTENT: TRIGGER_SLOT, FACT_INTENT: THING_SLOT}


class CanFulfillHandler(AbstractRequestHandler):
    """Silent YES / MAYBE / NO for a name-free request."""

    #: It handles a request type, not intents: the model cross-check is unaffected.
    intents: tuple[str, ...] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type(handler_input, "CanFulfillIntentRequest")

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="can_fulfill")
        request = handler_input.request_envelope.request
        intent = request.intent if isinstance(request, CanFulfillIntentRequest) else None
        name = intent.name if intent is not None else None
        filled = {
            slot_name: value
            for slot_name, value in ((n, read_slot(s)) for n, s in (getattr(intent, "slots", None) or {}).items())
            if value.filled
        }
        verdict, slots = judge(get_resources(handler_input), name, filled)
        result = CanFulfillIntent(
            can_fulfill=verdict,
            slots={slot_name: CanFulfillSlot(can_understand=u, can_fulfill=f) for slot_name, (u, f) in slots.items()},
        )
        return handler_input.response_builder.set_can_fulfill_intent(result).response


def judge(
    resources: LocaleResources, intent: str | None, filled: dict[str, SlotValue]
) -> tuple[CanFulfillIntentValues, dict[str, tuple[CanUnderstandSlotValues, CanFulfillSlotValues]]]:
    """The intent verdict and one (canUnderstand, canFulfill) pair per filled slot."""
    if intent not in ANSWERABLE_SLOTS:
        return NO, {name: NOT_UNDERSTOOD for name in filled}
    slots = {name: _slot_verdict(resources, intent, name, value) for name, value in filled.items()}
    required = REQUIRED_SLOTS.get(intent)
    if (required and required not in filled) or NOT_UNDERSTOOD in slots.values():
        return NO, slots
    if READ_BY_ASKING in slots.values():
        return MAYBE, slots
    return YES, slots


def _slot_verdict(
    resources: LocaleResources, intent: str, name: str, value: SlotValue
) -> tuple[CanUnderstandSlotValues, CanFulfillSlotValues]:
    if name not in ANSWERABLE_SLOTS[intent]:
        return NOT_UNDERSTOOD
    if name == TRIGGER_SLOT:
        known = value.id is not None and resources.content.has(f"triggers.{value.id}")
        return UNDERSTOOD if known else NOT_UNDERSTOOD
    if name == THING_SLOT:
        return UNDERSTOOD if facts.answer(resources.content, value.id) is not None else NOT_UNDERSTOOD
    if name == SYMPTOM_SLOT:
        return UNDERSTOOD if value.id in resources.protocol.symptom_map else READ_BY_ASKING
    # DURATION_SLOT: an ISO 8601 duration the triage engine can read, else the check asks.
    return UNDERSTOOD if parse_iso_duration(value.raw or "") is not None else READ_BY_ASKING
