"""The Lambda build: code that loads on the Lambda runtime it names, and one `ask deploy` project.

The zips are built once per test session with the real pip against PyPI (pip's own cache keeps
later sessions quick). Every compiled module in them is read with binutils' ``readelf``: its ABI
tag and machine must match the runtime and architecture, and the glibc symbol versions it needs
must exist on the runtime's Amazon Linux. Where pyenv has the runtime's Python, the handler is
run from the unzipped code with it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from skill.cli import main
from skill.config import DEFAULT_CONTENT_DIR, LAMBDA_CACHE_DIR, config_from_env, default_cache_dir, is_lambda
from skill.tools.ship import lambda_build
from skill.tools.envelopes import envelope, launch_request

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
#: What readelf says in "Machine:" for each Lambda architecture.
ELF_MACHINE = {"x86_64": "Advanced Micro Devices X86-64", "arm64": "AArch64"}


def _pypi_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/simple/pyyaml/", timeout=5) as reply:
            return reply.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="session")
def pypi() -> None:
    if not _pypi_reachable():
        pytest.skip("PyPI is not reachable: the Lambda dependencies cannot be installed offline")


@pytest.fixture(scope="session")
def deploy_project(tmp_path_factory, pypi) -> tuple[Path, Path]:
    """The default build, once: ``package --deploy-lambda --zip`` (python3.13, x86_64)."""
    root = tmp_path_factory.mktemp("lambda-default")
    project, zip_path = root / "ask-project", root / "lambda.zip"
    status = main(["package", "--deploy-lambda", "--out", str(project), "--zip", str(zip_path)])
    assert status == 0, "packaging the ASK project with its Lambda code should succeed"
    return project, zip_path


#: The dependencies that carry compiled modules: enough to prove another runtime and architecture
#: without a second full install (the default build above installs everything).
COMPILED_REQUIREMENTS = ("pyyaml>=6.0,<7", "charset-normalizer")


@pytest.fixture(scope="session")
def arm_zip(tmp_path_factory, pypi) -> Path:
    """The other runtime on the other architecture, once: python3.12 on arm64."""
    zip_path = tmp_path_factory.mktemp("lambda-arm") / "lambda.zip"
    runtime = lambda_build.RUNTIMES["python3.12"]
    lambda_build.build_zip(
        zip_path, DEFAULT_CONTENT_DIR, runtime=runtime, arch="arm64", requirements=COMPILED_REQUIREMENTS
    )
    return zip_path


# --- what pip is asked for --------------------------------------------------------------------


@pytest.mark.parametrize(("arch", "machine"), [("x86_64", "x86_64"), ("arm64", "aarch64")])
@pytest.mark.parametrize("name", list(lambda_build.RUNTIMES))
def test_pip_gets_every_manylinux_tag_the_runtime_can_load_and_none_newer(name, arch, machine):
    runtime = lambda_build.RUNTIMES[name]
    command = lambda_build.pip_command(["pyyaml"], Path("/t"), runtime, arch)
    platforms = [command[i + 1] for i, flag in enumerate(command) if flag == "--platform"]
    assert f"manylinux2014_{machine}" in platforms, "the oldest policy the wheels publish"
    newest = max(int(m[1]) for p in platforms if (m := re.fullmatch(rf"manylinux_2_(\d+)_{machine}", p)))
    assert newest == runtime.glibc[1], f"{name} has glibc 2.{runtime.glibc[1]}: up to that tag, nothing newer"
    assert all(p.endswith(machine) for p in platforms), f"only {machine} wheels for {arch}"
    for flag, value in (("--python-version", runtime.python_version), ("--implementation", "cp"), ("--target", "/t")):
        assert command[command.index(flag) + 1] == value
    assert "--only-binary=:all:" in command, "no source builds: they would compile for this machine"


def test_the_default_runtime_is_a_current_amazon_linux_2023_one():
    runtime = lambda_build.RUNTIMES[lambda_build.DEFAULT_RUNTIME]
    assert runtime.name in {"python3.12", "python3.13"} and runtime.os == "Amazon Linux 2023"
    assert runtime.glibc == (2, 34), "Amazon Linux 2023's glibc"
    assert lambda_build.DEFAULT_ARCH == "x86_64", "ask deploy's Lambda deployer creates x86_64 functions"


@pytest.mark.parametrize(
    ("env", "on_lambda"),
    [
        ({"AWS_LAMBDA_FUNCTION_NAME": "nose-twitch"}, True),
        ({"LAMBDA_TASK_ROOT": "/var/task"}, True),
        ({"HOME": "/home/someone"}, False),
        ({}, False),
    ],
)
def test_the_content_cache_goes_to_tmp_on_lambda_only(env, on_lambda, tmp_path):
    env = {**env, "XDG_CACHE_HOME": str(tmp_path)}
    assert is_lambda(env) is on_lambda
    expected = LAMBDA_CACHE_DIR if on_lambda else tmp_path / "nose-twitch"
    assert default_cache_dir(env) == expected
    assert config_from_env(env).cache_dir == expected
    assert config_from_env({**env, "SKILL_CACHE_DIR": "off"}).cache_dir is None, "an explicit setting still wins"
    assert LAMBDA_CACHE_DIR.parts[:2] == ("/", "tmp"), "Lambda's only writable folder"


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--zip", "x.zip", "--arch", "sparc"], None),  # argparse: invalid choice
        (["--zip", "x.zip", "--runtime", "python3.11"], None),  # Amazon Linux 2: not offered
        (["--endpoint", "https://skill.example.org/alexa", "--runtime", "python3.13"], "--zip or --deploy-lambda"),
        (["--endpoint", "https://skill.example.org/alexa", "--aws-region", "us-east-1"], "--aws-region is for"),
        (["--deploy-lambda", "--arch", "arm64"], "x86_64"),
        (["--deploy-lambda", "--no-deps"], "needs the dependencies"),
        (["--deploy-lambda", "--aws-region", "mars"], "--aws-region must be"),
        (["--deploy-lambda", "--lambda-arn", "arn:aws:lambda:us-east-1:123456789012:function:x"], None),
    ],
)
def test_lambda_flags_that_would_build_the_wrong_thing_are_refused(flags, says, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        status = main(["package", *flags])
    except SystemExit as exc:  # argparse's own refusals
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2, f"{flags} should be refused with exit status 2: {err!r}"
    if says:
        assert says in err, f"the refusal of {flags} should say {says!r}: {err!r}"
    assert not list(tmp_path.iterdir()), "nothing is written"


def test_the_lambda_entry_imports_neither_the_webhook_nor_its_dependencies():
    probe = (
        "import sys, skill.lambda_handler; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'gunicorn', 'cryptography', 'certifi'} "
        "or m.startswith(('skill.web', 'skill.tools'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]", f"the Lambda entry pulled in the webhook's modules: {done.stdout}"


# --- the compiled modules ---------------------------------------------------------------------


def _readelf(path: Path, *flags: str) -> str:
    return subprocess.run(["readelf", *flags, str(path)], capture_output=True, text=True, timeout=60, check=True).stdout


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def _unzip(zip_path: Path, into: Path) -> list[Path]:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return sorted(p for p in into.rglob("*") if p.is_file() and _is_elf(p))


def _check_compiled(zip_path: Path, runtime: lambda_build.Runtime, arch: str, into: Path) -> tuple[int, list[str]]:
    """How many compiled (ELF) files the zip holds, and every problem they have on ``runtime``/``arch``."""
    problems = []
    elves = _unzip(zip_path, into)
    machine = lambda_build.ARCHITECTURES[arch]
    abi_tag = re.compile(r"\.(?:(cpython-\d+)-([a-z0-9_]+)-linux-gnu|abi3)\.so$")
    for path in elves:
        name = path.relative_to(into).as_posix()
        header = _readelf(path, "-h")
        if ELF_MACHINE[arch] not in header:
            problems.append(f"{name}: built for another machine than {arch}")
        tag = abi_tag.search(name)
        if name.endswith(".so") and tag is None and ".libs/" not in name:
            problems.append(f"{name}: a Python extension without an ABI tag")
        elif tag and tag.group(1) and (tag.group(1) != runtime.abi or tag.group(2) != machine):
            problems.append(f"{name}: built for {tag.group(1)} {tag.group(2)}, not {runtime.abi} {machine}")
        needed = {tuple(int(n) for n in v) for v in re.findall(r"GLIBC_(\d+)\.(\d+)", _readelf(path, "-V", "-W"))}
        too_new = sorted(v for v in needed if v > runtime.glibc)
        if too_new:
            problems.append(f"{name}: needs GLIBC_{too_new[-1][0]}.{too_new[-1][1]}, {runtime.name} has {runtime.glibc}")
    return len(elves), problems


@pytest.mark.slow
@pytest.mark.network  # builds Lambda zips with dependencies from PyPI (fixtures taken by name)
@pytest.mark.parametrize("build", ["default", "arm64-python3.12"])
def test_every_compiled_module_loads_on_the_runtime_it_was_built_for(build, request, tmp_path):
    if build == "default":
        _, zip_path = request.getfixturevalue("deploy_project")
        runtime, arch = lambda_build.RUNTIMES[lambda_build.DEFAULT_RUNTIME], lambda_build.DEFAULT_ARCH
    else:
        zip_path = request.getfixturevalue("arm_zip")
        runtime, arch = lambda_build.RUNTIMES["python3.12"], "arm64"
    count, problems = _check_compiled(zip_path, runtime, arch, tmp_path / "unzipped")
    assert count > 0, "the dependencies carry compiled modules (PyYAML's _yaml at least)"
    assert not problems, "\n".join(problems)
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    assert any(re.search(rf"yaml/_yaml\.{runtime.abi}-{lambda_build.ARCHITECTURES[arch]}-linux-gnu\.so$", n) for n in names)
    tops = {name.split("/")[0] for name in names}
    assert {"skill", "yaml"} <= tops and (build != "default" or "ask_sdk_core" in tops), sorted(tops)
    assert not tops & {"flask", "gunicorn", "cryptography", "bin"}, "webhook-only packages stay out"
    assert "skill/content/en/common.yaml" in names and "content" not in tops


def _runtime_python(runtime: lambda_build.Runtime) -> Path | None:
    found = sorted(PYENV_VERSIONS.glob(f"{runtime.python_version}.*/bin/python{runtime.python_version}"))
    return found[-1] if found else None


#: Runs the handler as Lambda's bootstrap would: only the code's folder on the path, Lambda's
#: variables set, the webhook's packages unimportable.
_RUN_HANDLER = """
import json, sys
for blocked in ("flask", "gunicorn", "cryptography"):
    sys.modules[blocked] = None
