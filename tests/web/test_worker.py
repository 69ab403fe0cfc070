"""gunicorn's own answers, restarts under load, and the metrics that must never take the service down.

Real servers on 127.0.0.1 (reliability review of 2026-12-06, L3, M4, M5, L7, and the load with a
killed worker):

* what gunicorn's HTTP parser refuses (a bad length, an oversized line or header, a NUL) gets the
  app's JSON error, an access line and a metric, like every other answer;
* a reload (HUP), or a worker told to stop (TERM), under load loses no request; a worker killed
  outright loses at most the one request it held;
* a metrics folder that fills up degrades the metrics, never the answers (no SIGBUS);
* the metrics port holds a bounded number of connections, drops idle ones, serves /metrics only.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from skill.web.worker import SkillSyncWorker, gunicorn_error
from tests.support.envelopes import envelope, intent_request, launch_request
from tests.support.servers import free_port, post, request, sample, scrape, serve_command, serving

LAUNCH = json.dumps(envelope(launch_request(), new=True)).encode()


def raw_exchange(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send ``data`` as it is; everything the server answers before it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return received


def head(path: str = "/alexa", extra: str = "", method: str = "POST") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{extra}".encode()


#: What gunicorn's parser refuses, as the review sent it, and the status gunicorn gives it.
PARSER_CASES = {
    "negative Content-Length": (head(extra="Content-Length: -1\r\n\r\n") + b"{}", 400),
    "Content-Length not a number": (head(extra="Content-Length: abc\r\n\r\n") + b"{}", 400),
    "Content-Length and Transfer-Encoding": (
        head(extra="Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n") + b"2\r\n{}\r\n0\r\n\r\n", 400),
    "a bad chunk size": (head(extra="Transfer-Encoding: chunked\r\n\r\n") + b"zz\r\n{}\r\n0\r\n\r\n", 400),
    "a NUL in a header": (head(extra="X-Probe: a\x00b\r\nContent-Length: 2\r\n\r\n") + b"{}", 400),
    "obs-fold": (head(extra="X-Probe: a\r\n folded\r\nContent-Length: 2\r\n\r\n") + b"{}", 400),
    "a 5 KB request line": (head(path="/alexa?" + "a" * 5000, extra="Content-Length: 2\r\n\r\n") + b"{}", 414),
    "200 headers": (head(extra="".join(f"X-H{n}: v\r\n" for n in range(200)) + "Content-Length: 2\r\n\r\n") + b"{}", 431),
    "a 64 KB Signature-256": (head(extra="Signature-256: " + "A" * 65536 + "\r\nContent-Length: 2\r\n\r\n") + b"{}", 431),
}


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    port = free_port()
    folder = tmp_path_factory.mktemp("gunicorn-errors")
    with serving(serve_command("--dev", "--port", str(port), "--workers", "1", "--metrics-path", "/metrics"),
                 folder, port) as server:
        yield server


@pytest.mark.parametrize("case", list(PARSER_CASES))
def test_gunicorns_own_refusals_are_json_with_an_access_line_and_a_metric(dev_server, case):
    data, status = PARSER_CASES[case]
    port = dev_server.port
    before = sample(scrape(port), "nose_twitch_requests_total", status=str(status))
    lines_before = len(dev_server.access())
    answer = raw_exchange(port, data)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(f"HTTP/1.1 {status}".encode()), f"{case}: {answer[:200]!r}"
    body = rest.partition(b"\r\n\r\n")[2]
    assert b"<html" not in answer.lower(), f"{case}: gunicorn's HTML page"
    assert json.loads(body)["error"]["code"], f"{case}: not the app's JSON error: {body[:200]!r}"
    time.sleep(0.2)
    new = dev_server.access()[lines_before:]
    assert [line["status"] for line in new if line.get("route") != "/metrics"] == [status], f"{case}: {new}"
    assert sample(scrape(port), "nose_twitch_requests_total", status=str(status)) == before + 1, f"{case}: not counted"


def test_a_truncated_chunked_body_is_logged_and_counted(dev_server):
    lines_before = len(dev_server.access())
    raw_exchange(dev_server.port, head(extra="Transfer-Encoding: chunked\r\n\r\n") + b"10\r\n{\"a\":")
    time.sleep(0.3)
    new = [line for line in dev_server.access()[lines_before:] if line.get("route") != "/metrics"]
    assert [(line["status"], line["error"]) for line in new] == [(400, "body_unreadable")], new


def test_the_server_still_answers_after_every_refusal(dev_server):
    assert post(dev_server.port, json.loads(LAUNCH))[0] == 200
    assert not [line for line in dev_server.stderr().splitlines() if not line.startswith("{")], "every line is JSON"


class FakeClient:
    def __init__(self) -> None:
        self.sent = b""

    def sendall(self, data: bytes) -> None:
        self.sent += data


class FakeRequest:
    method, path = "POST", "/alexa"


def test_a_worker_stopped_mid_request_answers_a_json_503_with_its_line(caplog):
    # gunicorn stops a worker whose request outlived the timeout by raising SystemExit in it.
    worker = SkillSyncWorker.__new__(SkillSyncWorker)
    worker.wsgi = None
    client = FakeClient()
    with caplog.at_level("INFO"):
        worker.handle_error(FakeRequest(), client, ("127.0.0.1", 1), SystemExit(1))
    assert client.sent.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), client.sent[:100]
    assert json.loads(client.sent.partition(b"\r\n\r\n")[2])["error"]["code"] == "worker_timeout"
    [line] = [r for r in caplog.records if r.name == "skill.access"]
    assert line.levelname == "ERROR" and line.msg.fields == {"error": "worker_timeout", "status": 503}
    assert gunicorn_error(ValueError())[0] == 500


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
                conn.request("POST", "/alexa", body=LAUNCH, headers={"Content-Type": "application/json"})
                reply = conn.getresponse()
                reply.read()
                conn.close()
                outcome = reply.status
            except OSError as exc:
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


# --- plain gunicorn with the project's config (newcomer review 5.5) ---------------------------------


def test_under_gunicorn_with_the_projects_config_every_line_is_json_and_says_where_it_listens(tmp_path):
    port = free_port()
    env = {"SKILL_DEV": "1", "PORT": str(port), "WORKERS": "1"}
    command = [sys.executable, "-m", "gunicorn", "-c", "python:skill.web.gunicorn_conf", "skill.web.wsgi:app"]
    with serving(command, tmp_path, port, env) as server:
        assert post(port, json.loads(LAUNCH))[0] == 200
        raw_exchange(port, head(extra="Content-Length: abc\r\n\r\n") + b"{}")  # gunicorn's own refusal
        time.sleep(0.3)
    text = server.stderr()
    assert all(line.startswith("{") for line in text.splitlines()), f"a line that is not JSON:\n{text[-2000:]}"
    assert any("Nose Twitch Guide listening on" in line.get("message", "") for line in server.lines())
    assert [line["status"] for line in server.access()] == [200, 200, 400]


def test_version_names_the_installed_version():
    done = subprocess.run([sys.executable, "-m", "skill", "--version"], capture_output=True, text=True, timeout=60)
    from importlib.metadata import version

    assert done.returncode == 0 and done.stdout.startswith(f"nose-twitch {version('nose-twitch-skill')} (Python ")
