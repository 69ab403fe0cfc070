"""Screens as a user sees them: the APL documents the skill sends, rendered at each viewport.

The real screens (every topic page in every locale, the emergency and another outcome) come from
conversations with the skill on an APL device. The wordiest of them are rendered in chromium at
each viewport class, screenshotted, and checked on the screenshot: the title's pixels are inside
the circle on a round screen, nothing runs off the screen or needs scrolling, the emergency number
is the largest text, the level colour is shown. Amazon's apl-suggester lints every document sent.

Amazon's web renderer (apl-viewhost-web) cannot be installed here (its install step downloads a
prebuilt bundle from outside the npm registry), so tests/apl/renderer.js renders the subset of APL
the document uses; see that file. Screenshots: the folder in $NOSE_TWITCH_SCREENSHOTS if set,
else a pytest temporary folder (its path is printed in the summary of a failing test).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from skill.alexa import screens
from skill.alexa.handlers.topics import TOPIC_IDS, intent_for_topic
from tests.support.client import Conversation
from skill.tools.envelopes import APL
from tests.support.locales import LOCALES

RENDER = "Alexa.Presentation.APL.RenderDocument"


@dataclass(frozen=True)
class Viewport:
    """A device class as APL reports it: size in dp, dpi, shape and mode."""

    name: str
    width: int
    height: int
    dpi: int = 160
    shape: str = "rectangle"
    mode: str = "hub"

    def as_apl(self) -> dict[str, Any]:
        width, height = self.pixels
        return {"width": self.width, "height": self.height, "dpi": self.dpi, "shape": self.shape,
                "mode": self.mode, "theme": "dark", "pixelWidth": width, "pixelHeight": height}  # fmt: skip

    @property
    def pixels(self) -> tuple[int, int]:
        return self.width * self.dpi // 160, self.height * self.dpi // 160


#: Amazon's viewport profiles: Echo Spot (round), Echo Show 5 (small landscape hub), the first Echo
#: Show and Echo Show 8 (medium hub, 1024 and 960 dp wide), Echo Show 10 (large hub), Fire TV
#: (1920 x 1080 px at 320 dpi).
VIEWPORTS = [
    Viewport("round", 480, 480, shape="round"),
    Viewport("hub-small", 960, 480),
    Viewport("hub-medium", 1024, 600),
    Viewport("hub-medium-narrow", 960, 600),
    Viewport("hub-large", 1280, 800),
    Viewport("tv", 960, 540, dpi=320, mode="tv"),
]
#: The round screen's level ring, in dp (the document's round `edge`).
RING = 10
#: TV: keep text out of the outer 5% that a TV may crop (overscan).
TV_SAFE = 0.05


def _render_directive(response: dict) -> dict | None:
    found = [d for d in response["response"].get("directives") or [] if d.get("type") == RENDER]
    return found[0] if found else None


def _play_until_outcome(skill, locale: str, answer: str, level: str) -> dict:
    """Start the symptom check and give the same answer until the outcome screen for ``level``."""
    conv = Conversation(skill, locale=locale, interfaces=APL)
    conv.launch()
    conv.intent("SymptomCheckIntent")
    for _ in range(40):  # more than the check has questions, in any locale
        directive = _render_directive(conv.intent(answer))
        data = directive["datasources"][screens.DATASOURCE] if directive else {}
        if data.get("level"):
            assert data["level"] == level, f"answering {answer} throughout in {locale} should lead to {level}: {data}"
            return data
        if conv.ended:
            break
    raise AssertionError(f"answering {answer} throughout in {locale} reached no outcome screen")


def _wordiness(data: dict) -> int:
    return len(data["title"]) + sum(len(point) for point in data["points"])


@pytest.fixture(scope="session")
def real_screens(skill) -> dict[str, dict]:
    """The screens to render, by name: the wordiest topic page, the longest title, two outcomes."""
    pages = []
    for locale in LOCALES:
        for topic_id in TOPIC_IDS:
            conv = Conversation(skill, locale=locale, interfaces=APL)
            conv.launch()
            for response in (conv.intent(intent_for_topic(topic_id)), conv.intent("MoreIntent")):
                directive = _render_directive(response)
                if directive:
                    pages.append(directive["datasources"][screens.DATASOURCE])
    assert len(pages) >= len(LOCALES) * len(TOPIC_IDS), "every topic should have a screen in every locale"
    emergencies = [
        _play_until_outcome(skill, locale, "AMAZON.YesIntent", "emergency") for locale in ("en-US", "es-MX")
    ]
    return {
        "wordiest": max(pages, key=_wordiness),
        "longest-title": max(pages, key=lambda d: (len(d["title"]), _wordiness(d))),
        "emergency": max(emergencies, key=_wordiness),
        "calm-outcome": _play_until_outcome(skill, "es-ES", "AMAZON.NoIntent", "self_care"),
    }


@pytest.fixture(scope="session")
def shot_dir(tmp_path_factory) -> Path:
    chosen = os.environ.get("NOSE_TWITCH_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("apl-screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def rendered(real_screens, chromium, node_json, shot_dir, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """(viewport, screen) -> what render.js measured on its screenshot; plus one APL 1.1 render."""
    shots = []
    for viewport in VIEWPORTS:
        for name, data in real_screens.items():
            shots.append(_shot(f"{viewport.name}-{name}", screens.document(), data, viewport, shot_dir))
    oldest = screens.VERSIONS[0]
    shots.append(_shot(f"round-emergency-apl{oldest}", screens.document(oldest), real_screens["emergency"],
                       VIEWPORTS[0], shot_dir))  # fmt: skip
    job = {"chromium": chromium, "profile": str(tmp_path_factory.mktemp("chromium-profile")), "shots": shots}
    measured = node_json("render.js", job)["shots"]
    return {shot["name"]: result for shot, result in zip(shots, measured, strict=True)}


def _shot(name: str, document: dict, data: dict, viewport: Viewport, folder: Path) -> dict:
    return {"name": name, "document": document, "datasources": {screens.DATASOURCE: data},
            "viewport": viewport.as_apl(), "png": str(folder / f"{name}.png")}  # fmt: skip


def _cases():
    for viewport in VIEWPORTS:
        for name in ("wordiest", "longest-title", "emergency", "calm-outcome"):
            yield pytest.param(viewport, name, id=f"{viewport.name}-{name}")


def _texts(result: dict, role: str) -> list[dict]:
    return [text for text in result["texts"] if text["role"] == role]


@pytest.mark.parametrize(("viewport", "screen"), list(_cases()))
def test_the_screen_shows_exactly_the_datasource_and_all_of_it_fits(rendered, real_screens, viewport, screen):
    result = rendered[f"{viewport.name}-{screen}"]
    data = real_screens[screen]
    assert result["size"] == list(viewport.pixels), "the screenshot should have the device's pixel size"
    shown = [text["text"] for text in result["texts"]]
    expected = [html.unescape(data["title"])]
    expected += [html.unescape(data["emphasis"])] if data["emphasis"] else []
    expected += [html.unescape(point) for point in data["points"]]
    assert shown == expected, "the screen shows the title, the number (outcomes) and the spoken points, in order"
    for text in result["texts"]:
        ink = text["ink"]
        assert ink is not None, f"{text['role']} {text['text']!r} left no pixels on the screenshot"
        inside = 0 <= ink["left"] and ink["right"] <= viewport.width and 0 <= ink["top"] and ink["bottom"] <= viewport.height
        assert inside, f"{text['role']} {text['text']!r} runs off the {viewport.name} screen: {ink}"
    for sequence in result["sequences"]:
        assert sequence["scrollHeight"] <= sequence["clientHeight"] + 1, (
            f"the points need scrolling on {viewport.name}: {sequence['scrollHeight']} dp of text in "
            f"{sequence['clientHeight']} dp, so the last spoken point is cut off"
        )
    tops = [text["ink"]["top"] for text in result["texts"]]
    assert tops == sorted(tops), "title first, then the number, then the points, top to bottom"


@pytest.mark.parametrize("screen", ["wordiest", "longest-title", "emergency", "calm-outcome"])
def test_on_a_round_screen_everything_is_inside_the_circle(rendered, screen):
    result = rendered[f"round-{screen}"]
    radius = VIEWPORTS[0].width / 2
    assert result["outsideCircle"] == 0, f"{result['outsideCircle']} lit pixels lie outside the round screen"
    title = _texts(result, "title")[0]
    ink = title["ink"]
    corner = ((ink["left"] - radius) ** 2 + (ink["top"] - radius) ** 2) ** 0.5
    assert corner < radius - RING, f"the title's first line starts outside the circle ({corner:.0f} dp from the centre)"
    for text in result["texts"]:
        assert text["ink"]["maxRadius"] < radius - RING, (
            f"{text['role']} {text['text']!r} reaches {text['ink']['maxRadius']:.0f} dp from the centre "
            f"of a {radius:.0f} dp circle (ring {RING} dp)"
        )


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=[v.name for v in VIEWPORTS])
def test_the_emergency_number_is_the_largest_text_in_the_level_colour(rendered, real_screens, viewport):
    result = rendered[f"{viewport.name}-emergency"]
    (number,) = _texts(result, "number")
    assert number["text"] == html.unescape(real_screens["emergency"]["emphasis"])
    assert number["text"] in {digits for _, digits, _ in LOCALES.values()}, "the number is a locale's emergency number"
    others = [text for text in result["texts"] if text is not number]
    tallest_other = max(text["ink"]["firstLineHeight"] for text in others)
    assert number["ink"]["firstLineHeight"] >= 1.6 * tallest_other, (
        f"on {viewport.name} the number is {number['ink']['firstLineHeight']:.0f} dp tall, "
        f"other text up to {tallest_other:.0f} dp: it should be by far the largest"
    )
    assert number["fontSize"] > max(text["fontSize"] for text in others)
    assert result["levelPixels"] >= 2000, f"the emergency red should be clearly visible on {viewport.name}"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=[v.name for v in VIEWPORTS])
def test_a_topic_shows_no_level_colour_and_an_outcome_does(rendered, viewport):
    assert rendered[f"{viewport.name}-wordiest"]["levelPixels"] == 0, "a topic answer has no triage level"
    assert rendered[f"{viewport.name}-calm-outcome"]["levelPixels"] >= 2000, "an outcome shows its level colour"
    assert not _texts(rendered[f"{viewport.name}-calm-outcome"], "number"), "only an emergency shows a number"


@pytest.mark.parametrize("screen", ["wordiest", "emergency"])
def test_tv_text_stays_inside_the_safe_area(rendered, screen):
    tv = VIEWPORTS[-1]
    for text in rendered[f"tv-{screen}"]["texts"]:
        ink = text["ink"]
        assert ink["left"] >= TV_SAFE * tv.width and ink["right"] <= (1 - TV_SAFE) * tv.width, text["text"]
        assert ink["top"] >= TV_SAFE * tv.height and ink["bottom"] <= (1 - TV_SAFE) * tv.height, text["text"]


def test_layouts_differ_per_viewport_class(rendered):
    """Each class gets its own layout: a round screen centres, the TV and hubs sizes differ."""
    title_sizes = {v.name: _texts(rendered[f"{v.name}-wordiest"], "title")[0]["fontSize"] for v in VIEWPORTS}
    assert title_sizes["round"] < title_sizes["hub-small"] < title_sizes["hub-medium"], title_sizes
    assert title_sizes["tv"] != title_sizes["hub-small"], "the TV has its own layout"
    round_title = _texts(rendered["round-emergency"], "title")[0]["ink"]
    centre = (round_title["left"] + round_title["right"]) / 2
    assert abs(centre - VIEWPORTS[0].width / 2) < 8, "on a round screen the title is centred"


def test_the_apl_1_1_document_looks_the_same(rendered):
    oldest = rendered[f"round-emergency-apl{screens.VERSIONS[0]}"]
    newest = rendered["round-emergency"]
    assert [t["text"] for t in oldest["texts"]] == [t["text"] for t in newest["texts"]]
    assert [t["rect"] for t in oldest["texts"]] == [t["rect"] for t in newest["texts"]], (
        "the APL 1.1 document should lay out like the newest one"
    )


# --- Amazon's apl-suggester -----------------------------------------------------------------------


def test_apl_suggester_finds_nothing_in_any_document_we_send(node_json):
    documents = {version: screens.document(version) for version in screens.VERSIONS}
    broken = screens.document()
    broken["layouts"]["AnswerScreen"]["items"][0]["fontSize"] = "huge"  # a Frame has no fontSize
    documents["broken"] = broken
    results = node_json("suggest.js", {"documents": documents})
    assert results["broken"], "the suggester should flag a property a component does not have (self-check)"
    for version in screens.VERSIONS:
        assert results[version] == [], f"apl-suggester on the APL {version} document: {results[version]}"
