"""Screens (Alexa layer): a reply's :class:`Screen` becomes an APL ``RenderDocument`` directive.

Only devices that say they support ``Alexa.Presentation.APL`` get one, and only in an APL version
they declare (``runtime.maxVersion``). The document is one JSON file in this package
(``apl/answer.json``, the newest version this skill provides); :func:`document` derives each older
version from it by dropping the properties that version does not have, so the versions cannot drift
apart. The document lays itself out per viewport (round, TV, small hub, medium and large hub) with
APL ``when`` conditions on the ``viewport`` the device reports.

Every word on it comes from the reply (so from content), and this module adds only presentation:
the colour of a triage level and the text's language. Content is plain text, and APL text is
markup, so ``&``, ``<`` and ``>`` are escaped here, as :func:`~skill.alexa.markup.to_ssml` does for SSML.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.markup import escape
from skill.alexa.replies.reply import Screen
from skill.alexa.serializer import Encoded

if TYPE_CHECKING:  # annotations only: the APL models load on first use (see render_directive)
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

#: The directive's token: names the document for later APL commands and user events.
TOKEN = "noseTwitchAnswer"
#: The datasource the document binds (``mainTemplate.parameters``).
DATASOURCE = "answer"
#: At most as many points as a turn speaks.
MAX_POINTS = 3
#: One colour per triage level, most urgent first.
LEVEL_COLORS = {
    "emergency": "#D32F2F",
    "urgent": "#F57C00",
    "soon": "#FFB300",
    "routine": "#1E88E5",
    "self_care": "#43A047",
}
#: The APL versions this skill sends, oldest first; the last is the packaged file's own version.
VERSIONS = ("1.1", "2022.2")
#: Properties the packaged document uses that APL added after the oldest version we send, with the
#: version that added each (Amazon's APL reference: Text ``lang`` is APL 1.7).
NEWER_PROPERTIES = {"lang": "1.7"}

# Read once at import; each response parses its own copy, so no shared mutable state.
_DOCUMENT_TEXT = (Path(__file__).parent / "apl" / "answer.json").read_text(encoding="utf-8")
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)")


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device asked for APL (``context.System.device.supportedInterfaces``)."""
    return _apl_interface(handler_input) is not None


def max_version(handler_input: HandlerInput) -> str | None:
    """The device's ``Alexa.Presentation.APL.runtime.maxVersion``, if it declares one."""
    runtime = getattr(_apl_interface(handler_input), "runtime", None)
    value = getattr(runtime, "max_version", None)
    return value if isinstance(value, str) else None


def version_key(version: str) -> tuple[int, int] | None:
    """``"1.1"`` -> ``(1, 1)``, ``"2022.2"`` -> ``(2022, 2)``; ``None`` for anything else.

    APL numbers its releases 1.0 ... 1.9, then 2022.1, 2022.2, 2023.1 ...: one ordering by the
    pair (major, minor). A patch part ("2023.3.1") does not change which documents a device runs.
    """
    match = _VERSION.match(version)
    return (int(match.group(1)), int(match.group(2))) if match else None


def negotiate(device_max: str | None) -> str | None:
    """The newest version we send that the device runs; ``None`` if it runs none of them.

    A device that declares APL without a readable ``maxVersion`` gets the oldest document we send.
    """
    wanted = version_key(device_max) if device_max else None
    if wanted is None:
        return VERSIONS[0]
    fitting = [version for version in VERSIONS if _key(version) <= wanted]
    return fitting[-1] if fitting else None


def document(version: str = VERSIONS[-1]) -> dict[str, Any]:
    """A fresh copy of the APL document in ``version`` (one of :data:`VERSIONS`)."""
    if version not in VERSIONS:
        raise ValueError(f"no APL document in version {version!r}; this skill sends {', '.join(VERSIONS)}")
    source = json.loads(_DOCUMENT_TEXT)
    if version == source["version"]:
        return source
    wanted = _key(version)
    dropped = {name for name, since in NEWER_PROPERTIES.items() if _key(since) > wanted}
    derived = _without(source, dropped)
    derived["version"] = version
    return derived


def datasource(screen: Screen, locale: str | None = None) -> dict[str, Any]:
    """What the document shows: title, points, and for a triage outcome its level, colour and number."""
    return {
        "title": _markup(screen.title),
        "points": [_markup(point) for point in screen.points[:MAX_POINTS]],
        "level": screen.level,
        "color": LEVEL_COLORS.get(screen.level or ""),
        "emphasis": _markup(screen.emphasis) if screen.emphasis else None,
        "lang": locale or "",
    }


def render_directive(handler_input: HandlerInput, screen: Screen) -> RenderDocumentDirective | None:
    """The directive for this device, or ``None`` if it shows no APL or none of our versions."""
    if not supports_apl(handler_input):
        return None
    version = negotiate(max_version(handler_input))
    if version is None:
        return None
    # The APL models are a large package that only screen devices need: imported on first use.
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    locale = getattr(handler_input.request_envelope.request, "locale", None)
    return RenderDocumentDirective(
        token=TOKEN, document=_ENCODED[version], datasources={DATASOURCE: datasource(screen, locale)}
    )


def _key(version: str) -> tuple[int, int]:
    """The order key of a version this module names itself (so always well-formed)."""
    key = version_key(version)
    if key is None:
        raise ValueError(f"not an APL version: {version!r}")
    return key


def _apl_interface(handler_input: HandlerInput) -> Any:
    context = handler_input.request_envelope.context
    system = getattr(context, "system", None)
    device = getattr(system, "device", None)
    interfaces = getattr(device, "supported_interfaces", None)
    return getattr(interfaces, "alexa_presentation_apl", None)


def _without(node: Any, names: set[str]) -> Any:
    if isinstance(node, dict):
        return {key: _without(value, names) for key, value in node.items() if key not in names}
    if isinstance(node, list):
        return [_without(value, names) for value in node]
    return node


def _markup(text: str) -> str:
    return escape(text)


#: Each version's document, encoded once: the serializer writes it into every response as it is
#: (and gives a fresh copy where a dict is needed), instead of parsing and encoding it per turn.
_ENCODED = MappingProxyType({version: Encoded(document(version)) for version in VERSIONS})
