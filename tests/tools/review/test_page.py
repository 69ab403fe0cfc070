"""``nose-twitch review``: every answer on the page, the triage diagram from the engine, and a real render."""

from __future__ import annotations

import copy
import html
import re
import struct
import subprocess
import zlib
from itertools import accumulate
from pathlib import Path
from xml.etree import ElementTree

import pytest

from skill.cli import main
from skill.domain.content import ContentStore
from skill.domain.facts import facts_about, thing_ids
from skill.domain.triage import Answer, Ask, Level, Protocol, TriageState, answer, next_step
from skill.tools.review.page import LEVEL_COLOURS, build_review, outcome_node

SVG = "{http://www.w3.org/2000/svg}"
WINDOW = (1280, 4000)  # tall enough for the emergency section and the whole flow diagram


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review") / "review.html"
    assert main(["review", "--out", str(out)]) == 0, "the review page should build from the real content"
    return out


@pytest.fixture(scope="module")
def page_html(page_file: Path) -> str:
    return page_file.read_text(encoding="utf-8")


def _section(page_html: str, locale: str) -> str:
    start = page_html.index(f'<section class="locale" id="locale-{locale}"')
    return page_html[start : page_html.index(f"<!-- /locale-{locale} -->", start)]


def _svg(section: str) -> ElementTree.Element:
    return ElementTree.fromstring(section[section.index("<svg") : section.index("</svg>") + len("</svg>")])


def _shown(content, text: str) -> str:
    return html.escape(content.format(text), quote=True)


def test_every_locale_has_a_section(page_html, store):
    for locale in store.locales:
        assert f'id="locale-{locale}"' in page_html, f"{locale} should have its part of the page"


def test_every_question_with_its_reprompt_and_why_is_on_the_page(page_html, store):
    section = _section(page_html, "en-US")
    content = store.for_locale("en-US")
    for question in content.node("triage.questions"):
        for field in ("ask", "reprompt", "why", "reason"):
            if field in question:
                assert _shown(content, question[field]) in section, f"{question['id']}.{field} is missing from the page"
        assert html.escape(", ".join(question["signs"]), quote=True) in section, f"{question['id']}: signs missing"
        assert question["level"] in section


def test_every_topic_and_trigger_item_is_on_the_page(page_html, store):
    section = _section(page_html, "en-US")
    content = store.for_locale("en-US")
    for group in ("topics", "triggers"):
        for topic_id, topic in content.node(group).items():
            texts = [item["say"] for item in topic["items"]] + [topic["title"]]
            texts += [topic[k] for k in ("intro", "followup", "reprompt") if k in topic]
            for text in texts:
                assert _shown(content, text) in section, f"{group}.{topic_id}: {text!r} is missing from the page"


def test_outcomes_and_conversation_lines_are_filled_for_the_locale(page_html, store):
    for locale in ("en-US", "en-GB"):
        section = _section(page_html, locale)
        content = store.for_locale(locale)
        for level in Level:
            for field in ("lead", "lead_safe", "meaning"):
                if not content.has(f"triage.outcomes.{level.key}.{field}"):
                    continue
                text = content.node(f"triage.outcomes.{level.key}.{field}")
                assert _shown(content, text) in section, f"{locale} {level.key}.{field} is missing"
        for key in ("launch.welcome", "launch.reprompt", "help.reprompt", "fallback.question", "goodbye"):
            assert html.escape(content.text(key), quote=True) in section, f"{locale}: {key} is missing"
        assert "{emergency_number}" not in section, f"{locale}: placeholders should be filled"
    assert "nine nine nine" in _section(page_html, "en-GB") and "nine one one" in _section(page_html, "en-US")


