"""Certification self-check (tools layer): ``nose-twitch validate --certification``.

Runs Amazon's functional test list for a custom skill through the real skill, in process, in every
locale that has an interaction model, and the package-level requirements once:

- **launch**: a new session opens with a question and a reprompt;
- **one-shots**: every custom intent of the model said straight away ("Alexa, ask ... why does my
  nose twitch"), with its slots empty and with each slot filled with one of its type's values,
  on a device without a screen and on one with a screen;
- **built-ins**: Help, Stop, Cancel, Fallback, NavigateHome, Repeat and StartOver in an open
  session (Stop and Cancel end it, Help keeps it open);
- **odd slots**: every slot sent empty, and filled with a value the model does not have;
- **session end**: a SessionEndedRequest gets an empty answer;
- **name-free**: every intent gets a silent CanFulfillIntentRequest verdict, and ``FactIntent``
  says YES only for a thing that is about a twitch (every THING value is sent);
- **emergency evidence** (Policy 4, misleading health responses): an emergency phrasing whose sign
  did not resolve, or has none, never gets the emergency answer but a question; a resolved sign
  gets it and closes the session; a call to a person is never an emergency;
- **"no" ends it**: "no" to the open "What would you like to know?" (after launch, after help, after
  a topic) ends the session within two turns, never "I'm not sure what that answers";
- every response above: well-formed SSML in ``<speak>``, speech at most 8000 characters, the
  response at most 24 KB, no unfilled ``{placeholder}``, an open session ends its speech with a
  question and has a reprompt, a closed one asks nothing, a card has a title and text, and no
  request ends in the skill's error apology;
- **package**: the icons (PNG, exact sizes), the privacy flags and policy, the store listing and
  its example phrases, the phrases the skill suggests, and ``validate`` itself.

It prints one table row per check and locale (Markdown, to attach to a submission) or, with
``--json``, the same rows as JSON. Exit status 1 when any row fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from skill.alexa.invoker import Skill
from skill.alexa.speech import MAX_RESPONSE_BYTES, MAX_SPEECH_CHARS
from skill.config import SkillConfig
from skill.domain.content import ContentStore
from skill.domain.errors import ContentError
from skill.tools import envelopes
from skill.tools.checks.phrases import check_description_phrases, check_suggestions
from skill.tools.checks.project import check_project
from skill.tools.ship import manifest
from skill.tools.ship.package import build_listing, load_models
from skill.tools.models import Intent, InteractionModel, ModelError, load_model, model_paths
from skill.tools.session import invoke, parse_ssml

BUILT_INS = (
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
)
#: Built-ins that must end the session, and those that must keep it open.
ENDS_SESSION = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"})
KEEPS_SESSION = frozenset({"AMAZON.HelpIntent"})
#: FactIntent things that are general health subjects, never YES name-free ("tell me about yoga"), with
#: those of issue 19: how long, the medical name, nerves and muscles, tics, which doctor, tests and a past
#: stroke are general; eye and nose ("el párpado"), blepharospasm ("excessive blinking") and the treatment
#: of hemifacial spasm ("decompression surgery") each have a synonym that is.
GENERAL_THINGS = frozenset({"yoga", "mri", "emg", "hydration", "exercise", "meditation", "massage", "breathing",
                            "stroke", "neurologist", "family_doctor", "botox", "sleep_habits", "warm_compress",
                            "duration", "medical_name", "nerve_muscle", "tics", "which_specialist", "tests",
                            "past_stroke", "eye_and_nose", "blepharospasm", "hemifacial_treatment"})
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
PASS, FAIL = "PASS", "FAIL"


@dataclass(frozen=True)
class Row:
    """One line of the table: a check in a locale ("all" for the package), its result and why."""

    check: str
    locale: str
    result: str
    detail: str


# --- one response against Alexa's rules ------------------------------------------------------------


def response_problems(envelope: Mapping[str, Any], log: Mapping[str, str] | None = None) -> list[str]:
    """Every rule this response breaks (empty when it passes)."""
    problems = []
    size = len(json.dumps(envelope).encode("utf-8"))
    if size > MAX_RESPONSE_BYTES:
        problems.append(f"response is {size} bytes (max {MAX_RESPONSE_BYTES})")
    if log and log.get("error"):
        problems.append(f"the skill failed ({log['error']}) and apologised")
    response = envelope.get("response")
    if envelope.get("version") != "1.0" or not isinstance(response, dict):
        return problems + ["not a version 1.0 response envelope"]
    output = response.get("outputSpeech")
    if output is None:
        if response.get("reprompt") is not None:
            problems.append("a reprompt without speech")
        return problems
    ssml = output.get("ssml", "") if output.get("type") == "SSML" else ""
    if not ssml:
        return problems + ["speech is not SSML"]
    if len(ssml) > MAX_SPEECH_CHARS:
        problems.append(f"speech is {len(ssml)} characters (max {MAX_SPEECH_CHARS})")
    text, error = parse_ssml(ssml)
    if error:
        return problems + [error]
    texts = [text or ""]
    if not text:
        problems.append("speech is empty")
    card = response.get("card")
    if card is not None:
        if not card.get("title") or not (card.get("content") or card.get("text")):
            problems.append("a card without a title or text")
        elif card.get("type", "Simple") == "Simple" and not card.get("content"):
            problems.append("a Simple card without content")
        texts += [card.get("title", ""), card.get("content", "") or card.get("text", "")]
    if response.get("shouldEndSession") is False:
        reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
        if not reprompt:
            problems.append("the session stays open without a reprompt")
        else:
            reprompt_text, error = parse_ssml(reprompt)
            problems += [f"reprompt: {error}"] if error else []
            texts.append(reprompt_text or "")
        if not (text or "").rstrip().endswith("?"):
            problems.append(f"the session stays open but the speech asks nothing: ...{(text or '')[-60:]!r}")
    elif response.get("shouldEndSession") is True:
        if (text or "").rstrip().endswith("?"):
            problems.append(f"the session ends on a question: ...{(text or '')[-60:]!r}")
    else:
        problems.append("speech without shouldEndSession")
    for piece in texts:
        if _PLACEHOLDER.search(piece or ""):
            problems.append(f"an unfilled placeholder in {piece!r}")
    return problems


@dataclass
class LocaleRun:
    """The functional checks of one locale, against its model."""

    skill: Skill
    locale: str
    model: InteractionModel

    def custom_intents(self) -> tuple[Intent, ...]:
        return self.model.custom_intents

    def slot_value(self, slot_type: str) -> dict[str, Any] | None:
        """A value of a custom slot type as Alexa resolves it, or a reading of a built-in type."""
        if slot_type == "AMAZON.DURATION":
            return {"value": "P3W"}
        for type_ in self.model.types:
            if type_.name == slot_type and type_.values:
                value = type_.values[0]
                return {"value": value.value, "id": value.id or value.value}
        return None

    def send(self, request: dict[str, Any], **kwargs: Any) -> list[str]:
        response, log = invoke(self.skill, envelopes.envelope(request, **kwargs))
        return response_problems(response, log)

    def launch(self) -> Row:
        response, log = invoke(self.skill, envelopes.envelope(envelopes.launch_request(self.locale), new=True))
        problems = response_problems(response, log)
        if response.get("response", {}).get("shouldEndSession") is not False:
            problems.append("the launch must keep the session open and ask what the user wants")
        return _row("launch", self.locale, problems, "opens with a question and a reprompt")

    def one_shots(self) -> list[Row]:
        rows = []
        for screen, interfaces in (("voice", None), ("screen", envelopes.APL)):
            problems, count = [], 0
            for intent in self.custom_intents():
                variants: list[list[dict[str, Any]]] = [[]]
                filled = []
                for slot in intent.slots:
                    value = self.slot_value(slot.type)
                    if value is not None:
                        filled.append(envelopes.slot(slot.name, value["value"], id=value.get("id"), slot_type=slot.type))
                if filled:
                    variants.append(filled)
                for slots in variants:
                    count += 1
                    request = envelopes.intent_request(intent.name, *slots, locale=self.locale)
                    problems += [f"{intent.name}: {p}" for p in self.send(request, new=True, interfaces=interfaces)]
            rows.append(_row(f"one-shots ({screen})", self.locale, problems, f"{count} requests, every custom intent"))
        return rows

    def built_ins(self) -> Row:
        problems = []
        for intent in BUILT_INS:
            response, log = invoke(
                self.skill, envelopes.envelope(envelopes.intent_request(intent, locale=self.locale), new=False)
            )
            found = [f"{intent}: {p}" for p in response_problems(response, log)]
            ends = response.get("response", {}).get("shouldEndSession")
            if intent in ENDS_SESSION and ends is not True:
                found.append(f"{intent} must end the session")
            if intent in KEEPS_SESSION and ends is not False:
                found.append(f"{intent} must keep the session open")
            problems += found
        return _row("built-ins", self.locale, problems, ", ".join(i.removeprefix("AMAZON.") for i in BUILT_INS))

    def built_ins_during_check(self) -> Row:
        """The built-ins again, during the symptom check (its handlers own them there)."""
        start = envelopes.envelope(envelopes.intent_request("SymptomCheckIntent", locale=self.locale), new=True)
        response, log = invoke(self.skill, start)
        problems = [f"SymptomCheckIntent: {p}" for p in response_problems(response, log)]
        attributes = response.get("sessionAttributes") or {}
        for intent in BUILT_INS:
            request = envelopes.intent_request(intent, locale=self.locale)
            reply, log = invoke(self.skill, envelopes.envelope(request, attributes=attributes))
            problems += [f"{intent}: {p}" for p in response_problems(reply, log)]
            if intent in ENDS_SESSION and (reply.get("response") or {}).get("shouldEndSession") is not True:
                problems.append(f"{intent} must end the session during the check too")
        return _row("built-ins during the symptom check", self.locale, problems, "the same seven, mid-check")

    def odd_slots(self) -> Row:
        problems, count = [], 0
        for intent in self.custom_intents():
            for slot in intent.slots:
                for variant, data in (
                    ("empty", envelopes.slot(slot.name)),
                    ("unknown value", envelopes.slot(slot.name, "purple elephant", match=False, slot_type=slot.type)),
                ):
                    count += 1
                    request = envelopes.intent_request(intent.name, data, locale=self.locale)
                    problems += [f"{intent.name} {slot.name} {variant}: {p}" for p in self.send(request, new=True)]
        for intent in self.custom_intents():
            count += 1
            request = envelopes.intent_request(intent.name, envelopes.slot("undeclared", "boston"), locale=self.locale)
            problems += [f"{intent.name} with an undeclared slot: {p}" for p in self.send(request, new=True)]
        return _row("empty and unexpected slots", self.locale, problems, f"{count} requests")

    def session_end(self) -> Row:
        problems = []
        for reason in ("USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR"):
            request = envelopes.session_ended_request(reason, locale=self.locale)
            response, log = invoke(self.skill, envelopes.envelope(request))
            if (response.get("response") or {}).get("outputSpeech"):
                problems.append(f"{reason}: a SessionEndedRequest must get no speech")
            problems += [f"{reason}: {p}" for p in response_problems(response, log)]
        return _row("session ended", self.locale, problems, "no speech after the session ends")

    def name_free(self) -> Row:
        problems = []
        for intent in self.model.intents:
            request = envelopes.can_fulfill_request(intent.name, locale=self.locale)
            response, _ = invoke(self.skill, envelopes.envelope(request, new=True))
            body = response.get("response") or {}
            verdict = (body.get("canFulfillIntent") or {}).get("canFulfill")
            if verdict not in {"YES", "NO", "MAYBE"}:
                problems.append(f"{intent.name}: no canFulfill verdict")
            if body.get("outputSpeech") or body.get("card") or "shouldEndSession" in body:
                problems.append(f"{intent.name}: a CanFulfillIntentRequest must get only a verdict")
        return _row("name-free", self.locale, problems, "every intent gets a silent YES / NO / MAYBE")

    def name_free_facts(self) -> Row:
        """C-2: YES only for a thing that is about a twitch; every other known thing is MAYBE. The
        general subjects the review named (and their like) are listed here apart from the handler's
        own set, so a handler that says YES to them fails this row."""
        from skill.alexa.handlers.can_fulfill import TWITCH_THINGS

        problems, count = [], 0
        for type_ in self.model.types:
            if type_.name != "THING":
                continue
            for value in type_.values:
                count += 1
                data = envelopes.slot("thing", value.value, id=value.id, slot_type="THING")
                request = envelopes.can_fulfill_request("FactIntent", data, locale=self.locale)
                response, _ = invoke(self.skill, envelopes.envelope(request, new=True))
                verdict = ((response.get("response") or {}).get("canFulfillIntent") or {}).get("canFulfill")
                expected = "YES" if value.id in TWITCH_THINGS - GENERAL_THINGS else "MAYBE"
                if verdict != expected:
                    problems.append(f"FactIntent {value.id}: {verdict}, expected {expected}")
        return _row("name-free facts", self.locale, problems, f"{count} things: YES only for twitch things")

    def emergency_evidence(self) -> Row:
        """H-3n: the emergency answer only on evidence; everyday words in an open carrier get a question."""
        problems = []
        weak = [("an unresolved sign", envelopes.slot("sign", "trouble sleeping", match=False,
                                                      slot_type="EMERGENCY_SIGN")), ("no sign", None)]
        for start in ("one-shot", "mid-check"):
            attributes: dict[str, Any] = {}
            if start == "mid-check":
                begun, _ = invoke(self.skill, envelopes.envelope(
                    envelopes.intent_request("SymptomCheckIntent", locale=self.locale), new=True))
                attributes = begun.get("sessionAttributes") or {}
            for name, data in weak:
                request = envelopes.intent_request("EmergencyIntent", *([data] if data else []), locale=self.locale)
                response, log = invoke(self.skill, envelopes.envelope(request, attributes=attributes, new=not attributes))
                problems += [f"{name} ({start}): {p}" for p in response_problems(response, log)]
                if log.get("disposition") == "emergency":
                    problems.append(f"EmergencyIntent with {name} ({start}) got the emergency answer")
                if (response.get("response") or {}).get("shouldEndSession") is not False:
                    problems.append(f"EmergencyIntent with {name} ({start}) must ask its one question")
        strong = envelopes.intent_request(
            "EmergencyIntent", envelopes.slot("sign", "a stroke", id="stroke", slot_type="EMERGENCY_SIGN"),
            locale=self.locale)
        response, log = invoke(self.skill, envelopes.envelope(strong, new=True))
        problems += [f"a resolved sign: {p}" for p in response_problems(response, log)]
        if log.get("disposition") != "emergency" or (response.get("response") or {}).get("shouldEndSession") is not True:
            problems.append("a resolved sign must get the emergency answer and close the session")
        if any(i.name == "CallSomeoneIntent" for i in self.custom_intents()):
            call = envelopes.intent_request(
                "CallSomeoneIntent", envelopes.slot("callee", "my wife", id="person", slot_type="CALLEE"),
                locale=self.locale)
            response, log = invoke(self.skill, envelopes.envelope(call, new=True))
            problems += [f"a call to a person: {p}" for p in response_problems(response, log)]
            if log.get("disposition") == "emergency":
                problems.append("a call to a person got the emergency answer")
        return _row("emergency evidence", self.locale, problems,
                    "unresolved or no sign: a question, never the command; a resolved sign: the answer, closed")

    def no_ends_it(self) -> Row:
        """V-8: "no" to an open question says goodbye; after a yes/no offer, a second "no" does."""
        problems = []
        openers = [("launch", envelopes.launch_request(self.locale)),
                   ("help", envelopes.intent_request("AMAZON.HelpIntent", locale=self.locale)),
                   ("a topic", envelopes.intent_request("CausesIntent", locale=self.locale))]
        for name, opener in openers:
            response, log = invoke(self.skill, envelopes.envelope(opener, new=True))
            for turn in range(2):
                attributes = response.get("sessionAttributes") or {}
                response, log = invoke(self.skill, envelopes.envelope(
                    envelopes.intent_request("AMAZON.NoIntent", locale=self.locale), attributes=attributes))
                problems += [f"after {name}, no #{turn + 1}: {p}" for p in response_problems(response, log)]
                if (response.get("response") or {}).get("shouldEndSession") is True:
                    break
            else:
                problems.append(f"after {name}: two 'no's did not end the session")
        return _row("no ends the session", self.locale, problems, "after launch, help and a topic")

    def rows(self) -> list[Row]:
        return [
            self.launch(), *self.one_shots(), self.built_ins(), self.built_ins_during_check(),
            self.odd_slots(), self.session_end(), self.name_free(), self.name_free_facts(),
            self.emergency_evidence(), self.no_ends_it(),
        ]  # fmt: skip


def _row(check: str, locale: str, problems: Sequence[str], passed: str) -> Row:
    if not problems:
        return Row(check, locale, PASS, passed)
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    return Row(check, locale, FAIL, shown)


# --- the package ---------------------------------------------------------------------------------


def package_rows(config: SkillConfig) -> list[Row]:
    """Icons, privacy, the store listing, example and suggested phrases, and ``validate``."""
    rows = []
    problems = check_project(config.content_dir, config.model_dir)
    errors = [p for p in problems if p.severity == "error"]
    rows.append(_row("validate", "all", [str(p) for p in errors], f"models and content pass ({len(problems)} warnings)"))
    rows.append(_row("icons", "all", manifest.committed_icon_problems(),
                     "108x108 and 512x512 PNGs, placed in every locale by package"))
    privacy = manifest.privacy_and_compliance(["en-US"])
    wrong = [f"{k} is {privacy.get(k)}" for k, v in manifest.PRIVACY_FLAGS.items() if privacy.get(k) is not v]
    policy = Path(__file__).resolve().parents[3] / "docs" / "privacy.md"
    detail = "flags truthful (no personal or health info kept, no ads, purchases or children); "
    detail += "docs/privacy.md ready to publish; package --certification requires --privacy-url"
    if not policy.is_file():
        detail = "flags truthful; publish the privacy policy (docs/privacy.md in the repository) and pass --privacy-url"
    rows.append(_row("privacy", "all", wrong, detail))
    try:
        store = ContentStore.load(config.content_dir)
        models = load_models(config.model_dir)
    except ContentError as exc:
        return rows + [Row("store listing", "all", FAIL, str(exc))]
    for model in models:
        try:
            listing = build_listing(store, model)
            rows.append(Row("store listing", model.locale, PASS, " | ".join(listing.data["examplePhrases"])))
        except ContentError as exc:
            rows.append(Row("store listing", model.locale, FAIL, str(exc)))
    described = check_description_phrases(config.content_dir, config.model_dir)
    rows.append(_row("description phrases", "all", [str(p) for p in described],
                     "every quoted phrase has the wake word, the invocation name and a sample"))
    suggested = check_suggestions(config.content_dir, config.model_dir)
    rows.append(_row("suggested phrases", "all", [str(p) for p in suggested],
                     "every phrase the skill suggests is a sample of its locale's model"))
    return rows


# --- the command ----------------------------------------------------------------------------------


def certification_rows(config: SkillConfig, skill: Skill | None = None) -> list[Row]:
    """Every row of the self-check: each locale's functional checks, then the package's."""
    from skill.alexa.builder import build_skill

    skill = skill or build_skill(config)
    rows: list[Row] = []
    for path in model_paths(config.model_dir):
        try:
            model = load_model(path)
        except ModelError as exc:
            rows.append(Row("model", path.stem, FAIL, str(exc)))
            continue
        rows += LocaleRun(skill, path.stem, model).rows()
    return rows + package_rows(config)


def render_table(rows: Iterable[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| check | locale | result | detail |", "|---|---|---|---|"]
    for row in rows:
        detail = row.detail.replace("|", "/").replace("\n", " ")
        lines.append(f"| {row.check} | {row.locale} | {row.result} | {detail} |")
    return "\n".join(lines)


def run_certification(config: SkillConfig, *, as_json: bool = False, out: Callable[[str], None] = print) -> int:
    rows = certification_rows(config)
    failed = [row for row in rows if row.result == FAIL]
    if as_json:
        out(json.dumps({"ok": not failed, "failed": len(failed), "rows": [asdict(r) for r in rows]}, indent=2, ensure_ascii=False))
    else:
        out(render_table(rows))
        verdict = "passed" if not failed else f"FAILED: {len(failed)} of {len(rows)} checks"
        out(f"\ncertification self-check {verdict} ({len(rows)} checks)")
    return 1 if failed else 0
