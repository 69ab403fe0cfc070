"""Production server (web transport): the Flask app under gunicorn, tunable the way gunicorn is.

The project's settings (:func:`gunicorn_settings`, from :class:`~skill.config.SkillConfig`) are
the defaults; gunicorn's own configuration overrides them, in gunicorn's order:

1. a config file: ``--gunicorn-config`` (``-c``) of ``nose-twitch serve``, else ``--config`` in
   ``GUNICORN_CMD_ARGS``, else ``./gunicorn.conf.py`` if there is one;
2. ``GUNICORN_CMD_ARGS`` (any gunicorn command-line setting: ``--bind``, ``--workers``,
   ``--timeout``, ``--graceful-timeout``, ``--access-logfile``, ...).

The server's own hooks (metrics on their port, marking exited workers for the metrics) are
chained with any the config file sets, never replaced by them. SIGTERM is gunicorn's graceful
shutdown: workers stop accepting, finish the request in hand, and the master exits 0
(``graceful_timeout`` bounds the wait). Connections the kernel has queued but no worker has taken
yet are reset when the workers exit; SIGHUP (a reload) replaces the workers on the same listening
socket and drops nothing.

Why these defaults:

* ``timeout`` 10 s: Alexa gives up on an answer after 8 s, so a request still running at 10 s is
  lost anyway; a worker stuck that long is killed and replaced (and its request answered with a
  JSON 503 by :class:`~skill.web.worker.SkillSyncWorker`) instead of holding a third of the capacity
  for gunicorn's default 30 s. It must stay above ``SKILL_CERT_TIMEOUT`` (at most 8 s), so a
  certificate download always gives up before the worker is killed; :func:`check_gunicorn_settings`
  refuses anything else at start.
* sync workers, behind a buffering proxy: a sync worker reads one request at a time, so a client
  that sends its headers or body slowly holds a whole worker. nginx and Caddy (``docs/deploy/``)
  read the whole request before passing it on, so the workers only ever see complete requests.
"""

from __future__ import annotations

import gc
import logging
import os
import shlex
import sys
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import Application
from gunicorn.config import get_default_config_file
from gunicorn.glogging import Logger as GunicornLogger

from skill.config import ConfigError, SkillConfig
from skill.web.logs import JsonLineFormatter, configure_logging

log = logging.getLogger("skill.server")

#: A WSGI callable: ``app(environ, start_response) -> iterable of bytes``.
WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

DEV_WARNING = (
    "WARNING: development mode. Request signatures and timestamps are NOT checked. "
    "Anyone who can reach this port can talk to the skill. Never expose it to the internet."
)

#: Hooks the server relies on; a config file's own hooks of these names run after ours.
_OWN_HOOKS = ("on_starting", "when_ready", "child_exit")
#: The worker class that answers gunicorn's own rejections (bad request lines, oversized headers,
#: a worker timeout) with a JSON error, an access line and a metric, like every other response.
WORKER_CLASS = "skill.web.worker.SkillSyncWorker"
#: gunicorn's worker timeout, seconds (see the module docstring for why 10).
WORKER_TIMEOUT_S = 10


