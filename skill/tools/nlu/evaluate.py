"""``nose-twitch nlu-eval`` (tools layer): how well the interaction models understand held-out phrasings.

Held-out phrasings (``tests/nlu/heldout/<language>.yaml``, optionally ``<locale>.yaml``) are
written apart from the models' samples and labelled with an intent and slot value ids. Each is
measured three ways against one locale's model:

- **exact match**, as virtual-alexa matches: a sample whose words are the phrasing's
  (:meth:`skill.tools.nlu.matcher.Matcher.exact`);
- **the classifier** (:class:`skill.tools.nlu.classifier.IntentClassifier`), trained on that model alone:
  an offline stand-in for Alexa's learned NLU;
- **the neighbours** (:class:`skill.tools.nlu.neighbours.NeighbourClassifier`), a second stand-in
  that learns differently from the same data, so that one model's quirks don't decide.

The blind sets in the same folder (``heldout_*.yaml``, topic-labelled, written by people who never
saw the models) are measured by what the skill answers (:mod:`skill.tools.nlu.blind`) with both
stand-ins, each set and locale beside its recorded first measure (``first_measure.yaml``).

A phrasing is right when its intent is, and every slot of that intent holds the labelled value id
(and no slot is filled that should be empty). Phrasings whose intent is not in the model under test
are left out and counted, so a branch without an intent still measures the rest.

``--annotations-out DIR`` writes the same phrasings as Alexa NLU Evaluation annotation sets, one
JSON file per locale in the body format of SMAPI's "update annotations" call
(``{"data": [{"inputs": {"utterance": ...}, "expected": [{"intent": {"name": ..., "slots":
{name: {"value": ...}}}}]}]}``), ready for ``ask smapi update-annotations-for-nlu-annotation-sets``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from skill.config import DEFAULT_MODEL_DIR, SkillConfig
from skill.tools.nlu import blind
from skill.tools.models import InteractionModel, load_model
from skill.tools.nlu.matcher import (
    DURATION_TYPE,
    ER_SUCCESS_MATCH,
    ER_SUCCESS_NO_MATCH,
    Interpretation,
    Matcher,
    Resolver,
    find_phrase,
    fold,
    normalise,
    resolvers,
)

#: Where the project keeps its held-out phrasings (in a checkout; a wheel has no tests/).
DEFAULT_PHRASINGS_DIR = DEFAULT_MODEL_DIR.parent / "tests" / "nlu" / "heldout"
_KNOWN_KEYS = frozenset({"say", "intent", "locales"})

SMAPI_COMMANDS = """\
# Amazon's NLU Evaluation on the built model, per locale (ASK CLI v2, e.g. 2.22.4):
ask smapi create-nlu-annotation-set -s "$SKILL_ID" -l {locale} --name heldout-{locale}
#   -> the annotation set id in the Location header / response: ANNOTATION_ID
ask smapi update-annotations-for-nlu-annotation-sets -s "$SKILL_ID" --annotation-id "$ANNOTATION_ID" \\
    --content-type application/json --update-nlu-annotation-set-annotations-request "file:{path}"
