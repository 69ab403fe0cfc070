"""What each locale must say: its emergency number (spoken and shown) and who to see."""

from __future__ import annotations

import re

#: locale -> (spoken emergency number, the digits for screens, who to see).
LOCALES = {
    "en-US": ("nine one one", "911", "your doctor"),
    "en-CA": ("nine one one", "911", "your doctor"),
    "en-GB": ("nine nine nine", "999", "your GP"),
    "en-AU": ("triple zero", "000", "your GP"),
    "en-IN": ("one zero eight", "108", "your doctor"),
    "es-US": ("nueve uno uno", "911", "tu médico"),
    "es-MX": ("nueve uno uno", "911", "tu médico"),
    "es-ES": ("uno uno dos", "112", "tu médico de cabecera"),
}


def of_language(language: str) -> dict[str, tuple[str, str, str]]:
    return {locale: row for locale, row in LOCALES.items() if locale.split("-")[0] == language}


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
