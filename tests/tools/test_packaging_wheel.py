"""The wheel is the whole skill: built, installed into a fresh venv and run from another folder.

The wheel is built offline from a copy of the sources (``--no-build-isolation``: the dev
install's setuptools) and installed with ``--no-deps``; the fresh venv borrows this venv's
site-packages for the dependencies through a ``.pth`` line, which adds the folder to ``sys.path``
without running the editable install's hooks, so ``skill`` can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from skill.cli import main
from skill.tools.envelopes import envelope, launch_request

ROOT = Path(__file__).resolve().parents[2]
#: What `pip install .` reads: the fixed top-level layout.
SOURCES = ("skill", "content", "interaction_model", "pyproject.toml", "README.md")


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, src / name)
    dist = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "-q", "-w", str(dist), str(src)])  # fmt: skip
    assert done.returncode == 0, f"building the wheel failed:\n{done.stderr[-3000:]}"
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict[str, object]:
    """A fresh venv holding only the wheel; returns its console script, env and a working folder."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                 "-q", str(wheel)])  # fmt: skip
    assert done.returncode == 0, f"installing the wheel failed:\n{done.stderr[-3000:]}"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    (Path(purelib) / "borrowed-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKILL_", "PYTHON"))}
    env["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    return {"script": home / "bin" / "nose-twitch", "python": python, "env": env, "cwd": elsewhere}


def _nose_twitch(installed, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return _run([str(installed["script"]), *args], input=stdin, cwd=installed["cwd"], env=installed["env"])


def test_the_wheel_carries_the_content_and_the_models(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    content = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "content").glob("*/*.yaml"))
    models = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "interaction_model").glob("*.json"))
    assert content and models
    missing = [name for name in content + models if f"skill/{name}" not in names]
    assert not missing, f"the wheel lacks {missing[:5]}"
    assert not [n for n in names if n.startswith(("content/", "interaction_model/", "tests/"))], "only under skill/"


def test_every_package_below_skill_is_in_the_wheel():
    with (ROOT / "pyproject.toml").open("rb") as handle:
        listed = set(tomllib.load(handle)["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "skill").rglob("__init__.py")
    } | {"skill.content", "skill.interaction_model"}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"


def test_the_installed_skill_is_the_wheel_and_not_the_checkout(installed):
    where = _run([str(installed["python"]), "-c", "import skill, skill.config as c; print(skill.__file__); "
                  "print(c.default_content_dir()); print(c.default_model_dir())"],  # fmt: skip
                 cwd=installed["cwd"], env=installed["env"])  # fmt: skip
    module, content, models = where.stdout.split()
    for path in (module, content, models):
        assert not Path(path).is_relative_to(ROOT), f"{path} should come from the wheel, not the checkout"
    assert Path(content).name == "content" and (Path(content) / "en").is_dir()


def test_validate_review_package_and_chat_work_from_another_folder(installed, tmp_path):
    validate = _nose_twitch(installed, "validate")
    assert validate.returncode == 0, f"validate: {validate.stdout[-2000:]}{validate.stderr[-2000:]}"

    review = _nose_twitch(installed, "review", "--out", str(tmp_path / "review.html"))
    assert review.returncode == 0, review.stderr[-2000:]
    assert "Nose Twitch" in (tmp_path / "review.html").read_text(encoding="utf-8")

    project, zip_path = tmp_path / "project", tmp_path / "lambda.zip"
    package = _nose_twitch(installed, "package", "--endpoint", "https://skill.example.org/alexa",
                           "--out", str(project), "--zip", str(zip_path), "--no-deps")  # fmt: skip
    assert package.returncode == 0, package.stderr[-2000:]
    assert (project / "skill-package" / "interactionModels" / "custom" / "en-US.json").is_file()
    with zipfile.ZipFile(zip_path) as archive:
        assert "skill/content/en/common.yaml" in archive.namelist()

    chat = _nose_twitch(installed, "chat", stdin="why does my nose twitch\n")
    assert chat.returncode == 0, chat.stderr[-2000:]
    assert "twitch" in chat.stdout.lower(), f"chat should answer the question: {chat.stdout[-1000:]}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_a_real_request_from_another_folder(installed, store):
    port = _free_port()
    server = subprocess.Popen(
        [str(installed["script"]), "serve", "--dev", "--port", str(port), "--workers", "1"],
        cwd=installed["cwd"], env=installed["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline, reply = time.monotonic() + 30, None
        body = json.dumps(envelope(launch_request("en-US"), new=True)).encode()
        while reply is None and time.monotonic() < deadline and server.poll() is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/alexa", data=body, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    reply = (response.status, json.loads(response.read()))
            except OSError:
                time.sleep(0.2)
        assert reply is not None, f"the server never answered: {server.poll()=}"
        status, data = reply
        assert status == 200
        assert store.for_locale("en-US").text("launch.welcome") in data["response"]["outputSpeech"]["ssml"]
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "listening on" in err, err[-2000:]


def test_serve_says_nothing_about_listening_when_the_content_fails(tmp_path, capsys):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "bad.yaml").write_text("a: 1\na: 2\n", encoding="utf-8")
    status = main(["serve", "--dev", "--port", "0", "--content-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and "bad.yaml" in err, err[-2000:]
    assert "listening" not in err, "a server that cannot start must not say it is listening"
