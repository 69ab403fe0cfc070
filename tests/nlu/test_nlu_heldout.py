"""NLU evaluation: held-out phrasings, written apart from the samples, against every locale's model.

A classifier trained only on a locale's interaction model (skill/tools/nlu/classifier.py, standing in
for Alexa's learned NLU) must get at least 90 % of them right, intent and slots. The exact-match
rate (what virtual-alexa does) and the confusions are printed (``pytest -s``) and are in the
assertion message. Phrasings whose intent a model does not have yet are left out and counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from skill.cli import main
from skill.config import DEFAULT_MODEL_DIR
from skill.tools.nlu import blind as blind_sets
from skill.tools.nlu.classifier import IntentClassifier
from skill.tools.models import load_model, model_paths
from skill.tools.nlu.matcher import FALLBACK_INTENT, Interpretation, SlotFill
from skill.tools.nlu.evaluate import (
    DEFAULT_PHRASINGS_DIR,
    Phrasing,
    PhrasingError,
    annotation_set,
    evaluate,
    is_right,
    load_phrasings,
)
from tests.support.training import Classifiers

LOCALES = [p.stem for p in model_paths(DEFAULT_MODEL_DIR)]
MIN_RIGHT = 0.90
#: The intents another branch adds (issue 11): their phrasings are here already and count once merged.
EXPECTED_NEW_INTENTS = ("FactIntent", "SourcesIntent")




@pytest.mark.parametrize("locale", LOCALES)
def test_classifier_understands_held_out_phrasings(locale: str, trained: Callable[[str], IntentClassifier]) -> None:
    model = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")
    report = evaluate(model, locale, load_phrasings(DEFAULT_PHRASINGS_DIR, locale), trained(locale))
    print("\n" + report.describe())
    assert report.evaluated >= 80, f"{locale}: only {report.evaluated} phrasings could be evaluated"
    assert report.classifier_rate >= MIN_RIGHT, (
        f"{locale}: the classifier got {report.classifier_rate:.1%} of held-out phrasings right "
        f"(intent and slots), below {MIN_RIGHT:.0%}:\n{report.describe()}"
    )


def test_held_out_sets_are_big_enough_and_cover_every_custom_intent() -> None:
    counts = {}
    for language in ("en", "es"):
        entries = yaml.safe_load((DEFAULT_PHRASINGS_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
        counts[language] = len(entries)
        labelled = {entry["intent"] for entry in entries}
        for locale in (loc for loc in LOCALES if loc.startswith(language)):
            custom = {i for i in load_model(DEFAULT_MODEL_DIR / f"{locale}.json").intent_slots() if "." not in i}
            # The emergency route has its own held-out sets (issue 10; issue 17's blind set holds the
            # calls to people that CallSomeoneIntent hears): tests/nlu/test_emergency_nlu.py.
            missing = sorted(custom - labelled - {"EmergencyIntent", "CallSomeoneIntent"})
            assert not missing, f"{language}.yaml has no phrasing for {missing} of {locale}"
        assert set(EXPECTED_NEW_INTENTS) <= labelled, f"{language}.yaml: phrasings for {EXPECTED_NEW_INTENTS}"
    assert counts["en"] >= 200 and counts["es"] >= 80, f"held-out phrasings: {counts}"


def test_phrasings_are_not_copies_of_samples() -> None:
    """Written apart: a held-out line equal to a sample would measure memory, not understanding."""
    from skill.tools.nlu.matcher import fold, normalise

    copies = []
    for locale in LOCALES:
        model = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")
        samples = {fold(normalise(s)) for s in model.samples()}
        copies += [f"{locale}: {p.say!r}" for p in load_phrasings(DEFAULT_PHRASINGS_DIR, locale)
                   if fold(normalise(p.say)) in samples]
    assert not copies, "held-out phrasings that are samples:\n" + "\n".join(copies)


# --- the evaluation's own rules ----------------------------------------------------------------

TRIGGER = "TRIGGER"


def _said(intent: str, **slots: str | None) -> Interpretation:
    return Interpretation(intent, tuple(
        SlotFill(name, TRIGGER, value and "said", "ER_SUCCESS_MATCH" if value else None, value)
        for name, value in slots.items()
    ))


@pytest.mark.parametrize(("got", "expected"), [
    (_said("TriggerDetailIntent", trigger="caffeine"), (True, True)),
    (_said("TriggerDetailIntent", trigger="stress"), (True, False)),      # wrong value id
    (_said("TriggerDetailIntent", trigger=None), (True, False)),          # slot left empty
    (_said("CausesIntent"), (False, False)),                              # wrong intent
    (None, (False, False)),                                               # no exact match at all
])
def test_a_phrasing_is_right_only_with_its_intent_and_slot_ids(got: Interpretation | None,
                                                               expected: tuple[bool, bool]) -> None:
    phrasing = Phrasing("does coffee make it worse", "TriggerDetailIntent", {"trigger": "caffeine"})
    assert is_right(phrasing, got) == expected


def test_a_slot_filled_that_should_be_empty_is_wrong() -> None:
    assert is_right(Phrasing("what about it", "TriggerDetailIntent"), _said("TriggerDetailIntent", trigger="stress")) \
        == (True, False)


def test_phrasings_for_intents_the_model_lacks_are_left_out_and_counted(
    trained: Callable[[str], IntentClassifier],
) -> None:
    model = load_model(DEFAULT_MODEL_DIR / "en-US.json")
    phrasings = [
        Phrasing("why does my nose keep flickering", "CausesIntent"),
        Phrasing("who made this skill's facts", "NoSuchIntent"),
        Phrasing("is it the coffee", "TriggerDetailIntent", {"no_such_slot": "caffeine"}),
    ]
    report = evaluate(model, "en-US", phrasings, trained("en-US"))
    assert report.evaluated == 1
    assert report.left_out == {"NoSuchIntent": 1, "TriggerDetailIntent": 1}
    assert "2 left out" in report.describe()


def test_classifier_api_intent_slots_and_fallback(trained: Callable[[str], IntentClassifier]) -> None:
    classifier = trained("en-US")
    said = classifier.predict("could all the coffee i drink be doing this")
    assert said.intent == "TriggerDetailIntent"
    trigger = said.slot("trigger")
    assert trigger is not None and trigger.id == "caffeine" and trigger.value == "coffee"
    assert classifier.predict("play some jazz in the kitchen").intent == FALLBACK_INTENT
    assert classifier.predict("").intent == FALLBACK_INTENT
    spanish = trained("es-US").predict("el café me da el tic en la nariz")
    assert (spanish.intent, spanish.slot("trigger").id) == ("TriggerDetailIntent", "caffeine")


def test_annotation_set_is_smapi_shaped_and_names_the_words_said() -> None:
    model = load_model(DEFAULT_MODEL_DIR / "en-US.json")
    phrasings = [
        Phrasing("could the hay fever be doing it", "TriggerDetailIntent", {"trigger": "allergies"}),
        Phrasing("how do i calm it down", "ReliefIntent"),
        Phrasing("facts please", "NoSuchIntent"),
    ]
    body, notes = annotation_set(model, phrasings)
    assert body == {"data": [
        {"inputs": {"utterance": "could the hay fever be doing it"},
         "expected": [{"intent": {"name": "TriggerDetailIntent", "slots": {"trigger": {"value": "hay fever"}}}}]},
        {"inputs": {"utterance": "how do i calm it down"}, "expected": [{"intent": {"name": "ReliefIntent"}}]},
    ]}
    assert notes == []


def test_bad_phrasing_file_names_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("- {say: fine, intent: CausesIntent}\n- {intent: CausesIntent}\n", encoding="utf-8")
    with pytest.raises(PhrasingError, match=r"en\.yaml: entry 2: .*'say'"):
        load_phrasings(tmp_path, "en-US")


def test_locale_lines_only_reach_their_locales(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text(
        "- {say: when should i see my gp then, intent: WhenToSeeDoctorIntent, locales: [en-GB]}\n"
        "- {say: why is it twitching, intent: CausesIntent}\n", encoding="utf-8")
    assert [p.say for p in load_phrasings(tmp_path, "en-US")] == ["why is it twitching"]
    assert len(load_phrasings(tmp_path, "en-GB")) == 2


@pytest.mark.slow  # trains both NLU stand-ins for every locale
def test_nlu_eval_command_prints_rates_and_writes_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              shared_training: Classifiers) -> None:
    out = tmp_path / "annotations"
    assert main(["nlu-eval", "--locale", "es-MX", "--annotations-out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "exact match (as virtual-alexa)" in printed.out and "classifier, intent and slots" in printed.out
    assert "neighbours, intent and slots" in printed.out, "the second stand-in is reported beside the classifier"
    assert "heldout_c es-MX" in printed.out and "first measure (2026-12-06" in printed.out, (
        "the blind sets are reported beside their first measure"
    )
    assert "ask smapi update-annotations-for-nlu-annotation-sets" in printed.err
    body = json.loads((out / "es-MX.json").read_text(encoding="utf-8"))
    assert len(body["data"]) >= 80
    assert all(item["expected"][0]["intent"]["name"] and item["inputs"]["utterance"] for item in body["data"])


def test_nlu_eval_without_scikit_learn_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import skill.tools.nlu.classifier as classifier

    def missing() -> None:
        raise classifier.ClassifierUnavailable(classifier.INSTALL_HINT)

    monkeypatch.setattr(classifier, "_sklearn", missing)
    assert main(["nlu-eval", "--locale", "en-US"]) == 2
    assert "pip install -e '.[dev]'" in capsys.readouterr().err


def test_nlu_eval_unknown_locale_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nlu-eval", "--locale", "fr-FR"]) == 2
    assert "no interaction model for fr-FR" in capsys.readouterr().err


@pytest.mark.slow  # trains both NLU stand-ins for every locale
def test_nlu_eval_json_reports_each_blind_set_with_both_stand_ins(capsys: pytest.CaptureFixture[str],
                                                                  shared_training: Classifiers) -> None:
    assert main(["nlu-eval", "--locale", "en-GB", "--only", "blind", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["labelled"] == []
    rows = {blind["set"]: blind for blind in report["blind"]}
    with_en_gb = {name for name, lines in blind_sets.load_blind_sets(DEFAULT_PHRASINGS_DIR).items()
                  if any(line.locale == "en-GB" for line in lines)}
    assert {"heldout_b", "heldout_d", "heldout_e", "heldout_f"} <= with_en_gb
    assert {name: row["locale"] for name, row in rows.items()} == dict.fromkeys(with_en_gb, "en-GB")
    assert rows["heldout_b"]["lines"] == 49
    for blind in rows.values():
        assert set(blind["answer"]) == set(blind["intent"]) == {"classifier", "neighbours"}
        assert all(0 <= blind["answer"][name] <= blind["lines"] for name in blind["answer"])
