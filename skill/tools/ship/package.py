"""Skill package (tools layer): ``nose-twitch package`` writes what Alexa and AWS Lambda need.

* An ASK CLI v2 project (``ask-resources.json``, ``skill-package/skill.json`` and one
  ``skill-package/interactionModels/custom/<locale>.json`` per model in ``interaction_model/``),
  ready for ``ask deploy``. The store listing comes from the ``manifest`` section of each
  locale's content, so its words live in ``content/`` like every other word of the skill.
* With ``--zip``: a Lambda deployment zip for a chosen Lambda runtime and architecture, and with
  ``--deploy-lambda``: the same code in the project's ``lambda/`` with the ASK CLI's Lambda
  deployer, so one ``ask deploy`` ships the function, its trigger and the skill. Both are built
  by :mod:`skill.tools.ship.lambda_build`.

Everything is checked before anything is written: the content and the models the skill runs
on, the endpoint, and the example phrases against each locale's sample utterances.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.config import ConfigError, SkillConfig
from skill.domain.content import DEFAULT_LANGUAGE, Content, ContentStore, placeholders
from skill.domain.errors import ContentError
from skill.tools.ship import lambda_build
from skill.tools.ship.manifest import (
    Icons,
    add_package_arguments,
    apl_interface,
    check_build,
    icons_from_args,
    local_icons,
    privacy_and_compliance,
)
from skill.tools.ship.lambda_build import LAMBDA_HANDLER, PackageError, ask_resources, build_zip
from skill.tools.checks.model import check_model
from skill.tools.models import InteractionModel, load_model, model_paths, sample_key

#: The skill store category for consumer health information (the category of Amazon's own
#: health skill examples; the store has no separate medical category).
CATEGORY = "HEALTH_AND_FITNESS"
MANIFEST_VERSION = "1.0"
#: Screens (APL, with the viewports the screens are laid out for) and name-free interaction
#: (CanFulfillIntentRequest); the skill handles both.
INTERFACES: tuple[Mapping[str, Any], ...] = (apl_interface(), {"type": "CAN_FULFILL_INTENT_REQUEST"})
CERTIFICATE_TYPES = ("Wildcard", "SelfSigned", "Trusted")
DEFAULT_CERTIFICATE_TYPE = "Wildcard"
DEFAULT_OUT = Path("build/ask-project")
#: Alexa's limits for a store listing.
MAX_EXAMPLE_PHRASES = 3
MAX_SUMMARY = 160
MAX_DESCRIPTION = 4000
MAX_KEYWORDS = 30
NAME_LENGTH = (2, 50)
#: Lambda's limits for a directly uploaded zip and for the unzipped function.
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$"
)


# --- endpoint ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """Where Alexa sends requests: an HTTPS URL (with its certificate type) or a Lambda ARN."""

    uri: str
    ssl_certificate_type: str | None = None

    def to_json(self) -> dict[str, str]:
        data = {"uri": self.uri}
        if self.ssl_certificate_type:
            data["sslCertificateType"] = self.ssl_certificate_type
        return data


def https_endpoint(url: str, certificate_type: str = DEFAULT_CERTIFICATE_TYPE) -> Endpoint:
    """An HTTPS endpoint; ConfigError unless Alexa could call it (https, port 443, a host)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() != "https":
        raise ConfigError(f"--endpoint must be an https:// URL (Alexa only calls skills over HTTPS), got {url!r}")
    if not parts.hostname:
        raise ConfigError(f"--endpoint {url!r} has no host name")
    if parts.username or parts.password or parts.fragment:
        raise ConfigError(f"--endpoint {url!r} must not carry credentials or a #fragment")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"--endpoint {url!r} has a malformed port") from None
    if port not in (None, 443):
        raise ConfigError(f"--endpoint {url!r}: Alexa only calls port 443")
    if certificate_type not in CERTIFICATE_TYPES:
        raise ConfigError(f"--certificate-type must be one of {', '.join(CERTIFICATE_TYPES)}, got {certificate_type!r}")
    return Endpoint(uri=url.strip(), ssl_certificate_type=certificate_type)


