"""gunicorn config module (web transport): the project's defaults for plain gunicorn.

    gunicorn -c python:skill.web.gunicorn_conf 'skill.web.wsgi:app'

Gives plain gunicorn what ``nose-twitch serve`` sets up: the bind address and worker count from
``HOST``/``PORT``/``WORKERS``, the JSON log lines, and, with metrics on (``SKILL_METRICS_PATH`` or
``SKILL_METRICS_PORT``), the shared ``PROMETHEUS_MULTIPROC_DIR`` (created and emptied here, in the
master, before any worker starts) and the hooks that serve the metrics port and mark exited
workers. gunicorn's command line and ``GUNICORN_CMD_ARGS`` still override every setting. A team's
own config file can start with ``from skill.web.gunicorn_conf import *`` and change the rest.
"""

from __future__ import annotations

import logging
import sys

from skill.config import ConfigError, config_from_env
from skill.web.logs import configure_logging
from skill.web.server import gunicorn_settings, server_hooks


def _checked_config():  # noqa: ANN202 - a SkillConfig
    """The settings from the environment, checked; a bad one stops gunicorn here with a JSON line
    saying how to fix it (gunicorn would print a plain-text traceback)."""
    configure_logging("INFO")  # the master's own lines (the "listening" line) are JSON too
    try:
        config = config_from_env()
        configure_logging(config.log_level)
        config.check_for_serving()
        if config.metrics_enabled:
            from skill.web.metrics import prepare_multiprocess_dir

            prepare_multiprocess_dir()
    except ConfigError as exc:
        logging.getLogger("skill.server").critical("Not starting: %s", exc)
        sys.exit(2)
    return config


_config = _checked_config()

globals().update(gunicorn_settings(_config))  # gunicorn ignores names it does not know
globals().update(server_hooks(_config))