ask smapi create-nlu-evaluations -s "$SKILL_ID" -l {locale} --source-annotation-id "$ANNOTATION_ID"
#   -> EVALUATION_ID
ask smapi get-nlu-evaluation -s "$SKILL_ID" --evaluation-id "$EVALUATION_ID"
ask smapi get-result-for-nlu-evaluations -s "$SKILL_ID" --evaluation-id "$EVALUATION_ID" --test-case-status FAILED
"""


class PhrasingError(ValueError):
    """A held-out phrasing file that cannot be read; the message names the file and the entry."""


@dataclass(frozen=True)
class Phrasing:
    """One held-out utterance and what it should be understood as."""

    say: str
    intent: str
    slots: Mapping[str, str] = field(default_factory=dict)
    #: Only for these locales (regional words); empty means every locale of the language.
    locales: tuple[str, ...] = ()
    where: str = ""

    def label(self) -> str:
        slots = ", ".join(f"{k}={v}" for k, v in sorted(self.slots.items()))
        return self.intent + (f" [{slots}]" if slots else "")


def load_phrasings(directory: Path, locale: str) -> list[Phrasing]:
    """The phrasings for ``locale``: ``<language>.yaml`` then ``<locale>.yaml`` in ``directory``."""
    language = locale.split("-")[0].lower()
    phrasings: list[Phrasing] = []
    for name in (f"{language}.yaml", f"{locale}.yaml"):
        path = directory / name
        if path.is_file():
            phrasings += [p for p in _read(path) if not p.locales or locale in p.locales]
    return phrasings


def _read(path: Path) -> list[Phrasing]:
    label, entries = blind.read_entries(path, PhrasingError, "phrasings")
    out = []
    for number, entry in enumerate(entries, start=1):
        where = f"{label}: entry {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("say"), str) or not isinstance(entry.get("intent"), str):
            raise PhrasingError(f"{where}: each entry needs 'say' and 'intent' (text)")
        slots = {k: v for k, v in entry.items() if k not in _KNOWN_KEYS}
        if any(not isinstance(v, str) for v in slots.values()):
            raise PhrasingError(f"{where} ({entry['say']!r}): slot values are value ids (text)")
        locales = entry.get("locales") or ()
        if isinstance(locales, str) or not all(isinstance(x, str) for x in locales):
            raise PhrasingError(f"{where} ({entry['say']!r}): 'locales' is a list of locale tags")
        out.append(Phrasing(entry["say"], entry["intent"], slots, tuple(locales), where))
    return out


# --- scoring ------------------------------------------------------------------------------------


def slot_ids(interpretation: Interpretation) -> dict[str, str]:
    """Filled slots as the evaluation compares them: the resolved id, or the value (durations).

    A custom slot whose words did not resolve (ER_SUCCESS_NO_MATCH) counts as empty: the skill
    cannot act on it as a value (it reads the words only to route the question).
    """
    ids = {}
    for slot in interpretation.slots:
        if slot.value is None or slot.status == ER_SUCCESS_NO_MATCH:
            continue
        ids[slot.name] = slot.id if slot.status == ER_SUCCESS_MATCH and slot.id else slot.value
    return ids


def is_right(phrasing: Phrasing, interpretation: Interpretation | None) -> tuple[bool, bool]:
    """(intent right, intent and slots right)."""
    if interpretation is None or interpretation.intent != phrasing.intent:
        return False, False
    return True, slot_ids(interpretation) == dict(phrasing.slots)


@dataclass
class Miss:
    say: str
    expected: str
    got: str
    score: float


@dataclass
class LocaleReport:
    """The evaluation of one locale's model."""

    locale: str
    evaluated: int = 0
    #: Phrasings whose intent (or a slot) is not in this model, by intent.
    left_out: dict[str, int] = field(default_factory=dict)
    exact: int = 0
    classifier_intent: int = 0
    classifier: int = 0
    #: The second stand-in (None: not measured).
    neighbours_intent: int | None = None
    neighbours: int | None = None
    confusions: list[Miss] = field(default_factory=list)
    #: expected intent -> predicted intent -> count, for the classifier's intent errors.
    intent_confusions: dict[str, dict[str, int]] = field(default_factory=dict)

    def rate(self, count: int) -> float:
        return count / self.evaluated if self.evaluated else 0.0

    @property
    def exact_rate(self) -> float:
        return self.rate(self.exact)

    @property
    def intent_rate(self) -> float:
        return self.rate(self.classifier_intent)

    @property
    def classifier_rate(self) -> float:
        return self.rate(self.classifier)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(exact_rate=self.exact_rate, intent_rate=self.intent_rate, classifier_rate=self.classifier_rate)
        return data

    def describe(self) -> str:
        left = sum(self.left_out.values())
        lines = [f"{self.locale}: {self.evaluated} phrasings evaluated"
                 + (f", {left} left out (not in this model: "
                    + ", ".join(f"{k} {v}" for k, v in sorted(self.left_out.items())) + ")" if left else "")]
        lines.append(f"  exact match (as virtual-alexa):  {self.exact_rate:6.1%}  ({self.exact}/{self.evaluated})")
        lines.append(f"  classifier, intent:              {self.intent_rate:6.1%}  ({self.classifier_intent}/{self.evaluated})")
        lines.append(f"  classifier, intent and slots:    {self.classifier_rate:6.1%}  ({self.classifier}/{self.evaluated})")
        if self.neighbours is not None and self.neighbours_intent is not None:
            lines.append(f"  neighbours, intent:              {self.rate(self.neighbours_intent):6.1%}  "
                         f"({self.neighbours_intent}/{self.evaluated})")
            lines.append(f"  neighbours, intent and slots:    {self.rate(self.neighbours):6.1%}  ({self.neighbours}/{self.evaluated})")
        if self.intent_confusions:
            lines.append("  intent confusions (expected -> got):")
            pairs = [(n, e, g) for e, got in self.intent_confusions.items() for g, n in got.items()]
            lines += [f"    {n} x {e} -> {g}" for n, e, g in sorted(pairs, key=lambda t: (-t[0], t[1], t[2]))]
        if self.confusions:
            lines.append("  misses:")
            lines += [f"    {m.say!r}: expected {m.expected}, got {m.got} ({m.score:.2f})" for m in self.confusions]
        return "\n".join(lines)