def lambda_endpoint(arn: str) -> Endpoint:
    """A Lambda function endpoint; ConfigError unless ``arn`` is a Lambda function ARN."""
    if not _LAMBDA_ARN.match(arn.strip()):
        raise ConfigError(
            f"--lambda-arn must be a Lambda function ARN like "
            f"arn:aws:lambda:us-east-1:123456789012:function:nose-twitch, got {arn!r}"
        )
    return Endpoint(uri=arn.strip())


# --- models -----------------------------------------------------------------------------------


def load_models(model_dir: Path) -> tuple[InteractionModel, ...]:
    """Every model in ``model_dir``, refusing any with a problem ``nose-twitch validate`` reports."""
    models = []
    for path in model_paths(model_dir):
        errors = [problem for problem in check_model(path) if problem.severity == "error"]
        if errors:
            listed = "\n  ".join(str(problem) for problem in errors)
            raise ContentError(f"{path}: the interaction model has problems:\n  {listed}")
        locale = path.stem
        if not re.fullmatch(r"[a-z]{2}-[A-Z]{2}", locale):
            raise ContentError(f"{path}: a model's file name must be its locale, like en-US.json")
        models.append(load_model(path))
    if not models:
        raise ContentError(f"{model_dir}: no interaction models (<locale>.json) found")
    return tuple(models)


# --- the store listing ------------------------------------------------------------------------


_WORDS = re.compile(r"[^\w'{} ]+", re.UNICODE)


def _words(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed: how phrases and samples are compared."""
    return sample_key(_WORDS.sub(" ", text))


def example_phrase_problem(
    phrase: str, invocation_name: str, samples: Iterable[str], connecting_words: Iterable[str]
) -> str | None:
    """Why an example phrase fails Alexa's rules for this model, or None when it passes.

    A phrase is "Alexa, <launch word> <invocation name>" and then nothing, or an optional
    connecting word and one of the model's sample utterances (a sample with a slot does not
    count: the listing must show words the model has verbatim).
    """
    if not phrase.startswith("Alexa, "):
        return "must start with 'Alexa, '"
    spoken = _words(phrase[len("Alexa, ") :])
    invocation = _words(invocation_name)
    before, found, after = f" {spoken} ".partition(f" {invocation} ")
    if not found or not before.strip():
        return f"must name the invocation name {invocation_name!r} after a launch word such as 'open' or 'ask'"
    rest = after.strip()
    if not rest:
        return None
    known = {_words(sample) for sample in samples if "{" not in sample}
    first, _, remainder = rest.partition(" ")
    if rest in known or (first in {w.lower() for w in connecting_words} and remainder in known):
        return None
    return f"{rest!r} is not a sample utterance of the model"


@dataclass(frozen=True)
class Listing:
    """One locale's ``publishingInformation.locales.<locale>`` and what went wrong building it."""

    locale: str
    data: Mapping[str, Any]
    warnings: tuple[str, ...]


def _texts(content: Content, key: str) -> list[str]:
    node = content.node(key)
    if not isinstance(node, Sequence) or isinstance(node, str) or not all(isinstance(t, str) for t in node):
        raise ContentError(f"content key {key!r} must be a list of texts for {content.tag}")
    return list(node)


def _fill(content: Content, text: str, params: Mapping[str, str]) -> str:
    unknown = placeholders(text) - set(content.locale_params) - set(params)
    if unknown:
        raise ContentError(f"{content.tag}: {text!r} uses unknown placeholders {sorted(unknown)}")
    return content.format(text, **params)


