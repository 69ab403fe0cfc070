"""AWS Lambda entry point (transport): the same skill as the webhook, invoked by the Alexa trigger.

Lambda checks the caller itself (the Alexa Skills Kit trigger with skill id verification), so no
signature check is needed here; when ``SKILL_ID`` is set the skill id is checked as well.
Configure the function's handler as ``skill.lambda_handler.handler``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.alexa.builder import build_skill
from skill.alexa.context import InvocationContext
from skill.alexa.verifier import SkillIdVerifier, VerificationError
from skill.config import config_from_env


@lru_cache(maxsize=1)
def _skill() -> tuple[CustomSkill, str | None]:
    """Built once per warm container (an immutable skill, not per-user state)."""
    config = config_from_env()
    return build_skill(config), config.skill_id


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one Alexa request event and return the response envelope as a dict."""
    skill, skill_id = _skill()
    if not isinstance(event, dict) or not isinstance(event.get("request"), dict):
        raise ValueError("The event is not an Alexa request envelope.")
    if skill_id:
        try:
            SkillIdVerifier(skill_id).verify({}, b"", event)
        except VerificationError as exc:
            raise ValueError(f"Request rejected: {exc}") from None
    envelope = skill.serializer.deserialize(json.dumps(event), RequestEnvelope)
    response = skill.invoke(request_envelope=envelope, context=InvocationContext(lambda_context=context))
    return skill.serializer.serialize(response)
