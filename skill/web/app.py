"""Flask webhook (web transport): decode, verify, dispatch, map errors. Nothing else.

``create_app(config)`` builds the skill once. :class:`AlexaWebhook` is the endpoint without Flask:
the raw body (the signature covers those exact bytes) is checked to look like an Alexa envelope,
verified, turned into the SDK's model objects (by :class:`~skill.alexa.fastpath.FastSerializer`,
which falls back to the SDK's own deserializer for anything unusual) and handed to
``skill.invoke``. Failures map to JSON errors with 4xx codes; a failure inside the skill is the
skill's business and comes back as a spoken apology. The Flask route only reads the request and
calls the webhook; :class:`AlexaFastLane` does the same for the common case without Flask's
per-request machinery, and, in front of everything, writes one access log line (and, with
metrics on, counts) for every response, whatever answered it (the lane, the route, or Flask's
404, 405 and 413).

No failure is a bare 500: a body nested too deeply is a 400 found while parsing, a response the
skill cannot encode is the spoken apology, and anything unforeseen is a JSON 500 with its access
line, its metric and a traceback (without the exception's text, which may quote the request) at
ERROR. gunicorn's own rejections (a malformed request line or header, a worker timeout) get the
same JSON, line and metric from :class:`skill.web.worker.SkillSyncWorker`.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import ResponseEnvelope
from flask import Flask, Response, request
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from skill.alexa.builder import build_skill
from skill.alexa.context import InvocationContext
from skill.alexa.fallback import KNOWN_REQUEST_TYPES, apology_response
from skill.alexa.fastpath import FastSerializer
from skill.alexa.resources import SkillResources
from skill.config import SkillConfig
from skill.domain.content import Content, ContentStore
from skill.web.logs import AccessRecord, safe_traceback

if TYPE_CHECKING:
    from skill.web.metrics import Metrics
    from skill.web.verification import AbstractVerifier

access_log = logging.getLogger("skill.access")
log = logging.getLogger("skill.web")

__all__ = [
    "KNOWN_REQUEST_TYPES", "AlexaFastLane", "AlexaWebhook", "BadRequest", "ResponseLog", "create_app",
    "error_body", "parse_envelope",
]

#: Where the Flask route leaves the webhook's log fields for the access log line (in the WSGI environ).
LOG_FIELDS_KEY = "skill.log_fields"
#: Verification failures that mean the service itself cannot verify anything (every request will
#: fail the same way): logged at ERROR; any other verification failure is one bad request (WARNING).
SERVICE_FAILURES = frozenset({"verification:cert_fetch_failed", "verification:trust_store_unavailable"})
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class BadRequest(Exception):
    """The body is not an Alexa request envelope; ``code`` names what is wrong."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")


def json_error(status: int, code: str, message: str) -> Response:
    return Response(error_body(code, message), status=status, mimetype="application/json")


def http_error_body(exc: HTTPException) -> tuple[int, bytes]:
    """A werkzeug HTTP error as this app answers it: its code and a JSON error body."""
    code = (exc.name or "error").lower().replace(" ", "_")
    return exc.code or 500, error_body(code, exc.description or exc.name)


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


def _safe_locale(value: object) -> str | None:
    """A locale for logs and metrics ("en-US"); anything that does not look like one is "other"."""
    if not isinstance(value, str):
        return None
    return value if len(value) <= 8 and value.replace("-", "").isalnum() else "other"


def parse_envelope(body: bytes | str, content_type: str | None) -> dict[str, Any]:
    """The JSON object of an Alexa request, or :class:`BadRequest` saying why not."""
    if not body:
        raise BadRequest("empty_body", "The request body is empty.")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise BadRequest("unsupported_media_type", "Send the request as application/json.", 415)
    try:
        data = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("invalid_json", "The request body is not valid JSON.") from None
    except RecursionError:
        # json's decoder recurses once per level; an Alexa envelope is about ten levels deep.
        raise BadRequest("too_deeply_nested", "The request body is nested too deeply.") from None
    if not isinstance(data, dict):
        raise BadRequest("not_an_envelope", "The request body must be a JSON object.")
    req = data.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("type"), str) or not req["type"]:
        raise BadRequest("not_an_envelope", "The body is not an Alexa request envelope: request.type is missing.")
    for name in ("session", "context"):
        if name in data and data[name] is not None and not isinstance(data[name], dict):
            raise BadRequest("not_an_envelope", f"The envelope's {name} must be an object.")
    return data