def build_listing(store: ContentStore, model: InteractionModel) -> Listing:
    """The store listing of one locale, from its content (English when the language has none)."""
    warnings: list[str] = []
    content = store.for_locale(model.locale)
    listing_content = content
    fallback = not content.has("manifest")
    if fallback:
        listing_content = store.for_locale(DEFAULT_LANGUAGE)
        warnings.append(
            f"{model.locale}: content/{content.tag} has no 'manifest' section; the store listing is in English"
        )
    params = {"invocation_name": model.invocation_name}
    name_content = content if content.has("skill_name") else listing_content
    name = _fill(name_content, name_content.node("skill_name"), params)
    summary = listing_content.text("manifest.summary", **params)
    description = listing_content.text("manifest.description", **params).rstrip()
    disclaimer = listing_content.text("manifest.disclaimer", **params).strip()
    if not disclaimer:
        raise ContentError(f"{listing_content.tag}: manifest.disclaimer is empty")
    description = f"{description}\n\n{disclaimer}"
    connecting = _texts(listing_content, "manifest.connecting_words")
    samples = {sample_key(sample) for sample in model.samples()}
    phrases = []
    for text in _texts(listing_content, "manifest.example_phrases"):
        phrase = _fill(listing_content, text, params)
        problem = example_phrase_problem(phrase, model.invocation_name, samples, connecting)
        if problem is None:
            phrases.append(phrase)
        elif fallback:
            warnings.append(f"{model.locale}: example phrase {phrase!r} left out: {problem}")
        else:
            raise ContentError(f"{model.locale}: manifest.example_phrases: {phrase!r} {problem}")
    keywords = [_fill(listing_content, k, params) for k in _texts(listing_content, "manifest.keywords")]
    problems = []
    if not NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1]:
        problems.append(f"skill_name {name!r} must be {NAME_LENGTH[0]} to {NAME_LENGTH[1]} characters")
    if not 0 < len(summary) <= MAX_SUMMARY:
        problems.append(f"manifest.summary is {len(summary)} characters (1 to {MAX_SUMMARY})")
    if len(description) > MAX_DESCRIPTION:
        problems.append(f"manifest.description with the disclaimer is {len(description)} characters (max {MAX_DESCRIPTION})")
    if not 0 < len(phrases) <= MAX_EXAMPLE_PHRASES:
        problems.append(f"{len(phrases)} usable example phrases (1 to {MAX_EXAMPLE_PHRASES})")
    if len(keywords) > MAX_KEYWORDS:
        problems.append(f"{len(keywords)} keywords (max {MAX_KEYWORDS})")
    if problems:
        raise ContentError(f"{model.locale}: the store listing breaks Alexa's limits: " + "; ".join(problems))
    data = {
        "name": name,
        "summary": summary,
        "description": description,
        "examplePhrases": phrases,
        "keywords": keywords,
    }
    return Listing(locale=model.locale, data=data, warnings=tuple(warnings))


def _testing_instructions(store: ContentStore, model: InteractionModel) -> str:
    content = store.for_locale(model.locale)
    if not content.has("manifest.testing_instructions"):
        content = store.for_locale(DEFAULT_LANGUAGE)
    return content.text("manifest.testing_instructions", invocation_name=model.invocation_name)


