"""Shared fixtures: the skill is built once per test session from the real content."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from skill.alexa.builder import build_skill
from skill.alexa.resources import SkillResources
from skill.config import SkillConfig
from skill.domain.content import ContentStore
from tests.support.chromium import find_or_install_chromium
from tests.support.client import Conversation


@pytest.fixture(scope="session", autouse=True)
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory):
    """The default content cache (``$XDG_CACHE_HOME/nose-twitch``) goes to a temporary folder, for
    this process and every server or tool it starts, never to the real home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        patch.delenv("SKILL_CACHE_DIR", raising=False)
        yield


@pytest.fixture(scope="session")
def config() -> SkillConfig:
    return SkillConfig(dev=True)


@pytest.fixture(scope="session")
def store(config: SkillConfig) -> ContentStore:
    return ContentStore.load(config.content_dir)


@pytest.fixture(scope="session")
def resources(store: ContentStore) -> SkillResources:
    return SkillResources(store)


@pytest.fixture(scope="session")
def skill(config: SkillConfig, resources: SkillResources):
    return build_skill(config, resources)


@pytest.fixture
def conversation(skill) -> Callable[..., Conversation]:
    def start(locale: str = "en-US", **kwargs) -> Conversation:
        return Conversation(skill, locale=locale, **kwargs)

    return start


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed on first use where it is missing (root and apt-get)."""
    return find_or_install_chromium()
