"""Web fixtures: the app and its test client, chained as in Flask's tutorial (``app -> client``).

The app is the real one (:func:`skill.web.app.create_app`) around the session's skill, with
verification off: most web tests are about everything after it. A test module that needs other
settings overrides ``app_config``.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.config import SkillConfig
from skill.web.app import create_app


@pytest.fixture
def app_config(config: SkillConfig) -> SkillConfig:
    """The settings the ``app`` fixture is built with (the session's dev config)."""
    return config


@pytest.fixture
def app(app_config: SkillConfig, resources, skill) -> Flask:
    return create_app(app_config, resources=resources, skill=skill, verifiers=())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
