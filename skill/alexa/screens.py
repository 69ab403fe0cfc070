"""Screens (Alexa layer): a reply's :class:`Screen` becomes an APL ``RenderDocument`` directive.

Only devices that say they support ``Alexa.Presentation.APL`` get one. The document is a JSON file
in this package (``apl/answer.json``); every word on it comes from the reply (so from content), and
this module adds only presentation: the colour of a triage level. Content is plain text, and APL
text is markup, so ``&``, ``<`` and ``>`` are escaped here, as :mod:`skill.alexa.speech` does for SSML.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.markup import escape

if TYPE_CHECKING:  # annotations only: speech imports this module; APL models load on first use
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    from skill.alexa.speech import Screen

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

# Read once at import; each response parses its own copy, so no shared mutable state.
_DOCUMENT_TEXT = files("skill.alexa").joinpath("apl", "answer.json").read_text(encoding="utf-8")


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device asked for APL (``context.System.device.supportedInterfaces``)."""
    context = handler_input.request_envelope.context
    system = getattr(context, "system", None)
    device = getattr(system, "device", None)
    interfaces = getattr(device, "supported_interfaces", None)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def document() -> dict[str, Any]:
    """A fresh copy of the APL document."""
    return json.loads(_DOCUMENT_TEXT)


def datasource(screen: Screen) -> dict[str, Any]:
    """What the document shows: title, points, and for a triage outcome its level, colour and number."""
    return {
        "title": _markup(screen.title),
        "points": [_markup(point) for point in screen.points[:MAX_POINTS]],
        "level": screen.level,
        "color": LEVEL_COLORS.get(screen.level or ""),
        "emphasis": _markup(screen.emphasis) if screen.emphasis else None,
    }


def render_directive(screen: Screen) -> RenderDocumentDirective:
    # The APL models are a large package that only screen devices need: imported on first use.
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    return RenderDocumentDirective(token=TOKEN, document=document(), datasources={DATASOURCE: datasource(screen)})


def _markup(text: str) -> str:
    return escape(text)
