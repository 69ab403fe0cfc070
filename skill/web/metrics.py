"""Prometheus metrics (web transport): what an on-call engineer needs, and no personal data.

Counted per response, from the same safe fields the access log line carries:

* ``nose_twitch_requests_total{type, intent, status}``: every response (``type`` and ``intent``
  are ``none`` for requests that are not Alexa envelopes, such as a 404);
* ``nose_twitch_outcomes_total{level, locale}``: symptom-check dispositions and emergency
  routings (``level="emergency"``), from what handlers record with
  ``skill.alexa.context.note(handler_input, disposition=...)``; never slot values or answers;
* ``nose_twitch_verification_failures_total{reason}``: rejected requests, by the verifier's
  reason code (``signature_invalid``, ``timestamp_too_old``, ...);
* ``nose_twitch_request_duration_seconds``: a latency histogram.

Labels are bounded and cannot be chosen by an unverified caller: ``intent`` is one of the
interaction model's intent names, and only for a request that passed verification (anything else
is ``other``, or ``none`` without an intent); ``type`` is one of the request types the SDK knows;
``locale`` one the content has; ``reason`` and ``level`` are the skill's own codes. A flood of
made-up names cannot grow memory or push real intents out.

Under gunicorn the workers share the numbers through ``prometheus_client``'s multiprocess mode:
:func:`prepare_multiprocess_dir` checks, creates (or empties) ``PROMETHEUS_MULTIPROC_DIR`` before
anything imports ``prometheus_client``, :func:`mark_worker_dead` is called when a worker exits, and
a scrape (:func:`exposition`) adds up every worker's file. ``prometheus_client`` is imported only
when metrics are on.

Metrics can never take the service down. prometheus_client writes through ``mmap``: on a full file
system the first write to a new page kills the process with SIGBUS, which no ``except`` can catch.
So the folder's free space is checked before the metric files are made and before every write;
below :data:`MIN_FREE_BYTES` the metrics are *degraded* (nothing more is written, one ERROR line
says why, ``/healthz`` says ``"metrics": "degraded: ..."``) and every request is still answered.
They resume once there is room again. Any other failure to write degrades them for good (until
the next start).

The metrics port (:func:`start_metrics_server`) serves ``/metrics`` only, with a timeout on each
connection and at most :data:`METRICS_MAX_CONNECTIONS` at once.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import socketserver
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from skill.alexa.replies.fallback import KNOWN_REQUEST_TYPES
from skill.config import ConfigError

__all__ = [
    "MAX_LABEL_VALUES",
    "METRICS_MAX_CONNECTIONS",
    "MIN_FREE_BYTES",
    "Metrics",
    "exposition",
    "free_bytes",
    "intent_names",
    "mark_worker_dead",
    "prepare_multiprocess_dir",
    "start_metrics_server",
]

log = logging.getLogger("skill.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: Distinct values a label that has no fixed list may take; more fold into "other".
MAX_LABEL_VALUES = 64
#: Free space the metrics folder must keep. A worker's files take a few pages (about 8 KiB) and
#: grow by a page now and then; a request writes at most a few pages. Below this, metrics are
#: degraded instead of risking a SIGBUS.
MIN_FREE_BYTES = 4 * 1024 * 1024
#: Connections the metrics port serves at once; more are closed at once.
METRICS_MAX_CONNECTIONS = 8
#: Seconds a metrics connection may stay silent before it is dropped.
METRICS_TIMEOUT = 5.0
#: Latency buckets, seconds: a request here takes about a millisecond; Alexa gives up at 8 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 8.0)


def prepare_multiprocess_dir(env: dict[str, str] | None = None) -> str:
    """Make ``PROMETHEUS_MULTIPROC_DIR`` ready for a fresh server: created if missing, checked to be
    a folder this user can write, emptied of a previous run's files, and set in ``env`` (default
    ``os.environ``) for the workers to inherit.

    Without the variable, a new private temporary folder is made. Call it in the gunicorn master
    before the app (and so ``prometheus_client``) is loaded.

    :raises ConfigError: the folder cannot be made or written, saying how to fix it
    """
    env = os.environ if env is None else env
    path = env.get(MULTIPROC_ENV) or tempfile.mkdtemp(prefix="nose-twitch-metrics-")
    fix = (f"point {MULTIPROC_ENV} at a folder the server's user can write (the systemd unit uses its "
           "RuntimeDirectory, /run/nose-twitch/metrics), or turn metrics off")
    if os.path.lexists(path) and not os.path.isdir(path):
        raise ConfigError(f"{MULTIPROC_ENV}={path} is not a folder: {fix}")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{MULTIPROC_ENV}={path} cannot be created ({exc.strerror or exc}): {fix}") from None
    try:
        handle, probe = tempfile.mkstemp(prefix=".write-check-", dir=path)
        os.close(handle)
        os.unlink(probe)
        for name in os.listdir(path):
            if name.endswith(".db"):  # only prometheus_client's files: the folder may hold others
                entry = os.path.join(path, name)
                if os.path.isdir(entry):
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    os.unlink(entry)
    except OSError as exc:
        raise ConfigError(f"{MULTIPROC_ENV}={path} cannot be written ({exc.strerror or exc}): {fix}") from None
    env[MULTIPROC_ENV] = path
    return path


def free_bytes(path: str) -> int | None:
    """Bytes an unprivileged process may still write below ``path``; None if it cannot be told."""
    try:
        stat = os.statvfs(path)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def intent_names(model_dir: Path) -> frozenset[str]:
    """Every intent name in the interaction models below ``model_dir`` (empty if there are none)."""
    names: set[str] = set()
    for path in sorted(Path(model_dir).glob("*.json")):
        try:
            model = json.loads(path.read_text(encoding="utf-8"))
            intents = model["interactionModel"]["languageModel"]["intents"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        names.update(i["name"] for i in intents if isinstance(i, dict) and isinstance(i.get("name"), str))
    return frozenset(names)


def mark_worker_dead(pid: int) -> None:
    """Tell ``prometheus_client`` a worker has exited (gunicorn's ``child_exit`` hook)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def _registry(own: Any = None) -> Any:
    """What a scrape reads: every worker's files in multiprocess mode, else ``own``."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import CollectorRegistry, multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return own


def exposition(own_registry: Any = None) -> tuple[bytes, str]:
    """The metrics in Prometheus text format, and their content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return generate_latest(_registry(own_registry)), CONTENT_TYPE_LATEST


class _QuietHandler(WSGIRequestHandler):
    """One metrics connection: dropped after :data:`METRICS_TIMEOUT` seconds of silence, never logged
    (wsgiref would write a plain-text line per scrape)."""

    timeout = METRICS_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class _MetricsServer(socketserver.ThreadingMixIn, WSGIServer):
    """A thread per connection, at most ``max_connections`` of them: the rest are closed at once."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64  # accepted and closed at once when over the limit, not left in the backlog

    def __init__(self, address: tuple[str, int], max_connections: int, family: int) -> None:
        self.address_family = family
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, _QuietHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A dropped idle connection or a client gone: socketserver would print a plain-text
        # traceback into the JSON log stream.
        log.debug("metrics connection ended with an error", exc_info=True)


def _metrics_only(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            body = b"Not found: the metrics are at /metrics\n"
            start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)

    return serve


def start_metrics_server(host: str, port: int, max_connections: int = METRICS_MAX_CONNECTIONS) -> Any:
    """Serve every worker's metrics at ``http://host:port/metrics`` from a daemon thread (the gunicorn
    master): a timeout on each connection, at most ``max_connections`` at once."""
    from prometheus_client import make_wsgi_app

    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    server = _MetricsServer((host, port), max_connections, family)
    server.set_app(_metrics_only(make_wsgi_app(_registry())))
    threading.Thread(target=server.serve_forever, name="metrics-port", daemon=True).start()
    return server


class _BoundedLabel:
    """A label's values as seen so far: at most ``limit`` distinct ones, the rest are "other"."""

    __slots__ = ("_known", "_limit")

    def __init__(self, limit: int = MAX_LABEL_VALUES) -> None:
        self._known: set[str] = set()
        self._limit = limit

    def __call__(self, value: str) -> str:
        if value in self._known:
            return value
        if len(self._known) >= self._limit:
            return "other"
        self._known.add(value)
        return value


