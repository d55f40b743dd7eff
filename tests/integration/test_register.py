"""`python -m model.register`: a team's own fitted pipeline becomes a carded version.

Real files throughout: a 4,000-row flights sample, pipelines fitted here and saved with
joblib, the registry on disk, and the CLI as a subprocess.
"""

from __future__ import annotations

import shutil

import joblib
import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from config import DEFAULT_SPEC, ROOT, Settings
from data.examples import write_examples
from data.ingest import ingest
from data.spec import load_spec
from model.register import RegisterError, register
from model.registry import MODEL_FILE, sha256_of
from model.service import ModelService
from model.train import features_of, fit_target, load_processed, registry_for, split
from tests.integration.cli import module_runner

SAMPLE_ROWS = 4000
DIABETES_SPEC = ROOT / "examples" / "diabetes" / "spec.toml"


def _quiet(_message: str) -> None:
    pass


def team_pipeline(cats: list[str], nums: list[str], final) -> Pipeline:
    """What a team might bring: their own preparation and estimator, fitted by them."""
    prepare = ColumnTransformer(
        [
            ("category", OneHotEncoder(handle_unknown="ignore"), cats),
            ("number", make_pipeline(SimpleImputer(), StandardScaler()), nums),
        ]
    )
    return Pipeline([("prepare", prepare), ("model", final)])


class RaisingModel:
    """Has predict_proba, but it fails on the spec's columns."""

    classes_ = np.array(["0", "1"])

    def predict_proba(self, X):
        raise KeyError("the column 'tail_number' is not in the frame\nmore detail")


class ThreeColumns:
    """Two classes, but three probability columns."""

    classes_ = np.array(["0", "1"])

    def predict_proba(self, X):
        return np.full((len(X), 3), 1 / 3)


class NanRegressor:
    """Predicts NaN for every other row."""

    def predict(self, X):
        values = np.ones(len(X))
        values[::2] = np.nan
        return values


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A home with the processed flights sample, its splits and a team's fitted file."""
    root = tmp_path_factory.mktemp("register")
    settings = Settings(spec_path=DEFAULT_SPEC, home=root / "home", auto_build=False)
    spec = load_spec(DEFAULT_SPEC)
    ingest(settings, spec, sample=SAMPLE_ROWS, progress=_quiet)
    frame, info = load_processed(settings, spec, build=False)
    parts = split(frame, spec)
    pipeline = team_pipeline(
        spec.category_features, spec.number_features, LogisticRegression(max_iter=2000)
    )
    pipeline.fit(features_of(parts["train"], spec), fit_target(parts["train"], spec))
    joblib.dump(pipeline, root / "team.joblib")
    return {"settings": settings, "spec": spec, "parts": parts, "root": root}


@pytest.fixture()
def settings(built, tmp_path) -> Settings:
    """A fresh home per test (no models yet) holding a copy of the processed data."""
    shutil.copytree(built["settings"].data_dir, tmp_path / "data")
    return Settings(spec_path=DEFAULT_SPEC, home=tmp_path, auto_build=False)


def refit(built, path, cats, nums, labels=None, c=1.0):
    """Fit a team pipeline on the train split's columns cats + nums; save it at path."""
    spec, train = built["spec"], built["parts"]["train"]
    y = fit_target(train, spec) if labels is None else labels(fit_target(train, spec))
    pipeline = team_pipeline(cats, nums, LogisticRegression(C=c, max_iter=2000))
    pipeline.fit(train[cats + nums], y)
    joblib.dump(pipeline, path)
    return path


def test_team_pipeline_registers_as_champion_with_a_full_card(built, settings):
    spec, messages = built["spec"], []
    version = register(
        settings, spec, built["root"] / "team.joblib", progress=messages.append
    )

    registry = registry_for(settings, spec)
    assert registry.resolve("champion") == version
    card = registry.card(version)
    assert card.model.origin == "registered"
    assert card.model.estimator == "LogisticRegression"
    assert card.model.params["max_iter"] == 2000 and "C" in card.model.params
    assert all(
        v is None or isinstance(v, int | float | str | bool)
        for v in card.model.params.values()
    )
    assert 0.5 < card.metrics["model"].holdout["auc"] <= 1
    assert "auc" in card.metrics["baseline"].holdout
    assert card.feature_columns == [f.column for f in spec.features]
    assert card.classes == ["0", "1"] and card.curves.roc is not None
    assert card.sha256 == sha256_of(registry.root / version / MODEL_FILE)
    assert "WARNING" in messages[0] and "trust" in messages[0]
    assert version in messages[-1] and "champion" in messages[-1]


def test_registered_champion_is_served_like_a_trained_one(built, settings):
    spec = built["spec"]
    version = register(settings, spec, built["root"] / "team.joblib", progress=_quiet)

    service = ModelService.from_registry(registry_for(settings, spec))
    assert service.version == version and service.card.model.origin == "registered"
    answer = service.predict(service.defaults())
    assert 0 < answer.value < 1 and answer.label
    holdout = features_of(built["parts"]["holdout"], spec)
    expected = joblib.load(built["root"] / "team.joblib").predict_proba(holdout)[:, 1]
    assert np.allclose(service.predict_frame(holdout), expected)


