"""Flask webhook (web transport): decode, verify, dispatch, map errors. Nothing else.

``create_app(config)`` builds the skill once. :class:`AlexaWebhook` is the endpoint without Flask:
the raw body (the signature covers those exact bytes) is checked to look like an Alexa envelope,
verified, turned into the SDK's model objects (by :class:`~skill.alexa.fastpath.FastSerializer`,
which falls back to the SDK's own deserializer for anything unusual) and handed to
``skill.invoke``. Failures map to JSON errors with 4xx codes; a failure inside the skill is the
skill's business and comes back as a spoken apology. The Flask route only reads the request,
calls the webhook and writes the access log line; :class:`AlexaFastLane` does the same for the
common case without Flask's per-request machinery.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import ResponseEnvelope
from flask import Flask, Response, request
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from skill.alexa.builder import build_skill
from skill.alexa.context import InvocationContext
from skill.alexa.fastpath import FastSerializer
from skill.alexa.handlers.replies import apology
from skill.alexa.resources import SkillResources
from skill.alexa.speech import to_ssml
from skill.config import SkillConfig
from skill.domain.content import Content, ContentStore

if TYPE_CHECKING:
    from skill.web.verification import AbstractVerifier

access_log = logging.getLogger("skill.access")


class BadRequest(Exception):
    """The body is not an Alexa request envelope; ``code`` names what is wrong."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")


def json_error(status: int, code: str, message: str) -> Response:
    return Response(error_body(code, message), status=status, mimetype="application/json")


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
        self.verifiers = tuple(verifiers)
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
        try:
            for verifier in self.verifiers:
                verifier.verify(headers, body, envelope)
        except self._verification_error as exc:
            fields["error"] = f"verification:{exc.reason}"  # type: ignore[attr-defined]
            return 400, error_body("verification_failed", str(exc)), fields
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
            text = serializer.dumps(response_envelope)
        except Exception as exc:  # noqa: BLE001 - a skill failure is spoken, never a 500
            access_log.error("skill failure outside handlers: %s", type(exc).__name__)
            fields["error"] = type(exc).__name__
            text = json.dumps(_apology_payload(self._default_content), ensure_ascii=False)
        fields.update(context.log)
        return 200, text.encode("utf-8"), fields


class _NeverRaised(Exception):
    """Stands in for VerificationError when there is nothing to verify."""


def create_app(
    config: SkillConfig,
    *,
    skill: CustomSkill | None = None,
    resources: SkillResources | None = None,
    verifiers: Sequence[AbstractVerifier] | None = None,
) -> Flask:
    """The webhook app. ``resources``, ``skill`` and ``verifiers`` are seams for tests and tools.

    The transport-free :class:`AlexaWebhook` is at ``app.extensions["alexa_webhook"]``.
    """
    if resources is None:
        resources = SkillResources(ContentStore.load(config.content_dir, cache_dir=config.cache_dir))
    if skill is None:
        skill = build_skill(config, resources)
    if verifiers is None:
        from skill.web.verification import build_verifiers

        verifiers = build_verifiers(config)
    webhook = AlexaWebhook(skill, verifiers, resources.for_locale(config.default_locale).content)
    verification_state = "on" if config.verify_signatures else "OFF (dev mode)"

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.extensions["alexa_webhook"] = webhook

    def log_request(fields: dict[str, Any], status: int, started: float) -> None:
        if access_log.isEnabledFor(logging.INFO):
            fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
            fields["status"] = status
            access_log.info(json.dumps({"verification": verification_state, **fields}, sort_keys=True))

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status": "ok"}', mimetype="application/json")

    @app.post(config.endpoint_path)
    def alexa() -> Response:
        started = time.perf_counter()
        status, payload, fields = webhook.handle(request.get_data(cache=False), request.content_type, request.headers)
        log_request(fields, status, started)
        return Response(payload, status=status, mimetype="application/json")

    app.wsgi_app = AlexaFastLane(app.wsgi_app, webhook, config.endpoint_path, config.max_body_bytes, log_request)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = (exc.name or "error").lower().replace(" ", "_")
        return json_error(exc.code or 500, code, exc.description or exc.name)

    return app


class AlexaFastLane:
    """WSGI middleware in front of Flask for the one hot route.

    A POST to the endpoint whose body has a declared length within the limit goes straight to
    the webhook: the same checks, verifiers, skill and log line as the Flask route, without
    Flask's per-request context, routing and response objects (a large share of a request's
    cost). Anything else (other paths or methods, a missing, malformed or oversized length, a
    chunked or short body) goes to Flask, which answers it as it always has.
    """

    def __init__(
        self,
        wsgi_app: Callable[..., Iterable[bytes]],
        webhook: AlexaWebhook,
        path: str,
        max_body_bytes: int,
        log_request: Callable[[dict[str, Any], int, float], None],
    ) -> None:
        self._next = wsgi_app
        self._webhook = webhook
        self._path = path
        self._max = max_body_bytes
        self._log = log_request

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != self._path:
            return self._next(environ, start_response)
        declared = environ.get("CONTENT_LENGTH") or ""
        if not (declared.isascii() and declared.isdigit()) or int(declared) > self._max:
            return self._next(environ, start_response)
        length = int(declared)
        started = time.perf_counter()
        body = environ["wsgi.input"].read(length) if length else b""
        if len(body) != length:
            environ["wsgi.input"] = io.BytesIO(body)  # Flask sees the same short body and says so
            return self._next(environ, start_response)
        status, payload, fields = self._webhook.handle(body, environ.get("CONTENT_TYPE"), EnvironHeaders(environ))
        self._log(fields, status, started)
        start_response(
            _STATUS_LINES.get(status) or _status_line(status),
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]


def _status_line(code: int) -> str:
    """The status line as werkzeug writes it ("400 BAD REQUEST"), so both paths send the same."""
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


_STATUS_LINES = {code: _status_line(code) for code in (200, 400, 413, 415)}


def _apology_payload(content: Content) -> dict[str, Any]:
    """A valid Alexa response built without the SDK, for when the skill itself cannot answer."""
    reply = apology(content)
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{to_ssml(reply.text)}</speak>"},
            "reprompt": {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{to_ssml(reply.reprompt or '')}</speak>"}},
            "shouldEndSession": False,
        },
    }