class Metrics:
    """The skill's metrics for one app. Built per app (no module-level state); in a single process
    they live in their own registry, under gunicorn in the shared multiprocess folder.

    ``intents`` are the names an ``intent`` label may take (the interaction models'; None: any,
    bounded by :data:`MAX_LABEL_VALUES`); ``locales`` likewise for ``locale``. ``folder`` is where
    the values are written (default: ``PROMETHEUS_MULTIPROC_DIR``, if set); its free space is
    checked before anything is written there.
    """

    def __init__(
        self,
        intents: Iterable[str] | None = None,
        locales: Iterable[str] | None = None,
        folder: str | None = None,
    ) -> None:
        self._intents = frozenset(intents) if intents is not None else None
        self._locales = frozenset(locales) if locales is not None else None
        self._folder = folder if folder is not None else (os.environ.get(MULTIPROC_ENV) or None)
        self._degraded: str | None = None
        self._for_good = False
        self._log_lock = threading.Lock()
        self._type, self._intent, self._level, self._locale, self._reason = (_BoundedLabel() for _ in range(5))
        # The labelled children, looked up once per label combination (labels() is the costly part).
        self._children: dict[tuple[str, ...], Any] = {}
        self.registry: Any = None
        if not self._has_room():
            # Making the metric files would itself write to the folder: degrade before any write.
            self._degrade(self._no_room(), for_good=True)
            return
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry()
        reg = self.registry
        self._requests = Counter(
            "nose_twitch_requests", "Responses, by Alexa request type, intent and HTTP status.",
            ("type", "intent", "status"), registry=reg,
        )
        self._outcomes = Counter(
            "nose_twitch_outcomes", "Symptom-check dispositions and emergency routings, by level and locale.",
            ("level", "locale"), registry=reg,
        )
        self._verification_failures = Counter(
            "nose_twitch_verification_failures", "Requests rejected by verification, by reason.",
            ("reason",), registry=reg,
        )
        self._latency = Histogram(
            "nose_twitch_request_duration_seconds", "Time from request to response, in seconds.",
            buckets=LATENCY_BUCKETS, registry=reg,
        )

    # --- health ----------------------------------------------------------------------------------

    def state(self) -> str:
        """``ok``, or ``degraded: <why>`` (for ``/healthz``)."""
        return "ok" if self._degraded is None else f"degraded: {self._degraded}"

    def _has_room(self) -> bool:
        if self._folder is None:
            return True
        free = free_bytes(self._folder)
        return free is None or free >= MIN_FREE_BYTES

    def _no_room(self) -> str:
        free = free_bytes(self._folder or ".") or 0
        return (f"{self._folder} has {free / 2**20:.1f} MiB free, below the {MIN_FREE_BYTES / 2**20:.0f} MiB "
                f"metrics need; requests are still answered, nothing more is counted")

    def _degrade(self, why: str, for_good: bool = False) -> None:
        with self._log_lock:
            first = self._degraded is None
            self._degraded = why
            self._for_good = self._for_good or for_good
        if first:
            log.error("Metrics degraded: %s", why)

    # --- counting --------------------------------------------------------------------------------

    def _child(self, key: tuple[str, ...], make: Callable[[], Any]) -> Any:
        child = self._children.get(key)
        if child is None:
            child = make()
            if len(self._children) < 4 * MAX_LABEL_VALUES * MAX_LABEL_VALUES:
                self._children[key] = child
        return child

    def record(self, fields: Mapping[str, Any], status: int, seconds: float | None) -> None:
        """Count one response from its access-log fields; never raises."""
        if self._degraded is not None:
            if self._for_good or not self._has_room():
                return
            self._degraded = None
            log.warning("Metrics resumed: %s has room again", self._folder)
        elif not self._has_room():
            self._degrade(self._no_room())
            return
        try:
            self._record(fields, status, seconds)
        except Exception as exc:  # noqa: BLE001 - counting must never cost the answer
            self._degrade(f"writing a metric failed ({type(exc).__name__}); restart to count again", for_good=True)

    def _record(self, fields: Mapping[str, Any], status: int, seconds: float | None) -> None:
        error = fields.get("error")
        failed_verification = isinstance(error, str) and error.startswith("verification:")
        raw_type = fields.get("type")
        rtype = "none" if raw_type is None else (raw_type if raw_type in KNOWN_REQUEST_TYPES else "other")
        raw_intent = fields.get("intent")
        if raw_intent is None:
            intent = "none"
        elif failed_verification:
            intent = "other"  # an unverified caller chooses no label value
        elif self._intents is not None:
            intent = raw_intent if raw_intent in self._intents else "other"
        else:
            intent = self._intent(str(raw_intent))
        code = str(status)
        self._child(("r", rtype, intent, code), lambda: self._requests.labels(rtype, intent, code)).inc()
        level = fields.get("disposition")
        if level is not None and not failed_verification:
            raw_locale = fields.get("locale")
            if self._locales is not None:
                locale = raw_locale if raw_locale in self._locales else "other"
            else:
                locale = self._locale(str(raw_locale or "none"))
            level = self._level(str(level))
            self._child(("o", level, locale), lambda: self._outcomes.labels(level, locale)).inc()
        if failed_verification:
            reason = self._reason(error.partition(":")[2])
            self._child(("v", reason), lambda: self._verification_failures.labels(reason)).inc()
        if seconds is not None:
            self._latency.observe(seconds)

    def scrape(self) -> tuple[bytes, str]:
        return exposition(self.registry)
