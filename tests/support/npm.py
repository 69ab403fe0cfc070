"""Node packages for the tests that drive Node.js (virtual-alexa, the APL screen renderer).

Each folder pins its packages in a committed package-lock.json; ``npm ci`` installs them from it
the first time, so a clean clone needs nothing but Node.js 20 and npm on PATH.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest


def installed_node_modules(folder: Path, packages: Sequence[str], *, what: str, timeout: float = 600) -> Path:
    """``folder/node_modules`` with ``packages``, installed with ``npm ci`` when any is missing."""
    if shutil.which("node") is None:
        pytest.fail(f"node is not installed: {what} need Node.js (20 or later) on PATH")
    target = folder / "node_modules"
    if not all((target / name).is_dir() for name in packages):
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"npm is not installed: it is needed once to install {target}")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=folder, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {folder} (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return target
