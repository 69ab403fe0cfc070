"""WSGI entry point (web transport): ``gunicorn 'skill.web.wsgi:app'``, settings from the environment.

Importing this module has no side effects. The app is built when ``app`` is first looked up (gunicorn
does that right after the import, in each worker, or once in the master with ``--preload``), from
:func:`~skill.config.config_from_env` (``SKILL_ID``, ``SKILL_DEV``, ``SKILL_LOG_LEVEL``, ...): the
same app ``nose-twitch serve`` runs, with request verification, the skill-id check, the access log
line of every response and, when ``SKILL_METRICS_PATH`` is set, metrics.

gunicorn's own settings come from its command line, ``GUNICORN_CMD_ARGS`` or a config file. For the
project's defaults (log format, hooks, and the shared metrics folder that metrics across several
workers need), use the project's config module::

    gunicorn -c python:skill.web.gunicorn_conf 'skill.web.wsgi:app'
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Any

__all__ = ["app", "build_app"]


#: gunicorn's exit status for "App failed to load": the master stops instead of booting workers forever.
APP_LOAD_ERROR = 4


def build_app() -> Any:
    """The production app, configured from the environment; refuses what ``nose-twitch serve`` refuses.

    A setting that is wrong stops the process with one JSON line saying how to fix it (and exit
    status 4, which makes gunicorn's master stop rather than boot workers forever).
    """
    from skill.config import ConfigError, config_from_env
    from skill.web.app import create_app
    from skill.web.logs import configure_logging

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
    except ConfigError as exc:
        logging.getLogger("skill.server").critical("Not starting: %s", exc)
        raise SystemExit(APP_LOAD_ERROR) from None
    if config.dev:
        from skill.web.server import DEV_WARNING

        logging.getLogger("skill.server").warning(DEV_WARNING)
    return create_app(config)


@lru_cache(maxsize=1)
def _app() -> Any:
    """Built once per process (an immutable app, not per-user state)."""
    return build_app()


def __getattr__(name: str) -> Any:
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
