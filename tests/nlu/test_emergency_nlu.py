"""The emergency route, heard as chat hears typed words and answered by the real skill: recall and precision.

Two held-out sets, both written apart from the interaction models and never copied into them:

- ``emergency_heldout.yaml``: emergency statements and everyday twitch questions, written by the
  project before issue 17;
- ``emergency_precision.yaml``: written blind by a writer who never saw the models (issue 17): calm
  everyday lines by kind, hedged answers, and fresh emergencies, in English and Spanish.

Each line is heard the way ``nose-twitch chat`` hears typed words by default (an exact sample first,
else a statistical classifier trained only on the locale's model: Alexa's NLU is learned from
samples, so this is the closest offline stand-in for a device), and the request it builds is sent
to the skill. Recall: every emergency statement gets the locale's number in the first ten words in
every conversation position (at least 95 % for each position and locale of the older set; every one
of the blind set). Precision: no calm line, in any locale of its language, one-shot, after launch or
at the symptom check's first question, ever gets the emergency command (the one emergency answer);
the weak-evidence question ("If this is an emergency, call ... now. ... Is any of that happening
now?") is allowed. Hedged answers are heard as meant, or as "not sure" for a yes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skill.config import DEFAULT_MODEL_DIR
from skill.tools.chat import LearnedMatcher
from skill.tools.models import load_model, sample_key
from skill.tools.nlu.matcher import Matcher
from tests.support.client import Conversation, speech
from tests.support.emergency import number_first, positions
from tests.support.locales import LOCALES

HERE = Path(__file__).parent
PHRASINGS = yaml.safe_load((HERE / "emergency_heldout.yaml").read_text(encoding="utf-8"))
BLIND = yaml.safe_load((HERE / "emergency_precision.yaml").read_text(encoding="utf-8"))
#: The share of the older held-out statements that must get the number first, per position and locale.
TARGET = 0.95
#: The share of hedged answers heard as meant (or "not sure" for a yes), per language.
ANSWER_TARGET = 0.9
#: Intents that are the emergency route (a call for the emergency services is heard as a call).
EMERGENCY_ROUTE = frozenset({"EmergencyIntent", "CallSomeoneIntent"})
MEANS = {"yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent", "unsure": "UnsureIntent"}
#: Blind lines that are also samples, and why (none was copied from the blind set):
#: - already samples on main 3e3e36a, before the blind set was written;
#: - named as samples to add by issue 17 itself and the clinical review (N3), both written before it.
ALLOWED_SAMPLES = {
    "en": {"he's not breathing", "i need an ambulance", "i'm not sure", "maybe", "possibly",  # main
           "i think so"},  # issue 17: '"I think so", "creo que sí" and "probably" go to yes or not-sure'
    "es": {"a lo mejor", "más o menos", "necesito una ambulancia", "ni idea", "no estoy seguro", "no lo sé bien",
           "puede ser", "quizás",  # main
           "creo que sí", "creo que no"},  # issue 17 and review N3: "creo que sí / creo que no"
}


def phrasings(locale: str, kind: str) -> list[str]:
    return PHRASINGS[locale.split("-")[0]][kind]


def blind(locale: str, section: str) -> list[dict]:
    """The blind set's lines of a section said in ``locale`` (a line naming a locale is said only there)."""
    return [line for line in BLIND[locale.split("-")[0]][section] if line.get("locale", locale) == locale]


@pytest.fixture(scope="module")
def hearing(trained):
    """Chat's default hearing per locale: an exact sample, else the classifier (``chat --nlu auto``)."""
    cache: dict[str, LearnedMatcher] = {}

    def get(locale: str) -> LearnedMatcher:
        if locale not in cache:
            cache[locale] = LearnedMatcher(Matcher.load(DEFAULT_MODEL_DIR / f"{locale}.json", locale), trained(locale))
        return cache[locale]

    return get


def got_the_command(conv: Conversation) -> bool:
    """The emergency answer was given (the route logs the emergency disposition, and nothing else does)."""
    return conv.log.get("disposition") == "emergency"


# --- the sets themselves ------------------------------------------------------------------------


def samples_of(locale: str) -> set[str]:
    return {sample_key(s) for s in load_model(DEFAULT_MODEL_DIR / f"{locale}.json").samples()}


