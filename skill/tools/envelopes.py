"""Request envelope builder (tools layer): the one place request JSON is made, in Alexa's documented shape.

Used by ``nose-twitch chat`` and :mod:`skill.tools.session` to talk to the skill, and by the test
suite and the bench directly, so tools, tests and bench send the same requests.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "APL",
    "APPLICATION_ID",
    "DEVICE_ID",
    "USER_ID",
    "can_fulfill_request",
    "envelope",
    "intent_request",
    "launch_request",
    "now_iso",
    "session_ended_request",
    "slot",
]

APPLICATION_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"
USER_ID = "amzn1.ask.account.TESTUSER"
DEVICE_ID = "amzn1.ask.device.TESTDEVICE"
APL = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}}


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def slot(
    name: str,
    value: str | None = None,
    *,
    id: str | None = None,
    match: bool = True,
    resolved_name: str | None = None,
    slot_type: str | None = None,
) -> dict[str, Any]:
    """A slot as Alexa sends it; ``id`` adds an ER_SUCCESS_MATCH resolution, ``match=False`` a NO_MATCH.

    ``resolved_name`` is the matched value's canonical name (default: the spoken value) and
    ``slot_type`` names the authority as Alexa does (default: the slot name in capitals).
    """
    data: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if value is not None:
        data["value"] = value
    authority = f"amzn1.er-authority.echo-sdk.{APPLICATION_ID}.{slot_type or name.upper()}"
    if id is not None:
        data["resolutions"] = {
            "resolutionsPerAuthority": [
                {
                    "authority": authority,
                    "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": resolved_name or value or id, "id": id}}],
                }
            ]
        }
    elif value is not None and not match:
        data["resolutions"] = {
            "resolutionsPerAuthority": [{"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}]
        }
    return data


def launch_request(locale: str = "en-US") -> dict[str, Any]:
    return {"type": "LaunchRequest", "requestId": _id("request"), "timestamp": now_iso(), "locale": locale}


def intent_request(name: str, *slots: dict[str, Any], locale: str = "en-US") -> dict[str, Any]:
    intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slots:
        intent["slots"] = {s["name"]: s for s in slots}
    return {
        "type": "IntentRequest",
        "requestId": _id("request"),
        "timestamp": now_iso(),
        "locale": locale,
        "dialogState": "STARTED",
        "intent": intent,
    }


def session_ended_request(reason: str = "USER_INITIATED", locale: str = "en-US") -> dict[str, Any]:
    return {
        "type": "SessionEndedRequest",
        "requestId": _id("request"),
        "timestamp": now_iso(),
        "locale": locale,
        "reason": reason,
    }


def can_fulfill_request(name: str, *slots: dict[str, Any], locale: str = "en-US") -> dict[str, Any]:
    req = intent_request(name, *slots, locale=locale)
    req["type"] = "CanFulfillIntentRequest"
    req.pop("dialogState")
    return req


def envelope(
    request: dict[str, Any],
    *,
    attributes: dict[str, Any] | None = None,
    new: bool = False,
    session: bool = True,
    application_id: str = APPLICATION_ID,
    interfaces: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A full request envelope around one request."""
    system = {
        "application": {"applicationId": application_id},
        "user": {"userId": USER_ID},
        "device": {"deviceId": DEVICE_ID, "supportedInterfaces": copy.deepcopy(interfaces or {})},
        "apiEndpoint": "https://api.amazonalexa.com",
        "apiAccessToken": "TEST-TOKEN",
    }
    data: dict[str, Any] = {
        "version": "1.0",
        "context": {"System": system},
        "request": request,
    }
    if session:
        data["session"] = {
            "new": new,
            "sessionId": "amzn1.echo-api.session.TEST",
            "application": {"applicationId": application_id},
            "attributes": copy.deepcopy(attributes or {}),
            "user": {"userId": USER_ID},
        }
    return data


def _id(kind: str) -> str:
    return f"amzn1.echo-api.{kind}.{uuid.uuid4()}"
