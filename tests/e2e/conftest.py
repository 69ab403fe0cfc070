"""End-to-end fixtures: the real server (gunicorn, dev mode) and virtual-alexa driving it over HTTP.

``node_modules`` installs the pinned virtual-alexa with ``npm ci`` once; ``server_url`` runs
``python -m skill serve --dev`` on a free loopback port; ``drive(turns)`` plays one session through
tests/e2e/driver.js and returns the responses with each turn's access-log fields.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.npm import installed_node_modules

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parent.parent
MODEL_DIR = ROOT / "interaction_model"
DRIVER = E2E_DIR / "driver.js"
STARTUP_TIMEOUT = 30.0
DRIVE_TIMEOUT = 60.0


def model_path(locale: str) -> Path:
    return MODEL_DIR / f"{locale}.json"


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """tests/e2e/node_modules with virtual-alexa, installed from the lock file if missing."""
    return installed_node_modules(E2E_DIR, ("virtual-alexa",), what="the end-to-end tests", timeout=300)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """The running server: its endpoint URL and the file its stderr (access log included) goes to."""

    url: str
    base: str
    log_path: Path

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON access-log lines written so far (other stderr lines are skipped)."""
        lines = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    continue
        return lines


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="nose-twitch-e2e-") as tmp:
        log_path = Path(tmp) / "server.stderr"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("SKILL_ID", None)
        with open(log_path, "wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "skill", "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            _wait_healthy(proc, base, log_path)
            yield Server(url=f"{base}/alexa", base=base, log_path=log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _wait_healthy(proc: subprocess.Popen, base: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
                last_error = f"status {reply.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.2)
    stderr = log_path.read_text(encoding="utf-8", errors="replace")
    state = f"exited with {proc.returncode}" if proc.poll() is not None else f"not healthy after {STARTUP_TIMEOUT:.0f} s"
    pytest.fail(f"the server {state} (last health check: {last_error}); its stderr:\n{stderr}")


@pytest.fixture(scope="session")
def server_url(server: Server) -> str:
    """The real webhook's endpoint, e.g. http://127.0.0.1:PORT/alexa."""
    return server.url


@dataclass
class Session:
    """What one virtual-alexa session got back; ``logs[i]`` is turn i's access-log fields."""

    responses: list[dict[str, Any]]
    error: str | None
    request_ids: list[str] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture(scope="session")
def drive(node_modules: Path, server: Server) -> Callable[..., Session]:
    """``drive(turns, locale="en-US")``: play one session through virtual-alexa against the server."""
    node = shutil.which("node")
    assert node is not None

    def run(turns: list[dict[str, Any]], locale: str = "en-US") -> Session:
        model = model_path(locale)
        assert model.is_file(), f"no interaction model for {locale}: {model}"
        job = {"url": server.url, "model": str(model), "locale": locale, "turns": turns}
        env = {**os.environ, "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1"}
        done = subprocess.run(
            [node, str(DRIVER)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=E2E_DIR,
            env=env,
            timeout=DRIVE_TIMEOUT,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        assert done.returncode == 0 and lines, (
            f"driver.js failed (exit {done.returncode}):\nstdout: {done.stdout}\nstderr: {done.stderr}"
        )
        result = json.loads(lines[-1])
        request_ids = result.get("requestIds") or []
        by_id = {line.get("request_id"): line for line in server.log_lines()}
        logs = [by_id.get(request_id, {}) for request_id in request_ids]
        return Session(
            responses=result["responses"], error=result["error"], request_ids=request_ids, logs=logs
        )

    return run
