"""WSGI entry point (web transport): the production app, configured from the environment.

    gunicorn -c python:skill.web.gunicorn_conf skill.web.wsgi:app

is the one production entry point; ``nose-twitch serve`` runs exactly that (see
:mod:`skill.web.server`). Plain ``gunicorn skill.web.wsgi:app`` serves the same app, with gunicorn's
own defaults instead of the project's.

Importing this module builds nothing. The app is built when ``app`` is first looked up (gunicorn
does that right after the import: once in the master, as the project's config preloads it, or in
each worker), from :func:`~skill.config.config_from_env` (``SKILL_ID``, ``SKILL_DEV``,
``SKILL_LOG_LEVEL``, ...): with request verification, the skill-id check, the access log line of
every response and, when ``SKILL_METRICS_PATH`` is set, metrics.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

from flask import Flask

from skill.config import ConfigError, config_from_env
from skill.domain.errors import ContentError
from skill.web.app import create_app
from skill.web.logs import configure_logging
from skill.web.server import DEV_WARNING

__all__ = ["app", "build_app"]

log = logging.getLogger("skill.server")

#: gunicorn's exit status for "App failed to load": the master stops instead of booting workers forever.
APP_LOAD_ERROR = 4


def build_app() -> Flask:
    """The production app, configured from the environment; refuses what ``nose-twitch serve`` refuses.

    A setting or content that is wrong stops the process with one JSON line saying how to fix it
    (and exit status 4, which makes gunicorn's master stop rather than boot workers forever).
    """
    configure_logging("INFO")
    try:
        config = config_from_env()
        configure_logging(config.log_level)
        config.check_for_serving()
        if config.metrics_enabled and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # Without the shared folder each worker would count alone, and nobody would serve the port.
            raise ConfigError(
                "Metrics under gunicorn need the project's gunicorn config, which prepares the folder the "
                "workers share (PROMETHEUS_MULTIPROC_DIR) and serves SKILL_METRICS_PORT: "
                "gunicorn -c python:skill.web.gunicorn_conf 'skill.web.wsgi:app'"
            )
        if config.dev:
            log.warning(DEV_WARNING)
        return create_app(config)
    except (ConfigError, ContentError) as exc:
        log.critical("Not starting: %s", exc)
        raise SystemExit(APP_LOAD_ERROR) from None


@lru_cache(maxsize=1)
def _app() -> Flask:
    """Built once per process (an immutable app, not per-user state)."""
    return build_app()


def __getattr__(name: str) -> Flask:
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
