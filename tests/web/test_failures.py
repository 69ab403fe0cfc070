"""Every failure is a JSON error, an access line and a metric (reliability review of 2026-12-06).

In process, through the whole WSGI app (the fast lane, then Flask): the review's reproductions of
bare HTML 500s (deep nesting, an echoed lone surrogate), unlogged answers, certificate downloads an
outsider could drive, metric labels an outsider could blind, and failures logged too quietly.
"""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from skill.config import SkillConfig
from skill.web.app import create_app
from skill.web.verification import CertificateFetcher, SignatureVerifier, SkillIdVerifier, TimestampVerifier
from skill.web.verification import VerificationError
from skill.tools.signing import FakeFetcher
from skill.tools.envelopes import APPLICATION_ID, envelope, intent_request, launch_request

CERT_HEADERS = {"SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/x.pem", "Signature-256": "AAAA"}


@pytest.fixture(autouse=True)
def single_process_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    """Metrics in the app's own registry (no shared folder): what a test client sees."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Captures the log lines written while the test runs (read them with :func:`lines`)."""
    caplog.set_level(logging.DEBUG)
    yield caplog


def lines(captured: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The access lines captured so far: their fields, and the level they were written at."""
    return [dict(r.msg.fields, level=r.levelname) for r in captured.records if r.name == "skill.access"]


def counted(client: Any, name: str, **labels: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    total = 0.0
    for line in text.splitlines():
        metric, _, rest = line.partition("{")
        if metric != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(line.rpartition(" ")[2])
    return total


@pytest.fixture
def dev_client(resources, skill):
    config = SkillConfig(dev=True, metrics_path="/metrics")
    return create_app(config, resources=resources, skill=skill, verifiers=()).test_client()


@pytest.fixture
def prod(resources, skill):
    """A production app (verification on, a fetcher that records every download) and its fetcher."""
    fetcher = FakeFetcher({})
    verifiers = [SignatureVerifier(fetcher=fetcher, trust_roots=[]), TimestampVerifier(), SkillIdVerifier(APPLICATION_ID)]
    config = SkillConfig(skill_id=APPLICATION_ID, metrics_path="/metrics")
    app = create_app(config, resources=resources, skill=skill, verifiers=verifiers)
    return app.test_client(), fetcher


def post(client: Any, body: bytes | str, headers: dict[str, str] | None = None) -> Any:
    return client.post("/alexa", data=body, content_type="application/json", headers=headers or {})


# --- M1: deep nesting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"[" * 975 + b"]" * 975, "975 nested brackets (1,950 bytes, the review's threshold)"),
        (b"[" * 100_000 + b"]" * 100_000, "arrays nested 100k deep"),
        (b'{"a":' * 30_000 + b"1" + b"}" * 30_000, "objects nested 30k deep"),
        (json.dumps({"version": "1.0"})[:-1].encode() + b', "request": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
         "100k-deep arrays inside an envelope"),
    ],
    ids=["975", "arrays-100k", "objects-30k", "in-envelope"],
)
def test_deep_nesting_is_a_json_400_with_its_line_and_metric(prod, access, body, what):
    client, fetcher = prod
    response = post(client, body, CERT_HEADERS)
    assert response.status_code == 400 and response.is_json, f"{what}: {response.status_code} {response.data[:80]!r}"
    assert response.get_json()["error"]["code"] == "too_deeply_nested", what
    assert [line["error"] for line in lines(access)] == ["too_deeply_nested"], "one access line, with the code"
    assert counted(client, "nose_twitch_requests_total", status="400") == 1, "and a metric"
    assert fetcher.calls == [], "nothing is downloaded for a body that does not parse"


@pytest.mark.parametrize("depth", [900, 990])
def test_deep_session_attributes_get_a_defined_answer(dev_client, access, depth):
    data = envelope(intent_request("AMAZON.YesIntent"))
    data["session"]["attributes"] = {"deep": "DEEP"}
    body = json.dumps(data).replace('"DEEP"', '{"n":' * depth + '"x"' + "}" * depth)
    response = post(dev_client, body)
    assert response.status_code in (200, 400) and response.is_json, f"{depth}: {response.status_code}"
    assert len(lines(access)) == 1


# --- L2: a lone surrogate echoed back ------------------------------------------------------------


def test_a_lone_surrogate_the_skill_echoes_is_the_spoken_apology_not_a_500(dev_client, access, store):
    # The review's reproduction: RepeatIntent with "\ud800" in the last lines it would repeat.
    data = envelope(intent_request("AMAZON.RepeatIntent"), attributes={"last": {"lines": ["\ud800"], "question": "q"}})
    response = post(dev_client, json.dumps(data))  # json.dumps escapes it: the bytes are valid JSON
    assert response.status_code == 200 and response.is_json, response.data[:200]
    speech = response.get_json()["response"]["outputSpeech"]["ssml"]
    assert "\ud800" not in speech
    [line] = lines(access)
    assert line["status"] == 200 and line["error"] == "UnicodeEncodeError", line


# --- anything unforeseen -------------------------------------------------------------------------


class Exploding(SkillIdVerifier):
    """A verifier with a bug: it raises something no one expected, quoting request content."""

    def verify(self, headers, body, envelope):  # noqa: ANN001, ANN201
        raise KeyError(envelope["session"]["user"]["userId"])


def test_an_unexpected_exception_is_a_json_500_with_line_metric_and_a_traceback_without_its_text(
    resources, skill, caplog
):
    caplog.set_level(logging.INFO)
    app = create_app(SkillConfig(dev=True, metrics_path="/metrics"), resources=resources, skill=skill,
                     verifiers=[Exploding(APPLICATION_ID)])
    client = app.test_client()
    data = envelope(launch_request())
    data["session"]["user"]["userId"] = "amzn1.ask.account.SECRET-USER"
    response = post(client, json.dumps(data))
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "internal_error"
    [line] = lines(caplog)
    assert line["status"] == 500 and line["error"] == "KeyError" and line["level"] == "ERROR", line
    assert counted(client, "nose_twitch_requests_total", status="500") == 1
    from skill.web.logs import JsonLineFormatter

    written = "\n".join(JsonLineFormatter().format(r) for r in caplog.records)
    assert "Traceback" in written and "KeyError" in written, "the traceback is logged, at ERROR"
    assert "SECRET-USER" not in written, "the exception's text (request content) never reaches the log"


def test_a_failing_flask_route_is_a_json_500_too(resources, skill, access):
    config = SkillConfig(dev=True, metrics_path="/metrics")
    app = create_app(config, resources=resources, skill=skill, verifiers=())

    def broken() -> None:
        raise RuntimeError("scrape failed")

    app.extensions["skill_metrics"].scrape = broken
    app.view_functions["prometheus_metrics"] = lambda: broken()
    response = app.test_client().get("/metrics")
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "internal_error"
    [line] = lines(access)
    assert line["status"] == 500 and line["error"] == "RuntimeError" and line["level"] == "ERROR"


# --- L3: answers that were not JSON or not logged ---------------------------------------------------


def test_options_is_a_json_405_not_an_empty_200(dev_client, access):
    response = dev_client.open("/alexa", method="OPTIONS")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert lines(access)[0]["error"] == "method_not_allowed"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_both_kinds_of_413_carry_their_error_code(dev_client, access, chunked):
    big = b"{" + b" " * (300 * 1024) + b"}"
    if chunked:  # no length, a body the server terminates: as gunicorn passes a chunked body on
        response = dev_client.post("/alexa", input_stream=io.BytesIO(big), content_type="application/json",
                                   environ_overrides={"wsgi.input_terminated": True})
    else:
        response = post(dev_client, big)
    assert response.status_code == 413 and response.is_json
    assert lines(access)[-1]["error"] == "request_entity_too_large", lines(access)


# --- M2: certificate downloads an outsider could drive ---------------------------------------------


def test_stale_unsigned_or_misaddressed_requests_download_nothing(prod, access):
    # The review's reproduction: five day-old requests for another skill, with made-up signature headers.
    client, fetcher = prod
    for _ in range(5):
        request = launch_request()
        request["timestamp"] = "2020-01-01T00:00:00Z"
        response = post(client, json.dumps(envelope(request, application_id="amzn1.ask.skill.OTHER")), CERT_HEADERS)
        assert response.status_code == 400
    for _ in range(5):
        response = post(client, json.dumps(envelope(launch_request(), application_id="amzn1.ask.skill.OTHER")),
                        CERT_HEADERS)
        assert response.status_code == 400
    assert fetcher.calls == [], f"cheap checks first: nothing to download, got {len(fetcher.calls)} downloads"
    assert {line["error"] for line in lines(access)} == {"verification:timestamp_too_old",
                                                         "verification:skill_id_mismatch"}


def test_query_strings_cannot_multiply_downloads_or_evict_the_real_chain(prod):
    client, fetcher = prod
    for n in range(40):
        headers = {**CERT_HEADERS, "SignatureCertChainUrl": f"https://s3.amazonaws.com/echo.api/x.pem?n={n}"}
        assert post(client, json.dumps(envelope(launch_request())), headers).status_code == 400
    assert fetcher.calls == [], "a URL with a query string is refused before any download"


def test_a_failing_url_is_downloaded_once_however_many_requests_name_it(prod):
    client, fetcher = prod
    for _ in range(50):
        assert post(client, json.dumps(envelope(launch_request())), CERT_HEADERS).status_code == 400
    assert len(fetcher.calls) == 1, f"50 requests, {len(fetcher.calls)} downloads: failures are remembered"


# --- M3: a trickling certificate server --------------------------------------------------------------


def test_a_trickling_certificate_server_is_cut_off_at_the_timeout():
    # The review's reproduction: a byte every 0.8 s kept a 1 s timeout going for 8.8 s.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    stop = threading.Event()

    def trickle() -> None:
        client, _ = server.accept()
        client.recv(4096)
        client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
        for byte in b"-----BEGIN C":
            if stop.wait(0.8):
                break
            client.sendall(bytes([byte]))
        client.close()

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(VerificationError) as info:
            CertificateFetcher(timeout=1.0).fetch(f"http://127.0.0.1:{port}/x.pem")
    finally:
        stop.set()
        server.close()
    elapsed = time.monotonic() - started
    assert info.value.reason == "cert_fetch_failed"
    assert elapsed < 1.5, f"the download must end at its 1 s deadline, took {elapsed:.1f} s"


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_a_fetcher_refuses_a_timeout_that_is_not_a_finite_positive_number(timeout):
    with pytest.raises(ValueError, match="finite"):
        CertificateFetcher(timeout=timeout)


# --- L1: metric labels an outsider could blind ------------------------------------------------------


def test_made_up_intent_names_cannot_push_real_intents_out_of_the_metrics(prod, resources, skill):
    # The review's reproduction: 130 unsigned requests with junk intent names, then real intents.
    client, _ = prod
    for n in range(130):
        data = envelope(intent_request(f"Junk{n}Intent"))
        post(client, json.dumps(data), CERT_HEADERS)
    dev = create_app(SkillConfig(dev=True, metrics_path="/metrics"), resources=resources, skill=skill, verifiers=())
    dev_client = dev.test_client()
    for n in range(100):
        post(dev_client, json.dumps(envelope(intent_request(f"Made{n}UpIntent"))))
    for name in ("CausesIntent", "ReliefIntent", "AMAZON.HelpIntent"):
        assert post(dev_client, json.dumps(envelope(intent_request(name)))).status_code == 200
        assert counted(dev_client, "nose_twitch_requests_total", intent=name) == 1, f"{name} was not counted by name"
    for scraped in (client, dev_client):
        text = scraped.get("/metrics").get_data(as_text=True)
        intents = set(re.findall(r'nose_twitch_requests_total\{intent="([^"]*)"', text))
        assert not [i for i in intents if "Junk" in i or "Made" in i], f"made-up names became labels: {intents}"
    assert counted(client, "nose_twitch_requests_total", intent="other") == 130, "unverified intents count as other"


# --- loud failures (newcomer review 5.3) -------------------------------------------------------------


def test_failures_are_loud_enough_to_see_at_warning(prod, access):
    client, fetcher = prod
    post(client, json.dumps(envelope(launch_request(), application_id="amzn1.ask.skill.OTHER")), CERT_HEADERS)
    post(client, json.dumps(envelope(launch_request())), CERT_HEADERS)  # its chain cannot be downloaded
    post(client, b"not json", CERT_HEADERS)
    levels = {line["error"]: line["level"] for line in lines(access)}
    assert levels == {
        "verification:skill_id_mismatch": "WARNING",
        "verification:cert_fetch_failed": "ERROR",
        "invalid_json": "INFO",
    }, levels


def test_healthz_reports_the_metrics(dev_client):
    assert dev_client.get("/healthz").get_json() == {"status": "ok", "metrics": "ok"}