def test_each_outcome_shows_its_turns_as_spoken(page_html, store):
    for locale in ("en-US", "es-MX"):
        section = _section(page_html, locale)
        content = store.for_locale(locale)
        offer = html.escape(content.text("triage.texts.offer_details"), quote=True)
        for level in Level:
            start = section.index(f'id="l-{locale}-outcome-{level.key}"')
            ends = [section.find(mark, start + 1) for mark in ('<div class="outcome"', "<h3>")]
            block = section[start : min(end for end in ends if end > 0)]
            node = content.node(f"triage.outcomes.{level.key}")
            assert "As spoken" in block, f"{locale} {level.key}: the outcome should be shown as spoken"
            if level == Level.EMERGENCY:
                assert "Turn 2" not in block and offer not in block, f"{locale}: the emergency is one turn"
                continue
            assert offer in block and "Turn 2 (after yes)" in block, f"{locale} {level.key}: two turns, with the offer"
            assert _shown(content, node["who"]) in block, f"{locale} {level.key}: the second turn says who to see"


def test_nothing_in_the_content_is_left_out(page_html, store):
    for locale in store.locales:
        section = _section(page_html, locale)
        rest = section[section.index("<h3>Other texts</h3>") :]
        assert "None: every text in the content is shown above." in rest, (
            f"{locale}: some texts have no place on the page yet: {rest[:600]}"
        )


def test_sources_are_listed_with_the_facts_that_cite_them(page_html, store):
    section = _section(page_html, "en-US")
    clinical = store.for_locale("en-US").node("clinical_sources")
    for source_id in [*store.for_locale("en-US").node("sources"), *clinical]:
        assert f'id="l-en-US-src-{source_id}"' in section, f"source {source_id} should be listed"
        if source_id in clinical and "url" in clinical[source_id]:
            assert html.escape(clinical[source_id]["url"], quote=True) in section, f"{source_id}: its URL is shown"
        assert f'href="#l-en-US-src-{source_id}"' in section, f"some fact should cite {source_id}"


def test_the_diagram_has_one_node_per_question_and_disposition(page_html, store):
    svg = _svg(_section(page_html, "en-US"))
    protocol = Protocol.from_content(store.for_locale("en-US").node("triage"))
    groups = svg.iter(f"{SVG}g")
    nodes = [g for g in groups if "node" in g.get("class", "").split()]
    questions = [g for g in nodes if "question" in g.get("class").split()]
    dispositions = [g for g in nodes if "disposition" in g.get("class").split()]
    assert [g.get("data-question") for g in questions] == list(protocol.ids), "one node per question, in order"
    assert sorted(g.get("data-level") for g in dispositions) == sorted(level.key for level in Level)
    tops = [float(g.find(f"{SVG}rect").get("y")) for g in questions]
    assert tops == sorted(tops), "questions run top to bottom in the order asked"
    for g in dispositions:
        fill = g.find(f"{SVG}rect").get("fill")
        assert fill == LEVEL_COLOURS[Level.from_key(g.get("data-level"))], f"{g.get('data-level')} has the wrong colour"


def test_the_diagram_arrows_are_what_the_engine_does(page_html, store):
    svg = _svg(_section(page_html, "en-US"))
    protocol = Protocol.from_content(store.for_locale("en-US").node("triage"))
    drawn = {
        (g.get("data-from"), g.get("data-to"), g.get("data-answers"))
        for g in svg.iter(f"{SVG}g")
        if g.get("class") == "edge"
    }
    expected = set()
    state = TriageState()
    while isinstance(step := next_step(protocol, state), Ask):
        qid = step.question.id
        for raising in (Answer.YES, Answer.UNSURE):
            _, outcome = answer(protocol, state, raising)
            assert outcome.level == step.question.level, "a yes or not sure ends the check at the question's level"
        expected.add((qid, outcome_node(step.question.level), "yes unsure"))
        state, after = answer(protocol, state, Answer.NO)
        expected.add((qid, after.question.id if isinstance(after, Ask) else outcome_node(after.level), "no"))
    assert drawn == expected, f"the diagram should draw exactly the engine's moves: {drawn ^ expected}"


def test_all_text_is_escaped(store, tmp_path):
    trees = {tag: copy.deepcopy(dict(store.raw(tag))) for tag in store.tags}
    trees["en"]["launch"]["welcome"] = 'Hi <script>alert("x")</script> & <b>you</b>'
    trees["en"]["triage"]["questions"][0]["ask"] = "Face <droop> & arm?"
    page_html = build_review(ContentStore(trees), ["en-US"])
    assert "<script>" not in page_html and "<b>you</b>" not in page_html and "<droop>" not in page_html
    assert "Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;you&lt;/b&gt;" in page_html
    svg = _svg(_section(page_html, "en-US"))  # still well-formed XML with the hostile text in a node
    assert any("Face <droop> & arm?" in "".join(t.itertext()) for t in svg.iter(f"{SVG}text"))


