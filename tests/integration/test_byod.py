"""Bring your own data: a CSV plus a TOML spec runs through the same app, no Dash code."""

from __future__ import annotations

import json
import shutil

import pytest

from app import build_context, create_app
from components import ids
from config import ROOT, Settings
from data.examples import write_examples
from data.ingest import ingest
from data.spec import load_spec
from model.train import train
from tests.conftest import add_test_users
from tests.integration.dash_requests import (
    find_output,
    pattern_inputs,
    post_callback,
    render_page,
    sign_in,
)


def _quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="module", params=["diabetes", "breast_cancer"])
def byod(request, tmp_path_factory):
    """An app built from an example spec whose CSV sits next to it, as a team would set it up."""
    folder = tmp_path_factory.mktemp(request.param)
    write_examples(folder)
    spec_path = folder / request.param / "spec.toml"
    shutil.copy(ROOT / "examples" / request.param / "spec.toml", spec_path)
    settings = Settings(spec_path=spec_path, home=folder / "home", auto_build=False)
    spec = load_spec(spec_path)
    ingest(settings, spec, progress=_quiet)
    train(settings, spec, params={"max_iter": 30}, progress=_quiet)
    ctx = build_context(settings, progress=_quiet)
    add_test_users(ctx.users)
    client = create_app(settings, context=ctx).server.test_client()
    return ctx, sign_in(client, "ana")


def test_card_has_the_task_metrics(byod):
    ctx, _ = byod
    holdout = ctx.service.card["metrics"]["model"]["holdout"]
    wanted = (
        {"auc", "log_loss", "brier"}
        if ctx.spec.is_classification
        else {"mae", "rmse", "r2"}
    )
    assert wanted <= set(holdout)
    curves = ctx.service.card["curves"]
    assert (
        ("thresholds" in curves)
        if ctx.spec.is_classification
        else ("residuals" in curves)
    )


def test_overview_predict_and_model_pages_answer(byod):
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

    output = find_output(client, f"{ids.PREDICT_RESULT}.children")
    changed = [
        f'{{"column":"{ctx.spec.whatif_feature}","type":"{ids.PREDICT_INPUT}"}}.value'
    ]
    response = post_callback(
        client,
        output,
        [pattern_inputs(ids.PREDICT_INPUT, ctx.service.defaults())],
        changed,
    )
    result = json.dumps(response.get_json()["response"][ids.PREDICT_RESULT])
    assert ctx.service.version in result

    page = render_page(client, "/model")
    text = json.dumps(page.get_json()["response"])
    assert (
        ("AUC" in text)
        if ctx.spec.is_classification
        else ("RMSE" in text and "Residuals" in text)
    )
