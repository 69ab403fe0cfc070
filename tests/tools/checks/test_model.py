"""validate warns (and does not fail) on samples of different intents that Alexa would find ambiguous."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.checks.model import check_model, check_near_duplicates
from skill.tools.models import language_model


def _planted(tmp_path: Path, intent_name: str, sample: str, locale: str = "en-US") -> Path:
    (tmp_path / "interaction_model").mkdir()
    path = tmp_path / "interaction_model" / f"{locale}.json"
    shutil.copy(DEFAULT_MODEL_DIR / f"{locale}.json", path)
    model = json.loads(path.read_text(encoding="utf-8"))
    intent = next(i for i in language_model(model)["intents"] if i["name"] == intent_name)
    intent["samples"].append(sample)
    path.write_text(json.dumps(model, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("locale", "intent", "sample", "twin", "why"), [
    # the same words once filler words are dropped ("what causes it" is a CausesIntent sample)
    ("en-US", "TreatmentsIntent", "so what causes it", "what causes it", "filler words"),
    # one word apart ("is it serious" is an IsItSeriousIntent sample)
    ("en-US", "WhatIsItIntent", "is it very serious", "is it serious", "one word apart"),
    # the same words once slot names are ignored
    ("en-US", "CausesIntent", "what about {trigger}", "what about {trigger}", None),
    ("es-US", "ReliefIntent", "pues qué lo causa", "qué lo causa", "filler words"),
])
def test_near_duplicate_across_intents_is_a_warning_with_file_and_line(
    tmp_path: Path, locale: str, intent: str, sample: str, twin: str, why: str | None,
) -> None:
    if why is None:  # an exact twin in another intent stays an error, not also a warning
        problems = check_model(_planted(tmp_path, intent, sample, locale))
        assert [p.severity for p in problems if sample in p.where] == ["error", "error"]  # undeclared slot, twin
        return
    problems = [p for p in check_model(_planted(tmp_path, intent, sample, locale)) if sample in p.where]
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.severity == "warning"
    assert problem.file == f"interaction_model/{locale}.json"
    assert problem.where.startswith("line ") and f"intents.{intent}" in problem.where
    assert repr(twin) in problem.message and why in problem.message


def test_filler_words_are_ignored_when_comparing() -> None:
    placed = [("TriggerDetailIntent", "tell me about {trigger}", "a"), ("FactIntent", "tell me about the {trigger}", "b")]
    (problem,) = check_near_duplicates("m.json", placed, "en")
    assert problem.where == "b" and "filler words" in problem.message


@pytest.mark.parametrize("placed", [
    # same intent: no ambiguity for Alexa
    # the same carrier with different slots: the slot's values tell them apart
    [("TriggerDetailIntent", "tell me about {trigger}", "a"), ("FactIntent", "tell me about the {thing}", "b")],
    [("CausesIntent", "what causes it", "a"), ("CausesIntent", "so what causes it", "b")],
    # a slot is not "one word": it carries what was said
    [("UnsureIntent", "puede ser", "a"), ("TriggerDetailIntent", "puede ser el {trigger}", "b")],
    # a real word makes the difference
    [("CausesIntent", "what makes my nose twitch", "a"), ("ReliefIntent", "what makes my nose stop twitching", "b")],
])
def test_no_warning_where_alexa_can_tell_them_apart(placed: list[tuple[str, str, str]]) -> None:
    assert check_near_duplicates("m.json", placed, "es" if "puede" in placed[0][1] else "en") == []
