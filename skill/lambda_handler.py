"""AWS Lambda entry point (transport): the same skill as the webhook, invoked by the Alexa trigger.

Lambda checks the caller itself (the Alexa Skills Kit trigger with skill id verification), so no
signature check is needed here; when ``SKILL_ID`` is set the skill id is checked as well (and must
have a skill id's shape). Configure the function's handler as ``skill.lambda_handler.handler``.

It answers as the webhook does: a request type the SDK does not know gets the empty response, a
failure outside the skill's handlers gets the spoken apology; an event that is not an Alexa
envelope, or is addressed to another skill, is refused with a ``ValueError`` (Lambda reports it,
and Alexa tells the user the skill could not answer).

Code built by ``nose-twitch package --zip`` carries ``skill/_lambda_build.json``, saying which
runtime and architecture it was built for: on any other, the import stops with a message saying
what to change (a zip built for Python 3.13 runs on 3.12 without its compiled modules, slowly and
silently). It also carries the parsed content (``skill/_content_cache.json``), which a cold
start copies into the empty ``/tmp`` cache instead of parsing the YAML.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

# Some SDK modules have docstrings with invalid escapes ("\&"): Python 3.12+ warns about each one,
# two stderr lines per warning, whenever such a module is compiled. The zip ships bytecode when it
# can, so nothing is compiled; where it cannot, these warnings (about the SDK's source, not the
# skill) would fill every cold start's log. Only they are silenced.
warnings.filterwarnings("ignore", category=SyntaxWarning, module=r".*[/\\]ask_sdk_(core|model|runtime)[/\\]")

#: What ``nose-twitch package`` writes next to this module: the runtime the code was built for.
BUILD_STAMP = "_lambda_build.json"
#: The parsed content the build ships, copied into the cache folder at a cold start.
SHIPPED_CONTENT_CACHE = "_content_cache.json"
#: Lambda's architecture names, by the machine names ``os.uname()`` gives.
_ARCHITECTURES = {"x86_64": "x86_64", "aarch64": "arm64"}


class RuntimeMismatch(RuntimeError):
    """The code runs on another Python or architecture than the one it was built for."""


def check_runtime(stamp: Path | None = None) -> None:
    """Refuse to run on a runtime other than the one the code was built for (no stamp: a checkout
    or a wheel, nothing to check)."""
    stamp = stamp or Path(__file__).with_name(BUILD_STAMP)
    try:
        built = json.loads(stamp.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise RuntimeMismatch(f"{stamp} cannot be read ({exc}); rebuild the code with nose-twitch package --zip") from None
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    arch = _ARCHITECTURES.get(os.uname().machine, os.uname().machine)
    if running != built.get("python") or arch != built.get("arch"):
        raise RuntimeMismatch(
            f"This code was built for the {built.get('runtime')} Lambda runtime on {built.get('arch')}, but it runs "
            f"on Python {running} on {arch}. Set the function's runtime to {built.get('runtime')} and its "
            f"architecture to {built.get('arch')}, or rebuild for this one: nose-twitch package --zip FILE "
            f"--runtime python{running} --arch {arch}"
        )


check_runtime()

from ask_sdk_model import RequestEnvelope  # noqa: E402 - after the runtime check and the warnings filter

from skill.alexa.builder import build_skill  # noqa: E402
from skill.alexa.context import InvocationContext  # noqa: E402
from skill.alexa.invoker import Skill  # noqa: E402
from skill.alexa.replies.fallback import KNOWN_REQUEST_TYPES, apology_response, empty_response  # noqa: E402
from skill.alexa.resources import SkillResources  # noqa: E402
from skill.alexa.skill_id import SkillIdVerifier, VerificationError  # noqa: E402
from skill.config import SkillConfig, check_skill_id, config_from_env  # noqa: E402
from skill.domain import content_cache  # noqa: E402
from skill.domain.content import Content  # noqa: E402

log = logging.getLogger("skill.lambda")


def seed_content_cache(config: SkillConfig, shipped: Path | None = None) -> bool:
    """Copy the content the build parsed into the (empty, on a cold start) cache folder; True if it
    did. The cache checks its own key, so a copy that does not match the content is just a miss."""
    shipped = shipped or Path(__file__).with_name(SHIPPED_CONTENT_CACHE)
    if config.cache_dir is None or not shipped.is_file():
        return False
    target = content_cache.cache_file(config.cache_dir, config.content_dir)
    if target.exists():
        return False
    try:
        config.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".{os.getpid()}.tmp")
        partial.write_bytes(shipped.read_bytes())
        os.replace(partial, target)
    except OSError:
        return False
    return True


@lru_cache(maxsize=1)
def _skill() -> tuple[Skill, str | None, Content]:
    """Built once per warm container (an immutable skill, not per-user state)."""
    config = config_from_env()
    skill_id = check_skill_id(config.skill_id) if config.skill_id else None
    seed_content_cache(config)
    resources = SkillResources.load(config)
    return build_skill(config, resources), skill_id, resources.for_locale(config.default_locale).content


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one Alexa request event and return the response envelope as a dict."""
    skill, skill_id, default_content = _skill()
    request = event.get("request") if isinstance(event, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("type"), str) or not request["type"]:
        raise ValueError("The event is not an Alexa request envelope.")
    if skill_id:
        try:
            SkillIdVerifier(skill_id).verify({}, b"", event)
        except VerificationError as exc:
            raise ValueError(f"Request rejected: {exc}") from None
    if request["type"] not in KNOWN_REQUEST_TYPES:
        return empty_response()
    try:
        # The skill's serializer reads the event dict as it is (the SDK's own re-reads a JSON dump of
        # it only for what the compiled plans leave to it).
        envelope = skill.serializer.from_data(event, RequestEnvelope)
    except Exception:  # noqa: BLE001 - the SDK raises several types for malformed fields (or nesting)
        raise ValueError("The event is an Alexa envelope with fields of the wrong type.") from None
    try:
        response = skill.invoke(request_envelope=envelope, context=InvocationContext(lambda_context=context))
        return skill.serializer.serialize(response)
    except Exception as exc:  # noqa: BLE001 - a skill failure is spoken, as the webhook speaks it
        log.error("skill failure outside handlers: %s", type(exc).__name__)
        return apology_response(default_content)
