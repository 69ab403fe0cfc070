"""The request mix: real requests of real conversations, made by the project's one envelope builder.

The mix is recorded by playing conversations through this skill (verification off), so each
request carries the session attributes the skill itself left in the previous turn: a launch, topic
answers (a first page, "more", a trigger with an entity resolution on a screen device), a symptom
check (the start, answers, an outcome) and a session end. :func:`render` stamps fresh request
ids and timestamps and signs the bodies, so the same mix passes production verification.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from skill.tools import envelopes
from skill.tools.signing import SigningPKI, sign, to_pem

from bench.apps import CERT_URL, skill_app


@dataclass(frozen=True)
class Turn:
    """One request of the mix: a short name and its envelope (as sent, before stamping)."""

    name: str
    envelope: dict[str, Any]


@dataclass(frozen=True)
class Request:
    """One ready-to-send request: the body and the headers that sign it."""

    name: str
    body: bytes
    headers: dict[str, str]


class Signer:
    """A throwaway CA (root -> intermediate -> leaf) whose leaf signs request bodies."""

    def __init__(self) -> None:
        self.pki = SigningPKI()

    def write(self, folder: Path) -> Path:
        """Write the trusted root and the served chain as PEM files; returns ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "root.pem").write_bytes(to_pem(self.pki.root))
        (folder / "chain.pem").write_bytes(self.pki.chain_pem())
        return folder

    def headers(self, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "SignatureCertChainUrl": CERT_URL,
            "Signature-256": sign(body, self.pki.leaf_key),
        }


def record_mix() -> list[Turn]:
    """Play the conversations through the skill and keep every request of them."""
    webhook = skill_app(None).extensions["alexa_webhook"]
    turns: list[Turn] = []

    def conversation(interfaces: dict[str, Any] | None, steps: list[tuple[str, dict[str, Any]]]) -> None:
        attributes: dict[str, Any] = {}
        for index, (name, request) in enumerate(steps):
            env = envelopes.envelope(request, attributes=attributes, new=index == 0, interfaces=interfaces)
            status, payload, _ = webhook.handle(json.dumps(env).encode(), "application/json", {})
            if status != 200:
                raise RuntimeError(f"recording the mix: {name} got HTTP {status}: {payload[:200]!r}")
            attributes = json.loads(payload).get("sessionAttributes") or {}
            turns.append(Turn(name, copy.deepcopy(env)))

    slot, intent = envelopes.slot, envelopes.intent_request
    conversation(
        envelopes.APL,
        [
            ("launch", envelopes.launch_request()),
            ("topic: causes", intent("CausesIntent")),
            ("topic: more", intent("MoreIntent")),
            ("trigger: caffeine (resolved, APL)", intent("TriggerDetailIntent", slot("trigger", "coffee", id="caffeine"))),
        ],
    )
    conversation(
        None,
        [
            ("triage: start", intent("SymptomCheckIntent")),
            ("triage: answer no (q1)", intent("AMAZON.NoIntent")),
            ("triage: answer no (q2)", intent("AMAZON.NoIntent")),
            ("triage: answer yes -> outcome", intent("AMAZON.YesIntent")),
        ],
    )
    turns.append(Turn("session ended", envelopes.envelope(envelopes.session_ended_request())))
    return turns


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(turns: list[Turn], signer: Signer | None = None) -> list[Request]:
    """Bodies with fresh ids and timestamps (verification allows 150 s), signed if ``signer``."""
    requests = []
    stamp = _now_iso()
    for turn in turns:
        env = copy.deepcopy(turn.envelope)
        env["request"]["requestId"] = f"amzn1.echo-api.request.{uuid.uuid4()}"
        env["request"]["timestamp"] = stamp
        body = json.dumps(env).encode("utf-8")
        headers = signer.headers(body) if signer else {"Content-Type": "application/json"}
        requests.append(Request(turn.name, body, headers))
    return requests