import skill.lambda_handler as h
import yaml
event = json.load(sys.stdin)
print(json.dumps({"module": h.__file__, "libyaml": yaml.__with_libyaml__, "response": h.handler(event, None)}))
"""


def test_the_handler_answers_from_the_unzipped_code_on_the_runtimes_python(deploy_project, tmp_path, store):
    _, zip_path = deploy_project
    runtime = lambda_build.RUNTIMES[lambda_build.DEFAULT_RUNTIME]
    python = _runtime_python(runtime)
    if python is None:
        pytest.skip(f"this machine has no Python {runtime.python_version} under {PYENV_VERSIONS}")
    task_root = tmp_path / "task"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(task_root)
    cache = tmp_path / "cache"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(task_root),
        "LAMBDA_TASK_ROOT": str(task_root),
        "AWS_LAMBDA_FUNCTION_NAME": "nose-twitch-test",
        "SKILL_CACHE_DIR": str(cache),  # /tmp/nose-twitch by default on Lambda; kept inside the test here
        "PYTHONWARNINGS": "ignore",
    }
    done = subprocess.run(
        [str(python), "-S", "-c", _RUN_HANDLER],
        input=json.dumps(envelope(launch_request("en-US"), new=True)),
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"the handler failed on Python {runtime.python_version}:\n{done.stderr[-3000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(result["module"]).is_relative_to(task_root), "the zip's own skill package ran"
    assert result["libyaml"] is True, "PyYAML's compiled extension loaded on the runtime's Python"
    speech = result["response"]["response"]["outputSpeech"]["ssml"]
    assert store.for_locale("en-US").text("launch.welcome") in speech, speech
    assert list(cache.glob("content-*.json")), "the parsed content was cached where the settings say"


# --- one `ask deploy` -------------------------------------------------------------------------

#: ``ask-resources.json`` as the ASK CLI documents it (docs/concepts/Alexa-Skill-Project-Definition.md
#: in alexa/ask-cli) and as its Lambda deployer reads it (lib/builtins/deploy-delegates/
#: lambda-deployer/helper.js): the keys each level may have.
PROFILE_KEYS = {"skillId", "skillMetadata", "code", "skillInfrastructure"}
CODE_REGIONS = {"default", "NA", "EU", "FE"}
USER_CONFIG_KEYS = {
    "runtime", "handler", "awsRegion", "targetEndpoint", "skillEvents", "artifactsS3",
    "regionalOverrides", "sourceLambda", "lambda",
}  # fmt: skip
LAMBDA_KEYS = {"functionName", "description", "memorySize", "timeout", "environmentVariables"}
TARGET_ENDPOINTS = {"alexaForBusiness", "custom", "flashBriefing", "health", "householdList", "music", "smartHome", "video"}
#: Files that make the ASK CLI pick a build flow other than "zip-only" (lib/controllers/
#: skill-code-controller/code-builder.js); python-pip would reinstall for this machine.
OTHER_BUILD_FLOWS = ("hooks", "package.json", "pom.xml", "requirements.txt")


def _shape_problems(resources: dict[str, Any], project: Path) -> list[str]:
    problems = []
    if resources.get("askcliResourcesVersion") != "2020-03-31":
        problems.append("askcliResourcesVersion must be 2020-03-31")
    if set(resources) - {"askcliResourcesVersion", "profiles"}:
        problems.append(f"unknown top-level keys {set(resources) - {'askcliResourcesVersion', 'profiles'}}")
    for name, profile in resources.get("profiles", {}).items():
        where = f"profiles.{name}"
        problems += [f"{where}.{key}: not an ask-resources key" for key in set(profile) - PROFILE_KEYS]
        src = profile.get("skillMetadata", {}).get("src", "")
        if not (project / src / "skill.json").is_file():
            problems.append(f"{where}.skillMetadata.src {src!r} holds no skill.json")
        for region, code in profile.get("code", {}).items():
            if region not in CODE_REGIONS:
                problems.append(f"{where}.code.{region}: not an Alexa region")
            if set(code) != {"src"} or not (project / code["src"]).is_dir():
                problems.append(f"{where}.code.{region} must be {{src: <folder>}} of an existing folder")
        infra = profile.get("skillInfrastructure", {})
        if infra.get("type") != "@ask-cli/lambda-deployer":
            problems.append(f"{where}.skillInfrastructure.type must be @ask-cli/lambda-deployer")
        config = infra.get("userConfig", {})
        problems += [f"{where}...userConfig.{key}: unknown to the deployer" for key in set(config) - USER_CONFIG_KEYS]
        problems += [f"{where}...userConfig.lambda.{key}: unknown" for key in set(config.get("lambda", {})) - LAMBDA_KEYS]
        if not set(config.get("targetEndpoint", [])) <= TARGET_ENDPOINTS:
            problems.append(f"{where}...userConfig.targetEndpoint names unknown APIs")
        for key in ("runtime", "handler", "awsRegion"):
            if not isinstance(config.get(key), str) or not config[key]:
                problems.append(f"{where}...userConfig.{key} is required")
    return problems


def test_the_ask_project_matches_the_documented_ask_resources_shape(deploy_project):
    project, _ = deploy_project
    resources = json.loads((project / "ask-resources.json").read_text(encoding="utf-8"))
    assert not _shape_problems(resources, project), "\n".join(_shape_problems(resources, project))
    profile = resources["profiles"]["default"]
    config = profile["skillInfrastructure"]["userConfig"]
    assert config["runtime"] == lambda_build.DEFAULT_RUNTIME and config["handler"] == "skill.lambda_handler.handler"
    assert config["awsRegion"] == "us-east-1" and config["targetEndpoint"] == ["custom"]
    assert config["lambda"]["timeout"] <= 10, "Alexa waits 8 s: a longer timeout only hides a hung function"
    assert profile["code"] == {"default": {"src": "./lambda"}}


def test_the_shape_check_catches_what_the_ask_cli_would_not_understand(deploy_project):
    project, _ = deploy_project
    good = json.loads((project / "ask-resources.json").read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(good))
    profile = broken["profiles"]["default"]
    profile["skillInfrastructure"]["type"] = "@ask-cli/cfn-deployer"
    profile["skillInfrastructure"]["userConfig"]["memory"] = 512
    profile["code"]["Mars"] = {"src": "./nowhere"}
    del profile["skillInfrastructure"]["userConfig"]["handler"]
    problems = "\n".join(_shape_problems(broken, project))
    for expected in ("lambda-deployer", "userConfig.memory", "code.Mars", "handler is required"):
        assert expected in problems, f"the shape check should report {expected!r}:\n{problems}"


def test_ask_deploy_zips_the_lambda_folder_as_it_is_and_it_is_the_zip(deploy_project):
    project, zip_path = deploy_project
    code = project / "lambda"
    present = [name for name in OTHER_BUILD_FLOWS if (code / name).exists()]
    assert not present, f"{present} would make the ASK CLI rebuild the code for this machine"
    handler_module = code / "skill" / "lambda_handler.py"
    assert re.search(r"^def handler\(", handler_module.read_text(encoding="utf-8"), re.M), "the configured handler exists"
    with zipfile.ZipFile(zip_path) as archive:
        zipped = sorted(archive.namelist())
    folder = sorted(p.relative_to(code).as_posix() for p in code.rglob("*") if p.is_file())
    assert folder == zipped, "lambda/ and the zip hold the same files: one build"


def test_the_skill_manifest_leaves_the_endpoint_to_ask_deploy(deploy_project):
    project, _ = deploy_project
    manifest = json.loads((project / "skill-package" / "skill.json").read_text(encoding="utf-8"))
    custom = manifest["manifest"]["apis"]["custom"]
    assert "endpoint" not in custom, "ask deploy writes the ARN of the function it creates"
    assert custom["interfaces"], "the rest of the manifest is unchanged"


def test_an_https_project_written_over_a_lambda_one_drops_the_function(deploy_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(deploy_project[0], project)
    assert main(["package", "--endpoint", "https://skill.example.org/alexa", "--out", str(project)]) == 0
    resources = json.loads((project / "ask-resources.json").read_text(encoding="utf-8"))
    assert set(resources["profiles"]["default"]) == {"skillMetadata"}, "no code or infrastructure for a webhook"
    assert not (project / "lambda").exists(), "a stale function must not ship with an HTTPS skill"


# --- what a cold start no longer redoes (reviews of 2026-12-06) ----------------------------------

#: A cold start as Lambda's bootstrap makes it, with warnings at Python's defaults (so the SDK's
#: SyntaxWarnings would show), timing nothing: the test asserts what it prints.
_COLD_START = """
import json, sys
for blocked in ("flask", "gunicorn", "cryptography"):
    sys.modules[blocked] = None
