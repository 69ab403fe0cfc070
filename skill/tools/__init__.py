"""Tools for the people who build, check, ship and review the skill (edge layer), one room per trade.

- :mod:`skill.tools.checks`: ``nose-twitch validate`` and the certification self-check;
- :mod:`skill.tools.nlu`: how typed or held-out words are heard (``chat``, ``nlu-eval``);
- :mod:`skill.tools.ship`: ``nose-twitch package``: the ASK CLI project, the Lambda code, the icons;
- :mod:`skill.tools.review`: ``nose-twitch review``, the page a clinician signs off.

At the top, the doors they share: :mod:`~skill.tools.envelopes` (the one request builder),
:mod:`~skill.tools.models` (the one interaction-model reader) and :mod:`~skill.tools.chat`.
"""
