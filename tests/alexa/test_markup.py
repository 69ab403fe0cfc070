"""The markup escape gives exactly what ``xml.sax.saxutils.escape`` gives, for SSML and APL text."""

from __future__ import annotations

from xml.sax.saxutils import escape as sax_escape

from hypothesis import given
from hypothesis import strategies as st

from skill.alexa.markup import escape

MARKUP_HEAVY = st.text(alphabet=st.sampled_from("&<>\"'a ;#x") | st.characters(), max_size=60)


@given(MARKUP_HEAVY)
def test_escape_matches_the_standard_library(text: str) -> None:
    assert escape(text) == sax_escape(text), f"{text!r}: APL escaping differs from saxutils"
    quoted = sax_escape(text, {'"': "&quot;", "'": "&apos;"})
    assert escape(text, quotes=True) == quoted, f"{text!r}: SSML escaping differs from saxutils"


def test_already_escaped_text_is_escaped_again() -> None:
    assert escape("&amp; <b>", quotes=True) == "&amp;amp; &lt;b&gt;", "content is plain text, never markup"
