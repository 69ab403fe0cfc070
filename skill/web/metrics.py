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

Label values come from requests, so each label keeps at most :data:`MAX_LABEL_VALUES` distinct
values and folds the rest into ``other``: a flood of made-up intent names cannot grow memory.

Under gunicorn the workers share the numbers through ``prometheus_client``'s multiprocess mode:
:func:`prepare_multiprocess_dir` creates (or empties) ``PROMETHEUS_MULTIPROC_DIR`` before anything
imports ``prometheus_client``, :func:`mark_worker_dead` is called when a worker exits, and a scrape
(:func:`exposition`) adds up every worker's file. ``prometheus_client`` is imported only when
metrics are on.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "MAX_LABEL_VALUES",
    "Metrics",
    "exposition",
    "mark_worker_dead",
    "prepare_multiprocess_dir",
    "start_metrics_server",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: Distinct values one label may take; more fold into "other".
MAX_LABEL_VALUES = 64
#: Latency buckets, seconds: a request here takes about a millisecond; Alexa gives up at 8 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 8.0)


def prepare_multiprocess_dir(env: dict[str, str] | None = None) -> str:
    """Make ``PROMETHEUS_MULTIPROC_DIR`` ready for a fresh server: created if missing, emptied of a
    previous run's files, and set in ``env`` (default ``os.environ``) for the workers to inherit.

    Without the variable, a new private temporary folder is made. Call it in the gunicorn master
    before the app (and so ``prometheus_client``) is loaded.
    """
    env = os.environ if env is None else env
    path = env.get(MULTIPROC_ENV) or tempfile.mkdtemp(prefix="nose-twitch-metrics-")
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):  # only prometheus_client's files: the folder may hold others
            entry = os.path.join(path, name)
            if os.path.isdir(entry):
                shutil.rmtree(entry, ignore_errors=True)
            else:
                os.unlink(entry)
    env[MULTIPROC_ENV] = path
    return path


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


def start_metrics_server(host: str, port: int) -> Any:
    """Serve every worker's metrics on ``host:port`` from a daemon thread (the gunicorn master)."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr=host, registry=_registry())
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
    they live in their own registry, under gunicorn in the shared multiprocess folder."""

    def __init__(self) -> None:
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
        self._type, self._intent, self._level, self._locale, self._reason = (_BoundedLabel() for _ in range(5))
        # The labelled children, looked up once per label combination (labels() is the costly part).
        self._children: dict[tuple[str, ...], Any] = {}

    def _child(self, key: tuple[str, ...], make: Callable[[], Any]) -> Any:
        child = self._children.get(key)
        if child is None:
            child = make()
            if len(self._children) < 4 * MAX_LABEL_VALUES * MAX_LABEL_VALUES:
                self._children[key] = child
        return child

    def record(self, fields: Mapping[str, Any], status: int, seconds: float) -> None:
        """Count one response from its access-log fields."""
        rtype = self._type(str(fields.get("type", "none")))
        intent = self._intent(str(fields.get("intent", "none")))
        self._child(("r", rtype, intent, str(status)),
                    lambda: self._requests.labels(rtype, intent, str(status))).inc()
        level = fields.get("disposition")
        if level is not None:
            level, locale = self._level(str(level)), self._locale(str(fields.get("locale", "none")))
            self._child(("o", level, locale), lambda: self._outcomes.labels(level, locale)).inc()
        error = fields.get("error")
        if isinstance(error, str) and error.startswith("verification:"):
            reason = self._reason(error.partition(":")[2])
            self._child(("v", reason), lambda: self._verification_failures.labels(reason)).inc()
        self._latency.observe(seconds)

    def scrape(self) -> tuple[bytes, str]:
        return exposition(self.registry)

