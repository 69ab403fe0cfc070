"""Shared fixtures: the skill is built once per test session from the real content.

Markers (registered in pyproject.toml): ``slow`` (seconds or more: real servers, proxies, load,
npm, chromium, pip, wheel and zip builds, long hypothesis runs, classifier training), ``network`` (may download: npm
packages, PyPI, apt), ``e2e`` (a real external client drives a real server). A test that asks for
one of :data:`FIXTURE_MARKS`' fixtures gets that fixture's marks here, so no such test can be left
unmarked; tests that start servers themselves are marked in their modules. ``pytest -m "not slow"``
is the fast loop; plain ``pytest`` (and ``.ci/run``) runs everything.

Hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE``: ``ci`` (the default: derandomized, so every
run tries the same examples, no deadline, each test's full example count) and ``dev`` (a tenth
of the examples, random, for the fast loop). Counts are written with
:func:`tests.support.examples.examples`."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import settings

from skill.alexa.builder import build_skill
from skill.alexa.resources import SkillResources
from skill.config import SkillConfig
from skill.domain.content import ContentStore
from tests.support.chromium import find_or_install_chromium
from tests.support.client import Conversation
from tests.support.examples import CI_EXAMPLES
from tests.support.training import Classifiers

settings.register_profile("ci", max_examples=CI_EXAMPLES, derandomize=True, deadline=None)
settings.register_profile("dev", max_examples=CI_EXAMPLES // 10, deadline=None)
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if _PROFILE not in ("ci", "dev"):
    raise pytest.UsageError(f"HYPOTHESIS_PROFILE={_PROFILE!r}: the profiles are ci (the default) and dev")
settings.load_profile(_PROFILE)


#: Fixtures that build, fetch or start something heavy, and the marks a test that uses one gets.
FIXTURE_MARKS: dict[str, tuple[str, ...]] = {
    "node_modules": ("slow", "network", "e2e"),  # npm ci of virtual-alexa (tests/e2e)
    "server": ("slow", "e2e"),  # the real server that virtual-alexa drives (tests/e2e)
    "drive": ("slow", "network", "e2e"),
    "apl_node_modules": ("slow", "network", "e2e"),  # npm ci of apl-suggester and puppeteer (tests/apl)
    "chromium": ("slow", "network"),  # apt-get install of chromium where it is missing
    "wheel": ("slow",),  # pip wheel of the project
    "installed": ("slow",),  # a fresh venv holding the wheel
    "pypi": ("slow", "network"),  # Lambda zips with dependencies from PyPI
    "deploy_project": ("slow", "network"),
    "arm_zip": ("slow", "network"),
    "dev_server": ("slow",),  # a real gunicorn in dev mode (tests/web/test_worker.py)
    "trained": ("slow",),  # the intent classifier trained on a locale's model (tests/nlu)
    "neighbours": ("slow",),  # the nearest-neighbours stand-in, built per locale (tests/nlu)
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for name in getattr(item, "fixturenames", ()):
            for mark in FIXTURE_MARKS.get(name, ()):
                item.add_marker(mark)


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
def classifiers() -> Classifiers:
    """Intent classifiers trained once per session (per locale and model), kept in memory only."""
    return Classifiers()


@pytest.fixture
def shared_training(classifiers: Classifiers, monkeypatch: pytest.MonkeyPatch) -> Classifiers:
    """For a test that runs a command training classifiers (``chat``, ``nlu-eval``): the command's
    ``IntentClassifier.train`` gets the session's classifier for the same locale and model."""
    from skill.tools.nlu.classifier import IntentClassifier

    train = IntentClassifier.train
    monkeypatch.setattr(IntentClassifier, "train",
                        classmethod(lambda cls, model, locale: classifiers.train(model, locale, train=train)))
    return classifiers


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed on first use where it is missing (root and apt-get)."""
    return find_or_install_chromium()
