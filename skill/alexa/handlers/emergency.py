"""Emergency handlers (Alexa layer): a reported stroke or emergency gets the emergency number first.

Registered before every other handler, so the answer wins in every state: at launch, one-shot, in
the middle of a topic, during the symptom check (where it is never taken as an invalid yes or no)
and at the outcome offer. It reads no slot and keeps nothing: what the person said stays out of the
answer, the card, the screen and the log (which records only the handler and the level).

The answer keeps the session open once ("Want me to say that again?"), so a person who missed the
number can hear it again by saying yes or repeat; its reprompt is the number itself. "No", "stop"
or "cancel" then closes with the number one last time. Any other request moves on as usual.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.context import note
from skill.alexa.requests import is_intent
from skill.alexa.resources import get_resources
from skill.alexa.speech import Reply, Screen
from skill.alexa.state import PENDING_EMERGENCY, get_pending, respond
from skill.domain.content import Content

EMERGENCY_INTENT = "EmergencyIntent"
#: The disposition level this route records (the same key as the symptom check's emergency outcome).
LEVEL = "emergency"
_AGAIN = ("AMAZON.YesIntent", "AMAZON.RepeatIntent")
_DONE = ("AMAZON.NoIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent")


def emergency_reply(content: Content) -> Reply:
    """The number first; a phone, the time it started, someone else; the number again; "again?"."""
    text = content.text
    lead = text("emergency.lead")
    spoken = (
        lead,
        text("emergency.phone"),
        text("emergency.time.say"),
        text("emergency.other_person.say"),
        text("emergency.again"),
    )
    title = text("emergency.title")
    return Reply(
        lines=spoken,
        question=text("emergency.question"),
        reprompt=text("emergency.reprompt"),
        card_title=text("emergency.card_title"),
        card_text="\n".join(spoken[:4]),
        screen=Screen(
            title=title,
            points=(lead, text("emergency.phone"), text("emergency.time.say")),
            level=LEVEL,
            emphasis=content.locale_params.get("emergency_number_display"),
        ),
    )


def safety_line(content: Content) -> str:
    """ "If this is an emergency, call {number} now.": for turns that could not place what was said."""
    return content.text("emergency.safety_line")


class EmergencyHandler(AbstractRequestHandler):
    """ "I think I'm having a stroke", "my face dropped", "call 911": the emergency answer, always."""

    intents = (EMERGENCY_INTENT,)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent(handler_input, EMERGENCY_INTENT)

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="emergency", disposition=LEVEL)
        content = get_resources(handler_input).content
        return respond(handler_input, emergency_reply(content), pending=PENDING_EMERGENCY)


class EmergencyFollowUpHandler(AbstractRequestHandler):
    """Right after the emergency answer: "yes" / "repeat" say it again; "no" / "stop" close with the number."""

    intents = (*_AGAIN, *_DONE)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent(handler_input, *self.intents) and get_pending(handler_input) == PENDING_EMERGENCY

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="emergency")
        content = get_resources(handler_input).content
        if is_intent(handler_input, *_AGAIN):
            return respond(handler_input, emergency_reply(content), pending=PENDING_EMERGENCY)
        return respond(handler_input, Reply(lines=(content.text("emergency.goodbye"),),
                                            card_title=content.text("emergency.card_title")))


def handlers() -> list:
    """The emergency handlers, to be registered before every other handler."""
    return [EmergencyHandler(), EmergencyFollowUpHandler()]
