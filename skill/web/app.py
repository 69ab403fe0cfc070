"""The web app (web transport): ``create_app(config)`` builds the skill once and serves it.

``POST /alexa`` is answered by :class:`~skill.web.lane.AlexaLane` in front of Flask (decode,
verify, dispatch, map errors: :class:`~skill.web.webhook.AlexaWebhook`). Flask serves the rest:
``GET /healthz``, ``GET /metrics`` when metrics are on that path, and the JSON answer to anything
else (a 404 or 405; any other method on the endpoint is Flask's 405). Every response Flask gives
gets its access line and count from the same :class:`~skill.web.lane.ResponseLog` the lane uses;
anything unforeseen is a JSON 500, logged at ERROR with a traceback (without the exception's text,
which may quote the request). gunicorn's own rejections (a malformed request line or header, a
worker timeout) get the same JSON, line and metric from :class:`skill.web.worker.SkillSyncWorker`.

The production entry point is :mod:`skill.web.wsgi` under gunicorn with :mod:`skill.web.gunicorn_conf`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from skill.alexa.builder import build_skill
from skill.alexa.invoker import Skill
from skill.alexa.resources import SkillResources
from skill.alexa.skill_id import AbstractVerifier
from skill.config import SkillConfig
from skill.web.lane import METHODS, AlexaLane, ResponseLog, http_error_body, http_error_code, internal_error_body
from skill.web.logs import safe_traceback
from skill.web.metrics import Metrics, intent_names
from skill.web.webhook import AlexaWebhook

__all__ = ["create_app"]

log = logging.getLogger("skill.web")


def create_app(
    config: SkillConfig,
    *,
    skill: Skill | None = None,
    resources: SkillResources | None = None,
    verifiers: Sequence[AbstractVerifier] | None = None,
    metrics: Metrics | None = None,
) -> Flask:
    """The webhook app. ``resources``, ``skill``, ``verifiers`` and ``metrics`` are seams for tests
    and tools; metrics are built when the config turns them on (``metrics_port``/``metrics_path``).

    The transport-free :class:`AlexaWebhook` is at ``app.extensions["alexa_webhook"]``, the
    :class:`~skill.web.metrics.Metrics` (or None) at ``app.extensions["skill_metrics"]`` and the
    :class:`ResponseLog` at ``app.extensions["skill_response_log"]``.
    """
    if resources is None:
        resources = SkillResources.load(config)
    if skill is None:
        skill = build_skill(config, resources)
    if verifiers is None:
        # cryptography is imported only where requests are verified.
        from skill.web.verification import build_verifiers

        verifiers = build_verifiers(config)
    webhook = AlexaWebhook(skill, verifiers, resources.for_locale(config.default_locale).content)
    verification_state = "on" if config.verify_signatures else "OFF (dev mode)"
    if metrics is None and config.metrics_enabled:
        metrics = Metrics(intents=intent_names(config.model_dir), locales=resources.store.locales)
    routes = frozenset(r for r in (config.endpoint_path, "/healthz", config.metrics_path) if r)
    log_response = ResponseLog(verification_state, routes, metrics)

    app = Flask(__name__)
    app.extensions["alexa_webhook"] = webhook
    app.extensions["skill_metrics"] = metrics
    # gunicorn's own rejections are logged and counted through the same object (skill.web.worker).
    app.extensions["skill_response_log"] = log_response

    # The endpoint's rule only tells Flask's router that it takes POST, so any other method gets the
    # 405 below: every POST is answered by the lane, in front of Flask, and never reaches it.
    app.add_url_rule(config.endpoint_path, endpoint="alexa", methods=["POST"], provide_automatic_options=False)

    # No automatic OPTIONS answers: a method a route does not serve is a JSON 405.
    @app.get("/healthz", provide_automatic_options=False)
    def healthz() -> Response:
        health: dict[str, str] = {"status": "ok"}
        if metrics is not None:
            health["metrics"] = metrics.state()
        return Response(json.dumps(health), mimetype="application/json")

    if config.metrics_path and metrics is not None:
        scrape = metrics.scrape

        @app.get(config.metrics_path, provide_automatic_options=False)
        def prometheus_metrics() -> Response:
            payload, content_type = scrape()
            return Response(payload, content_type=content_type)

    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status, payload = http_error_body(exc)
        g.error = http_error_code(exc)
        return Response(payload, status=status, mimetype="application/json")

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> Response:
        log.error("Error answering %s %s: %s", request.method if request.method in METHODS else "other",
                  request.path if request.path in routes else "other", type(exc).__name__,
                  extra={"trace": safe_traceback(exc)})
        g.error = type(exc).__name__
        return Response(internal_error_body(), status=500, mimetype="application/json")

    @app.after_request
    def log_line(response: Response) -> Response:
        error = g.get("error")
        environ = request.environ
        log_response({"error": error} if error else {}, response.status_code, g.get("started"),
                     environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        return response

    app.wsgi_app = AlexaLane(app.wsgi_app, webhook, config.endpoint_path, config.max_body_bytes, log_response)
    return app
