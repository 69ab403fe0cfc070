"""Production server (web transport): gunicorn with the project's config module, tunable the way gunicorn is.

There is one way to run the skill in production::

    gunicorn -c python:skill.web.gunicorn_conf skill.web.wsgi:app

and ``nose-twitch serve`` is exactly that (:func:`run`): gunicorn's own runner, in the same
process, with the flags passed to :mod:`skill.web.gunicorn_conf` and :mod:`skill.web.wsgi` through
the environment (``--port`` is ``PORT``, ``--dev`` is ``SKILL_DEV=1``, ...). The project's settings
(:func:`gunicorn_settings`, from :class:`~skill.config.SkillConfig`) are the defaults; gunicorn's
own configuration overrides them, in gunicorn's order:

1. a config file: ``--gunicorn-config`` (``-c``) of ``nose-twitch serve``, else ``--config`` in
   ``GUNICORN_CMD_ARGS``, else ``./gunicorn.conf.py`` if there is one (:func:`team_config_file`).
   The project's config module takes gunicorn's one ``-c`` itself, so serve names the file in
   ``SKILL_GUNICORN_CONFIG`` and the config module reads it on top of its own settings
   (:func:`team_settings`);
2. ``GUNICORN_CMD_ARGS`` (any gunicorn command-line setting: ``--bind``, ``--workers``,
   ``--timeout``, ``--graceful-timeout``, ``--access-logfile``, ...).

The server's own hooks (metrics on their port, marking exited workers for the metrics) are
chained with any the config file sets, never replaced by them. The app is built once, in the
master, before any worker starts (``preload_app``): content errors surface before anything binds,
and the forked workers share its memory. SIGTERM is gunicorn's graceful
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
import importlib
import importlib.util
import inspect
import logging
import os
import shlex
import sys
from collections.abc import Callable, Mapping
from typing import Any

from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.config import Config, get_default_config_file
from gunicorn.glogging import Logger as GunicornLogger

from skill.config import ConfigError, SkillConfig
from skill.web.logs import JsonLineFormatter
from skill.web.metrics import mark_worker_dead, prepare_multiprocess_dir, start_metrics_server

log = logging.getLogger("skill.server")

DEV_WARNING = (
    "WARNING: development mode. Request signatures and timestamps are NOT checked. "
    "Anyone who can reach this port can talk to the skill. Never expose it to the internet."
)

#: The production app and the project's gunicorn config: what ``nose-twitch serve`` runs.
APP = "skill.web.wsgi:app"
CONFIG_MODULE = "python:skill.web.gunicorn_conf"
#: Where ``nose-twitch serve --gunicorn-config FILE`` leaves FILE for the project's config module.
TEAM_CONFIG_ENV = "SKILL_GUNICORN_CONFIG"
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
        # The app is built once, in the master: content errors stop the server before it binds, and
        # the workers it forks share the built app's pages.
        "preload_app": True,
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
        hooks["child_exit"] = lambda _server, worker: mark_worker_dead(worker.pid)
    metrics_host, metrics_port = config.metrics_host or config.host, config.metrics_port

    def when_ready(arbiter: Any) -> None:
        # Everything built so far (modules, the preloaded app, content, compiled plans) lives as long
        # as the process: keep the collector from scanning it on every full collection, and from
        # touching (and so copying) the pages the forked workers share with this master.
        gc.collect()
        gc.freeze()
        metrics = f", metrics: {config.metrics_path}" if config.metrics_path else ""
        if metrics_port is not None:
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


def team_config_file(flag: str | None, env: Mapping[str, str]) -> str | None:
    """The team's own gunicorn config file for ``nose-twitch serve``, in gunicorn's order: the
    ``--gunicorn-config`` flag, else ``--config`` in ``GUNICORN_CMD_ARGS``, else ``./gunicorn.conf.py``
    if there is one; None for none."""
    if flag:
        return flag
    env_args = Config().parser().parse_args(shlex.split(env.get("GUNICORN_CMD_ARGS", "")))
    return env_args.config or get_default_config_file()


def team_settings(location: str, ours: Mapping[str, Any]) -> dict[str, Any]:
    """The gunicorn settings a team's config file (a path, or ``python:module``) sets, read as
    gunicorn reads a config file; its hooks named in :data:`_OWN_HOOKS` run after ``ours``."""
    if location.startswith("python:"):
        namespace = vars(importlib.import_module(location[len("python:"):]))
    else:
        filename = location[len("file:"):] if location.startswith("file:") else location
        if not os.path.exists(filename):
            raise ConfigError(f"the gunicorn config file {filename!r} does not exist")
        spec = importlib.util.spec_from_file_location("__config__", filename)
        if spec is None or spec.loader is None:
            raise ConfigError(f"the gunicorn config file {filename!r} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - the team's file: whatever it raised, say so in one line
            raise ConfigError(f"the gunicorn config file {filename!r} cannot be read: {type(exc).__name__}: {exc}") from None
        namespace = vars(module)
    known = Config().settings
    settings = {name: value for name, value in namespace.items() if name in known}
    for name in _OWN_HOOKS:
        # A file that starts with ``from skill.web.gunicorn_conf import *`` has ours already.
        if name in settings and name in ours and settings[name] is not ours[name]:
            settings[name] = _chain(ours[name], settings[name])
    return settings


def _chain(ours: Callable[..., Any], theirs: Callable[..., Any]) -> Callable[..., Any]:
    """One hook calling ours, then the config file's (gunicorn checks a hook's arity: 1 or 2)."""
    if len(inspect.signature(ours).parameters) == 1:

        def hook1(server: Any) -> None:
            ours(server)
            theirs(server)

        return hook1

    def hook2(server: Any, worker: Any) -> None:
        ours(server, worker)
        theirs(server, worker)

    return hook2


def run(config: SkillConfig, environment: Mapping[str, str], gunicorn_config: str | None = None) -> int:
    """``nose-twitch serve``: ``gunicorn -c python:skill.web.gunicorn_conf skill.web.wsgi:app`` in this
    process, with ``environment`` (the serve flags, as the environment variables they stand for) set
    for the config module and the app, and the team's config file (:func:`team_config_file`) named
    in ``SKILL_GUNICORN_CONFIG``. ``config`` is the configuration they make, already checked.

    :raises ConfigError: the metrics folder cannot be prepared (checked here, so the refusal is
        the command's one line, before anything of gunicorn runs)
    """
    if config.metrics_enabled:
        # Before the app (and so prometheus_client) is built: the workers inherit the folder.
        prepare_multiprocess_dir()
    os.environ.update(environment)
    team = team_config_file(gunicorn_config, os.environ)
    if team:
        os.environ[TEAM_CONFIG_ENV] = team
    sys.argv[1:] = ["-c", CONFIG_MODULE, APP]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="nose-twitch serve").run()
    return 0
