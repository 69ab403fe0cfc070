"""``nose-twitch package``: the ASK CLI project against the SMAPI types, and the Lambda zip run for real."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import zipfile
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_smapi_model.v1.skill.interaction_model.interaction_model_data import InteractionModelData
from ask_smapi_model.v1.skill.manifest.interface import Interface
from ask_smapi_model.v1.skill.manifest.interface_type import InterfaceType
from ask_smapi_model.v1.skill.manifest.skill_manifest_envelope import SkillManifestEnvelope

from skill.cli import main
from skill.config import DEFAULT_CONTENT_DIR, DEFAULT_MODEL_DIR
from skill.tools.models import parse_model
from skill.tools.ship import lambda_build, package
from skill.tools.envelopes import envelope, launch_request

ENDPOINT = "https://skill.example.org/alexa"
PRIVACY = "https://example.org/privacy"
TERMS = "https://example.org/terms"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:nose-twitch"
MODEL_LOCALES = sorted(p.stem for p in DEFAULT_MODEL_DIR.glob("*.json"))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ask") / "project"
    status = main(["package", "--endpoint", ENDPOINT, "--out", str(out), "--privacy-url", PRIVACY, "--terms-url", TERMS])
    assert status == 0, "packaging the real content and models should succeed"
    return out


@pytest.fixture(scope="module")
def manifest(project: Path) -> dict[str, Any]:
    return json.loads((project / "skill-package" / "skill.json").read_text(encoding="utf-8"))


def _models(project: Path) -> dict[str, dict[str, Any]]:
    folder = project / "skill-package" / "interactionModels" / "custom"
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}


# --- SMAPI shapes -----------------------------------------------------------------------------


def _class(type_name: str) -> type:
    module_name, _, class_name = type_name.rpartition(".")
    return getattr(__import__(module_name, fromlist=[class_name]), class_name)


def _unknown_keys(value: Any, type_name: str, where: str) -> list[str]:
    """Keys the SMAPI type does not have, anywhere below ``value`` (the deserializer drops them silently)."""
    if type_name.startswith("list["):
        inner = type_name[5:-1]
        return [bad for i, item in enumerate(value) for bad in _unknown_keys(item, inner, f"{where}[{i}]")]
    if type_name.startswith("dict("):
        inner = type_name[5:-1].split(", ", 1)[1]
        return [bad for k, item in value.items() for bad in _unknown_keys(item, inner, f"{where}.{k}")]
    if "." not in type_name:  # str, bool, int, object
        return []
    cls = _class(type_name)
    if issubclass(cls, Enum):
        values = {member.value for member in cls}
        return [] if value in values else [f"{where}: {value!r} is not a {cls.__name__}"]
    if getattr(cls, "discriminator_value_class_map", None):
        kind = value.get(cls.json_discriminator_key)
        if kind in cls.discriminator_value_class_map:
            cls = _class(cls.discriminator_value_class_map[kind])
        elif cls is Interface and kind in {member.value for member in InterfaceType}:
            # A documented interface type this SMAPI model version has no class for: just {"type": ...}.
            return [] if set(value) == {"type"} else [f"{where}: unexpected keys {sorted(set(value) - {'type'})}"]
        else:
            return [f"{where}: unknown {cls.__name__} type {kind!r}"]
    by_json = {json_key: attr for attr, json_key in cls.attribute_map.items()}
    problems = [f"{where}.{key}: not a field of {cls.__name__}" for key in value if key not in by_json]
    for key, item in value.items():
        if key in by_json:
            problems += _unknown_keys(item, cls.deserialized_types[by_json[key]], f"{where}.{key}")
    return problems


def _round_trip(data: dict[str, Any], cls: type) -> dict[str, Any]:
    serializer = DefaultSerializer()
    return serializer.serialize(serializer.deserialize(json.dumps(data), cls))


def test_manifest_uses_only_smapi_fields(manifest):
    problems = _unknown_keys(manifest, "ask_smapi_model.v1.skill.manifest.skill_manifest_envelope.SkillManifestEnvelope", "")
    assert not problems, f"skill.json has keys or values SMAPI does not know: {problems}"


def test_the_field_check_catches_a_misspelt_key(manifest):
    broken = copy.deepcopy(manifest)
    listing = broken["manifest"]["publishingInformation"]["locales"]["en-US"]
    listing["examplePhrase"] = listing.pop("examplePhrases")
    broken["manifest"]["apis"]["custom"]["interfaces"].append({"type": "ALEXA_PRESENTATION_SVG"})
    problems = _unknown_keys(broken, "ask_smapi_model.v1.skill.manifest.skill_manifest_envelope.SkillManifestEnvelope", "")
    assert any("examplePhrase:" in p for p in problems) and any("ALEXA_PRESENTATION_SVG" in p for p in problems), problems


def test_manifest_survives_the_smapi_round_trip(manifest):
    # SMAPI 1.36 has CAN_FULFILL_INTENT_REQUEST in InterfaceType but no Interface subclass for it, so
    # the interfaces are checked by test_manifest_uses_only_smapi_fields and compared here apart.
    without_interfaces = copy.deepcopy(manifest)
    interfaces = without_interfaces["manifest"]["apis"]["custom"].pop("interfaces")
    assert _round_trip(without_interfaces, SkillManifestEnvelope) == without_interfaces, (
        "deserializing skill.json into SMAPI types and back should change nothing"
    )
    assert [i["type"] for i in interfaces] == ["ALEXA_PRESENTATION_APL", "CAN_FULFILL_INTENT_REQUEST"]
    assert interfaces[1] == {"type": "CAN_FULFILL_INTENT_REQUEST"}
    assert _round_trip(interfaces[0], Interface) == interfaces[0], "the APL interface and its viewports survive"


def test_every_model_is_written_and_matches_smapi(project):
    models = _models(project)
    assert sorted(models) == MODEL_LOCALES, "one model per interaction_model/<locale>.json"
    for locale, model in models.items():
        source = json.loads((DEFAULT_MODEL_DIR / f"{locale}.json").read_text(encoding="utf-8"))
        assert model == source, f"{locale}: the packaged model should be the project's model"
        problems = _unknown_keys(model, "ask_smapi_model.v1.skill.interaction_model.interaction_model_data.InteractionModelData", locale)
        assert not problems, f"{locale}: keys SMAPI does not know: {problems}"
        assert _round_trip(model, InteractionModelData) == model, f"{locale}: the model should survive the round trip"


def test_ask_resources_points_at_the_skill_package(project):
    resources = json.loads((project / "ask-resources.json").read_text(encoding="utf-8"))
    assert resources == {
        "askcliResourcesVersion": "2020-03-31",
        "profiles": {"default": {"skillMetadata": {"src": "./skill-package"}}},
    }


# --- what the listing says --------------------------------------------------------------------


def test_publishing_information_covers_every_locale(manifest):
    info = manifest["manifest"]["publishingInformation"]
    assert manifest["manifest"]["manifestVersion"] == "1.0"
    assert info["category"] == "HEALTH_AND_FITNESS"
    assert sorted(info["locales"]) == MODEL_LOCALES
    assert info["distributionCountries"] == sorted({locale.split("-")[1] for locale in MODEL_LOCALES})
    assert info["isAvailableWorldwide"] is False, "countries are listed, so the skill is not worldwide"
    for locale, listing in info["locales"].items():
        for key in ("name", "summary", "description", "examplePhrases", "keywords"):
            assert listing.get(key), f"{locale}: {key} is missing or empty"
        assert len(listing["summary"]) <= 160 and len(listing["description"]) <= 4000


def _listing_content(store, locale: str):
    """The content a locale's listing comes from: its own, or English when it has none."""
    content = store.for_locale(locale)
    return content if content.has("manifest") else store.for_locale("en")


