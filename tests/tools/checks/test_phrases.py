"""Phrases people are told to say: description quotes carry the wake word and invocation name, and
every suggestion is a sample of the locale's model. ``nose-twitch validate`` names file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.config import DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR
from skill.tools.checks.phrases import check_suggestions, suggested_phrases
from skill.tools.checks.project import check_project

#: Slow: each test checks every locale's phrases through the matcher; the fast loop (-m 'not slow') leaves them to the full suite.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("text", "language", "phrases"),
    [
        ("You could say: why does my nose twitch? Or: check my symptoms.", "en", ["why does my nose twitch", "check my symptoms"]),
        ("Say yes to hear more, or no to move on.", "en", ["yes to hear more", "no to move on"]),
        ("You can ask about causes, quick relief, or when to see a doctor. Or say stop.", "en", ["stop"]),
        ("Say yes for a quick symptom check. Or ask what causes it, or how to ease it.", "en", ["yes for a quick symptom check"]),
        ("Answer yes, no, or not sure. You can also say go back, or ask why I'm asking.", "en", ["yes", "no", "not sure", "go back"]),
        ("There's no answer to go back to right now.", "en", []),
        ("Please try asking again. What would you like to know?", "en", []),
        ("Puedes decir: ¿por qué me tiembla la nariz? O bien: revisa mis síntomas.", "es", ["por qué me tiembla la nariz", "revisa mis síntomas"]),
        ("Di sí para seguir, o no para pasar a otra cosa.", "es", ["sí para seguir", "no para pasar a otra cosa"]),
        ("Responde sí, no o no sé. También puedes decir: vuelve atrás, o preguntar por qué.", "es", ["sí", "no", "no sé", "vuelve atrás"]),
    ],
)
def test_suggested_phrases_are_found_by_their_cue_words(text, language, phrases):
    assert list(suggested_phrases(text, language)) == phrases


def _plant(content: Path, file: str, old: str, new: str) -> None:
    path = content / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(content: Path, models: Path) -> list[str]:
    return [str(p) for p in check_project(content, models) if p.severity == "error"]


def test_the_real_descriptions_and_suggestions_pass():
    problems = [p for p in check_project(DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR) if "sample" in p.message or "Alexa" in p.message]
    assert problems == [], problems


@pytest.mark.parametrize(
    ("file", "old", "new", "says"),
    [
        (
            "en/manifest.yaml",
            '"Alexa, ask {invocation_name} to check my symptoms"',
            '"ask {invocation_name} to check my symptoms"',
            "content/en/manifest.yaml: manifest.description: error: quoted phrase 'ask nose twitch guide to check my symptoms': must start with 'Alexa, '",
        ),
        (
            "es/manifest.yaml",
            '"Alexa, pídele a {invocation_name} que revise mis síntomas"',
            '"Alexa, pídele a {invocation_name} que cante"',
            "content/es/manifest.yaml: manifest.description: error: quoted phrase 'Alexa, pídele a tic de la nariz que cante': 'que cante' is not a sample",
        ),
        (
            "en/common.yaml",
            "You could say: why does my nose twitch?",
            "You could say: how do I prevent it?",
            "content/en/common.yaml: launch.reprompt: error: suggests saying 'how do i prevent it', which is not a sample",
        ),
        (
            "es/common.yaml",
            "Intenta decir: ¿qué causa el tic en la nariz?",
            "Intenta decir: ¿me cantas una canción?",
            "content/es/common.yaml: help.reprompt: error: suggests saying 'me cantas una canción', which is not a sample",
        ),
    ],
    ids=["en-description", "es-description", "en-suggestion", "es-suggestion"],
)
def test_a_planted_phrase_fault_is_named_by_file_and_key(project, file, old, new, says):
    content, models = project
    _plant(content, file, old, new)
    errors = _errors(content, models)
    assert any(error.startswith(says) for error in errors), f"expected {says!r} in:\n" + "\n".join(errors)


def test_every_suggestion_in_the_content_is_heard_by_its_model():
    problems = check_suggestions(DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR)
    assert problems == [], "\n".join(str(p) for p in problems)
