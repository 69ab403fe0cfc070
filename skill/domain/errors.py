"""Domain errors (domain layer): what loading and checking content raise.

Its own module, below everything that raises it, so the YAML parser and the checks that content
loading runs never import the content module back.
"""

from __future__ import annotations


class ContentError(ValueError):
    """Content is missing or malformed; the message names the file or key."""