def usable(phrasings: Iterable[Phrasing], model: InteractionModel) -> tuple[list[Phrasing], Counter[str]]:
    """The phrasings this model can be measured on, and the rest counted by intent."""
    intents = model.intent_slots()
    keep, left = [], Counter[str]()
    for phrasing in phrasings:
        declared = intents.get(phrasing.intent)
        if declared is None or not set(phrasing.slots) <= set(declared):
            left[phrasing.intent] += 1
        else:
            keep.append(phrasing)
    return keep, left


def evaluate(model: InteractionModel, locale: str, phrasings: Sequence[Phrasing], classifier: Any,
             neighbours: Any = None) -> LocaleReport:
    """Measure ``phrasings`` against ``model``: exact match, ``classifier`` (an IntentClassifier) and,
    when given, ``neighbours`` (a NeighbourClassifier); confusions are the classifier's."""
    report = LocaleReport(locale)
    keep, left = usable(phrasings, model)
    report.left_out = dict(sorted(left.items()))
    report.evaluated = len(keep)
    matcher = Matcher(model, locale)
    predictions = classifier.predict_many([p.say for p in keep])
    for phrasing, got in zip(keep, predictions):
        report.exact += is_right(phrasing, matcher.exact(phrasing.say))[1]
        intent_ok, all_ok = is_right(phrasing, got)
        report.classifier_intent += intent_ok
        report.classifier += all_ok
        if not intent_ok:
            row = report.intent_confusions.setdefault(phrasing.intent, {})
            row[got.intent] = row.get(got.intent, 0) + 1
        if not all_ok:
            slots = ", ".join(f"{k}={v}" for k, v in sorted(slot_ids(got).items()))
            report.confusions.append(Miss(phrasing.say, phrasing.label(), got.intent + (f" [{slots}]" if slots else ""),
                                          got.score))
    if neighbours is not None:
        report.neighbours_intent = report.neighbours = 0
        for phrasing, got in zip(keep, neighbours.predict_many([p.say for p in keep])):
            intent_ok, all_ok = is_right(phrasing, got)
            report.neighbours_intent += intent_ok
            report.neighbours += all_ok
    return report


# --- annotation sets ----------------------------------------------------------------------------


def spoken_value(phrasing_text: str, slot_type: str, value_id: str, types: Mapping[str, Resolver]) -> str | None:
    """The words of ``phrasing_text`` that say value ``value_id`` (its value or a synonym, longest first)."""
    if slot_type == DURATION_TYPE:
        return value_id  # durations are labelled as ISO-8601, as Alexa resolves them
    known = types.get(slot_type)
    if known is None:
        return None
    phrases = [p for p in known.by_length if known.lookup[p][0] == value_id]
    said = normalise(phrasing_text)
    span = find_phrase(fold(said).split(), phrases)
    return " ".join(said.split()[span[0] : span[1]]) if span else None


def annotation_set(model: InteractionModel, phrasings: Sequence[Phrasing]) -> tuple[dict[str, Any], list[str]]:
    """The SMAPI annotation body for the phrasings this model has intents for, and notes on slots left out."""
    keep, _ = usable(phrasings, model)
    types = resolvers(model)
    intents = model.intent_slots()
    data, notes = [], []
    for phrasing in keep:
        intent: dict[str, Any] = {"name": phrasing.intent}
        slots = {}
        for name, value_id in phrasing.slots.items():
            spoken = spoken_value(phrasing.say, intents[phrasing.intent][name], value_id, types)
            if spoken is None:
                notes.append(f"{phrasing.where}: {phrasing.say!r}: no value or synonym of {value_id!r} in the words; slot left out")
                continue
            slots[name] = {"value": spoken}
        if slots:
            intent["slots"] = slots
        data.append({"inputs": {"utterance": phrasing.say}, "expected": [{"intent": intent}]})
    return {"data": data}, notes