def test_the_page_is_self_contained(page_html):
    assert "<script" not in page_html, "no scripts"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page_html), "no network fetches"
    assert "<style>" in page_html and page_html.count("<svg") >= 1


# --- a real browser ---------------------------------------------------------------------------


def _png_pixels(path: Path) -> tuple[int, int, list[bytes], int]:
    """Width, height, rows of raw pixel bytes, and bytes per pixel of an 8-bit RGB or RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat = 8, bytearray()
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "expected an 8-bit RGB(A) PNG"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(bytes(idat)), width * bpp
    high = int.from_bytes(b"\x80" * stride, "big")
    low = int.from_bytes(b"\x7f" * stride, "big")
    rows, previous = [], bytes(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]
        if kind == 0:
            row = bytes(line)
        elif kind == 2:  # Up: bytewise add of two rows, all lanes at once
            a, b = int.from_bytes(line, "big"), int.from_bytes(previous, "big")
            row = (((a & low) + (b & low)) ^ ((a ^ b) & high)).to_bytes(stride, "big")
        elif kind == 1:  # Sub: a running sum per channel
            out = bytearray(stride)
            for channel in range(bpp):
                out[channel::bpp] = bytes(v & 255 for v in accumulate(line[channel::bpp]))
            row = bytes(out)
        else:  # Average, Paeth
            out = bytearray(stride)
            for i in range(stride):
                left = out[i - bpp] if i >= bpp else 0
                up = previous[i]
                if kind == 3:
                    out[i] = (line[i] + ((left + up) >> 1)) & 255
                else:
                    corner = previous[i - bpp] if i >= bpp else 0
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                    out[i] = (line[i] + guess) & 255
            row = bytes(out)
        rows.append(row)
        previous = row
    return width, height, rows, bpp


def test_the_page_renders_in_a_headless_browser(chromium, page_file, page_html, tmp_path):
    shot = tmp_path / "review.png"
    done = subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
            page_file.resolve().as_uri(),
        ],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert shot.is_file(), f"chromium wrote no screenshot (exit {done.returncode}):\n{done.stderr[-2000:]}"
    width, height, rows, bpp = _png_pixels(shot)
    assert (width, height) == WINDOW, "the screenshot should be the window's size"
    svg = _svg(_section(page_html, "en-US"))
    svg_width, svg_height = float(svg.get("width")), float(svg.get("height"))
    wanted = {bytes.fromhex(colour[1:]): level for level, colour in LEVEL_COLOURS.items()}
    found: dict[Level, list[tuple[int, int]]] = {level: [] for level in Level}
    for y, row in enumerate(rows):
        for x in range(0, width * bpp, bpp):
            level = wanted.get(row[x : x + 3])
            if level is not None:
                found[level].append((x // bpp, y))
    for level, pixels in found.items():
        assert len(pixels) > 2000, f"the {level.key} disposition colour should fill its node in the picture"
    every = [p for pixels in found.values() for p in pixels]
    xs, ys = [p[0] for p in every], [p[1] for p in every]
    assert max(xs) - min(xs) <= svg_width and max(ys) - min(ys) <= svg_height, (
        "the disposition colours should all sit inside one diagram-sized region of the picture"
    )
    not_white = sum(1 for row in rows[:: 10] for x in range(0, width * bpp, bpp * 10) if row[x : x + 3] != b"\xff\xff\xff")
    assert not_white > 2000, "the page should render text and tables, not a blank screen"


# --- facts: each thing with its facts and sources (two locales) ---
@pytest.fixture(scope="module")
def two_locales_html(store) -> str:
    return build_review(store, ["en-US", "es-ES"])


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_each_thing_shows_its_facts_with_their_sources(two_locales_html, store, locale):
    content = store.for_locale(locale)
    start = two_locales_html.index(f'id="locale-{locale}"')
    section = two_locales_html[start : two_locales_html.index(f"<!-- /locale-{locale} -->", start)]
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
