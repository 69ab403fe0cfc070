"""Blind sets (issue 19): phrasings written by people who never saw the models, measured by what the
skill answers, with two stand-ins for Alexa's NLU.

Every locale of every blind set must reach 90 % at the answer level (the skill's first response
carries the topic's facts) with both the classifier and the neighbours. The first-measure figures
are recorded in tests/nlu/heldout/first_measure.yaml and printed beside today's, never asserted.
The sets are never copied into a model: a sample equal to, or nearly, a blind line fails here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

import pytest

from skill.config import DEFAULT_MODEL_DIR
from skill.domain import facts
from skill.domain.content import Content, ContentStore
from skill.domain.topics import page
from skill.tools.nlu import blind
from skill.tools.models import load_model
from skill.tools.nlu.matcher import phrase_key
from skill.tools.nlu.evaluate import DEFAULT_PHRASINGS_DIR

MIN_RIGHT = 0.90
HELDOUT = DEFAULT_PHRASINGS_DIR
SETS = blind.load_blind_sets(HELDOUT)
#: Sets measured once and waiting for the next round (``next/``): not gated yet, but never copied either.
WAITING = blind.load_blind_sets(HELDOUT / "next")
ANSWERS = blind.load_topic_answers(HELDOUT / blind.TOPIC_ANSWERS)
FIRST = blind.load_first_measure(HELDOUT / blind.FIRST_MEASURE)
CASES = sorted({(name, line.locale) for name, lines in SETS.items() for line in lines})
#: Samples that were already in the models when the sets were first measured (main 3e3e36a) and that a
#: writer happened to say, or nearly. No sample written since may equal or nearly copy a blind line.
SAMPLES_AT_FIRST_MEASURE = frozenset({
    "what happens at the appointment", "es grave que me tiemble la nariz", "cómo evito que me vuelva a pasar",
    "cuánto dura un tic en la nariz", "qué es un tic en la nariz",
    # the Spanish help's example phrase (content and e2e say it; a device must match it), in the
    # models since before the first measure; set E's writer added "güey" to it
    "por qué me tiembla la nariz",
})
#: A sample of at least NEAR_WORDS words this close to a blind line (word-level similarity) is a near-copy;
#: shorter everyday questions ("what is a nose twitch") are bound to meet a blind line's words.
NEAR_COPY = 0.9
NEAR_WORDS = 6


def topic_ids() -> list[str]:
    return re.findall(r"^- `([a-z_:]+)`", (HELDOUT / "TOPICS.md").read_text(encoding="utf-8"), flags=re.M)


@pytest.fixture(scope="module")
def judge(skill, store: ContentStore) -> blind.AnswerJudge:
    return blind.AnswerJudge(skill, store, blind.reaching_intents)


@pytest.mark.parametrize(("set_name", "locale"), CASES, ids=[f"{s}-{loc}" for s, loc in CASES])
def test_every_locale_answers_the_blind_set_with_both_stand_ins(set_name, locale, judge, trained, neighbours) -> None:
    lines = [line for line in SETS[set_name] if line.locale == locale]
    report = blind.measure(set_name, locale, lines, ANSWERS,
                               {"classifier": trained(locale), "neighbours": neighbours(locale)}, judge)
    print("\n" + blind.describe([report], FIRST))
    low = {name: report.answer_rate(name) for name in report.answer if report.answer_rate(name) < MIN_RIGHT}
    misses = "\n".join(f"  {m.stand_in}: {m.say!r} [{m.topic}] heard {m.heard} -> {m.said!r}" for m in report.misses)
    assert not low, f"{set_name} {locale}: below {MIN_RIGHT:.0%}: {low}\n{blind.describe([report], FIRST)}\n{misses}"


def test_the_sets_are_labelled_with_the_topic_list_and_every_topic_is_mapped() -> None:
    listed = topic_ids()
    assert len(listed) >= 60 and set(ANSWERS) == set(listed), "topics.yaml maps exactly the topics of TOPICS.md"
    used = {line.topic for lines in SETS.values() for line in lines}
    assert used <= set(listed), f"lines labelled with topics not in TOPICS.md: {sorted(used - set(listed))}"
    assert sum(len(lines) for lines in SETS.values()) >= 450 and len(SETS) >= 3
    unanswered = sorted(topic for topic in used if not ANSWERS[topic])
    assert not unanswered, f"topics the skill has no answer for: {unanswered}"


@pytest.mark.parametrize("tag", ["en", "es", "en-GB", "es-ES"])
def test_every_mapped_answer_exists_in_the_content(store: ContentStore, judge, tag: str) -> None:
    content = store.for_locale(tag)
    missing = [f"{topic}: {answer}" for topic, answers in ANSWERS.items() for answer in answers
               if answer.kind not in {"check"} and judge.marker(content, answer) is None]
    assert not missing, f"{tag}: answers topics.yaml names that the content lacks: {missing}"


#: Pairs the lead's first-measure mapping (topics_v0.yaml) already accepted: answers about the same thing
#: under another name (sleep habits for sleep, water for dehydration).
FIRST_MEASURE_PAIRS = frozenset({("thing:sleep_habits", "trigger", "sleep"), ("trigger:dehydration", "fact", "hydration")})


def _first_response(content: Content, answer: blind.Answer) -> str:
    if answer.kind == "fact":
        found = facts.answer(content, answer.id)
        return " ".join(found.lines) if found else ""
    return " ".join(page(content, answer.kind, answer.id or "").lines)


def _names(content: Content, said: str, name: str) -> bool:
    words = phrase_key(said).split()
    wanted = [w for w in phrase_key(name).split() if len(w) > 2]
    return all(any(s.startswith(w[:-1] if len(w) > 4 else w) for s in words) for w in wanted)


@pytest.mark.parametrize("tag", ["en", "en-GB", "es", "es-ES"])
def test_another_answer_accepted_for_a_thing_or_trigger_names_it_first(store: ContentStore, tag: str) -> None:
    """ "Does coffee cause it?" answered by the causes topic counts only if that page says caffeine."""
    content = store.for_locale(tag)
    wrong = []
    for topic, answers in ANSWERS.items():
        kind, _, wanted = topic.partition(":")
        if kind not in {"thing", "trigger"}:
            continue
        name = content.format(content.node(f"{kind}s.{wanted}.name"))
        own = "fact" if kind == "thing" else "trigger"
        wrong += [f"{topic} -> {a.kind}.{a.id} (no {name!r})" for a in answers
                  if (a.kind, a.id) != (own, wanted) and (topic, a.kind, a.id) not in FIRST_MEASURE_PAIRS
                  and not _names(content, _first_response(content, a), name)]
    assert not wrong, f"{tag}: answers that don't name what was asked in their first response: {wrong}"


def near_copies(samples: set[str], lines: set[str]) -> list[str]:
    """Each sample of at least NEAR_WORDS words with a word-level similarity of at least NEAR_COPY
    to a line, as "sample ~ line". One matcher per line (difflib indexes its second sequence); the
    two quick ratios are upper bounds of ``ratio()`` (difflib's documented use), so they only skip
    pairs that cannot be near."""
    long = [(sample, sample.split()) for sample in samples if len(sample.split()) >= NEAR_WORDS]
    found = []
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for line in lines:
        matcher.set_seq2(line.split())
        for sample, words in long:
            matcher.set_seq1(words)
            if (matcher.real_quick_ratio() >= NEAR_COPY and matcher.quick_ratio() >= NEAR_COPY
                    and matcher.ratio() >= NEAR_COPY):
                found.append(f"{sample!r} ~ {line!r}")
    return sorted(found)


def test_the_near_copy_check_sees_a_near_copy() -> None:
    said = "my left eyelid has been twitching for three days now"
    one_less, one_other = said.rsplit(" ", 1)[0], said.replace("twitching", "jumping")
    assert near_copies({said}, {one_less, one_other}) == sorted(f"{said!r} ~ {line!r}" for line in (one_less, one_other))
    assert near_copies({said}, {"my nose has been twitching since monday morning"}) == []
    assert near_copies({"eyelid twitching for three days"}, {"eyelid twitching for three days"}) == [], "too short to count"


@pytest.mark.slow  # compares every blind line with every sample of the locale
@pytest.mark.parametrize("locale", sorted({loc for _, loc in CASES}))
def test_no_sample_copies_a_blind_line(locale: str) -> None:
    """The sets measure understanding only while no model holds their words."""
    language = locale.split("-")[0]
    blind = {phrase_key(line.say) for sets in (SETS, WAITING) for lines in sets.values() for line in lines
             if line.locale.startswith(language)}
    model = load_model(DEFAULT_MODEL_DIR / f"{locale}.json")
    samples = {phrase_key(s) for s in model.samples() if "{" not in s} - {phrase_key(s) for s in SAMPLES_AT_FIRST_MEASURE}
    copies = sorted(s for s in samples if s in blind)
    near = near_copies(samples, blind)
    assert not copies and not near, f"{locale}: samples copying blind lines: {copies + near}"


def test_first_measure_is_recorded_for_every_set_and_locale() -> None:
    for set_name, locale in CASES:
        row = FIRST["sets"][set_name][locale]
        assert {"lines", "intent_classifier", "answer_classifier", "answer_neighbours"} <= set(row), (set_name, locale)
        assert row["lines"] == sum(1 for line in SETS[set_name] if line.locale == locale)
    assert "3e3e36a" in str(FIRST["measured"])


def test_a_set_measured_later_is_reported_beside_its_own_date() -> None:
    first = {"measured": "day one", "measured_sets": {"late": "day two"},
             "sets": {"late": {"en-US": {"answer_classifier": 1}}, "early": {"en-US": {"answer_classifier": 1}}}}
    reports = []
    for name in ("early", "late"):
        report = blind.BlindReport(name, "en-US", 2, 2)
        report.answer["classifier"] = report.intent["classifier"] = 2
        reports.append(report)
    early, late = blind.describe(reports, first).split("\n" + "late")
    assert "first measure (day one)" in early and "first measure (day two)" in late
