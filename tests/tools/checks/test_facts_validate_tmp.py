"""``nose-twitch validate`` checks the THING slot type against the facts, both ways."""

from __future__ import annotations

import pytest

from tests.tools.checks.test_validate import edit_model, edit_yaml, project, run_validate  # noqa: F401 - fixture

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
def test_validate_catches_facts_and_things_that_disagree(project, capsys, plant, file, key, message):  # noqa: F811
    content, models = project
    plant(content, models)
    status, report = run_validate(capsys, content, models)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    hits = [p for p in errors if p["file"] == file and p["where"] == key and message in p["message"]]
    assert status == 1 and hits, f"no error naming {file} / {key} / {message!r}; got:\n" + "\n".join(
        f"{p['file']}: {p['where']}: {p['message']}" for p in errors
    )
