"""Error handling (Alexa layer): any failure inside the skill becomes a short spoken apology.

The user never hears a traceback and the transport never answers 500 for a skill error. The log
gets the exception type only: its message could quote user input.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.alexa.context import note
from skill.alexa.replies.common import apology
from skill.alexa.resources import get_resources
from skill.alexa.speech import build_response
from skill.alexa.state import keep_state, respond

log = logging.getLogger(__name__)


class ApologyExceptionHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("skill error: %s", type(exception).__name__, exc_info=(type(exception), exception, None))
        note(handler_input, error=type(exception).__name__)
        try:
            content = get_resources(handler_input).content
        except KeyError:
            # The locale interceptor itself failed: nothing is known about the request.
            raise exception from None
        try:
            # Keep whatever the user had (a half-finished check) so nothing is lost.
            return respond(handler_input, apology(content), **keep_state(handler_input))
        except Exception:  # noqa: BLE001 - the state itself is what broke; drop it
            handler_input.attributes_manager.session_attributes = {}
            return build_response(handler_input, apology(content))
