"""gunicorn worker (web transport): gunicorn's own rejections answered like every other response.

gunicorn answers some requests before the app sees them: a malformed request line or header, an
oversized one, a bad chunk size, a request it cannot frame (400, 414, 431, 501, ...). And when a
worker is stopped in the middle of a request (its timeout passed), it answers 500. It writes those
as small HTML pages, with no line in the app's access log and no metric.

:class:`SkillSyncWorker` is gunicorn's sync worker with one method replaced, ``handle_error``
(the same signature in gunicorn 22 to 27): the status is gunicorn's, the body is the app's JSON
error, and the response gets the app's access line and metric (through the app's
:class:`~skill.web.app.ResponseLog`), at WARNING for a client's error and ERROR for the server's.
gunicorn's own "Invalid request from ip=..." line is not written: it carries the client's address
and the offending bytes. Connections gunicorn drops without answering (the client went away, or
sent nothing) are not requests and get nothing.

``nose-twitch serve`` and ``-c python:skill.web.gunicorn_conf`` use it; with plain gunicorn, pass
``--worker-class skill.web.worker.SkillSyncWorker``. (The class name ends in ``SyncWorker`` so that
gunicorn's ``--threads N`` still switches to its threaded worker, as it would for ``sync``.)
"""

from __future__ import annotations

import json
import logging
from typing import Any

from gunicorn.http.errors import ParseException
from gunicorn.workers.sync import SyncWorker

from skill.web.logs import AccessRecord, safe_traceback

__all__ = ["SkillSyncWorker", "gunicorn_error"]

log = logging.getLogger("skill.web")
access_log = logging.getLogger("skill.access")

#: gunicorn's client errors whose status is not 400, by class name (some exist only in newer
#: gunicorn versions, so they are matched by name rather than imported).
_STATUS_BY_NAME = {
    "LimitRequestLine": (414, "URI Too Long", "request_line_too_long", "The request line is too long."),
    "LimitRequestHeaders": (
        431, "Request Header Fields Too Large", "request_headers_too_large", "The request headers are too large.",
    ),
    "UnsupportedTransferCoding": (
        501, "Not Implemented", "unsupported_transfer_coding", "The request's transfer coding is not supported.",
    ),
    "ForbiddenProxyRequest": (403, "Forbidden", "forbidden", "The request is not allowed."),
    "ExpectationFailed": (417, "Expectation Failed", "expectation_failed", "The request's Expect header cannot be met."),
    "ConfigurationProblem": (500, "Internal Server Error", "internal_error", "The server could not answer this request."),
}


def gunicorn_error(exc: BaseException) -> tuple[int, str, str, str]:
    """``(status, reason phrase, error code, message)`` for an exception gunicorn's worker caught."""
    known = _STATUS_BY_NAME.get(type(exc).__name__)
    if known is not None:
        return known
    if isinstance(exc, ParseException):
        return 400, "Bad Request", "malformed_request", "The request is not valid HTTP."
    if type(exc).__name__ == "SSLError":
        return 403, "Forbidden", "tls_error", "The TLS connection could not be set up."
    if isinstance(exc, SystemExit):
        # gunicorn stops a worker whose request outlived the timeout by raising SystemExit in it.
        return 503, "Service Unavailable", "worker_timeout", "The server took too long to answer; try again."
    return 500, "Internal Server Error", "internal_error", "The server could not answer this request."


class SkillSyncWorker(SyncWorker):
    """gunicorn's sync worker whose own error answers are the app's JSON, logged and counted."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        status, reason, code, message = gunicorn_error(exc)
        method = getattr(req, "method", None) if req is not None else None
        path = getattr(req, "path", None) if req is not None else None
        fields = {"error": code}
        if status >= 500:
            log.error("gunicorn answered %s (%s)", status, type(exc).__name__, extra={"trace": safe_traceback(exc)})
        try:
            log_response = getattr(self.wsgi, "extensions", {}).get("skill_response_log")
            if log_response is not None:
                log_response(fields, status, None, method or "", path or "")
            else:  # an app other than the skill's (the benchmarks' comparisons)
                level = logging.ERROR if status >= 500 else logging.INFO
                access_log.log(level, AccessRecord({**fields, "status": status}))
        except Exception:  # noqa: BLE001 - the answer still goes out
            log.exception("could not log gunicorn's %s answer", status)
        body = json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")
        head = (
            f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        try:
            client.sendall(head + body)
        except Exception:  # noqa: BLE001 - the client may be gone already
            log.debug("could not send gunicorn's %s answer", status)
