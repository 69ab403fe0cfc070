"""One Alexa interaction model per locale (``<locale>.json``, SMAPI shape).

This file only makes the folder a resource package: the wheel installs it as
``skill.interaction_model`` (see ``package-dir`` in pyproject.toml) and the code finds it with
``importlib.resources``, the same from a checkout, an editable install or a wheel.
"""
