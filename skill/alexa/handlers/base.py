"""Handler bases (Alexa layer): the ``can_handle`` every handler would otherwise write by hand.

* :class:`IntentHandler`: its ``intents`` drive ``can_handle`` (and the cross-check of handlers
  against every interaction model reads the same tuple); :meth:`~IntentHandler.applies` adds a
  condition on the session where a handler has one.
* :class:`RequestTypeHandler`: the same for a request type (``LaunchRequest``, ...).
* :class:`TriageHandler`: an intent answered only while a symptom check is asking a question; its
  :meth:`~TriageHandler.handle_check` is handed the check's state and question, as the
  :class:`~skill.alexa.interceptors.CheckInterceptor` read them from the session for this request.

``can_handle`` reads the request, the session and what the interceptors left; it writes nothing
and does no I/O.
"""

from __future__ import annotations

from abc import abstractmethod

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.interceptors import current_check, stored_check
from skill.alexa.requests import is_intent, is_request_type
from skill.domain.triage import Ask, TriageState


class IntentHandler(AbstractRequestHandler):
    """Handles the intents it names, when :meth:`applies`."""

    #: The intents this handler answers.
    intents: tuple[str, ...] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent(handler_input, *self.intents) and self.applies(handler_input)

    def applies(self, handler_input: HandlerInput) -> bool:
        """A further condition on the session (read only); by default none."""
        return True


class RequestTypeHandler(AbstractRequestHandler):
    """Handles one request type, when :meth:`applies`."""

    #: The request type this handler answers (``LaunchRequest``, ``SessionEndedRequest``, ...).
    request_type: str = ""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type(handler_input, self.request_type) and self.applies(handler_input)

    def applies(self, handler_input: HandlerInput) -> bool:
        """A further condition on the session (read only); by default none."""
        return True


class TriageHandler(IntentHandler):
    """One of its intents while a symptom check is asking a question (``pending`` "triage")."""

    def applies(self, handler_input: HandlerInput) -> bool:
        return current_check(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        # can_handle saw a check asking a question: the same stored check, read once for this request.
        state, question = stored_check(handler_input).asking, stored_check(handler_input).question
        if state is None or question is None:
            raise LookupError("no symptom check is asking a question in this request")
        return self.handle_check(handler_input, state, question)

    @abstractmethod
    def handle_check(self, handler_input: HandlerInput, state: TriageState, question: Ask) -> Response:
        """Answer the request, given the check's state and the question it is at."""
