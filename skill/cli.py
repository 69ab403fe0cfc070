"""Command line (edge layer): ``nose-twitch serve`` and the team's tools.

Each subcommand builds one :class:`~skill.config.SkillConfig` from the environment and its flags
and passes it down.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from skill.config import (
    ConfigError,
    SkillConfig,
    check_log_level,
    check_metrics_path,
    check_metrics_port,
    config_from_env,
)
from skill.domain.content import ContentError


#: Tool subcommands: each module in skill/tools/ has ``register(subparsers)``, which adds its parser
#: with ``set_defaults(func=run)`` where ``run(args, config) -> int`` (the exit status).
TOOLS: tuple[str, ...] = ("chat", "checks.validate", "ship.package", "review.page", "nlu.evaluate")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content-dir", type=Path, help="content folder (default: the project's content/)")


def _serve(args: argparse.Namespace, config: SkillConfig) -> int:
    from skill.web.server import run

    config = config.with_overrides(
        host=args.host,
        port=args.port,
        workers=args.workers,
        skill_id=args.skill_id,
        default_locale=args.locale,
        content_dir=args.content_dir,
        dev=True if args.dev else None,
        log_level=check_log_level(args.log_level, "--log-level") if args.log_level else None,
        metrics_port=check_metrics_port(args.metrics_port, "--metrics-port") if args.metrics_port is not None else None,
        metrics_host=args.metrics_host,
        metrics_path=check_metrics_path(args.metrics_path, "--metrics-path") if args.metrics_path else None,
    )
    config.check_for_serving()
    return run(config, gunicorn_config=args.gunicorn_config)


def version() -> str:
    """``nose-twitch 0.1.0 (Python 3.11.7)``: the installed distribution's version, else the package's."""
    import importlib.metadata
    import platform

    import skill

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
