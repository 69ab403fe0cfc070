"""``python -m bench.coldstart NAME BODY [PKI]``: a fresh process builds one app and answers one request.

``python -m bench.coldstart --phases BODY PKI`` times this skill's start-up step by step instead.

The parent times it from spawn to the line this prints (``<status>``), so the number covers the
interpreter, every import, building the app (content loading, for this skill) and the first
request through the WSGI app. Only the measured app's modules are imported.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path


def call_wsgi(app, body: bytes, headers: dict[str, str]) -> str:
    """One POST through a WSGI app, without a server; returns the status line."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/alexa",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_TYPE": headers.get("Content-Type", "application/json"),
        "CONTENT_LENGTH": str(len(body)),
    }
    for key, value in headers.items():
        if key.lower() != "content-type":
            environ["HTTP_" + key.upper().replace("-", "_")] = value
    status: list[str] = []
    chunks = app(environ, lambda line, _headers, _exc=None: status.append(line))
    b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return status[0]


def phases(request_file: Path, pki: Path) -> dict[str, float]:
    """Where this skill's cold start goes: milliseconds per step, in the order the app needs them."""
    import time

    marks = [("start", time.perf_counter())]

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter()))

    import ask_sdk_core.skill_builder  # noqa: F401 - measured: what the hello skill imports too
    import ask_sdk_model  # noqa: F401
    import flask  # noqa: F401

    mark("flask + ask-sdk-core (the hello skill imports these too)")
    import skill.web.app  # noqa: F401

    mark("the skill's own modules")
    from cryptography import x509  # noqa: F401
    from cryptography.x509 import verification  # noqa: F401

    import skill.web.verification  # noqa: F401

    mark("cryptography (request verification)")
    from bench.apps import skill_config, skill_verifiers
    from skill.alexa.resources import SkillResources
    from skill.domain import content_cache

    config = skill_config()
    resources = SkillResources(content_cache.load(config.content_dir, config.cache_dir))
    mark("content: load (PyYAML only without a content cache), merge, validate every locale")
    from skill.web.app import create_app

    app = create_app(config, resources=resources, verifiers=skill_verifiers(pki))
    mark("build the skill and the app")
    request = json.loads(request_file.read_text(encoding="utf-8"))
    call_wsgi(app, request["body"].encode("utf-8"), request["headers"])
    mark("first request (chain validation, plans, imports)")
    return {name: (t - marks[i][1]) * 1000 for i, (name, t) in enumerate(marks[1:])}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--phases":
        print(json.dumps(phases(Path(argv[1]), Path(argv[2]))), flush=True)
        return 0
    name, request_file = argv[0], Path(argv[1])
    pki = Path(argv[2]) if len(argv) > 2 else None
    request = json.loads(request_file.read_text(encoding="utf-8"))
    from bench.apps import build_app

    app = build_app(name, pki)
    status = call_wsgi(app, request["body"].encode("utf-8"), request["headers"])
    print(status, flush=True)
    return 0 if status.startswith("200") else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
