"""Every check of the project in one list (tools layer): what ``nose-twitch validate`` prints and what
the certification self-check (:mod:`skill.tools.checks.selfcheck`) counts as its ``validate`` row.

:func:`check_project` runs :func:`skill.tools.checks.model.check_model` on every
``interaction_model/<locale>.json``, :func:`skill.tools.checks.content.check_content` on ``content/``,
the phrase checks, the committed icons, and checks that each model's slot values and topic intents
have content in that locale. Apart from the command (:mod:`skill.tools.checks.validate`) so that the
command can dispatch to the self-check and the self-check can run these checks without the two
importing each other.
"""

from __future__ import annotations

from pathlib import Path

from skill.domain.content import ContentStore
from skill.domain.errors import ContentError
from skill.tools.checks.content import check_content, check_things, load_content_files
from skill.tools.checks.model import check_model
from skill.tools.checks.phrases import check_description_phrases, check_suggestions
from skill.tools.checks.problem import Problem
from skill.tools.models import ModelError, load_model, model_label, model_paths
from skill.tools.ship.manifest import committed_icon_problems


def check_project(content_dir: Path, model_dir: Path) -> list[Problem]:
    """Every problem with the models and the content, errors first."""
    problems: list[Problem] = []
    paths = list(model_paths(model_dir))
    if not paths:
        problems.append(Problem(f"{model_dir.name}/", "folder", "no interaction models (<locale>.json)"))
    for path in paths:
        problems += check_model(path)
    content_problems = check_content(content_dir)
    problems += content_problems
    if not any(p.severity == "error" for p in content_problems):
        problems += check_models_have_content(content_dir, paths)
        problems += check_description_phrases(content_dir, model_dir)
        problems += check_suggestions(content_dir, model_dir)
    problems += [Problem("skill/tools/ship/images", "icons", message) for message in committed_icon_problems()]
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.where, p.message))


def check_models_have_content(content_dir: Path, paths: list[Path]) -> list[Problem]:
    """Each model's language has content, and its topics, triggers, things and symptoms have answers there."""
    from skill.alexa.handlers.facts import QUESTION_INTENTS  # the code's question answers, for the cross-check
    from skill.alexa.handlers.topics import TOPIC_INTENTS  # the code's topic names, for the cross-check

    try:
        store = ContentStore.load(content_dir)
    except ContentError as exc:
        return [Problem(content_dir.name, "content", str(exc))]
    files = load_content_files(content_dir)
    problems: list[Problem] = []
    for path in paths:
        name, locale = model_label(path), path.stem
        try:
            model = load_model(path)
        except ModelError:
            continue  # check_model reports an unreadable model
        intents = model.intent_names
        content = store.for_locale(locale)
        if content.tag.split("-")[0] != locale.split("-")[0].lower():
            problems.append(Problem(
                name, "locale", f"no content in this language: {locale} would get content/{content.tag}"
            ))
            continue
        for intent, topic in TOPIC_INTENTS.items():
            if intent in intents and not content.has(f"topics.{topic}.items"):
                problems.append(Problem(name, f"intents.{intent}", f"no content topics.{topic} for {locale}"))
        for intent, thing in QUESTION_INTENTS.items():
            if intent in intents and not content.has(f"things.{thing}"):
                problems.append(Problem(name, f"intents.{intent}", f"no content things.{thing} (with facts) for {locale}"))
        for trigger in model.value_ids("TRIGGER"):
            if not content.has(f"triggers.{trigger}.items"):
                problems.append(Problem(name, f"types.TRIGGER.{trigger}", f"no content triggers.{trigger} for {locale}"))
        problems += check_things(files, content, locale, name, set(model.value_ids("THING")))
        # Every symptom value is read back by name; one that pre-answers a question is also in
        # triage.symptoms (some, like a plain headache, are read back and then asked).
        names = content.node("triage.symptom_names") if content.has("triage.symptom_names") else {}
        symptoms = content.node("triage.symptoms") if content.has("triage.symptoms") else {}
        ids = set(model.value_ids("SYMPTOM"))
        for symptom in sorted(ids):
            if symptom not in names:
                problems.append(Problem(
                    name, f"types.SYMPTOM.{symptom}", f"no read-back name in triage.symptom_names of the {locale} content"
                ))
        for symptom in sorted(set(symptoms) - ids):
            problems.append(Problem(
                name, "types.SYMPTOM", f"triage.symptoms.{symptom} of the {locale} content is not a SYMPTOM value id"
            ))
    return problems
