"""Request interceptors (Alexa layer): what every handler of a request reads, worked out once.

They run before any handler's ``can_handle``, in the order ``build_skill`` registers them:

1. :class:`LocaleInterceptor` puts the request locale's resources (content, triage protocol) into
   the request attributes;
2. :class:`CheckInterceptor` reads the symptom check the session holds. The triage engine replays
   the stored answers and rejects anything it could not have produced (a tampered attribute is no
   check at all), then says what comes next. Every predicate and handler of the request reads that
   one result (:func:`stored_check`, :func:`current_check`), instead of replaying the session again.

Both only read the request and the session; what they leave is per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.requests import get_locale
from skill.alexa.resources import REQUEST_KEY, SkillResources, get_resources
from skill.alexa.state import PENDING_TRIAGE, get_pending, get_triage_raw
from skill.domain.triage import Ask, Outcome, Step, TriageState, next_step, state_from_session

_CHECK_KEY = "stored_check"


class LocaleInterceptor(AbstractRequestInterceptor):
    """Puts the request locale's resources into the request attributes."""

    def __init__(self, resources: SkillResources) -> None:
        self._resources = resources

    def process(self, handler_input: HandlerInput) -> None:
        locale = get_locale(handler_input)
        handler_input.attributes_manager.request_attributes[REQUEST_KEY] = self._resources.for_locale(locale)


@dataclass(frozen=True)
class StoredCheck:
    """The symptom check in the session, as the engine re-derived it: ``state`` is None when there
    is none (or it was tampered with); ``step`` is what the engine does next from it."""

    state: TriageState | None = None
    step: Step | None = None

    @property
    def asking(self) -> TriageState | None:
        """The state of a check that still has a question to ask (the emergency question keeps one aside)."""
        return self.state if isinstance(self.step, Ask) else None

    @property
    def question(self) -> Ask | None:
        """The question the check is at, if it is still asking."""
        return self.step if isinstance(self.step, Ask) else None

    @property
    def finished(self) -> TriageState | None:
        """The state of a check that reached its outcome, with at least one answer to go back on."""
        if self.state is None or not self.state.asked or not isinstance(self.step, Outcome):
            return None
        return self.state


class CheckInterceptor(AbstractRequestInterceptor):
    """Reads the session's symptom check once per request (after :class:`LocaleInterceptor`)."""

    def process(self, handler_input: HandlerInput) -> None:
        protocol = get_resources(handler_input).protocol
        state = state_from_session(protocol, get_triage_raw(handler_input))
        step = next_step(protocol, state) if state is not None else None
        handler_input.attributes_manager.request_attributes[_CHECK_KEY] = StoredCheck(state, step)


def stored_check(handler_input: HandlerInput) -> StoredCheck:
    """What :class:`CheckInterceptor` read from this request's session."""
    return handler_input.attributes_manager.request_attributes[_CHECK_KEY]


def current_check(handler_input: HandlerInput) -> TriageState | None:
    """The state of a check in progress (``pending`` is "triage") that still has a question to ask, else None."""
    if get_pending(handler_input) != PENDING_TRIAGE:
        return None
    return stored_check(handler_input).asking
