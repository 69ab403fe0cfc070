"""The WSGI fast lane answers the Alexa POST exactly as the Flask route does, and hands the rest to Flask."""

from __future__ import annotations

import io
import json

import pytest

from skill.config import SkillConfig
from skill.web.app import AlexaFastLane, create_app
from tests.support.envelopes import envelope, intent_request, launch_request, slot

BODIES = {
    "launch": json.dumps(envelope(launch_request(), new=True)).encode(),
    "trigger": json.dumps(envelope(intent_request("TriggerDetailIntent", slot("trigger", "coffee", id="caffeine")))).encode(),
    "not json": b"not json",
    "not an envelope": b"[1]",
    "empty": b"",
}


@pytest.fixture
def app(config: SkillConfig, resources, skill):
    return create_app(config, resources=resources, skill=skill, verifiers=())


def call(wsgi, body: bytes, *, length: str | None = "auto", content_type="application/json", method="POST", path="/alexa"):
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
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, dict(headers)

    chunks = wsgi(environ, start_response)
    out = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return captured["status"], captured["headers"], out


def test_the_app_runs_behind_the_lane(app):
    assert isinstance(app.wsgi_app, AlexaFastLane), "the Alexa POST should take the fast lane"


@pytest.mark.parametrize("name", list(BODIES))
def test_lane_and_flask_route_answer_alike(app, name):
    lane = call(app.wsgi_app, BODIES[name])
    flask_only = call(app.wsgi_app._next, BODIES[name])  # the Flask app the lane wraps
    assert lane[0] == flask_only[0], f"{name}: status {lane[0]} from the lane, {flask_only[0]} from Flask"
    assert lane[1]["Content-Type"] == flask_only[1]["Content-Type"] == "application/json"
    assert lane[1]["Content-Length"] == str(len(lane[2]))
    if lane[0].startswith("200"):
        a, b = json.loads(lane[2]), json.loads(flask_only[2])
        assert a["response"] == b["response"], f"{name}: the lane's response differs from Flask's"
    else:
        assert json.loads(lane[2]) == json.loads(flask_only[2]), f"{name}: the error bodies differ"


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
def test_everything_else_goes_to_flask_and_gets_its_json_error(app, case, kwargs, status):
    got_status, headers, body = call(app.wsgi_app, BODIES["launch"], **kwargs)
    assert got_status.startswith(status), f"{case}: expected {status}, got {got_status}"
    assert headers["Content-Type"] == "application/json", f"{case}: errors are JSON"
    assert "error" in json.loads(body), f"{case}: an error body names the error"
