"""Settings checked at start, one test per setting: each bad value is refused before anything binds,
with a message that names the setting and says how to fix it (reliability review L6, newcomer 5.1).

``nose-twitch serve`` is run in process up to its refusal; the checks on gunicorn's final settings
(after ``GUNICORN_CMD_ARGS``) and the ones under plain gunicorn run real processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skill.cli import main
from skill.config import ConfigError, SkillConfig, check_skill_id, config_from_env
from skill.web.metrics import prepare_multiprocess_dir
from skill.tools.envelopes import APPLICATION_ID
from tests.support.servers import free_port

ID = APPLICATION_ID


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SKILL_ID", "SKILL_DEV", "WORKERS", "SKILL_CERT_TIMEOUT", "SKILL_MAX_BODY_BYTES", "SKILL_CACHE_DIR",
                 "GUNICORN_CMD_ARGS", "PROMETHEUS_MULTIPROC_DIR", "SKILL_METRICS_PATH", "SKILL_METRICS_PORT"):
        monkeypatch.delenv(name, raising=False)


def refused(capsys: pytest.CaptureFixture, *argv: str) -> str:
    """Run ``nose-twitch serve`` with ``argv``; it must refuse (exit 2) before serving: its message."""
    status = main(["serve", "--port", str(free_port()), *argv])
    err = capsys.readouterr().err
    assert status == 2, f"serve {' '.join(argv)} should be refused with exit status 2, got {status}: {err}"
    return err


# --- the skill id -------------------------------------------------------------------------------


@pytest.mark.parametrize("skill_id", ["foo", "amzn1.ask.skill.x", "amzn1.ask.skill.1234", f"{ID}-extra",
                                      "amzn1.ask.account.00000000-0000-4000-8000-000000000000"])
def test_a_skill_id_without_the_shape_of_one_is_refused(capsys, skill_id):
    err = refused(capsys, "--skill-id", skill_id)
    assert "amzn1.ask.skill. followed by a UUID" in err and repr(skill_id) in err, err
    assert "developer console" in err, "the message says where to find the real id"


@pytest.mark.parametrize("placeholder", ["amzn1.ask.skill.REPLACE-WITH-YOUR-SKILL-ID", "amzn1.ask.skill.YOUR-SKILL-ID",
                                         "amzn1.ask.skill.xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"])
def test_a_placeholder_skill_id_is_refused_as_one(capsys, monkeypatch, placeholder):
    monkeypatch.setenv("SKILL_ID", placeholder)  # as the systemd sample's env file has it
    err = refused(capsys)
    assert "still a placeholder" in err and "put your skill's id there" in err, err


def test_a_real_skill_id_passes():
    assert check_skill_id(ID) == ID
    SkillConfig(skill_id=ID).check_for_serving()


# --- workers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", ["0", "-3"])
def test_fewer_than_one_worker_is_refused(capsys, workers):
    err = refused(capsys, "--dev", "--workers", workers)
    assert "--workers / WORKERS must be at least 1" in err, err


def test_zero_workers_from_gunicorn_cmd_args_is_refused_before_binding(tmp_path):
    port = free_port()
    env = {**os.environ, "GUNICORN_CMD_ARGS": "--workers 0"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    done = subprocess.run([sys.executable, "-m", "skill", "serve", "--dev", "--port", str(port)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, f"exit {done.returncode}:\n{done.stderr[-2000:]}"
    assert "gunicorn workers must be at least 1, got 0" in done.stderr, done.stderr[-2000:]
    assert "Listening at" not in done.stderr, "refused before binding"


# --- timeouts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "9"])
def test_a_certificate_timeout_that_is_not_finite_positive_and_within_alexas_8_s_is_refused(capsys, monkeypatch, value):
    monkeypatch.setenv("SKILL_CERT_TIMEOUT", value)
    err = refused(capsys, "--skill-id", ID)
    assert "SKILL_CERT_TIMEOUT must be a number of seconds above 0 and at most 8" in err, err


@pytest.mark.parametrize("timeout", ["0", "3"])
def test_a_gunicorn_timeout_the_certificate_download_could_outlast_is_refused(tmp_path, timeout):
    env = {**os.environ, "GUNICORN_CMD_ARGS": f"--timeout {timeout}", "SKILL_CERT_TIMEOUT": "5"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    done = subprocess.run([sys.executable, "-m", "skill", "serve", "--dev", "--port", str(free_port())],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "gunicorn timeout must be more than SKILL_CERT_TIMEOUT (5 s)" in done.stderr, done.stderr[-2000:]


# --- the body limit ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "100"])
def test_a_body_limit_that_would_refuse_alexas_requests_is_refused(capsys, monkeypatch, value):
    monkeypatch.setenv("SKILL_MAX_BODY_BYTES", value)
    err = refused(capsys, "--dev")
    assert "SKILL_MAX_BODY_BYTES must be at least 4096" in err, err


# --- the content cache -------------------------------------------------------------------------------


def test_a_cache_folder_that_was_asked_for_and_cannot_be_written_is_refused(capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("SKILL_CACHE_DIR", str(blocker / "cache"))
    err = refused(capsys, "--dev")
    assert f"SKILL_CACHE_DIR={blocker / 'cache'} cannot be written" in err and "SKILL_CACHE_DIR=off" in err, err


# --- the metrics folder ------------------------------------------------------------------------------


def test_a_metrics_folder_that_is_a_file_is_refused_with_one_line_not_a_traceback(capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "metrics"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(blocker))
    err = refused(capsys, "--dev", "--metrics-path", "/metrics")
    assert "PROMETHEUS_MULTIPROC_DIR" in err and "is not a folder" in err and "Traceback" not in err, err


def test_a_metrics_folder_that_cannot_be_written_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot be created"):
        prepare_multiprocess_dir({"PROMETHEUS_MULTIPROC_DIR": "/proc/nose-twitch-metrics"})


# --- under plain gunicorn, with the project's config --------------------------------------------------


def test_under_gunicorn_with_the_projects_config_a_bad_setting_is_one_json_line(tmp_path):
    # The newcomer review's reproduction: no SKILL_ID gave two plain-text lines and a traceback.
    env = {k: v for k, v in os.environ.items() if k not in ("SKILL_ID", "SKILL_DEV", "PROMETHEUS_MULTIPROC_DIR")}
    env["PORT"] = str(free_port())
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:skill.web.gunicorn_conf", "skill.web.wsgi:app"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0, "no skill id: refused"
    records = [json.loads(line) for line in done.stderr.splitlines()]  # every line is JSON
    assert [r["level"] for r in records] == ["CRITICAL"], records
    assert "No skill id" in records[0]["message"] and "--skill-id" in records[0]["message"]


def test_under_bare_gunicorn_a_bad_setting_stops_the_master_with_a_json_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SKILL_DEV", "PROMETHEUS_MULTIPROC_DIR")}
    env["SKILL_ID"] = "amzn1.ask.skill.REPLACE-WITH-YOUR-SKILL-ID"
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{free_port()}", "skill.web.wsgi:app"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 4, f"gunicorn stops (App failed to load), exit {done.returncode}:\n{done.stderr[-2000:]}"
    ours = [json.loads(line) for line in done.stderr.splitlines() if '"logger": "skill.server"' in line]
    assert ours and ours[0]["level"] == "CRITICAL" and "still a placeholder" in ours[0]["message"], done.stderr
    assert not [line for line in done.stderr.splitlines() if line.startswith(("Traceback", "SKILL_ID", "No skill"))]


def test_a_bad_metrics_folder_under_gunicorn_is_one_json_line(tmp_path):
    blocker = tmp_path / "metrics"
    blocker.write_text("not a folder", encoding="utf-8")
    env = {**os.environ, "SKILL_DEV": "1", "SKILL_METRICS_PATH": "/metrics", "PROMETHEUS_MULTIPROC_DIR": str(blocker),
           "PORT": str(free_port())}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:skill.web.gunicorn_conf", "skill.web.wsgi:app"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert records[-1]["level"] == "CRITICAL" and "is not a folder" in records[-1]["message"], records


def test_the_setting_checks_do_not_touch_a_dev_config_without_extras(tmp_path: Path):
    SkillConfig(dev=True, cache_dir=tmp_path / "cache", cache_dir_required=True).check_for_serving()
    assert (tmp_path / "cache").is_dir(), "a cache folder asked for is created at start"


# --- logs and metrics from the environment ----------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"SKILL_LOG_LEVEL": "warning"}, "log_level", "WARNING"),
        ({}, "log_level", "INFO"),
        ({"SKILL_METRICS_PORT": "9464"}, "metrics_port", 9464),
        ({"SKILL_METRICS_PATH": "/metrics"}, "metrics_path", "/metrics"),
        ({"SKILL_METRICS_HOST": "10.0.0.5"}, "metrics_host", "10.0.0.5"),
        ({}, "metrics_enabled", False),
    ],
)
def test_settings_from_the_environment(env, field, value):
    assert getattr(config_from_env(env), field) == value


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SKILL_LOG_LEVEL": "loud"}, "SKILL_LOG_LEVEL"),
        ({"SKILL_METRICS_PORT": "seventy"}, "SKILL_METRICS_PORT"),
        ({"SKILL_METRICS_PORT": "70000"}, "SKILL_METRICS_PORT"),
        ({"SKILL_METRICS_PATH": "metrics"}, "SKILL_METRICS_PATH"),
        ({"SKILL_METRICS_PATH": "/alexa"}, "SKILL_METRICS_PATH"),
    ],
)
def test_bad_settings_are_refused_by_name(env, names):
    with pytest.raises(ConfigError, match=names):
        config_from_env(env)
