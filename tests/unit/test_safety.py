"""Which settings production refuses, and how `python app.py` may run open on loopback."""

from __future__ import annotations

import pytest

from config import Settings
from server.safety import (
    UnsafeSettings,
    local_settings,
    refuse_unsafe,
    secret_key_problem,
    unsafe_settings,
)

GOOD_KEY = "f" * 64


@pytest.mark.parametrize(
    "key, words",
    [
        ("", "is not set"),
        ("changeme", "well-known default"),
        ("SECRET", "well-known default"),
        ("dev", "well-known default"),
        ("short-key", "only 9 characters"),
    ],
)
def test_bad_secret_keys(key, words):
    problem = secret_key_problem(key)
    assert problem and words in problem and "secrets.token_hex" in problem


def test_a_long_random_key_is_fine():
    assert secret_key_problem(GOOD_KEY) is None


@pytest.mark.parametrize(
    "changes, users, words",
    [
        ({"secret_key": ""}, 1, "SECRET_KEY is not set"),
        ({"debug": True}, 1, "FLIGHTDECK_DEBUG is on"),
        ({}, 0, "python -m server.users add NAME --role admin"),
        ({"auth": "off", "secret_key": "secret"}, 0, "well-known default"),
        ({"auth": "off", "debug": True}, 0, "FLIGHTDECK_DEBUG"),
    ],
)
def test_production_refuses_each_unsafe_setting(changes, users, words):
    settings = Settings(secret_key=GOOD_KEY).with_overrides(**changes)
    with pytest.raises(UnsafeSettings, match=words):
        refuse_unsafe(settings, users)


def test_production_starts_when_safe():
    assert unsafe_settings(Settings(secret_key=GOOD_KEY), user_count=1) == []
    # Login off behind a trusted proxy needs no users, but still a key and no debug.
    assert unsafe_settings(Settings(secret_key=GOOD_KEY, auth="off"), 0) == []


def test_every_problem_is_reported_at_once():
    problems = unsafe_settings(Settings(debug=True), user_count=0)
    assert len(problems) == 3


def test_local_development_runs_open_only_on_loopback_without_users():
    local = local_settings(Settings(host="127.0.0.1"), user_count=0)
    assert local.auth == "local" and local.open_access
    assert len(local.secret_key) == 64  # random per run
    with_users = local_settings(Settings(host="127.0.0.1"), user_count=2)
    assert with_users.auth == "on" and with_users.secret_key
    with pytest.raises(UnsafeSettings, match="no users"):
        local_settings(Settings(host="0.0.0.0", secret_key=GOOD_KEY), user_count=0)
    exposed = local_settings(Settings(host="0.0.0.0", secret_key=GOOD_KEY), 1)
    assert exposed.auth == "on"


def test_settings_from_the_environment():
    settings = Settings.from_env(
        {
            "SECRET_KEY": GOOD_KEY,
            "FLIGHTDECK_AUTH": "OFF",
            "SESSION_COOKIE_SECURE": "1",
            "FLIGHTDECK_SESSION_HOURS": "0.5",
        }
    )
    assert (settings.auth, settings.cookie_secure, settings.session_hours) == (
        "off",
        True,
        0.5,
    )
    for env, words in (
        ({"FLIGHTDECK_AUTH": "maybe"}, "FLIGHTDECK_AUTH must be"),
        ({"PORT": "http"}, "PORT must be a number"),
        ({"FLIGHTDECK_MAX_REQUEST_KB": "-1"}, "above 0"),
    ):
        with pytest.raises(ValueError, match=words):
            Settings.from_env(env)
