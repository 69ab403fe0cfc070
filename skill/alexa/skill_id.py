"""The skill-id check both transports share (alexa layer): the verifier shape and the skill id check.

The webhook (``skill.web.verification``) adds signature and timestamp checks on top; the Lambda
entry (``skill.lambda_handler``) needs only the skill id, since Lambda's Alexa trigger vouches for
the caller. Both import this module, so neither transport depends on the other, and the Lambda
zip needs neither Flask nor ``cryptography`` to check a skill id.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any


class VerificationError(Exception):
    """A request failed verification and must be rejected.

    ``reason`` is a short machine-readable code (for logs and metrics, e.g.
    ``"signature_invalid"``); ``str(error)`` is a sentence for humans. Neither carries
    request content, signatures or identifiers.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class AbstractVerifier(ABC):
    """One check on an incoming request, in the shape of ask-sdk's ``AbstractVerifier``."""

    @abstractmethod
    def verify(self, headers: Mapping[str, str], body: bytes, envelope: Mapping[str, Any]) -> None:
        """Return ``None`` if the request passes, raise :class:`VerificationError` if not.

        :param headers: the HTTP request headers (looked up case-insensitively)
        :param body: the raw request body, exactly as received
        :param envelope: the body parsed as JSON
        """


def _dig(tree: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(tree, Mapping):
            return None
        tree = tree.get(key)
    return tree


class SkillIdVerifier(AbstractVerifier):
    """Accepts only requests addressed to this skill's application id."""

    def __init__(self, skill_id: str) -> None:
        if not skill_id:
            raise ValueError("skill_id must be a non-empty string")
        self._skill_id = skill_id

    def verify(self, headers: Mapping[str, str], body: bytes, envelope: Mapping[str, Any]) -> None:
        # context.System is present on every request; session only on in-session ones.
        application_id = _dig(envelope, "context", "System", "application", "applicationId")
        if application_id is None:
            application_id = _dig(envelope, "session", "application", "applicationId")
        if not isinstance(application_id, str) or not application_id:
            raise VerificationError("skill_id_missing", "The request does not say which skill it is for.")
        if application_id != self._skill_id:
            raise VerificationError("skill_id_mismatch", "The request is addressed to a different skill.")
