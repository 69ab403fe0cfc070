"""The skill object (Alexa layer): the SDK's request dispatch, without the SDK's service clients.

``build_skill`` returns a :class:`Skill`, which every transport and tool invokes the way it would
invoke ask-sdk-core's ``CustomSkill``: ``skill.invoke(request_envelope=..., context=...)`` gives a
``ResponseEnvelope``, and ``skill.serializer`` reads requests and writes responses.

Why not ``CustomSkill`` itself (the house rule prefers the well-kept library): the module that
defines it, ``ask_sdk_core.skill`` (and ``ask_sdk_core.skill_builder`` with it), imports
``ask_sdk_model.services`` at import time, and that package's ``__init__`` imports every service
client of the SDK (monetization, reminders, list management, Login with Amazon, ...). That is about
half of the whole cold import of the Lambda function, and this skill uses no service client: it has
no API client, no persistence adapter and no skill id check in the SDK (the transports check the
skill id). So :class:`Skill` keeps only what ``CustomSkill.invoke`` does for such a skill, step for
step and with the SDK's own pieces, none of which imports the services: an ``AttributesManager``
and a ``HandlerInput`` (no service client factory, as ``CustomSkill`` passes without an API
client), the ask_sdk_runtime ``GenericRequestDispatcher`` over the configuration that
ask_sdk_runtime's ``RuntimeConfigurationBuilder`` builds (the same one ``SkillBuilder`` builds),
and a ``ResponseEnvelope`` with the response format version, the session attributes and the SDK's
user agent. The handlers, interceptors and exception handlers are ask-sdk-core's, unchanged.
``tests/alexa/test_invoker.py`` proves the responses equal ``CustomSkill``'s and that the
production imports do not load the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ask_sdk_core.__version__ import __version__ as SDK_VERSION
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import RESPONSE_FORMAT_VERSION, user_agent_info
from ask_sdk_core.view_resolvers import TemplateFactory
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_runtime.dispatch import GenericRequestDispatcher
from ask_sdk_runtime.skill import AbstractSkill, RuntimeConfiguration
from ask_sdk_runtime.utils import UserAgentManager

if TYPE_CHECKING:
    from skill.alexa.serializer import Serializer

__all__ = ["Skill"]


class Skill(AbstractSkill):
    """What ``CustomSkill`` is for a skill without API client, persistence adapter or skill id.

    Immutable once built (the dispatcher's handlers hold no per-request state); one per process.
    """

    def __init__(self, configuration: RuntimeConfiguration, serializer: Serializer) -> None:
        self.serializer = serializer
        self.loaders = configuration.loaders
        self.renderer = configuration.renderer
        self.request_dispatcher = GenericRequestDispatcher(options=configuration)
        # As CustomSkill does: the SDK's user agent component, which every response envelope carries.
        UserAgentManager.register_component(user_agent_info(sdk_version=SDK_VERSION))

    def supports(self, request_envelope: Any, context: Any) -> bool:
        """As ``CustomSkill.supports``: a dict with a request."""
        return "request" in request_envelope

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        """Dispatch the request envelope to the handlers and return the response envelope."""
        template_factory = TemplateFactory(template_loaders=self.loaders, template_renderer=self.renderer)
        attributes_manager = AttributesManager(request_envelope=request_envelope, persistence_adapter=None)
        handler_input = HandlerInput(
            request_envelope=request_envelope,
            attributes_manager=attributes_manager,
            context=context,
            service_client_factory=None,
            template_factory=template_factory,
        )
        response = self.request_dispatcher.dispatch(handler_input=handler_input)
        session_attributes = None
        if request_envelope.session is not None:
            session_attributes = handler_input.attributes_manager.session_attributes
        return ResponseEnvelope(
            response=response,
            version=RESPONSE_FORMAT_VERSION,
            session_attributes=session_attributes,
            user_agent=UserAgentManager.get_user_agent(),
        )
