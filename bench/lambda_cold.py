"""Lambda cold start: this skill's built zip against the hello skill built the same way.

Both functions are built by :mod:`skill.tools.ship.lambda_build` for the same runtime (python3.13,
x86_64): dependencies installed for the runtime by pip, and bytecode compiled by the runtime's
Python when this machine has one (pyenv's, or on PATH). The hello skill is the SDK's sample shape:
one ``lambda_function.py`` (a copy of ``bench/hello_skill.py``, the hello skill the other parts
serve too) that builds a ``SkillBuilder`` with its handlers at import and exposes
``sb.lambda_handler()``; its only dependency is ask-sdk-core, at the version this skill asks for.

Each run is a fresh interpreter of the runtime's version, started as Lambda starts one: ``-S -E``
(no site-packages, no PYTHON* variables), only the unzipped code on ``sys.path``, nothing written
(``-B``; ``/var/task`` is read-only), ``AWS_LAMBDA_FUNCTION_NAME`` set and an empty cache folder
(a fresh ``/tmp``). It times the import of the handler's module (the cold import, the target) and
then the first LaunchRequest (the first answer). Runs alternate between the two functions; the
medians are reported.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from skill.config import default_content_dir
from skill.tools.ship import lambda_build

#: The hello skill's one source, zipped as the function's ``lambda_function.py``.
HELLO_FUNCTION = Path(__file__).with_name("hello_skill.py")

#: Run in the child: import the handler module, then answer one event; print both times.
_CHILD = """
import sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import importlib
module = importlib.import_module(sys.argv[2])
imported = time.perf_counter()
import json
with open(sys.argv[3], encoding="utf-8") as handle:
    event = json.load(handle)
response = module.handler(event, None)
answered = time.perf_counter()
assert response["response"]["outputSpeech"], response
print(json.dumps({"import_ms": (imported - started) * 1000, "first_ms": (answered - imported) * 1000}))
"""

FUNCTIONS = {"hello": "lambda_function", "skill": "skill.lambda_handler"}


@dataclass
class LambdaResults:
    """Per function ("hello", "skill"): the import and first-answer times of each run, in ms."""

    imports: dict[str, list[float]] = field(default_factory=dict)
    first: dict[str, list[float]] = field(default_factory=dict)
    #: How the code was built (the runtime, the bytecode), or why nothing was measured.
    note: str = ""

    @property
    def measured(self) -> bool:
        return bool(self.imports.get("skill")) and bool(self.imports.get("hello"))

    def median(self, what: str, name: str) -> float:
        return statistics.median(getattr(self, what)[name])


def build(work: Path, compile: bool = True) -> tuple[dict[str, Path], Path, str]:
    """Both functions built and unzipped below ``work``: their folders, the interpreter, and a note.
    (``compile=False``: both without bytecode, for a smoke run that only proves the part works.)"""
    runtime = lambda_build.RUNTIMES[lambda_build.DEFAULT_RUNTIME]
    python, why = lambda_build.find_python(runtime)
    if python is None:
        raise lambda_build.PackageError(why)
    requirements = lambda_build.lambda_requirements()
    sdk = tuple(r for r in requirements if lambda_build.requirement_name(r) == "ask-sdk-core")
    codes = {
        "skill": lambda_build.collect(default_content_dir(), work / "build-skill", runtime=runtime, python=python,
                                      compile=compile),
        "hello": lambda_build.assemble(
            {"lambda_function.py": HELLO_FUNCTION.read_bytes()}, work / "build-hello",
            runtime=runtime, arch=lambda_build.DEFAULT_ARCH, requirements=sdk, python=python, compile=compile,
        ),
    }  # fmt: skip
    folders = {}
    for name, code in codes.items():
        zip_path = work / f"{name}.zip"
        lambda_build.write_zip(code, zip_path)
        folders[name] = work / name
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(folders[name])
    note = f"{runtime.name} {lambda_build.DEFAULT_ARCH}, {codes['skill'].bytecode}; hello: {', '.join(sdk)}"
    return folders, python, note


def run_once(python: Path, folder: Path, module: str, event: Path, cache: Path) -> tuple[float, float]:
    env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_FUNCTION_NAME": "bench", "LAMBDA_TASK_ROOT": str(folder),
           "SKILL_CACHE_DIR": str(cache), "HOME": str(cache)}
    done = subprocess.run([str(python), "-S", "-E", "-B", "-c", _CHILD, str(folder), module, str(event)],
                          capture_output=True, text=True, env=env, cwd=folder, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed its cold start:\n{done.stderr[-2000:]}")
    if done.stderr.strip() and module == FUNCTIONS["skill"]:  # the hello skill's SDK may warn; ours may not
        raise RuntimeError(f"{module} wrote to stderr at its cold start (Lambda would log it):\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["import_ms"], result["first_ms"]


def measure(runs: int, event: dict, warm_up: bool = True, compile: bool = True) -> LambdaResults:
    """Build both functions and time ``runs`` cold starts of each (after one discarded warm-up)."""
    results = LambdaResults(imports={n: [] for n in FUNCTIONS}, first={n: [] for n in FUNCTIONS})
    with tempfile.TemporaryDirectory(prefix="bench-lambda-") as scratch:
        work = Path(scratch)
        try:
            folders, python, results.note = build(work, compile=compile)
        except (lambda_build.PackageError, OSError) as exc:
            return LambdaResults(note=f"not measured: {exc}")
        event_file = work / "launch.json"
        event_file.write_text(json.dumps(event), encoding="utf-8")
        first_kept = 1 if warm_up else 0
        for round_number in range(runs + first_kept):
            for name, module in FUNCTIONS.items():
                cache = work / f"tmp-{name}-{round_number}"  # a fresh /tmp each time
                cache.mkdir()
                imported, first = run_once(python, folders[name], module, event_file, cache)
                if round_number >= first_kept:  # a warm-up round only fills the OS file cache
                    results.imports[name].append(imported)
                    results.first[name].append(first)
    return results


if __name__ == "__main__":  # python -m bench.lambda_cold: this part alone
    import sys

    from skill.tools.envelopes import envelope, launch_request

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    found = measure(count, envelope(launch_request("en-US"), new=True))
    print(found.note)
    if found.measured:
        for name in FUNCTIONS:
            print(f"{name}: import {found.median('imports', name):.1f} ms, first answer {found.median('first', name):.1f} ms "
                  f"(imports {', '.join(f'{v:.0f}' for v in found.imports[name])})")
        print(f"ratio (cold import): {found.median('imports', 'skill') / found.median('imports', 'hello'):.2f}")
    sys.exit(0 if found.measured else 1)
