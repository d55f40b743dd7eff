"""Model artifacts behind fsspec: the same registry on a folder, a file:// URL and
memory:// (object storage's stand-in), with the same sha256 refusal before unpickling."""

from __future__ import annotations

import uuid

import fsspec
import pytest

from config import Settings
from data.aliases import AliasStore
from data.db import Database
from model.artifact_store import ArtifactStoreError, joined
from model.registry import CARD_FILE, MODEL_FILE, ModelLoadError, Registry
from model.train import registry_for


@pytest.fixture(scope="module")
def champion(small_settings, flights_spec):
    """The tiny model's pipeline and card, loaded once from the session's folder."""
    registry = registry_for(small_settings, flights_spec)
    return registry.load(registry.resolve("champion"))


def _registry(location, tmp_path) -> Registry:
    database = Database(f"sqlite:///{tmp_path / 'aliases.db'}").migrate()
    return Registry(location, AliasStore(database, "flights"))


def _memory_url() -> str:
    return f"memory://flightdeck-{uuid.uuid4().hex[:8]}/artifacts/flights"


@pytest.fixture(params=["path", "file-url", "memory-url"])
def location(request, tmp_path):
    if request.param == "path":
        return tmp_path / "artifacts" / "flights"
    if request.param == "file-url":
        return (tmp_path / "artifacts" / "flights").as_uri()
    return _memory_url()


def test_a_version_saved_is_listed_loaded_and_promoted(location, tmp_path, champion):
    pipeline, card = champion
    registry = _registry(location, tmp_path)
    assert registry.versions() == []
    version = registry.save(pipeline, card)
    assert registry.versions() == [version]
    loaded, loaded_card = registry.load(version)
    assert loaded_card.sha256 == registry.verify(version).sha256
    assert loaded_card.feature_columns == card.feature_columns
    assert type(loaded) is type(pipeline)
    registry.set_alias("champion", version, "ada")
    assert registry.resolve("champion") == version


def test_the_same_file_saved_twice_is_two_versions(tmp_path, champion):
    registry = _registry(_memory_url(), tmp_path)
    first, second = registry.save(*champion), registry.save(*champion)
    assert first != second and registry.versions() == sorted([first, second])


def test_a_tampered_artifact_in_object_storage_is_refused(tmp_path, champion):
    url = _memory_url()
    registry = _registry(url, tmp_path)
    version = registry.save(*champion)
    fs, root = fsspec.core.url_to_fs(url)
    fs.pipe_file(f"{root}/{version}/{MODEL_FILE}", b"not the model")
    with pytest.raises(ModelLoadError, match="sha256"):
        registry.load(version)
    with pytest.raises(ModelLoadError, match="sha256"):
        registry.verify(version)


def test_a_folder_without_its_card_is_not_a_version(tmp_path, champion):
    url = _memory_url()
    registry = _registry(url, tmp_path)
    version = registry.save(*champion)
    fs, root = fsspec.core.url_to_fs(url)
    fs.rm(f"{root}/{version}/{CARD_FILE}")  # as if the upload stopped before the card
    assert registry.versions() == []
    with pytest.raises(ModelLoadError, match="has no card.json"):
        registry.load(version)


def test_a_missing_artifact_is_a_load_error(tmp_path, champion):
    url = _memory_url()
    registry = _registry(url, tmp_path)
    version = registry.save(*champion)
    fs, root = fsspec.core.url_to_fs(url)
    fs.rm(f"{root}/{version}/{MODEL_FILE}")
    with pytest.raises(ModelLoadError, match="has no model.joblib"):
        registry.load(version)


def test_flightdeck_artifacts_chooses_where_versions_live(tmp_path):
    home = {"FLIGHTDECK_HOME": str(tmp_path)}
    assert Settings.from_env(home).artifacts_dir == tmp_path / "artifacts"
    shared = Settings.from_env(home | {"FLIGHTDECK_ARTIFACTS": "/srv/shared/models"})
    assert str(joined(shared.artifacts_dir, "flights")) == "/srv/shared/models/flights"
    remote = Settings.from_env(home | {"FLIGHTDECK_ARTIFACTS": "s3://team/fd/"})
    assert joined(remote.artifacts_dir, "flights") == "s3://team/fd/flights"


def test_a_url_whose_package_is_missing_says_which(tmp_path):
    try:
        import s3fs  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("s3fs is installed here, so s3:// URLs are usable")
    with pytest.raises(ArtifactStoreError, match="s3fs"):
        _registry("s3://team-bucket/flightdeck/flights", tmp_path)
    assert issubclass(ArtifactStoreError, ValueError)  # app.py's STARTUP_ERRORS
