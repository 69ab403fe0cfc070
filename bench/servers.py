"""Child processes: the production server per app (for load, memory and server cold start) and the
one-request cold start. Every process started here is stopped here, by its own pid."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.apps import ENDPOINT
from bench.corpus import Request

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(port: int, req: Request, timeout: float = 5.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", ENDPOINT, body=req.body, headers=req.headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


#: This skill's server runs with Prometheus metrics on (the variant the ratios must hold with).
METRICS_PATH = "/metrics"


@dataclass
class Server:
    """``python -m bench.serve NAME``: gunicorn with the settings of ``nose-twitch serve``; this
    skill with metrics on at :data:`METRICS_PATH` (multiprocess mode, a folder under ``log_dir``)."""

    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @classmethod
    def start(cls, name: str, pki_dir: Path, workers: int, log_dir: Path) -> Server:
        port = free_port()
        log = log_dir / f"{name}-server.log"
        command = [sys.executable, "-m", "bench.serve", name, "--port", str(port), "--workers", str(workers),
                   "--pki", str(pki_dir)]
        env = {**os.environ}
        if name == "skill":
            env["SKILL_METRICS_PATH"] = METRICS_PATH
            env["PROMETHEUS_MULTIPROC_DIR"] = str(log_dir / f"metrics-{port}")
        with log.open("wb") as sink:
            process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=sink, env=env)
        return cls(name, port, process, log)

    def metrics(self) -> str:
        """The server's Prometheus text (this skill only), to check the metrics counted the load."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", METRICS_PATH)
            return conn.getresponse().read().decode("utf-8")
        finally:
            conn.close()

    def wait_ready(self, probe: Request, timeout: float = 30.0, interval: float = 0.002) -> float:
        """Seconds until the first 200 to ``probe``; raises if the server dies or never answers."""
        began = time.perf_counter()
        while time.perf_counter() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited ({self.process.returncode}); see {self.log}")
            try:
                if post(self.port, probe, timeout=timeout) == 200:
                    return time.perf_counter() - began
            except OSError:
                pass
            time.sleep(interval)
        raise RuntimeError(f"{self.name} server did not answer within {timeout} s; see {self.log}")

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def peak_rss_mib(self) -> tuple[float, float]:
        """(largest peak RSS of a worker, largest peak unique memory of a worker) in MiB."""
        peaks, uniques = [0.0], [0.0]
        for pid in self.workers():
            peaks.append(_status_kib(pid, "VmHWM") / 1024)
            uniques.append(_private_kib(pid) / 1024)
        return max(peaks), max(uniques)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _status_kib(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def _private_kib(pid: int) -> float:
    """Memory only this process holds (private clean + dirty), from smaps_rollup."""
    total = 0.0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += float(line.split()[1])
    except OSError:
        pass
    return total


def cold_start(name: str, probe: Request, pki_dir: Path, env: dict[str, str] | None = None) -> float:
    """Milliseconds from spawning a fresh interpreter to its answer to one request (in process).

    ``env``: variables to set in the child on top of this process's environment.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump({"body": probe.body.decode("utf-8"), "headers": probe.headers}, handle)
        request_file = handle.name
    try:
        command = [sys.executable, "-m", "bench.coldstart", name, request_file, str(pki_dir)]
        began = time.perf_counter()
        child_env = {**os.environ, **env} if env else None
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env)
        line = process.stdout.readline() if process.stdout else b""
        elapsed = time.perf_counter() - began
        _, errors = process.communicate(timeout=30)
        if process.returncode != 0 or not line.startswith(b"200"):
            raise RuntimeError(f"cold start of {name} failed: {line!r} {errors[-800:]!r}")
        return elapsed * 1000
    finally:
        os.unlink(request_file)


def cold_start_phases(probe: Request, pki_dir: Path) -> dict[str, float]:
    """This skill's cold start, step by step (milliseconds), in a fresh interpreter."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump({"body": probe.body.decode("utf-8"), "headers": probe.headers}, handle)
        request_file = handle.name
    try:
        command = [sys.executable, "-m", "bench.coldstart", "--phases", request_file, str(pki_dir)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"cold start phases failed: {done.stderr[-800:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        os.unlink(request_file)


def server_cold_start(name: str, probe: Request, pki_dir: Path, workers: int, log_dir: Path) -> float:
    """Milliseconds from spawning the production server to its first 200 over HTTP."""
    began = time.perf_counter()
    server = Server.start(name, pki_dir, workers, log_dir)
    try:
        server.wait_ready(probe, interval=0.001)
        return (time.perf_counter() - began) * 1000
    finally:
        server.stop()
