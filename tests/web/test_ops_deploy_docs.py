"""docs/deploy/ stays on the command lines the server tests run: the unit's ExecStart and
GUNICORN_CMD_ARGS parse, the stop timeout outlasts the drain, and the proxies point at the server."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from gunicorn.config import Config

from skill.cli import build_parser
from skill.config import SkillConfig
from skill.web.server import gunicorn_settings

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"


def unit() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / "nose-twitch.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def environment() -> dict[str, str]:
    pairs = [shlex.split(value)[0] for value in unit()["Environment"]]
    return dict(pair.split("=", 1) for pair in pairs)


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
    assert environment()["SKILL_ID"].startswith("amzn1.ask.skill."), "production needs a skill id"


def test_the_proxies_forward_the_endpoint_to_the_units_address():
    caddy, nginx = (DEPLOY / "Caddyfile").read_text(), (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"handle /alexa \{.*reverse_proxy 127\.0\.0\.1:8080", caddy, re.S)
    assert re.search(r"location = /alexa \{.*proxy_pass http://127\.0\.0\.1:8080;", nginx, re.S)
