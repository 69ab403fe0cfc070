"""Certification parts of ``nose-twitch package``: icons, truthful privacy, viewports, the certification build."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from skill.cli import main
from skill.tools.ship import icons
from skill.tools.ship.manifest import SUPPORTED_VIEWPORTS

ENDPOINT = "https://skill.example.org/alexa"
PRIVACY = "https://example.org/nose-twitch/privacy"
ICONS = {"smallIconUri": 108, "largeIconUri": 512}


def _skill_json(out: Path) -> dict:
    return json.loads((out / "skill-package" / "skill.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def certified(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cert") / "project"
    status = main(["package", "--endpoint", ENDPOINT, "--out", str(out), "--privacy-url", PRIVACY, "--certification"])
    assert status == 0, "a certification build with a privacy address should be written"
    return out


# --- the icons themselves -----------------------------------------------------------------------


@pytest.mark.parametrize(("field", "pixels"), ICONS.items())
def test_committed_icons_are_exact_size_and_not_blank(field, pixels):
    data = icons.icon_bytes(field)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG", f"{field} must be a PNG"
    assert image.size == (pixels, pixels), f"{field} must be {pixels}x{pixels}, is {image.size}"
    assert icons.png_size(data) == (pixels, pixels), "the header reader used by package must agree"
    colours = image.convert("RGB").getcolors(maxcolors=pixels * pixels)
    assert colours is not None and len(colours) > 8, f"{field} looks blank or flat: {colours and len(colours)} colours"
    largest = max(count for count, _ in colours)
    assert largest < 0.8 * pixels * pixels, f"{field}: one colour covers {largest} of {pixels * pixels} pixels"


def test_committed_icons_are_the_render_of_the_svg(tmp_path):
    """Re-rendering icon.svg gives the committed PNGs (an SVG edit without a re-render fails here)."""
    assert icons.main(["--check"]) == 0, "run: python -m skill.tools.ship.icons"
    folder = tmp_path / "icons"
    folder.mkdir()
    svg = (icons.images_dir() / "icon.svg").read_text(encoding="utf-8")
    (folder / "icon.svg").write_text(svg.replace("#ffc857", "#ff0000"), encoding="utf-8")
    for pixels in ICONS.values():
        (folder / icons.icon_name(pixels)).write_bytes((icons.images_dir() / icons.icon_name(pixels)).read_bytes())
    assert icons.main(["--check", "--dir", str(folder)]) == 1, "a changed SVG must be reported as stale"


# --- icons in the ASK CLI project ----------------------------------------------------------------


def test_every_locale_references_local_icons_that_exist_with_the_right_size(certified):
    locales = _skill_json(certified)["manifest"]["publishingInformation"]["locales"]
    assert locales
    for locale, listing in locales.items():
        for field, pixels in ICONS.items():
            uri = listing.get(field)
            assert uri == f"file://assets/images/{locale}_{field}.png", f"{locale}: {field} is {uri!r}"
            path = certified / "skill-package" / uri.removeprefix("file://")
            assert path.is_file(), f"{locale}: {uri} is not in the project"
            with Image.open(path) as image:
                assert image.size == (pixels, pixels), f"{locale}: {path.name}"


def test_hosted_icons_replace_the_local_ones(tmp_path, capsys):
    small, large = "https://cdn.example.org/small.png", "https://cdn.example.org/large.png"
    out = tmp_path / "out"
    flags = ["--small-icon-url", small, "--large-icon-url", large]
    assert main(["package", "--endpoint", ENDPOINT, "--out", str(out), "--privacy-url", PRIVACY, *flags]) == 0
    for listing in _skill_json(out)["manifest"]["publishingInformation"]["locales"].values():
        assert (listing["smallIconUri"], listing["largeIconUri"]) == (small, large)
    assert not (out / "skill-package" / "assets").exists(), "hosted icons need no local copies"
    assert "sizes cannot be checked offline" in capsys.readouterr().err, "say what is not checked"


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--small-icon-url", "https://cdn.example.org/small.png"], "go together"),
        (["--small-icon-url", "http://cdn.example.org/s.png", "--large-icon-url", "https://cdn.example.org/l.png"], "https://"),
    ],
    ids=["only-one", "not-https"],
)
def test_bad_icon_flags_are_refused(tmp_path, capsys, flags, says):
    out = tmp_path / "out"
    assert main(["package", "--endpoint", ENDPOINT, "--out", str(out), *flags]) == 2
    assert says in capsys.readouterr().err
    assert not out.exists(), "nothing is written"


def test_a_wrong_size_icon_fails_the_certification_build(tmp_path, monkeypatch, capsys):
    small = icons.icon_bytes("smallIconUri")
    monkeypatch.setattr("skill.tools.ship.manifest.icon_bytes", lambda field: small)  # 108x108 for the large one too
    out = tmp_path / "out"
    status = main(["package", "--endpoint", ENDPOINT, "--out", str(out), "--privacy-url", PRIVACY, "--certification"])
    err = capsys.readouterr().err
    assert status == 2 and "largeIconUri" in err and "512x512" in err and "108x108" in err, err
    assert not out.exists()


# --- privacy and the certification build ---------------------------------------------------------


def test_certification_build_needs_a_privacy_address(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["package", "--endpoint", ENDPOINT, "--out", str(out), "--certification"]) == 2
    err = capsys.readouterr().err
    assert "privacy policy" in err and "--privacy-url" in err, err
    assert not out.exists(), "a build that would fail certification is not written"


def test_development_build_without_privacy_address_says_it_is_not_for_submission(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["package", "--endpoint", ENDPOINT, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "not for submission" in err and "privacy policy" in err, err


def test_certified_manifest_has_truthful_flags_and_the_privacy_address(certified):
    privacy = _skill_json(certified)["manifest"]["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is False, "the skill keeps nothing about a person beyond the session"
    assert privacy["usesHealthInfo"] is False, "not a HIPAA-covered skill asking Amazon to process PHI"
    assert privacy["isChildDirected"] is False and privacy["containsAds"] is False
    assert privacy["allowsPurchases"] is False and privacy["isExportCompliant"] is True
    locales = _skill_json(certified)["manifest"]["publishingInformation"]["locales"]
    assert privacy["locales"] == {locale: {"privacyPolicyUrl": PRIVACY} for locale in locales}


def test_viewports_cover_round_landscape_hubs_and_tv(certified):
    interfaces = _skill_json(certified)["manifest"]["apis"]["custom"]["interfaces"]
    apl = next(i for i in interfaces if i["type"] == "ALEXA_PRESENTATION_APL")
    viewports = apl["supportedViewports"]
    assert viewports == [dict(v) for v in SUPPORTED_VIEWPORTS]
    kinds = {(v["mode"], v["shape"]) for v in viewports}
    assert kinds == {("HUB", "ROUND"), ("HUB", "RECTANGLE"), ("TV", "RECTANGLE")}
    for width, height in [(480, 480), (1024, 600), (1280, 800), (960, 480), (1920, 1080), (960, 540)]:
        assert any(
            v["minWidth"] <= width <= v["maxWidth"] and v["minHeight"] <= height <= v["maxHeight"] for v in viewports
        ), f"no supported viewport covers a {width}x{height} screen"


def test_privacy_policy_document_states_what_is_kept():
    text = (Path(__file__).resolve().parents[3] / "docs" / "privacy.md").read_text(encoding="utf-8")
    for words in ("request id", "latency", "disposition level", "session", "not stored", "user id"):
        assert words in text.lower(), f"docs/privacy.md should say {words!r}"


@pytest.mark.slow  # runs the whole project's validate
def test_validate_reports_a_committed_icon_of_the_wrong_size(monkeypatch):
    from skill.config import DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR
    from skill.tools.checks.project import check_project

    small = icons.icon_bytes("smallIconUri")
    monkeypatch.setattr("skill.tools.ship.manifest.icon_bytes", lambda field: small)
    problems = [str(p) for p in check_project(DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR) if p.severity == "error"]
    assert problems == ["skill/tools/ship/images: icons: error: largeIconUri must be a 512x512 PNG, is (108, 108)"], problems
