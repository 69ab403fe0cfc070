"""The app (skill/web/app.py) over HTTP (Flask test client): its routes, and a JSON answer for
everything else."""

from __future__ import annotations

import json
import logging

from skill.config import SkillConfig
from skill.web.app import create_app
from tests.support.checks import assert_valid_response
from skill.tools.envelopes import envelope, launch_request


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/alexa", data=data, content_type=content_type)


def error_code(response) -> str:
    assert response.is_json, f"an error must be JSON, got {response.content_type}"
    return response.get_json()["error"]["code"]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_launch_over_http_is_a_valid_alexa_response(client):
    response = post(client, envelope(launch_request(), new=True))
    assert response.status_code == 200, response.data
    assert_valid_response(response.get_json())


def test_wrong_method_is_405_json(client):
    response = client.get("/alexa")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


def test_unknown_path_is_404_json(client):
    response = client.post("/nowhere", data="{}", content_type="application/json")
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_metrics_are_off_by_default(resources, skill):
    app = create_app(SkillConfig(dev=True), resources=resources, skill=skill, verifiers=())
    assert app.extensions["skill_metrics"] is None
    assert app.test_client().get("/metrics").status_code == 404


def test_a_response_from_flask_gets_its_access_line_with_its_error_code(client, caplog):
    with caplog.at_level(logging.INFO, logger="skill.access"):
        client.get("/alexa")
        client.get("/healthz")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "skill.access"]
    assert [(line["status"], line.get("error")) for line in lines] == [(405, "method_not_allowed"), (200, None)], lines
