"""Markup escaping (Alexa layer): plain content text made safe inside SSML and APL text.

One small function instead of ``xml.sax.saxutils.escape``, whose module pulls in ``urllib.request``
at import time; the output is the same.
"""

from __future__ import annotations


def escape(text: str, *, quotes: bool = False) -> str:
    """``&``, ``<`` and ``>`` as entities; with ``quotes``, ``"`` and ``'`` too (SSML attributes)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quotes:
        text = text.replace('"', "&quot;").replace("'", "&apos;")
    return text


def to_ssml(text: str) -> str:
    """Plain text as the inside of a ``<speak>`` element, escaped."""
    return escape(text, quotes=True)
