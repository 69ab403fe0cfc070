"""How many examples a property test runs: the count written at the test under the ``ci`` profile
(the default, what ``.ci/run`` runs), a tenth of it under ``dev`` (``HYPOTHESIS_PROFILE=dev``, the
fast loop). The profiles are registered and loaded in tests/conftest.py, before any test module
is imported, so ``settings.default`` is the chosen profile when a decorator calls this."""

from __future__ import annotations

from hypothesis import settings

#: The ``ci`` profile's ``max_examples`` (Hypothesis' default), the scale the counts are written in.
CI_EXAMPLES = 100


def examples(ci_count: int) -> int:
    """``ci_count`` under the ``ci`` profile, scaled to the loaded profile's ``max_examples``."""
    return max(1, ci_count * settings.default.max_examples // CI_EXAMPLES)
