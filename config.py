"""One place that turns the environment into settings; importing it does nothing else."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_SPEC = ROOT / "data" / "specs" / "flights.toml"


AUTH_MODES = ("on", "off", "local")
SHADOW_MODES = ("background", "inline")
REDIS_SCHEMES = ("redis://", "rediss://", "redis+socket://")


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(env: dict, name: str, default: float, kind=int, zero_ok: bool = False):
    """A number from the environment, or a ValueError that names the variable."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be a number, not '{raw[:20]}'") from None
    if value < 0 or (value == 0 and not zero_ok):
        least = "0 or more" if zero_ok else "above 0"
        raise ValueError(f"{name} must be {least}, not {raw[:20]}")
    return value


def _auth(value: str | None) -> str:
    mode = (value or "on").strip().lower()
    if mode not in ("on", "off"):
        raise ValueError(f"FLIGHTDECK_AUTH must be 'on' or 'off', not '{mode[:20]}'")
    return mode


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Flightdeck process."""

    spec_path: Path = DEFAULT_SPEC
    home: Path = ROOT / "var"
    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    auto_build: bool = True
    database_url: str = ""
    model_threads: int = 1
    compress: bool = True
    secret_key: str = ""
    auth: str = "on"  # on: login required; off: open (trusted proxy); local: open dev
    session_hours: float = 8.0
    cookie_secure: bool = False
    max_request_kb: int = 1024
    login_limit: str = "5 per minute"
    ratelimit_storage: str = "memory://"
    alias_poll_s: float = 1.0
    shadow: str = (
        "background"  # challenger scoring: background (off the request) or inline
    )
    api_limit: str = "1200 per minute"  # per API key, across /api/v1
    api_max_records: int = 1000  # records in one POST /api/v1/predict
    metrics_token: str = ""  # bearer token for /metrics; unset: loopback clients only
    chromium: str = ""  # the browser that prints PDF reports; unset: found on the PATH
    busy_limit: int = (
        2  # callbacks and API predictions at once per process (0: no limit)
    )
    artifacts: str = ""  # FLIGHTDECK_ARTIFACTS: a folder or fsspec URL; unset: home
    redis_url: str = ""  # background jobs on Celery workers via Redis; unset: diskcache
    trusted_proxies: int = (
        0  # proxies in front whose X-Forwarded-* headers are believed
    )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from environment variables (FLIGHTDECK_*, HOST, PORT)."""
        env = dict(os.environ if env is None else env)
        return cls(
            spec_path=Path(env.get("FLIGHTDECK_SPEC") or DEFAULT_SPEC),
            home=Path(env.get("FLIGHTDECK_HOME") or ROOT / "var"),
            host=env.get("HOST") or "127.0.0.1",
            port=_number(env, "PORT", 8050),
            debug=_flag(env.get("FLIGHTDECK_DEBUG"), False),
            auto_build=_flag(env.get("FLIGHTDECK_AUTO_BUILD"), True),
            database_url=env.get("DATABASE_URL") or "",
            model_threads=_number(env, "FLIGHTDECK_MODEL_THREADS", 1),
            compress=_flag(env.get("FLIGHTDECK_COMPRESS"), True),
            secret_key=env.get("SECRET_KEY") or "",
            auth=_auth(env.get("FLIGHTDECK_AUTH")),
            session_hours=_number(env, "FLIGHTDECK_SESSION_HOURS", 8.0, float),
            cookie_secure=_flag(env.get("SESSION_COOKIE_SECURE"), False),
            max_request_kb=_number(env, "FLIGHTDECK_MAX_REQUEST_KB", 1024),
            login_limit=env.get("FLIGHTDECK_LOGIN_LIMIT") or "5 per minute",
            ratelimit_storage=env.get("FLIGHTDECK_RATELIMIT_STORAGE") or "memory://",
            alias_poll_s=_number(env, "FLIGHTDECK_ALIAS_POLL_S", 1.0, float),
            shadow=env.get("FLIGHTDECK_SHADOW") or "background",
            api_limit=env.get("FLIGHTDECK_API_LIMIT") or "1200 per minute",
            api_max_records=_number(env, "FLIGHTDECK_API_MAX_RECORDS", 1000),
            metrics_token=env.get("FLIGHTDECK_METRICS_TOKEN") or "",
            chromium=env.get("FLIGHTDECK_CHROMIUM") or "",
            busy_limit=_number(env, "FLIGHTDECK_BUSY_LIMIT", 2, zero_ok=True),
            trusted_proxies=_number(env, "FLIGHTDECK_TRUSTED_PROXIES", 0, zero_ok=True),
            artifacts=(env.get("FLIGHTDECK_ARTIFACTS") or "").strip(),
            redis_url=(env.get("REDIS_URL") or "").strip(),
        )

    def with_overrides(self, **changes) -> Settings:
        """A copy with some fields changed (tests use this)."""
        return replace(self, **changes)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec_path", Path(self.spec_path))
        object.__setattr__(self, "home", Path(self.home))
        if self.shadow not in SHADOW_MODES:
            raise ValueError(
                f"FLIGHTDECK_SHADOW must be one of {SHADOW_MODES}, not '{self.shadow}'"
            )
        if self.auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {AUTH_MODES}, not '{self.auth}'")
        if self.redis_url and not self.redis_url.startswith(REDIS_SCHEMES):
            raise ValueError(
                "REDIS_URL must start with redis://, rediss:// or redis+socket://"
            )

    @property
    def open_access(self) -> bool:
        """No login: local development, or FLIGHTDECK_AUTH=off behind a trusted proxy."""
        return self.auth != "on"

    @property
    def database(self) -> str:
        """SQLAlchemy URL of the prediction log: DATABASE_URL, else SQLite under home."""
        return self.database_url or f"sqlite:///{self.home / 'flightdeck.db'}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def artifacts_dir(self) -> Path | str:
        """Model versions: FLIGHTDECK_ARTIFACTS (a folder or an fsspec URL such as
        s3://bucket/flightdeck), else FLIGHTDECK_HOME/artifacts."""
        if not self.artifacts:
            return self.home / "artifacts"
        return self.artifacts if "://" in self.artifacts else Path(self.artifacts)