import skill.lambda_handler as h
response = h.handler(json.load(sys.stdin), None)
print(json.dumps({"yaml": "yaml" in sys.modules, "response": response}))
"""


def _cold_start(python: Path, task_root: Path, tmp: Path, event: dict) -> subprocess.CompletedProcess:
    """The code at ``task_root`` started as Lambda starts it: nothing else on the path, no bytecode
    written (``/var/task`` is read-only), an empty cache folder (a fresh ``/tmp``)."""
    env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_FUNCTION_NAME": "nose-twitch-test", "LAMBDA_TASK_ROOT": str(task_root),
           "SKILL_CACHE_DIR": str(tmp / "cache"), "HOME": str(tmp)}
    return subprocess.run(
        [str(python), "-S", "-E", "-B", "-c", f"import sys; sys.path.insert(0, {str(task_root)!r})\n" + _COLD_START],
        input=json.dumps(event), capture_output=True, text=True, cwd=tmp, env=env, timeout=120,
    )


def test_the_zip_ships_bytecode_for_its_runtime_and_a_cold_start_prints_nothing(deploy_project, tmp_path, store):
    _, zip_path = deploy_project
    runtime = lambda_build.RUNTIMES[lambda_build.DEFAULT_RUNTIME]
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "task")
    python = _runtime_python(runtime)
    if python is None:
        pytest.skip(f"this machine has no Python {runtime.python_version}: the zip has no bytecode to check")
    sources = [n for n in names if n.endswith(".py") and n.startswith(("skill/", "ask_sdk_core/", "ask_sdk_model/"))]
    missing = [n for n in sources
               if f"{n.rpartition('/')[0]}/__pycache__/{Path(n).stem}.{runtime.abi}.pyc" not in names]
    assert not missing, f"modules without {runtime.abi} bytecode: {missing[:5]}"
    assert "skill/_content_cache.json" in names and "skill/_lambda_build.json" in names
    done = _cold_start(python, tmp_path / "task", tmp_path, envelope(launch_request("en-US"), new=True))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == "", f"a cold start wrote to stderr (Lambda would log it):\n{done.stderr[:2000]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["yaml"] is False, "the content came parsed in the zip: no YAML parsing at a cold start"
    assert store.for_locale("en-US").text("launch.welcome") in result["response"]["response"]["outputSpeech"]["ssml"]


def test_without_bytecode_a_cold_start_prints_no_syntax_warnings(tmp_path, store):
    runtime = lambda_build.RUNTIMES[lambda_build.DEFAULT_RUNTIME]
    python = _runtime_python(runtime)
    if python is None:
        pytest.skip(f"this machine has no Python {runtime.python_version}")
    code = lambda_build.collect(DEFAULT_CONTENT_DIR, tmp_path / "work", runtime=runtime, deps=False, compile=False)
    task = tmp_path / "task"
    lambda_build.write_folder(code, task)
    # The SDK from the runtime's own wheels is not needed to show the warnings: its source is.
    sdk = Path(__import__("ask_sdk_core").__file__).parent.parent
    for package in ("ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime", "dateutil", "six.py", "yaml"):
        source = sdk / package
        if source.is_dir():
            shutil.copytree(source, task / package, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        elif source.is_file():
            shutil.copy(source, task / package)
    done = _cold_start(python, task, tmp_path, envelope(launch_request("en-US"), new=True))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "SyntaxWarning" not in done.stderr and done.stderr == "", f"stderr at a cold start:\n{done.stderr[:2000]}"


def test_the_code_refuses_to_run_on_another_python_than_it_was_built_for(deploy_project, tmp_path):
    _, zip_path = deploy_project
    other = lambda_build.RUNTIMES["python3.12"]
    python = _runtime_python(other)
    if python is None:
        pytest.skip("this machine has no Python 3.12 to run the python3.13 code on")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(tmp_path / "task")
    done = _cold_start(python, tmp_path / "task", tmp_path, envelope(launch_request("en-US"), new=True))
    assert done.returncode != 0, "python3.13 code must not run quietly on Python 3.12"
    assert "built for the python3.13 Lambda runtime" in done.stderr and "runs on Python 3.12" in done.stderr
    assert "Set the function's runtime to python3.13" in done.stderr, done.stderr[-1500:]


def test_a_build_without_the_runtimes_python_says_so_and_ships_no_bytecode(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    zip_path = tmp_path / "code.zip"
    assert main(["package", "--zip", str(zip_path), "--no-deps", "--runtime", "python3.14"]) == 0
    out = capsys.readouterr().out
    assert "no bytecode: no Python 3.14 found" in out and "pyenv install 3.14" in out, out
    with zipfile.ZipFile(zip_path) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".pyc")], "no bytecode without the runtime's Python"


def test_a_python_that_is_not_the_runtimes_is_refused(tmp_path, capsys):
    status = main(["package", "--zip", str(tmp_path / "code.zip"), "--no-deps", "--python", sys.executable])
    assert status == 2 and "is not a Python 3.13 interpreter" in capsys.readouterr().err


def test_the_build_says_how_to_keep_the_function_logs_30_days(tmp_path, capsys):
    assert main(["package", "--zip", str(tmp_path / "code.zip"), "--no-deps", "--no-compile"]) == 0
    out = capsys.readouterr().out
    assert "put-retention-policy" in out and "--retention-in-days 30" in out and "/aws/lambda/" in out, out
