"""Model tier: the tiny trained model, its card, the registry's checks, and behaviour."""

from __future__ import annotations

import json
import shutil

import pytest

from data.aliases import AliasStore
from data.db import Database
from model.registry import CARD_FILE, MODEL_FILE, ModelLoadError, Registry
from model.service import InputError, ModelService
from model.train import registry_for, split


@pytest.fixture(scope="module")
def registry(small_settings, flights_spec):
    return registry_for(small_settings, flights_spec)


@pytest.fixture(scope="module")
def service(app_context):
    return app_context.service


def test_card_round_trip(registry):
    version = registry.resolve("champion")
    pipeline, card = registry.load(version)
    assert card.version == version and card.kind == "binary"
    assert card.classes == ["0", "1"] and card.positive == "1"
    assert card.sha256 and card.importance and card.libraries["scikit-learn"]
    for model in ("model", "baseline"):
        assert {"auc", "log_loss", "brier"} <= set(card.metrics[model].holdout)
    assert card.dataset.split["train"].end <= "2013-09-30"
    assert card.dataset.split["holdout"].start >= "2013-11-01"
    assert len(card.curves.thresholds.tp_fp_tn_fn) == 101
    assert card.fingerprints.spec and card.fingerprints.source
    assert hasattr(pipeline, "predict_proba")


def test_split_is_by_time(small_settings, flights_spec):

    from data.ingest import processed_path, read_processed

    frame, _ = read_processed(
        processed_path(small_settings, flights_spec), flights_spec
    )
    parts = split(frame, flights_spec)
    assert parts["train"]["sched_dep"].max() < parts["valid"]["sched_dep"].min()
    assert parts["valid"]["sched_dep"].max() < parts["holdout"]["sched_dep"].min()


def fresh_registry(root) -> Registry:
    """A registry in `root` with its aliases in a new SQLite database beside it."""
    database = Database(f"sqlite:///{root}.db").migrate()
    return Registry(root, AliasStore(database, "flights"))


def _copy_version(registry: Registry, tmp_path) -> tuple[Registry, str]:
    version = registry.resolve("champion")
    copy = fresh_registry(tmp_path / "reg")
    shutil.copytree(registry.root / version, copy.root / version)
    return copy, version


def test_wrong_sha256_is_refused_before_unpickling(registry, tmp_path):
    copy, version = _copy_version(registry, tmp_path)
    with open(copy.root / version / MODEL_FILE, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelLoadError, match="sha256"):
        copy.load(version)


def test_other_sklearn_version_is_refused(registry, tmp_path):
    copy, version = _copy_version(registry, tmp_path)
    card_path = copy.root / version / CARD_FILE
    card = json.loads(card_path.read_text())
    card["libraries"]["scikit-learn"] = "0.24.0"
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelLoadError, match="scikit-learn 0.24.0"):
        copy.load(version)


def test_aliases_are_checked_and_recorded(registry, tmp_path):
    copy, version = _copy_version(registry, tmp_path)
    copy.set_alias("champion", version, "ada", "first")
    assert copy.resolve("champion") == version
    with pytest.raises(ModelLoadError):
        copy.set_alias("challenger", "v-missing")
    (move,) = copy.alias_store.history()
    assert (move.alias, move.to_version, move.user, move.note) == (
        "champion",
        version,
        "ada",
        "first",
    )


def test_aliases_json_from_before_the_database_is_adopted(registry, tmp_path):
    version = registry.resolve("champion")
    root = tmp_path / "old"
    shutil.copytree(registry.root / version, root / version)
    (root / "aliases.json").write_text(json.dumps({"champion": version}))
    adopted = fresh_registry(root)
    assert adopted.resolve("champion") == version
    assert adopted.alias_store.history()[0].user == "migration"
    assert not (root / "aliases.json").exists()


def test_missing_champion_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="model.train"):
        ModelService.from_registry(fresh_registry(tmp_path / "empty"))


def test_later_departure_is_not_less_risky(service):
    """Behaviour: in 2013 delays built up through the day."""
    base = service.defaults()
    early = service.predict({**base, "hour": 6}).value
    evening = service.predict({**base, "hour": 19}).value
    assert evening > early


def test_invariant_to_field_order(service):
    base = service.defaults()
    reordered = dict(reversed(list(base.items())))
    assert service.predict(base).value == pytest.approx(
        service.predict(reordered).value
    )


def test_whatif_curve_passes_through_the_prediction(service):
    answer = service.predict({**service.defaults(), "hour": 15})
    at_15 = answer.whatif.set_index("value").loc[15.0, "prediction"]
    assert at_15 == pytest.approx(answer.value)
    assert len(answer.effects) == len(service.columns)
    assert answer.label in {"Low", "Moderate", "High"}  # the flights spec's bands
    assert answer.color in {"success", "warning", "danger"}


@pytest.mark.parametrize(
    "change",
    [
        {"carrier": "ZZ"},
        {"hour": "x"},
        {"hour": float("inf")},
        {"weekday": True},
        {"unknown_field": 1},
    ],
)
def test_validation_refuses_bad_inputs(service, change):
    with pytest.raises(InputError):
        service.predict({**service.defaults(), **change})


def test_unseen_range_is_flagged(service):
    answer = service.predict({**service.defaults(), "distance": 99999})
    assert any("outside the training range" in w for w in answer.warnings)


def test_fractional_features_are_not_marked_integer(service):
    assert service.schema["precip"].integer is False
    assert service.schema["hour"].integer is True
