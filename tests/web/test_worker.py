"""gunicorn's own answers (skill/web/worker.py): what its HTTP parser refuses (a bad length, an
oversized line or header, a NUL), and a worker stopped mid-request, get the app's JSON error, an
access line and a metric, like every other answer (reliability review of 2026-12-06, L3).

Real servers on 127.0.0.1, and the worker's error answer in process.
"""

from __future__ import annotations

import json
import time

import pytest

from skill.web.worker import SkillSyncWorker, gunicorn_error
from skill.tools.envelopes import envelope, launch_request
from tests.support.servers import free_port, head, post, raw_exchange, sample, scrape, serve_command, serving

LAUNCH = json.dumps(envelope(launch_request(), new=True)).encode()


#: What gunicorn's parser refuses, as the review sent it, and the status gunicorn gives it.
PARSER_CASES = {
    "negative Content-Length": (head(extra="Content-Length: -1\r\n\r\n") + b"{}", 400),
    "Content-Length not a number": (head(extra="Content-Length: abc\r\n\r\n") + b"{}", 400),
    "Content-Length and Transfer-Encoding": (
        head(extra="Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n") + b"2\r\n{}\r\n0\r\n\r\n", 400),
    "a bad chunk size": (head(extra="Transfer-Encoding: chunked\r\n\r\n") + b"zz\r\n{}\r\n0\r\n\r\n", 400),
    "a NUL in a header": (head(extra="X-Probe: a\x00b\r\nContent-Length: 2\r\n\r\n") + b"{}", 400),
    "obs-fold": (head(extra="X-Probe: a\r\n folded\r\nContent-Length: 2\r\n\r\n") + b"{}", 400),
    "a 5 KB request line": (head(path="/alexa?" + "a" * 5000, extra="Content-Length: 2\r\n\r\n") + b"{}", 414),
    "200 headers": (head(extra="".join(f"X-H{n}: v\r\n" for n in range(200)) + "Content-Length: 2\r\n\r\n") + b"{}", 431),
    "a 64 KB Signature-256": (head(extra="Signature-256: " + "A" * 65536 + "\r\nContent-Length: 2\r\n\r\n") + b"{}", 431),
}


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    port = free_port()
    folder = tmp_path_factory.mktemp("gunicorn-errors")
    with serving(serve_command("--dev", "--port", str(port), "--workers", "1", "--metrics-path", "/metrics"),
                 folder, port) as server:
        yield server


@pytest.mark.parametrize("case", list(PARSER_CASES))
def test_gunicorns_own_refusals_are_json_with_an_access_line_and_a_metric(dev_server, case):
    data, status = PARSER_CASES[case]
    port = dev_server.port
    before = sample(scrape(port), "nose_twitch_requests_total", status=str(status))
    lines_before = len(dev_server.access())
    answer = raw_exchange(port, data)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(f"HTTP/1.1 {status}".encode()), f"{case}: {answer[:200]!r}"
    body = rest.partition(b"\r\n\r\n")[2]
    assert b"<html" not in answer.lower(), f"{case}: gunicorn's HTML page"
    assert json.loads(body)["error"]["code"], f"{case}: not the app's JSON error: {body[:200]!r}"
    time.sleep(0.2)
    new = dev_server.access()[lines_before:]
    assert [line["status"] for line in new if line.get("route") != "/metrics"] == [status], f"{case}: {new}"
    assert sample(scrape(port), "nose_twitch_requests_total", status=str(status)) == before + 1, f"{case}: not counted"


def test_a_truncated_chunked_body_is_logged_and_counted(dev_server):
    lines_before = len(dev_server.access())
    raw_exchange(dev_server.port, head(extra="Transfer-Encoding: chunked\r\n\r\n") + b"10\r\n{\"a\":")
    time.sleep(0.3)
    new = [line for line in dev_server.access()[lines_before:] if line.get("route") != "/metrics"]
    assert [(line["status"], line["error"]) for line in new] == [(400, "body_unreadable")], new


def test_the_server_still_answers_after_every_refusal(dev_server):
    assert post(dev_server.port, json.loads(LAUNCH))[0] == 200
    assert not [line for line in dev_server.stderr().splitlines() if not line.startswith("{")], "every line is JSON"


class FakeClient:
    def __init__(self) -> None:
        self.sent = b""

    def sendall(self, data: bytes) -> None:
        self.sent += data


class FakeRequest:
    method, path = "POST", "/alexa"


def test_a_worker_stopped_mid_request_answers_a_json_503_with_its_line(caplog):
    # gunicorn stops a worker whose request outlived the timeout by raising SystemExit in it.
    worker = SkillSyncWorker.__new__(SkillSyncWorker)
    worker.wsgi = None
    client = FakeClient()
    with caplog.at_level("INFO"):
        worker.handle_error(FakeRequest(), client, ("127.0.0.1", 1), SystemExit(1))
    assert client.sent.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), client.sent[:100]
    assert json.loads(client.sent.partition(b"\r\n\r\n")[2])["error"]["code"] == "worker_timeout"
    [line] = [r for r in caplog.records if r.name == "skill.access"]
    assert line.levelname == "ERROR" and line.msg.fields == {"error": "worker_timeout", "status": 503}
    assert gunicorn_error(ValueError())[0] == 500
