"""Skill builder (Alexa layer): one ``build_skill(config)`` for every transport (web, Lambda, CLI).

The skill it builds is the skill's own :class:`~skill.alexa.invoker.Skill` (ask-sdk-core's
``CustomSkill`` steps without its eager import of every SDK service client: see that module), built
with ask_sdk_runtime's ``RuntimeConfigurationBuilder``, the builder ask-sdk-core's ``SkillBuilder``
itself uses. It carries :class:`~skill.alexa.serializer.Serializer` as ``skill.serializer``, so
every transport, tool and test turns request JSON into the SDK's model objects (and responses back)
the same way.
"""

from __future__ import annotations

from ask_sdk_runtime.skill import RuntimeConfigurationBuilder

from skill.alexa.handlers import builtins, can_fulfill, emergency, facts, topics, triage
from skill.alexa.handlers.errors import ApologyExceptionHandler
from skill.alexa.interceptors import CheckInterceptor, LocaleInterceptor
from skill.alexa.invoker import Skill
from skill.alexa.resources import SkillResources
from skill.alexa.serializer import Serializer
from skill.config import SkillConfig


def request_handlers() -> list:
    """Every request handler, in dispatch order: the first whose ``can_handle`` is true wins."""
    return [
        # Emergency first: a reported stroke or emergency outranks every state and every handler.
        *emergency.handlers(),
        builtins.LaunchRequestHandler(),
        # During a check, the triage handlers own yes / no / help / stop / repeat-like intents.
        *triage.handlers(),
        topics.TopicIntentHandler(),
        *facts.handlers(),
        topics.TriggerDetailHandler(),
        topics.MoreHandler(),
        builtins.HelpHandler(),
        builtins.StopHandler(),
        builtins.FallbackHandler(),
        builtins.NavigateHomeHandler(),
        builtins.StartOverHandler(),
        builtins.RepeatHandler(),
        builtins.YesHandler(),
        builtins.NoHandler(),
        builtins.SessionEndedHandler(),
        builtins.UnknownIntentHandler(),
        # Name-free requests: a silent YES / MAYBE / NO, before the catch-all.
        can_fulfill.CanFulfillHandler(),
        builtins.UnknownRequestHandler(),
    ]


def build_skill(config: SkillConfig, resources: SkillResources | None = None) -> Skill:
    """Load and validate content (unless given) and assemble the skill.

    The skill id is checked by the transport's verifiers (a mismatch is a 400 there), so it is not
    given to the SDK, which would raise an exception the transport could only map to a 500.

    The skill's serializer is ``skill.serializer``, which every transport and tool reads requests
    and writes responses with.
    """
    if resources is None:
        resources = SkillResources.load(config)
    builder = RuntimeConfigurationBuilder()
    builder.add_request_handlers(request_handlers())
    builder.add_exception_handler(ApologyExceptionHandler())
    # In this order: the check interceptor reads the locale's triage protocol.
    builder.add_global_request_interceptor(LocaleInterceptor(resources))
    builder.add_global_request_interceptor(CheckInterceptor())
    return Skill(builder.get_runtime_configuration(), Serializer())
