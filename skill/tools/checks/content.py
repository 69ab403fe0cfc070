"""Content checks (tools layer): the project's rules for ``content/``, as data.

Used by ``nose-twitch validate`` next to :mod:`skill.tools.checks.model`, and by the tests. Every
finding is a :class:`~skill.tools.checks.problem.Problem` naming the file
(``content/<tag>/<file>.yaml``) and the dotted key. The rules:

- every YAML file parses, with no key repeated in a mapping or across the files of a folder;
- every language has every key of the reference language (``en``), with the same list lengths,
  and a locale folder overrides only keys its language has;
- a text uses the same ``{placeholders}`` as the reference's text for that key;
- texts are plain text: ``<`` or ``&`` (SSML that Alexa would reject once escaped twice or not at
  all), control or invisible characters and emoji are errors;
- the one-breath budget: a question or reprompt over :data:`MAX_PROMPT_WORDS` words is an error,
  a spoken sentence over :data:`MAX_SENTENCE_WORDS` words a warning;
- every fact (a mapping with ``say``, ``ask`` or ``meaning``, or a topic's ``intro`` beside its
  ``items``) has a ``source:`` and every
  source id is declared in a ``sources`` or ``clinical_sources`` section;
- the triage protocol builds for every tag, and the skill's content store loads;
- every ``routing`` entry goes to a topic, trigger or thing the content has, with words that point
  to it, and a name to say unless the thing or trigger has its own (:func:`check_routing`);
- with the models (:func:`check_things`): every THING slot value has facts, and every fact is
  about a THING value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skill.domain.content import (
    DEFAULT_LANGUAGE,
    Content,
    ContentStore,
    deep_merge,
    load_yaml_file,
    placeholders,
    tag_folders,
)
from skill.domain.errors import ContentError
from skill.domain import triage_budget
from skill.domain.facts import about_ids
from skill.domain.triage import Protocol
from skill.tools.checks.problem import Problem

#: One breath: a question or reprompt longer than this many words is an error.
MAX_PROMPT_WORDS = 25
#: A spoken sentence longer than this many words is a warning.
MAX_SENTENCE_WORDS = 30
#: A mapping with one of these keys is a fact that needs a ``source:`` (an item, a triage question,
#: a triage outcome); a topic (``intro`` with ``items``) needs one for its intro.
FACT_KEYS = frozenset({"say", "ask", "meaning"})
SOURCE_SECTIONS = ("sources", "clinical_sources")
#: Sections that are shown or kept but never spoken (sources, the store listing).
NOT_SPOKEN_SECTIONS = frozenset({*SOURCE_SECTIONS, "manifest"})
#: Leaf keys that are never spoken (card titles, file names, reviewer notes).
NOT_SPOKEN_KEYS = frozenset({"title", "card_title", "file", "note", "source", "signs", "url", "publisher", "date", "words"})
#: Characters an author may leave from markdown or a word processor; Alexa would read them out.
_MARKUP = frozenset("*#`|\\~^[]_")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_IDENTIFIER = re.compile(r"^[\w.\-/]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_DUPLICATE = re.compile(r"^(?P<message>duplicate key .*) at line (?P<line>\d+)$")


@dataclass
class ContentFiles:
    """Every tag's own tree as read from its files, and which file each top-level key came from."""

    content_dir: Path
    trees: dict[str, dict[str, Any]] = field(default_factory=dict)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def label(self, path: Path) -> str:
        return f"{self.content_dir.name}/{path.relative_to(self.content_dir).as_posix()}"

    def file_of(self, tag: str, key: str) -> str:
        """The file a dotted key of a tag lives in (or would live in, when it is missing there)."""
        top = key.split(".")[0]
        if (tag, top) in self.origin:
            return self.origin[(tag, top)]
        reference = self.origin.get((DEFAULT_LANGUAGE, top))
        name = reference.rsplit("/", 1)[-1] if reference else "?.yaml"
        return f"{self.content_dir.name}/{tag}/{name}"

    def merged(self, tag: str) -> dict[str, Any]:
        """A tag's tree as the skill sees it: a locale on top of its language (or the default)."""
        tree = self.trees[tag]
        if "-" not in tag:
            return tree
        base = self.trees.get(tag.split("-")[0].lower(), self.trees.get(DEFAULT_LANGUAGE, {}))
        return deep_merge(base, tree)

    @property
    def languages(self) -> list[str]:
        return [tag for tag in self.trees if "-" not in tag]