# --- command ------------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "nlu-eval",
        help="measure the models on held-out phrasings: exact match and a statistical classifier",
        description=(
            "For held-out phrasings (tests/nlu/heldout/), print the exact-match rate against the samples "
            "(as virtual-alexa matches), the intent and slot accuracy of a classifier trained only on the "
            "locale's model (a stand-in for Alexa's NLU), and the confusions. Needs scikit-learn "
            "(pip install -e '.[dev]'). The blind sets (heldout_*.yaml, topic-labelled) are measured by what "
            "the skill answers, with the classifier and a second stand-in (nearest neighbours), beside their first "
            "measure. --annotations-out writes Alexa NLU Evaluation annotation sets."
        ),
    )
    parser.add_argument("--locale", action="append", help="a locale to evaluate (repeatable; default: every model)")
    parser.add_argument("--phrasings", type=Path, help="folder of held-out phrasings (default: tests/nlu/heldout/)")
    parser.add_argument("--model-dir", type=Path, help="interaction model folder (default: interaction_model/)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    parser.add_argument("--annotations-out", type=Path, metavar="DIR",
                        help="also write <locale>.json SMAPI annotation sets of the same phrasings into DIR")
    parser.add_argument("--only", choices=("labelled", "blind"),
                        help="only the intent-labelled phrasings, or only the blind sets (default: both)")
    parser.add_argument("--misses", action="store_true", help="list the blind sets' misses (what was heard and said)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, config: SkillConfig) -> int:
    from skill.tools.nlu.classifier import ClassifierUnavailable, IntentClassifier
    from skill.tools.nlu.neighbours import NeighbourClassifier

    config = config.with_overrides(model_dir=args.model_dir)
    phrasings_dir = args.phrasings or DEFAULT_PHRASINGS_DIR
    if not phrasings_dir.is_dir():
        print(f"nose-twitch nlu-eval: no phrasings folder {phrasings_dir} (give one with --phrasings)", file=sys.stderr)
        return 2
    available = {p.stem: p for p in sorted(config.model_dir.glob("*.json"))}
    locales = args.locale or list(available)
    missing = [loc for loc in locales if loc not in available]
    if missing:
        have = ", ".join(available) or "none"
        print(f"nose-twitch nlu-eval: no interaction model for {', '.join(missing)} in {config.model_dir}; have: {have}",
              file=sys.stderr)
        return 2
    try:
        sets = blind.load_blind_sets(phrasings_dir) if args.only != "labelled" else {}
        answers = blind.load_topic_answers(phrasings_dir / blind.TOPIC_ANSWERS) if sets else {}
        first = blind.load_first_measure(phrasings_dir / blind.FIRST_MEASURE) if sets else {}
    except blind.BlindSetError as exc:
        print(f"nose-twitch nlu-eval: {exc}", file=sys.stderr)
        return 2
    judge = _judge(config) if sets else None
    reports, blind_reports, written = [], [], []
    for locale in locales:
        try:
            model = load_model(available[locale])
            phrasings = load_phrasings(phrasings_dir, locale) if args.only != "blind" else []
            classifier = IntentClassifier.train(model, locale)
            neighbours = NeighbourClassifier.train(model, locale)
        except ClassifierUnavailable as exc:
            print(f"nose-twitch nlu-eval: {exc}", file=sys.stderr)
            return 2
        except (PhrasingError, ValueError, KeyError) as exc:
            print(f"nose-twitch nlu-eval: {locale}: {exc}", file=sys.stderr)
            return 2
        if args.only != "blind" and not phrasings:
            print(f"nose-twitch nlu-eval: {locale}: no phrasings in {phrasings_dir}", file=sys.stderr)
            return 2
        if phrasings:
            reports.append(evaluate(model, locale, phrasings, classifier, neighbours))
        for set_name, lines in sets.items():
            mine = [line for line in lines if line.locale == locale]
            if mine and judge is not None:
                hearings = {"classifier": classifier, "neighbours": neighbours}
                blind_reports.append(blind.measure(set_name, locale, mine, answers, hearings, judge))
        if args.annotations_out and phrasings:
            body, notes = annotation_set(model, phrasings)
            args.annotations_out.mkdir(parents=True, exist_ok=True)
            path = args.annotations_out / f"{locale}.json"
            path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append((locale, path, len(body["data"]), notes))
    blind_reports.sort(key=lambda r: (r.set_name, locales.index(r.locale)))
    if args.json:
        print(json.dumps({"labelled": [r.to_json() for r in reports], "blind": [r.to_json() for r in blind_reports]},
                         indent=2, ensure_ascii=False))
    else:
        parts = [r.describe() for r in reports]
        if blind_reports:
            parts.append("Blind sets (topic-labelled, written by people who never saw the models): answer = the "
                         "skill's first response carries the topic's facts; intent = heard as an intent that reaches "
                         "them\n" + blind.describe(blind_reports, first))
            if args.misses:
                parts.append("\n".join(f"  {r.set_name} {r.locale} {m.stand_in}: {m.say!r} [{m.topic}] heard {m.heard}"
                                       for r in blind_reports for m in r.misses))
        print("\n\n".join(parts))
    for locale, path, count, notes in written:
        print(f"annotation set: {path} ({count} annotations)", file=sys.stderr)
        for note in notes:
            print(f"  {note}", file=sys.stderr)
    if written:
        locale, path, _, _ = written[0]
        print("\n" + SMAPI_COMMANDS.format(locale=locale, path=path), file=sys.stderr)
    return 0


def _judge(config: SkillConfig) -> blind.AnswerJudge:
    """The real skill on the configured content, to hear what it answers."""
    from skill.alexa.builder import build_skill
    from skill.alexa.resources import SkillResources
    from skill.domain.content import ContentStore

    store = ContentStore.load(config.content_dir)
    return blind.AnswerJudge(build_skill(config, SkillResources(store)), store, blind.reaching_intents)
