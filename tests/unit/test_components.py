"""Figure builders (each output validated by plotly) and the ids/layout consistency check."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import class_figures as cfig
from components import ids
from components import model_figures as mfig
from components import overview_figures as ofig
from components.layout import validation_layout
from components.overview_view import build_overview
from components.route_map import MAP_ORIGIN_TRACE
from model.card import Residuals

CATEGORY = pd.DataFrame(
    {
        "carrier": ["UA", "AA"],
        "rows": [10, 5],
        "labelled": [10, 5],
        "target_mean": [0.3, 0.1],
        "score_mean": [0.25, 0.12],
    }
)
DAILY = pd.DataFrame(
    {
        "date": pd.date_range("2013-01-01", periods=3),
        "rows": [1, 2, 3],
        "labelled": [1, 2, 3],
        "target_mean": [0.1, 0.2, 0.3],
        "rolling": [0.1, 0.15, 0.2],
    }
)
HISTOGRAM = pd.DataFrame({"low": [0, 10], "high": [10, 20], "count": [5, 7]})


def validated(fig: dict) -> go.Figure:
    """Builders skip plotly's validation for speed; here every property must be valid."""
    return go.Figure(fig)


def test_rate_by_category_has_actual_and_predicted():
    fig = validated(
        ofig.rate_by_category(CATEGORY, "carrier", "Delay by airline", "Delayed")
    )
    assert fig.layout.title.text == "Delay by airline"
    assert [t.type for t in fig.data] == ["bar", "scatter"]
    # Bars lie down: categories on y (the codes a click filters by), rates on x.
    assert list(fig.data[0].y) == ["UA", "AA"] and list(fig.data[1].x) == [0.25, 0.12]
    assert fig.data[0].orientation == "h"
    assert fig.layout.xaxis.tickformat == ".0%"


def test_regression_targets_are_not_shown_as_percentages():
    fig = validated(
        ofig.rate_by_category(CATEGORY, "carrier", "Mean", "Mean", percent=False)
    )
    assert fig.layout.xaxis.tickformat is None
    assert ".1%" not in fig.data[0].hovertemplate


def test_empty_view_gives_a_message_not_a_blank_chart():
    frame = CATEGORY.iloc[0:0]
    fig = validated(
        ofig.rate_by_category(frame, "carrier", "Delay by airline", "Delayed")
    )
    assert not fig.data and "No rows" in fig.layout.annotations[0].text


def test_daily_trend_has_rolling_line():
    fig = validated(ofig.daily_trend(DAILY, "Trend", "Delayed"))
    assert [t.name for t in fig.data] == ["Daily", "7-day rolling mean"]
    assert fig.data[0].x[0] == "2013-01-01"


def test_histogram_uses_server_counts_and_marks_threshold():
    fig = validated(
        ofig.measure_distribution(HISTOGRAM, "Delay", "Minutes", 15, "Flights")
    )
    assert list(fig.data[0].y) == [5, 7]
    assert fig.layout.yaxis.title.text == "Flights"
    assert fig.layout.shapes[0].x0 == 15


def test_confusion_and_whatif_figures():
    fig = validated(mfig.confusion(1, 2, 3, 4, 0.3, "late"))
    assert [list(row) for row in fig.data[0].z] == [[3, 2], [4, 1]]
    curve = pd.DataFrame({"value": [5, 6], "prediction": [0.1, 0.2]})
    fig = validated(mfig.whatif(curve, 6, 0.2, "Hour", True, "Delayed 15+ min"))
    assert fig.data[1].x == (6,) and "hour" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "Delayed 15+ min (predicted)"


def test_every_overview_figure_is_valid_plotly(app_context):
    result = build_overview(app_context, None, {"carrier": ["UA"]}, {}, "visib")
    assert set(result.figures) >= {ids.CATEGORY_CHART, ids.MAP_CHART, ids.TREND_CHART}
    for name, fig in result.figures.items():
        assert validated(fig).layout.title.text, name
    origins = result.figures[ids.MAP_CHART]["data"][MAP_ORIGIN_TRACE]
    assert origins["name"] == "Origins"  # the click handler relies on this index


@pytest.mark.parametrize("builder", ["calibration", "roc", "importance"])
def test_model_card_figures_are_valid_plotly(app_context, builder):
    card = app_context.service.card
    args = {
        "calibration": (card.curves.calibration,),
        "roc": (card.curves.roc, 0.7, 0.6),
        "importance": (card.importance, {}),
    }[builder]
    assert validated(getattr(mfig, builder)(*args)).data


def test_prediction_figures_are_valid_plotly(app_context):
    answer = app_context.service.predict(app_context.service.defaults())
    effects = answer.effects
    fig = validated(
        mfig.effects(
            effects["feature"].tolist(),
            effects["value"].tolist(),
            effects["prediction"].to_numpy(),
            True,
        )
    )
    # Largest first in, drawn largest at the top (Plotly draws the first bar lowest).
    assert fig.data[0].y[-1].startswith(effects["feature"].iloc[0])
    assert len(fig.data[0].y) == min(10, len(effects))
    residuals = Residuals(predicted=[1.0, 2.0], residual=[0.5, -0.5])
    validated(mfig.residuals(residuals))