def build_manifest(
    store: ContentStore,
    models: Sequence[InteractionModel],
    endpoint: Endpoint,
    *,
    privacy_url: str | None = None,
    terms_url: str | None = None,
    icons: Icons | None = None,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The ``skill.json`` document (``{"manifest": ...}``) and any warnings.

    ``icons`` defaults to the project's own, as local assets (see :mod:`skill.tools.ship.manifest`).
    """
    listings = [build_listing(store, model) for model in models]
    warnings = tuple(w for listing in listings for w in listing.warnings)
    locales = [model.locale for model in models]
    privacy = privacy_and_compliance(locales, privacy_url, terms_url)
    icons = icons or local_icons(locales)
    manifest = {
        "manifest": {
            "manifestVersion": MANIFEST_VERSION,
            "publishingInformation": {
                "locales": {listing.locale: {**listing.data, **icons.uris[listing.locale]} for listing in listings},
                "isAvailableWorldwide": False,
                "distributionCountries": sorted({model.country for model in models}),
                "category": CATEGORY,
                "testingInstructions": _testing_instructions(store, models[0]),
            },
            "privacyAndCompliance": privacy,
            "apis": {
                "custom": {
                    "endpoint": endpoint.to_json(),
                    "interfaces": [dict(interface) for interface in INTERFACES],
                }
            },
        }
    }
    return manifest, warnings


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_project(
    out: Path,
    manifest: Mapping[str, Any],
    models: Sequence[InteractionModel],
    profile: str = "default",
    code: lambda_build.LambdaCode | None = None,
    aws_region: str = lambda_build.DEFAULT_AWS_REGION,
    assets: Mapping[str, bytes] | None = None,
) -> list[Path]:
    """Write the ASK CLI project into ``out``; returns the files written.

    With ``code``, the project carries the Lambda function too (see :mod:`skill.tools.ship.lambda_build`).
    ``assets`` are files below ``skill-package/`` (the icons under ``assets/images/``).
    """
    custom = out / "skill-package" / "interactionModels" / "custom"
    if custom.is_dir():
        for stale in custom.glob("*.json"):  # a locale removed from interaction_model/ must not linger
            stale.unlink()
    written = [out / "ask-resources.json", out / "skill-package" / "skill.json"]
    infrastructure = lambda_build.skill_infrastructure(code.runtime, aws_region) if code is not None else None
    _write_json(written[0], ask_resources(profile, infrastructure))
    _write_json(written[1], manifest if code is None else lambda_build.without_endpoint(manifest))
    if code is not None:
        lambda_build.write_folder(code, out / lambda_build.CODE_FOLDER)
    elif (out / lambda_build.CODE_FOLDER).exists():  # an HTTPS skill must not ship a stale function
        shutil.rmtree(out / lambda_build.CODE_FOLDER)
    for model in models:
        path = custom / f"{model.locale}.json"
        _write_json(path, model.raw)
        written.append(path)
    for name, data in sorted((assets or {}).items()):
        path = out / "skill-package" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


# --- command ----------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "package",
        help="write an ASK CLI project (skill.json, models) and, with --zip, a Lambda zip",
        description="Write a ready ASK CLI v2 project (deploy it with `ask deploy`) and/or a Lambda zip.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--endpoint", metavar="URL", help="the skill's HTTPS endpoint, e.g. https://skill.example.org/alexa")
    where.add_argument("--lambda-arn", metavar="ARN", help="the Lambda function Alexa calls instead of an HTTPS endpoint")
    lambda_build.add_deploy_flag(where)
    parser.add_argument(
        "--certificate-type",
        choices=CERTIFICATE_TYPES,
        help=f"the HTTPS endpoint's certificate (default {DEFAULT_CERTIFICATE_TYPE}; SelfSigned for tests only)",
    )
    parser.add_argument("--out", type=Path, help=f"project folder (default {DEFAULT_OUT})")
    parser.add_argument("--profile", default="default", help="ASK CLI profile in ask-resources.json (default: default)")
    parser.add_argument("--privacy-url", metavar="URL", help="privacy policy address, set for every locale")
    parser.add_argument("--terms-url", metavar="URL", help="terms of use address, set for every locale")
    add_package_arguments(parser)
    parser.add_argument("--zip", type=Path, metavar="PATH", help=f"also write a Lambda zip (handler {LAMBDA_HANDLER})")
    lambda_build.add_flags(parser)
    parser.add_argument("--content-dir", type=Path, help="content folder (default: the project's content/)")
    parser.add_argument("--model-dir", type=Path, help="interaction models (default: the project's interaction_model/)")
    parser.set_defaults(func=run)


def _endpoint(args: argparse.Namespace) -> Endpoint | None:
    if args.lambda_arn:
        if args.certificate_type:
            raise ConfigError("--certificate-type is for an HTTPS --endpoint, not a Lambda ARN")
        return lambda_endpoint(args.lambda_arn)
    if args.endpoint:
        return https_endpoint(args.endpoint, args.certificate_type or DEFAULT_CERTIFICATE_TYPE)
    if args.deploy_lambda:
        if args.certificate_type:
            raise ConfigError("--certificate-type is for an HTTPS --endpoint, not --deploy-lambda")
        return Endpoint(uri="")  # `ask deploy` writes the function's ARN (see write_project)
    if args.out or args.certificate_type or args.privacy_url or args.terms_url or args.certification:
        raise ConfigError("the ASK project needs --endpoint URL, --lambda-arn ARN or --deploy-lambda")
    return None


def run(args: argparse.Namespace, config: SkillConfig) -> int:
    config = config.with_overrides(content_dir=args.content_dir, model_dir=args.model_dir)
    endpoint = _endpoint(args)
    if endpoint is None and args.zip is None:
        raise ConfigError(
            "nothing to write: pass --endpoint URL, --lambda-arn ARN or --deploy-lambda for the ASK project, "
            "and/or --zip PATH"
        )
    lambda_build.check_flags(args)
    runtime = lambda_build.get_runtime(args.runtime or lambda_build.DEFAULT_RUNTIME)
    arch = args.arch or lambda_build.DEFAULT_ARCH
    from skill.alexa.resources import SkillResources  # the skill's own start-up check of the content

    store = ContentStore.load(config.content_dir)
    SkillResources(store)
    try:
        with tempfile.TemporaryDirectory(prefix="nose-twitch-lambda-") as work:
            code = None
            if args.deploy_lambda:
                code = lambda_build.collect(config.content_dir, Path(work), runtime=runtime, arch=arch,
                                            compile=not args.no_compile, python=args.python)
            _write(args, config, store, endpoint, code, runtime, arch)
    except PackageError as exc:
        print(f"nose-twitch package: {exc}", file=sys.stderr)
        return 1
    return 0


def _print_retention(region: str | None) -> None:
    print("Lambda logs: keep them 30 days, as the privacy policy says (Lambda keeps them forever by default); "
          "with the function's name:\n  " + lambda_build.log_retention_command("FUNCTION", region))


def _write(
    args: argparse.Namespace,
    config: SkillConfig,
    store: ContentStore,
    endpoint: Endpoint | None,
    code: lambda_build.LambdaCode | None,
    runtime: lambda_build.Runtime,
    arch: str,
) -> None:
    if endpoint is not None:
        models = load_models(config.model_dir)
        icons = icons_from_args(args, [m.locale for m in models])
        manifest, warnings = build_manifest(
            store, models, endpoint, privacy_url=args.privacy_url, terms_url=args.terms_url, icons=icons
        )
        warnings += check_build(args, manifest, icons)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if endpoint.ssl_certificate_type == "SelfSigned":
            print("warning: a self-signed endpoint works for testing only; certification needs a trusted "
                  "certificate", file=sys.stderr)
        if endpoint.uri.startswith("https") and urllib.parse.urlsplit(endpoint.uri).path in ("", "/"):
            print(f"warning: the webhook answers on {config.endpoint_path}; did you mean "
                  f"{endpoint.uri.rstrip('/')}{config.endpoint_path}?", file=sys.stderr)
        out = args.out or DEFAULT_OUT
        region = args.aws_region or lambda_build.DEFAULT_AWS_REGION
        written = write_project(out, manifest, models, args.profile, code=code, aws_region=region,
                                assets=icons.files)
        function = f", the {runtime.name} Lambda function in lambda/" if code is not None else ""
        print(f"wrote the ASK CLI project in {out} ({len(written)} files; locales "
              f"{', '.join(m.locale for m in models)}{function}); deploy with: cd {out} && ask deploy")
        if code is not None:
            print(f"Lambda code: {code.bytecode}")
            _print_retention(region)
    if args.zip is not None:
        if code is not None:  # built once for the project already: the same files
            summary = lambda_build.summarize(code, args.zip, lambda_build.write_zip(code, args.zip))
        else:
            summary = build_zip(args.zip, config.content_dir, runtime=runtime, arch=arch, deps=not args.no_deps,
                                compile=not args.no_compile, python=args.python)
        deps = ", ".join(summary.requirements) if summary.requirements else "none (--no-deps)"
        print(f"wrote {summary.path} for {runtime.name} {arch} ({summary.files} files, {summary.bytes} bytes; "
              f"dependencies: {deps}; {summary.bytecode}); Lambda handler: {LAMBDA_HANDLER}")
        if code is None:
            _print_retention(args.aws_region)
        if summary.bytes > MAX_ZIP_BYTES or summary.unzipped_bytes > MAX_UNZIPPED_BYTES:
            print("warning: the zip is over Lambda's direct upload limits (50 MB zipped, 250 MB unzipped); "
                  "upload it through S3 or trim the dependencies", file=sys.stderr)
