"""Request envelope builder for tests: re-exports the package's one builder (``skill.tools.envelopes``)."""

from skill.tools.envelopes import *  # noqa: F401,F403 - the public builder functions and ids
from skill.tools.envelopes import __all__  # noqa: F401
