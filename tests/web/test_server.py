"""The production server (skill/web/server.py, gunicorn_conf.py, wsgi.py) as operators run it: real
gunicorn processes on 127.0.0.1, started by ``nose-twitch serve`` or by gunicorn itself.

* gunicorn's own configuration (``GUNICORN_CMD_ARGS``, a config file) overrides the project's;
* ``gunicorn 'skill.web.wsgi:app'`` works from the environment and keeps verification, the
  skill-id check and the access log;
* SIGTERM lets a request in flight finish, then the server exits 0;
* a reload (HUP), or a worker told to stop (TERM), under load loses no request; a worker killed
  outright loses at most the one request it held (reliability review of 2026-12-06, M5);
* metrics across two workers add up, count what an on-call engineer needs, and hold no personal data;
* every log line has a UTC ISO-8601 time, a level and a pid, and every response has a line.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from skill.tools.envelopes import APPLICATION_ID, DEVICE_ID, USER_ID, envelope, intent_request, launch_request
from tests.support.servers import (
    ROOT, assert_every_line_is_stamped, finish, free_port, head, held_request, post, raw_exchange, request, sample, scrape,
    serve_command, serving,
)

pytestmark = pytest.mark.slow  # real gunicorn processes and load

LAUNCH = envelope(launch_request(), new=True)
LAUNCH_BODY = json.dumps(LAUNCH).encode()


# --- gunicorn's own configuration --------------------------------------------------------------


def test_gunicorn_cmd_args_override_the_projects_settings(tmp_path):
    ours, theirs = free_port(), free_port()
    env = {"GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{theirs} --workers 3 --graceful-timeout 5"}
    with serving(serve_command("--dev", "--port", str(ours), "--workers", "1"), tmp_path, theirs, env) as server:
        assert post(theirs, LAUNCH)[0] == 200
        with pytest.raises(OSError):
            request(ours, "GET", "/healthz")
        workers = server.workers(3)
        assert len(workers) == 3, f"GUNICORN_CMD_ARGS asked for 3 workers: {workers}"


def test_a_gunicorn_config_file_overrides_the_projects_settings(tmp_path):
    theirs = free_port()
    marker = tmp_path / "hook-ran"
    (tmp_path / "team.conf.py").write_text(
        f'bind = ["127.0.0.1:{theirs}"]\nworkers = 1\n'
        f"def when_ready(server):\n    open({str(marker)!r}, 'w').close()\n"
    )
    command = serve_command("--dev", "--port", str(free_port()), "--gunicorn-config", "team.conf.py")
    with serving(command, tmp_path, theirs) as server:
        assert post(theirs, LAUNCH)[0] == 200
        time.sleep(0.3)
        assert len(server.workers(1)) == 1, "the config file asked for 1 worker"
        assert marker.exists(), "the config file's own hook must run"


# --- graceful shutdown ---------------------------------------------------------------------------


def test_sigterm_lets_the_request_in_flight_finish_then_exits_0(tmp_path):
    port = free_port()
    body = json.dumps(LAUNCH).encode()
    with serving(serve_command("--dev", "--port", str(port), "--workers", "1"), tmp_path, port) as server:
        held = held_request(port, body)
        time.sleep(0.3)  # the worker has the request and waits for the rest of its body
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.7)
        assert server.process.poll() is None, "the server quit with a request in flight"
        status, answer = finish(held, body)
        assert status == 200 and answer["response"]["outputSpeech"], "the request in flight was not answered"
        assert server.process.wait(timeout=15) == 0, "a graceful shutdown exits 0"
    assert any(line.get("message", "").startswith("Handling signal: term") for line in server.lines())
    assert [line["status"] for line in server.access()] == [200, 200], "the health check and the held request"


# --- gunicorn 'skill.web.wsgi:app' ---------------------------------------------------------------


def test_plain_gunicorn_refuses_metrics_it_could_not_add_up(tmp_path):
    port = free_port()
    env = {**os.environ, "SKILL_DEV": "1", "SKILL_METRICS_PATH": "/metrics"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    done = subprocess.run([*gunicorn_command(port), "--preload"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode != 0, "metrics without the shared folder must not start"
    assert "python:skill.web.gunicorn_conf" in done.stderr, f"the refusal should say how to fix it:\n{done.stderr}"


def gunicorn_command(port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", *extra,
            "skill.web.wsgi:app"]


def test_plain_gunicorn_keeps_the_skill_id_check_and_the_access_log(tmp_path):
    port = free_port()
    env = {"SKILL_ID": APPLICATION_ID, "SKILL_DEV": "1"}
    with serving(gunicorn_command(port), tmp_path, port, env) as server:
        assert post(port, LAUNCH)[0] == 200
        status, answer = post(port, envelope(launch_request(), application_id="amzn1.ask.skill.someone-else"))
        assert status == 400 and "different skill" in answer["error"]["message"]
    lines = server.access()
    assert [line["status"] for line in lines] == [200, 200, 400], f"every response is logged: {lines}"
    assert lines[-1]["error"] == "verification:skill_id_mismatch"


def test_plain_gunicorn_in_production_verifies_signatures_and_counts_failures(tmp_path):
    port, metrics_port = free_port(), free_port()
    env = {"SKILL_ID": APPLICATION_ID, "SKILL_METRICS_PATH": "/metrics", "SKILL_METRICS_PORT": str(metrics_port),
           "SKILL_LOG_LEVEL": "WARNING"}
    command = gunicorn_command(port, "-c", "python:skill.web.gunicorn_conf")
    with serving(command, tmp_path, port, env) as server:
        status, answer = post(port, envelope(launch_request(), new=True))  # unsigned, fresh: only the signature fails
        assert status == 400 and answer["error"]["code"] == "verification_failed", answer
        samples, on_port = scrape(port), scrape(metrics_port)
    for counted in (samples, on_port):
        assert sample(counted, "nose_twitch_verification_failures_total", reason="cert_url_missing") == 1
    assert not [line for line in server.lines() if line["level"] == "INFO"], "SKILL_LOG_LEVEL=WARNING: no INFO lines"


# --- metrics and logs across two workers ---------------------------------------------------------


def conversation_to_emergency(port: int) -> None:
    """A symptom check answered yes to its first question: an emergency routing."""
    status, started = post(port, envelope(intent_request("SymptomCheckIntent"), new=True))
    assert status == 200
    attributes = started.get("sessionAttributes") or {}
    status, outcome = post(port, envelope(intent_request("AMAZON.YesIntent"), attributes=attributes))
    assert status == 200 and outcome["response"].get("shouldEndSession") is True, "the emergency ends the session"


def test_metrics_add_up_across_two_workers_and_every_response_is_logged(tmp_path):
    port, metrics_port = free_port(), free_port()
    flags = ("--dev", "--skill-id", APPLICATION_ID, "--port", str(port), "--workers", "2",
             "--metrics-path", "/metrics", "--metrics-port", str(metrics_port), "--metrics-host", "127.0.0.1")
    body = json.dumps(LAUNCH).encode()
    with serving(serve_command(*flags), tmp_path, port) as server:
        held = held_request(port, body)  # one worker busy: the next requests go to the other
        time.sleep(0.3)
        for _ in range(3):
            assert post(port, LAUNCH)[0] == 200
        assert finish(held, body)[0] == 200
        for _ in range(2):
            assert post(port, LAUNCH)[0] == 200
        conversation_to_emergency(port)
        assert post(port, envelope(launch_request(), application_id="amzn1.ask.skill.other"))[0] == 400
        assert request(port, "GET", "/nowhere")[0] == 404
        assert request(port, "GET", "/alexa")[0] == 405
        assert post(port, b"not json")[0] == 400
        big = b"{" + b" " * (300 * 1024) + b"}"
        assert request(port, "POST", "/alexa", big, {"Content-Type": "application/json"})[0] == 413
        on_path, on_port = scrape(port), scrape(metrics_port)
        text = request(metrics_port, "GET", "/metrics")[1].decode()

    pids = {line["pid"] for line in server.access() if line.get("type") == "LaunchRequest"}
    assert len(pids) == 2, f"the traffic should have reached both workers: {pids}"
    for samples, where in ((on_path, "--metrics-path"), (on_port, "--metrics-port")):
        launches = sample(samples, "nose_twitch_requests_total", type="LaunchRequest", status="200")
        assert launches == 6, f"{where}: 6 launches over both workers, counted {launches}"
        assert sample(samples, "nose_twitch_requests_total", type="IntentRequest", intent="AMAZON.YesIntent") == 1
        for status in ("404", "405", "413"):
            assert sample(samples, "nose_twitch_requests_total", status=status) == 1, f"{where}: one {status}"
        assert sample(samples, "nose_twitch_outcomes_total", level="emergency", locale="en-US") == 1, where
        assert sample(samples, "nose_twitch_verification_failures_total", reason="skill_id_mismatch") == 1, where
        assert sample(samples, "nose_twitch_request_duration_seconds_count") >= 14, where
    for secret in (USER_ID, DEVICE_ID, "TEST-TOKEN", "amzn1.echo-api.session"):
        assert secret not in text and secret not in server.stderr(), f"{secret!r} leaked into metrics or logs"

    statuses = sorted(line["status"] for line in server.access())
    for status in (404, 405, 413, 400):
        assert status in statuses, f"the {status} response has no access line: {statuses}"
    assert_every_line_is_stamped(server)


def test_a_metrics_port_already_taken_stops_the_server_with_a_reason(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in ("GUNICORN_CMD_ARGS", "PROMETHEUS_MULTIPROC_DIR")}
        done = subprocess.run(serve_command("--dev", "--port", str(free_port()), "--metrics-port", str(busy)),
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2, f"exit {done.returncode}:\n{done.stderr[-1500:]}"
    assert f"cannot serve metrics on 127.0.0.1:{busy}" in done.stderr


# --- restarts under load ---------------------------------------------------------------------------


class Load:
    """Client threads posting launches back to back; every outcome counted."""

    def __init__(self, port: int, threads: int = 6) -> None:
        self.port, self.ok, self.failed = port, 0, []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("POST", "/alexa", body=LAUNCH_BODY, headers={"Content-Type": "application/json"})
                reply = conn.getresponse()
                reply.read()
                conn.close()
                outcome = reply.status
            except (OSError, http.client.HTTPException) as exc:  # a killed worker can cut a reply short
                outcome = type(exc).__name__
            with self._lock:
                if outcome == 200:
                    self.ok += 1
                else:
                    self.failed.append(outcome)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)


@pytest.mark.slow
def test_a_reload_and_a_worker_told_to_stop_under_load_lose_nothing(tmp_path):
    port = free_port()
    with serving(serve_command("--dev", "--port", str(port), "--workers", "2"), tmp_path, port) as server:
        with Load(port) as load:
            time.sleep(1.0)
            os.kill(server.workers(2)[0], signal.SIGTERM)  # `kill <worker>`: it finishes its request
            time.sleep(1.5)
            server.process.send_signal(signal.SIGHUP)  # `systemctl reload`: new workers, same socket
            time.sleep(2.5)
        assert server.process.poll() is None
    assert load.ok > 100, f"the load ran ({load.ok} answers)"
    assert load.failed == [], f"{len(load.failed)} requests lost in a worker stop and a reload: {load.failed[:5]}"


@pytest.mark.slow
def test_a_worker_killed_outright_under_load_loses_at_most_its_own_request(tmp_path):
    port = free_port()
    with serving(serve_command("--dev", "--port", str(port), "--workers", "2"), tmp_path, port) as server:
        with Load(port) as load:
            time.sleep(1.0)
            killed = server.workers(2)[0]
            os.kill(killed, signal.SIGKILL)
            time.sleep(2.0)
            assert killed not in server.workers(2) and len(server.workers(2)) == 2, "the worker was replaced"
    assert load.ok > 100
    assert len(load.failed) <= 1, f"only the request the killed worker held may be lost: {load.failed}"


# --- plain gunicorn with the project's config (newcomer review 5.5) ---------------------------------


def test_under_gunicorn_with_the_projects_config_every_line_is_json_and_says_where_it_listens(tmp_path):
    port = free_port()
    env = {"SKILL_DEV": "1", "PORT": str(port), "WORKERS": "1"}
    command = [sys.executable, "-m", "gunicorn", "-c", "python:skill.web.gunicorn_conf", "skill.web.wsgi:app"]
    with serving(command, tmp_path, port, env) as server:
        assert post(port, LAUNCH)[0] == 200
        raw_exchange(port, head(extra="Content-Length: abc\r\n\r\n") + b"{}")  # gunicorn's own refusal
        time.sleep(0.3)
    text = server.stderr()
    assert all(line.startswith("{") for line in text.splitlines()), f"a line that is not JSON:\n{text[-2000:]}"
    assert any("Nose Twitch Guide listening on" in line.get("message", "") for line in server.lines())
    assert [line["status"] for line in server.access()] == [200, 200, 400]
