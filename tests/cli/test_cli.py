"""The console command: flags, refusals, and messages that name what is wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest

from skill.cli import main
from skill.config import ConfigError, SkillConfig, config_from_env


def test_serve_refuses_production_without_skill_id(capsys, monkeypatch):
    monkeypatch.delenv("SKILL_ID", raising=False)
    monkeypatch.delenv("SKILL_DEV", raising=False)
    status = main(["serve", "--port", "0"])
    err = capsys.readouterr().err
    assert status == 2, "production mode without a skill id must be refused"
    assert "--skill-id" in err and "SKILL_ID" in err, f"the refusal should say how to fix it: {err!r}"


def test_serve_reports_a_broken_content_folder(tmp_path, capsys):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "bad.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    status = main(["serve", "--dev", "--content-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and "bad.yaml" in err and "duplicate key" in err, f"should name the file and problem: {err!r}"


def test_env_config_parses_and_names_bad_values():
    config = config_from_env({"SKILL_ID": "amzn1.ask.skill.x", "PORT": "9000", "SKILL_DEV": "0"})
    assert config.skill_id == "amzn1.ask.skill.x" and config.port == 9000 and not config.dev
    assert config.verify_signatures and config.verify_timestamps, "production defaults verify everything"
    with pytest.raises(ConfigError, match="PORT"):
        config_from_env({"PORT": "eighty"})


def test_dev_mode_turns_off_signature_and_timestamp_checks_only():
    config = SkillConfig(dev=True)
    assert not config.verify_signatures and not config.verify_timestamps
    config.require_production_ready()  # no skill id needed in dev mode


def test_help_lists_every_serve_flag():
    out = subprocess.run(
        [sys.executable, "-m", "skill", "serve", "--help"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for flag in ("--host", "--port", "--workers", "--locale", "--skill-id", "--dev", "--content-dir"):
        assert flag in out, f"serve --help should document {flag}"
