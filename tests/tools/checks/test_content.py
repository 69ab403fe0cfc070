"""``nose-twitch validate`` on the symptom check's own rules: each catches a fault planted in a copy.

The rules (skill/domain/triage.py, skill/domain/triage_budget.py, skill/tools/checks/content.py):
at most three signs per question, a reprompt names exactly its question's signs, every outcome
reason exists, every triage fact cites a known source and a clinical one is a named reference,
and the spoken-time budgets (question sentence 8 s, emergency signs within 30 s).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml


#: Slow: most tests plant a fault in a copy of the content and check it all; the fast loop (-m 'not slow') leaves them to the full suite.
pytestmark = pytest.mark.slow


def edit_triage(content: Path, change: Callable[[dict], None], language: str = "en") -> None:
    path = content / language / "triage.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["triage"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def question(triage: dict, qid: str) -> dict:
    return next(q for q in triage["questions"] if q["id"] == qid)


def _four_signs(t: dict) -> None:
    question(t, "sudden_balance_sight_headache")["signs"].append("confusion")


def _reprompt_drops_a_sign(t: dict) -> None:
    question(t, "sudden_face_or_limb")["reprompt"] = "Did your face suddenly droop on one side? Say yes, no, or not sure."


def _reprompt_adds_a_sign(t: dict) -> None:
    question(t, "eye_wont_close")["reprompt"] = "Does the eye not close, or is there a rash? Say yes, no, or not sure."


def _ask_misses_its_sign(t: dict) -> None:
    question(t, "two_weeks")["signs"] = ["two_weeks", "medicine"]


def _unknown_reference(t: dict) -> None:
    question(t, "new_face_weakness")["source"] = ["mechanism", "nhs_made_up"]


def _missing_reason(t: dict) -> None:
    question(t, "painful_or_swollen").pop("reason")


def _long_question(t: dict) -> None:
    question(t, "daily_life")["ask"] = (
        "Is the twitching disrupting your daily life at work, at home, at school, with friends, with family, "
        "or when you try to sleep at night?"
    )


def _emergency_sign_too_late(t: dict) -> None:
    extra = dict(question(t, "sudden_speech_or_confusion"), id="sudden_extra")
    t["questions"].insert(2, extra)


FAULTS = [
    pytest.param(_four_signs, "triage", "at most 3 per question", id="four-signs"),
    pytest.param(_reprompt_drops_a_sign, "triage", "names different signs from its question; drops ['arm_or_leg']",
                 id="reprompt-drops-a-sign"),
    pytest.param(_reprompt_adds_a_sign, "triage", "adds ['ear_rash']", id="reprompt-adds-a-sign"),
    pytest.param(_ask_misses_its_sign, "triage", "does not name its signs ['medicine']", id="ask-misses-a-sign"),
    pytest.param(_unknown_reference, "triage.questions.4.source", "unknown source id 'nhs_made_up'",
                 id="unknown-reference"),
    pytest.param(_missing_reason, "triage", "reason: missing", id="missing-reason"),
    pytest.param(_long_question, "triage", "time budget broken: sentence daily_life.ask", id="long-question"),
    pytest.param(_emergency_sign_too_late, "triage", "time budget broken: reach sudden_balance_sight_headache",
                 id="emergency-sign-too-late"),
]


@pytest.mark.parametrize(("plant", "where", "message"), FAULTS)
def test_each_triage_rule_catches_a_planted_fault(project, run_validate, plant, where, message):
    content, models = project
    edit_triage(content, plant)
    status, report = run_validate(content, models)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert status == 1 and report["ok"] is False, f"{plant.__name__} should fail validation"
    hits = [p for p in errors if p["file"] == "content/en/triage.yaml" and where in p["where"] and message in p["message"]]
    assert hits, f"no error naming {where} / {message!r}; got:\n" + "\n".join(
        f"{p['file']}: {p['where']}: {p['message']}" for p in errors
    )


def test_a_cited_reference_without_its_address_is_not_a_named_reference(project, run_validate):
    content, models = project
    path = content / "en" / "sources_clinical.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["clinical_sources"]["nhs_tics"].pop("url")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    status, report = run_validate(content, models)
    hits = [p for p in report["problems"] if p["severity"] == "error" and "'nhs_tics' is not a named reference" in p["message"]]
    assert status == 1 and hits, "a triage fact citing a reference with no URL must fail: " + json.dumps(report["problems"])


def test_the_copy_is_clean_before_planting(project, run_validate):
    content, models = project
    status, report = run_validate(content, models)
    assert status == 0, report


def test_the_skill_refuses_to_start_on_a_broken_budget(project):
    from skill.alexa.resources import SkillResources
    from skill.domain.content import ContentStore
    from skill.domain.errors import ContentError

    content, _ = project
    edit_triage(content, _long_question)
    with pytest.raises(ContentError, match="time budget broken"):
        SkillResources(ContentStore.load(content))