class SkillGunicornLogger(GunicornLogger):
    """gunicorn's logger with the skill's line format, so its own lines (workers booting, signals,
    shutdown) carry the same UTC time, level and pid. Its access log, if turned on with
    ``--access-logfile``, keeps gunicorn's format (``--access-logformat``)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonLineFormatter())


def gunicorn_settings(config: SkillConfig) -> dict[str, Any]:
    """The project's gunicorn settings: the defaults gunicorn's own configuration overrides."""
    return {
        "bind": [f"{config.host}:{config.port}"],
        "workers": config.workers,
        "worker_class": WORKER_CLASS,
        "timeout": WORKER_TIMEOUT_S,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,  # the app writes its own access line, with safe fields only
        "errorlog": "-",
        "loglevel": config.log_level.lower(),
        "logger_class": SkillGunicornLogger,
        "proc_name": "nose-twitch",
        # gunicorn 27+ opens a control socket in $HOME by default; every server on a host would share
        # (and unlink) the same one. Off unless a config file turns it back on.
        "control_socket_disable": True,
    }


def check_gunicorn_settings(config: SkillConfig, cfg: Any) -> None:
    """gunicorn's settings as they end up (after a config file and ``GUNICORN_CMD_ARGS``), checked.

    :raises ConfigError: a setting that would make every request hang or fail, with how to fix it
    """
    if cfg.workers < 1:
        raise ConfigError(
            f"gunicorn workers must be at least 1, got {cfg.workers} (from --workers, WORKERS, GUNICORN_CMD_ARGS "
            "or a config file): with no worker nothing answers"
        )
    if not cfg.timeout > config.cert_fetch_timeout:
        raise ConfigError(
            f"gunicorn timeout must be more than SKILL_CERT_TIMEOUT ({config.cert_fetch_timeout:g} s) so a certificate "
            f"download gives up before the worker is killed, got {cfg.timeout} (0 means never); "
            f"the default is {WORKER_TIMEOUT_S}"
        )
    if not cfg.graceful_timeout > 0:
        raise ConfigError(f"gunicorn graceful_timeout must be at least 1 second, got {cfg.graceful_timeout}")


def server_hooks(config: SkillConfig) -> dict[str, Callable[..., Any]]:
    """The hooks the server needs: check gunicorn's final settings before it binds, say where it
    listens once it does (and serve the metrics port), and mark exited workers dead for the metrics."""
    hooks: dict[str, Callable[..., Any]] = {}

    def on_starting(arbiter: Any) -> None:
        try:
            check_gunicorn_settings(config, arbiter.cfg)
        except ConfigError as exc:
            log.critical("Not starting: %s", exc)
            sys.exit(2)
        worker_class = getattr(arbiter.cfg, "worker_class_str", WORKER_CLASS)
        if worker_class != WORKER_CLASS:
            log.warning(
                "worker class %s: gunicorn's own rejections (malformed requests, worker timeouts) get its HTML "
                "pages and no access line; %s answers them with JSON", worker_class, WORKER_CLASS,
            )

    hooks["on_starting"] = on_starting
    if config.metrics_enabled:
        from skill.web.metrics import mark_worker_dead

        hooks["child_exit"] = lambda _server, worker: mark_worker_dead(worker.pid)
    metrics_host, metrics_port = config.metrics_host or config.host, config.metrics_port

    def when_ready(arbiter: Any) -> None:
        metrics = f", metrics: {config.metrics_path}" if config.metrics_path else ""
        if metrics_port is not None:
            from skill.web.metrics import start_metrics_server

            try:
                start_metrics_server(metrics_host, metrics_port)
            except OSError as exc:  # the port is taken, or the address is not this host's
                arbiter.halt(f"cannot serve metrics on {metrics_host}:{metrics_port}: {exc.strerror or exc}", 2)
            metrics = f", metrics: http://{metrics_host}:{metrics_port}/metrics"
        where = ", ".join(f"{listener}{config.endpoint_path}" for listener in arbiter.LISTENERS)
        log.info(
            "Nose Twitch Guide listening on %s (health: /healthz, verification: %s, workers: %s%s)",
            where, "OFF" if config.dev else "on", arbiter.cfg.workers, metrics,
        )

    hooks["when_ready"] = when_ready
    return hooks


def _chain(ours: Callable[..., Any], theirs: Callable[..., Any]) -> Callable[..., Any]:
    """One hook calling ours, then the config file's (gunicorn checks a hook's arity: 1 or 2)."""
    if _arity(ours) == 1:

        def hook1(server: Any) -> None:
            ours(server)
            theirs(server)

        return hook1

    def hook2(server: Any, worker: Any) -> None:
        ours(server, worker)
        theirs(server, worker)

    return hook2


def _arity(function: Callable[..., Any]) -> int:
    import inspect

    return len(inspect.signature(function).parameters)


class SkillServer(Application):
    """gunicorn, embedded: the app is built in the parent and shared by forked workers.

    ``app`` serves a prebuilt WSGI app under the same settings (the benchmarks pass the skill
    with test verifiers, and other apps to compare with); by default it is ``create_app(config)``.
    ``config_file`` is a gunicorn config file (a path, or ``python:module``); ``env`` the
    environment ``GUNICORN_CMD_ARGS`` is read from (default ``os.environ``).
    """

    def __init__(
        self,
        config: SkillConfig,
        app: WSGIApplication | None = None,
        *,
        config_file: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self._config = config
        self._config_file = config_file
        self._env = os.environ if env is None else env
        if config.metrics_enabled:
            from skill.web.metrics import prepare_multiprocess_dir

            # Before the app (and so prometheus_client) is built: the workers inherit the folder.
            prepare_multiprocess_dir()
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
        hooks = server_hooks(self._config)
        for key, value in {**gunicorn_settings(self._config), **hooks}.items():
            if key in self.cfg.settings:  # a setting this gunicorn version does not have is left out
                self.cfg.set(key, value)
        parser = self.cfg.parser()
        env_args = parser.parse_args(shlex.split(self._env.get("GUNICORN_CMD_ARGS", "")))
        config_file = self._config_file or env_args.config or get_default_config_file()
        if config_file:
            self.load_config_from_module_name_or_filename(config_file)
        for key, value in vars(env_args).items():
            if value is not None and key not in ("args", "config"):
                self.cfg.set(key.lower(), value)
        for name, ours in hooks.items():
            theirs = self.cfg.settings[name].get()
            if theirs is not ours:
                self.cfg.set(name, _chain(ours, theirs))

    def load(self) -> WSGIApplication:
        return self._app


def run(config: SkillConfig, gunicorn_config: str | None = None) -> int:
    configure_logging(config.log_level)
    if config.dev:
        log.warning(DEV_WARNING)
    SkillServer(config, config_file=gunicorn_config).run()
    return 0
