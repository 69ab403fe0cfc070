"""Lambda build (tools layer): the function's code for a chosen Lambda runtime and architecture,
and the ASK CLI settings that deploy it with the skill.

What runs on Lambda is what this machine cannot check by running it: a zip built with this
machine's pip gets wheels for this machine's Python and glibc. So dependencies are installed
for the *target*: ``pip install --platform manylinux..._<arch> --python-version X.Y
--implementation cp --only-binary=:all: --target``, with every manylinux tag the runtime's glibc
can load, and nothing newer.

The code is laid out flat, as Lambda's Python runtime expects: the ``skill`` package (with its
content as ``skill/content``, found through importlib.resources like any install) and the
dependencies beside it. The webhook (``skill/web``), the team's tools (``skill/tools``) and the
webhook-only dependencies stay out.

What a cold start would otherwise redo every time is done here, once:

* **Bytecode.** Lambda's ``/var/task`` is read-only, so without ``.pyc`` files every cold start
  compiles every module it imports (and Python 3.12+ prints the SDK's SyntaxWarnings while doing
  it). When an interpreter of the runtime's Python version is at hand (``--python``, then
  ``pythonX.Y`` on PATH, then pyenv's), it compiles the code with
  ``--invalidation-mode unchecked-hash`` (the zip's timestamps are fixed, so a timestamp check
  would always fail). The build says which interpreter it used, or that there was none.
* **Content.** The content is parsed and checked here, and the result ships as
  ``skill/_content_cache.json``, which the handler copies into its empty ``/tmp`` cache.
* **A runtime stamp.** ``skill/_lambda_build.json`` names the runtime and architecture; the
  handler refuses to run on another (a zip built for 3.13 on a 3.12 function would lose its
  compiled modules and run slowly without a word).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import skill
from skill.config import CONTENT_PACKAGE, ConfigError

#: Where the handler looks for the build's runtime stamp and shipped content (skill.lambda_handler).
BUILD_STAMP = "skill/_lambda_build.json"
SHIPPED_CONTENT_CACHE = "skill/_content_cache.json"
#: Where Lambda unpacks the code: the path compiled code objects name (tracebacks, reproducible zips).
TASK_ROOT = "/var/task"


class PackageError(RuntimeError):
    """The build itself failed (pip, the file system); content and flag problems are
    ContentError and ConfigError, which the command line reports with exit status 2."""


# --- runtimes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Runtime:
    """A Lambda Python runtime: its identifier, Python version and operating system's glibc."""

    name: str
    python: tuple[int, int]
    os: str
    glibc: tuple[int, int]

    @property
    def python_version(self) -> str:
        return f"{self.python[0]}.{self.python[1]}"

    @property
    def abi(self) -> str:
        """The CPython ABI tag of compiled modules built for it, as in ``_yaml.cpython-313-...so``."""
        return f"cpython-{self.python[0]}{self.python[1]}"


#: Lambda's current Python runtimes ("Building Lambda functions with Python", AWS Lambda developer
#: guide). All run on Amazon Linux 2023, whose glibc is 2.34. python3.11 and older run on Amazon
#: Linux 2 (glibc 2.26) and are past or near their deprecation, so they are not offered.
RUNTIMES: Mapping[str, Runtime] = {
    runtime.name: runtime
    for runtime in (
        Runtime("python3.12", (3, 12), "Amazon Linux 2023", (2, 34)),
        Runtime("python3.13", (3, 13), "Amazon Linux 2023", (2, 34)),
        Runtime("python3.14", (3, 14), "Amazon Linux 2023", (2, 34)),
    )
}
DEFAULT_RUNTIME = "python3.13"
#: Lambda's architecture names and the machine names wheels and ELF files use for them.
ARCHITECTURES: Mapping[str, str] = {"x86_64": "x86_64", "arm64": "aarch64"}
DEFAULT_ARCH = "x86_64"
LAMBDA_HANDLER = "skill.lambda_handler.handler"
#: Suggested settings (the README explains them): Alexa waits 8 s for an answer, so a longer
#: timeout only hides a hung function; 512 MB buys the CPU share that keeps a cold start short.
MEMORY_MB = 512
TIMEOUT_S = 10
#: manylinux2014 is the oldest policy the dependencies still publish (glibc 2.17).
_OLDEST_MANYLINUX = (2, 17)