def test_class_figures_are_valid_plotly():
    mix = pd.DataFrame({"labelled": [3, 0], "a": [0.5, None], "b": [0.5, None]})
    fig = validated(cfig.class_mix_bars(["x", "y"], mix, ["a", "b"], "Mix", "Group"))
    assert [t.name for t in fig.data] == ["a", "b"] and fig.layout.barmode == "stack"
    fig = validated(cfig.class_probabilities({"a": 0.7, "b": 0.3}))
    assert fig.data[0].x == (0.7, 0.3)
    curve = pd.DataFrame({"value": [1.0, 2.0], "a": [0.2, 0.4], "b": [0.8, 0.6]})
    assert len(validated(cfig.whatif_classes(curve, ["a", "b"], 1.0, "X")).data) == 2
    fig = validated(cfig.confusion_classes([[5, 1], [2, 7]], ["a", "b"]))
    assert [list(row) for row in fig.data[0].z] == [[5, 1], [2, 7]]


@pytest.mark.parametrize(
    "low, high, name",
    [(6.5, 7.5, "7"), (0.0, 2.88, "0–2.88"), (1000.0, 2712.5, "1,000–2,712")],
)
def test_bin_names_read_as_people_write(low, high, name):
    assert ofig.bin_names(pd.DataFrame({"low": [low], "high": [high]})) == [name]


def _walk_ids(component, found: list) -> None:
    if isinstance(component, list | tuple):
        for child in component:
            _walk_ids(child, found)
        return
    if not hasattr(component, "to_plotly_json"):
        return
    identifier = getattr(component, "id", None)
    if identifier is not None:
        found.append(identifier)
    _walk_ids(getattr(component, "children", None), found)


def _layout_ids(ctx) -> tuple[list[str], list[dict]]:
    """The plain and the pattern-matching ids of every page of an app, each checked."""
    found: list = []
    _walk_ids(validation_layout(ctx), found)
    plain = [i for i in found if isinstance(i, str)]
    patterned = [i for i in found if isinstance(i, dict)]
    # The shell appears twice in the validation layout (once on its own, once per page).
    shell_ids = {ids.URL, ids.PAGE, ids.NAV_VERSION}
    assert not {i for i in plain if plain.count(i) > 1} - shell_ids
    assert len({(i["type"], i["column"]) for i in patterned}) == len(patterned)
    return plain, patterned


def test_every_layout_id_is_declared_once_and_every_id_is_used(
    app_context, example_context
):
    """Flights (binary, time, geo) and iris (multi-class) together lay out every id."""
    declared = {v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}
    used = set()
    for ctx in (app_context, example_context("iris")):
        plain, patterned = _layout_ids(ctx)
        assert set(plain) <= declared, set(plain) - declared
        used |= set(plain) | {i["type"] for i in patterned}
    assert declared - used == set(), (
        f"ids declared but never laid out: {declared - used}"
    )


@pytest.mark.parametrize(
    "value, safe",
    [
        ("JFK", "JFK"),
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
    ],
)
def test_table_cells_cannot_become_spreadsheet_formulas(value, safe):
    from data.formats import csv_safe

    assert csv_safe(value) == safe


def test_the_overview_opens_with_its_links_kpis_or_skeletons(app_context):
    """The page comes with the KPI cards of its link's filters (a round trip before the
    refresh); the grey stand-ins that hold the row otherwise are none of them a card."""
    from components.kpis import kpi_cards, kpi_skeletons
    from components.overview import overview_layout
    from data import aggregates as agg

    def find(component, wanted: str):
        if isinstance(component, list | tuple):
            return next(
                (f for c in component if (f := find(c, wanted)) is not None), None
            )
        if not hasattr(component, "to_plotly_json"):
            return None
        if getattr(component, "id", None) == wanted:
            return component
        return find(getattr(component, "children", None), wanted)

    dataset = app_context.dataset
    picked = dataset.filter(dataset.parse_filters(None, {"carrier": ["UA"]}, {}))
    cards = find(overview_layout(app_context, "?carrier=UA"), ids.KPI_ROW).children
    expected = str(kpi_cards(agg.kpis(picked), app_context))
    assert str(cards) == expected

    # A link whose filters are not applied opens on every row, as its refresh will.
    whole = find(overview_layout(app_context, "?carrier=ZZ"), ids.KPI_ROW).children
    assert str(whole) == str(kpi_cards(agg.kpis(dataset), app_context))

    skeletons = kpi_skeletons()  # until a refresh answers, where the page has no cards
    assert len(skeletons) == 5
    classes = re.findall(r"className='([^']*)'", str(skeletons))
    assert "placeholder-glow" in classes
    assert not [c for c in classes if "card" in c.split()]


def test_predict_lists_categories_and_weekdays_by_name(app_context):
    """Predict's lists read names, the code or value kept as what is sent."""
    from components.predict import predict_form

    form = str(predict_form(app_context).to_plotly_json())
    assert "'label': 'United Air Lines Inc. (UA)', 'value': 'UA'" in form
    assert "'label': 'Friday (4)', 'value': 4.0" in form
