"""Configuration (edge layer): one typed object, built from the environment and CLI flags.

Nothing below this module reads ``os.environ``; the config is passed in.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

#: The packages that carry the skill's data: ``content/`` and ``interaction_model/`` of the
#: checkout, installed as these (pyproject.toml maps them), so a wheel, a Lambda zip and a
#: checkout all find them the same way.
CONTENT_PACKAGE = "skill.content"
MODEL_PACKAGE = "skill.interaction_model"
#: Where Lambda lets a function write (the rest of its file system is read-only).
LAMBDA_CACHE_DIR = Path("/tmp/nose-twitch")
#: Alexa gives up on an answer after 8 seconds; waiting longer for anything only hides a fault.
ALEXA_TIMEOUT_S = 8.0
#: A skill id as the Alexa developer console shows it: ``amzn1.ask.skill.`` and a UUID.
SKILL_ID_SHAPE = re.compile(r"amzn1\.ask\.skill\.[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
#: Words that mark a sample's placeholder rather than a real id.
_PLACEHOLDER = re.compile(r"REPLACE|YOUR|EXAMPLE|CHANGE|XXXX|<|>|\.\.\.", re.IGNORECASE)
#: The smallest body limit that still admits Alexa's requests (an envelope is a few KB).
MIN_BODY_BYTES = 4096


def packaged_dir(package: str) -> Path:
    """The folder of a data package installed with the skill, found by the import system (so an
    editable install's mapping to ``content/`` is followed).

    A package that is missing (the Lambda code carries no interaction models) gives the folder
    where it would be, so whatever reads it reports "folder not found" with that path. The import
    system's spec, not ``importlib.resources``: the same answer for a folder on disk, without
    importing ``importlib.resources`` and its zip support at every cold start.
    """
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return Path(__file__).resolve().parent / package.rpartition(".")[2]
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not folder.is_dir():  # imported from inside an archive: the loaders need a folder
        raise ConfigError(f"{package} is inside an archive ({folder}); unpack it, or pass --content-dir / --model-dir")
    return folder


def default_content_dir() -> Path:
    """The content the skill was installed with (``content/`` of the checkout when editable)."""
    return packaged_dir(CONTENT_PACKAGE)


def default_model_dir() -> Path:
    """The interaction models the skill was installed with (``interaction_model/`` when editable)."""
    return packaged_dir(MODEL_PACKAGE)


def __getattr__(name: str) -> Path:
    """``DEFAULT_CONTENT_DIR`` and ``DEFAULT_MODEL_DIR``, looked up when asked for (PEP 562), so
    importing this module has no side effects and the answer always follows the install."""
    if name == "DEFAULT_CONTENT_DIR":
        return default_content_dir()
    if name == "DEFAULT_MODEL_DIR":
        return default_model_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_lambda(env: Mapping[str, str] | None = None) -> bool:
    """True inside AWS Lambda: its runtime sets these for every function (and nothing else does)."""
    env = os.environ if env is None else env
    return bool(env.get("AWS_LAMBDA_FUNCTION_NAME") or env.get("LAMBDA_TASK_ROOT"))


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """``/tmp/nose-twitch`` on Lambda (the only writable place there), else
    ``$XDG_CACHE_HOME/nose-twitch``, else ``~/.cache/nose-twitch``; None if there is no home."""
    env = os.environ if env is None else env
    if is_lambda(env):
        return LAMBDA_CACHE_DIR
    base = env.get("XDG_CACHE_HOME") or ""
    if os.path.isabs(base):  # the XDG spec says to ignore a relative one
        return Path(base) / "nose-twitch"
    try:
        return Path.home() / ".cache" / "nose-twitch"
    except RuntimeError:  # no HOME and no password entry
        return None


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the setting."""


@dataclass(frozen=True)
class SkillConfig:
    """Everything the skill and its transports need to know, in one place."""

    skill_id: str | None = None
    #: Development mode: signature and timestamp checks off (said loudly at start-up and in logs).
    dev: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    default_locale: str = "en-US"
    content_dir: Path = field(default_factory=default_content_dir)
    model_dir: Path = field(default_factory=default_model_dir)
    endpoint_path: str = "/alexa"
    #: Alexa's own limit is far lower than this; anything larger is not an Alexa request.
    max_body_bytes: int = 256 * 1024
    cert_fetch_timeout: float = 5.0
    #: PEM bundle of trusted roots for the signing chain; None: the certifi / system bundle.
    trust_store: Path | None = None
    #: Where parsed content is kept as JSON between starts (see skill.domain.content_cache);
    #: None: no cache. A folder that cannot be written is no cache too, unless it was asked for.
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    #: The cache folder was asked for (``SKILL_CACHE_DIR``): serving refuses to start if it cannot
    #: be written, instead of quietly parsing the content at every start.
    cache_dir_required: bool = False
    #: Server operations (logs and metrics); see :func:`ops_settings_from_env`.
    log_level: str = "INFO"
    #: Prometheus metrics on their own port (served by the gunicorn master for every worker).
    metrics_port: int | None = None
    #: The address the metrics port listens on; None: the same as ``host``.
    metrics_host: str | None = None
    #: Prometheus metrics at this path of the skill's own port (e.g. ``/metrics``).
    metrics_path: str | None = None

    @property
    def metrics_enabled(self) -> bool:
        return self.metrics_port is not None or self.metrics_path is not None

    @property
    def verify_signatures(self) -> bool:
        return not self.dev

    @property
    def verify_timestamps(self) -> bool:
        return not self.dev

    def require_production_ready(self) -> None:
        """Refuse to serve in production mode without a skill id to check requests against."""
        if not self.dev and not self.skill_id:
            raise ConfigError(
                "No skill id: pass --skill-id or set SKILL_ID (the id Alexa sends as "
                "applicationId), or use --dev for local testing without verification."
            )

    def check_for_serving(self) -> None:
        """Refuse, at start, settings that would make requests fail later, each with how to fix it.

        :raises ConfigError: the first setting that is wrong, named, with its fix
        """
        self.require_production_ready()
        if self.skill_id is not None:
            check_skill_id(self.skill_id)
        if self.workers < 1:
            raise ConfigError(
                f"--workers / WORKERS must be at least 1, got {self.workers}: with no worker nothing answers "
                "(2 is the default; about one per CPU core)"
            )
        check_timeout(self.cert_fetch_timeout, "SKILL_CERT_TIMEOUT")
        if self.max_body_bytes < MIN_BODY_BYTES:
            raise ConfigError(
                f"SKILL_MAX_BODY_BYTES must be at least {MIN_BODY_BYTES} (Alexa's requests are a few KB; smaller "
                f"would refuse them with 413), got {self.max_body_bytes}; the default is {SkillConfig.max_body_bytes}"
            )
        if self.cache_dir is not None and self.cache_dir_required:
            check_writable_folder(self.cache_dir, "SKILL_CACHE_DIR", "or set SKILL_CACHE_DIR=off for no cache")

    def with_overrides(self, **changes: object) -> SkillConfig:
        """A copy with the given non-None settings replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def check_skill_id(skill_id: str, name: str = "SKILL_ID") -> str:
    """``skill_id`` if it has the shape of a real skill id; :class:`ConfigError` saying how to find it."""
    where = ("the Alexa developer console shows it under Build > Endpoint, or run `ask smapi list-skills-for-vendor`")
    if _PLACEHOLDER.search(skill_id):
        raise ConfigError(
            f"{name} is still a placeholder ({skill_id!r}): put your skill's id there "
            f"(amzn1.ask.skill. and a UUID; {where})"
        )
    if not SKILL_ID_SHAPE.fullmatch(skill_id.strip()):
        raise ConfigError(
            f"{name} must be amzn1.ask.skill. followed by a UUID (8-4-4-4-12 hex digits), got {skill_id!r}; "
            f"{where}. With a wrong id every request is refused as addressed to another skill."
        )
    return skill_id.strip()


def check_timeout(seconds: float, name: str, ceiling: float = ALEXA_TIMEOUT_S) -> float:
    """A timeout in seconds: finite, above 0 and at most ``ceiling`` (Alexa's 8 s by default)."""
    if not (math.isfinite(seconds) and 0 < seconds <= ceiling):
        raise ConfigError(
            f"{name} must be a number of seconds above 0 and at most {ceiling:g} (Alexa gives up after "
            f"{ALEXA_TIMEOUT_S:g} s), got {seconds!r}; the default is {SkillConfig.cert_fetch_timeout:g}"
        )
    return seconds


def check_writable_folder(folder: Path, name: str, alternative: str) -> Path:
    """``folder``, created if missing, if this user can write there; else :class:`ConfigError`."""
    import tempfile  # at start-up only, not in every process that reads a config

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-check-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(
            f"{name}={folder} cannot be written ({exc.strerror or exc}): make it a folder the server's user "
            f"can write, {alternative}"
        ) from None
    return folder


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def config_from_env(env: Mapping[str, str] | None = None) -> SkillConfig:
    """Build the config from environment variables (``SKILL_ID``, ``PORT``, ...)."""
    env = os.environ if env is None else env
    trust = env.get("SKILL_TRUST_STORE") or None
    cache = (env.get("SKILL_CACHE_DIR") or "").strip()
    return SkillConfig(
        skill_id=env.get("SKILL_ID") or None,
        dev=_flag(env, "SKILL_DEV"),
        host=env.get("HOST") or SkillConfig.host,
        port=_int(env, "PORT", SkillConfig.port),
        workers=_int(env, "WORKERS", SkillConfig.workers),
        default_locale=env.get("SKILL_DEFAULT_LOCALE") or SkillConfig.default_locale,
        content_dir=Path(env["SKILL_CONTENT_DIR"]) if env.get("SKILL_CONTENT_DIR") else default_content_dir(),
        max_body_bytes=_int(env, "SKILL_MAX_BODY_BYTES", SkillConfig.max_body_bytes),
        cert_fetch_timeout=_float(env, "SKILL_CERT_TIMEOUT", SkillConfig.cert_fetch_timeout),
        trust_store=Path(trust) if trust else None,
        cache_dir=_cache_dir(cache, env),
        cache_dir_required=bool(cache) and cache.lower() not in {"off", "none"},
        **ops_settings_from_env(env),
    )


def _cache_dir(raw: str, env: Mapping[str, str]) -> Path | None:
    if raw.lower() in {"off", "none"}:
        return None
    return Path(raw) if raw else default_cache_dir(env)


#: The log levels ``--log-level`` / ``SKILL_LOG_LEVEL`` accept.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def check_log_level(raw: str, name: str = "SKILL_LOG_LEVEL") -> str:
    """``raw`` as a level name (case-insensitive), or :class:`ConfigError` naming the setting."""
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def check_metrics_path(raw: str, name: str = "SKILL_METRICS_PATH") -> str:
    """A path for the metrics route: absolute, and not one of the skill's own routes."""
    path = raw.strip()
    if not path.startswith("/") or path in {"/", SkillConfig.endpoint_path, "/healthz"} or any(c.isspace() for c in path):
        raise ConfigError(f"{name} must be a path such as /metrics (not /, /alexa or /healthz), got {raw!r}")
    return path


def check_metrics_port(port: int, name: str = "SKILL_METRICS_PORT") -> int:
    if not 0 < port < 65536:
        raise ConfigError(f"{name} must be a port number (1-65535), got {port}")
    return port


def ops_settings_from_env(env: Mapping[str, str]) -> dict[str, object]:
    """Logs and metrics: ``SKILL_LOG_LEVEL``, ``SKILL_METRICS_PORT``, ``SKILL_METRICS_HOST``, ``SKILL_METRICS_PATH``."""
    settings: dict[str, object] = {}
    if env.get("SKILL_LOG_LEVEL"):
        settings["log_level"] = check_log_level(env["SKILL_LOG_LEVEL"])
    if env.get("SKILL_METRICS_PORT"):
        settings["metrics_port"] = check_metrics_port(_int(env, "SKILL_METRICS_PORT", 0))
    if env.get("SKILL_METRICS_HOST"):
        settings["metrics_host"] = env["SKILL_METRICS_HOST"].strip()
    if env.get("SKILL_METRICS_PATH"):
        settings["metrics_path"] = check_metrics_path(env["SKILL_METRICS_PATH"])
    return settings
