"""Command line (edge layer): ``nose-twitch serve`` and the team's tools.

Each subcommand builds one :class:`~skill.config.SkillConfig` from the environment and its flags
and passes it down. ``serve`` is gunicorn with the project's config module (see
:mod:`skill.web.server`): its flags are the environment variables they stand for, so the config
module and the app read them as they read the environment.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import logging
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

import skill
from skill.alexa.resources import SkillResources
from skill.config import (
    ConfigError,
    SkillConfig,
    check_log_level,
    check_metrics_path,
    check_metrics_port,
    config_from_env,
)
from skill.domain.errors import ContentError
from skill.web import server


#: Tool subcommands: each module in skill/tools/ has ``register(subparsers)``, which adds its parser
#: with ``set_defaults(func=run)`` where ``run(args, config) -> int`` (the exit status).
TOOLS: tuple[str, ...] = ("chat", "checks.validate", "ship.package", "review.page", "nlu.evaluate")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content-dir", type=Path, help="content folder (default: the project's content/)")


def serve_environment(args: argparse.Namespace) -> dict[str, str]:
    """The serve flags given, as the environment variables they stand for (each checked, and named
    in the refusal when it is wrong)."""
    flags = {
        "HOST": args.host,
        "PORT": args.port,
        "WORKERS": args.workers,
        "SKILL_DEFAULT_LOCALE": args.locale,
        "SKILL_ID": args.skill_id,
        "SKILL_CONTENT_DIR": args.content_dir,
        "SKILL_DEV": "1" if args.dev else None,
        "SKILL_LOG_LEVEL": check_log_level(args.log_level, "--log-level") if args.log_level else None,
        "SKILL_METRICS_PORT": (
            check_metrics_port(args.metrics_port, "--metrics-port") if args.metrics_port is not None else None
        ),
        "SKILL_METRICS_HOST": args.metrics_host,
        "SKILL_METRICS_PATH": check_metrics_path(args.metrics_path, "--metrics-path") if args.metrics_path else None,
    }
    return {name: str(value) for name, value in flags.items() if value is not None}


def _serve(args: argparse.Namespace, config: SkillConfig) -> int:
    environment = serve_environment(args)
    config = config_from_env({**os.environ, **environment})
    config.check_for_serving()
    # The content is checked before gunicorn starts, so a content error is this command's one line
    # (the master then reads the checked content back from the content cache).
    SkillResources.load(config)
    return server.run(config, environment, gunicorn_config=args.gunicorn_config)


def version() -> str:
    """``nose-twitch 0.1.0 (Python 3.11.7)``: the installed distribution's version, else the package's."""
    try:
        number = importlib.metadata.version("nose-twitch-skill")
    except importlib.metadata.PackageNotFoundError:
        number = skill.__version__
    return f"nose-twitch {number} (Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nose-twitch", description="Nose Twitch Guide, an Alexa skill.")
    parser.add_argument("--version", action="version", version=version(), help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the webhook with a production WSGI server (gunicorn)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1, env HOST)")
    serve.add_argument("--port", type=int, help="port (default 8080, env PORT)")
    serve.add_argument("--workers", type=int, help="worker processes, at least 1 (default 2, env WORKERS)")
    serve.add_argument("--locale", help="locale for requests that name none (default en-US)")
    serve.add_argument("--skill-id", help="the skill id requests must carry (env SKILL_ID); required unless --dev")
    serve.add_argument(
        "--dev",
        action="store_true",
        help="development mode: NO signature or timestamp checks (never on the internet; env SKILL_DEV=1)",
    )
    serve.add_argument("--log-level", help="DEBUG, INFO (default), WARNING, ERROR or CRITICAL (env SKILL_LOG_LEVEL)")
    serve.add_argument(
        "--metrics-port", type=int, help="serve Prometheus metrics on this port (env SKILL_METRICS_PORT); off by default"
    )
    serve.add_argument(
        "--metrics-host", help="address the metrics port listens on (default: --host; env SKILL_METRICS_HOST)"
    )
    serve.add_argument(
        "--metrics-path", help="serve Prometheus metrics at this path of the skill's port, e.g. /metrics "
        "(env SKILL_METRICS_PATH); off by default"
    )
    serve.add_argument(
        "-c", "--gunicorn-config", metavar="FILE",
        help="a gunicorn config file (or python:module); its settings and GUNICORN_CMD_ARGS override the ones above",
    )
    _add_common(serve)
    serve.set_defaults(func=_serve)
    for name in TOOLS:
        importlib.import_module(f"skill.tools.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        config = config_from_env()
        return args.func(args, config)
    except (ConfigError, ContentError) as exc:
        print(f"nose-twitch {args.command}: {exc}", file=sys.stderr)
        return 2