def test_every_description_carries_the_disclaimer(manifest, store):
    for locale, listing in manifest["manifest"]["publishingInformation"]["locales"].items():
        content = _listing_content(store, locale)
        disclaimer = content.text("manifest.disclaimer")
        assert listing["description"].endswith(f"\n\n{disclaimer}"), f"{locale}: the description must end with the disclaimer"
        if content.tag.startswith("en"):
            assert "not a substitute for professional medical advice" in disclaimer, locale
        number = content.locale_params["emergency_number_display"]
        assert number in disclaimer, f"{locale}: the disclaimer should name the emergency number {number}"


def test_example_phrases_are_real_sample_utterances(manifest, project, store):
    models = _models(project)
    for locale, listing in manifest["manifest"]["publishingInformation"]["locales"].items():
        model = parse_model(models[locale])
        invocation = model.invocation_name
        samples = {s.lower() for s in model.samples() if "{" not in s}
        connectors = set(_listing_content(store, locale).node("manifest.connecting_words"))
        phrases = listing["examplePhrases"]
        assert 1 <= len(phrases) <= 3, f"{locale}: Alexa takes at most three example phrases"
        if locale.startswith("en-"):
            assert phrases[0] == f"Alexa, open {invocation}", f"{locale}: the first phrase should open the skill"
            assert all(p.startswith(f"Alexa, ask {invocation} ") for p in phrases[1:]), phrases
        assert phrases[0].startswith("Alexa, ") and phrases[0].endswith(f" {invocation}"), (
            f"{locale}: the first phrase should be a launch phrase: {phrases[0]!r}"
        )
        for phrase in phrases[1:]:
            assert phrase.startswith("Alexa, ") and f" {invocation} " in phrase, f"{locale}: {phrase!r}"
            rest = phrase.split(f" {invocation} ", 1)[1].rstrip(".?!").lower()
            words = rest.split(" ", 1)
            assert rest in samples or (words[0] in connectors and words[-1] in samples), (
                f"{locale}: {phrase!r} is not a sample utterance of the {locale} model"
            )


