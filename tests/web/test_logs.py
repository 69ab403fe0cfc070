"""Logs and metrics in process: one access line per response whatever answered it, the line format,
the metric counts and their bounds, and the settings that turn them on."""

from __future__ import annotations

import json
import logging
import re

import pytest
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder

from skill import cli
from skill.alexa.context import note
from skill.config import ConfigError, SkillConfig, config_from_env
from skill.web.app import create_app
from skill.web.logs import AccessRecord, JsonLineFormatter
from skill.web.metrics import MAX_LABEL_VALUES, Metrics
from tests.support.envelopes import envelope, intent_request, launch_request

LAUNCH = json.dumps(envelope(launch_request(), new=True))


def unknown_type() -> str:
    request = launch_request()
    request["type"] = "Alexa.NotInTheSdk"
    return json.dumps(envelope(request))


@pytest.fixture
def app(resources, skill):
    config = SkillConfig(dev=True, max_body_bytes=4096, metrics_path="/metrics")
    return create_app(config, resources=resources, skill=skill, verifiers=())


def access_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "skill.access"]


# (what, method, path, body, content type, status, route)
RESPONSES = [
    ("launch (fast lane)", "POST", "/alexa", LAUNCH, "application/json", 200, "/alexa"),
    ("health check", "GET", "/healthz", None, None, 200, "/healthz"),
    ("metrics scrape", "GET", "/metrics", None, None, 200, "/metrics"),
    ("wrong method", "GET", "/alexa", None, None, 405, "/alexa"),
    ("unknown path", "POST", "/wp-login.php?user=someone", "{}", "application/json", 404, "other"),
    ("declared length over the limit", "POST", "/alexa", "{" + " " * 5000 + "}", "application/json", 413, "/alexa"),
    ("not JSON", "POST", "/alexa", "not json", "application/json", 400, "/alexa"),
    ("text/plain", "POST", "/alexa", LAUNCH, "text/plain", 415, "/alexa"),
    ("unknown request type", "POST", "/alexa", unknown_type(), "application/json", 200, "/alexa"),
]


@pytest.mark.parametrize(("what", "method", "path", "body", "content_type", "status", "route"), RESPONSES,
                         ids=[r[0] for r in RESPONSES])
def test_every_response_gets_one_access_line(app, caplog, what, method, path, body, content_type, status, route):
    with caplog.at_level(logging.INFO, logger="skill.access"):
        response = app.test_client().open(path, method=method, data=body, content_type=content_type)
    assert response.status_code == status, f"{what}: got {response.status_code}"
    lines = access_lines(caplog)
    assert len(lines) == 1, f"{what}: expected one access line, got {lines}"
    assert lines[0]["status"] == status and lines[0]["route"] == route and lines[0]["method"] == method, lines[0]
    assert "latency_ms" in lines[0] and "wp-login" not in json.dumps(lines[0]), f"{what}: {lines[0]}"


def test_a_line_has_utc_time_level_pid_and_the_access_fields():
    formatter = JsonLineFormatter()
    record = logging.LogRecord("skill.access", logging.INFO, __file__, 1, AccessRecord({"status": 404}), None, None)
    record.created = 1764633600.25  # 2025-12-02T00:00:00.250Z
    line = json.loads(formatter.format(record))
    assert line["time"] == "2025-12-02T00:00:00.250Z" and line["level"] == "INFO" and line["pid"] == record.process
    assert line["status"] == 404 and "message" not in line
    other = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, "Worker %s exiting", ("12",), None)
    line = json.loads(formatter.format(other))
    assert line["message"] == "Worker 12 exiting" and line["level"] == "WARNING"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])


# --- metrics ----------------------------------------------------------------------------------


def samples(metrics: Metrics) -> dict[str, float]:
    text = metrics.scrape()[0].decode()
    return {k: float(v) for k, _, v in (line.rpartition(" ") for line in text.splitlines())
            if k.startswith("nose_twitch_")}


class EmergencyLikeHandler(AbstractRequestHandler):
    """Records what the lead's emergency handler records: handler and disposition, nothing else."""

    def can_handle(self, handler_input):
        return True

    def handle(self, handler_input):
        note(handler_input, handler="emergency", disposition="emergency")
        return handler_input.response_builder.speak("Call now.").set_should_end_session(True).response


