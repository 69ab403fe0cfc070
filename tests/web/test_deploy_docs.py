"""docs/deploy/ stays on the command lines the server tests run, and works as written.

The unit's ExecStart and settings parse and pass the start-up checks (except the sample's skill id
placeholder, which the server refuses with a fix); it installs from the wheel, reads its settings
from an EnvironmentFile that ships, reloads with HUP, keeps its metrics in its own RuntimeDirectory,
and keeps its logs 30 days at most (the privacy policy's promise). The proxies point at the server
(tests/web/test_proxies.py runs them for real).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from gunicorn.config import Config

from skill.cli import build_parser
from skill.config import ConfigError, SkillConfig, check_skill_id
from skill.web.server import gunicorn_settings

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
ROOT = DEPLOY.parents[1]


def unit() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / "nose-twitch.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def env_file() -> dict[str, str]:
    """The sample EnvironmentFile, as systemd reads it (KEY=value lines, comments skipped)."""
    pairs = {}
    for line in (DEPLOY / "nose-twitch.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def environment() -> dict[str, str]:
    pairs = [shlex.split(value)[0] for value in unit()["Environment"]]
    return {**env_file(), **dict(pair.split("=", 1) for pair in pairs)}


def test_the_units_command_is_a_valid_serve_command_line():
    command = shlex.split(unit()["ExecStart"][0])
    assert command[0].endswith("/nose-twitch")
    args = build_parser().parse_args(command[1:])
    assert args.command == "serve" and args.host == "127.0.0.1" and args.port == 8080 and not args.dev


def test_the_units_gunicorn_settings_parse_and_the_stop_timeout_outlasts_the_drain():
    parsed = Config().parser().parse_args(shlex.split(environment()["GUNICORN_CMD_ARGS"]))
    graceful = parsed.graceful_timeout or gunicorn_settings(SkillConfig())["graceful_timeout"]
    stop = int(unit()["TimeoutStopSec"][0])
    assert stop > graceful, f"systemd would kill the server ({stop} s) before the drain ends ({graceful} s)"
    assert (parsed.workers or 2) >= 1


def test_the_settings_come_from_an_environment_file_that_ships():
    [path] = unit()["EnvironmentFile"]
    assert path == "/etc/nose-twitch/nose-twitch.env", path
    assert "SKILL_ID" not in " ".join(unit()["Environment"]), "the skill id belongs in the env file, not the unit"
    assert "docs/deploy/nose-twitch.env" in (DEPLOY / "nose-twitch.service").read_text(), "the unit says where the sample is"


def test_the_samples_placeholder_skill_id_is_refused_at_start_with_a_fix():
    placeholder = env_file()["SKILL_ID"]
    with pytest.raises(ConfigError, match="placeholder") as info:
        check_skill_id(placeholder)
    assert "developer console" in str(info.value)


def test_with_a_real_skill_id_the_units_settings_pass_the_start_up_checks(tmp_path):
    from skill.config import config_from_env

    env = {**environment(), "SKILL_ID": "amzn1.ask.skill.00000000-0000-4000-8000-000000000000",
           "SKILL_CACHE_DIR": str(tmp_path / "cache")}
    config_from_env(env).check_for_serving()


def test_the_unit_installs_the_built_wheel_not_a_package_index_name():
    header = (DEPLOY / "nose-twitch.service").read_text()
    assert "pip wheel --no-deps -w dist ." in header and "pip install dist/nose_twitch_skill-*.whl" in header
    assert not re.search(r"pip install nose-twitch-skill\b", header), "the project is not on a package index"


def test_reload_is_gunicorns_hup_and_metrics_live_in_the_units_own_runtime_directory():
    assert unit()["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    [runtime] = unit()["RuntimeDirectory"]
    assert environment()["PROMETHEUS_MULTIPROC_DIR"].startswith(f"/run/{runtime}/"), "inside the unit's own folder"
    assert "MiB" in (DEPLOY / "nose-twitch.service").read_text(), "the unit says how big the folder gets"


def _days(value: str) -> float:
    number, unit_name = re.fullmatch(r"(\d+)\s*(day|d|h|hour|week|w)", value).groups()
    return int(number) * {"day": 1, "d": 1, "h": 1 / 24, "hour": 1 / 24, "week": 7, "w": 7}[unit_name]


def test_the_units_logs_are_kept_30_days_at_most():
    [namespace] = unit()["LogNamespace"]
    config = (DEPLOY / f"journald@{namespace}.conf").read_text()
    settings = dict(re.findall(r"^(\w+)=(\S+)$", config, re.M))
    retention, rotation = _days(settings["MaxRetentionSec"]), _days(settings["MaxFileSec"])
    assert retention + rotation <= 30, f"an entry could live {retention + rotation} days; the policy says 30"
    policy = (ROOT / "docs" / "privacy.md").read_text()
    assert "30 days" in policy, "the privacy policy's promise this enforces"


@pytest.mark.skipif(subprocess.run(["which", "systemd-analyze"], capture_output=True).returncode != 0,
                    reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(tmp_path):
    text = (DEPLOY / "nose-twitch.service").read_text().replace("/opt/nose-twitch/bin/nose-twitch",
                                                                 str(Path(sys.executable).parent / "nose-twitch"))
    (tmp_path / "nose-twitch.service").write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "nose-twitch.service")],
                          capture_output=True, text=True, timeout=60)
    problems = [line for line in done.stderr.splitlines() if "nose-twitch.service" in line]
    assert not problems, problems


def test_the_proxies_forward_the_endpoint_to_the_units_address():
    caddy, nginx = (DEPLOY / "Caddyfile").read_text(), (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"handle /alexa \{.*reverse_proxy 127\.0\.0\.1:8080", caddy, re.S)
    assert re.search(r"upstream nose_twitch \{\s*(?:#.*\n\s*)*server 127\.0\.0\.1:8080", nginx)
    assert re.search(r"location = /alexa \{.*proxy_pass http://nose_twitch;", nginx, re.S)


def test_the_proxies_buffer_whole_requests_on_the_versions_debian_ships():
    caddy, nginx = (DEPLOY / "Caddyfile").read_text(), (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"^\s*buffer_requests\s*$", caddy, re.M), "Caddy 2.6 buffers the body with buffer_requests"
    assert "http2 on;" not in nginx.replace("`listen 443 ssl;` with `http2 on;`", ""), "nginx < 1.25.1 has no http2 on"
    assert "proxy_request_buffering on;" in nginx
