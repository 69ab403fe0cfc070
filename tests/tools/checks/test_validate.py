"""``nose-twitch validate``: the real project is clean, and each rule catches a fault planted in a copy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from skill.cli import main
from skill.config import DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR
from skill.tools.models import language_model

#: Slow: each test runs the whole project's validate (about two seconds); the fast loop (-m 'not slow') leaves them to the full suite.
pytestmark = pytest.mark.slow


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_model(path: Path, change: Callable[[dict], None]) -> None:
    model = json.loads(path.read_text(encoding="utf-8"))
    change(language_model(model))
    path.write_text(json.dumps(model, indent=2, ensure_ascii=False), encoding="utf-8")


def intent(language_model: dict, name: str) -> dict:
    return next(i for i in language_model["intents"] if i["name"] == name)


def second_language(content: Path) -> Path:
    """A full copy of content/en as another language (fr), for the cross-language rules."""
    shutil.copytree(content / "en", content / "fr")
    return content / "fr"


# --- the real project ---------------------------------------------------------------------------


def test_the_real_project_validates_clean(capsys):
    """What CI runs: the committed models and content pass every rule (errors fail the build)."""
    status = main(["validate"])
    out = capsys.readouterr().out
    assert status == 0, f"nose-twitch validate found errors in the project:\n{out}"
    assert "validate: ok" in out, f"the summary line should say ok: {out!r}"


def test_the_real_project_has_no_warnings_either(run_validate):
    status, report = run_validate(DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR)
    assert status == 0 and report["ok"] is True
    assert report["problems"] == [], "warnings in the project:\n" + "\n".join(map(str, report["problems"]))


# --- planted faults: (plant, file, key fragment, message fragment) ------------------------------


def _missing_key(content: Path, models: Path) -> None:
    edit_yaml(second_language(content) / "common.yaml", lambda d: d.pop("goodbye"))


def _list_length(content: Path, models: Path) -> None:
    edit_yaml(second_language(content) / "topics.yaml", lambda d: d["topics"]["causes"]["items"].pop())


def _placeholder_mismatch(content: Path, models: Path) -> None:
    def change(d: dict) -> None:
        d["triage"]["texts"]["safety_net"] = "Si tu cara cae de repente, llama a {doctor}."

    edit_yaml(second_language(content) / "triage.yaml", change)


def _ssml_in_text(content: Path, models: Path) -> None:
    edit_yaml(content / "en" / "common.yaml", lambda d: d.update(goodbye='Take care. <break time="1s"/> Goodbye.'))


def _ampersand_in_text(content: Path, models: Path) -> None:
    edit_yaml(content / "en" / "common.yaml", lambda d: d["launch"].update(notice="Information & not advice."))


def _long_question(content: Path, models: Path) -> None:
    long = "Would you like " + " ".join(["to hear about causes, relief and prevention"] * 4) + "?"
    edit_yaml(content / "en" / "common.yaml", lambda d: d["launch"].update(question=long))


def _long_reprompt(content: Path, models: Path) -> None:
    long = "You can say " + ", or ".join(["tell me about stress and what it does to nerves"] * 3) + "."
    edit_yaml(content / "en" / "common.yaml", lambda d: d["more"].update(reprompt=long))


def _missing_source(content: Path, models: Path) -> None:
    edit_yaml(content / "en" / "topics.yaml", lambda d: d["topics"]["causes"]["items"][0].pop("source"))


def _missing_question_source(content: Path, models: Path) -> None:
    edit_yaml(content / "en" / "triage.yaml", lambda d: d["triage"]["questions"][2].pop("source"))


def _unknown_source(content: Path, models: Path) -> None:
    edit_yaml(content / "en" / "topics.yaml", lambda d: d["triggers"]["caffeine"]["items"][1].update(source="blog"))


def _zero_width_space(content: Path, models: Path) -> None:
    edit_yaml(content / "en" / "common.yaml", lambda d: d["more"].update(question="Want to hear\u200b more?"))


def _triage_does_not_build(content: Path, models: Path) -> None:
    edit_yaml(content / "en" / "triage.yaml", lambda d: d["triage"]["questions"][0].update(level="someday"))


def _duplicate_yaml_key(content: Path, models: Path) -> None:
    path = content / "en" / "common.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nlaunch:\n" in text
    path.write_text(text.replace("\nlaunch:\n", '\nlaunch:\n  notice: "Twice."\n', 1), encoding="utf-8")


def _duplicate_top_key_across_files(content: Path, models: Path) -> None:
    (content / "en" / "zz_extra.yaml").write_text('goodbye: "Bye."\n', encoding="utf-8")


def _locale_overrides_a_typo(content: Path, models: Path) -> None:
    (content / "en-US" / "zz_typo.yaml").write_text('launch:\n  welcom: "Hi."\n', encoding="utf-8")


def _duplicate_utterance(content: Path, models: Path) -> None:
    edit_model(models / "en-US.json", lambda m: intent(m, "CausesIntent")["samples"].append("what is nose twitching"))


def _same_utterance_twice(content: Path, models: Path) -> None:
    edit_model(models / "en-US.json", lambda m: intent(m, "ReliefIntent")["samples"].append("make it stop"))


def _too_few_samples(content: Path, models: Path) -> None:
    edit_model(models / "en-US.json", lambda m: intent(m, "MoreIntent").update(samples=["more", "go on"]))


def _invocation_with_open(content: Path, models: Path) -> None:
    edit_model(models / "en-US.json", lambda m: m.update(invocationName="open nose twitch"))


def _spanish_invocation_with_abre(content: Path, models: Path) -> None:
    model = json.loads((models / "en-US.json").read_text(encoding="utf-8"))
    language_model(model)["invocationName"] = "abre la guia"
    (models / "es-US.json").write_text(json.dumps(model, indent=2), encoding="utf-8")


def _undeclared_slot(content: Path, models: Path) -> None:
    edit_model(models / "en-US.json", lambda m: intent(m, "TriggerDetailIntent")["samples"].append("what about {thing}"))


def _trigger_without_content(content: Path, models: Path) -> None:
    def change(m: dict) -> None:
        trigger = next(t for t in m["types"] if t["name"] == "TRIGGER")
        trigger["values"].append({"id": "chocolate", "name": {"value": "chocolate", "synonyms": []}})

    edit_model(models / "en-US.json", change)


FAULTS = [
    pytest.param(_missing_key, "content/fr/common.yaml", "goodbye", "missing", id="missing-key"),
    pytest.param(_list_length, "content/fr/topics.yaml", "topics.causes.items", "items but content/en has",
                 id="list-length"),
    pytest.param(_placeholder_mismatch, "content/fr/triage.yaml", "triage.texts.safety_net",
                 "placeholders differ", id="placeholder-mismatch"),
    pytest.param(_ssml_in_text, "content/en/common.yaml", "goodbye", "'<'", id="ssml-lt"),
    pytest.param(_ampersand_in_text, "content/en/common.yaml", "launch.notice", "'&'", id="ampersand"),
    pytest.param(_long_question, "content/en/common.yaml", "launch.question", "one-breath", id="long-question"),
    pytest.param(_long_reprompt, "content/en/common.yaml", "more.reprompt", "one-breath", id="long-reprompt"),
    pytest.param(_missing_source, "content/en/topics.yaml", "topics.causes.items.0", "without source",
                 id="missing-source"),
    pytest.param(_missing_question_source, "content/en/triage.yaml", "triage.questions.2", "without source",
                 id="triage-question-without-source"),
    pytest.param(_unknown_source, "content/en/topics.yaml", "triggers.caffeine.items.1.source",
                 "unknown source id 'blog'", id="unknown-source"),
    pytest.param(_zero_width_space, "content/en/common.yaml", "more.question", "U+200B", id="unsupported-char"),
    pytest.param(_triage_does_not_build, "content/en/triage.yaml", "triage", "does not build", id="triage-build"),
    pytest.param(_duplicate_yaml_key, "content/en/common.yaml", "line", "duplicate key 'notice'",
                 id="duplicate-yaml-key"),
    pytest.param(_duplicate_top_key_across_files, "content/en/zz_extra.yaml", "goodbye",
                 "already defined in content/en/common.yaml", id="duplicate-key-across-files"),
    pytest.param(_duplicate_utterance, "interaction_model/en-US.json", "intents.CausesIntent: 'what is nose twitching'",
                 "same sample as in WhatIsItIntent", id="duplicate-utterance"),
    pytest.param(_same_utterance_twice, "interaction_model/en-US.json", "intents.ReliefIntent: 'make it stop'",
                 "listed twice", id="utterance-twice-in-one-intent"),
    pytest.param(_too_few_samples, "interaction_model/en-US.json", "intents.MoreIntent", "only 2 sample utterances",
                 id="too-few-samples"),
    pytest.param(_invocation_with_open, "interaction_model/en-US.json", "invocationName", "launch or wake words",
                 id="invocation-open"),
    pytest.param(_spanish_invocation_with_abre, "interaction_model/es-US.json", "invocationName",
                 "launch or wake words: ['abre']", id="spanish-invocation-abre"),
    pytest.param(_undeclared_slot, "interaction_model/en-US.json", "intents.TriggerDetailIntent",
                 "slot {thing} is not declared", id="undeclared-slot"),
    pytest.param(_trigger_without_content, "interaction_model/en-US.json", "types.TRIGGER.chocolate",
                 "no content triggers.chocolate", id="trigger-without-content"),
]


@pytest.mark.parametrize(("plant", "file", "key", "message"), FAULTS)
def test_each_rule_catches_a_planted_fault(project, run_validate, plant, file, key, message):
    content, models = project
    plant(content, models)
    status, report = run_validate(content, models)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert status == 1 and report["ok"] is False, f"{plant.__name__} should fail validation: {report}"
    hits = [p for p in errors if p["file"] == file and key in p["where"] and message in p["message"]]
    assert hits, f"no error naming {file} / {key} / {message!r}; got:\n" + "\n".join(
        f"{p['file']}: {p['where']}: {p['message']}" for p in errors
    )


def test_the_fault_copy_is_clean_before_planting(project, run_validate):
    """Proves the planted-fault tests fail because of the fault, not the copy."""
    content, models = project
    status, report = run_validate(content, models)
    assert status == 0, report


def test_a_second_language_copy_is_clean(project, run_validate):
    content, models = project
    second_language(content)
    status, report = run_validate(content, models)
    assert status == 0, report


def test_model_problems_give_the_line(project, run_validate):
    content, models = project
    _duplicate_utterance(content, models)
    status, report = run_validate(content, models)
    [problem] = [p for p in report["problems"] if "same sample" in p["message"]]
    line = int(problem["where"].split(":")[0].removeprefix("line "))
    text = (models / "en-US.json").read_text(encoding="utf-8").splitlines()[line - 1]
    assert '"what is nose twitching"' in text, f"line {line} should hold the duplicate sample: {text!r}"
    assert text != (models / "en-US.json").read_text(encoding="utf-8").splitlines()[0]


def test_warnings_are_printed_but_pass(project, capsys):
    """A long spoken sentence (not a question) is a warning: shown, exit status 0."""
    content, models = project
    long = " ".join(["Stress and poor sleep can both make the small nerves near your nose fire"] * 3) + "."
    edit_yaml(content / "en" / "common.yaml", lambda d: d["more"].update(none_left=long))
    status = main(["validate", "--content-dir", str(content), "--model-dir", str(models)])
    out = capsys.readouterr().out
    assert status == 0, f"warnings alone must pass: {out}"
    assert "content/en/common.yaml: more.none_left: warning: a sentence of" in out, out
    assert "validate: ok: 0 errors, 1 warnings" in out, out


def test_text_output_names_file_key_and_severity(project, capsys):
    content, models = project
    _ssml_in_text(content, models)
    status = main(["validate", "--content-dir", str(content), "--model-dir", str(models)])
    out = capsys.readouterr().out
    assert status == 1
    assert "content/en/common.yaml: goodbye: error: contains '<'" in out, out
    assert "validate: FAILED: 1 errors" in out, out


def test_a_missing_content_folder_is_an_error(tmp_path, run_validate):
    status, report = run_validate(tmp_path / "nothing", DEFAULT_MODEL_DIR)
    assert status == 1 and any("not found" in p["message"] for p in report["problems"]), report


# --- the THING slot type against the facts, both ways ---
FACTS = "content/en/facts.yaml"
MODEL = "interaction_model/en-US.json"


def thing_type(language_model: dict) -> dict:
    return next(t for t in language_model["types"] if t["name"] == "THING")


def _fact_about_unknown_thing(content, models):
    edit_yaml(content / "en" / "facts.yaml", lambda d: d["facts"]["botox_calms"].update(about="unicorn_tears"))


def _fact_about_nothing(content, models):
    edit_yaml(content / "en" / "facts.yaml", lambda d: d["facts"]["botox_calms"].pop("about"))


def _thing_value_without_facts(content, models):
    edit_model(models / "en-US.json", lambda m: thing_type(m)["values"].append(
        {"id": "acupuncture", "name": {"value": "acupuncture", "synonyms": []}}))


def _thing_value_whose_facts_are_gone(content, models):
    def change(d: dict) -> None:
        d["facts"] = {k: v for k, v in d["facts"].items() if v.get("about") != "emg" and "emg" not in v.get("about")}

    edit_yaml(content / "en" / "facts.yaml", change)


def _thing_missing_from_the_model(content, models):
    edit_model(models / "en-US.json", lambda m: thing_type(m).update(
        values=[v for v in thing_type(m)["values"] if v["id"] != "mri"]))


def _thing_with_unknown_topic(content, models):
    edit_yaml(content / "en" / "facts.yaml", lambda d: d["things"]["botox"].update(topic="astrology"))


def _unknown_treatment_link(content, models):
    edit_yaml(content / "en" / "facts.yaml", lambda d: d["things"]["hemifacial_spasm"].update(treatment="prayer"))


def _routing_to_a_missing_answer(content, models):
    edit_yaml(content / "en" / "facts.yaml", lambda d: d["routing"][0].update(to="topic.astrology"))


def _routing_without_words(content, models):
    edit_yaml(content / "en" / "facts.yaml", lambda d: d["routing"][1].update(words=" , "))


def _question_without_its_answer(content, models):
    def change(d: dict) -> None:
        d["things"].pop("tests")
        d["facts"] = {k: v for k, v in d["facts"].items() if v.get("about") != "tests"}
        d["routing"] = [r for r in d["routing"] if r["to"] != "thing.tests"]

    for language in ("en", "es"):
        edit_yaml(content / language / "facts.yaml", change)
    for model in models.glob("*.json"):
        edit_model(model, lambda m: thing_type(m).update(values=[v for v in thing_type(m)["values"] if v["id"] != "tests"]))


def _new_key_missing_in_spanish(content, models):
    edit_yaml(content / "es" / "facts.yaml", lambda d: d["facts"].pop("duration_stops"))


@pytest.mark.parametrize(
    ("plant", "file", "key", "message"),
    [
        pytest.param(_fact_about_unknown_thing, FACTS, "facts.botox_calms.about",
                     f"'unicorn_tears' is not a THING value in {MODEL}", id="fact-about-unknown-thing"),
        pytest.param(_fact_about_nothing, FACTS, "facts.botox_calms.about", "must say what it is about",
                     id="fact-about-nothing"),
        pytest.param(_thing_value_without_facts, MODEL, "types.THING.acupuncture",
                     f"no fact about it in {FACTS}", id="thing-value-without-facts"),
        pytest.param(_thing_value_whose_facts_are_gone, MODEL, "types.THING.emg",
                     f"no fact about it in {FACTS}", id="thing-whose-facts-are-gone"),
        pytest.param(_thing_missing_from_the_model, FACTS, "things.mri", f"not a THING value in {MODEL}",
                     id="thing-missing-from-model"),
        pytest.param(_thing_with_unknown_topic, FACTS, "things.botox.topic", "unknown topic 'astrology'",
                     id="unknown-topic"),
        pytest.param(_unknown_treatment_link, FACTS, "things.hemifacial_spasm.treatment", "unknown thing 'prayer'",
                     id="unknown-treatment"),
        pytest.param(_routing_to_a_missing_answer, FACTS, "routing.0.to", "'topic.astrology' is not a topic",
                     id="routing-to-nothing"),
        pytest.param(_routing_without_words, FACTS, "routing.1.words", "no words point to it", id="routing-no-words"),
        pytest.param(_question_without_its_answer, MODEL, "intents.TestsIntent", "no content things.tests",
                     id="question-intent-without-answer"),
        pytest.param(_new_key_missing_in_spanish, "content/es/facts.yaml", "facts.duration_stops",
                     "missing (content/en has it", id="new-key-missing-in-a-language"),
    ],
)
def test_validate_catches_facts_and_things_that_disagree(project, run_validate, plant, file, key, message):
    content, models = project
    plant(content, models)
    status, report = run_validate(content, models)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    hits = [p for p in errors if p["file"] == file and p["where"] == key and message in p["message"]]
    assert status == 1 and hits, f"no error naming {file} / {key} / {message!r}; got:\n" + "\n".join(
        f"{p['file']}: {p['where']}: {p['message']}" for p in errors
    )
