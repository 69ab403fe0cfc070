"""The deployment the README documents, for real: Debian's nginx and Caddy in front of the server.

docs/deploy/nginx.conf and docs/deploy/Caddyfile are used as they ship, with only the names that
must change here replaced (the site's address, the certificate files, the server's port). Each
proxy checks its configuration (``nginx -t``, ``caddy validate``), then runs in front of the real
server (``nose-twitch serve``, two sync workers) with a self-signed certificate, and 50 slow
clients (half sending their headers a byte at a time, half their body) must not keep a normal
client waiting more than a second: the proxy reads each request whole before a worker sees it.

The same 50 slow clients sent straight to the server stop it (the reliability review's H1):
that control proves the slow clients are slow enough to matter.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from skill.tools.envelopes import envelope, launch_request
from tests.support.proxies import find_or_install, self_signed
from tests.support.servers import ROOT, free_port, serve_command, serving

pytestmark = [pytest.mark.slow, pytest.mark.network]  # real nginx and caddy, apt-get installed where missing

DEPLOY = ROOT / "docs" / "deploy"
LAUNCH = json.dumps(envelope(launch_request(), new=True)).encode()
SLOW_CLIENTS = 50


def replaced(text: str, changes: dict[str, str], source: str) -> str:
    for old, new in changes.items():
        assert old in text, f"{source} no longer has {old!r}; update this test with the file"
        text = text.replace(old, new)
    return text


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# --- the proxies, configured from docs/deploy --------------------------------------------------------


def nginx_files(folder: Path, port: int, app_port: int) -> Path:
    cert, key = self_signed(folder)
    site = replaced((DEPLOY / "nginx.conf").read_text(encoding="utf-8"), {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port} ssl http2;",
        "/etc/letsencrypt/live/skill.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/skill.example.org/privkey.pem": str(key),
        "server 127.0.0.1:8080": f"server 127.0.0.1:{app_port}",
    }, "docs/deploy/nginx.conf")
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main = (f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\ndaemon off;\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{\n    access_log {folder}/access.log;\n{temp}\n    include {folder}/site.conf;\n}}\n")
    config = folder / "nginx-main.conf"
    config.write_text(main, encoding="utf-8")
    return config


def caddy_files(folder: Path, port: int, app_port: int) -> Path:
    cert, key = self_signed(folder)
    text = replaced((DEPLOY / "Caddyfile").read_text(encoding="utf-8"), {
        "{\n\tservers {": f"{{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system {folder}/data\n\tservers {{",
        "skill.example.org {": f"https://127.0.0.1:{port} {{\n\ttls {cert} {key}",
        "reverse_proxy 127.0.0.1:8080": f"reverse_proxy 127.0.0.1:{app_port}",
    }, "docs/deploy/Caddyfile")
    config = folder / "Caddyfile"
    config.write_text(text, encoding="utf-8")
    return config


@contextmanager
def running(command: list[str], folder: Path, port: int, env: dict[str, str] | None = None) -> Iterator[None]:
    log = folder / "proxy.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=folder, stdout=sink, stderr=sink, stdin=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"{command[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{command[0]} did not listen on {port}:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The real server, as the unit runs it (two sync workers), on a port of its own."""
    port = free_port()
    folder = tmp_path_factory.mktemp("app")
    with serving(serve_command("--dev", "--port", str(port), "--workers", "2"), folder, port) as server:
        yield server


@contextmanager
def nginx_in_front_of(app_port: int, folder: Path) -> Iterator[int]:
    """docs/deploy/nginx.conf, checked with ``nginx -t`` and running in front of ``app_port``."""
    binary = find_or_install("nginx", "nginx")
    port = free_port()
    config = nginx_files(folder, port, app_port)
    checked = subprocess.run([binary, "-t", "-c", str(config), "-p", str(folder)], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0, f"nginx -t refuses docs/deploy/nginx.conf:\n{checked.stderr}"
    with running([binary, "-c", str(config), "-p", str(folder)], folder, port):
        yield port


@pytest.fixture(scope="module")
def nginx(app, tmp_path_factory) -> Iterator[int]:
    with nginx_in_front_of(app.port, tmp_path_factory.mktemp("nginx")) as port:
        yield port


@pytest.fixture(scope="module")
def caddy(app, tmp_path_factory) -> Iterator[int]:
    binary = find_or_install("caddy", "caddy")
    folder = tmp_path_factory.mktemp("caddy")
    port = free_port()
    config = caddy_files(folder, port, app.port)
    env = {"HOME": str(folder), "XDG_DATA_HOME": str(folder / "data"), "XDG_CONFIG_HOME": str(folder / "config")}
    checked = subprocess.run([binary, "validate", "--config", str(config), "--adapter", "caddyfile"],
                             capture_output=True, text=True, timeout=60, env={**os.environ, **env})
    assert checked.returncode == 0 and "Valid configuration" in checked.stderr + checked.stdout, \
        f"caddy validate refuses docs/deploy/Caddyfile:\n{checked.stderr}"
    with running([binary, "run", "--config", str(config), "--adapter", "caddyfile"], folder, port, env):
        yield port


# --- clients -----------------------------------------------------------------------------------------


class SlowClients:
    """``count`` connections that each send one byte every half second: half of them are still
    sending their headers, half have sent their headers and are sending their body."""

    def __init__(self, port: int, count: int, tls: bool) -> None:
        self._stop = threading.Event()
        self._sockets: list[tuple[socket.socket, bytes]] = []
        body = LAUNCH
        for n in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if tls:
                sock = unverified().wrap_socket(sock, server_hostname="localhost")
            headers = (f"POST /alexa HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body)}\r\n\r\n").encode()
            if n % 2:  # slow body: headers sent at once
                sock.sendall(headers)
                self._sockets.append((sock, body))
            else:  # slow headers
                self._sockets.append((sock, headers + body))
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def _trickle(self) -> None:
        position = 0
        while not self._stop.wait(0.5):
            for sock, data in self._sockets:
                if position < len(data):
                    try:
                        sock.sendall(data[position:position + 1])
                    except OSError:
                        pass
            position += 1

    def __enter__(self) -> SlowClients:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for sock, _ in self._sockets:
            sock.close()


def probe(port: int, tls: bool, timeout: float = 1.0) -> tuple[int | str, float]:
    """A normal client's launch: its status (or the error), and how long it waited."""
    started = time.monotonic()
    if tls:
        conn: http.client.HTTPConnection = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                                                        context=unverified())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/alexa", body=LAUNCH, headers={"Content-Type": "application/json"})
        reply = conn.getresponse()
        answer = json.loads(reply.read())
        status: int | str = reply.status if answer.get("response", {}).get("outputSpeech") else "no speech"
    except OSError as exc:
        status = type(exc).__name__
    finally:
        conn.close()
    return status, time.monotonic() - started


