"""Name-free requests (Alexa layer): answer ``CanFulfillIntentRequest`` without saying anything.

Alexa asks "could you handle this?" before routing a request that did not name the skill. The
request carries the intent Alexa matched in this skill's model and its slots, never the words
said. So the answer can only be as precise as the intent and slots make it, and the models hold
phrasings with no twitch in them ("is it serious", "check my symptoms", "tell me about stress"),
which make sense inside a conversation about a twitch but, said to Alexa out of the blue, are
about anything. The verdicts:

- YES only when the request must have been about a twitch and the skill answers it in full:
  ``WhatIsItIntent`` (every sample names the twitch), a symptom check that says how long the
  nose has been twitching (every sample with ``{duration}`` names the twitching), and a fact
  question about a thing that is itself about a twitch (:data:`TWITCH_THINGS`: fasciculation,
  hemifacial spasm, the nose's own muscles), whatever carrier it came in, and "can it be cured"
  about such a thing when the content has its treatment (hemifacial spasm);
- MAYBE when the skill has an answer, but only about nose twitching, and the phrasing may not
  be: the other topic intents, a trigger question about a known trigger ("tell me about
  stress" may be about stress in general), a fact question about a known but general thing
  ("tell me about yoga", "what is an MRI", "should I see a neurologist": FactIntent's carriers
  name no twitch, and the skill knows yoga only as a help for a twitch); also a twitch-duration
  check whose duration or symptom the skill cannot read (the check still runs, asking instead);
- MAYBE for the question intents (:data:`QUESTION_INTENTS`: how long it lasts, its medical name,
  the nerve and muscles, tics, eye and nose, which doctor, tests): each holds phrasings that
  name no twitch ("how long will it last", "which doctor should I see", "what is Tourette's",
  "why is my eyelid jumping"); and for "can {thing} be cured" (``CureIntent``), unless the thing
  is a twitch thing whose treatment the content links (hemifacial spasm: "can hemifacial spasm
  be cured?" means only that, and its treatment answers it in full), which is YES. The things
  added with them are general subjects too (how long, which doctor, tests, a past stroke) or
  have a synonym that is ("excessive blinking" for blepharospasm, "el párpado" for eye and nose,
  "decompression surgery" for the treatment of hemifacial spasm), so they stay MAYBE;
- NO for a symptom check without a twitch duration ("check my symptoms", "I'm having a
  headache": a nose-twitch check is the wrong tool for someone's unspecified symptoms), for
  ``EmergencyIntent`` (an emergency said without the skill's name is better served by Alexa
  itself than by a nose-twitch skill), for built-ins, for intents that only make sense
  mid-conversation ("more", "not sure", "why", "go back", "where is this from"), for a trigger
  or thing the skill has no content for, and for anything else.

``tests/alexa/test_can_fulfill.py`` checks these sets against every locale's samples, so a sample
that makes a YES intent generic fails the suite with its text.
"""

from __future__ import annotations

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
from skill.alexa.handlers.base import RequestTypeHandler
from skill.alexa.handlers.facts import CURE_INTENT, FACT_INTENT, QUESTION_INTENTS
from skill.alexa.handlers.topics import THING_SLOT, TOPIC_INTENTS, TOPIC_THING_INTENTS, TRIGGER_INTENT, TRIGGER_SLOT
from skill.alexa.requests import SlotValue, read_slot
from skill.alexa.resources import LocaleResources, get_resources
from skill.domain import facts
from skill.domain.triage import parse_iso_duration

SYMPTOM_CHECK_INTENT = "SymptomCheckIntent"
SYMPTOM_SLOT = "symptom"
DURATION_SLOT = "duration"
FACT_SLOT = THING_SLOT
EMERGENCY_INTENT = "EmergencyIntent"
DURATION_INTENT = "DurationIntent"

YES, NO, MAYBE = CanFulfillIntentValues.YES, CanFulfillIntentValues.NO, CanFulfillIntentValues.MAYBE
#: (canUnderstand, canFulfill) for one slot.
UNDERSTOOD = (CanUnderstandSlotValues.YES, CanFulfillSlotValues.YES)
NOT_UNDERSTOOD = (CanUnderstandSlotValues.NO, CanFulfillSlotValues.NO)
#: The skill does not know the value but still does what was asked (the check asks instead; how
#: long a twitch lasts is answered whatever the duration).
READ_BY_ASKING = (CanUnderstandSlotValues.MAYBE, CanFulfillSlotValues.YES)

#: Topic and question intents whose every phrasing names the twitch: a name-free match is about a
#: twitch. None of the question intents is (each has phrasings like "how long will it last").
TWITCH_SPECIFIC_INTENTS = frozenset({"WhatIsItIntent"})
#: THING ids that are about a twitch whatever the carrier ("tell me about fasciculation"): a twitch
#: of a muscle, a twitching condition of the face, and the muscles that move the nose. Every other
#: thing (yoga, water, an MRI, a neurologist, a stroke, Bell's palsy...) is a general subject.
TWITCH_THINGS = frozenset({"fasciculation", "hemifacial_spasm", "procerus", "nasalis"})

