"""The one interaction-model reader: what the files say, typed, and a clear error naming a broken file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from skill.cli import main
from skill.config import DEFAULT_MODEL_DIR
from skill.tools.models import (
    ModelError,
    language_model,
    load_model,
    model_paths,
    parse_model,
    readable_models,
    sample_key,
)

EN_US = DEFAULT_MODEL_DIR / "en-US.json"


@pytest.mark.parametrize("path", model_paths(DEFAULT_MODEL_DIR), ids=lambda p: p.stem)
def test_the_reader_gives_what_the_file_says(path: Path) -> None:
    """Cross-checked against the JSON read without the reader: every intent, sample, slot and value."""
    raw = json.loads(path.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    model = load_model(path)
    assert model.locale == path.stem and model.country == path.stem.split("-")[1]
    assert model.invocation_name == raw["invocationName"]
    assert [i.name for i in model.intents] == [i["name"] for i in raw["intents"]]
    for intent, written in zip(model.intents, raw["intents"]):
        assert list(intent.samples) == written.get("samples", []), intent.name
        assert intent.slot_types == {s["name"]: s["type"] for s in written.get("slots", [])}, intent.name
        assert intent.is_builtin == written["name"].startswith("AMAZON.")
    for slot_type, written in zip(model.types, raw.get("types", []), strict=True):
        assert slot_type.name == written["name"]
        assert model.value_ids(slot_type.name) == [v["id"] for v in written["values"]]
        for value, written_value in zip(slot_type.values, written["values"], strict=True):
            assert value.said == (written_value["name"]["value"], *written_value["name"].get("synonyms", []))
    assert list(model.samples()) == [s for i in raw["intents"] for s in i.get("samples", [])]
    assert model.raw == json.loads(path.read_text(encoding="utf-8")), "the JSON is kept as written, for packaging"


def test_lookups_by_name() -> None:
    model = load_model(EN_US)
    assert model.intent("TriggerDetailIntent").slot_types == {"trigger": "TRIGGER"}
    assert model.intent("NoSuchIntent") is None and model.slot_type("NO_SUCH_TYPE") is None
    assert model.value_ids("NO_SUCH_TYPE") == []
    assert "caffeine" in model.value_ids("TRIGGER")
    assert all(not i.is_builtin for i in model.custom_intents) and "CausesIntent" in model.intent_names
    assert model.intent_slots()["SymptomCheckIntent"] == model.intent("SymptomCheckIntent").slot_types


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "cannot read the model"),
        ('{"interactionModel": {}}', "no interactionModel.languageModel mapping"),
        ('["a list"]', "no interactionModel.languageModel mapping"),
        ('{"interactionModel": {"languageModel": {"intents": [{"samples": ["hi"]}]}}}', "KeyError: 'name'"),
        ('{"interactionModel": {"languageModel": {"types": [{"name": "T", "values": [7]}]}}}', "AttributeError"),
    ],
    ids=["not-json", "no-language-model", "not-a-mapping", "intent-without-name", "value-not-a-mapping"],
)
def test_a_broken_model_is_an_error_naming_the_file(tmp_path: Path, text: str, says: str) -> None:
    folder = tmp_path / "interaction_model"
    folder.mkdir()
    path = folder / "en-US.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert str(caught.value).startswith("interaction_model/en-US.json: ") and says in str(caught.value), caught.value
    assert readable_models(folder) == {}, "an unreadable model is left out (the validator names it)"


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"^models/en-GB\.json: cannot read the model"):
        load_model(tmp_path / "models" / "en-GB.json")


def test_the_command_line_names_a_broken_model_instead_of_a_traceback(tmp_path: Path, capsys, monkeypatch) -> None:
    models = tmp_path / "interaction_model"
    shutil.copytree(DEFAULT_MODEL_DIR, models)
    (models / "en-US.json").write_text('{"interactionModel": {"languageModel": {"intents": [{}]}}}', encoding="utf-8")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    assert main(["chat", "--model-dir", str(models), "--nlu", "samples"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nose-twitch chat: interaction_model/en-US.json: ") and "KeyError: 'name'" in err, err


def test_readable_models_are_keyed_by_locale() -> None:
    models = readable_models(DEFAULT_MODEL_DIR)
    assert sorted(models) == [p.stem for p in model_paths(DEFAULT_MODEL_DIR)]
    assert all(model.locale == locale for locale, model in models.items())


def test_parse_model_takes_json_already_loaded() -> None:
    data = {"interactionModel": {"languageModel": {"invocationName": "nose twitch guide", "intents": [
        {"name": "CausesIntent", "samples": ["why does my nose twitch"]}]}}}
    model = parse_model(data)
    assert model.invocation_name == "nose twitch guide" and model.locale == "" and model.types == ()
    assert model.intent("CausesIntent").samples == ("why does my nose twitch",) and model.intent("CausesIntent").slots == ()


def test_language_model_is_none_for_anything_but_a_model() -> None:
    assert language_model({"interactionModel": {"languageModel": {"intents": []}}}) == {"intents": []}
    for data in ({}, [], "text", {"interactionModel": []}, {"interactionModel": {"languageModel": "x"}}):
        assert language_model(data) is None, data


def test_sample_key_ignores_case_and_spacing_only() -> None:
    assert sample_key("  Why   does my NOSE twitch ") == "why does my nose twitch"
    assert sample_key("what's it") != sample_key("whats it"), "punctuation is not dropped: Alexa tells them apart"