@pytest.mark.parametrize("language", sorted(PHRASINGS))
def test_held_out_lines_are_not_samples(language):
    """Held-out emergencies and every blind line stay out of the models (the older calm list is made of
    everyday questions the models answer, so it may hold samples)."""
    statements = PHRASINGS[language]["emergency"]
    assert len(set(statements)) >= 25, f"{language}: at least 25 different held-out emergency statements"
    said = [*statements, *(line["say"] for section in BLIND[language].values() for line in section)]
    for locale in (loc for loc in LOCALES if loc.startswith(language)):
        samples = samples_of(locale)
        copied = sorted(s for s in said if sample_key(s) in samples and s not in ALLOWED_SAMPLES[language])
        assert not copied, f"{locale}: held-out lines must not be copies of samples: {copied}"


@pytest.mark.parametrize("language", sorted(BLIND))
def test_the_blind_set_covers_every_kind_and_at_least_60_calm_lines(language):
    calm = BLIND[language]["calm"]
    kinds = {line["kind"] for line in calm}
    assert len(calm) >= 60, f"{language}: at least 60 calm lines, got {len(calm)}"
    assert {"carrier", "third_person", "negation", "call_person", "help", "question", "other"} <= kinds, kinds
    assert len(BLIND[language]["answers"]) >= 30 and len(BLIND[language]["emergency"]) >= 40


# --- recall -------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_held_out_emergencies_land_on_the_emergency_route(hearing, locale):
    statements = [*phrasings(locale, "emergency"), *(line["say"] for line in blind(locale, "emergency"))]
    missed = [f"{said!r} -> {hearing(locale).match(said).describe()}" for said in statements
              if hearing(locale).match(said).intent not in EMERGENCY_ROUTE]
    rate = 1 - len(missed) / len(statements)
    assert rate >= TARGET, f"{locale}: {rate:.0%} of held-out emergencies reach the emergency route; missed:\n" + \
        "\n".join(missed)


def _number_first_everywhere(skill, resources, hearing, locale: str, statements: list[str]) -> dict[str, list[str]]:
    """Per position, the statements whose answer did not bring the number in the first ten words."""
    heard = {said: hearing(locale).match(said) for said in statements}
    protocol = resources.for_locale(locale).protocol
    misses: dict[str, list[str]] = {}
    for position in positions(len(protocol.questions)):
        start = Conversation(skill, locale=locale)
        position.reach(start)
        for said, interpretation in heard.items():
            conv = Conversation(skill, locale=locale)
            conv.attributes, conv.new = dict(start.attributes), start.new
            text = speech(conv.send(interpretation.request(locale)))
            if not number_first(text, locale):
                misses.setdefault(position.name, []).append(f"{said!r} -> {interpretation.describe()}: {text[:80]!r}")
    return misses


@pytest.mark.parametrize("locale", LOCALES)
def test_held_out_emergencies_get_the_number_first_in_every_position(skill, resources, hearing, locale):
    statements = phrasings(locale, "emergency")
    misses = _number_first_everywhere(skill, resources, hearing, locale, statements)
    report = [f"{name}: {1 - len(m) / len(statements):.0%}\n    " + "\n    ".join(m)
              for name, m in misses.items() if 1 - len(m) / len(statements) < TARGET]
    assert not report, f"{locale}: held-out emergencies below {TARGET:.0%} with the number first:\n" + "\n".join(report)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_blind_emergency_gets_the_number_first_in_every_position(skill, resources, hearing, locale):
    """The fresh emergencies of the blind set, chest pain phrasings included: every one, everywhere."""
    statements = [line["say"] for line in blind(locale, "emergency")]
    misses = _number_first_everywhere(skill, resources, hearing, locale, statements)
    assert not misses, f"{locale}: fresh emergencies without the number first:\n" + "\n".join(
        f"{name}:\n    " + "\n    ".join(m) for name, m in misses.items())


# --- precision ----------------------------------------------------------------------------------