def get_runtime(name: str) -> Runtime:
    try:
        return RUNTIMES[name]
    except KeyError:
        raise ConfigError(f"--runtime must be one of {', '.join(RUNTIMES)}, got {name!r}") from None


def pip_platforms(runtime: Runtime, arch: str) -> list[str]:
    """Every wheel platform tag the runtime can load on ``arch``: manylinux2014 (pip adds the
    older aliases itself) and each ``manylinux_2_N`` up to the runtime's glibc, none newer."""
    if arch not in ARCHITECTURES:
        raise ConfigError(f"--arch must be one of {', '.join(ARCHITECTURES)}, got {arch!r}")
    machine = ARCHITECTURES[arch]
    major, newest = runtime.glibc
    return [f"manylinux2014_{machine}"] + [
        f"manylinux_{major}_{minor}_{machine}" for minor in range(_OLDEST_MANYLINUX[1], newest + 1)
    ]


def pip_command(requirements: Sequence[str], target: Path, runtime: Runtime, arch: str) -> list[str]:
    """The pip command that installs ``requirements`` for the runtime, into ``target``."""
    platforms = [flag for tag in pip_platforms(runtime, arch) for flag in ("--platform", tag)]
    return [
        sys.executable, "-m", "pip", "install", "--target", str(target), "--no-compile",
        "--disable-pip-version-check", "--no-input", "--quiet",
        *platforms, "--python-version", runtime.python_version, "--implementation", "cp",
        "--only-binary=:all:", *requirements,
    ]  # fmt: skip


# --- dependencies -----------------------------------------------------------------------------

