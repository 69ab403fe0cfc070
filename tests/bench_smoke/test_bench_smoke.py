"""The benchmark runs: ``python -m bench --smoke`` finishes quickly and writes the whole table, and
the soak (``python -m bench.soak``) holds.

Only that it works is checked here; a few hundred requests prove nothing about speed, so no
target is asserted (the full run, ``python -m bench``, reports them in bench/RESULTS.md). The bench
runs as a subprocess: the tests import nothing from bench/.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the bench CLI with real servers

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_smoke_run_writes_the_table(tmp_path: Path):
    out = tmp_path / "RESULTS.md"
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    elapsed = time.perf_counter() - began
    assert done.returncode == 0, f"python -m bench --smoke failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
    assert elapsed < 60, f"the smoke run took {elapsed:.0f} s; it must stay under 60 s"
    table = out.read_text(encoding="utf-8")
    assert table.strip() == done.stdout.strip(), "the printed table and the written file should be the same"
    for section in (
        "## Targets",
        "## 1. In-process cost per request",
        "## 2. HTTP on 127.0.0.1",
        "## 3. Cold start",
        "## 4. Conversation efficiency",
        "## 5. Lambda cold start (the built zip)",
        "## Machine and versions",
    ):
        assert section in table, f"the results lack the section {section!r}"
    for row in ("| json floor |", "| hello skill |", "| this skill |", "| this skill + verification |",
                "| bare Flask endpoint (fixed JSON) |", "| en-US |"):
        assert row in table, f"the results lack the row {row!r}"
    http = table.split("## 2.")[1].split("## 3.")[0]
    rows = [line.split("|") for line in http.splitlines() if line.startswith("| ") and "MiB" in line]
    assert len(rows) == 3, f"three apps under HTTP load, got:\n{http}"
    assert all(int(row[5]) == 0 for row in rows), f"no request may fail under load:\n{http}"
    assert "| Lambda cold import (built zip): this skill / hello skill built the same way |" in table
    lambda_part = table.split("## 5.")[1].split("## Reading it")[0]
    assert "| this skill |" in lambda_part or "not measured" in lambda_part, lambda_part


def test_thirty_seconds_of_signed_load_without_errors_or_memory_growth():
    """python -m bench.soak: a production server under 30 s of load answers every request and its
    workers' memory stays steady (the checks are bench/soak.py's)."""
    done = subprocess.run([sys.executable, "-m", "bench.soak"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"python -m bench.soak failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
    assert "soak: " in done.stdout, done.stdout
