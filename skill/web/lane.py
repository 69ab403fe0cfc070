"""The Alexa POST (web transport): the one path a request to the endpoint takes, and the response log.

:class:`AlexaLane` is WSGI middleware in front of the Flask app. Every POST to the endpoint is
answered here: the body is read (a declared length, or a chunked body the server terminates,
within the limit), handed to :class:`~skill.web.webhook.AlexaWebhook`, and the answer written
without Flask's per-request context, routing and response objects (a large share of a request's
cost). Everything else (``/healthz``, ``/metrics``, other methods and paths) goes to Flask
(:mod:`skill.web.app`).

:class:`ResponseLog` writes the access line and counts the metrics of one response; the lane, the
Flask app and gunicorn's worker (:mod:`skill.web.worker`) all call the same object, so every
response gets exactly one line and one count, whatever answered it.

No failure is a bare 500: a body the server cannot read is a JSON 400, a body over the limit a JSON
413, and anything unforeseen a JSON 500 with its access line, its metric and a traceback (without
the exception's text, which may quote the request) at ERROR.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_input_stream

from skill.web.logs import AccessRecord, safe_traceback
from skill.web.metrics import Metrics
from skill.web.webhook import AlexaWebhook, error_body

__all__ = ["AlexaLane", "ResponseLog", "http_error_body", "internal_error_body", "read_capped"]

access_log = logging.getLogger("skill.access")
log = logging.getLogger("skill.web")

#: Verification failures that mean the service itself cannot verify anything (every request will
#: fail the same way): logged at ERROR; any other verification failure is one bad request (WARNING).
SERVICE_FAILURES = frozenset({"verification:cert_fetch_failed", "verification:trust_store_unavailable"})
#: The methods an access line names; any other is "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def http_error_body(exc: HTTPException) -> tuple[int, bytes]:
    """A werkzeug HTTP error as this app answers it: its code and a JSON error body."""
    return exc.code or 500, error_body(http_error_code(exc), exc.description or exc.name)


def http_error_code(exc: HTTPException) -> str:
    """The error code of a werkzeug HTTP error: its name, as ``not_found``."""
    return (exc.name or "error").lower().replace(" ", "_")


def internal_error_body() -> bytes:
    return error_body("internal_error", "The server could not answer this request.")


def read_capped(stream: Any, limit: int) -> bytes | None:
    """A body of unknown length (chunked) read to its end, or None once it passes ``limit`` bytes.

    Only for a stream the server terminates (``wsgi.input_terminated``), as gunicorn's is.
    """
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(64 * 1024, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None


class ResponseLog:
    """Writes the access line and counts the metrics of one response; the one place both happen.

    A line holds only allow-listed fields: the webhook's (request id, type, intent, locale,
    disposition level, handler, error code), status, latency, method and route. Routes other
    than the app's own are logged as "other", so a probe's path never reaches the log.

    The level says how loud the failure is: a 5xx, or a verification failure that means the
    service cannot verify anything (the certificate chain could not be downloaded), is ERROR;
    any other verification failure is WARNING; everything else INFO. Counting never takes the
    response down: metrics that cannot be written are degraded (see :class:`Metrics`).
    """

    def __init__(self, verification_state: str, routes: frozenset[str], metrics: Metrics | None = None) -> None:
        self._verification = verification_state
        self._routes = routes
        self.metrics = metrics

    def __call__(
        self,
        fields: dict[str, Any],
        status: int,
        started: float | None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        seconds = None if started is None else time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.record(fields, status, seconds)
        error = fields.get("error")
        if status >= 500 or error in SERVICE_FAILURES:
            level = logging.ERROR
        elif isinstance(error, str) and error.startswith("verification:"):
            level = logging.WARNING
        else:
            level = logging.INFO
        if access_log.isEnabledFor(level):
            line = {"verification": self._verification, **fields}
            if seconds is not None:
                line["latency_ms"] = round(seconds * 1000, 2)
            line["status"] = status
            if method is not None:
                line["method"] = method if method in METHODS else "other"
                line["route"] = path if path in self._routes else "other"
            access_log.log(level, AccessRecord(line))


class AlexaLane:
    """WSGI middleware: every POST to ``path`` is answered here; everything else goes to ``wsgi_app``."""

    def __init__(
        self,
        wsgi_app: Callable[..., Iterable[bytes]],
        webhook: AlexaWebhook,
        path: str,
        max_body_bytes: int,
        log_response: ResponseLog,
    ) -> None:
        self._next = wsgi_app
        self._webhook = webhook
        self._path = path
        self._max = max_body_bytes
        self._log = log_response

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != self._path:
            return self._next(environ, start_response)  # Flask answers, and logs, the rest
        started = time.perf_counter()
        called: list[bool] = []

        def tracked_start_response(*args: Any) -> Any:
            called.append(True)
            return start_response(*args)

        try:
            return self._serve(environ, tracked_start_response, started)
        except Exception as exc:  # noqa: BLE001 - whatever it was, the client gets JSON and it is logged
            return self._fail(environ, start_response, started, exc, headers_set=bool(called))

    def _serve(self, environ: dict[str, Any], start_response: Callable[..., Any], started: float) -> Iterable[bytes]:
        try:
            body = self._read_body(environ)
        except HTTPException as exc:  # over the limit (413), or shorter than its declared length (400)
            status, payload = http_error_body(exc)
            self._log({"error": http_error_code(exc)}, status, started, "POST", self._path)
            return self._respond(start_response, status, payload)
        except Exception:  # noqa: BLE001 - the server's body reader: a broken chunk, a client gone
            payload = error_body("body_unreadable", "The request body could not be read.")
            self._log({"error": "body_unreadable"}, 400, started, "POST", self._path)
            return self._respond(start_response, 400, payload)
        status, payload, fields = self._webhook.handle(body, environ.get("CONTENT_TYPE"), EnvironHeaders(environ))
        self._log(fields, status, started, "POST", self._path)
        return self._respond(start_response, status, payload)

    def _read_body(self, environ: dict[str, Any]) -> bytes:
        """The request body, read as werkzeug reads it; :class:`RequestEntityTooLarge` past the limit,
        :class:`ClientDisconnected` (a 400) when it ends before its declared length."""
        declared = environ.get("CONTENT_LENGTH") or ""
        if declared.isascii() and declared.isdigit():  # the common case: a plain length
            length = int(declared)
            if length > self._max:
                raise RequestEntityTooLarge()
            body = environ["wsgi.input"].read(length) if length else b""
            if len(body) != length:
                raise ClientDisconnected()
            return body
        if not declared and environ.get("wsgi.input_terminated"):  # chunked, ended by the server
            body = read_capped(environ["wsgi.input"], self._max)
            if body is None:
                raise RequestEntityTooLarge()
            return body
        # No length and no end (an empty body, as werkzeug reads it), or an odd one (" 12", "-1").
        return get_input_stream(environ, max_content_length=self._max).read()

    def _fail(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        started: float,
        exc: Exception,
        headers_set: bool = False,
    ) -> list[bytes]:
        """A JSON 500, its access line and its metric, and the traceback at ERROR (without the
        exception's text, which may quote the request)."""
        log.error("Error answering POST %s: %s", self._path, type(exc).__name__, extra={"trace": safe_traceback(exc)})
        self._log({"error": type(exc).__name__}, 500, started, "POST", self._path)
        payload = internal_error_body()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        if headers_set:  # WSGI: replacing a status already set takes the exception (re-raised if sent)
            start_response(status_line(500), headers, sys.exc_info())
        else:
            start_response(status_line(500), headers)
        return [payload]

    @staticmethod
    def _respond(start_response: Callable[..., Any], status: int, payload: bytes) -> list[bytes]:
        start_response(
            _STATUS_LINES.get(status) or status_line(status),
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]


def status_line(code: int) -> str:
    """The status line as werkzeug writes it ("400 BAD REQUEST"), so the lane and Flask send the same."""
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


_STATUS_LINES = {code: status_line(code) for code in (200, 400, 413, 415)}
