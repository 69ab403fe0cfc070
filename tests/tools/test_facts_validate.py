"""``nose-twitch validate`` checks the THING slot type against the facts, both ways."""

from __future__ import annotations

import pytest

from tests.tools.test_validate import edit_model, edit_yaml, project, run_validate  # noqa: F401 - fixture

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