def load_content_files(content_dir: Path) -> ContentFiles:
    """Read ``content_dir/<tag>/*.yaml``, recording problems instead of stopping at the first."""
    files = ContentFiles(content_dir)
    if not content_dir.is_dir():
        files.problems.append(Problem(str(content_dir), "folder", "content folder not found"))
        return files
    for folder in tag_folders(content_dir):
        tree: dict[str, Any] = {}
        for path in sorted(folder.glob("*.yaml")):
            label = files.label(path)
            try:
                data = load_yaml_file(path)
            except ContentError as exc:
                message = str(exc).removeprefix(f"{path}: ")
                found = _DUPLICATE.match(message)
                if found:
                    line = int(found["line"])
                    key_path = _key_at_line(path, line)
                    where = f"line {line}: {key_path}" if key_path else f"line {line}"
                    files.problems.append(Problem(label, where, found["message"]))
                else:
                    files.problems.append(Problem(label, "file", message))
                continue
            if data is None:
                continue
            if not isinstance(data, Mapping):
                files.problems.append(Problem(label, "file", "the top level must be a mapping of keys"))
                continue
            for key, value in data.items():
                key = str(key)
                if key in tree:
                    files.problems.append(
                        Problem(label, key, f"duplicate key: already defined in {files.origin[(folder.name, key)]}")
                    )
                    continue
                tree[key] = value
                files.origin[(folder.name, key)] = label
        files.trees[folder.name] = tree
    if DEFAULT_LANGUAGE not in files.trees:
        files.problems.append(
            Problem(f"{content_dir.name}/{DEFAULT_LANGUAGE}", "folder", "the default language's folder is missing")
        )
    return files


def _key_at_line(path: Path, line: int) -> str | None:
    """The dotted key whose name is at a (1-based) line of a YAML file, from its node tree."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return None

    def search(node: yaml.Node | None, prefix: str) -> str | None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                path_here = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                if key_node.start_mark.line + 1 == line:
                    return path_here
                found = search(value_node, path_here)
                if found:
                    return found
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                found = search(item, f"{prefix}.{index}")
                if found:
                    return found
        return None

    return search(root, "")


def walk(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``(dotted.key, node)`` below a node, mappings and lists included (list items by index)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path, value
            yield from walk(value, path)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            path = f"{prefix}.{index}"
            yield path, value
            yield from walk(value, path)


def lookup(tree: Any, key: str) -> tuple[bool, Any]:
    """``(True, node)`` at a dotted key of a tree (list items by index), ``(False, None)`` when absent."""
    node = tree
    for part in key.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _kind(node: Any) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    return "a text" if isinstance(node, str) else "a value"


# --- the rules ----------------------------------------------------------------------------------


def check_key_parity(files: ContentFiles) -> list[Problem]:
    """Languages have every reference key, with the same list lengths; locales override real keys."""
    problems: list[Problem] = []
    reference = files.trees.get(DEFAULT_LANGUAGE)
    if reference is None:
        return problems
    for tag, tree in files.trees.items():
        if tag == DEFAULT_LANGUAGE:
            continue
        if "-" not in tag:
            problems += _compare(files, tag, reference, tree, DEFAULT_LANGUAGE)
            continue
        language = tag.split("-")[0].lower()
        base_tag = language if language in files.trees else DEFAULT_LANGUAGE
        base = files.trees[base_tag]
        for key, node in walk(tree):
            present, base_node = lookup(base, key)
            if not present:
                parent = key.rsplit(".", 1)[0] if "." in key else ""
                if not parent or lookup(base, parent)[0]:  # name only the first missing level
                    problems.append(Problem(
                        files.file_of(tag, key), key,
                        f"overrides nothing: content/{base_tag} has no such key (a typo?)", "warning",
                    ))
            elif _kind(node) != _kind(base_node):
                problems.append(Problem(
                    files.file_of(tag, key), key, f"is {_kind(node)} but content/{base_tag} has {_kind(base_node)}"
                ))
            elif isinstance(node, list) and len(node) != len(base_node):
                problems.append(Problem(
                    files.file_of(tag, key), key,
                    f"has {len(node)} items but content/{base_tag} has {len(base_node)}",
                ))
    return problems


def _compare(files: ContentFiles, tag: str, reference: Any, tree: Any, ref_tag: str) -> list[Problem]:
    problems: list[Problem] = []
    reported: list[str] = []
    uneven: set[str] = set()
    for key, node in walk(reference):
        if any(key.startswith(f"{done}.") for done in reported):
            continue  # a missing or mismatched parent says it all
        present, other = lookup(tree, key)
        where = files.file_of(tag, key)
        if not present and key.rsplit(".", 1)[0] in uneven:
            reported.append(key)  # the list's length is already reported
            continue
        if not present:
            problems.append(Problem(where, key, f"missing (content/{ref_tag} has it in {files.file_of(ref_tag, key)})"))
            reported.append(key)
        elif _kind(node) != _kind(other):
            problems.append(Problem(where, key, f"is {_kind(other)} but content/{ref_tag} has {_kind(node)}"))
            reported.append(key)
        elif isinstance(node, list) and len(node) != len(other):
            problems.append(Problem(where, key, f"has {len(other)} items but content/{ref_tag} has {len(node)}"))
            uneven.add(key)
    for key, _ in walk(tree):
        if key.rsplit(".", 1)[0] in uneven:
            continue
        parent = key.rsplit(".", 1)[0] if "." in key else ""
        if not lookup(reference, key)[0] and (not parent or lookup(reference, parent)[0]):
            problems.append(Problem(files.file_of(tag, key), key, f"not in content/{ref_tag}", "warning"))
    return problems


def check_placeholders(files: ContentFiles) -> list[Problem]:
    """Malformed placeholders, and placeholders that differ from the reference's text for the key."""
    problems: list[Problem] = []
    reference = files.trees.get(DEFAULT_LANGUAGE, {})
    for tag, tree in files.trees.items():
        for key, node in walk(tree):
            if not isinstance(node, str):
                continue
            try:
                names = placeholders(node)
            except ContentError as exc:
                problems.append(Problem(files.file_of(tag, key), key, str(exc)))
                continue
            if tag == DEFAULT_LANGUAGE:
                continue
            present, ref_text = lookup(reference, key)
            if not present or not isinstance(ref_text, str):
                continue
            try:
                expected = placeholders(ref_text)
            except ContentError:
                continue  # reported for the reference itself
            if names != expected:
                missing, extra = sorted(expected - names), sorted(names - expected)
                detail = "; ".join(
                    part for part in (
                        f"missing {', '.join('{' + n + '}' for n in missing)}" if missing else "",
                        f"extra {', '.join('{' + n + '}' for n in extra)}" if extra else "",
                    ) if part
                )
                problems.append(Problem(
                    files.file_of(tag, key), key, f"placeholders differ from content/{DEFAULT_LANGUAGE}: {detail}"
                ))
    return problems


