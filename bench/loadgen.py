"""HTTP load on 127.0.0.1: wrk when it is installed, else a Python load generator.

Both send the request mix in rotation over ``connections`` concurrent connections for a fixed
time and report throughput and latency percentiles. gunicorn's sync workers close the connection
after each response, so every request opens a new one, for every app alike.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Request


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_us: float
    p99_us: float
    failures: int  # non-2xx answers, connection errors and timeouts
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str:
    path = wrk_path()
    if path is None:
        return "not installed"
    done = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).split("Copyright")[0].strip()


def _lua_string(text: str) -> str:
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def _wrk_script(requests: list[Request], path: str) -> str:
    items = []
    for req in requests:
        headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in req.headers.items())
        items.append(f"  {{body = {_lua_string(req.body.decode('utf-8'))}, headers = {{{headers}}}}}")
    return (
        "local mix = {\n" + ",\n".join(items) + "\n}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #mix + 1\n"
        f"  return wrk.format('POST', {_lua_string(path)}, mix[i].headers, mix[i].body)\n"
        "end\n"
        "done = function(summary, latency, requests)\n"
        "  local e = summary.errors\n"
        "  io.write(string.format('BENCH_RESULT {\"requests\": %d, \"duration_us\": %d, \"p50\": %d, "
        "\"p99\": %d, \"failures\": %d}\\n', summary.requests, summary.duration, latency:percentile(50), "
        "latency:percentile(99), e.status + e.connect + e.read + e.write + e.timeout))\n"
        "end\n"
    )


def run_wrk(port: int, path: str, requests: list[Request], seconds: float, connections: int) -> LoadResult:
    wrk = wrk_path()
    if wrk is None:
        raise RuntimeError("wrk is not installed")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "mix.lua"
        script.write_text(_wrk_script(requests, path), encoding="utf-8")
        command = [
            wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
            "-s", str(script), f"http://127.0.0.1:{port}{path}",
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_us=float(data["p50"]),
        p99_us=float(data["p99"]),
        failures=data["failures"],
        tool="wrk",
    )


def run_python(port: int, path: str, requests: list[Request], seconds: float, connections: int) -> LoadResult:
    """Threads posting the mix with http.client; slower than wrk, so it caps what it can show."""
    latencies: list[list[int]] = [[] for _ in range(connections)]
    failures = [0] * connections
    start_barrier = threading.Barrier(connections + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        clock = time.perf_counter_ns
        mine = latencies[index]
        position = index
        start_barrier.wait()
        while time.perf_counter() < deadline[0]:
            req = requests[position % len(requests)]
            position += 1
            began = clock()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("POST", path, body=req.body, headers=req.headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = 200 <= response.status < 300
            except OSError:
                ok = False
            mine.append(clock() - began)
            if not ok:
                failures[index] += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for values in latencies for x in values)

    def pct(q: float) -> float:
        return every[min(len(every) - 1, max(0, round(q / 100 * len(every)) - 1))] / 1000 if every else 0.0

    return LoadResult(len(every), elapsed, pct(50), pct(99), sum(failures), "python (threads, http.client)")


def run_load(tool: str, port: int, path: str, requests: list[Request], seconds: float, connections: int) -> LoadResult:
    if tool == "wrk":
        return run_wrk(port, path, requests, seconds, connections)
    return run_python(port, path, requests, seconds, connections)