class AlexaWebhook:
    """The endpoint without the web framework: raw body and headers in; status, JSON and log fields out.

    Verification runs on the exact bytes received; the envelope is deserialized only once every
    verifier has passed.
    """

    def __init__(
        self,
        skill: CustomSkill,
        verifiers: Sequence[AbstractVerifier],
        default_content: Content,
        serializer: FastSerializer | None = None,
    ) -> None:
        self.skill = skill
        # The cheap checks first: nothing is downloaded for a request a timestamp or skill id refuses.
        self.verifiers = tuple(sorted(verifiers, key=lambda v: bool(getattr(v, "needs_network", False))))
        self.serializer = serializer if serializer is not None else FastSerializer()
        self._default_content = default_content
        if self.verifiers:
            # cryptography is imported only where requests are verified.
            from skill.web.verification import VerificationError

            self._verification_error: type[Exception] = VerificationError
        else:
            self._verification_error = _NeverRaised

    def handle(self, body: bytes, content_type: str | None, headers: Mapping[str, str]) -> tuple[int, bytes, dict[str, Any]]:
        """Answer one request: ``(HTTP status, JSON body, safe access-log fields)``."""
        fields: dict[str, Any] = {}
        try:
            envelope = parse_envelope(body, content_type)
        except BadRequest as exc:
            fields["error"] = exc.code
            return exc.status, error_body(exc.code, exc.message), fields
        req = envelope["request"]
        fields["type"] = req["type"]
        if isinstance(req.get("requestId"), str):
            fields["request_id"] = req["requestId"][:120]
        intent = req.get("intent")
        if isinstance(intent, dict) and isinstance(intent.get("name"), str):
            fields["intent"] = intent["name"][:100]
        locale = _safe_locale(req.get("locale"))
        if locale is not None:
            fields["locale"] = locale
        try:
            for verifier in self.verifiers:
                verifier.verify(headers, body, envelope)
        except self._verification_error as exc:
            fields["error"] = f"verification:{exc.reason}"  # type: ignore[attr-defined]
            return 400, error_body("verification_failed", str(exc)), fields
        if req["type"] not in KNOWN_REQUEST_TYPES:
            fields["error"] = "unknown_request_type"
            return 200, EMPTY_RESPONSE_BYTES, fields
        serializer = self.serializer
        try:
            # The parsed envelope is reused; the SDK re-reads the body only if the fast path defers.
            request_envelope = serializer.request_envelope(envelope, body)
        except Exception:  # noqa: BLE001 - the SDK raises several types for malformed fields
            fields["error"] = "malformed_envelope"
            return 400, error_body("malformed_envelope", "The envelope has fields of the wrong type."), fields
        if request_envelope is None or request_envelope.request is None:
            fields["error"] = "unknown_request_type"
            return 200, serializer.dumps(ResponseEnvelope(version="1.0", response={})).encode("utf-8"), fields
        context = InvocationContext()
        try:
            response_envelope = self.skill.invoke(request_envelope=request_envelope, context=context)
            # Encoding is inside: a lone surrogate the skill echoes back cannot be UTF-8.
            payload = serializer.dumps(response_envelope).encode("utf-8")
        except Exception as exc:  # noqa: BLE001 - a skill failure is spoken, never a 500
            log.error("skill failure outside handlers: %s", type(exc).__name__)
            fields["error"] = type(exc).__name__
            payload = json.dumps(apology_response(self._default_content), ensure_ascii=False).encode("utf-8")
        fields.update(context.log)
        return 200, payload, fields


class _NeverRaised(Exception):
    """Stands in for VerificationError when there is nothing to verify."""