#: The distribution name in pyproject.toml, whose dependencies the Lambda code installs.
DISTRIBUTION = "nose-twitch-skill"
#: Dependencies only the webhook needs: the Flask app, its server, and the request-signature
#: check (Lambda's Alexa trigger vouches for the caller; the skill id check needs neither).
WEBHOOK_ONLY = frozenset({"flask", "gunicorn", "cryptography", "certifi", "prometheus_client", "prometheus-client"})
#: Dependencies only the team's tools need (the review page's templates).
TOOLS_ONLY = frozenset({"jinja2", "markupsafe"})
_PROJECT_ROOT = Path(skill.__file__).resolve().parent.parent


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise PackageError(f"cannot read the requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def project_dependencies(pyproject: Path | None = None) -> tuple[str, ...]:
    """``[project].dependencies`` from the checkout's pyproject.toml, else from the installed
    distribution's metadata (a wheel install has no pyproject.toml)."""
    pyproject = pyproject or _PROJECT_ROOT / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as handle:
            return tuple(tomllib.load(handle)["project"]["dependencies"])
    try:
        requires = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        raise PackageError(f"no {pyproject} and {DISTRIBUTION} is not installed: cannot tell the dependencies") from None
    return tuple(r for r in requires if "extra ==" not in r)


def lambda_requirements(pyproject: Path | None = None) -> tuple[str, ...]:
    """The project's dependencies minus the webhook's and the tools' own: what the Lambda function imports."""
    return tuple(r for r in project_dependencies(pyproject) if requirement_name(r) not in WEBHOOK_ONLY | TOOLS_ONLY)


def install_dependencies(requirements: Sequence[str], target: Path, runtime: Runtime, arch: str) -> None:
    try:
        done = subprocess.run(pip_command(requirements, target, runtime, arch), capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        raise PackageError("pip took more than 15 minutes installing the Lambda dependencies") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
        raise PackageError(
            f"pip could not install the Lambda dependencies ({', '.join(requirements)}) for {runtime.name} "
            f"{arch}:\n{tail}"
        )


# --- the function's files ---------------------------------------------------------------------

#: Parts of the skill package the function never imports (and whose dependencies it lacks).
_LEFT_OUT = ("web", "tools", "content", "interaction_model")
_CONTENT_INIT = '"""The skill\'s content, a resource package (see skill.config.CONTENT_PACKAGE)."""\n'


def _skip(relative: Path, bytecode: str | None = None) -> bool:
    """Bytecode is left out, except (``bytecode``: an ABI tag like ``cpython-313``) the runtime's own."""
    if "__pycache__" in relative.parts or relative.suffix in {".pyc", ".pyo"}:
        return not (bytecode and relative.parent.name == "__pycache__" and relative.name.endswith(f".{bytecode}.pyc"))
    return False


def _tree(root: Path, prefix: str, bytecode: str | None = None) -> dict[str, Path]:
    """Files below ``root`` by their name in the function."""
    return {
        f"{prefix}{path.relative_to(root).as_posix()}": path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not _skip(path.relative_to(root), bytecode)
    }


def skill_files(content_dir: Path) -> dict[str, Path | bytes]:
    """The skill's own files in the function: the package without the webhook and the tools,
    and ``content_dir`` as ``skill/content`` (a resource package, as in a wheel)."""
    package_dir = Path(skill.__file__).resolve().parent
    files: dict[str, Path | bytes] = {
        name: path
        for name, path in _tree(package_dir, "skill/").items()
        if name.split("/")[1] not in _LEFT_OUT
    }
    packaged_init = importlib.resources.files(CONTENT_PACKAGE).joinpath("__init__.py")
    files["skill/content/__init__.py"] = packaged_init.read_bytes() if packaged_init.is_file() else _CONTENT_INIT.encode()
    for path in sorted(content_dir.glob("*/*.yaml")):
        if not path.parent.name.startswith(("_", ".")):
            files[f"skill/content/{path.relative_to(content_dir).as_posix()}"] = path
    return files


@dataclass(frozen=True)
class LambdaCode:
    """The function's files (name in the function -> source file or bytes) and how they were built."""

    files: Mapping[str, Path | bytes]
    runtime: Runtime
    arch: str
    requirements: tuple[str, ...]
    #: How the bytecode was made, or why there is none (said in the build's output).
    bytecode: str = "not compiled"

    def unzipped_bytes(self) -> int:
        return sum(len(data) if isinstance(data, bytes) else data.stat().st_size for data in self.files.values())


def _read(source: Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else source.read_bytes()


def collect(
    content_dir: Path,
    work_dir: Path,
    *,
    runtime: Runtime,
    arch: str = DEFAULT_ARCH,
    deps: bool = True,
    requirements: Sequence[str] | None = None,
    compile: bool = True,
    python: Path | None = None,
) -> LambdaCode:
    """Gather the function's files; dependencies are installed (and the code compiled) below
    ``work_dir`` (keep it until the files are written)."""
    pip_platforms(runtime, arch)  # refuses an unknown architecture before any work
    requirements = tuple(requirements if requirements is not None else lambda_requirements()) if deps else ()
    files = skill_files(content_dir)
    files[BUILD_STAMP] = build_stamp(runtime, arch)
    shipped = shipped_content_cache(content_dir)
    if shipped is not None:
        files[SHIPPED_CONTENT_CACHE] = shipped
    return assemble(files, work_dir, runtime=runtime, arch=arch, requirements=requirements, compile=compile,
                    python=python)


def assemble(
    own_files: Mapping[str, Path | bytes],
    work_dir: Path,
    *,
    runtime: Runtime,
    arch: str,
    requirements: Sequence[str] = (),
    compile: bool = True,
    python: Path | None = None,
) -> LambdaCode:
    """A function's code from its own files: the ``requirements`` installed for the runtime beside
    them, and everything compiled to bytecode by the runtime's Python when one is at hand.
    (The bench builds its hello skill with this too, the same way.)"""
    files: dict[str, Path | bytes] = dict(own_files)
    requirements = tuple(requirements)
    if requirements:
        target = work_dir / "deps"
        install_dependencies(requirements, target, runtime, arch)
        installed = {name: path for name, path in _tree(target, "").items() if not name.startswith("bin/")}
        clash = sorted(name for name in installed if name in files or name.split("/")[0] == "skill")
        if clash:
            raise PackageError(f"a dependency installs files where the function's own go: {clash[:3]}")
        files = {**installed, **files}
    code = LambdaCode(files=files, runtime=runtime, arch=arch, requirements=requirements,
                      bytecode="not compiled (--no-compile)")
    if not compile:
        return code
    interpreter, why = find_python(runtime, python)
    if interpreter is None:
        return dataclasses.replace(code, bytecode=f"no bytecode: {why}")
    staged = work_dir / "function"
    write_folder(code, staged)
    compile_bytecode(staged, interpreter)
    with_bytecode = {name: path for name, path in _tree(staged, "", bytecode=runtime.abi).items()}
    return dataclasses.replace(code, files=with_bytecode, bytecode=f"bytecode compiled by {interpreter}")


def build_stamp(runtime: Runtime, arch: str) -> bytes:
    """What the handler checks at a cold start: the runtime and architecture the code is for."""
    stamp = {"runtime": runtime.name, "python": runtime.python_version, "arch": arch}
    return (json.dumps(stamp, sort_keys=True) + "\n").encode("utf-8")


def shipped_content_cache(content_dir: Path) -> bytes | None:
    """The content parsed and checked as a start does it, as the content cache file it leaves (its
    key covers every content file and the parser, so on Lambda it matches the zip's own content)."""
    from skill.alexa.resources import SkillResources
    from skill.domain import content_cache

    with tempfile.TemporaryDirectory(prefix="nose-twitch-content-") as scratch:
        cache_dir = Path(scratch)
        SkillResources(content_cache.load(content_dir, cache_dir))  # records the budget verdict
        written = content_cache.cache_file(cache_dir, content_dir)
        return written.read_bytes() if written.is_file() else None


# --- bytecode ---------------------------------------------------------------------------------


def find_python(runtime: Runtime, explicit: Path | None = None) -> tuple[Path | None, str]:
    """An interpreter of the runtime's Python version, and where it was found (or why there is none).

    Tried in order: ``explicit`` (``--python``), this interpreter, ``pythonX.Y`` on PATH, and
    pyenv's ``$PYENV_ROOT/versions/X.Y.*`` (``~/.pyenv`` by default), newest first.
    """
    wanted = runtime.python_version
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    elif f"{sys.version_info[0]}.{sys.version_info[1]}" == wanted:
        return Path(sys.executable), f"this interpreter (Python {wanted})"
    else:
        on_path = shutil.which(f"python{wanted}")
        if on_path:
            candidates.append(Path(on_path))
        pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
        found = sorted(pyenv.glob(f"{wanted}.*/bin/python{wanted}"), key=_version_key, reverse=True)
        candidates.extend(found)
    for candidate in candidates:
        if _python_version(candidate) == wanted:
            return candidate, str(candidate)
    if explicit is not None:
        raise ConfigError(f"--python {explicit} is not a Python {wanted} interpreter (the {runtime.name} runtime's)")
    return None, (
        f"no Python {wanted} found (on PATH as python{wanted}, or under pyenv); each cold start will compile "
        f"the code itself (about twice as slow). Install Python {wanted} (pyenv install {wanted}) or pass "
        f"--python PATH, and build again"
    )


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in path.parents[1].name.split("."))


def _python_version(interpreter: Path) -> str | None:
    try:
        done = subprocess.run(
            [str(interpreter), "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def compile_bytecode(folder: Path, interpreter: Path) -> None:
    """Compile every module below ``folder`` with ``interpreter``, as Lambda would import them from
    ``/var/task``, into ``__pycache__`` files that are never checked against their source."""
    command = [
        str(interpreter), "-I", "-W", "ignore::SyntaxWarning", "-W", "ignore::DeprecationWarning",
        "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
        "-s", str(folder), "-p", TASK_ROOT, str(folder),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        raise PackageError("compiling the Lambda code took more than 15 minutes") from None
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-12:])
        raise PackageError(f"{interpreter} could not compile the Lambda code:\n{tail}")


#: A fixed time for every zip entry, so the same inputs make the same zip.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_zip(code: LambdaCode, zip_path: Path) -> int:
    """Write the files as a deployment zip (sorted, time-stamped alike); returns its size."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_name(zip_path.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(code.files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _read(code.files[name]))
    os.replace(partial, zip_path)
    return zip_path.stat().st_size


def write_folder(code: LambdaCode, folder: Path) -> None:
    """Write the files into ``folder``, replacing what was there (the ASK project's ``lambda/``)."""
    if folder.exists():
        shutil.rmtree(folder)
    for name in sorted(code.files):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_read(code.files[name]))


@dataclass(frozen=True)
class ZipSummary:
    path: Path
    files: int
    bytes: int
    unzipped_bytes: int
    requirements: tuple[str, ...]
    runtime: Runtime
    arch: str
    bytecode: str = "not compiled"


def summarize(code: LambdaCode, zip_path: Path, size: int) -> ZipSummary:
    return ZipSummary(zip_path, len(code.files), size, code.unzipped_bytes(), code.requirements, code.runtime,
                      code.arch, code.bytecode)


def build_zip(
    zip_path: Path,
    content_dir: Path,
    *,
    runtime: Runtime | None = None,
    arch: str = DEFAULT_ARCH,
    deps: bool = True,
    requirements: Sequence[str] | None = None,
    compile: bool = True,
    python: Path | None = None,
) -> ZipSummary:
    """Write the Lambda deployment zip for ``runtime`` (default python3.13) on ``arch``."""
    runtime = runtime or RUNTIMES[DEFAULT_RUNTIME]
    with tempfile.TemporaryDirectory(prefix="nose-twitch-zip-") as tmp:
        code = collect(content_dir, Path(tmp), runtime=runtime, arch=arch, deps=deps, requirements=requirements,
                       compile=compile, python=python)
        return summarize(code, zip_path, write_zip(code, zip_path))


def log_retention_command(function_name: str = "FUNCTION", region: str | None = None) -> str:
    """The command that makes the function's CloudWatch log group keep its logs 30 days, as the
    privacy policy promises (Lambda creates the group on the first call, keeping logs forever)."""
    where = f"--region {region} " if region else ""
    group = f"/aws/lambda/{function_name}"
    return (f"aws logs create-log-group {where}--log-group-name {group} 2>/dev/null; "
            f"aws logs put-retention-policy {where}--log-group-name {group} --retention-in-days 30")


# --- ask deploy -------------------------------------------------------------------------------

ASK_RESOURCES_VERSION = "2020-03-31"
LAMBDA_DEPLOYER = "@ask-cli/lambda-deployer"
#: The folder of the ASK project holding the function's code. It holds no requirements.txt,
#: package.json, pom.xml or hooks/, so the ASK CLI's "zip-only" build flow zips it as it is
#: (its python-pip flow would reinstall the dependencies for *this* machine).
CODE_FOLDER = "lambda"
DEFAULT_AWS_REGION = "us-east-1"
_AWS_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def skill_infrastructure(runtime: Runtime, aws_region: str) -> dict[str, Any]:
    """``skillInfrastructure`` for the ASK CLI's Lambda deployer.

    On ``ask deploy`` it creates (then updates) the function with this runtime and handler, adds
    the Alexa Skills Kit trigger with the skill id as its event source token (only this skill
    may invoke it), and writes the function's ARN into skill.json as the endpoint.
    ``targetEndpoint`` limits the trigger to the custom skill API. ``lambda`` holds the memory,
    timeout and description, which ask-cli 2.30 applies; 2.22.4 creates every function with
    512 MB and 15 s.
    """
    if not _AWS_REGION.match(aws_region):
        raise ConfigError(f"--aws-region must be an AWS region like us-east-1 or eu-west-1, got {aws_region!r}")
    return {
        "type": LAMBDA_DEPLOYER,
        "userConfig": {
            "runtime": runtime.name,
            "handler": LAMBDA_HANDLER,
            "awsRegion": aws_region,
            "targetEndpoint": ["custom"],
            "lambda": {
                "memorySize": MEMORY_MB,
                "timeout": TIMEOUT_S,
                "description": "Nose Twitch Guide (Alexa skill)",
            },
        },
    }


def ask_resources(profile: str = "default", infrastructure: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``ask-resources.json``: the skill package, and with ``infrastructure`` the function's code
    (``./lambda``) and how to deploy it."""
    config: dict[str, Any] = {"skillMetadata": {"src": "./skill-package"}}
    if infrastructure is not None:
        config["code"] = {"default": {"src": f"./{CODE_FOLDER}"}}
        config["skillInfrastructure"] = dict(infrastructure)
    return {"askcliResourcesVersion": ASK_RESOURCES_VERSION, "profiles": {profile: config}}


def without_endpoint(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``skill.json`` for the Lambda deployer: no endpoint, since ``ask deploy`` writes
    the ARN of the function it creates there (and re-uploads the skill package)."""
    copied = json.loads(json.dumps(manifest))
    copied["manifest"]["apis"]["custom"].pop("endpoint", None)
    return copied


# --- flags ------------------------------------------------------------------------------------


def add_deploy_flag(group: argparse._ActionsContainer) -> None:
    """``--deploy-lambda``, one of the ways the ASK project says where the skill runs."""
    group.add_argument(
        "--deploy-lambda",
        action="store_true",
        help="the ASK project also carries the function's code (lambda/) and its deployer: one `ask deploy` "
        "creates or updates the Lambda function, its Alexa trigger (this skill only) and the skill",
    )


def add_flags(parser: argparse.ArgumentParser) -> None:
    """How ``nose-twitch package`` builds the function's code."""
    parser.add_argument(
        "--runtime",
        choices=tuple(RUNTIMES),
        help=f"Lambda Python runtime the code is built for (default {DEFAULT_RUNTIME})",
    )
    parser.add_argument(
        "--arch",
        choices=tuple(ARCHITECTURES),
        help=f"Lambda architecture the code is built for (default {DEFAULT_ARCH}; `ask deploy` makes x86_64 functions)",
    )
    parser.add_argument(
        "--aws-region", help=f"AWS region of the function `ask deploy` creates (default {DEFAULT_AWS_REGION})"
    )
    parser.add_argument("--no-deps", action="store_true", help="--zip without installing dependencies (no pip, no network)")
    parser.add_argument(
        "--python", type=Path, metavar="PATH",
        help="the runtime's Python (e.g. python3.13) to compile the bytecode with (default: found on PATH or pyenv)",
    )
    parser.add_argument(
        "--no-compile", action="store_true", help="ship no bytecode (each cold start then compiles the code itself)"
    )


def check_flags(args: argparse.Namespace) -> None:
    """Refuse flag combinations that would build something else than asked for."""
    builds = args.zip is not None or args.deploy_lambda
    if not builds and (args.no_deps or args.runtime or args.arch or args.python or args.no_compile):
        raise ConfigError("--runtime, --arch, --python, --no-compile and --no-deps are for --zip or --deploy-lambda")
    if args.python and args.no_compile:
        raise ConfigError("--python is the interpreter that compiles the bytecode; --no-compile ships none")
    if args.aws_region and not args.deploy_lambda:
        raise ConfigError("--aws-region is for --deploy-lambda")
    if args.aws_region and not _AWS_REGION.match(args.aws_region):
        raise ConfigError(f"--aws-region must be an AWS region like us-east-1 or eu-west-1, got {args.aws_region!r}")
    if args.deploy_lambda and args.no_deps:
        raise ConfigError("--deploy-lambda needs the dependencies: the function would not start without them")
    if args.deploy_lambda and (args.arch or DEFAULT_ARCH) != "x86_64":
        raise ConfigError(
            "--deploy-lambda makes an x86_64 function (the ASK CLI's Lambda deployer sets no architecture); "
            "build --zip --arch arm64 and deploy it yourself for arm64"
        )
