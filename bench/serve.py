"""``python -m bench.serve NAME --port P [--workers W] [--pki DIR]``: one app under the production server.

Every app runs in :class:`skill.web.server.SkillServer` (gunicorn, sync workers, the settings of
``nose-twitch serve``); only the WSGI app differs. Logging is set up as ``nose-twitch serve``
sets it up (INFO lines on stderr), so this skill writes its access log as in production.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("name")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pki", type=Path, help="folder with root.pem and chain.pem (this skill only)")
    args = parser.parse_args(argv)
    from skill.web.logs import configure_logging

    configure_logging("INFO")  # the JSON lines of nose-twitch serve

    from bench.apps import build_app, skill_config
    from skill.web.server import SkillServer

    config = skill_config(port=args.port, workers=args.workers)
    app = build_app(args.name, args.pki, config)
    SkillServer(config, app=app).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
