"""Real servers for the tests: start one on 127.0.0.1, talk to it, read its JSON log lines."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30.0
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Running:
    """A server process, its port and its stderr."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    def lines(self) -> list[dict[str, Any]]:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def access(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line.get("logger") == "skill.access"]

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def workers(self, expected: int) -> list[int]:
        """The worker pids, once there are ``expected`` of them (they boot one after another)."""
        pid = self.process.pid
        deadline = time.monotonic() + 10
        while True:
            found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            if len(found) >= expected or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@contextmanager
def serving(command: list[str], tmp_path: Path, port: int, env: dict[str, str] | None = None) -> Iterator[Running]:
    """Start ``command``; wait until /healthz on ``port`` answers; stop it (SIGTERM) afterwards."""
    log = tmp_path / f"server-{port}.log"
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    for name in ("SKILL_ID", "SKILL_DEV", "GUNICORN_CMD_ARGS", "PROMETHEUS_MULTIPROC_DIR", "SKILL_LOG_LEVEL",
                 "SKILL_METRICS_PATH", "SKILL_METRICS_PORT", "SKILL_GUNICORN_CONFIG"):
        if name not in (env or {}):
            child_env.pop(name, None)
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=tmp_path, env=child_env, stdin=subprocess.DEVNULL,
                                   stdout=sink, stderr=sink)
    running = Running(process, port, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{running.stderr()}")
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {STARTUP_TIMEOUT:.0f} s:\n{running.stderr()}")
            time.sleep(0.1)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def serve_command(*flags: str) -> list[str]:
    return [sys.executable, "-m", "skill", "serve", *flags]


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
            ) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


def post(port: int, data: dict[str, Any] | bytes) -> tuple[int, dict[str, Any]]:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    status, raw = request(port, "POST", "/alexa", body, {"Content-Type": "application/json"})
    return status, json.loads(raw)


def scrape(port: int, path: str = "/metrics") -> dict[str, float]:
    """Every sample of the skill's metrics: ``'name{labels}' -> value``."""
    status, raw = request(port, "GET", path)
    assert status == 200, f"the metrics scrape got {status}"
    samples = {}
    for line in raw.decode().splitlines():
        if line.startswith("nose_twitch_"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def sample(samples: dict[str, float], name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels``."""
    total = 0.0
    for key, value in samples.items():
        metric, _, rest = key.partition("{")
        have = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if metric == name and all(have.get(k) == v for k, v in labels.items()):
            total += value
    return total


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
    """The start of a raw HTTP request (its headers end in ``extra``)."""
    return f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{extra}".encode()


def held_request(port: int, body: bytes) -> socket.socket:
    """A POST whose body is half sent: the worker that took it stays busy until the rest comes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = (f"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    sock.sendall(head + body[: len(body) // 2])
    return sock


def finish(sock: socket.socket, body: bytes) -> tuple[int, dict[str, Any]]:
    sock.sendall(body[len(body) // 2:])
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    sock.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


def assert_every_line_is_stamped(running: Running) -> None:
    for line in running.log.read_text(encoding="utf-8").splitlines():
        assert line.startswith("{"), f"a log line without time, level and pid: {line!r}"
        record = json.loads(line)
        assert TIME.match(record["time"]), f"not an ISO-8601 UTC time: {record['time']!r}"
        assert record["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"} and isinstance(record["pid"], int)
