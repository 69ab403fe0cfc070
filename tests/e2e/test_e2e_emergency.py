"""End to end: emergencies said to the real server through virtual-alexa, in en-US and es-US.

virtual-alexa resolves each phrase against the locale's interaction model exactly, as it stands,
so this proves the model's EmergencyIntent samples reach the emergency answer over HTTP in each
state: at launch, after a topic, in the middle of the symptom check, and one-shot.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_e2e import play
from tests.support.client import ends_session, speech
from tests.support.emergency import number_first

CASES = {
    "en-US": [
        ("after launch", [{"launch": True}, {"utter": "i think i'm having a stroke"}]),
        ("after a topic", [{"launch": True}, {"utter": "why is my nose twitching"}, {"utter": "my face just dropped"}]),
        ("mid-check", [{"launch": True}, {"utter": "check my symptoms"}, {"utter": "i can't move my arm"}]),
        ("mid-check, a call", [{"launch": True}, {"utter": "check my symptoms"}, {"utter": "call nine one one"}]),
        ("one-shot", [{"utter": "my dad is having a stroke"}]),
    ],
    "es-US": [
        ("tras abrir", [{"launch": True}, {"utter": "creo que me está dando un derrame"}]),
        ("tras un tema", [{"launch": True}, {"utter": "por qué me tiembla la nariz"}, {"utter": "se me cayó la cara"}]),
        ("en la revisión", [{"launch": True}, {"utter": "revisa mis síntomas"}, {"utter": "no puedo mover el brazo"}]),
        ("en la revisión, llamar", [{"launch": True}, {"utter": "revisa mis síntomas"}, {"utter": "llama al nueve uno uno"}]),
        ("de una vez", [{"utter": "a mi papá le está dando un ictus"}]),
    ],
}


@pytest.mark.parametrize(
    ("locale", "name", "turns"),
    [(locale, name, turns) for locale, cases in CASES.items() for name, turns in cases],
    ids=[f"{locale}-{name}" for locale, cases in CASES.items() for name, _ in cases],
)
def test_an_emergency_over_http_gets_the_number_first(drive, locale, name, turns):
    session = play(drive, turns, locale=locale)
    answer = session.responses[-1]
    text = speech(answer)
    assert number_first(text, locale), f"{locale} {name}: the number must come first: {text!r}"
    assert not ends_session(answer), f"{locale} {name}: the answer offers to say it again"
    line = session.logs[-1]
    assert line.get("handler") == "emergency" and line.get("disposition") == "emergency", line
    assert line.get("status") == 200, line