def _is_identifier(text: str) -> bool:
    return bool(_IDENTIFIER.match(text))


def _spoken(key: str) -> bool:
    parts = key.split(".")
    return parts[0] not in NOT_SPOKEN_SECTIONS and not any(p in NOT_SPOKEN_KEYS for p in parts)


def check_texts(files: ContentFiles) -> list[Problem]:
    """Plain text only (no SSML-like ``<`` or ``&``), no unsupported characters, one breath per prompt."""
    problems: list[Problem] = []
    for tag, tree in files.trees.items():
        params = {k: v for k, v in (files.merged(tag).get("locale") or {}).items() if isinstance(v, str)}
        for key, text in walk(tree):
            if not isinstance(text, str):
                continue
            where = files.file_of(tag, key)
            for char in sorted({c for c in text if c in "<&"}):
                problems.append(Problem(
                    where, key,
                    f"contains {char!r}: content is plain text, not SSML (the code escapes it; "
                    f"write 'and' for '&', and no tags)",
                ))
            bad = sorted({c for c in text if _unsupported(c)})
            if bad:
                names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in bad)
                problems.append(Problem(where, key, f"unsupported characters: {names}"))
            if not _spoken(key) or _is_identifier(text):
                continue
            markup = sorted({c for c in _PLACEHOLDER.sub("", text) if c in _MARKUP})
            if markup:
                problems.append(Problem(where, key, f"markup characters Alexa would read out: {''.join(markup)}",
                                        "warning"))
            problems += _breath(where, key, text, params)
    return problems


def _unsupported(char: str) -> bool:
    if char in "\n":
        return False
    category = unicodedata.category(char)
    return category in {"Cc", "Cf", "Co", "Cn", "Cs"} or category == "So"


def _fill(text: str, params: Mapping[str, str]) -> str:
    """The text with locale placeholders filled and others as one word, for counting words."""
    return re.sub(r"\{([^{}]*)\}", lambda m: params.get(m.group(1), "word"), text)


def _is_prompt(key: str, text: str) -> str | None:
    last = key.split(".")[-1]
    if "reprompt" in last:
        return "reprompt"
    if last in {"question", "ask", "followup"} or text.rstrip().endswith("?"):
        return "question"
    return None