def test_an_emergency_routing_is_counted_by_level_and_locale(resources):
    builder = SkillBuilder()
    builder.add_request_handler(EmergencyLikeHandler())
    config = SkillConfig(dev=True, metrics_path="/metrics")
    app = create_app(config, resources=resources, skill=builder.create(), verifiers=())
    client = app.test_client()
    for locale in ("en-GB", "en-GB", "es-MX"):
        data = json.dumps(envelope(intent_request("EmergencyIntent", locale=locale)))
        assert client.post("/alexa", data=data, content_type="application/json").status_code == 200
    counted = samples(app.extensions["skill_metrics"])
    assert counted['nose_twitch_outcomes_total{level="emergency",locale="en-GB"}'] == 2
    assert counted['nose_twitch_outcomes_total{level="emergency",locale="es-MX"}'] == 1


def test_verification_failures_are_counted_by_reason_only():
    metrics = Metrics()
    metrics.record({"type": "LaunchRequest", "error": "verification:signature_invalid"}, 400, 0.002)
    metrics.record({"type": "LaunchRequest", "error": "verification:signature_invalid"}, 400, 0.002)
    metrics.record({"type": "LaunchRequest", "error": "invalid_json"}, 400, 0.001)
    counted = samples(metrics)
    assert counted['nose_twitch_verification_failures_total{reason="signature_invalid"}'] == 2
    assert sum(v for k, v in counted.items() if k.startswith("nose_twitch_verification_failures_total")) == 2
    assert counted["nose_twitch_request_duration_seconds_count"] == 3


def test_made_up_label_values_fold_into_other():
    metrics = Metrics()
    for n in range(MAX_LABEL_VALUES + 20):
        metrics.record({"type": "IntentRequest", "intent": f"Made{n}Intent"}, 200, 0.001)
    counted = samples(metrics)
    intents = {k for k in counted if k.startswith("nose_twitch_requests_total")}
    assert len(intents) == MAX_LABEL_VALUES + 1, "each label keeps at most MAX_LABEL_VALUES values, then 'other'"
    assert counted['nose_twitch_requests_total{intent="other",status="200",type="IntentRequest"}'] == 20


def test_metrics_are_off_by_default(resources, skill):
    app = create_app(SkillConfig(dev=True), resources=resources, skill=skill, verifiers=())
    assert app.extensions["skill_metrics"] is None
    assert app.test_client().get("/metrics").status_code == 404


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"SKILL_LOG_LEVEL": "warning"}, "log_level", "WARNING"),
        ({}, "log_level", "INFO"),
        ({"SKILL_METRICS_PORT": "9464"}, "metrics_port", 9464),
        ({"SKILL_METRICS_PATH": "/metrics"}, "metrics_path", "/metrics"),
        ({"SKILL_METRICS_HOST": "10.0.0.5"}, "metrics_host", "10.0.0.5"),
        ({}, "metrics_enabled", False),
    ],
)
def test_settings_from_the_environment(env, field, value):
    assert getattr(config_from_env(env), field) == value


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SKILL_LOG_LEVEL": "loud"}, "SKILL_LOG_LEVEL"),
        ({"SKILL_METRICS_PORT": "seventy"}, "SKILL_METRICS_PORT"),
        ({"SKILL_METRICS_PORT": "70000"}, "SKILL_METRICS_PORT"),
        ({"SKILL_METRICS_PATH": "metrics"}, "SKILL_METRICS_PATH"),
        ({"SKILL_METRICS_PATH": "/alexa"}, "SKILL_METRICS_PATH"),
    ],
)
def test_bad_settings_are_refused_by_name(env, names):
    with pytest.raises(ConfigError, match=names):
        config_from_env(env)


@pytest.mark.parametrize(
    ("flags", "names"),
    [
        (["--log-level", "chatty"], "--log-level"),
        (["--metrics-path", "/healthz"], "--metrics-path"),
        (["--metrics-port", "0"], "--metrics-port"),
    ],
)
def test_bad_serve_flags_exit_2_naming_the_flag(monkeypatch, capsys, flags, names):
    for name in ("SKILL_LOG_LEVEL", "SKILL_METRICS_PATH", "SKILL_METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["serve", "--dev", *flags]) == 2
    assert names in capsys.readouterr().err
