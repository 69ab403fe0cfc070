"""The review page shows, per locale, each thing's facts with their sources, and the emergency line."""

from __future__ import annotations

import html

import pytest

from skill.domain.facts import facts_about, thing_ids
from skill.tools.review.page import build_review


@pytest.fixture(scope="module")
def page_html(store) -> str:
    return build_review(store, ["en-US", "es-ES"])


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_each_thing_shows_its_facts_with_their_sources(page_html, store, locale):
    content = store.for_locale(locale)
    start = page_html.index(f'id="locale-{locale}"')
    section = page_html[start : page_html.index(f"<!-- /locale-{locale} -->", start)]
    for thing in thing_ids(content):
        block_start = section.index(f'id="l-{locale}-things-{thing}"')
        block = section[block_start : section.index("</div>", block_start)]
        assert html.escape(content.format(content.node(f"things.{thing}.title")), quote=True) in block, thing
        for fact in facts_about(content, thing):
            assert html.escape(content.format(fact["say"]), quote=True) in block, f"{locale} {thing}: {fact['say']!r}"
            sources = fact["source"] if isinstance(fact["source"], (list, tuple)) else [fact["source"]]
            for source in sources:
                assert f'href="#l-{locale}-src-{source}"' in block, f"{locale} {thing}: no badge for {source}"
    line = html.escape(content.format(content.node("emergency_line.say")), quote=True)
    assert content.text("locale.emergency_number") in line and line in section, f"{locale}: the emergency line is shown"
