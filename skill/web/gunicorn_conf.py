"""gunicorn config module (web transport): the project's settings for the one production entry point.

    gunicorn -c python:skill.web.gunicorn_conf skill.web.wsgi:app

``nose-twitch serve`` runs exactly that (see :mod:`skill.web.server`). From the environment
(``HOST``/``PORT``/``WORKERS``, ``SKILL_*``; the serve flags set the same variables) it gives
gunicorn the bind address and worker count, the JSON log lines, the worker that answers gunicorn's
own rejections with JSON, the app built once in the master, and, with metrics on
(``SKILL_METRICS_PATH`` or ``SKILL_METRICS_PORT``), the shared ``PROMETHEUS_MULTIPROC_DIR``
(created and emptied here, in the master, before any worker starts) and the hooks that serve the
metrics port and mark exited workers.

Those are defaults. The config file ``SKILL_GUNICORN_CONFIG`` names (``nose-twitch serve`` names
its ``--gunicorn-config``, else ``--config`` in ``GUNICORN_CMD_ARGS``, else ``./gunicorn.conf.py``)
is read on top of them, as gunicorn would read it, and its hooks run after the project's.
gunicorn's command line and ``GUNICORN_CMD_ARGS`` still override every setting. (A team's own file
can also start with ``from skill.web.gunicorn_conf import *`` and be gunicorn's ``-c`` itself.)

A setting that is wrong stops gunicorn here, before it binds, with one JSON line saying how to fix
it (gunicorn would print a plain-text traceback).
"""

from __future__ import annotations

import logging
import os
import sys

from skill.config import ConfigError, SkillConfig, config_from_env
from skill.web.logs import configure_logging
from skill.web.metrics import prepare_multiprocess_dir
from skill.web.server import TEAM_CONFIG_ENV, gunicorn_settings, server_hooks, team_settings


def _checked_config() -> SkillConfig:
    """The settings from the environment, checked, and the metrics folder ready."""
    configure_logging("INFO")  # the master's own lines (the "listening" line) are JSON too
    try:
        config = config_from_env()
        configure_logging(config.log_level)
        config.check_for_serving()
        if config.metrics_enabled:
            prepare_multiprocess_dir()
    except ConfigError as exc:
        logging.getLogger("skill.server").critical("Not starting: %s", exc)
        sys.exit(2)
    return config


def _team_settings(hooks: dict) -> dict:
    """The team's config file, read on top of the project's settings (none without one)."""
    location = os.environ.get(TEAM_CONFIG_ENV)
    if not location:
        return {}
    try:
        return team_settings(location, hooks)
    except ConfigError as exc:
        logging.getLogger("skill.server").critical("Not starting: %s", exc)
        sys.exit(2)


_config = _checked_config()
_hooks = server_hooks(_config)

globals().update(gunicorn_settings(_config))  # gunicorn ignores names it does not know
globals().update(_hooks)
globals().update(_team_settings(_hooks))
