"""Shared by the checks' tests: a copy of the project to plant faults in, and ``validate`` run on it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skill.cli import main
from skill.config import DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of content/ and interaction_model/ to plant faults in."""
    content, models = tmp_path / "content", tmp_path / "interaction_model"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    shutil.copytree(DEFAULT_MODEL_DIR, models)
    return content, models


@pytest.fixture
def run_validate(capsys: pytest.CaptureFixture[str]) -> Callable[[Path, Path], tuple[int, dict[str, Any]]]:
    """Runs ``nose-twitch validate --json`` on a content and a models folder: its exit status and report."""

    def run(content: Path, models: Path) -> tuple[int, dict[str, Any]]:
        status = main(["validate", "--content-dir", str(content), "--model-dir", str(models), "--json"])
        return status, json.loads(capsys.readouterr().out)

    return run