def _breath(where: str, key: str, text: str, params: Mapping[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    spoken = _fill(text, params)
    words = len(spoken.split())
    kind = _is_prompt(key, text)
    if kind and words > MAX_PROMPT_WORDS:
        problems.append(Problem(
            where, key, f"a {kind} of {words} words fails the one-breath test (at most {MAX_PROMPT_WORDS})"
        ))
    for sentence in _SENTENCE_END.split(spoken.strip()):
        count = len(sentence.split())
        if count > MAX_SENTENCE_WORDS:
            problems.append(Problem(
                where, key, f"a sentence of {count} words (over {MAX_SENTENCE_WORDS}): {sentence[:60]!r}...",
                "warning",
            ))
    return problems


def declared_sources(files: ContentFiles) -> set[str]:
    """Every source id any ``sources`` or ``clinical_sources`` section declares."""
    declared: set[str] = set()
    for tree in files.trees.values():
        for section in SOURCE_SECTIONS:
            node = tree.get(section)
            if isinstance(node, Mapping):
                declared.update(str(k) for k in node)
    return declared


def check_sources(files: ContentFiles) -> list[Problem]:
    """Every fact has a ``source:``; every source id is declared."""
    problems: list[Problem] = []
    declared = declared_sources(files)
    for tag, tree in files.trees.items():
        merged = files.merged(tag)
        for key, node in walk(tree):
            if not isinstance(node, Mapping) or key.split(".")[0] in SOURCE_SECTIONS:
                continue
            where = files.file_of(tag, key)
            if "source" in node:
                ids = node["source"] if isinstance(node["source"], list) else [node["source"]]
                if not ids or not all(isinstance(i, str) and i for i in ids):
                    problems.append(Problem(where, f"{key}.source", "must be a source id or a list of source ids"))
                    continue
                for source_id in ids:
                    if source_id not in declared:
                        problems.append(Problem(
                            where, f"{key}.source",
                            f"unknown source id {source_id!r} (not in any sources or clinical_sources section)",
                        ))
            elif _fact_key(node):
                # A locale folder may reword a fact whose source its language already gives.
                inherited = "-" in tag and isinstance(lookup(merged, key)[1], Mapping) and "source" in lookup(
                    merged, key
                )[1]
                if not inherited:
                    problems.append(Problem(where, key, f"a fact ({_fact_key(node)}) without source:"))
    return problems


#: What a named clinical reference must give so a clinician can check it.
REFERENCE_FIELDS = ("publisher", "title", "url", "date")


def check_triage_references(files: ContentFiles) -> list[Problem]:
    """Every source the symptom check cites is an article or a named reference (publisher, title, URL, date)."""
    problems: list[Problem] = []
    articles: set[str] = set()
    references: dict[str, Mapping[str, Any]] = {}
    for tree in files.trees.values():
        if isinstance(tree.get("sources"), Mapping):
            articles.update(str(k) for k in tree["sources"])
        if isinstance(tree.get("clinical_sources"), Mapping):
            for ref_id, ref in tree["clinical_sources"].items():
                if isinstance(ref, Mapping):
                    references.setdefault(str(ref_id), ref)
    for tag, tree in files.trees.items():
        for key, node in walk(tree):
            if not key.startswith("triage.") or not isinstance(node, Mapping) or "source" not in node:
                continue
            ids = node["source"] if isinstance(node["source"], list) else [node["source"]]
            for source_id in ids:
                if source_id in articles or source_id not in references:
                    continue  # unknown ids are reported by check_sources
                missing = [f for f in REFERENCE_FIELDS if not references[source_id].get(f)]
                if missing:
                    problems.append(Problem(
                        files.file_of(tag, key), f"{key}.source",
                        f"{source_id!r} is not a named reference: it has no {', '.join(missing)} "
                        "(the symptom check cites only references a clinician can look up)",
                    ))
    return problems


def _fact_key(node: Mapping[str, Any]) -> str | None:
    """The key that makes a mapping a fact, if it is one."""
    found = sorted(FACT_KEYS & set(node))
    if found:
        return found[0]
    return "intro" if "intro" in node and "items" in node else None


def check_store(files: ContentFiles) -> list[Problem]:
    """The content store loads and every tag's triage protocol builds, as at the skill's start-up."""
    if files.problems or DEFAULT_LANGUAGE not in files.trees:
        return []  # the skill would not start; those problems are already reported
    try:
        store = ContentStore(files.trees)
    except ContentError as exc:
        return [Problem(files.content_dir.name, "content", str(exc))]
    problems: list[Problem] = []
    for tag in store.tags:
        content = store.for_locale(tag)
        where = files.file_of(tag if (tag, "triage") in files.origin else tag.split("-")[0], "triage")
        if not content.has("triage"):
            problems.append(Problem(where, "triage", "missing: the symptom check has no content"))
            continue
        try:
            protocol = Protocol.from_content(content.node("triage"))
        except (ValueError, TypeError) as exc:
            problems.append(Problem(where, "triage", f"the protocol does not build for {tag}: {exc}"))
            continue
        problems += [Problem(where, "triage", f"{tag}: {message}") for message in triage_budget.check(content, protocol)]
    return problems


def check_content(content_dir: Path) -> list[Problem]:
    """Every problem with a content folder."""
    files = load_content_files(content_dir)
    # A file that did not load leaves keys out of its tree: comparing trees would only add noise.
    compare = not files.problems
    return [
        *files.problems,
        *(check_key_parity(files) if compare else []),
        *(check_placeholders(files) if compare else []),
        *check_texts(files),
        *check_sources(files),
        *check_triage_references(files),
        *check_routing(files),
        *check_store(files),
    ]


def check_routing(files: ContentFiles) -> list[Problem]:
    """Every routing entry (facts.yaml) names a real answer, words that point to it, and how to say it."""
    problems: list[Problem] = []
    for tag in files.trees:
        if "routing" not in files.trees[tag]:
            continue
        merged = files.merged(tag)
        entries = merged.get("routing")
        where = files.file_of(tag, "routing")
        if not isinstance(entries, list):
            problems.append(Problem(where, "routing", "must be a list of entries (to, name, words)"))
            continue
        for number, entry in enumerate(entries):
            key = f"routing.{number}"
            if not isinstance(entry, Mapping):
                problems.append(Problem(where, key, "must be a mapping with to, name and words"))
                continue
            kind, _, target = str(entry.get("to", "")).partition(".")
            section = merged.get(f"{kind}s") if kind in ("topic", "trigger", "thing") else None
            if not isinstance(section, Mapping) or target not in section:
                problems.append(Problem(where, f"{key}.to", f"{entry.get('to')!r} is not a topic.<id>, trigger.<id> or "
                                                            "thing.<id> the content has"))
                continue
            if not [w for w in str(entry.get("words", "")).split(",") if w.strip()]:
                problems.append(Problem(where, f"{key}.words", "no words point to it"))
            if not entry.get("name") and not (isinstance(section[target], Mapping) and section[target].get("name")):
                problems.append(Problem(where, f"{key}.name", f"no name to say for {entry.get('to')}"))
    return problems


def check_things(
    files: ContentFiles, content: Content, locale: str, model: str, thing_values: set[str]
) -> list[Problem]:
    """The THING slot type and the facts agree both ways, for one model's locale.

    Every THING value has a ``things.<id>`` entry (how the skill names it) and at least one fact
    ``about:`` it; every fact is about THING values, and every thing's ``topic`` is a topic.
    """
    tag = content.tag
    where = files.file_of(tag if (tag, "facts") in files.origin else tag.split("-")[0], "facts")
    things = content.node("things") if content.has("things") else {}
    facts = content.node("facts") if content.has("facts") else {}
    covered: set[str] = set()
    problems: list[Problem] = []
    for key, fact in facts.items():
        ids = about_ids(fact) if isinstance(fact, Mapping) else ()
        if not ids:
            problems.append(Problem(
                where, f"facts.{key}.about", "a fact must say what it is about (a THING id or a list)"
            ))
        for thing in ids:
            covered.add(thing)
            if thing not in thing_values:
                problems.append(Problem(
                    where, f"facts.{key}.about", f"{thing!r} is not a THING value in {model}: add it to the model"
                ))
    topics = content.node("topics") if content.has("topics") else {}
    for thing, meta in things.items():
        if thing not in thing_values:
            problems.append(Problem(where, f"things.{thing}", f"not a THING value in {model}: add it to the model"))
        topic = meta.get("topic") if isinstance(meta, Mapping) else None
        if topic is not None and topic not in topics:
            problems.append(Problem(where, f"things.{thing}.topic", f"unknown topic {topic!r}"))
        treatment = meta.get("treatment") if isinstance(meta, Mapping) else None
        if treatment is not None and treatment not in things:
            problems.append(Problem(where, f"things.{thing}.treatment", f"unknown thing {treatment!r}"))
    for thing in sorted(thing_values):
        if thing not in things:
            problems.append(Problem(
                model, f"types.THING.{thing}", f"no things.{thing} in {where} for {locale}: the skill cannot name it"
            ))
        if thing not in covered:
            problems.append(Problem(
                model, f"types.THING.{thing}", f"no fact about it in {where} for {locale} (facts.*.about: {thing})"
            ))
    return problems
