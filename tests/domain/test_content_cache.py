"""The content cache: a warm start reads JSON instead of YAML, and never serves stale or broken content."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skill.alexa.builder import build_skill
from skill.config import DEFAULT_CONTENT_DIR, SkillConfig, config_from_env, default_cache_dir
from skill.domain import content as content_module
from skill.domain import content_cache
from skill.domain.content import ContentStore
from skill.domain.errors import ContentError

#: Slow: each test parses and checks every locale's content, some in a subprocess; the fast loop (-m 'not slow') leaves them to the full suite.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the real content to edit."""
    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("content-*.json")) if cache.is_dir() else []


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any YAML parsing fail the test: the load must come from the cache."""

    def parse(files):
        raise AssertionError("the content was parsed although the cache holds it")

    monkeypatch.setattr(content_module, "_parse_folder", parse)


def assert_same_content(got: ContentStore, expected: ContentStore) -> None:
    assert got.tags == expected.tags, "the cached store has other tags than the parsed one"
    for tag in expected.tags:
        assert got.raw(tag) == expected.raw(tag), f"{tag}: the cached tree differs from the parsed one"
        assert got.for_locale(tag).tree == expected.for_locale(tag).tree, f"{tag}: the merged trees differ"


def test_a_second_load_comes_from_the_cache_and_gives_the_same_content(content, cache, monkeypatch):
    parsed = content_cache.load(content, cache)
    assert len(cache_files(cache)) == 1, "the first load should write one cache file"
    uncached = ContentStore.load(DEFAULT_CONTENT_DIR)
    no_parsing(monkeypatch)
    cached = content_cache.load(content, cache)
    assert_same_content(cached, parsed)
    assert_same_content(cached, uncached)


def test_a_warm_start_does_not_import_yaml(content, cache):
    code = (
        "import sys; from pathlib import Path; from skill.domain import content_cache; "
        f"content_cache.load(Path({str(content)!r}), Path({str(cache)!r})); "
        "print('yaml' in sys.modules)"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["True", "False"], f"cold then warm start imported yaml: {runs} (expected parse, then cache only)"


def test_without_a_cache_dir_nothing_is_written(content, tmp_path):
    before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    ContentStore.load(content)
    after = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert after == before, "loading without a cache_dir wrote files"


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(DEFAULT_CONTENT_DIR) for p in DEFAULT_CONTENT_DIR.glob("*/*.yaml")),
    ids=str,
)
def test_editing_any_content_file_misses_the_cache(content, cache, path: Path):
    content_cache.load(content, cache)
    target = content / path
    target.write_text(target.read_text(encoding="utf-8") + "\nzz_cache_probe: edited\n", encoding="utf-8")
    store = content_cache.load(content, cache)
    assert store.raw(path.parent.name)["zz_cache_probe"] == "edited", f"editing {path} still served the cached tree"
    assert len(cache_files(cache)) == 1, "the new tree should replace the old cache entry, not add one"


def test_the_key_covers_every_byte_every_name_and_every_folder():
    entries = [("en", None), ("en/a.yaml", b"a: 1\n"), ("en-GB", None), ("en-GB/b.yaml", b"b: 2\n")]
    key = content_cache.content_key(entries)
    variants = {
        "a changed byte": [("en", None), ("en/a.yaml", b"a: 2\n"), ("en-GB", None), ("en-GB/b.yaml", b"b: 2\n")],
        "a renamed file": [("en", None), ("en/c.yaml", b"a: 1\n"), ("en-GB", None), ("en-GB/b.yaml", b"b: 2\n")],
        "a removed file": [("en", None), ("en/a.yaml", b"a: 1\n"), ("en-GB", None)],
        "an empty folder": [*entries, ("es", None)],
        "bytes moved across names": [("en", None), ("en/a.yaml", b"a: 1\n" + b"en-GB"), ("en-GB/b.yaml", b"b: 2\n")],
    }
    for change, other in variants.items():
        assert content_cache.content_key(other) != key, f"{change} kept the same cache key"
    assert content_cache.content_key(list(entries)) == key, "the key should be the same for the same files"


def test_a_duplicate_key_is_still_an_error_after_the_cache_is_warm(content, cache):
    content_cache.load(content, cache)
    common = content / "en" / "common.yaml"
    common.write_text(common.read_text(encoding="utf-8") + '\ngoodbye: "Bye again."\n', encoding="utf-8")
    with pytest.raises(ContentError, match="duplicate key 'goodbye'"):
        content_cache.load(content, cache)


def test_a_key_defined_in_two_files_is_still_an_error_after_the_cache_is_warm(content, cache):
    content_cache.load(content, cache)
    (content / "en" / "zz_extra.yaml").write_text('goodbye: "Bye again."\n', encoding="utf-8")
    with pytest.raises(ContentError, match="already defined"):
        content_cache.load(content, cache)


def test_broken_content_is_never_cached(content, cache):
    common = content / "en" / "common.yaml"
    common.write_text(common.read_text(encoding="utf-8") + '\ngoodbye: "Bye again."\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ContentError, match="duplicate key"):
            content_cache.load(content, cache)
    assert cache_files(cache) == [], "a file that failed to parse was cached"


def corrupt_variants(real: bytes) -> dict[str, bytes]:
    document = json.loads(real)
    wrong_trees = {**document, "trees": {tag: ["not", "a", "tree"] for tag in document["trees"]}}
    missing_tag = {**document, "trees": {k: v for k, v in document["trees"].items() if k != "en-GB"}}
    return {
        "empty": b"",
        "truncated": real[: len(real) // 2],
        "garbage": b"\x80\x81 not json at all",
        "not an object": b"[1, 2, 3]",
        "another key": json.dumps({**document, "key": "0" * 64}).encode(),
        "another format": json.dumps({**document, "format": -1}).encode(),
        "trees of the wrong type": json.dumps(wrong_trees).encode(),
        "a tag missing": json.dumps(missing_tag).encode(),
        "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    }


@pytest.mark.parametrize("variant", list(corrupt_variants(b'{"format": 1, "key": "", "trees": {}}')))
def test_a_corrupt_cache_file_is_ignored_and_replaced(content, cache, variant):
    expected = content_cache.load(content, cache)
    [file] = cache_files(cache)
    file.write_bytes(corrupt_variants(file.read_bytes())[variant])
    assert_same_content(content_cache.load(content, cache), expected)
    assert json.loads(file.read_bytes())["trees"]["en"] == expected.raw("en"), f"a {variant} cache was not rewritten"


def test_a_cache_dir_that_cannot_be_written_means_no_cache(content, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for cache_dir in (blocker, blocker / "cache"):
        store = content_cache.load(content, cache_dir)
        assert_same_content(store, ContentStore.load(content))
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_failed_write_leaves_no_temporary_file(content, cache, monkeypatch):
    def refuse(src, dst):
        raise PermissionError("read-only")

    monkeypatch.setattr(content_cache.os, "replace", refuse)
    content_cache.load(content, cache)
    assert list(cache.iterdir()) == [], f"left behind: {list(cache.iterdir())}"


def test_content_json_cannot_hold_exactly_is_loaded_but_not_cached(content, cache):
    (content / "en" / "zz_dated.yaml").write_text("zz_reviewed: 2024-05-01\n", encoding="utf-8")
    store = content_cache.load(content, cache)
    assert str(store.raw("en")["zz_reviewed"]) == "2024-05-01"
    assert cache_files(cache) == [], "a tree with a date (not JSON) was cached"


def test_the_cache_file_is_json_and_nothing_else(content, cache):
    content_cache.load(content, cache)
    [file] = cache_files(cache)
    document = json.loads(file.read_bytes())
    assert set(document) == {"format", "key", "digest", "trees"}, f"unexpected fields: {sorted(document)}"
    assert [p.name for p in cache.iterdir()] == [file.name], "temporary files were left in the cache folder"


# --- the reliability review's altered caches (2026-12-06, L4): valid JSON with the right key ------


def altered(real: bytes, change) -> bytes:
    """The cache file with its trees changed and everything else (key, digest, framing) kept."""
    document = json.loads(real)
    change(document["trees"])
    head = {k: document[k] for k in ("format", "key", "digest")}
    trees = json.dumps(document["trees"], ensure_ascii=False, separators=(",", ":"))
    return json.dumps(head, separators=(",", ":")).encode()[:-1] + b',"trees":' + trees.encode() + b"}"


ALTERATIONS = {
    "trees emptied": lambda trees: [tree.clear() for tree in trees.values()],
    "trees of the wrong types": lambda trees: [tree.update({k: 5 for k in tree}) for tree in trees.values()],
    "the launch text removed": lambda trees: trees["en"].pop("launch", None),
    "one sentence edited": lambda trees: trees["en"].update({"goodbye": "Edited by someone else."}),
}


@pytest.mark.parametrize("alteration", list(ALTERATIONS))
def test_an_altered_cache_with_the_right_key_is_a_miss_and_is_rewritten(content, cache, alteration):
    expected = content_cache.load(content, cache)
    [file] = cache_files(cache)
    good = file.read_bytes()
    file.write_bytes(altered(good, ALTERATIONS[alteration]))
    assert json.loads(file.read_bytes())["key"] == json.loads(good)["key"], "the test keeps the right key"
    store = content_cache.load(content, cache)
    assert_same_content(store, expected)
    assert file.read_bytes() == good, f"{alteration}: the cache file was not rewritten from the YAML"


def test_a_fifo_in_place_of_the_cache_file_does_not_hang_the_start(content, cache):
    expected = content_cache.load(content, cache)
    [file] = cache_files(cache)
    file.unlink()
    os.mkfifo(file)
    code = (
        "from pathlib import Path; from skill.domain import content_cache; "
        f"s = content_cache.load(Path({str(content)!r}), Path({str(cache)!r})); print(len(s.tags))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == str(len(expected.tags)), done.stderr[-2000:]
    assert file.is_file() and not file.is_fifo(), "the FIFO should be replaced by a good cache file"


def test_the_skill_builds_through_the_configured_cache(content, cache):
    config = SkillConfig(dev=True, content_dir=content, cache_dir=cache)
    build_skill(config)
    assert len(cache_files(cache)) == 1, "build_skill did not use config.cache_dir"


def test_the_cache_dir_setting(tmp_path):
    xdg = str(tmp_path / "xdg")
    assert default_cache_dir({"XDG_CACHE_HOME": xdg}) == Path(xdg) / "nose-twitch"
    assert default_cache_dir({"XDG_CACHE_HOME": "relative/dir"}) == Path.home() / ".cache" / "nose-twitch"
    assert config_from_env({"XDG_CACHE_HOME": xdg}).cache_dir == Path(xdg) / "nose-twitch"
    assert config_from_env({"SKILL_CACHE_DIR": str(tmp_path / "c")}).cache_dir == tmp_path / "c"
    for off in ("off", "none", "OFF"):
        assert config_from_env({"SKILL_CACHE_DIR": off}).cache_dir is None, f"SKILL_CACHE_DIR={off} kept a cache"


def test_the_suite_keeps_the_default_cache_out_of_the_real_home():
    cache_dir = SkillConfig().cache_dir
    real = Path(os.path.expanduser("~")) / ".cache"
    assert cache_dir is not None and real not in cache_dir.parents, f"tests would write to {cache_dir}"


def test_the_budgets_are_measured_when_content_is_parsed_not_when_it_comes_from_the_cache(content, cache, monkeypatch):
    """The symptom check's time budgets are measured once per content (and checking code), not at every start."""
    from skill.alexa.resources import SkillResources
    from skill.domain import triage_budget

    calls: list[str] = []
    real = triage_budget.check

    def counting(content_, protocol):
        calls.append(content_.tag)
        return real(content_, protocol)

    monkeypatch.setattr(triage_budget, "check", counting)
    SkillResources(content_cache.load(content, cache))
    first = len(calls)
    assert first > 0, "a first start measures the budgets"
    SkillResources(content_cache.load(content, cache))
    assert len(calls) == first, "a start with the same cached content that already passed skips measuring"
    path = content / "en" / "common.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    SkillResources(content_cache.load(content, cache))
    assert len(calls) == 2 * first, "edited content is measured again"


def test_a_broken_budget_is_never_remembered(content, cache, monkeypatch):
    from skill.alexa.resources import SkillResources
    from skill.domain import triage_budget

    monkeypatch.setattr(triage_budget, "check", lambda content_, protocol: ["time budget broken: planted"])
    with pytest.raises(ContentError, match="planted"):
        SkillResources(content_cache.load(content, cache))
    assert cache_files(cache) == [], "content that failed its checks was kept in the cache"
    with pytest.raises(ContentError, match="planted"):
        SkillResources(content_cache.load(content, cache))


def test_the_cache_key_covers_all_the_code_that_parses_and_checks_content():
    """A start trusts cached content without checking it: any domain module the load imports (the
    parser, the triage engine, its checks and what they measure) must be part of the key."""
    script = "import sys, skill.domain.content; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    loaded = {name.rpartition(".")[2] + ".py" for name in done.stdout.split() if name.startswith("skill.domain.")}
    loaded |= {"content_yaml.py"}  # imported only when YAML is parsed
    missing = sorted(loaded - set(content_cache.CODE) - {"content_cache.py"})
    assert not missing, f"content loading runs code the cache key does not cover: {missing}"