def _starts(conv: Conversation, where: str) -> None:
    if where == "after launch":
        conv.launch()
    elif where == "at check question 1":
        conv.launch()
        conv.intent("SymptomCheckIntent")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_blind_calm_line_gets_the_emergency_command(skill, hearing, locale):
    """The over-triage table: every calm line, through the classifier and the real skill, in three places."""
    wrong = []
    lines = blind(locale, "calm")
    assert len(lines) >= 60, f"{locale}: {len(lines)} calm lines"
    for line in lines:
        interpretation = hearing(locale).match(line["say"])
        for where in ("one-shot", "after launch", "at check question 1"):
            conv = Conversation(skill, locale=locale)
            _starts(conv, where)
            text = speech(conv.send(interpretation.request(locale)))
            if got_the_command(conv):
                wrong.append(f"{where}: {line['say']!r} ({line['kind']}) -> {interpretation.describe()}: {text[:70]!r}")
    assert not wrong, f"{locale}: everyday talk must never get the emergency command:\n" + "\n".join(wrong)


@pytest.mark.slow  # every calm line through the skill in every position
@pytest.mark.parametrize("locale", ["en-US", "es-US"])
def test_no_blind_calm_line_gets_the_command_with_the_samples_matcher_either(skill, locale):
    """``chat --nlu samples`` (exact, then by similarity): the same table, one-shot."""
    matcher = Matcher.load(DEFAULT_MODEL_DIR / f"{locale}.json", locale)
    wrong = []
    for line in blind(locale, "calm"):
        interpretation = matcher.match(line["say"])
        conv = Conversation(skill, locale=locale)
        conv.send(interpretation.request(locale))
        if got_the_command(conv):
            wrong.append(f"{line['say']!r} -> {interpretation.describe()}")
    assert not wrong, f"{locale}: the emergency command for everyday talk:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_everyday_twitch_questions_never_get_the_command(skill, hearing, locale):
    wrong = []
    for said in phrasings(locale, "calm"):
        interpretation = hearing(locale).match(said)
        for launch_first in (False, True):
            conv = Conversation(skill, locale=locale)
            if launch_first:
                conv.launch()
            text = speech(conv.send(interpretation.request(locale)))
            if got_the_command(conv):
                wrong.append(f"{said!r} -> {interpretation.describe()}: {text[:80]!r}")
    assert not wrong, f"{locale}: everyday questions must not be treated as emergencies:\n" + "\n".join(wrong)


# --- hedged answers -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", sorted(BLIND))
def test_hedged_answers_are_heard_as_meant(hearing, language):
    """ "I think so", "creo que no", "a veces": yes, no or not sure, never strong emergency evidence; a
    yes may be heard as "not sure" (the check treats both alike at a red flag). An answer heard as
    EmergencyIntent without a sign gets the emergency question, which keeps the check (tested below)."""
    total, wrong, emergencies = 0, [], []
    for locale in (loc for loc in LOCALES if loc.startswith(language)):
        samples = samples_of(locale)
        for line in blind(locale, "answers"):
            if sample_key(line["say"]) in samples:
                continue  # measured on what the models were not given word for word
            heard = hearing(locale).match(line["say"])
            total += 1
            if heard.intent in EMERGENCY_ROUTE and any(s.id for s in heard.slots):
                emergencies.append(f"{locale}: {line['say']!r} -> {heard.describe()}")
            if heard.intent != MEANS[line["means"]] and not (line["means"] == "yes" and heard.intent == "UnsureIntent"):
                wrong.append(f"{locale}: {line['say']!r} ({line['means']}) -> {heard.describe()}")
    assert not emergencies, f"{language}: hedged answers heard as an emergency: {emergencies}"
    rate = 1 - len(wrong) / total
    assert rate >= ANSWER_TARGET, f"{language}: {rate:.0%} heard as meant:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_hedged_answer_never_wipes_the_check(skill, hearing, locale):
    """At every answer the check either goes on (a question, pending "triage"), reaches its outcome, or
    (heard as weak emergency evidence) waits behind the emergency question and resumes after "no"."""
    lost = []
    for line in blind(locale, "answers"):
        conv = Conversation(skill, locale=locale)
        conv.launch()
        conv.intent("SymptomCheckIntent")
        conv.send(hearing(locale).match(line["say"]).request(locale))
        if conv.attributes.get("pending") == "emergency_check":  # heard as weak evidence: the check is kept
            conv.intent("AMAZON.NoIntent")  # aside, and "no" to the emergency question returns to it
        if not (conv.attributes.get("pending") in {"triage", "outcome_details"} or conv.log.get("disposition")):
            lost.append(f"{line['say']!r}: {conv.attributes!r}")
    assert not lost, f"{locale}: a hedged answer lost the check:\n" + "\n".join(lost)
