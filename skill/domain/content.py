"""Content (domain layer): every word the skill says, loaded once from ``content/`` and validated.

Layout: ``content/<tag>/*.yaml`` where a tag is a language (``en``) or a locale (``en-GB``). All files
of one tag merge into one tree. A locale's tree is a deep copy of its language's tree with the
locale's own keys laid on top, so shared text is written once. A locale the skill does not have
falls back to its language, then to the default language, whose wording is safe anywhere (it says
"your local emergency number", not a country's number).

Texts are plain strings with ``{placeholder}`` fields; the ``locale`` section of each tree supplies
default values (the emergency number, who to see) to every text.

Loaded for serving, content goes through :func:`skill.domain.content_cache.load`, which checks what
it parses (each locale's triage protocol, its sign rules and spoken-time budgets) before caching it;
this module only reads, parses and merges, and knows nothing of the checks above it.
"""

from __future__ import annotations

import copy
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from skill.domain.errors import ContentError

__all__ = ["DEFAULT_LANGUAGE", "Content", "ContentStore", "deep_merge", "iter_texts", "load_yaml_file",
           "placeholders", "tag_folders"]

DEFAULT_LANGUAGE = "en"


def load_yaml_file(path: Path) -> Any:
    """Parse one YAML file, naming the file in any error (duplicate keys are errors)."""
    from skill.domain.content_yaml import load_yaml_file as load  # PyYAML only when YAML is parsed

    return load(path)


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
    """A read-only copy: mappings become MappingProxyType over a private dict, lists tuples."""
    if isinstance(node, str):  # most nodes; the Mapping (ABC) check below is slow
        return node
    if isinstance(node, dict) or isinstance(node, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in node.items()})
    if isinstance(node, list):
        return tuple([_freeze(v) for v in node])
    return node


def _overlay(base: Mapping[str, Any], override: Mapping[str, Any]) -> Mapping[str, Any]:
    """:func:`deep_merge` of two frozen trees, frozen: new mappings only where both have one,
    every other node shared (frozen nodes cannot change, so sharing them is safe)."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = _overlay(current, value)
        else:
            merged[key] = value
    return MappingProxyType(merged)


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

    @cached_property
    def locale_params(self) -> Mapping[str, str]:
        """The locale section's texts (placeholders every text may use); read once per locale."""
        params = self.tree.get("locale", {})
        return MappingProxyType({k: v for k, v in params.items() if isinstance(v, str)})

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


def tag_folders(content_dir: Path) -> list[Path]:
    """The ``<tag>`` folders of a content folder, sorted. Names starting with ``_`` or ``.`` are
    not tags: ``__pycache__`` appears once the folder is imported as the ``skill.content``
    resource package, and editors leave hidden folders."""
    return sorted(p for p in content_dir.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


class ContentStore:
    """All locales' content, loaded and merged once at start-up.

    ``checked``: every locale already passed the checks content loading runs before caching (the
    triage protocol, its sign rules and spoken-time budgets), so the skill need not run them again.
    """

    def __init__(self, trees: Mapping[str, Mapping[str, Any]], *, checked: bool = False) -> None:
        if DEFAULT_LANGUAGE not in trees:
            raise ContentError(f"content has no {DEFAULT_LANGUAGE!r} folder (the default language)")
        self._raw = {tag: dict(tree) for tag, tree in trees.items()}
        # Each tag is frozen once; a locale lays its own keys over its language's frozen tree
        # (the same result as deep_merge, then _freeze, without copying what they share).
        frozen = {tag: _freeze(tree) for tag, tree in self._raw.items()}
        merged: dict[str, Content] = {}
        for tag, tree in frozen.items():
            language = tag.split("-")[0]
            if "-" in tag:
                tree = _overlay(frozen.get(language, frozen[DEFAULT_LANGUAGE]), tree)
            merged[tag] = Content(tag=tag, tree=tree)
        self._by_tag = MappingProxyType(merged)
        self._checked = checked

    @property
    def checked(self) -> bool:
        """Whether every locale already passed the checks a start runs (content loaded for serving)."""
        return self._checked

    @classmethod
    def load(cls, content_dir: Path) -> ContentStore:
        """Read every ``<tag>/*.yaml`` below ``content_dir``; duplicate keys across files are errors.
        (For serving, :func:`skill.domain.content_cache.load` checks and caches what this parses.)"""
        return cls(parse_sources(read_sources(content_dir)))

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


#: Each tag folder with its YAML files' paths and bytes, as :func:`read_sources` gives them.
Sources = list[tuple[Path, list[tuple[Path, bytes]]]]


def read_sources(content_dir: Path) -> Sources:
    """Every tag folder below ``content_dir`` with its ``*.yaml`` files' bytes, sorted."""
    if not content_dir.is_dir():
        raise ContentError(f"{content_dir}: content folder not found")
    return [
        (folder, [(path, path.read_bytes()) for path in sorted(folder.glob("*.yaml"))])
        for folder in tag_folders(content_dir)
    ]


def parse_sources(sources: Sources) -> dict[str, dict[str, Any]]:
    """Each tag's tree, parsed from its files (a key defined twice in one tag is an error)."""
    return {folder.name: _parse_folder(files) for folder, files in sources}


def cache_entries(sources: Sources) -> list[tuple[str, bytes | None]]:
    """What the cache key covers: each tag folder, and each file by its path below the content folder."""
    entries: list[tuple[str, bytes | None]] = []
    for folder, files in sources:
        entries.append((folder.name, None))
        entries.extend((f"{folder.name}/{path.name}", data) for path, data in files)
    return entries


def _parse_folder(files: list[tuple[Path, bytes]]) -> dict[str, Any]:
    """One tag's tree: its files' top-level keys merged; a key defined twice is an error."""
    from skill.domain.content_yaml import parse_yaml  # PyYAML only when YAML is parsed

    tree: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    for path, raw in files:
        try:
            # As a text-mode open() reads it: universal newlines.
            text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError as exc:
            raise ContentError(f"{path}: not valid UTF-8: {exc}") from None
        data = parse_yaml(text, path)
        if data is None:
            continue
        if not isinstance(data, Mapping):
            raise ContentError(f"{path}: the top level must be a mapping of keys")
        for key, value in data.items():
            if key in tree:
                raise ContentError(f"{path}: key {key!r} is already defined in {origin[key]}")
            tree[key], origin[key] = value, path
    return tree
