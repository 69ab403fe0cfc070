"""Names agree across code, content and every interaction model (STYLE practice 6)."""

from __future__ import annotations

import pytest

from skill.alexa.builder import request_handlers
from skill.alexa.handlers.topics import TOPIC_INTENTS
from skill.config import DEFAULT_MODEL_DIR
from skill.tools.checks.model import check_model
from skill.tools.models import load_model, model_paths
from skill.tools.envelopes import intent_request

MODELS = list(model_paths(DEFAULT_MODEL_DIR))


def handled_intents() -> dict[str, tuple[str, ...]]:
    """intent -> slots read by the handlers that accept it."""
    handled: dict[str, set[str]] = {}
    for handler in request_handlers():
        for intent in getattr(handler, "intents", ()):
            handled.setdefault(intent, set()).update(getattr(handler, "slots", ()))
    return {intent: tuple(sorted(slots)) for intent, slots in handled.items()}


def test_there_is_an_en_us_model():
    assert any(p.name == "en-US.json" for p in MODELS), "interaction_model/en-US.json is missing"


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_model_follows_alexa_rules(path):
    problems = check_model(path)
    assert not problems, "model problems:\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_model_intent_has_a_handler_and_every_handler_intent_is_in_the_model(path):
    intents = load_model(path).intent_slots()
    handled = handled_intents()
    missing_handler = sorted(set(intents) - set(handled))
    missing_in_model = sorted(set(handled) - set(intents))
    assert not missing_handler, f"{path.name}: intents without a handler: {missing_handler}"
    assert not missing_in_model, f"{path.name}: handled intents missing from the model: {missing_in_model}"
    for intent, slots in handled.items():
        for slot_name in slots:
            assert slot_name in intents[intent], f"{path.name}: {intent} has no slot {slot_name!r} the handler reads"


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_model_intent_reaches_a_real_handler(conversation, path):
    locale = path.stem
    for intent in load_model(path).intent_slots():
        conv = conversation(locale)
        conv.launch()
        conv.send(intent_request(intent, locale=locale))
        assert conv.log.get("handler") != "unknown_intent", f"{locale}: {intent} fell through to the unknown handler"


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_topic_trigger_and_symptom_has_content(store, path):
    model = load_model(path)
    content = store.for_locale(path.stem)
    for intent, topic in TOPIC_INTENTS.items():
        assert content.has(f"topics.{topic}.items"), f"{path.stem}: {intent} has no content topics.{topic}"
    for trigger in model.value_ids("TRIGGER"):
        assert content.has(f"triggers.{trigger}.items"), f"{path.stem}: trigger {trigger!r} has no content"
    names = content.node("triage.symptom_names")
    symptom_map = content.node("triage.symptoms")
    ids = set(model.value_ids("SYMPTOM"))
    for symptom in ids:
        assert symptom in names, f"{path.stem}: symptom {symptom!r} has no read-back name in triage.symptom_names"
    assert set(symptom_map) <= ids, f"{path.stem}: triage.symptoms maps ids the model lacks: {set(symptom_map) - ids}"


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_model_has_en_us_intents_slots_and_value_ids(path):
    """Content and the triage map work by intent name and value id, so every locale must agree."""
    reference = load_model(DEFAULT_MODEL_DIR / "en-US.json")
    model = load_model(path)
    assert model.intent_slots() == reference.intent_slots(), f"{path.stem}: intents or slots differ from en-US"
    for type_name in ("TRIGGER", "SYMPTOM"):
        assert model.value_ids(type_name) == reference.value_ids(type_name), (
            f"{path.stem}: {type_name} value ids differ from en-US"
        )
