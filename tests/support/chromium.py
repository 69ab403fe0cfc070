"""Debian's chromium for the tests that render pages (the review page, the APL screens).

One session fixture for every test folder: a fresh machine gets chromium installed with apt-get
when the tests run as root, whichever folder's test asks first. In CI a missing browser fails the
run; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def install_chromium() -> str:
    """Try to install Debian's chromium; the reason it is still missing, or "" on success."""
    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "chromium is not installed, and installing it needs root and apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command, timeout in (
        (["apt-get", "update"], 900),
        (["apt-get", "install", "-y", "--no-install-recommends", "chromium"], 1800),
    ):
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"{' '.join(command)} took more than {timeout} seconds"
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {(done.stderr or done.stdout).strip()[-800:]}"
    return ""


def find_or_install_chromium() -> str:
    path = shutil.which("chromium")
    reason = "" if path else install_chromium()
    path = shutil.which("chromium")
    if path:
        return path
    reason = reason or "chromium is still not on PATH after installing it"
    if os.environ.get("CI"):
        pytest.fail(f"the headless browser checks cannot run in CI: {reason}")
    pytest.skip(reason)
