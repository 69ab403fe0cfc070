"""Content is parsed with libyaml when PyYAML has it; the tree must be the pure-Python parser's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skill.config import DEFAULT_CONTENT_DIR
from skill.domain.content import load_yaml_file
from skill.domain.content_yaml import UniqueKeyLoader

FILES = sorted(DEFAULT_CONTENT_DIR.glob("*/*.yaml"))


def test_the_fast_parser_is_used_when_available():
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML was built without libyaml here; the pure-Python parser is used")
    assert issubclass(UniqueKeyLoader, yaml.CSafeLoader), "content loading should use libyaml when it is there"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_content_file_loads_as_the_pure_python_parser_loads_it(path: Path):
    with path.open(encoding="utf-8") as handle:
        expected = yaml.load(handle, Loader=yaml.SafeLoader)  # noqa: S506 - the safe loader
    assert load_yaml_file(path) == expected, f"{path}: libyaml and the pure-Python parser disagree"
