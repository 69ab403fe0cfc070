"""``nose-twitch validate`` (tools layer): the interaction models and the content against Alexa's rules
and the project's own.

Runs :func:`skill.tools.checks.project.check_project` (the models, the content, the phrases people
are told to say, the icons, and that each model's slot values and topic intents have content in
that locale), or with ``--certification`` the self-check of :mod:`skill.tools.checks.selfcheck`.
Prints one line per problem (``file: where: severity: message``); exit status 1 on any error, 0
otherwise (warnings are printed but pass). CI runs it through the test suite (tests/tools/checks/test_validate.py).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from skill.config import SkillConfig
from skill.tools.checks.project import check_project
from skill.tools.checks.selfcheck import run_certification


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check the interaction models and the content (exit 1 on any error)",
        description=(
            "Check interaction_model/*.json against Alexa's rules (invocation name, samples, slots) "
            "and content/ against the project's (keys and placeholders the same in every language, "
            "plain text, one-breath prompts, a declared source for every fact, a triage protocol that "
            "builds). Exit status 1 on any error; warnings are printed but pass."
        ),
    )
    parser.add_argument("--content-dir", type=Path, help="content folder (default: content/)")
    parser.add_argument("--model-dir", type=Path, help="interaction model folder (default: interaction_model/)")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument(
        "--certification",
        action="store_true",
        help="also run the certification self-check: every locale through the real skill (launch, one-shots, "
        "built-ins, odd slots, session rules, SSML and size limits), icons, privacy and example phrases; "
        "prints a table to attach to a submission",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, config: SkillConfig) -> int:
    config = config.with_overrides(content_dir=args.content_dir, model_dir=args.model_dir)
    if args.certification:
        return run_certification(config, as_json=args.json)
    problems = check_project(config.content_dir, config.model_dir)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if args.json:
        report = {"ok": errors == 0, "errors": errors, "warnings": warnings, "problems": [asdict(p) for p in problems]}
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem)
        verdict = "ok" if errors == 0 else "FAILED"
        print(f"validate: {verdict}: {errors} errors, {warnings} warnings")
    return 1 if errors else 0
