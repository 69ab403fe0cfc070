"""The symptom-check crawler of ``skill.tools.session`` (the crawl the privacy and speech-budget tests
and the bench's conversation measure share): each state once, whole paths measured, a loop caught."""

from __future__ import annotations

from functools import partial

import pytest

from skill.tools.session import Crawler, invoke


@pytest.fixture
def crawler(skill) -> Crawler:
    return Crawler(partial(invoke, skill), "en-US")


def test_the_walk_answers_every_question_state_once_and_reaches_every_level(crawler, resources):
    protocol = resources.for_locale("en-US").protocol
    plain = crawler.start("plain")
    turns = list(crawler.walk(plain))
    answered = [turn for turn in turns if turn.parent is not None]
    assert len(answered) == 3 * len(crawler.tree), "yes, no and not sure at every state, once"
    assert len({(turn.parent, turn.path[-1]) for turn in answered}) == len(answered)
    assert {turn.disposition for turn in turns} - {None} == {"emergency", "urgent", "soon", "routine", "self_care"}
    assert sum(turn.fresh for turn in turns) == len(crawler.tree)
    assert crawler.longest(plain, lambda _: 1) == len(protocol.questions), "the all-no path asks every question"
    first_emergency = crawler.longest(plain, lambda _: 1, lambda end: end.disposition == "emergency")
    emergency = [q for q in protocol.questions if q.level.key == "emergency"]
    assert first_emergency == protocol.questions.index(emergency[-1]) + 1
    assert crawler.paths(plain) > len(crawler.tree)
    states = len(crawler.tree)
    again = list(crawler.walk(crawler.start("again")))
    assert len(again) == 1 and not again[0].fresh and len(crawler.tree) == states, (
        "a state walked before is not walked again"
    )


def test_a_walk_that_never_ends_is_stopped(skill):
    crawler = Crawler(partial(invoke, skill), "en-US", limit=3)
    with pytest.raises(RuntimeError, match="more than 3 states"):
        list(crawler.walk(crawler.start("plain")))
