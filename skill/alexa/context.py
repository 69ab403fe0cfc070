"""Invocation context (Alexa layer): what a transport passes to ``skill.invoke`` for one request.

Handlers add safe log fields here (intent, disposition level); the transport writes the log line.
It is per request, so there is no module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

#: The only fields a handler may add to the access log: none of them can hold user data.
LOG_FIELDS = frozenset({"intent", "disposition", "handler", "error"})


@dataclass
class InvocationContext:
    """One request's context: the Lambda context (if any) and the access-log fields."""

    lambda_context: Any = None
    log: dict[str, str] = field(default_factory=dict)


def note(handler_input: HandlerInput, **fields: str) -> None:
    """Record safe log fields for this request (ignored outside an :class:`InvocationContext`)."""
    context = handler_input.context
    if isinstance(context, InvocationContext):
        for key, value in fields.items():
            if key not in LOG_FIELDS:
                raise ValueError(f"{key!r} is not an allowed log field")
            context.log[key] = value
