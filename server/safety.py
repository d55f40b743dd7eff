"""Which settings are unsafe on a network, and how `python app.py` may run open on loopback.

Pure functions over Settings and a user count, so the refusals are tested without a server.
"""

from __future__ import annotations

import logging
import secrets

from config import Settings

log = logging.getLogger("flightdeck")

MIN_SECRET_KEY = 16
KNOWN_DEFAULT_KEYS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "default",
        "dev",
        "development",
        "flightdeck",
        "insecure",
        "key",
        "mysecret",
        "password",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "super-secret",
        "supersecret",
        "test",
        "testing",
        "your-secret-key",
        "your_secret_key",
    }
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAKE_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"
ADD_USER = "python -m server.users add NAME --role admin"


class UnsafeSettings(RuntimeError):
    """Production was asked to start with settings that would expose the app."""


def secret_key_problem(key: str) -> str | None:
    if not key:
        return f"SECRET_KEY is not set: set it to a long random value ({MAKE_KEY})"
    if key.strip().lower() in KNOWN_DEFAULT_KEYS:
        return (
            f"SECRET_KEY is a well-known default: set a long random value ({MAKE_KEY})"
        )
    if len(key) < MIN_SECRET_KEY:
        return (
            f"SECRET_KEY is only {len(key)} characters: use at least {MIN_SECRET_KEY} "
            f"random ones ({MAKE_KEY})"
        )
    return None


def unsafe_settings(settings: Settings, user_count: int) -> list[str]:
    """Every reason these settings must not serve a network; empty when they may."""
    problems = []
    key = secret_key_problem(settings.secret_key)
    if key:
        problems.append(key)
    if settings.debug:
        problems.append(
            "FLIGHTDECK_DEBUG is on: debug mode shows tracebacks and reloads code; unset it"
        )
    if settings.auth == "on" and user_count == 0:
        problems.append(
            f"there are no users, so nobody could log in: add one with `{ADD_USER}` "
            "(or set FLIGHTDECK_AUTH=off behind a proxy that decides who gets in)"
        )
    return problems


def refuse_unsafe(settings: Settings, user_count: int) -> None:
    """Raise UnsafeSettings, naming what to set, unless these settings may serve a network."""
    problems = unsafe_settings(settings, user_count)
    if problems:
        raise UnsafeSettings("; ".join(problems))
    if settings.auth == "off":
        log.warning(
            "FLIGHTDECK_AUTH=off: no login; every visitor can use every page. "
            "Only run this behind a proxy that decides who gets in."
        )


def local_settings(settings: Settings, user_count: int) -> Settings:
    """Settings for `python app.py`: open on loopback with no users, else as production.

    On loopback a missing SECRET_KEY becomes a random one (sessions end on restart),
    unless REDIS_URL sends jobs to Celery workers, which must check them with the same key.
    """
    if settings.redis_url and not settings.secret_key:
        raise UnsafeSettings(
            "REDIS_URL is set, so SECRET_KEY must be too: the same value for the app "
            f"and its Celery workers, which check the jobs the app signs ({MAKE_KEY})"
        )
    if settings.host not in LOOPBACK:
        refuse_unsafe(settings, user_count)
        return settings
    changes = {}
    if settings.auth == "on" and user_count == 0:
        log.warning(
            "local development: no users, so no login; anyone on this machine can use "
            "every page. Add a user (`%s`) to turn login on.",
            ADD_USER,
        )
        changes["auth"] = "local"
    elif settings.auth == "off":
        log.warning("FLIGHTDECK_AUTH=off: no login; every visitor can use every page")
    if not settings.secret_key:
        changes["secret_key"] = secrets.token_hex(32)
    return settings.with_overrides(**changes)
