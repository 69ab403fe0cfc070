"""Production server (web transport): the Flask app under gunicorn, configured from SkillConfig."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication

from skill.config import SkillConfig

log = logging.getLogger("skill.server")

#: A WSGI callable: ``app(environ, start_response) -> iterable of bytes``.
WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

DEV_WARNING = (
    "WARNING: development mode. Request signatures and timestamps are NOT checked. "
    "Anyone who can reach this port can talk to the skill. Never expose it to the internet."
)


class SkillServer(BaseApplication):
    """gunicorn, embedded: the app is built in the parent and shared by forked workers.

    ``app`` serves a prebuilt WSGI app under the same settings (the benchmarks pass the skill
    with test verifiers, and other apps to compare with); by default it is ``create_app(config)``.
    """

    def __init__(self, config: SkillConfig, app: WSGIApplication | None = None) -> None:
        self._config = config
        if app is None:
            from skill.web.app import create_app

            app = create_app(config)  # content errors surface here, before any worker starts
        self._app = app
        # Everything built so far (modules, content, compiled plans) lives as long as the process:
        # keep the collector from scanning it on every full collection, and from touching (and so
        # copying) the pages the forked workers share with this parent.
        gc.collect()
        gc.freeze()
        super().__init__()

    def load_config(self) -> None:
        settings: dict[str, Any] = {
            "bind": f"{self._config.host}:{self._config.port}",
            "workers": self._config.workers,
            "worker_class": "sync",
            "timeout": 30,
            "graceful_timeout": 10,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "nose-twitch",
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app


def run(config: SkillConfig) -> int:
    if config.dev:
        print(DEV_WARNING, file=sys.stderr)
    server = SkillServer(config)  # loads and checks the content first: no "listening" for a failed start
    print(
        f"Nose Twitch Guide listening on http://{config.host}:{config.port}{config.endpoint_path} "
        f"(health: /healthz, verification: {'OFF' if config.dev else 'on'})",
        file=sys.stderr,
        flush=True,
    )
    server.run()
    return 0