#: An Alexa response that says nothing and keeps nothing: the answer to a request we cannot act on.
EMPTY_RESPONSE_BYTES = b'{"version": "1.0", "response": {}}'


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
                line["method"] = method if method in _METHODS else "other"
                line["route"] = path if path in self._routes else "other"
            access_log.log(level, AccessRecord(line))


def internal_error_body() -> bytes:
    return error_body("internal_error", "The server could not answer this request.")


def create_app(
    config: SkillConfig | None = None,
    *,
    skill: CustomSkill | None = None,
    resources: SkillResources | None = None,
    verifiers: Sequence[AbstractVerifier] | None = None,
    metrics: Metrics | None = None,
) -> Flask:
    """The webhook app. ``resources``, ``skill``, ``verifiers`` and ``metrics`` are seams for tests
    and tools; metrics are built when the config turns them on (``metrics_port``/``metrics_path``).

    The transport-free :class:`AlexaWebhook` is at ``app.extensions["alexa_webhook"]``, the
    :class:`~skill.web.metrics.Metrics` (or None) at ``app.extensions["skill_metrics"]``.

    Without a config it is :func:`skill.web.wsgi.build_app`: configured from the environment, as
    gunicorn's factory form ``gunicorn 'skill.web.app:create_app()'`` calls it.
    """
    if config is None:
        from skill.web.wsgi import build_app

        return build_app()
    if resources is None:
        resources = SkillResources(ContentStore.load(config.content_dir, cache_dir=config.cache_dir))
    if skill is None:
        skill = build_skill(config, resources)
    if verifiers is None:
        from skill.web.verification import build_verifiers

        verifiers = build_verifiers(config)
    webhook = AlexaWebhook(skill, verifiers, resources.for_locale(config.default_locale).content)
    verification_state = "on" if config.verify_signatures else "OFF (dev mode)"
    if metrics is None and config.metrics_enabled:
        from skill.web.metrics import Metrics, intent_names

        metrics = Metrics(intents=intent_names(config.model_dir), locales=resources.store.locales)
    routes = frozenset(r for r in (config.endpoint_path, "/healthz", config.metrics_path) if r)
    log_response = ResponseLog(verification_state, routes, metrics)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.extensions["alexa_webhook"] = webhook
    app.extensions["skill_metrics"] = metrics
    # gunicorn's own rejections are logged and counted through the same object (skill.web.worker).
    app.extensions["skill_response_log"] = log_response

    # No automatic OPTIONS answers: a method a route does not serve is a JSON 405.
    @app.get("/healthz", provide_automatic_options=False)
    def healthz() -> Response:
        health: dict[str, str] = {"status": "ok"}
        if metrics is not None:
            health["metrics"] = metrics.state()
        return Response(json.dumps(health), mimetype="application/json")

    @app.post(config.endpoint_path, provide_automatic_options=False)
    def alexa() -> Response:
        environ = request.environ
        if request.content_length is None and environ.get("wsgi.input_terminated"):
            body = read_capped(environ["wsgi.input"], config.max_body_bytes)  # chunked
            if body is None:
                raise RequestEntityTooLarge()
        else:
            body = request.get_data(cache=False)
        status, payload, fields = webhook.handle(body, request.content_type, request.headers)
        environ[LOG_FIELDS_KEY] = fields
        return Response(payload, status=status, mimetype="application/json")

    if config.metrics_path and metrics is not None:
        scrape = metrics.scrape

        @app.get(config.metrics_path, provide_automatic_options=False)
        def prometheus_metrics() -> Response:
            payload, content_type = scrape()
            return Response(payload, content_type=content_type)

    app.wsgi_app = AlexaFastLane(app.wsgi_app, webhook, config.endpoint_path, config.max_body_bytes, log_response)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status, payload = http_error_body(exc)
        fields = request.environ.setdefault(LOG_FIELDS_KEY, {})
        fields.setdefault("error", (exc.name or "error").lower().replace(" ", "_"))
        return Response(payload, status=status, mimetype="application/json")

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> Response:
        log.error("Error answering %s %s: %s", request.method if request.method in _METHODS else "other",
                  request.path if request.path in routes else "other", type(exc).__name__,
                  extra={"trace": safe_traceback(exc)})
        request.environ.setdefault(LOG_FIELDS_KEY, {})["error"] = type(exc).__name__
        return Response(internal_error_body(), status=500, mimetype="application/json")

    return app


