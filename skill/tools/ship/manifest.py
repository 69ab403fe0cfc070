"""Skill manifest parts for certification (tools layer): privacy, icons, screens, and the build check.

Used by :mod:`skill.tools.ship.package` (``build_manifest`` and ``write_project``) and by
``nose-twitch validate --certification``.

- **Privacy and compliance**: the flags are what the skill does. It sells nothing, shows no ads,
  is not for children, and keeps nothing about a person: the symptom answers live in the Alexa
  session only (the service is stateless; cards, screens, logs and metrics never carry them),
  and it reads no name, address, contact or account. So ``usesPersonalInfo`` is false. It is not
  a HIPAA-covered skill asking Amazon to process protected health information on its behalf, so
  ``usesHealthInfo`` is false too (SMAPI: "true if the developer is a Covered Entity or Business
  Associate ... and the skill requires Amazon to process PHI"). ``docs/privacy.md`` says the same
  in words for people, and is what ``--privacy-url`` should point at.
- **Icons**: the project's own icons (``skill/tools/ship/images/``, see :mod:`skill.tools.ship.icons`)
  go into the ASK CLI project as ``skill-package/assets/images/<locale>_smallIconUri.png`` and
  ``..._largeIconUri.png``, referenced as ``file://assets/images/...`` (the layout ``ask smapi
  export-package`` writes and ``ask deploy`` uploads), or hosted HTTPS addresses replace them.
- **Screens**: ``supportedViewports`` of the APL interface: round small hubs, landscape small,
  medium and large hubs, and TV, in the ranges Amazon's APL documentation gives.
- **Certification build**: :func:`certification_problems` lists what would make a submission
  fail before review (no privacy policy address, an icon missing or of the wrong size, no
  viewports); ``package --certification`` refuses to write such a build.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from skill.config import ConfigError
from skill.tools.ship.icons import ICON_SIZES, icon_bytes, png_size

#: Where the ASK CLI project keeps its images, relative to ``skill-package/``.
ASSETS_DIR = "assets/images"

#: What the skill does with people's data; see the module docstring for why each is so.
PRIVACY_FLAGS: Mapping[str, bool] = {
    "allowsPurchases": False,
    "usesPersonalInfo": False,
    "isChildDirected": False,
    "isExportCompliant": True,
    "containsAds": False,
    "usesHealthInfo": False,
}

#: The devices the screens are laid out for (Amazon's "Select the viewport profiles your skill
#: supports" ranges, in dp): round small hub, landscape small hub, landscape medium hub,
#: landscape large hub, and extra-large TV.
SUPPORTED_VIEWPORTS: tuple[Mapping[str, Any], ...] = (
    {"mode": "HUB", "shape": "ROUND", "minWidth": 100, "maxWidth": 599, "minHeight": 100, "maxHeight": 599},
    {"mode": "HUB", "shape": "RECTANGLE", "minWidth": 960, "maxWidth": 1279, "minHeight": 100, "maxHeight": 599},
    {"mode": "HUB", "shape": "RECTANGLE", "minWidth": 960, "maxWidth": 1279, "minHeight": 600, "maxHeight": 959},
    {"mode": "HUB", "shape": "RECTANGLE", "minWidth": 1280, "maxWidth": 1920, "minHeight": 600, "maxHeight": 1279},
    {"mode": "TV", "shape": "RECTANGLE", "minWidth": 960, "maxWidth": 960, "minHeight": 540, "maxHeight": 540},
)


def apl_interface() -> dict[str, Any]:
    """The ``ALEXA_PRESENTATION_APL`` interface with the viewports the screens are laid out for."""
    return {"type": "ALEXA_PRESENTATION_APL", "supportedViewports": [dict(v) for v in SUPPORTED_VIEWPORTS]}


def https_url(flag: str, url: str) -> str:
    """``url`` stripped, or ConfigError unless it is a full https:// address."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ConfigError(f"{flag} must be a full https:// address, got {url!r}")
    return url.strip()


def privacy_and_compliance(
    locales: Sequence[str], privacy_url: str | None = None, terms_url: str | None = None
) -> dict[str, Any]:
    """``privacyAndCompliance``: the truthful flags, and the policy addresses for every locale."""
    privacy: dict[str, Any] = dict(PRIVACY_FLAGS)
    urls = {}
    if privacy_url:
        urls["privacyPolicyUrl"] = https_url("--privacy-url", privacy_url)
    if terms_url:
        urls["termsOfUseUrl"] = https_url("--terms-url", terms_url)
    if urls:
        privacy["locales"] = {locale: dict(urls) for locale in locales}
    return privacy


# --- icons -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Icons:
    """The icon addresses for each locale's listing, and the files the ASK project must hold."""

    uris: Mapping[str, Mapping[str, str]]
    #: path below ``skill-package/`` -> PNG bytes (empty for hosted icons).
    files: Mapping[str, bytes] = field(default_factory=dict)


