"""The Alexa endpoint without a web framework (web transport): raw body and headers in; status, JSON
and log fields out.

The raw body (the signature covers those exact bytes) is checked to look like an Alexa envelope,
verified, turned into the SDK's model objects by the skill's serializer
(:class:`~skill.alexa.serializer.Serializer`, which falls back to the SDK's own deserializer for
anything unusual) and handed to ``skill.invoke``. Failures map to JSON errors with 4xx codes; a
failure inside the skill is the skill's business and comes back as a spoken apology, never a 500.
The WSGI lane (:mod:`skill.web.lane`) reads the body and calls :meth:`AlexaWebhook.handle`; tests
and tools can call it directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ask_sdk_model import ResponseEnvelope

from skill.alexa.context import InvocationContext
from skill.alexa.invoker import Skill
from skill.alexa.replies.fallback import KNOWN_REQUEST_TYPES, apology_response
from skill.alexa.skill_id import AbstractVerifier, VerificationError
from skill.domain.content import Content

__all__ = ["EMPTY_RESPONSE_BYTES", "AlexaWebhook", "BadRequest", "error_body", "parse_envelope"]

log = logging.getLogger("skill.web")

#: An Alexa response that says nothing and keeps nothing: the answer to a request we cannot act on.
EMPTY_RESPONSE_BYTES = b'{"version": "1.0", "response": {}}'


class BadRequest(Exception):
    """The body is not an Alexa request envelope; ``code`` names what is wrong."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def error_body(code: str, message: str) -> bytes:
    """The JSON body of every error this server answers: ``{"error": {"code": ..., "message": ...}}``."""
    return json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")


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

    Verification runs on the exact bytes received; the envelope is deserialized (by the skill's
    serializer) only once every verifier has passed.
    """

    def __init__(self, skill: Skill, verifiers: Sequence[AbstractVerifier], default_content: Content) -> None:
        self.skill = skill
        # The cheap checks first: nothing is downloaded for a request a timestamp or skill id refuses.
        self.verifiers = tuple(sorted(verifiers, key=lambda v: bool(getattr(v, "needs_network", False))))
        self._default_content = default_content

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
        except VerificationError as exc:
            fields["error"] = f"verification:{exc.reason}"
            return 400, error_body("verification_failed", str(exc)), fields
        if req["type"] not in KNOWN_REQUEST_TYPES:
            fields["error"] = "unknown_request_type"
            return 200, EMPTY_RESPONSE_BYTES, fields
        serializer = self.skill.serializer
        try:
            # The parsed envelope is reused; the SDK re-reads the body only if the compiled plans defer.
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