def probes_while_slow(port: int, tls: bool) -> list[tuple[int | str, float]]:
    with SlowClients(port, SLOW_CLIENTS, tls):
        results = []
        for _ in range(3):
            time.sleep(1.0)  # the slow clients hold whatever they can by now
            results.append(probe(port, tls))
    return results


# --- the tests ----------------------------------------------------------------------------------------


def test_without_a_proxy_slow_clients_stop_the_server(app):
    """The control: the same slow clients, straight at the sync workers, keep a normal client waiting."""
    results = probes_while_slow(app.port, tls=False)
    assert not all(status == 200 and waited < 1.0 for status, waited in results), (
        f"the slow clients did not hold the workers ({results}): the proxy tests below would prove nothing"
    )
    deadline = time.monotonic() + 15  # the workers are free again once the slow clients are gone
    while probe(app.port, tls=False, timeout=5)[0] != 200:
        assert time.monotonic() < deadline, "the server did not recover after the slow clients left"


@pytest.mark.parametrize("proxy", ["nginx", "caddy"])
def test_behind_the_documented_proxy_50_slow_clients_do_not_stall_a_normal_one(request, app, proxy):
    port = request.getfixturevalue(proxy)
    assert probe(port, tls=True, timeout=5)[0] == 200, f"{proxy} passes a normal request through"
    results = probes_while_slow(port, tls=True)
    assert all(status == 200 for status, _ in results), f"{proxy}: {results}"
    slowest = max(waited for _, waited in results)
    assert slowest < 1.0, f"{proxy}: a normal client waited {slowest:.2f} s behind {SLOW_CLIENTS} slow ones: {results}"


@pytest.mark.parametrize(("proxy", "statuses"), [("nginx", {413}), ("caddy", {413, 502})])
def test_the_proxy_refuses_a_body_over_the_servers_limit_and_the_skill_never_sees_it(request, app, proxy, statuses):
    # nginx answers 413 itself. Caddy 2.6 reads the body up to its cap, passes on what it read with
    # the original length, which the server refuses at once (413, from the length alone), and
    # answers the client 502; the skill never sees the request either way.
    port = request.getfixturevalue(proxy)
    seen = len(app.access())
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=unverified())
    try:
        conn.request("POST", "/alexa", body=b"{" + b" " * (300 * 1024) + b"}",
                     headers={"Content-Type": "application/json"})
        status: int | str = conn.getresponse().status
    except OSError as exc:
        status = type(exc).__name__
    finally:
        conn.close()
    assert status in statuses, f"{proxy} answered {status} to a 300 KB body"
    time.sleep(0.3)
    reached = [line for line in app.access()[seen:] if line["status"] != 413]
    assert reached == [], f"the oversized body reached the skill: {reached}"


#: A gunicorn config whose worker dies (as if killed) on the first request that asks for it.
_DIE_ONCE = """
import os
MARK = {mark!r}

def pre_request(worker, req):
    if any(name.upper() == "X-TEST-DIE" for name, _ in req.headers) and not os.path.exists(MARK):
        open(MARK, "w").close()
        os._exit(1)
"""


def test_behind_nginx_a_worker_that_dies_with_the_request_in_hand_loses_nothing(tmp_path):
    """nginx sends the request once more when the worker that had it dies (proxy_next_upstream);
    straight at the server the same death is a connection closed without an answer."""
    (tmp_path / "die_once.py").write_text(_DIE_ONCE.format(mark=str(tmp_path / "died")), encoding="utf-8")
    port = free_port()
    command = serve_command("--dev", "--port", str(port), "--workers", "2", "--gunicorn-config", "die_once.py")
    dying = {"Content-Type": "application/json", "X-Test-Die": "1"}
    with serving(command, tmp_path, port) as server:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            conn.request("POST", "/alexa", body=LAUNCH, headers=dying)
            conn.getresponse()
        conn.close()
        (tmp_path / "died").unlink()  # the next such request kills its worker again
        (tmp_path / "nginx").mkdir()
        with nginx_in_front_of(port, tmp_path / "nginx") as proxy:
            conn = http.client.HTTPSConnection("127.0.0.1", proxy, timeout=10, context=unverified())
            conn.request("POST", "/alexa", body=LAUNCH, headers=dying)
            reply = conn.getresponse()
            answer = json.loads(reply.read())
            conn.close()
        assert (tmp_path / "died").exists(), "the worker that took the request died"
        assert reply.status == 200 and answer["response"]["outputSpeech"], "nginx sent it again and got the answer"
        assert len(server.workers(2)) == 2
