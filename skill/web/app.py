"""Flask webhook (web transport): decode, verify, dispatch, map errors. Nothing else.

``create_app(config)`` builds the skill once; each request is read as raw bytes (the signature
covers those exact bytes), checked to look like an Alexa envelope, verified, deserialized with the
SDK's own serializer and handed to ``skill.invoke``. Failures map to JSON errors with 4xx codes;
a failure inside the skill is the skill's business and comes back as a spoken apology.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from skill.alexa.builder import build_skill
from skill.alexa.context import InvocationContext
from skill.alexa.handlers.replies import apology
from skill.alexa.resources import SkillResources
from skill.alexa.speech import to_ssml
from skill.config import SkillConfig
from skill.domain.content import ContentStore
from skill.web.verification import AbstractVerifier, VerificationError, build_verifiers

access_log = logging.getLogger("skill.access")


class BadRequest(Exception):
    """The body is not an Alexa request envelope; ``code`` names what is wrong."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def json_error(status: int, code: str, message: str) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}})
    return Response(body, status=status, mimetype="application/json")


def parse_envelope(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The JSON object of an Alexa request, or :class:`BadRequest` saying why not."""
    if not body:
        raise BadRequest("empty_body", "The request body is empty.")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise BadRequest("unsupported_media_type", "Send the request as application/json.", 415)
    try:
        data = json.loads(body)
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


def create_app(
    config: SkillConfig,
    *,
    skill: CustomSkill | None = None,
    resources: SkillResources | None = None,
    verifiers: Sequence[AbstractVerifier] | None = None,
) -> Flask:
    """The webhook app. ``resources``, ``skill`` and ``verifiers`` are seams for tests and tools."""
    if resources is None:
        resources = SkillResources(ContentStore.load(config.content_dir))
    if skill is None:
        skill = build_skill(config, resources)
    if verifiers is None:
        verifiers = build_verifiers(config)
    verifiers = tuple(verifiers)
    serializer = skill.serializer
    default_content = resources.for_locale(config.default_locale).content
    verification_state = "on" if config.verify_signatures else "OFF (dev mode)"

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes

    def log_line(fields: Mapping[str, Any]) -> None:
        access_log.info(json.dumps({"verification": verification_state, **fields}, sort_keys=True))

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status": "ok"}', mimetype="application/json")

    @app.post(config.endpoint_path)
    def alexa() -> Response:
        started = time.perf_counter()
        fields: dict[str, Any] = {}
        try:
            status, response = _handle(fields)
        finally:
            fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        fields["status"] = status
        log_line(fields)
        return response

    def _handle(fields: dict[str, Any]) -> tuple[int, Response]:
        body = request.get_data(cache=False)
        try:
            envelope = parse_envelope(body, request.content_type)
        except BadRequest as exc:
            fields["error"] = exc.code
            return exc.status, json_error(exc.status, exc.code, exc.message)
        req = envelope["request"]
        fields["type"] = req["type"]
        if isinstance(req.get("requestId"), str):
            fields["request_id"] = req["requestId"][:120]
        intent = req.get("intent")
        if isinstance(intent, dict) and isinstance(intent.get("name"), str):
            fields["intent"] = intent["name"][:100]
        try:
            for verifier in verifiers:
                verifier.verify(request.headers, body, envelope)
        except VerificationError as exc:
            fields["error"] = f"verification:{exc.reason}"
            return 400, json_error(400, "verification_failed", str(exc))
        try:
            request_envelope = serializer.deserialize(body.decode("utf-8"), RequestEnvelope)
        except Exception:  # noqa: BLE001 - the SDK raises several types for malformed fields
            fields["error"] = "malformed_envelope"
            return 400, json_error(400, "malformed_envelope", "The envelope has fields of the wrong type.")
        if request_envelope is None or request_envelope.request is None:
            fields["error"] = "unknown_request_type"
            return 200, _json(serializer.serialize(ResponseEnvelope(version="1.0", response={})))
        context = InvocationContext()
        try:
            response_envelope = skill.invoke(request_envelope=request_envelope, context=context)
            payload = serializer.serialize(response_envelope)
        except Exception as exc:  # noqa: BLE001 - a skill failure is spoken, never a 500
            access_log.error("skill failure outside handlers: %s", type(exc).__name__)
            fields["error"] = type(exc).__name__
            payload = _apology_payload(default_content)
        fields.update(context.log)
        return 200, _json(payload)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = (exc.name or "error").lower().replace(" ", "_")
        return json_error(exc.code or 500, code, exc.description or exc.name)

    return app


def _json(payload: object) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), mimetype="application/json")


def _apology_payload(content) -> dict[str, Any]:
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