def test_no_promote_saves_a_version_but_keeps_the_champion(built, settings, tmp_path):
    spec = built["spec"]
    # Another pipeline, not the same file twice: versions are named by the second and
    # the artifact's sha256, so one file saved twice in a second collides.
    other = refit(
        built,
        tmp_path / "c.joblib",
        spec.category_features,
        spec.number_features,
        c=0.1,
    )
    first = register(settings, spec, built["root"] / "team.joblib", progress=_quiet)
    second = register(settings, spec, other, promote=False, progress=_quiet)

    registry = registry_for(settings, spec)
    assert second != first and set(registry.versions()) == {first, second}
    assert registry.resolve("champion") == first
    assert registry.card(second).model.params["C"] == 0.1
    assert registry.card(second).model.origin == "registered"


def test_pipeline_fitted_on_fewer_columns_is_refused(built, settings, tmp_path):
    spec = built["spec"]
    path = refit(built, tmp_path / "few.joblib", ["carrier"], ["hour", "distance"])
    with pytest.raises(RegisterError) as refused:
        register(settings, spec, path, progress=_quiet)

    message = str(refused.value)
    assert "fitted on 3 column(s), not the spec's 14 features" in message
    assert "missing: origin, dest, weekday" in message and "\n" not in message
    assert registry_for(settings, spec).versions() == []


def test_pipeline_fitted_on_other_labels_is_refused(built, settings, tmp_path):
    spec = built["spec"]
    words = {"0": "on time", "1": "late"}
    path = refit(
        built,
        tmp_path / "words.joblib",
        spec.category_features,
        spec.number_features,
        labels=lambda y: np.array([words[v] for v in y], dtype=object),
    )
    with pytest.raises(RegisterError, match="do not include '0', '1'"):
        register(settings, spec, path, progress=_quiet)
    assert registry_for(settings, spec).versions() == []


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ({"not": "a model"}, "a dict has no predict_proba"),
        (
            make_pipeline(LinearRegression()),
            "a Pipeline has no predict_proba, which a classification model needs",
        ),
        (
            RaisingModel(),
            "predict_proba on 200 rows of the spec's features failed: KeyError: ",
        ),
        (ThreeColumns(), "predict_proba returned shape (200, 3), not (200, 2)"),
    ],
    ids=["no-model", "regressor", "raises", "wrong-shape"],
)
def test_objects_that_cannot_score_the_spec_are_refused(
    built, settings, tmp_path, model, reason
):
    joblib.dump(model, tmp_path / "model.joblib")
    with pytest.raises(RegisterError) as refused:
        register(settings, built["spec"], tmp_path / "model.joblib", progress=_quiet)
    assert reason in str(refused.value) and "\n" not in str(refused.value)
    assert registry_for(settings, built["spec"]).versions() == []


def test_non_pickle_and_missing_files_are_refused(built, settings, tmp_path):
    text = tmp_path / "notes.joblib"
    text.write_text("carrier,hour\nUA,7\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="notes.joblib is not a joblib/pickle file"):
        register(settings, built["spec"], text, progress=_quiet)
    with pytest.raises(RegisterError, match="no file at .*absent.joblib"):
        register(settings, built["spec"], tmp_path / "absent.joblib", progress=_quiet)
    assert registry_for(settings, built["spec"]).versions() == []


def test_regression_pipeline_registers_and_non_finite_predictions_are_refused(tmp_path):
    # The example's CSV is written next to a copy of its spec, as on a fresh clone.
    write_examples(tmp_path)
    spec_path = shutil.copy(DIABETES_SPEC, tmp_path / "diabetes" / "spec.toml")
    settings = Settings(spec_path=spec_path, home=tmp_path / "home", auto_build=False)
    spec = load_spec(spec_path)
    frame, _ = load_processed(settings, spec, progress=_quiet)  # builds it
    train = split(frame, spec)["train"]
    pipeline = team_pipeline(spec.category_features, spec.number_features, Ridge())
    pipeline.fit(features_of(train, spec), fit_target(train, spec))
    joblib.dump(pipeline, tmp_path / "ridge.joblib")
    joblib.dump(NanRegressor(), tmp_path / "nan.joblib")

    with pytest.raises(RegisterError, match=r"predict returned 100 non-finite value"):
        register(settings, spec, tmp_path / "nan.joblib", progress=_quiet)
    version = register(settings, spec, tmp_path / "ridge.joblib", progress=_quiet)

    registry = registry_for(settings, spec)
    assert registry.versions() == [version] == [registry.resolve("champion")]
    card = registry.card(version)
    assert card.kind == "regression" and card.model.origin == "registered"
    assert card.model.estimator == "Ridge" and card.model.params["alpha"] == 1.0
    assert {"mae", "rmse"} <= set(card.metrics["model"].holdout)
    service = ModelService.from_registry(registry)
    assert np.isfinite(service.predict(service.defaults()).value)


@pytest.fixture()
def cli(settings):
    return module_runner("model.register", settings.home, timeout=300)


def test_cli_registers_a_team_file_and_prints_its_version(built, settings, cli):
    done = cli(str(built["root"] / "team.joblib"), "--spec", str(DEFAULT_SPEC))

    assert done.returncode == 0, done.stderr
    champion = registry_for(settings, built["spec"]).resolve("champion")
    assert champion is not None
    assert f"saved {champion} (champion); holdout" in done.stdout
    assert "auc" in done.stdout and "runs any code inside the pickle" in done.stdout


def test_cli_refuses_a_bad_file_in_one_line_without_traceback(built, settings, cli):
    bad = settings.home / "model.joblib"
    bad.write_bytes(b"\x00\x01 definitely not a pickle")
    done = cli(str(bad), "--spec", str(DEFAULT_SPEC), "--no-promote")

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "model.register: model.joblib is not"
    )
    assert registry_for(settings, built["spec"]).versions() == []
