"""The Alexa POST (skill/web/lane.py): the lane answers every POST to the endpoint exactly as the
webhook does, reads the body as werkzeug would, and writes one access line per response, whatever
answered it (the lane, or Flask for everything else)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from skill.config import SkillConfig
from skill.web.app import create_app
from skill.tools.envelopes import envelope, intent_request, launch_request, slot

BODIES = {
    "launch": json.dumps(envelope(launch_request(), new=True)).encode(),
    "trigger": json.dumps(envelope(intent_request("TriggerDetailIntent", slot("trigger", "coffee", id="caffeine")))).encode(),
    "not json": b"not json",
    "not an envelope": b"[1]",
    "empty": b"",
}


def call(wsgi, body: bytes, *, length: str | None = "auto", content_type="application/json", method="POST",
         path="/alexa", terminated=False):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": content_type,
    }
    if length == "auto":
        environ["CONTENT_LENGTH"] = str(len(body))
    elif length is not None:
        environ["CONTENT_LENGTH"] = length
    if terminated:  # as gunicorn passes a chunked body: no CONTENT_LENGTH, a stream it terminates
        environ["wsgi.input_terminated"] = True
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, dict(headers)

    chunks = wsgi(environ, start_response)
    out = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return captured["status"], captured["headers"], out


@pytest.mark.parametrize("name", list(BODIES))
def test_the_lane_answers_exactly_what_the_webhook_answers(app, name):
    status, headers, body = call(app.wsgi_app, BODIES[name])
    expected_status, expected, _ = app.extensions["alexa_webhook"].handle(BODIES[name], "application/json", {})
    assert status[:3] == str(expected_status), f"{name}: status {status} from the lane, {expected_status} from the webhook"
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(body))
    if status.startswith("200"):
        a, b = json.loads(body), json.loads(expected)
        assert a["response"] == b["response"], f"{name}: the lane's response differs from the webhook's"
    else:
        assert json.loads(body) == json.loads(expected), f"{name}: the error bodies differ"


@pytest.mark.parametrize(
    ("case", "kwargs", "status"),
    [
        ("no length (chunked)", {"length": None}, "400"),  # werkzeug reads no body without a length
        ("malformed length", {"length": "12x"}, "400"),
        ("over the limit", {"length": str(10**9)}, "413"),
        ("short body", {"length": "5000"}, "400"),
        ("other method", {"method": "GET"}, "405"),
        ("other path", {"path": "/elsewhere"}, "404"),
        ("text/plain", {"content_type": "text/plain"}, "415"),
    ],
)
def test_everything_else_gets_its_json_error(app, case, kwargs, status):
    got_status, headers, body = call(app.wsgi_app, BODIES["launch"], **kwargs)
    assert got_status.startswith(status), f"{case}: expected {status}, got {got_status}"
    assert headers["Content-Type"] == "application/json", f"{case}: errors are JSON"
    assert "error" in json.loads(body), f"{case}: an error body names the error"


def test_body_over_limit_is_413(resources, skill):
    app = create_app(SkillConfig(dev=True, max_body_bytes=1024), resources=resources, skill=skill, verifiers=())
    response = app.test_client().post("/alexa", data=b"{" + b" " * 2048 + b"}", content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "request_entity_too_large"


# --- chunked bodies (the official ask-sdk verifier tests' finding) ---------------------------------

LIMIT = 2048


@pytest.fixture
def small_app(resources, skill):
    return create_app(SkillConfig(dev=True, max_body_bytes=LIMIT), resources=resources, skill=skill, verifiers=())


def test_a_chunked_body_over_the_limit_is_413(small_app):
    status, _, body = call(small_app.wsgi_app, b"{" + b" " * (LIMIT * 4) + b"}", length=None, terminated=True)
    assert status.startswith("413"), f"a chunked body over the limit got {status}, not 413"
    assert json.loads(body)["error"]["code"] == "request_entity_too_large"


def test_a_chunked_body_within_the_limit_is_answered(small_app):
    status, _, body = call(small_app.wsgi_app, BODIES["launch"], length=None, terminated=True)
    assert status.startswith("200"), f"a small chunked launch got {status}: {body[:200]!r}"
    assert json.loads(body)["response"]["outputSpeech"], "the launch is answered"


# --- one access line per response ------------------------------------------------------------------


LAUNCH = BODIES["launch"].decode()


def unknown_type() -> str:
    request = launch_request()
    request["type"] = "Alexa.NotInTheSdk"
    return json.dumps(envelope(request))


def access_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "skill.access"]


# (what, method, path, body, content type, status, route)
RESPONSES = [
    ("launch (the lane)", "POST", "/alexa", LAUNCH, "application/json", 200, "/alexa"),
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
def test_every_response_gets_one_access_line(resources, skill, caplog, what, method, path, body, content_type, status,
                                             route):
    config = SkillConfig(dev=True, max_body_bytes=4096, metrics_path="/metrics")
    app = create_app(config, resources=resources, skill=skill, verifiers=())
    with caplog.at_level(logging.INFO, logger="skill.access"):
        response = app.test_client().open(path, method=method, data=body, content_type=content_type)
    assert response.status_code == status, f"{what}: got {response.status_code}"
    lines = access_lines(caplog)
    assert len(lines) == 1, f"{what}: expected one access line, got {lines}"
    assert lines[0]["status"] == status and lines[0]["route"] == route and lines[0]["method"] == method, lines[0]
    assert "latency_ms" in lines[0] and "wp-login" not in json.dumps(lines[0]), f"{what}: {lines[0]}"


def test_access_log_has_no_user_data(client, caplog):
    request = intent_request("TriggerDetailIntent", slot("trigger", "espresso", id="caffeine"))
    with caplog.at_level(logging.INFO, logger="skill.access"):
        client.post("/alexa", data=json.dumps(envelope(request, attributes={"secret": "PRIVATE-ANSWER"})),
                    content_type="application/json")
    lines = [r.getMessage() for r in caplog.records if r.name == "skill.access"]
    assert lines, "each request writes an access log line"
    record = json.loads(lines[-1])
    assert record["type"] == "IntentRequest" and record["status"] == 200 and "latency_ms" in record
    assert record["intent"] == "TriggerDetailIntent" and record["request_id"].startswith("amzn1.echo-api.request.")
    for secret in ("TESTUSER", "TESTDEVICE", "TEST-TOKEN", "espresso", "PRIVATE-ANSWER"):
        assert secret not in lines[-1], f"the access log leaks {secret!r}: {lines[-1]}"