def test_privacy_flags_are_truthful_and_urls_are_per_locale(manifest):
    privacy = manifest["manifest"]["privacyAndCompliance"]
    assert {k: v for k, v in privacy.items() if k != "locales"} == {
        "allowsPurchases": False,
        "usesPersonalInfo": False,
        "isChildDirected": False,
        "isExportCompliant": True,
        "containsAds": False,
        "usesHealthInfo": False,
    }
    assert privacy["locales"] == {
        locale: {"privacyPolicyUrl": PRIVACY, "termsOfUseUrl": TERMS} for locale in MODEL_LOCALES
    }


def test_no_privacy_urls_unless_given(tmp_path):
    assert main(["package", "--endpoint", ENDPOINT, "--out", str(tmp_path)]) == 0
    manifest = json.loads((tmp_path / "skill-package" / "skill.json").read_text(encoding="utf-8"))
    assert "locales" not in manifest["manifest"]["privacyAndCompliance"]


def test_https_endpoint_and_certificate(manifest, tmp_path):
    custom = manifest["manifest"]["apis"]["custom"]
    assert custom["endpoint"] == {"uri": ENDPOINT, "sslCertificateType": "Wildcard"}, "Wildcard is the default"
    assert main(["package", "--endpoint", ENDPOINT, "--certificate-type", "Trusted", "--out", str(tmp_path)]) == 0
    written = json.loads((tmp_path / "skill-package" / "skill.json").read_text(encoding="utf-8"))
    assert written["manifest"]["apis"]["custom"]["endpoint"]["sslCertificateType"] == "Trusted"


def test_lambda_arn_endpoint_has_no_certificate(tmp_path):
    assert main(["package", "--lambda-arn", ARN, "--out", str(tmp_path)]) == 0
    written = json.loads((tmp_path / "skill-package" / "skill.json").read_text(encoding="utf-8"))
    assert written["manifest"]["apis"]["custom"]["endpoint"] == {"uri": ARN}


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--endpoint", "http://skill.example.org/alexa"], "https://"),
        (["--endpoint", "https://skill.example.org:8443/alexa"], "port 443"),
        (["--endpoint", "https:///alexa"], "host"),
        (["--lambda-arn", "arn:aws:s3:::bucket"], "Lambda function ARN"),
        (["--lambda-arn", ARN, "--certificate-type", "Trusted"], "--certificate-type"),
        (["--endpoint", ENDPOINT, "--privacy-url", "privacy.html"], "--privacy-url"),
        ([], "nothing to write"),
        (["--out", "somewhere"], "--endpoint URL, --lambda-arn ARN or --deploy-lambda"),
    ],
)
def test_bad_flags_are_refused_with_a_clear_message(flags, says, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status = main(["package", *flags])
    err = capsys.readouterr().err
    assert status == 2, f"{flags} should be refused with exit status 2"
    assert says in err, f"the refusal of {flags} should say {says!r}: {err!r}"
    assert not (tmp_path / "somewhere").exists() and not (tmp_path / "build").exists(), "nothing is written"


def _content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def test_an_example_phrase_the_model_cannot_hear_is_refused(tmp_path, capsys):
    content = _content_copy(tmp_path)
    manifest_yaml = content / "en" / "manifest.yaml"
    text = manifest_yaml.read_text(encoding="utf-8")
    manifest_yaml.write_text(text.replace("what causes nose twitching", "sing me a song"), encoding="utf-8")
    status = main(["package", "--endpoint", ENDPOINT, "--out", str(tmp_path / "out"), "--content-dir", str(content)])
    err = capsys.readouterr().err
    assert status == 2 and "sing me a song" in err and "not a sample utterance" in err, err
    assert not (tmp_path / "out").exists(), "nothing is written when the listing is wrong"


def test_a_language_without_a_listing_falls_back_to_english(tmp_path, capsys):
    content = _content_copy(tmp_path)
    shutil.copytree(content / "en", content / "de")
    (content / "de" / "manifest.yaml").unlink()
    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODEL_DIR, models)
    shutil.copy(models / "en-US.json", models / "de-DE.json")
    out = tmp_path / "out"
    status = main(["package", "--endpoint", ENDPOINT, "--out", str(out), "--content-dir", str(content), "--model-dir", str(models)])
    err = capsys.readouterr().err
    assert status == 0 and "de-DE" in err and "English" in err, f"the fallback should be reported: {err!r}"
    info = json.loads((out / "skill-package" / "skill.json").read_text(encoding="utf-8"))["manifest"]["publishingInformation"]
    assert "DE" in info["distributionCountries"]
    assert "not a substitute for professional medical advice" in info["locales"]["de-DE"]["description"]


