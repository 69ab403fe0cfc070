"""Per-locale resources (Alexa layer): content and the triage protocol, built once at start-up.

:class:`~skill.alexa.interceptors.LocaleInterceptor` hands each request its locale's
:class:`LocaleResources`; handlers read them with :func:`get_resources`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ask_sdk_core.handler_input import HandlerInput

from skill.config import SkillConfig
from skill.domain import content_cache
from skill.domain.content import Content, ContentStore
from skill.domain.triage import Protocol
from skill.domain.triage_budget import checked_protocol

#: Where the interceptor puts the request's resources in the request attributes.
REQUEST_KEY = "resources"


@dataclass(frozen=True)
class LocaleResources:
    """Everything a handler needs for one locale."""

    content: Content
    protocol: Protocol


class SkillResources:
    """Every locale's resources; building them validates the content the skill runs on.

    Each locale's triage protocol is built and checked (:func:`~skill.domain.triage_budget.
    checked_protocol`); the sign rules and spoken-time budgets are measured unless the store's
    content already passed them on its way through the content cache (``store.checked``).
    """

    def __init__(self, store: ContentStore) -> None:
        self.store = store
        built: dict[str, LocaleResources] = {}
        for tag in store.tags:
            content = store.for_locale(tag)
            built[tag] = LocaleResources(content=content, protocol=checked_protocol(content, budgets=not store.checked))
        self._by_tag: Mapping[str, LocaleResources] = MappingProxyType(built)

    @classmethod
    def load(cls, config: SkillConfig) -> SkillResources:
        """The content the config names, loaded for serving: through the content cache when the
        config has one (parsed and checked only when the files or the checking code changed)."""
        return cls(content_cache.load(config.content_dir, config.cache_dir))

    def for_locale(self, locale: str | None) -> LocaleResources:
        return self._by_tag[self.store.for_locale(locale).tag]


def get_resources(handler_input: HandlerInput) -> LocaleResources:
    """The resources the interceptor chose for this request."""
    return handler_input.attributes_manager.request_attributes[REQUEST_KEY]
