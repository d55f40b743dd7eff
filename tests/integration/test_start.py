"""Starting the app with something broken says what is wrong, not a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest
import requests

from bench.server import free_port
from config import DEFAULT_SPEC, ROOT
from data.spec import load_spec
from model.train import registry_for


def _run(argv: list[str], env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    """Run a start command to its end with a clean environment and an empty home."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "FLIGHTDECK_HOME": str(tmp_path / "home"),
        "FLIGHTDECK_AUTO_BUILD": "0",
        "PORT": str(free_port()),
        **env_overrides,
    }
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _start(env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    return _run([sys.executable, "app.py"], env_overrides, tmp_path)


def test_missing_model_is_a_clear_message(tmp_path):
    result = _start({}, tmp_path)
    assert result.returncode == 1
    assert "python -m model.train" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_spec_is_a_clear_message(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text(
        'name = "x"\n[source]\npath = "x.csv"\n[target]\ncolumn = "y"\ntask = "ranking"\n'
    )
    result = _start({"FLIGHTDECK_SPEC": str(spec)}, tmp_path)
    assert result.returncode == 1
    assert (
        "[target] task" in result.stderr
        and "'ranking'" in result.stderr
        and "Traceback" not in result.stderr
    )


def _gunicorn(env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"]
    base = {"BIND_HOST": "127.0.0.1", "SECRET_KEY": "k" * 40}
    return _run(argv, {**base, **env_overrides}, tmp_path)


@pytest.mark.parametrize(
    "env, words",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY is a well-known default"),
        ({"SECRET_KEY": "tooshort"}, "SECRET_KEY is only 8 characters"),
        ({"FLIGHTDECK_DEBUG": "1"}, "FLIGHTDECK_DEBUG is on"),
        ({}, "there are no users"),
        ({"FLIGHTDECK_AUTH": "off", "FLIGHTDECK_DEBUG": "1"}, "FLIGHTDECK_DEBUG is on"),
        ({"FLIGHTDECK_AUTH": "maybe"}, "FLIGHTDECK_AUTH must be 'on' or 'off'"),
        ({"GUNICORN_THREADS": "many"}, "GUNICORN_THREADS must be a whole number"),
        ({"DATABASE_URL": "nosuchdb://x/y"}, "cannot be used"),
    ],
)
def test_production_refuses_unsafe_settings_with_what_to_set(tmp_path, env, words):
    result = _gunicorn(env, tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert words in output, output[-2000:]
    assert "flightdeck: cannot start:" in output
    assert "Traceback" not in output


def test_production_with_login_off_still_needs_its_model(tmp_path):
    result = _gunicorn({"FLIGHTDECK_AUTH": "off"}, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "python -m model.train" in output
    assert "FLIGHTDECK_AUTH=off" in output  # the warning, before the model is loaded
    assert "Traceback" not in output


def test_python_app_on_a_network_address_needs_users(tmp_path):
    result = _start({"HOST": "0.0.0.0", "SECRET_KEY": "k" * 40}, tmp_path)
    assert result.returncode == 1
    assert "there are no users" in result.stderr and "Traceback" not in result.stderr


def test_an_unusable_database_is_a_clear_message(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'file' / 'flightdeck.db'}"
    result = _start({"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 1
    assert "cannot start: the database at" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_auto_build_does_not_ingest(small_settings, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(small_settings.home / "artifacts", home / "artifacts")
    result = _start({"FLIGHTDECK_HOME": str(home)}, tmp_path)
    assert result.returncode == 1
    assert (
        "no processed data" in result.stderr
        and "python -m data.ingest" in result.stderr
    )
    assert not (home / "data").exists()


def test_alembic_by_hand_upgrades_the_configured_database(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "FLIGHTDECK_HOME": str(tmp_path),
    }
    alembic = [sys.executable, "-m", "alembic"]
    upgrade = subprocess.run(
        [*alembic, "upgrade", "head"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr
    current = subprocess.run(
        [*alembic, "current"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "0009 (head)" in current.stdout
    assert (tmp_path / "flightdeck.db").is_file()


def test_python_app_on_loopback_without_users_runs_open_and_says_so(
    small_settings, tmp_path
):
    home = tmp_path / "home"
    for part in ("data", "artifacts", "cache"):
        shutil.copytree(small_settings.home / part, home / part)
    # Aliases live in the database, which is not copied (its users would end open mode).
    champion = registry_for(small_settings, load_spec(DEFAULT_SPEC)).resolve("champion")
    copy = small_settings.with_overrides(home=home)
    registry_for(copy, load_spec(DEFAULT_SPEC)).set_alias("champion", champion)
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "FLIGHTDECK_HOME": str(home),
        "FLIGHTDECK_AUTO_BUILD": "0",
        "PORT": str(port),
    }
    log_path = tmp_path / "app.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/_dash-layout")
        assert response.status_code == 200  # no login needed
        assert "open-access-banner" in response.text
        assert response.headers["Server"] == "flightdeck"  # no Werkzeug/Python versions
    finally:
        process.terminate()
        process.wait(timeout=30)
    output = log_path.read_text()
    assert "local development: no users, so no login" in output


def _wait_for(url: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