def local_icons(locales: Sequence[str]) -> Icons:
    """The project's icons as ``file://assets/images/<locale>_<field>.png`` in every locale."""
    uris: dict[str, dict[str, str]] = {}
    files: dict[str, bytes] = {}
    for locale in locales:
        uris[locale] = {}
        for name in ICON_SIZES:
            path = f"{ASSETS_DIR}/{locale}_{name}.png"
            files[path] = icon_bytes(name)
            uris[locale][name] = f"file://{path}"
    return Icons(uris=uris, files=files)


def hosted_icons(locales: Sequence[str], small_url: str | None, large_url: str | None) -> Icons:
    """Hosted icons (``--small-icon-url`` and ``--large-icon-url``, both or neither) in every locale."""
    if bool(small_url) != bool(large_url):
        raise ConfigError("--small-icon-url and --large-icon-url go together: give both or neither")
    small = https_url("--small-icon-url", small_url or "")
    large = https_url("--large-icon-url", large_url or "")
    return Icons(uris={locale: {"smallIconUri": small, "largeIconUri": large} for locale in locales})


def icon_problems(icons: Icons) -> list[str]:
    """Icons Alexa would refuse: a local file that is not a PNG of the exact size, or no icon."""
    problems = []
    for locale, uris in sorted(icons.uris.items()):
        for name, pixels in ICON_SIZES.items():
            uri = uris.get(name)
            if not uri:
                problems.append(f"{locale}: no {name}")
                continue
            if uri.startswith("file://"):
                data = icons.files.get(uri.removeprefix("file://"))
                size = png_size(data) if data is not None else None
                if size != (pixels, pixels):
                    found = "missing" if data is None else ("not a PNG" if size is None else f"{size[0]}x{size[1]}")
                    problems.append(f"{locale}: {name} {uri} must be a {pixels}x{pixels} PNG ({found})")
    return problems


# --- the certification build -------------------------------------------------------------------


def certification_problems(manifest: Mapping[str, Any], icons: Icons | None = None) -> list[str]:
    """What would make Amazon refuse this manifest before review, one sentence each."""
    body = manifest["manifest"]
    locales = sorted(body["publishingInformation"]["locales"])
    problems = []
    urls = body.get("privacyAndCompliance", {}).get("locales", {})
    missing = [locale for locale in locales if not urls.get(locale, {}).get("privacyPolicyUrl")]
    if missing:
        problems.append(
            f"no privacy policy address for {', '.join(missing)}: a health skill needs one; publish "
            "docs/privacy.md and pass --privacy-url https://..."
        )
    for flag, value in PRIVACY_FLAGS.items():
        if body.get("privacyAndCompliance", {}).get(flag) is not value:
            problems.append(f"privacyAndCompliance.{flag} must be {str(value).lower()}: that is what the skill does")
    listing = body["publishingInformation"]["locales"]
    problems += [
        f"{locale}: no {name}" for locale in locales for name in ICON_SIZES if not listing[locale].get(name)
    ]
    if icons is not None:
        problems += icon_problems(icons)
    interfaces = body.get("apis", {}).get("custom", {}).get("interfaces", [])
    apl = next((i for i in interfaces if i.get("type") == "ALEXA_PRESENTATION_APL"), None)
    if apl is not None and not apl.get("supportedViewports"):
        problems.append("the APL interface lists no supportedViewports")
    return problems


# --- the package command's flags ---------------------------------------------------------------


def add_package_arguments(parser: Any) -> None:
    """``package``'s flags for icons and the certification build."""
    parser.add_argument(
        "--certification",
        action="store_true",
        help="a build to submit for certification: refuse it without a privacy policy address "
        "(--privacy-url), with an icon of the wrong size, or without screen viewports",
    )
    parser.add_argument("--small-icon-url", metavar="URL", help="hosted 108x108 PNG icon (https) instead of the project's")
    parser.add_argument("--large-icon-url", metavar="URL", help="hosted 512x512 PNG icon (https) instead of the project's")


def icons_from_args(args: Any, locales: Sequence[str]) -> Icons:
    if args.small_icon_url or args.large_icon_url:
        return hosted_icons(locales, args.small_icon_url, args.large_icon_url)
    return local_icons(locales)


def check_build(args: Any, manifest: Mapping[str, Any], icons: Icons) -> tuple[str, ...]:
    """Warnings for a development build; ConfigError listing every problem for a certification build."""
    problems = certification_problems(manifest, icons)
    if args.certification and problems:
        raise ConfigError("this build would fail certification:\n  " + "\n  ".join(problems))
    notes = [] if args.certification else [f"development build, not for submission: {p}" for p in problems]
    if not icons.files:
        notes.append("hosted icons: their sizes cannot be checked offline; they must be 108x108 and 512x512 PNGs")
    return tuple(notes)


def committed_icon_problems() -> list[str]:
    """The committed icons, each a PNG of its exact size (``validate`` and the self-check)."""
    problems = []
    for name, pixels in ICON_SIZES.items():
        size = png_size(icon_bytes(name))
        if size != (pixels, pixels):
            problems.append(f"{name} must be a {pixels}x{pixels} PNG, is {'not a PNG' if size is None else size}")
    return problems
