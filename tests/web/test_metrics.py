"""Prometheus metrics (skill/web/metrics.py): counted by level, locale and reason only, labels
bounded, off by default; a metrics folder that fills up degrades the metrics, never the answers; the
metrics port serves /metrics only, to a bounded number of connections."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder

from skill.alexa.context import note
from skill.alexa.serializer import Serializer
from skill.config import SkillConfig
from skill.web.app import create_app
from skill.web.metrics import MAX_LABEL_VALUES, Metrics
from skill.tools.envelopes import envelope, intent_request
from tests.support.servers import free_port, post, request, serving


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
    skill = builder.create()
    skill.serializer = Serializer()  # as build_skill installs it: the webhook reads requests with it
    config = SkillConfig(dev=True, metrics_path="/metrics")
    app = create_app(config, resources=resources, skill=skill, verifiers=())
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


# --- the metrics folder fills up (M4) ------------------------------------------------------------------

_FULL_TMPFS = """
set -e
mount -t tmpfs -o size=6m tmpfs "$1"
mkdir "$1/prom"
export PROMETHEUS_MULTIPROC_DIR="$1/prom"
exec "$2" -m skill serve --dev --port "$3" --workers 2 --metrics-path /metrics
"""


@pytest.mark.slow
@pytest.mark.skipif(not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare")),
                    reason="mounting a small tmpfs in a private namespace needs root and unshare")
def test_a_full_metrics_folder_degrades_metrics_and_every_request_is_still_answered(tmp_path):
    # The review's reproduction: a 1 MB tmpfs filled with dd, then new intent names: SIGBUS in a loop.
    mount = tmp_path / "mnt"
    mount.mkdir()
    port = free_port()
    command = ["unshare", "-m", "sh", "-c", _FULL_TMPFS, "sh", str(mount), sys.executable, str(port)]
    with serving(command, tmp_path, port) as server:
        pid = server.process.pid
        fill = subprocess.run(["nsenter", "-t", str(pid), "-m", "sh", "-c",
                               f"dd if=/dev/zero of={mount}/prom/fill bs=4k 2>/dev/null; true"],
                              capture_output=True, text=True, timeout=60)
        assert fill.returncode == 0, fill.stderr
        statuses = []
        for n in range(50):
            statuses.append(post(port, envelope(intent_request(f"New{n}Intent")))[0])
        health = json.loads(request(port, "GET", "/healthz")[1])
        workers = server.workers(2)
    assert statuses == [200] * 50, f"every request is answered with the folder full: {statuses}"
    assert health["status"] == "ok" and health["metrics"].startswith("degraded: "), health
    assert "SIGBUS" not in server.stderr() and len(workers) == 2, "no worker died"
    assert [line for line in server.lines() if line.get("message", "").startswith("Metrics degraded")], \
        "one ERROR line says why the metrics stopped"


# --- the metrics port (L7) ---------------------------------------------------------------------------


def test_the_metrics_port_bounds_its_connections_drops_idle_ones_and_serves_metrics_only(monkeypatch, tmp_path):
    from skill.web import metrics

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # as under gunicorn: every worker's files
    monkeypatch.setattr(metrics._QuietHandler, "timeout", 1.0)
    port = free_port()
    server = metrics.start_metrics_server("127.0.0.1", port, max_connections=4)
    idle = []
    try:
        threads_before = threading.active_count()
        for _ in range(30):  # half-sent requests, left open
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /metrics HTTP/1.1\r\n")
            idle.append(sock)
        time.sleep(0.3)
        assert threading.active_count() - threads_before <= 4, "at most 4 connection threads"
        time.sleep(1.5)  # past the timeout: the idle ones are dropped, and a scrape gets through
        assert request(port, "GET", "/metrics")[0] == 200, "a scrape gets through once the idle ones are gone"
        assert request(port, "GET", "/anything")[0] == 404, "only /metrics is served"
    finally:
        for sock in idle:
            sock.close()
        server.shutdown()
        server.server_close()
