"""Per-locale resources (Alexa layer): content and the triage protocol, built once at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.requests import get_locale
from skill.domain import content_cache, triage_budget
from skill.domain.content import Content, ContentError, ContentStore
from skill.domain.triage import Protocol

_REQUEST_KEY = "resources"


@dataclass(frozen=True)
class LocaleResources:
    """Everything a handler needs for one locale."""

    content: Content
    protocol: Protocol


class SkillResources:
    """Every locale's resources; building them validates the content the skill runs on."""

    def __init__(self, store: ContentStore) -> None:
        self.store = store
        built: dict[str, LocaleResources] = {}
        # The spoken-time budgets depend only on the content and the checking code: a start whose
        # cached content already passed them with the same code skips measuring (about 60 ms).
        entry = store.cache_entry
        verdict = triage_budget.verdict_id()
        remembered = entry is not None and verdict is not None and verdict in entry.passed
        for tag in store.tags:
            content = store.for_locale(tag)
            try:
                protocol = Protocol.from_content(content.node("triage"))
            except ValueError as exc:
                raise ContentError(f"{tag}: triage content is invalid: {exc}") from None
            problems = [] if remembered else triage_budget.check(content, protocol)
            if problems:
                raise ContentError(f"{tag}: triage content is invalid: {'; '.join(problems)}")
            built[tag] = LocaleResources(content=content, protocol=protocol)
        if entry is not None and verdict is not None and not remembered:
            content_cache.record_passed(entry, verdict)
        self._by_tag: Mapping[str, LocaleResources] = MappingProxyType(built)

    def for_locale(self, locale: str | None) -> LocaleResources:
        return self._by_tag[self.store.for_locale(locale).tag]


class LocaleInterceptor(AbstractRequestInterceptor):
    """Puts the request locale's resources into the request attributes."""

    def __init__(self, resources: SkillResources) -> None:
        self._resources = resources

    def process(self, handler_input: HandlerInput) -> None:
        locale = get_locale(handler_input)
        handler_input.attributes_manager.request_attributes[_REQUEST_KEY] = self._resources.for_locale(locale)


def get_resources(handler_input: HandlerInput) -> LocaleResources:
    """The resources the interceptor chose for this request."""
    return handler_input.attributes_manager.request_attributes[_REQUEST_KEY]
