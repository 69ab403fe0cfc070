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

from tests.support.npm import installed_node_modules

APL_DIR = Path(__file__).resolve().parent
PACKAGES = ("apl-suggester", "puppeteer-core")
NODE_TIMEOUT = 120.0


@pytest.fixture(scope="session")
def apl_node_modules() -> Path:
    """tests/apl/node_modules with the pinned packages, installed from the lock file if missing."""
    return installed_node_modules(APL_DIR, PACKAGES, what="the screen tests")


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


