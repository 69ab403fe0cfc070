"""Built-in handlers (Alexa layer): launch, help, stop, fallback, repeat, yes / no, session end.

The triage handlers are registered before these and take over the same intents during a check.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.context import note
from skill.alexa.handlers.answers import answer_topic
from skill.alexa.handlers.base import IntentHandler, RequestTypeHandler
from skill.alexa.handlers.topics import TOPIC_IDS
from skill.alexa.replies.common import anything_else, goodbye, welcome
from skill.alexa.replies.emergency import safety_line
from skill.alexa.replies.reply import Reply
from skill.alexa.resources import get_resources
from skill.alexa.state import get_pending, keep_state, last_reply, pending_topic, respond


class LaunchRequestHandler(RequestTypeHandler):
    request_type = "LaunchRequest"

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, welcome(get_resources(handler_input).content))


class HelpHandler(IntentHandler):
    intents = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = get_resources(handler_input).content
        reply = Reply(
            lines=tuple(content.format(line) for line in content.node("help.lines")),
            question=content.text("help.question"),
            reprompt=content.text("help.reprompt"),
            card_title=content.text("help.card_title"),
        )
        return respond(handler_input, reply)


class StopHandler(IntentHandler):
    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, goodbye(get_resources(handler_input).content))


class FallbackHandler(IntentHandler):
    """Anything the model could not place: the emergency safety line, then re-orient; never a dead end."""

    intents = ("AMAZON.FallbackIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = get_resources(handler_input).content
        reply = Reply(
            lines=(content.text("fallback.line"), safety_line(content)),
            question=content.text("fallback.question"),
            reprompt=content.text("fallback.reprompt"),
        )
        return respond(handler_input, reply, **keep_state(handler_input))


class NavigateHomeHandler(IntentHandler):
    intents = ("AMAZON.NavigateHomeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = get_resources(handler_input).content
        return respond(handler_input, anything_else(content, content.text("home.line")))


class StartOverHandler(IntentHandler):
    intents = ("AMAZON.StartOverIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = get_resources(handler_input).content
        return respond(handler_input, welcome(content, content.text("start_over.line")))


class RepeatHandler(IntentHandler):
    """Says the last reply again, word for word, and keeps the conversation where it was."""

    intents = ("AMAZON.RepeatIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        last = last_reply(handler_input)
        if last is None:
            content = get_resources(handler_input).content
            return respond(handler_input, anything_else(content, content.text("repeat.nothing")))
        return respond(handler_input, last, **keep_state(handler_input))


class YesHandler(IntentHandler):
    """"Yes" to a topic's follow-up leads to that topic; otherwise it re-orients."""

    intents = ("AMAZON.YesIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        topic = pending_topic(get_pending(handler_input))
        if topic in TOPIC_IDS:
            return answer_topic(handler_input, "topic", topic)
        content = get_resources(handler_input).content
        return respond(handler_input, anything_else(content, content.text("yes_no_without_question.line")))


class NoHandler(IntentHandler):
    """"No" to "want to hear more?" or to an offer moves on; "no" to an open question ends the session.

    An open question is every "What would you like to know?" / "What else would you like to know?"
    (launch, help, any answer that ends with it): a "no" there is a goodbye, as certification
    testers expect, never "I'm not sure what that answers" (which could loop). The symptom check's
    own yes/no questions are answered by the triage handlers, registered before this one.
    """

    intents = ("AMAZON.NoIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = get_resources(handler_input).content
        if not get_pending(handler_input):
            return respond(handler_input, goodbye(content, content.text("moving_on")))
        return respond(handler_input, anything_else(content, content.text("moving_on")))


class SessionEndedHandler(RequestTypeHandler):
    """The session closed (user silent, said exit, or an error): nothing to say, nothing kept."""

    request_type = "SessionEndedRequest"

    def handle(self, handler_input: HandlerInput) -> Response:
        handler_input.attributes_manager.session_attributes = {}
        return handler_input.response_builder.response


class UnknownIntentHandler(RequestTypeHandler):
    """An intent this skill does not have (an old model, a forged request): treated as fallback."""

    request_type = "IntentRequest"

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="unknown_intent")
        return FallbackHandler().handle(handler_input)


class UnknownRequestHandler(AbstractRequestHandler):
    """Request types this skill does not use (player events, system events): an empty response."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        note(handler_input, handler="unknown_request")
        return handler_input.response_builder.response
