"""Content cache (domain layer): parsed content trees kept as JSON between starts.

Parsing every locale's YAML, and importing PyYAML to do it, is most of what a fresh process spends
on content. :meth:`skill.domain.content.ContentStore.load` parses and checks the YAML once, then
writes each tag's tree here; a later start with the very same files reads one JSON document
(json's C decoder) instead, and never imports PyYAML.

Why this cannot serve stale or broken content, or run code:

* The key is a SHA-256 over every content file's path (relative to the content folder) and bytes,
  every tag folder's name, and the source of the code that parses them. Any edit, added, removed
  or renamed file (or a change to the parser) misses the cache, and the YAML is parsed, and
  checked for duplicate keys, again.
* Trees are written only after they parsed and passed the store's checks, and only when JSON
  holds them exactly (strings, integers, finite floats, booleans, null, lists, mappings with
  string keys); anything else (a YAML date, say) is simply not cached.
* JSON only, never pickle: reading a cache file cannot run code.
* Everything after parsing (merging locales, the triage protocol checks) runs on cached trees
  exactly as on freshly parsed ones, with one exception: a check whose verdict depends only on the
  content and its own code (the symptom check's spoken-time budgets) may be remembered in the
  entry under an id that hashes that code (:func:`verdict_id`); it is recorded only after the
  check passed, so a start whose content or checking code changed runs it again.
* A missing, unreadable, truncated or corrupt file, another key or the wrong shape is a miss,
  never an error; a folder that cannot be created or written means no cache, silently. Files are
  written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Bump when the cached document's shape changes.
FORMAT = 1
#: The modules whose code turns content files into trees; their source is part of the key.
_PARSER_SOURCES = ("content.py", "content_yaml.py")


def content_key(entries: Iterable[tuple[str, bytes | None]]) -> str | None:
    """The cache key of a content folder: ``entries`` are ``(relative path, bytes)`` for each file
    and ``(folder name, None)`` for each tag folder, in the order they are read.

    None when the parser's own source cannot be read (then nothing is cached).
    """
    digest = hashlib.sha256(f"nose-twitch content cache {FORMAT}\n".encode())
    here = Path(__file__).resolve().parent
    try:
        parser = [(f"parser/{name}", (here / name).read_bytes()) for name in _PARSER_SOURCES]
    except OSError:
        return None
    for name, data in (*parser, *entries):
        encoded = name.encode("utf-8")
        # Lengths first, so no two different listings can hash the same stream of bytes.
        digest.update(b"F" if data is not None else b"D")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
        if data is not None:
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def cache_file(cache_dir: Path, content_dir: Path) -> Path:
    """One file per content folder, so editing content replaces its entry instead of adding one."""
    slot = hashlib.sha256(str(content_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_dir / f"content-{slot}.json"


@dataclass(frozen=True)
class Entry:
    """Where a store's content is cached, and the checks already passed on exactly that content."""

    cache_dir: Path
    content_dir: Path
    key: str
    passed: frozenset[str] = frozenset()


def verdict_id(name: str, *modules: Path) -> str | None:
    """An id for a check's verdict that changes with the code that checks (None if unreadable)."""
    digest = hashlib.sha256(name.encode("utf-8"))
    try:
        for module in modules:
            digest.update(module.read_bytes())
    except OSError:
        return None
    return f"{name}:{digest.hexdigest()[:32]}"


def _document(cache_dir: Path, content_dir: Path, key: str) -> dict[str, Any] | None:
    try:
        raw = cache_file(cache_dir, content_dir).read_bytes()
        document = json.loads(raw)
    except (OSError, ValueError, RecursionError):  # missing, unreadable, not JSON, not UTF-8
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("key") != key:
        return None
    return document


def passed_checks(cache_dir: Path, content_dir: Path, key: str) -> frozenset[str]:
    """The verdict ids recorded for ``key``'s entry (none on any kind of miss)."""
    document = _document(cache_dir, content_dir, key)
    passed = document.get("passed") if document else None
    return frozenset(p for p in passed if isinstance(p, str)) if isinstance(passed, list) else frozenset()


def record_passed(entry: Entry, verdict: str) -> bool:
    """Remember that ``verdict`` passed on the entry's content; False if it could not be written."""
    document = _document(entry.cache_dir, entry.content_dir, entry.key)
    if document is None or not isinstance(document.get("trees"), dict):
        return False
    passed = sorted({*entry.passed, verdict})
    return write(entry.cache_dir, entry.content_dir, entry.key, document["trees"], passed=passed)


def read(cache_dir: Path, content_dir: Path, key: str, tags: Iterable[str]) -> dict[str, dict[str, Any]] | None:
    """The cached trees for ``key`` (one per tag in ``tags``), or None on any kind of miss."""
    document = _document(cache_dir, content_dir, key)
    if document is None:
        return None
    trees = document.get("trees")
    if not isinstance(trees, dict) or set(trees) != set(tags):
        return None
    if not all(isinstance(tree, dict) for tree in trees.values()):
        return None
    return trees


def write(cache_dir: Path, content_dir: Path, key: str, trees: Mapping[str, Mapping[str, Any]],
          passed: Iterable[str] = ()) -> bool:
    """Keep ``trees`` under ``key`` (with the verdict ids that ``passed`` on them); False (and
    nothing written) if JSON cannot hold them exactly or the folder cannot be written."""
    if not all(isinstance(tag, str) and _is_exact_json(tree) for tag, tree in trees.items()):
        return False
    document = {"format": FORMAT, "key": key, "trees": trees, "passed": list(passed)}
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    target = cache_file(cache_dir, content_dir)
    import tempfile  # only when writing, which a start with a warm cache does not do

    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".content-", suffix=".tmp", dir=cache_dir)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, target)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
    except OSError:
        return False
    return True


def _is_exact_json(node: Any) -> bool:
    """Whether ``json.loads(json.dumps(node))`` gives back the same types and values."""
    kind = type(node)
    if kind is dict:
        return all(type(k) is str and _is_exact_json(v) for k, v in node.items())
    if kind is list:
        return all(_is_exact_json(v) for v in node)
    if kind is float:
        return math.isfinite(node)
    return kind in (str, int, bool) or node is None
