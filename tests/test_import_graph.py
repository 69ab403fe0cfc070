"""The import graph of skill/ and bench/: no circles, no arrow back up the layers, each module alone.

Layers, bottom up: ``skill.domain`` and ``skill.config`` (no SDK, no Flask) <- ``skill.alexa`` (the
SDK, no web framework) <- ``skill.web`` and ``skill.lambda_handler`` (transports) <- ``skill.tools``
<- ``skill.cli``; ``bench`` may import any of skill, never the tests. Imports inside functions count
for the layers (a lazy import is still an arrow) but not for circles (they run after loading).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from skill.tools.envelopes import APPLICATION_ID

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("skill", "bench")

#: Each layer, and the layers of the project it may import (the ``skill`` package itself is open to all).
MAY_IMPORT: dict[str, frozenset[str]] = {
    "skill.domain": frozenset(),
    "skill.config": frozenset(),
    "skill.alexa": frozenset({"skill.domain", "skill.config"}),
    "skill.web": frozenset({"skill.alexa", "skill.domain", "skill.config"}),
    "skill.lambda_handler": frozenset({"skill.alexa", "skill.domain", "skill.config"}),
    "skill.tools": frozenset({"skill.alexa", "skill.domain", "skill.config"}),
    "skill.cli": frozenset({"skill.tools", "skill.web", "skill.alexa", "skill.domain", "skill.config"}),
    "skill.__main__": frozenset({"skill.cli"}),
    "skill": frozenset(),
    "bench": frozenset({"skill.tools", "skill.web", "skill.lambda_handler", "skill.alexa", "skill.domain",
                        "skill.config", "bench"}),
}
#: Third-party packages a layer must not import (the domain is plain Python; the skill knows no web framework).
MUST_NOT_IMPORT: dict[str, tuple[str, ...]] = {
    "skill.domain": ("ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime", "flask", "werkzeug", "gunicorn"),
    "skill.config": ("ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime", "flask", "werkzeug", "gunicorn"),
    "skill.alexa": ("flask", "werkzeug", "gunicorn"),
}


def module_files() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = module_files()


def layer_of(module: str) -> str | None:
    """The layer a module of the project belongs to (None for other packages)."""
    for layer in sorted(MAY_IMPORT, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def _imports(module: str, path: Path) -> Iterator[tuple[str, bool]]:
    """(imported module, at load time?) for every import statement of a module; a ``from x import y``
    names ``x.y`` when that is a module. Imports under ``if TYPE_CHECKING:`` are skipped."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]

    def visit(nodes: list[ast.stmt], at_load: bool) -> Iterator[tuple[str, bool]]:
        for node in nodes:
            if isinstance(node, ast.Import):
                yield from ((alias.name, at_load) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
                yield base, at_load
                for alias in node.names:
                    if f"{base}.{alias.name}" in MODULES:
                        yield f"{base}.{alias.name}", at_load
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from visit(node.body, False)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, field, None)
                    if isinstance(children, list):
                        yield from visit([c for c in children if isinstance(c, ast.AST)], at_load)

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    yield from visit(tree.body, True)


IMPORTS = {module: list(_imports(module, path)) for module, path in MODULES.items()}


def back_arrows(imports: dict[str, list[tuple[str, bool]]]) -> list[str]:
    found = []
    for module, targets in imports.items():
        mine = layer_of(module)
        for target, _ in targets:
            if target.split(".")[0] == "tests":
                found.append(f"{module} imports {target}: nothing in skill/ or bench/ imports the tests")
                continue
            theirs = layer_of(target)
            if theirs is not None and theirs not in {mine, "skill"} and theirs not in MAY_IMPORT[mine]:
                found.append(f"{module} ({mine}) imports {target} ({theirs})")
            for banned in MUST_NOT_IMPORT.get(mine, ()):
                if target == banned or target.startswith(banned + "."):
                    found.append(f"{module} ({mine}) imports {target}")
    return found


def circles(imports: dict[str, list[tuple[str, bool]]]) -> list[list[str]]:
    """Import circles among load-time imports of the project's modules (Tarjan's strongly connected
    components of more than one module, or a module importing itself)."""
    graph = {m: sorted({t for t, at_load in targets if at_load and t in imports}) for m, targets in imports.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_import_goes_back_up_the_layers():
    assert not back_arrows(IMPORTS), "imports against the layers:\n" + "\n".join(back_arrows(IMPORTS))


def test_there_are_no_import_circles():
    assert not circles(IMPORTS), f"import circles: {circles(IMPORTS)}"


def test_the_checks_can_see_a_back_arrow_and_a_circle():
    """Neither check is blind: a planted arrow up the layers and a planted circle are caught."""
    planted = {"skill.domain.facts": [("skill.alexa.speech", False), ("flask", False)],
               "skill.alexa.speech": [("skill.alexa.markup", True)], "skill.alexa.markup": [("skill.alexa.speech", True)],
               "bench.corpus": [("tests.support.certs", True)]}
    arrows = back_arrows(planted)
    assert any("skill.domain.facts (skill.domain) imports skill.alexa.speech" in a for a in arrows), arrows
    assert any("imports flask" in a for a in arrows) and any("tests.support.certs" in a for a in arrows), arrows
    assert circles(planted) == [["skill.alexa.markup", "skill.alexa.speech"]]
    assert set(MODULES) >= {"skill.domain.triage", "skill.alexa.builder", "skill.tools.session", "bench.conversation"}


@pytest.mark.slow
def test_every_module_imports_alone_in_a_fresh_interpreter():
    """Each module loads on its own (no hidden dependence on what another module imported first)."""
    script = (
        "import importlib, subprocess, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    done = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True, text=True)\n"
        "    if done.returncode:\n"
        "        failed.append(f'{name}: {done.stderr.strip().splitlines()[-1]}')\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    names = [m for m in MODULES if not m.endswith("__main__")]
    # gunicorn_conf checks the settings when it loads (it is gunicorn's config file): give it a skill id.
    env = {**os.environ, "SKILL_ID": APPLICATION_ID}
    done = subprocess.run([sys.executable, "-c", script, *names], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, f"modules that fail to import alone:\n{done.stdout}{done.stderr[-2000:]}"
