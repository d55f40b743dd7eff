"""Two versions side by side: the metric directions, the diff of two cards, the pick checks
and the overlaid figures (each validated by plotly), for binary, multi-class and regression."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from components import compare_figures as cmp
from components.model_compare import compare_view, metrics_table
from model.card import FeatureEntry, ModelInfo, Roc, Scores
from model.compare_versions import (
    Change,
    CompareError,
    MetricChange,
    checked_pick,
    compare_picks,
    compare_versions,
    default_pair,
    higher_is_better,
)
from model.evaluate import PRIMARY
from model.registry import ModelLoadError


def _variant(card, version="vB", **holdout):
    """A copy of the card as a later version with other holdout scores."""
    scores = card.metrics["model"]
    changed = Scores(valid=scores.valid, holdout={**scores.holdout, **holdout})
    return card.model_copy(
        update={"version": version, "metrics": {**card.metrics, "model": changed}}
    )


@pytest.mark.parametrize(
    "metric, higher",
    [
        ("auc", True),
        ("auc_macro", True),
        ("accuracy", True),
        ("r2", True),
        ("log_loss", False),
        ("brier", False),
        ("ece", False),
        ("rmse", False),
        ("mae", False),
        ("rows", None),
        ("positive_rate", None),
        ("something_new", None),
    ],
)
def test_each_metric_knows_which_way_is_better(metric, higher):
    assert higher_is_better(metric) is higher


@pytest.mark.parametrize(
    "metric, a, b, verdict",
    [
        ("auc", 0.70, 0.72, "better"),
        ("auc", 0.70, 0.69, "worse"),
        ("log_loss", 0.50, 0.45, "better"),
        ("rmse", 10.0, 12.0, "worse"),
        ("brier", 0.15, 0.15, "same"),
        ("rows", 100, 120, None),
        ("auc", None, 0.7, None),
    ],
)
def test_b_against_a_is_better_worse_or_same(metric, a, b, verdict):
    change = MetricChange(metric, a, b, higher_is_better(metric))
    assert change.verdict == verdict
    assert change.difference == (None if a is None else pytest.approx(b - a))


def test_the_headline_comes_first_and_holdout_facts_last(app_context):
    card = app_context.service.card
    other = _variant(card, auc=card.metrics["model"].holdout["auc"] - 0.01)
    metrics = compare_versions(card, other).metrics
    assert metrics[0].metric == PRIMARY["binary"][0] == "auc" and metrics[0].headline
    assert metrics[0].verdict == "worse"
    assert [m.metric for m in metrics[-2:]] == ["positive_rate", "rows"]
    assert not any(m.headline for m in metrics[1:])


def test_a_card_against_itself_changes_nothing(app_context):
    card = app_context.service.card
    comparison = compare_versions(card, card)
    assert comparison.changes == [] and comparison.notes == []
    assert {m.verdict for m in comparison.metrics} <= {"same", None}


def _retrained(card):
    """The card as if retrained: first feature dropped, second of the other kind, a new
    one, another estimator and parameters, a longer holdout and another scikit-learn."""
    first, second, *rest = card.features
    other_kind = "number" if second.kind == "category" else "category"
    flipped = FeatureEntry(**{**second.model_dump(), "kind": other_kind})
    added = FeatureEntry(**{**first.model_dump(), "column": "a_new_feature"})
    params = {**card.model.params, "max_iter": 999, "new_knob": 1}
    split = {**card.dataset.split}
    split["holdout"] = split["holdout"].model_copy(update={"end": "2014-01-31"})
    data = card.dataset.model_copy(update={"fingerprint": "f" * 64, "split": split})
    return card.model_copy(
        update={
            "version": "vB",
            "features": [flipped, *rest, added],
            "model": ModelInfo(estimator="random_forest", params=params),
            "dataset": data,
            "libraries": {**card.libraries, "scikit-learn": "0.0.1"},
        }
    )


def test_what_changed_lists_features_params_data_and_libraries(app_context):
    card = app_context.service.card
    other = _retrained(card)
    first, second = card.features[:2]
    flipped = other.features[0]
    changes = compare_versions(card, other).changes
    assert Change("Features", first.column, first.kind, "removed") in changes
    assert Change("Features", "a_new_feature", "absent", first.kind) in changes
    assert Change("Features", second.column, second.kind, flipped.kind) in changes
    assert (
        Change("Model", "estimator", card.model.estimator, "random_forest") in changes
    )
    old_iter = str(card.model.params["max_iter"])
    assert Change("Model", "param max_iter", old_iter, "999") in changes
    assert Change("Model", "param new_knob", "—", "1") in changes
    assert (
        Change("Data", "data fingerprint", card.dataset.fingerprint[:12], "f" * 12)
        in changes
    )
    window = next(c for c in changes if c.item == "holdout window")
    assert window.b.endswith("2014-01-31")
    sklearn = card.libraries["scikit-learn"]
    assert Change("Libraries", "scikit-learn", sklearn, "0.0.1") in changes
    assert [c.area for c in changes] == sorted(
        (c.area for c in changes), key=["Features", "Model", "Data", "Libraries"].index
    )
    notes = compare_versions(card, other).notes
    assert len(notes) == 1 and "not the same rows" in notes[0]


@pytest.mark.parametrize("name", ["iris", "diabetes"])
def test_multiclass_and_regression_compare_on_their_headline(example_context, name):
    card = example_context(name).service.card
    headline, higher = PRIMARY[card.kind]
    better = card.metrics["model"].holdout[headline] + (0.01 if higher else -0.01)
    comparison = compare_versions(card, _variant(card, **{headline: better}))
    assert comparison.metrics[0].metric == headline
    assert comparison.metrics[0].verdict == "better"
    figures = cmp.compare_figures({"A a": card, "B b": _variant(card)})
    assert len(figures) == 2
    for fig in figures:
        traces = go.Figure(fig).data
        assert [t.name for t in traces] == ["A a", "B b"]
    text = json.dumps(metrics_table(comparison).to_plotly_json(), default=str)
    assert "B is better" in text


def test_cards_of_different_kinds_compare_only_shared_metrics(
    app_context, example_context
):
    flights, diabetes = (
        app_context.service.card,
        example_context("diabetes").service.card,
    )
    comparison = compare_versions(flights, diabetes)
    assert not comparison.same_kind and "binary" in comparison.notes[0]
    assert not any(m.headline for m in comparison.metrics)
    assert cmp.compare_figures({"A": flights, "B": diabetes}) == []


@pytest.mark.parametrize(
    "value, words",
    [
        (None, "Pick a version for A"),
        ("", "Pick a version for A"),
        ("../../etc", "no version '../../etc'"),
        ("v2", "no version 'v2'"),
        (3, "no version '3'"),
        (["v1"], "no version"),
        ({"path": "/etc/passwd"}, "no version"),
        ("x" * 5000, "…"),
    ],
)
def test_a_pick_must_be_one_of_the_versions(value, words):
    with pytest.raises(CompareError, match="A") as raised:
        checked_pick(value, ["v1", "v3"], "A")
    assert words in str(raised.value) and len(str(raised.value)) < 200


def test_a_listed_pick_passes():
    assert checked_pick("v3", ["v1", "v3"], "B") == "v3"


@pytest.mark.parametrize(
    "versions, aliases, pair",
    [
        (["v1", "v2", "v3"], {"champion": "v2"}, ("v2", "v3")),
        (["v1", "v2", "v3"], {"champion": "v3"}, ("v3", "v2")),
        (["v1", "v2", "v3"], {"champion": "v2", "challenger": "v1"}, ("v2", "v1")),
        (["v1", "v2"], {}, ("v2", "v1")),
        (["v1"], {"champion": "v1"}, ("v1", None)),
        ([], {}, (None, None)),
        (["v1", "v2"], {"champion": "gone"}, ("v2", "v1")),
    ],
)
def test_the_default_pair_is_the_champion_and_its_rival(versions, aliases, pair):
    assert default_pair(versions, aliases) == pair


class _Registry:
    """Just what comparing needs: the version list and each card (or its problem)."""

    def __init__(self, cards: dict):
        self.cards = cards

    def versions(self) -> list[str]:
        return sorted(self.cards)

    def card(self, version):
        card = self.cards[version]
        if isinstance(card, Exception):
            raise card
        return card


def test_picks_are_compared_or_refused_in_words(app_context):
    card = app_context.service.card
    registry = _Registry(
        {
            "v1": card,
            "v2": _variant(card),
            "v3": ModelLoadError(
                "model v3: its card.json is not a card this Flightdeck reads"
            ),
            "v4": PermissionError("denied"),
        }
    )
    assert compare_picks(registry, "v1", "v2").b.version == "vB"
    with pytest.raises(CompareError, match="both v1: pick two different"):
        compare_picks(registry, "v1", "v1")
    with pytest.raises(CompareError, match="Cannot compare: model v3: its card.json"):
        compare_picks(registry, "v1", "v3")
    with pytest.raises(CompareError, match="card of v4 cannot be read"):
        compare_picks(registry, "v4", "v1")
    with pytest.raises(CompareError, match="Only one version"):
        compare_picks(_Registry({"v1": card}), "v1", None)
    shown = json.dumps(
        compare_view(registry, "v1", "../x").to_plotly_json(), default=str
    )
    assert "no version '../x'" in shown


def _validated(fig: dict) -> go.Figure:
    return go.Figure(fig)


def test_roc_overlay_has_one_trace_per_version_and_both_aucs():
    curve = Roc(fpr=[0, 0.5, 1], tpr=[0, 0.8, 1])
    fig = _validated(
        cmp.roc_overlay({"A v1": curve, "B v2": curve}, {"A v1": 0.71, "B v2": 0.7})
    )
    assert fig.layout.title.text == "ROC on the holdout (AUC A 0.710 · B 0.700)"
    assert [t.name for t in fig.data] == [None, "A v1", "B v2"]
    assert fig.data[0].showlegend is False  # the chance line
    assert fig.data[1].line.color != fig.data[2].line.color
    assert list(fig.data[2].y) == [0, 0.8, 1]


def test_an_overlay_draws_the_side_that_has_the_curve(app_context):
    card = app_context.service.card
    fig = _validated(
        cmp.calibration_overlay({"A v1": card.curves.calibration, "B v2": None})
    )
    assert fig.layout.title.text == "Calibration on the holdout"
    assert [t.name for t in fig.data] == [None, "A v1"]
    assert fig.layout.xaxis.tickformat == ".0%"
    fig = _validated(cmp.roc_overlay({"A": None, "B": None}, {"A": None, "B": None}))
    assert not fig.data and "Neither card" in fig.layout.annotations[0].text


def test_per_class_and_residual_overlays(example_context):
    iris = example_context("iris").service.card
    fig = _validated(
        cmp.per_class_overlay({"A": iris.per_class, "B": iris.per_class}, "recall")
    )
    assert fig.layout.title.text == "Recall of each class on the holdout"
    assert fig.layout.barmode == "group" and list(fig.data[0].x) == iris.classes
    residuals = example_context("diabetes").service.card.curves.residuals
    fig = _validated(cmp.residuals_overlay({"A": residuals, "B": residuals}))
    assert [t.type for t in fig.data] == ["scatter", "scatter"]
    fig = _validated(cmp.residual_spread({"A": residuals, "B": residuals}))
    assert [t.type for t in fig.data] == ["histogram", "histogram"]
    assert fig.layout.barmode == "overlay"