#: The slots each answerable intent can take; a slot outside this list is not understood.
ANSWERABLE_SLOTS: dict[str, tuple[str, ...]] = {
    **{intent: (THING_SLOT,) if intent in TOPIC_THING_INTENTS else () for intent in TOPIC_INTENTS},
    **{intent: () for intent in QUESTION_INTENTS},
    DURATION_INTENT: (DURATION_SLOT,),  # "it's been two weeks, when will it stop?": answered whatever the duration
    TRIGGER_INTENT: (TRIGGER_SLOT,),
    FACT_INTENT: (THING_SLOT,),
    CURE_INTENT: (THING_SLOT,),
    SYMPTOM_CHECK_INTENT: (SYMPTOM_SLOT, DURATION_SLOT),
}
#: Intents that cannot be answered name-free without this slot: a trigger question needs the
#: trigger, a fact question the thing, and a symptom check is about a twitch only when it says
#: how long the twitching has lasted.
REQUIRED_SLOTS = {
    TRIGGER_INTENT: TRIGGER_SLOT,
    FACT_INTENT: FACT_SLOT,
    CURE_INTENT: FACT_SLOT,
    SYMPTOM_CHECK_INTENT: DURATION_SLOT,
}


class CanFulfillHandler(RequestTypeHandler):
    """Silent YES / MAYBE / NO for a name-free request (a request type, not intents: the model
    cross-check is unaffected)."""

    request_type = "CanFulfillIntentRequest"

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
    if intent not in ANSWERABLE_SLOTS:  # EmergencyIntent, built-ins, mid-conversation, unknown
        return NO, {name: NOT_UNDERSTOOD for name in filled}
    slots = {name: _slot_verdict(resources, intent, name, value) for name, value in filled.items()}
    required = REQUIRED_SLOTS.get(intent)
    if (required and required not in filled) or NOT_UNDERSTOOD in slots.values():
        return NO, slots
    if intent in QUESTION_INTENTS and facts.answer(resources.content, QUESTION_INTENTS[intent]) is None:
        return NO, slots  # content without the answer: nothing to say
    if READ_BY_ASKING in slots.values():
        return MAYBE, slots
    if (intent in TOPIC_INTENTS or intent in QUESTION_INTENTS) and intent not in TWITCH_SPECIFIC_INTENTS:
        return MAYBE, slots  # an answer about nose twitching to a phrasing that may not be
    if intent == TRIGGER_INTENT:
        return MAYBE, slots  # "tell me about stress": the skill knows stress only as a twitch trigger
    if intent == FACT_INTENT and filled[FACT_SLOT].id not in TWITCH_THINGS:
        return MAYBE, slots  # "tell me about yoga": a general subject the skill knows only for a twitch
    if intent == CURE_INTENT and not _treated_twitch_thing(resources, filled[FACT_SLOT].id):
        return MAYBE, slots  # "can Bell's palsy be cured?", "can fasciculation be cured?": no cure answer
    return YES, slots


def _treated_twitch_thing(resources: LocaleResources, thing: str | None) -> bool:
    """A twitch thing whose treatment the content links: "can it be cured?" is answered in full."""
    return thing in TWITCH_THINGS and facts.treatment_of(resources.content, thing) != thing


def _slot_verdict(
    resources: LocaleResources, intent: str, name: str, value: SlotValue
) -> tuple[CanUnderstandSlotValues, CanFulfillSlotValues]:
    if name not in ANSWERABLE_SLOTS[intent]:
        return NOT_UNDERSTOOD
    if name == TRIGGER_SLOT:
        known = value.id is not None and resources.content.has(f"triggers.{value.id}")
        return UNDERSTOOD if known else NOT_UNDERSTOOD
    if name == FACT_SLOT and intent in TOPIC_THING_INTENTS:  # any other thing leaves the topic's answer
        return UNDERSTOOD if facts.specific_answer(resources.content, value.id) is not None else READ_BY_ASKING
    if name == FACT_SLOT:
        return UNDERSTOOD if facts.answer(resources.content, value.id) is not None else NOT_UNDERSTOOD
    if name == SYMPTOM_SLOT:
        return UNDERSTOOD if value.id in resources.protocol.symptom_map else READ_BY_ASKING
    # DURATION_SLOT: an ISO 8601 duration the triage engine can read, else the check asks (and how long
    # a twitch lasts is answered whatever the duration).
    return UNDERSTOOD if parse_iso_duration(value.raw or "") is not None else READ_BY_ASKING
