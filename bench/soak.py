"""Soak: the production server (gunicorn, verification ON) under 30 s of load answers every request
and its workers' memory stays steady. Not a speed test: speed is measured by ``python -m bench``.

    python -m bench.soak       # about 40 s; prints what it saw, exit status 1 on any problem

The suite runs it (tests/bench_smoke/test_bench_smoke.py, marked slow).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.corpus import Signer, record_mix, render
from bench.loadgen import run_python
from bench.servers import Server, _status_kib

SEGMENTS = 3
SEGMENT_SECONDS = 10.0
#: Allowed growth of a worker's resident memory between the first and last segment.
MAX_GROWTH_MIB = 8.0


def worker_rss_mib(server: Server) -> dict[int, float]:
    return {pid: _status_kib(pid, "VmRSS") / 1024 for pid in server.workers()}


def soak() -> list[str]:
    """Thirty seconds of signed load on two workers; every problem seen (empty when it held)."""
    turns = record_mix()
    signer = Signer()
    with tempfile.TemporaryDirectory(prefix="nose-twitch-soak-") as tmp:
        pki_dir = signer.write(Path(tmp) / "pki")
        server = Server.start("skill", pki_dir, workers=2, log_dir=Path(tmp))
        try:
            server.wait_ready(render(turns[:1], signer)[0])
            samples, total, failures = [], 0, 0
            for _ in range(SEGMENTS):
                # Fresh ids and timestamps each segment: the verifier allows 150 s of age.
                result = run_python(server.port, "/alexa", render(turns, signer), SEGMENT_SECONDS, connections=4)
                total += result.requests
                failures += result.failures
                samples.append(worker_rss_mib(server))
            log = (Path(tmp) / "skill-server.log").read_text(encoding="utf-8", errors="replace")
        finally:
            server.stop()
    problems = []
    if not total > 1000:
        problems.append(f"the load generator sent too little to mean anything: {total} requests")
    if failures != 0:
        problems.append(f"{failures} of {total} requests failed under load; server log tail:\n{log[-2000:]}")
    first, last = samples[0], samples[-1]
    if not (first and set(first) == set(last)):
        problems.append(f"workers were replaced during the run: {first} -> {last}")
    else:
        for pid in first:
            growth = last[pid] - first[pid]
            if growth > MAX_GROWTH_MIB:
                problems.append(f"worker {pid} grew {growth:.1f} MiB in {SEGMENTS * SEGMENT_SECONDS:.0f} s")
    print(f"soak: {total} requests, {failures} failed; worker memory (MiB) {first} -> {last}")
    return problems


def main() -> int:
    problems = soak()
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
