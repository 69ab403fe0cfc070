"""Screen test fixtures: the pinned npm packages (apl-suggester, puppeteer-core) and chromium.

``apl_node_modules`` installs tests/apl/node_modules with ``npm ci`` from the committed lock file
once; ``node_json(script, job)`` runs one of this folder's node scripts with a JSON job on stdin
and returns its JSON answer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

APL_DIR = Path(__file__).resolve().parent
PACKAGES = ("apl-suggester", "puppeteer-core")
NODE_TIMEOUT = 120.0


@pytest.fixture(scope="session")
def apl_node_modules() -> Path:
    """tests/apl/node_modules with the pinned packages, installed from the lock file if missing."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the screen tests need Node.js (20 or later) on PATH")
    target = APL_DIR / "node_modules"
    if not all((target / name).is_dir() for name in PACKAGES):
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is not installed: it is needed once to install tests/apl/node_modules")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=APL_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {APL_DIR} (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return target


@pytest.fixture(scope="session")
def node_json(apl_node_modules: Path) -> Callable[[str, dict[str, Any]], Any]:
    node = shutil.which("node")
    assert node is not None

    def run(script: str, job: dict[str, Any]) -> Any:
        done = subprocess.run(
            [node, str(APL_DIR / script)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=APL_DIR,
            timeout=NODE_TIMEOUT,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        assert done.returncode == 0 and lines, (
            f"{script} failed (exit {done.returncode}):\nstdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-4000:]}"
        )
        return json.loads(lines[-1])

    return run


