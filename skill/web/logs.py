"""Log lines (web transport): one JSON object per line, with time, level and process id.

Every line the server writes, the skill's and gunicorn's own, has the same shape::

    {"time": "2026-12-01T23:45:01.123Z", "level": "INFO", "pid": 4242, "logger": "skill.access", ...}

``time`` is ISO 8601 in UTC with milliseconds; ``pid`` is the process that wrote it (a gunicorn
worker, or the master). An access line carries the request's safe fields (see
:class:`AccessRecord`); any other line carries ``message``. Nothing here adds request content:
what a line says is what the caller passed, and the access fields are an allow-listed set.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from typing import Any

__all__ = ["AccessRecord", "JsonLineFormatter", "configure_logging", "json_stream_handler", "safe_traceback",
           "utc_timestamp"]


def utc_timestamp(created: float) -> str:
    """``created`` (seconds since the epoch) as ISO 8601 UTC with milliseconds: ``...T23:45:01.123Z``."""
    whole = int(created)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((created - whole) * 1000):03d}Z"


class AccessRecord:
    """An access line's fields; the message is their JSON, built only if the line is written."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        return json.dumps(self.fields, sort_keys=True)


def safe_traceback(exc: BaseException) -> str:
    """Where ``exc`` was raised (the traceback's frames) and its type, without its text: an
    exception raised while answering a request may quote the request (a KeyError naming a value,
    a decoder error showing the bytes), and logs never carry request content."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    return f"Traceback (most recent call last):\n{frames}{type(exc).__module__}.{type(exc).__qualname__}"


class JsonLineFormatter(logging.Formatter):
    """Formats every record as one JSON line: time (UTC), level, pid, logger, then the content."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": utc_timestamp(record.created),
            "level": record.levelname,
            "pid": record.process,
            "logger": record.name,
        }
        if isinstance(record.msg, AccessRecord):
            line.update(record.msg.fields)
        else:
            line["message"] = record.getMessage()
        trace = getattr(record, "trace", None)
        if isinstance(trace, str):
            line["exception"] = trace  # from safe_traceback: frames and type, no request content
        elif record.exc_info:
            # Start-up and server errors (gunicorn's own, a failed config); request errors are
            # logged with safe_traceback instead.
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def json_stream_handler() -> logging.Handler:
    """A handler writing JSON lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    return handler


def configure_logging(level: str = "INFO") -> None:
    """Every log record of this process goes to stderr as a JSON line, at ``level`` and above.

    gunicorn's error logger keeps its handlers (gunicorn sets them up) but writes JSON too: under
    plain ``gunicorn 'skill.web.wsgi:app'`` (no project config) a worker's lines are JSON from the
    moment the app is built. (Its access log, if turned on, keeps gunicorn's own format.)
    """
    logging.basicConfig(level=level, handlers=[json_stream_handler()], force=True)
    logging.getLogger("skill").setLevel(level)
    for handler in logging.getLogger("gunicorn.error").handlers:
        handler.setFormatter(JsonLineFormatter())

