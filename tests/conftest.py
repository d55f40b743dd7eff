"""Shared fixtures: a small real sample of the flights data and a tiny model, built once."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile

import pytest

from config import DEFAULT_SPEC, Settings
from data.ingest import ingest
from data.spec import load_spec
from model.train import registry_for, train

SAMPLE_ROWS = 4000
TINY_PARAMS = {"max_iter": 30, "max_leaf_nodes": 15}
TEST_SECRET = "test-secret-key-" + "0123456789abcdef" * 2
PASSWORD = "a long test password"
# One user per role, in every test database: name -> role.
USERS = {"vic": "viewer", "ana": "analyst", "ada": "admin"}


def add_test_users(users) -> None:
    """Add the test users (one per role) to a UserStore, all with PASSWORD."""
    for name, role in USERS.items():
        if users.get(name) is None:
            users.add(name, role, PASSWORD)


def _quiet(_message: str) -> None:
    pass


@pytest.fixture()
def database_url(tmp_path) -> str:
    """Where a test's database lives: a SQLite file in its tmp_path. tests/scale overrides
    this fixture with an empty PostgreSQL database, so the same tests run on both."""
    return f"sqlite:///{tmp_path / 'flightdeck.db'}"


@pytest.fixture(scope="session")
def flights_spec():
    return load_spec(DEFAULT_SPEC)


@pytest.fixture(scope="session")
def small_settings(tmp_path_factory) -> Settings:
    """Settings whose home holds a 4,000-row flights sample and a tiny champion model."""
    home = tmp_path_factory.mktemp("flightdeck-home")
    settings = Settings(
        spec_path=DEFAULT_SPEC, home=home, auto_build=False, secret_key=TEST_SECRET
    )
    spec = load_spec(DEFAULT_SPEC)
    ingest(settings, spec, sample=SAMPLE_ROWS, progress=_quiet)
    train(settings, spec, params=TINY_PARAMS, progress=_quiet)
    return settings


@pytest.fixture(scope="session")
def app_context(small_settings):
    from app import build_context

    ctx = build_context(small_settings, progress=_quiet)
    add_test_users(ctx.users)
    return ctx


EXAMPLES = (
    "breast_cancer",
    "iris",
    "diabetes",
)  # binary (text labels), 3 classes, regression


@pytest.fixture(scope="session")
def example_context(tmp_path_factory):
    """The app context of an example dataset, built once per session like a team would:
    the CSV next to its spec, then ingest, train and start (call it with the example's name)."""
    import shutil

    from config import ROOT
    from data.examples import write_examples

    folder = tmp_path_factory.mktemp("examples")
    write_examples(folder)
    built: dict = {}

    def build(name: str):
        if name not in built:
            spec_path = folder / name / "spec.toml"
            shutil.copy(ROOT / "examples" / name / "spec.toml", spec_path)
            settings = Settings(
                spec_path=spec_path,
                home=folder / f"home-{name}",
                auto_build=False,
                secret_key=TEST_SECRET,
            )
            spec = load_spec(spec_path)
            ingest(settings, spec, progress=_quiet)
            train(settings, spec, params=None, progress=_quiet)
            from app import build_context

            built[name] = build_context(settings, progress=_quiet)
            add_test_users(built[name].users)
        return built[name]

    return build


@pytest.fixture(scope="session")
def two_versions(tmp_path_factory, small_settings, flights_spec):
    """A home with two versions of the flights sample model: (settings, old, new)."""
    home = tmp_path_factory.mktemp("two-versions")
    for part in ("data", "artifacts", "cache"):
        shutil.copytree(small_settings.home / part, home / part)
    settings = small_settings.with_overrides(home=home)
    old = registry_for(small_settings, flights_spec).resolve("champion")
    # Fewer leaves as well as fewer rounds: early stopping may pick 10 rounds for both.
    smaller = {**TINY_PARAMS, "max_iter": 10, "max_leaf_nodes": 7}
    new = train(settings, flights_spec, smaller, progress=_quiet)
    return settings, old, new


@pytest.fixture()
def two_version_home(two_versions, tmp_path, flights_spec, database_url):
    """A copy of the two versions, its own database, `new` champion and `old` challenger."""
    settings, old, new = two_versions
    for part in ("data", "artifacts", "cache"):
        shutil.copytree(settings.home / part, tmp_path / part)
    settings = settings.with_overrides(home=tmp_path, database_url=database_url)
    registry = registry_for(settings, flights_spec)
    registry.set_alias("champion", new, "ada")
    registry.set_alias("challenger", old, "ada")
    return settings, registry, old, new


@pytest.fixture()
def dash_app(app_context, small_settings):
    """A fresh Dash app (own callbacks) over the shared small context."""
    from app import create_app

    return create_app(small_settings, context=app_context)


@pytest.fixture()
def client(dash_app):
    """A Flask test client signed in as an analyst through the real login form."""
    from tests.integration.dash_requests import sign_in

    return sign_in(dash_app.server.test_client(), "ana")


@pytest.fixture(scope="session", autouse=True)
def _clean_chromium_temp():
    """Chromium leaves org.chromium.Chromium.* folders in the temp dir; remove ours."""
    before = set(
        glob.glob(os.path.join(tempfile.gettempdir(), "org.chromium.Chromium.*"))
    )
    yield
    for path in (
        set(glob.glob(os.path.join(tempfile.gettempdir(), "org.chromium.Chromium.*")))
        - before
    ):
        shutil.rmtree(path, ignore_errors=True)
