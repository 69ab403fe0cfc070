"""Content (domain layer): every word the skill says, loaded once from ``content/`` and validated.

Layout: ``content/<tag>/*.yaml`` where a tag is a language (``en``) or a locale (``en-GB``). All files
of one tag merge into one tree. A locale's tree is a deep copy of its language's tree with the
locale's own keys laid on top, so shared text is written once. A locale the skill does not have
falls back to its language, then to the default language, whose wording is safe anywhere (it says
"your local emergency number", not a country's number).

Texts are plain strings with ``{placeholder}`` fields; the ``locale`` section of each tree supplies
default values (the emergency number, who to see) to every text.
"""

from __future__ import annotations

import copy
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

DEFAULT_LANGUAGE = "en"


class ContentError(ValueError):
    """Content is missing or malformed; the message names the file or key."""


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe YAML loader that rejects a key repeated inside one mapping.

    It parses with libyaml when PyYAML has it (several times faster: content loading is most of
    the start-up time) and falls back to the pure-Python parser; both build the same tree.
    """


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ContentError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def load_yaml_file(path: Path) -> Any:
    """Parse one YAML file, naming the file in any error."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except ContentError as exc:
        raise ContentError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from None


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A new tree: a deep copy of ``base`` with ``override`` laid on top (mappings merge, others replace)."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def placeholders(text: str) -> frozenset[str]:
    """The ``{field}`` names a text uses."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)
    except ValueError as exc:
        raise ContentError(f"malformed placeholder in {text!r}: {exc}") from None


def iter_texts(node: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every ``(dotted.key, text)`` below a node; list items are keyed by index."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from iter_texts(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_texts(value, f"{prefix}.{index}")
    elif isinstance(node, str):
        yield prefix, node


def _freeze(node: Any) -> Any:
    if isinstance(node, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in node.items()})
    if isinstance(node, list):
        return tuple(_freeze(v) for v in node)
    return node


@dataclass(frozen=True)
class Content:
    """The merged, read-only content of one locale."""

    tag: str
    tree: Mapping[str, Any]

    def node(self, key: str) -> Any:
        """The raw node at a dotted key (a read-only mapping, tuple or scalar)."""
        node: Any = self.tree
        for part in key.split("."):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, tuple) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise ContentError(f"content key {key!r} is missing for {self.tag}")
        return node

    def has(self, key: str) -> bool:
        try:
            self.node(key)
        except ContentError:
            return False
        return True

    @property
    def locale_params(self) -> Mapping[str, str]:
        params = self.tree.get("locale", {})
        return {k: v for k, v in params.items() if isinstance(v, str)}

    def format(self, text: str, **params: object) -> str:
        """Fill a text's placeholders from ``params`` and the locale section."""
        values = {**self.locale_params, **{k: str(v) for k, v in params.items()}}
        try:
            return text.format_map(values)
        except (KeyError, IndexError, ValueError) as exc:
            raise ContentError(f"cannot fill {text!r} for {self.tag}: missing {exc}") from None

    def text(self, key: str, **params: object) -> str:
        """The text at a dotted key, placeholders filled."""
        value = self.node(key)
        if not isinstance(value, str):
            raise ContentError(f"content key {key!r} is not a text for {self.tag}")
        return self.format(value, **params)


class ContentStore:
    """All locales' content, loaded and merged once at start-up."""

    def __init__(self, trees: Mapping[str, Mapping[str, Any]]) -> None:
        if DEFAULT_LANGUAGE not in trees:
            raise ContentError(f"content has no {DEFAULT_LANGUAGE!r} folder (the default language)")
        self._raw = {tag: dict(tree) for tag, tree in trees.items()}
        merged: dict[str, Content] = {}
        for tag, tree in self._raw.items():
            language = tag.split("-")[0]
            if "-" in tag:
                base = self._raw.get(language, self._raw[DEFAULT_LANGUAGE])
                tree = deep_merge(base, tree)
            merged[tag] = Content(tag=tag, tree=_freeze(tree))
        self._by_tag = MappingProxyType(merged)

    @classmethod
    def load(cls, content_dir: Path) -> ContentStore:
        """Read every ``<tag>/*.yaml`` below ``content_dir``; duplicate keys across files are errors."""
        if not content_dir.is_dir():
            raise ContentError(f"{content_dir}: content folder not found")
        trees: dict[str, dict[str, Any]] = {}
        for folder in sorted(p for p in content_dir.iterdir() if p.is_dir()):
            tree: dict[str, Any] = {}
            origin: dict[str, Path] = {}
            for path in sorted(folder.glob("*.yaml")):
                data = load_yaml_file(path)
                if data is None:
                    continue
                if not isinstance(data, Mapping):
                    raise ContentError(f"{path}: the top level must be a mapping of keys")
                for key, value in data.items():
                    if key in tree:
                        raise ContentError(f"{path}: key {key!r} is already defined in {origin[key]}")
                    tree[key], origin[key] = value, path
            trees[folder.name] = tree
        return cls(trees)

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self._by_tag)

    @property
    def locales(self) -> tuple[str, ...]:
        """The full locales (``en-US``) the content has."""
        return tuple(tag for tag in self._by_tag if "-" in tag)

    def raw(self, tag: str) -> Mapping[str, Any]:
        """One tag's own tree, before merging (for validation and review tools)."""
        return self._raw[tag]

    def for_locale(self, locale: str | None) -> Content:
        """The content for a request locale: exact, then language, then the default language."""
        if locale:
            if locale in self._by_tag:
                return self._by_tag[locale]
            language = locale.split("-")[0].lower()
            if language in self._by_tag:
                return self._by_tag[language]
        return self._by_tag[DEFAULT_LANGUAGE]
