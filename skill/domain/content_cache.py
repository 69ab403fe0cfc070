"""Content cache (domain layer): parsed content trees kept as JSON between starts.

Parsing every locale's YAML, importing PyYAML to do it, and checking the symptom check's spoken-time
budgets are most of what a fresh process spends on content. :func:`load` (content loaded for serving)
parses the YAML and checks it once, then writes each tag's tree here; a later start with the very
same files reads one JSON document (json's C decoder) instead, never imports PyYAML, and does not
check again: an entry here is content that passed.

Why this cannot serve stale or broken content, or run code:

* The key is a SHA-256 over every content file's path (relative to the content folder) and bytes,
  every tag folder's name, and the source of the code that parses and checks them (:data:`CODE`:
  the parser, the triage engine, its budget and sign checks, the emergency answer they measure,
  the speech-time rules). Any edit, added, removed or renamed file (or a change to that code)
  misses the cache, and the YAML is parsed, and checked, again.
* Trees are written only after they parsed and passed every check a start runs on content
  (duplicate keys, each locale's triage protocol, its sign rules and spoken-time budgets), and
  only when JSON holds them exactly (strings, integers, finite floats, booleans, null, lists,
  mappings with string keys); anything else (a YAML date, say) is simply not cached.
* JSON only, never pickle: reading a cache file cannot run code.
* Merging locales and building each locale's triage protocol run on cached trees exactly as on
  freshly parsed ones; only the checks whose result the key fixes (the budgets) are not repeated.
* The file verifies itself: it carries a SHA-256 of the exact bytes of its trees, checked on every
  read. A file altered, truncated or replaced after it was written (even one that is valid JSON
  with the right key) is a miss, so the YAML is parsed again and the file rewritten: a start never
  fails, or serves edited text, because of the cache.
* Only a regular file is read (opened without blocking, then checked), so a FIFO or a device in
  its place is a miss too, not a start that hangs.
* A missing, unreadable, truncated or corrupt file, another key or the wrong shape is a miss,
  never an error; a folder that cannot be created or written means no cache, silently. Files are
  written to a temporary name and renamed, so a reader never sees half a file.

The file is one JSON document, its header first and its trees last, so the trees' bytes can be
hashed as written::

    {"format":3,"key":"<sha256>","digest":"<sha256 of the trees' bytes>","trees":{...}}
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from skill.domain import triage_budget
from skill.domain.content import ContentStore, cache_entries, parse_sources, read_sources

#: Bump when the cached document's shape changes.
FORMAT = 3
#: Where the trees begin in a cache file (the header before them is ours: hex keys).
_TREES = b',"trees":'
#: A cache file larger than this is not read (the real one is a few hundred KB).
_MAX_FILE_BYTES = 64 * 1024 * 1024


def _sha256() -> object:
    # hashlib (and the OpenSSL it loads) only when content is loaded, not when this module is imported.
    import hashlib

    return hashlib.sha256()


#: The domain modules whose code turns content files into trees and checks them before they are
#: kept; their source is part of the key.
CODE = ("content.py", "content_cache.py", "content_yaml.py", "errors.py", "triage.py", "triage_budget.py", "emergency.py", "spoken.py")


def content_key(entries: Iterable[tuple[str, bytes | None]]) -> str | None:
    """The cache key of a content folder: ``entries`` are ``(relative path, bytes)`` for each file
    and ``(folder name, None)`` for each tag folder, in the order they are read.

    None when the source of the code that parses and checks them cannot be read (then nothing is cached).
    """
    digest = _sha256()
    digest.update(f"nose-twitch content cache {FORMAT}\n".encode())  # type: ignore[attr-defined]
    here = Path(__file__).resolve().parent
    try:
        code = [(f"code/{name}", (here / name).read_bytes()) for name in CODE]
    except OSError:
        return None
    for name, data in (*code, *entries):
        encoded = name.encode("utf-8")
        # Lengths first, so no two different listings can hash the same stream of bytes.
        digest.update(b"F" if data is not None else b"D")  # type: ignore[attr-defined]
        digest.update(len(encoded).to_bytes(8, "big"))  # type: ignore[attr-defined]
        digest.update(encoded)  # type: ignore[attr-defined]
        if data is not None:
            digest.update(len(data).to_bytes(8, "big"))  # type: ignore[attr-defined]
            digest.update(data)  # type: ignore[attr-defined]
    return digest.hexdigest()  # type: ignore[attr-defined]


def cache_file(cache_dir: Path, content_dir: Path) -> Path:
    """One file per content folder, so editing content replaces its entry instead of adding one."""
    digest = _sha256()
    digest.update(str(content_dir.resolve()).encode("utf-8"))  # type: ignore[attr-defined]
    slot = digest.hexdigest()[:16]  # type: ignore[attr-defined]
    return cache_dir / f"content-{slot}.json"


def _read_regular(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of a sane size; None otherwise (never blocks:
    a FIFO in its place is opened without waiting for a writer, then refused)."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_FILE_BYTES:
            return None
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read(_MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(handle)


def _split(raw: bytes) -> tuple[bytes, bytes] | None:
    """The header (as a JSON object's text) and the trees' bytes of a cache file, or None."""
    at = raw.find(_TREES)
    if at < 0 or not raw.endswith(b"}"):
        return None
    return raw[:at] + b"}", raw[at + len(_TREES):-1]


def _header(cache_dir: Path, content_dir: Path, key: str) -> tuple[dict[str, Any], bytes] | None:
    """The header of the cache file for ``key`` and its trees' bytes, or None on any kind of miss."""
    raw = _read_regular(cache_file(cache_dir, content_dir))
    parts = _split(raw) if raw is not None else None
    if parts is None:
        return None
    try:
        header = json.loads(parts[0])
    except (ValueError, RecursionError):  # not JSON, not UTF-8
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
        return None
    return header, parts[1]


def _trees(header: dict[str, Any], trees_bytes: bytes) -> dict[str, Any] | None:
    """The trees, if their bytes are the ones the header's digest was taken of."""
    digest = _sha256()
    digest.update(trees_bytes)  # type: ignore[attr-defined]
    if header.get("digest") != digest.hexdigest():  # type: ignore[attr-defined]
        return None
    try:
        trees = json.loads(trees_bytes)
    except (ValueError, RecursionError):
        return None
    return trees if isinstance(trees, dict) else None


def read(cache_dir: Path, content_dir: Path, key: str, tags: Iterable[str]) -> dict[str, dict[str, Any]] | None:
    """The cached trees for ``key`` (one per tag in ``tags``), or None on any kind of miss."""
    found = _header(cache_dir, content_dir, key)
    trees = _trees(*found) if found is not None else None
    if trees is None or set(trees) != set(tags):
        return None
    if not all(isinstance(tree, dict) for tree in trees.values()):
        return None
    return trees


def write(cache_dir: Path, content_dir: Path, key: str, trees: Mapping[str, Mapping[str, Any]]) -> bool:
    """Keep ``trees`` (content that passed its checks) under ``key``; False (and nothing written) if
    JSON cannot hold them exactly or the folder cannot be written."""
    if not all(isinstance(tag, str) and _is_exact_json(tree) for tag, tree in trees.items()):
        return False
    text = json.dumps(trees, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    trees_bytes = text.encode("utf-8")
    digest = _sha256()
    digest.update(trees_bytes)  # type: ignore[attr-defined]
    header = {"format": FORMAT, "key": key, "digest": digest.hexdigest()}  # type: ignore[attr-defined]
    head = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    document = head[:-1] + _TREES + trees_bytes + b"}"
    target = cache_file(cache_dir, content_dir)
    import tempfile  # only when writing, which a start with a warm cache does not do

    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".content-", suffix=".tmp", dir=cache_dir)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(document)
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


def load(content_dir: Path, cache_dir: Path | None) -> ContentStore:
    """The content below ``content_dir``, loaded for serving: every locale checked as a start needs it
    (its triage protocol, sign rules and spoken-time budgets; a problem raises
    :class:`~skill.domain.errors.ContentError`), then kept in ``cache_dir`` as JSON keyed by every
    file's bytes and the checking code, so a later load of the very same files skips the YAML and
    the checks. Without a ``cache_dir`` the content is parsed and checked every time. Either way the
    store is ``checked``.
    """
    sources = read_sources(content_dir)
    key = content_key(cache_entries(sources)) if cache_dir is not None else None
    if key is not None:
        cached = read(cache_dir, content_dir, key, (folder.name for folder, _ in sources))
        if cached is not None:
            return ContentStore(cached, checked=True)
    trees = parse_sources(sources)
    store = ContentStore(trees, checked=True)  # returned only once every check below has passed
    for tag in store.tags:
        triage_budget.checked_protocol(store.for_locale(tag))
    if key is not None:
        write(cache_dir, content_dir, key, trees)
    return store
