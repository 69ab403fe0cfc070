"""``python -m bench.serve NAME --port P [--workers W] [--pki DIR]``: one app under the production server.

Every app runs as ``nose-twitch serve`` runs the skill: gunicorn with the project's config module
(``skill.web.gunicorn_conf``: sync workers, its settings, hooks and JSON log lines, the app built
once in the master). Only the WSGI app differs: gunicorn loads ``bench.serve:app``, which builds the
app this server was started for (:func:`bench.apps.build_app`), so this skill writes its access log
(and, with ``SKILL_METRICS_PATH``, counts its metrics) as in production.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from gunicorn.app.wsgiapp import WSGIApplication

from bench.apps import APPLICATION_ID, build_app, skill_config

#: The app the server loads, and where its signing chain is (the environment carries them to gunicorn's import).
APP_ENV, PKI_ENV = "BENCH_APP", "BENCH_PKI"


@lru_cache(maxsize=1)
def _app() -> Any:
    """Built once, in the gunicorn master (the project's config preloads the app)."""
    pki = os.environ.get(PKI_ENV)
    config = skill_config(port=int(os.environ["PORT"]), workers=int(os.environ["WORKERS"]))
    return build_app(os.environ[APP_ENV], Path(pki) if pki else None, config)


def __getattr__(name: str) -> Any:
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("name")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pki", type=Path, help="folder with root.pem and chain.pem (this skill only)")
    args = parser.parse_args(argv)
    # The settings of ``nose-twitch serve --skill-id ... --host 127.0.0.1 --port P --workers W``.
    os.environ.update({APP_ENV: args.name, "HOST": "127.0.0.1", "PORT": str(args.port), "WORKERS": str(args.workers),
                       "SKILL_ID": APPLICATION_ID})
    if args.pki is not None:
        os.environ[PKI_ENV] = str(args.pki)

    sys.argv[1:] = ["-c", "python:skill.web.gunicorn_conf", "bench.serve:app"]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="python -m bench.serve").run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
