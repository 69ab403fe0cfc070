"""Every word the skill says, as YAML per language and locale (``<tag>/*.yaml``).

This file only makes the folder a resource package: the wheel installs it as ``skill.content``
(see ``package-dir`` in pyproject.toml) and the code finds it with ``importlib.resources``, the
same from a checkout, an editable install, a wheel or a Lambda zip. Clinicians edit the YAML.
"""