def test_example_phrase_check_names_the_problem():
    samples = ["check my symptoms", "tell me about {trigger}"]
    check = package.example_phrase_problem
    assert check("Alexa, open nose twitch guide", "nose twitch guide", samples, ["to"]) is None
    assert check("Alexa, ask nose twitch guide to check my symptoms.", "nose twitch guide", samples, ["to"]) is None
    assert "sample" in check("Alexa, ask nose twitch guide to dance", "nose twitch guide", samples, ["to"])
    assert "sample" in check("Alexa, ask nose twitch guide tell me about {trigger}", "nose twitch guide", samples, [])
    assert "invocation" in check("Alexa, check my symptoms", "nose twitch guide", samples, ["to"])
    assert "Alexa" in check("open nose twitch guide", "nose twitch guide", samples, ["to"])


# --- the Lambda zip ---------------------------------------------------------------------------


def test_lambda_requirements_come_from_pyproject_without_the_webhook():
    names = {lambda_build.requirement_name(r) for r in lambda_build.lambda_requirements()}
    assert {"ask-sdk-core", "pyyaml"} <= names
    webhook = {"flask", "gunicorn", "cryptography", "certifi", "prometheus-client"}
    assert not names & webhook, "the Lambda function runs neither the webhook nor its signature check"
    everything = {lambda_build.requirement_name(r) for r in lambda_build.project_dependencies()}
    tools = {"jinja2", "markupsafe"}  # the review page's templates
    assert not names & tools, "the Lambda function runs none of the team's tools"
    assert names == everything - webhook - tools, "one list: pyproject's dependencies"


#: Runs the handler from an unzipped package; flask and gunicorn are made unimportable on purpose.
_RUN_HANDLER = """
import json, sys
sys.modules["flask"] = None
sys.modules["gunicorn"] = None
import skill.lambda_handler as h
print(json.dumps({"module": h.__file__, "response": h.handler(json.load(sys.stdin), None)}))
"""


def _run_handler(root: Path, cwd: Path, *python_flags: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "SKILL_ID", "SKILL_CONTENT_DIR", "SKILL_DEV"}}
    env["PYTHONPATH"] = str(root)
    event = envelope(launch_request("en-US"), new=True)
    done = subprocess.run(
        [sys.executable, *python_flags, "-c", _RUN_HANDLER],
        input=json.dumps(event), capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"the handler failed from the zip:\n{done.stderr[-3000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(result["module"]).resolve().is_relative_to(root.resolve()), "the zip's own skill package must run"
    return result["response"]


def _assert_launch(response: dict[str, Any], store) -> None:
    welcome = store.for_locale("en-US").text("launch.welcome")
    speech = response["response"]["outputSpeech"]["ssml"]
    assert welcome in speech, f"the launch response should welcome the user: {speech!r}"
    assert response["response"]["shouldEndSession"] is False


def test_zip_without_dependencies_holds_the_skill_and_runs(tmp_path, store):
    first, second = tmp_path / "a" / "skill.zip", tmp_path / "b" / "skill.zip"
    for path in (first, second):
        assert main(["package", "--zip", str(path), "--no-deps"]) == 0
    assert first.read_bytes() == second.read_bytes(), "the same inputs should make the same zip"
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
    assert "skill/lambda_handler.py" in names and "skill/content/en/common.yaml" in names
    assert "skill/content/en/manifest.yaml" in names and "skill/config.py" in names
    assert "skill/content/__init__.py" in names, "the content is a resource package, as in the wheel"
    foreign = [n for n in names if (n.endswith(".pyc") and not n.endswith(".cpython-313.pyc"))]
    assert not foreign, f"only the python3.13 runtime's bytecode may ship: {foreign[:3]}"
    assert json.loads(zipfile.ZipFile(first).read("skill/_lambda_build.json"))["runtime"] == "python3.13"
    assert not [n for n in names if n.startswith(("interaction_model/", "tests/", "skill/interaction_model/"))]
    assert not [n for n in names if n.startswith(("flask/", "gunicorn/", "skill/web/", "skill/tools/"))]
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(first) as archive:
        archive.extractall(unzipped)
    # Run here, on this machine's Python and packages (--no-deps): the runtime stamp would rightly
    # refuse a Python other than 3.13 (tests/tools/ship/test_lambda_build.py runs the real thing on 3.13).
    (unzipped / "skill" / "_lambda_build.json").unlink()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    _assert_launch(_run_handler(unzipped, elsewhere), store)
