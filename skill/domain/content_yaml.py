"""Content YAML parsing (domain layer): a safe loader that rejects duplicate keys.

Kept apart from :mod:`skill.domain.content` so PyYAML is imported only when YAML is actually
parsed: a start-up that finds its content in the content cache (:mod:`skill.domain.content_cache`)
never imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from skill.domain.errors import ContentError


class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe YAML loader that rejects a key repeated inside one mapping.

    It parses with libyaml when PyYAML has it (several times faster: content loading is most of
    the start-up time) and falls back to the pure-Python parser; both build the same tree.
    """


def _construct_unique_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ContentError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def parse_yaml(text: str, path: Path) -> Any:
    """Parse one file's text, naming ``path`` in any error."""
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except ContentError as exc:
        raise ContentError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from None


def load_yaml_file(path: Path) -> Any:
    """Parse one YAML file, naming the file in any error."""
    return parse_yaml(path.read_text(encoding="utf-8"), path)
