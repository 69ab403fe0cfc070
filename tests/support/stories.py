"""Conversation stories: YAML data in tests/conversations/*.yaml, and the one expectation check.

Both runners use this module: the in-process one (tests/alexa/test_conversations.py) and the
end-to-end one over HTTP through virtual-alexa (tests/e2e/test_e2e.py).

A file is a list of stories::

    - name: emergency on a drooping face      # unique across all files
      locale: en-US                           # optional, default en-US
      turns:
        - launch: true                        # or intent: Name (+ slots: {...}) in process
          utter: "..."                        # optional: what virtual-alexa says for this turn
          expect: {starts_with: "...", contains: [...], not_contains: [...],
                   ends_session: true, disposition: emergency,
                   reprompt_contains: [...], card_contains: [...],
                   card_not_contains: [...]}
          expect_e2e: {...}                   # optional: replaces expect over HTTP

A symptom-check story need not count its questions: ``{no_until: <question id>}`` stands for a "no"
to every question from the one being asked (``from:``, default the first question of the locale's
protocol) up to, not including, the named one; ``skip: [ids]`` leaves out questions a one-shot
symptom already answered. Its ``expect`` applies to the last "no", whose response asks the named
question. The stories then keep testing what they mean when the protocol gains a question.

``starts_with`` is an exact prefix of the speech; ``contains`` / ``not_contains`` /
``reprompt_contains`` / ``card_contains`` are case-insensitive (a string or a list); all text is
compared with whitespace collapsed, SSML tags removed. ``disposition`` is the access-log field a
triage outcome notes, so the runner must pass the turn's log fields.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from skill.config import SkillConfig
from skill.domain.content import ContentStore, load_yaml_file
from skill.domain.triage import Protocol
from tests.support.client import ends_session, reprompt, speech

STORIES_DIR = Path(__file__).resolve().parent.parent / "conversations"
#: Files in that folder that are not stories: the simulated patients and their answer key
#: (tests/alexa/test_patients.py).
NOT_STORIES = frozenset({"patients.yaml", "patients_answers.yaml"})

EXPECT_KEYS = frozenset(
    {"starts_with", "contains", "not_contains", "ends_session", "disposition", "reprompt_contains", "card_contains",
     "card_not_contains"}
)
TURN_KEYS = frozenset({"launch", "intent", "slots", "utter", "expect", "expect_e2e", "no_until", "from", "skip"})
STORY_KEYS = frozenset({"name", "locale", "turns"})


def load_stories(directory: Path = STORIES_DIR) -> list[dict[str, Any]]:
    """Every story in ``directory``/*.yaml (sorted by file), checked for shape; adds ``file``."""
    stories: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in NOT_STORIES:
            continue
        data = load_yaml_file(path)
        if data is None:
            continue
        assert isinstance(data, list), f"{path.name}: a stories file is a list of stories"
        for index, story in enumerate(data):
            where = f"{path.name} story {index}"
            assert isinstance(story, dict), f"{where}: a story is a mapping"
            _check_story(story, where)
            name = story["name"]
            assert name not in seen, f"{where}: the story name {name!r} is also used in {seen[name]}"
            seen[name] = path.name
            turns = _expand_turns(story, where)
            stories.append({**story, "turns": turns, "file": path.name})
    return stories


@functools.cache
def _question_ids(locale: str) -> tuple[str, ...]:
    content = ContentStore.load(SkillConfig(dev=True).content_dir).for_locale(locale)
    return Protocol.from_content(content.node("triage")).ids


def _expand_turns(story: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    """Each ``no_until`` turn as the "no" answers it stands for (see the module docstring)."""
    turns: list[dict[str, Any]] = []
    for number, turn in enumerate(story["turns"]):
        if "no_until" not in turn:
            turns.append(dict(turn))
            continue
        at = f"{where} ({story['name']}) turn {number}"
        ids = _question_ids(story.get("locale", "en-US"))
        start, stop = turn.get("from", ids[0]), turn["no_until"]
        assert start in ids and stop in ids, f"{at}: from / no_until must be question ids: {start!r}, {stop!r}"
        skip = set(turn.get("skip", ()))
        assert skip <= set(ids), f"{at}: skip must be question ids: {sorted(skip - set(ids))}"
        asked = [qid for qid in ids[ids.index(start):ids.index(stop)] if qid not in skip]
        assert asked, f"{at}: no question comes between {start} and {stop}"
        noes = [{"intent": "AMAZON.NoIntent", "utter": "no"} for _ in asked]
        for key in ("expect", "expect_e2e"):
            if key in turn:
                noes[-1][key] = turn[key]
        turns += noes
    return turns


def _check_story(story: Mapping[str, Any], where: str) -> None:
    unknown = set(story) - STORY_KEYS
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    assert isinstance(story.get("name"), str) and story["name"], f"{where}: a story needs a name"
    turns = story.get("turns")
    assert isinstance(turns, list) and turns, f"{where} ({story['name']}): a story needs turns"
    for number, turn in enumerate(turns):
        at = f"{where} ({story['name']}) turn {number}"
        assert isinstance(turn, dict), f"{at}: a turn is a mapping"
        unknown = set(turn) - TURN_KEYS
        assert not unknown, f"{at}: unknown keys {sorted(unknown)}"
        assert turn.get("launch") is True or "intent" in turn or "utter" in turn or "no_until" in turn, (
            f"{at}: a turn needs launch: true, intent, utter or no_until"
        )
        if "no_until" in turn:
            assert not set(turn) & {"launch", "intent", "slots", "utter"}, f"{at}: no_until stands for its own turns"
        else:
            assert not set(turn) & {"from", "skip"}, f"{at}: from and skip belong to a no_until turn"
        if "utter" in turn:
            assert isinstance(turn["utter"], str) and turn["utter"].strip(), (
                f"{at}: utter must be a non-empty string (YAML reads a bare yes / no / on / off as a "
                f"boolean: quote it, utter: \"yes\"), got {turn['utter']!r}"
            )
        for key in ("expect", "expect_e2e"):
            if key in turn:
                assert isinstance(turn[key], dict), f"{at}: {key} is a mapping"
                unknown = set(turn[key]) - EXPECT_KEYS
                assert not unknown, f"{at}: unknown {key} keys {sorted(unknown)}"


def runs_over_http(story: Mapping[str, Any]) -> bool:
    """Whether virtual-alexa can play the story: every turn is a launch or has an utterance."""
    return all(turn.get("launch") is True or isinstance(turn.get("utter"), str) for turn in story["turns"])


def expect_for(turn: Mapping[str, Any], *, http: bool) -> Mapping[str, Any]:
    """The expectation for a turn: ``expect_e2e`` replaces ``expect`` over HTTP when present."""
    if http and "expect_e2e" in turn:
        return turn["expect_e2e"]
    return turn.get("expect") or {}


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _card_text(response: Mapping[str, Any]) -> str:
    card = response.get("response", {}).get("card") or {}
    return _norm(" ".join(str(card.get(k, "")) for k in ("title", "content", "text")))


def check_expect(
    response: Mapping[str, Any],
    expect: Mapping[str, Any],
    *,
    log: Mapping[str, Any] | None = None,
    label: str = "",
) -> None:
    """Fail with a sentence naming what differs if ``response`` does not meet ``expect``.

    ``log`` is the turn's access-log fields (needed for ``disposition``); ``label`` prefixes the
    message (e.g. "story X turn 3").
    """
    unknown = set(expect) - EXPECT_KEYS
    prefix = f"{label}: " if label else ""
    assert not unknown, f"{prefix}unknown expectation keys {sorted(unknown)}"
    said = _norm(speech(dict(response)))
    lowered = said.lower()
    if "starts_with" in expect:
        start = _norm(expect["starts_with"])
        assert said.startswith(start), f"{prefix}speech should start with {start!r}: {said!r}"
    for fragment in _as_list(expect.get("contains", [])):
        assert _norm(fragment).lower() in lowered, f"{prefix}speech should contain {fragment!r}: {said!r}"
    for fragment in _as_list(expect.get("not_contains", [])):
        assert _norm(fragment).lower() not in lowered, f"{prefix}speech must not contain {fragment!r}: {said!r}"
    if "reprompt_contains" in expect:
        again = _norm(reprompt(dict(response))).lower()
        for fragment in _as_list(expect["reprompt_contains"]):
            assert _norm(fragment).lower() in again, f"{prefix}reprompt should contain {fragment!r}: {again!r}"
    if "card_contains" in expect:
        card = _card_text(response)
        for fragment in _as_list(expect["card_contains"]):
            assert _norm(fragment).lower() in card.lower(), f"{prefix}card should contain {fragment!r}: {card!r}"
    if "card_not_contains" in expect:
        card = _card_text(response)
        for fragment in _as_list(expect["card_not_contains"]):
            assert _norm(fragment).lower() not in card.lower(), f"{prefix}card must not contain {fragment!r}: {card!r}"
    if "ends_session" in expect:
        ended = ends_session(dict(response))
        assert ended is bool(expect["ends_session"]), (
            f"{prefix}the session should {'end' if expect['ends_session'] else 'stay open'}: {said!r}"
        )
    if "disposition" in expect:
        assert log is not None, f"{prefix}checking a disposition needs the turn's access-log fields"
        assert log.get("disposition") == expect["disposition"], (
            f"{prefix}disposition should be {expect['disposition']!r}, logged {log.get('disposition')!r}: {said!r}"
        )