class AlexaFastLane:
    """WSGI middleware in front of Flask for the one hot route.

    A POST to the endpoint whose body has a declared length within the limit, or a chunked
    body the server terminates, goes straight to the webhook: the same checks, verifiers and
    skill as the Flask route, without Flask's per-request context, routing and response
    objects (a large share of a request's cost). A chunked body over the limit gets the 413
    Flask would give a declared one. Anything else (other paths or methods, a malformed or
    oversized length, a short body) goes to Flask, which answers it as it always has.

    Either way the lane writes the response's access line and counts it (``log_response``).
    """

    def __init__(
        self,
        wsgi_app: Callable[..., Iterable[bytes]],
        webhook: AlexaWebhook,
        path: str,
        max_body_bytes: int,
        log_response: Callable[..., None],
    ) -> None:
        self._next = wsgi_app
        self._webhook = webhook
        self._path = path
        self._max = max_body_bytes
        self._log = log_response

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
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
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != self._path:
            return self._to_flask(environ, start_response, started)
        declared = environ.get("CONTENT_LENGTH") or ""
        try:
            if not declared and environ.get("wsgi.input_terminated"):
                body = read_capped(environ["wsgi.input"], self._max)
                if body is None:
                    status, payload = http_error_body(RequestEntityTooLarge())
                    self._log({"error": "request_entity_too_large"}, status, started, "POST", self._path)
                    return self._respond(start_response, status, payload)
            elif not (declared.isascii() and declared.isdigit()) or int(declared) > self._max:
                return self._to_flask(environ, start_response, started)
            else:
                length = int(declared)
                body = environ["wsgi.input"].read(length) if length else b""
                if len(body) != length:
                    environ["wsgi.input"] = io.BytesIO(body)  # Flask sees the same short body and says so
                    return self._to_flask(environ, start_response, started)
        except Exception:  # noqa: BLE001 - the server's body reader: a broken chunk, a client gone
            payload = error_body("body_unreadable", "The request body could not be read.")
            self._log({"error": "body_unreadable"}, 400, started, "POST", self._path)
            return self._respond(start_response, 400, payload)
        status, payload, fields = self._webhook.handle(body, environ.get("CONTENT_TYPE"), EnvironHeaders(environ))
        self._log(fields, status, started, "POST", self._path)
        return self._respond(start_response, status, payload)

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
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        log.error("Error answering %s %s: %s", method if method in _METHODS else "other",
                  path if path == self._path else "other", type(exc).__name__, extra={"trace": safe_traceback(exc)})
        self._log({"error": type(exc).__name__}, 500, started, method, path)
        payload = internal_error_body()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        if headers_set:  # WSGI: replacing a status already set takes the exception (re-raised if sent)
            start_response(_status_line(500), headers, sys.exc_info())
        else:
            start_response(_status_line(500), headers)
        return [payload]

    @staticmethod
    def _respond(start_response: Callable[..., Any], status: int, payload: bytes) -> list[bytes]:
        start_response(
            _STATUS_LINES.get(status) or _status_line(status),
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def _to_flask(self, environ: dict[str, Any], start_response: Callable[..., Any], started: float) -> Iterable[bytes]:
        """Flask answers; the lane logs and counts its response too (404, 405, 413, /healthz, ...)."""
        seen: list[int] = []

        def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen.append(int(status[:3]) if status[:3].isdigit() else 500)
            return start_response(status, headers, exc_info)

        result = self._next(environ, recording_start_response)
        fields = environ.get(LOG_FIELDS_KEY) or {}
        if not seen and "error" not in fields:
            fields = {**fields, "error": "no_status"}
        self._log(fields, seen[-1] if seen else 500, started, environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        return result


def _status_line(code: int) -> str:
    """The status line as werkzeug writes it ("400 BAD REQUEST"), so both paths send the same."""
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


_STATUS_LINES = {code: _status_line(code) for code in (200, 400, 413, 415)}
