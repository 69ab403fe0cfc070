"""The console command: flags, refusals, and messages that name what is wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest

from skill.cli import build_parser, main, serve_environment
from skill.config import ConfigError, SkillConfig, config_from_env
from skill.tools.envelopes import APPLICATION_ID as SKILL_ID


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


def test_every_serve_flag_reaches_the_config_the_server_runs_with(tmp_path):
    """serve's flags are the environment variables they stand for: the config module and the app
    (which read the environment) see each one."""
    args = build_parser().parse_args([
        "serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "3", "--locale", "en-GB", "--skill-id", SKILL_ID,
        "--dev", "--content-dir", str(tmp_path), "--log-level", "debug", "--metrics-port", "9464",
        "--metrics-host", "10.0.0.5", "--metrics-path", "/metrics",
    ])
    config = config_from_env(serve_environment(args))
    assert (config.host, config.port, config.workers, config.default_locale) == ("0.0.0.0", 9000, 3, "en-GB")
    assert config.skill_id == SKILL_ID and config.dev and config.content_dir == tmp_path
    assert (config.log_level, config.metrics_port, config.metrics_host, config.metrics_path) == (
        "DEBUG", 9464, "10.0.0.5", "/metrics")
    assert serve_environment(build_parser().parse_args(["serve"])) == {}, "flags not given leave the environment alone"


@pytest.mark.parametrize(
    ("flags", "names"),
    [
        (["--log-level", "chatty"], "--log-level"),
        (["--metrics-path", "/healthz"], "--metrics-path"),
        (["--metrics-port", "0"], "--metrics-port"),
    ],
)
def test_bad_serve_flags_exit_2_naming_the_flag(monkeypatch, capsys, flags, names):
    for name in ("SKILL_LOG_LEVEL", "SKILL_METRICS_PATH", "SKILL_METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve", "--dev", *flags]) == 2
    assert names in capsys.readouterr().err


def test_version_names_the_installed_version():
    done = subprocess.run([sys.executable, "-m", "skill", "--version"], capture_output=True, text=True, timeout=60)
    from importlib.metadata import version

    assert done.returncode == 0 and done.stdout.startswith(f"nose-twitch {version('nose-twitch-skill')} (Python ")
