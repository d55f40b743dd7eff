"""Bring your own data: a CSV plus a TOML spec runs through the same app, no Dash code.

Three examples, as a team would set them up: a binary target with text labels
(breast_cancer: malignant/benign), three classes (iris) and a regression (diabetes). None
has a time column or geo. Each runs ingest, train, and every page's callbacks over HTTP.
"""

from __future__ import annotations

import json

import pytest

from app import create_app
from components import ids
from tests.conftest import EXAMPLES
from tests.integration.dash_requests import (
    find_output,
    pattern_inputs,
    post_callback,
    render_page,
    sign_in,
)


@pytest.fixture(scope="module", params=EXAMPLES)
def byod(request, example_context):
    ctx = example_context(request.param)
    client = create_app(ctx.settings, context=ctx).server.test_client()
    return ctx, sign_in(client, "ana")


def _predict(ctx, client, values: dict):
    output = find_output(client, f"{ids.PREDICT_RESULT}.children")
    feature = ctx.spec.whatif_feature
    changed = [f'{{"column":"{feature}","type":"{ids.PREDICT_INPUT}"}}.value']
    response = post_callback(
        client, output, [pattern_inputs(ids.PREDICT_INPUT, values)], changed
    )
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


def test_the_card_has_the_metrics_of_its_kind(byod):
    ctx, _ = byod
    card = ctx.service.card
    wanted = {
        "binary": {"auc", "log_loss", "brier"},
        "multiclass": {"auc_macro", "auc_weighted", "log_loss", "accuracy"},
        "regression": {"mae", "rmse", "r2"},
    }[card.kind]
    assert wanted <= set(card.metrics["model"].holdout)
    assert wanted <= set(card.metrics["baseline"].holdout)
    assert card.kind == {"breast_cancer": "binary", "iris": "multiclass"}.get(
        ctx.spec.name, "regression"
    )


def test_text_labels_keep_their_names(byod):
    ctx, _ = byod
    card = ctx.service.card
    if ctx.spec.name == "breast_cancer":
        assert card.classes == ["benign", "malignant"]
        assert card.positive == "malignant" and card.positive_how == "set in the spec"
    elif ctx.spec.name == "iris":
        assert card.classes == ["setosa", "versicolor", "virginica"]
        assert [c.label for c in card.per_class] == card.classes
        counts = card.curves.confusion.counts
        assert sum(map(sum, counts)) == card.dataset.split["holdout"].rows
    else:
        assert card.classes == [] and card.curves.residuals is not None


def test_overview_answers_with_every_chart(byod):
    ctx, client = byod
    output = find_output(client, f"{ids.KPI_ROW}.children")
    categories = {c: None for c in ctx.spec.category_filters}
    ranges = {c: list(ctx.dataset.bounds(c)) for c in ctx.spec.range_filters}
    inputs = [
        pattern_inputs(ids.CATEGORY_FILTER, categories),
        pattern_inputs(ids.RANGE_FILTER, ranges),
        {"id": ids.BINS_COLUMN, "property": "value", "value": ctx.spec.bin_columns[0]},
    ]
    response = post_callback(client, output, inputs, [f"{ids.BINS_COLUMN}.value"])
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert f"{ctx.dataset.total_rows:,}" in json.dumps(body[ids.KPI_ROW])
    assert ids.HEATMAP_CHART not in body and ids.MAP_CHART not in body
    bars = body[ids.CATEGORY_CHART]["figure"]["data"]
    if ctx.multiclass:  # the class mix: one stacked trace per class
        assert [t["name"] for t in bars] == ctx.service.classes
        assert "Most common" in json.dumps(body[ids.KPI_ROW])
    else:
        assert bars and bars[0]["type"] == "bar"


def test_predict_answers_and_logs(byod):
    ctx, client = byod
    before = ctx.log.count()
    body = _predict(ctx, client, ctx.service.defaults())
    result = json.dumps(body[ids.PREDICT_RESULT])
    assert ctx.service.version in result
    assert ctx.log.count() == before + 1
    row = ctx.log.recent(1)[0]
    if ctx.multiclass:
        probabilities = body[ids.PREDICT_PROBABILITIES]["figure"]["data"][0]
        assert list(probabilities["y"]) == ctx.service.classes
        assert (
            row["output_label"] in ctx.service.classes and row["output_label"] in result
        )
        whatif = body[ids.PREDICT_WHATIF]["figure"]["data"]
        assert [t["name"] for t in whatif] == ctx.service.classes
        stored = body[ids.PREDICT_EFFECTS_STORE]["data"]
        assert stored["top"] == row["output_label"]
    elif ctx.service.kind == "binary":
        assert row["output_label"] in {b.label for b in ctx.service.bands}
    else:
        assert row["output_label"] is None


def test_multiclass_effects_follow_the_picked_class(example_context):
    ctx = example_context("iris")
    client = sign_in(create_app(ctx.settings, context=ctx).server.test_client(), "ana")
    stored = _predict(ctx, client, ctx.service.defaults())[ids.PREDICT_EFFECTS_STORE]
    picked = ctx.service.classes[-1]
    output = find_output(client, f"{ids.PREDICT_EFFECTS}.figure@")
    response = post_callback(
        client,
        output,
        [
            {"id": ids.PREDICT_CLASS, "property": "value", "value": picked},
            {
                "id": ids.PREDICT_EFFECTS_STORE,
                "property": "data",
                "value": stored["data"],
            },
        ],
        [f"{ids.PREDICT_CLASS}.value"],
    )
    assert response.status_code == 200
    figure = response.get_json()["response"][ids.PREDICT_EFFECTS]["figure"]
    assert picked in figure["layout"]["title"]["text"]
    tampered = {**stored["data"], "rows": [["x", 1, "not a number", 0, 0]]}
    response = post_callback(
        client,
        output,
        [
            {"id": ids.PREDICT_CLASS, "property": "value", "value": picked},
            {"id": ids.PREDICT_EFFECTS_STORE, "property": "data", "value": tampered},
        ],
        [f"{ids.PREDICT_CLASS}.value"],
    )
    assert response.status_code == 204  # no_update: nothing drawn from a bad store


def test_model_page_shows_the_card_of_its_kind(byod):
    ctx, client = byod
    text = json.dumps(render_page(client, "/model").get_json()["response"])
    expected = {
        "binary": ["AUC", "Positive class", "malignant"],
        "multiclass": ["one-vs-rest (macro)", "Per class on the holdout", "virginica"],
        "regression": ["RMSE", "Residuals"],
    }[ctx.service.kind]
    for words in expected:
        assert words in text
