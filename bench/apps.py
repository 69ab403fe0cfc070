"""The apps the bench compares, each built the way its kind is usually written.

* ``bare``: a Flask endpoint that reads the body and returns a fixed JSON document.
* ``hello``: a minimal ask-sdk-core skill behind Flask (the SDK's ``DefaultSerializer``, one
  handler per request type, ``jsonify`` of the serialized response), as the SDK's samples do it.
* ``skill``: this skill's production app, ``create_app(config, verifiers=[...])`` with signature,
  timestamp and skill-id verification ON; the signing chain comes from a test CA, served from
  memory instead of Amazon's bucket. Under the HTTP server it also runs with Prometheus metrics
  ON (multiprocess mode, as ``nose-twitch serve --metrics-path /metrics`` runs it): the server
  child gets ``SKILL_METRICS_PATH`` from :mod:`bench.servers`, as production would.

Imports are inside the builders so a cold-start child imports only the app it measures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: The names the bench knows, in the order tables list them.
APP_NAMES = ("bare", "hello", "skill")
ENDPOINT = "/alexa"
#: Where the signed requests say their chain is (the URL passes the real URL policy).
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-bench.pem"
APPLICATION_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000"

#: The fixed document the bare endpoint returns: a typical small Alexa response.
FIXED_RESPONSE: dict[str, Any] = {
    "version": "1.0",
    "response": {
        "outputSpeech": {"type": "SSML", "ssml": "<speak>Hello from the bare endpoint.</speak>"},
        "shouldEndSession": True,
    },
}


class MemoryFetcher:
    """Serves the signing chain from memory (the verifier's fetch seam); nothing leaves the machine."""

    def __init__(self, chains: dict[str, bytes]) -> None:
        self._chains = dict(chains)

    def fetch(self, url: str) -> bytes:
        try:
            return self._chains[url]
        except KeyError:
            raise OSError(f"no chain for {url}") from None


def build_hello_skill():
    """The minimal ask-sdk-core skill of :mod:`bench.hello_skill` (the module the Lambda measure
    zips): says hello to a launch or any intent, nothing on session end."""
    from bench.hello_skill import sb

    return sb.create()


def hello_handler():
    """The hello skill without Flask: request bytes in, response bytes out (for in-process timing)."""
    import json

    from ask_sdk_model import RequestEnvelope

    skill = build_hello_skill()
    serializer = skill.serializer

    def handle(body: bytes) -> bytes:
        envelope = serializer.deserialize(body.decode("utf-8"), RequestEnvelope)
        response = skill.invoke(request_envelope=envelope, context=None)
        return json.dumps(serializer.serialize(response)).encode("utf-8")

    return handle


def hello_app():
    from ask_sdk_model import RequestEnvelope
    from flask import Flask, jsonify, request

    skill = build_hello_skill()
    serializer = skill.serializer
    app = Flask("hello")

    @app.post(ENDPOINT)
    def invoke():
        envelope = serializer.deserialize(request.get_data().decode("utf-8"), RequestEnvelope)
        response = skill.invoke(request_envelope=envelope, context=None)
        return jsonify(serializer.serialize(response))

    return app


def bare_app():
    from flask import Flask, jsonify, request

    app = Flask("bare")

    @app.post(ENDPOINT)
    def invoke():
        request.get_data()
        return jsonify(FIXED_RESPONSE)

    return app


def skill_config(port: int = 8080, workers: int = 2):
    """Production settings (verification on, a skill id), as ``nose-twitch serve`` would use; metrics
    on when the environment says so (``SKILL_METRICS_PATH``, as for ``nose-twitch serve``)."""
    import os

    from skill.config import SkillConfig

    return SkillConfig(skill_id=APPLICATION_ID, host="127.0.0.1", port=port, workers=workers,
                       metrics_path=os.environ.get("SKILL_METRICS_PATH") or None)


def skill_verifiers(pki_dir: Path) -> list:
    """Production verifiers, trusting the bench's test root and fetching its chain from memory."""
    from cryptography import x509

    from skill.web.verification import SignatureVerifier, SkillIdVerifier, TimestampVerifier

    root = x509.load_pem_x509_certificate((pki_dir / "root.pem").read_bytes())
    fetcher = MemoryFetcher({CERT_URL: (pki_dir / "chain.pem").read_bytes()})
    return [SignatureVerifier(fetcher=fetcher, trust_roots=[root]), TimestampVerifier(), SkillIdVerifier(APPLICATION_ID)]


def skill_app(pki_dir: Path | None, config=None):
    """This skill's app; with ``pki_dir`` None, verification is off (in-process rows only)."""
    from skill.web.app import create_app

    config = config or skill_config()
    if config.metrics_enabled:
        from skill.web.metrics import prepare_multiprocess_dir

        prepare_multiprocess_dir()  # as the project's gunicorn config does, before prometheus_client is imported
    verifiers = skill_verifiers(pki_dir) if pki_dir is not None else []
    return create_app(config, verifiers=verifiers)


def build_app(name: str, pki_dir: Path | None = None, config=None):
    """The WSGI app called ``name`` (one of :data:`APP_NAMES`)."""
    if name == "bare":
        return bare_app()
    if name == "hello":
        return hello_app()
    if name == "skill":
        return skill_app(pki_dir, config)
    raise ValueError(f"unknown app {name!r}; choose from {', '.join(APP_NAMES)}")
