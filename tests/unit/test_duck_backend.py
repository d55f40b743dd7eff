"""The DuckDB backend against the in-memory one: for random filters, every aggregate the
Overview and the report show is the same (DuckDB embedded, over Parquet in tmp_path)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import Settings
from data import aggregates as agg
from data.backend import AUTO_DUCKDB_ROWS, choose_backend
from data.dataset import Dataset
from data.duck_dataset import DuckDataset
from data.duck_sql import where_sql
from data.filters import FilterError, Filters
from data.ingest import ingest, processed_path, read_processed
from data.spec import load_spec

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _pair(path, spec, work_dir, scored=True):
    """The same processed file as an in-memory Dataset and as a DuckDataset."""
    frame, info = read_processed(path, spec)
    memory = Dataset.from_frame(frame, spec, info.classes)
    duck = DuckDataset.open(spec, path, info.classes, work_dir=work_dir)
    if scored:
        scores = np.random.default_rng(7).random(len(frame)).astype(np.float32)
        memory, duck = memory.with_scores(scores), duck.with_scores(scores)
    return memory, duck


@pytest.fixture(scope="module")
def flights(small_settings, flights_spec, tmp_path_factory):
    path = processed_path(small_settings, flights_spec)
    return _pair(path, flights_spec, tmp_path_factory.mktemp("duck"))


def _same(a, b, what: str) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys(), what
        for key in a:
            _same(a[key], b[key], f"{what}[{key}]")
    elif isinstance(a, pd.DataFrame):
        # Means agree to float32 precision: numpy sums float32 where SQL sums doubles.
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True),
            b.reset_index(drop=True),
            check_dtype=False,
            rtol=1e-6,
            obj=what,
        )
    elif isinstance(a, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-6, err_msg=what)
    elif a is None or isinstance(a, str):
        assert a == b, what
    else:
        assert b == pytest.approx(a, rel=1e-6), what


def _overview(ds) -> dict:
    """Everything the Overview and the report draw for one view."""
    spec = ds.spec
    out = {"kpis": agg.kpis(ds)}
    if ds.multiclass:
        out["category"] = agg.class_mix_by_category(ds, spec.category_chart)
        out |= {f"bins:{c}": agg.class_mix_by_bins(ds, c) for c in spec.bin_columns}
        if spec.time_column:
            out["daily"] = agg.class_mix_daily(ds)
        return out
    if spec.category_chart:
        out["category"] = agg.by_category(ds, spec.category_chart)
    out |= {f"bins:{c}": agg.by_bins(ds, c) for c in spec.bin_columns}
    if spec.time_column:
        out["daily"] = agg.daily(ds)
    if spec.hour_column:
        out["heatmap"] = agg.hour_weekday(ds)
    if spec.measure:
        out["histogram"] = agg.measure_histogram(ds)
    if spec.geo:
        routes = agg.routes(ds, top=50)
        out["routes"] = routes
        out["route_coordinates"] = agg.route_coordinates(ds, routes.head(40))
        out["origins"] = agg.airports(ds, "origin")
        out["dests"] = agg.airports(ds, "dest")
    return out


def _compare(memory, duck, raw: dict) -> None:
    filters = memory.parse_filters(**raw)
    assert duck.parse_filters(**raw) == filters
    mine, theirs = _overview(memory.filter(filters)), _overview(duck.filter(filters))
    assert mine.keys() == theirs.keys()
    for name in mine:
        _same(mine[name], theirs[name], name)


@st.composite
def raw_filters(draw, ds) -> dict:
    """Client filter values as the Overview sends them: dates, picks, ranges, missing."""
    raw: dict = {"categories": {}, "ranges": {}}
    span = ds.date_span
    if span and draw(st.booleans()):
        days = (span[1] - span[0]).days
        ends = sorted(draw(st.integers(-3, days + 3)) for _ in range(2))
        raw["dates"] = [(span[0] + dt.timedelta(days=d)).isoformat() for d in ends]
    for column in ds.spec.category_filters:
        names = ds.categories(column)
        raw["categories"][column] = draw(
            st.lists(st.sampled_from(names), max_size=4, unique=True)
        )
    for column in ds.spec.range_filters:
        if draw(st.booleans()):
            low, high = ds.bounds(column)
            pad = (high - low) * 0.05 + 1
            anywhere = st.floats(low - pad, high + pad, allow_nan=False)
            whole = st.integers(int(low) - 1, int(high) + 1).map(float)
            # Values that rows hold exactly (float32 data compared at its edges).
            held = st.sampled_from([low, high, float(np.float32((low + high) / 3))])
            ends = sorted(draw(st.one_of(anywhere, whole, held)) for _ in range(2))
            raw["ranges"][column] = ends
    raw["missing"] = draw(st.sampled_from([None, True, False]))
    return raw


def test_metadata_matches(flights):
    memory, duck = flights
    spec = memory.spec
    assert duck.total_rows == memory.total_rows
    assert duck.date_span == memory.date_span
    assert duck.missing_words == memory.missing_words
    assert duck.missing_count == memory.missing_count
    for column in spec.category_columns:
        assert duck.categories(column) == memory.categories(column)
        assert duck.names(column) == memory.names(column)
    for column in [*spec.range_filters, *spec.bin_columns]:
        assert duck.bounds(column) == memory.bounds(column)
    for column in spec.bin_columns:
        np.testing.assert_array_equal(duck.bin_edges(column), memory.bin_edges(column))


def test_unfiltered_view_matches(flights):
    _compare(*flights, {})


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_filters_match(flights, data):
    memory, duck = flights
    _compare(memory, duck, data.draw(raw_filters(memory)))


@pytest.mark.parametrize(
    "raw",
    [
        {"categories": {"carrier": ["XX"]}},
        {"categories": {"carrier": "UA' OR 1=1 --"}},
        {"dates": ["2013-05-01", "2013-04-01"]},
        {"ranges": {"hour": ["7", "x"]}},
        {"ranges": {"hour": [9, 7]}},
        {"categories": {"flight": ["1"]}},
        {"missing": "out"},
    ],
)
def test_bad_filters_refused_in_the_same_words(flights, raw):
    memory, duck = flights
    with pytest.raises(FilterError) as mine:
        memory.parse_filters(**raw)
    with pytest.raises(FilterError) as theirs:
        duck.parse_filters(**raw)
    assert str(theirs.value) == str(mine.value)


def test_values_are_parameters_not_sql(flights):
    """A value reaching SQL is a parameter: a quote in it matches nothing, breaks nothing."""
    _, duck = flights
    hostile = "UA' OR '1'='1"
    where = where_sql(Filters(categories={"carrier": (hostile,)}), ())
    assert hostile not in where.sql and hostile in where.params.values()
    view = duck.filter(Filters(categories={"carrier": (hostile,)}))
    assert agg.kpis(view)["rows"] == 0


@pytest.mark.parametrize("name", ["iris", "diabetes"])
def test_other_tasks_match(name, tmp_path):
    """Multi-class mixes and a regression target, on the shipped examples."""
    from config import ROOT
    from data.examples import write_examples

    write_examples(tmp_path)
    spec_path = tmp_path / name / "spec.toml"
    spec_path.write_text((ROOT / "examples" / name / "spec.toml").read_text())
    spec = load_spec(spec_path)
    settings_ = Settings(spec_path=spec_path, home=tmp_path / "home", auto_build=False)
    path = ingest(settings_, spec, progress=lambda _: None)
    memory, duck = _pair(path, spec, tmp_path, scored=not name == "iris")
    _compare(memory, duck, {})
    column = spec.range_filters[0]
    low, high = memory.bounds(column)
    _compare(memory, duck, {"ranges": {column: [low, (low + high) / 2]}})


def test_auto_chooses_duckdb_above_the_threshold():
    assert choose_backend("auto", AUTO_DUCKDB_ROWS) == "memory"
    assert choose_backend("auto", AUTO_DUCKDB_ROWS + 1) == "duckdb"
    assert choose_backend("duckdb", 10) == "duckdb"
    assert choose_backend("memory", 10**9) == "memory"


def test_overview_and_report_through_the_app(app_context, tmp_path):
    """build_overview and the HTML report's view of the same link, on either backend."""
    import dataclasses

    from components.overview_view import build_overview
    from components.report_views import overview_report
    from data.ingest import processed_info, processed_path
    from model.live_scores import LiveDataset

    spec, settings = app_context.spec, app_context.settings
    path = processed_path(settings, spec)
    classes = processed_info(path).classes
    scores = app_context.dataset.columns.score
    duck = DuckDataset.open(spec, path, classes, work_dir=tmp_path).with_scores(scores)
    duck_ctx = dataclasses.replace(
        app_context, data=LiveDataset(duck, app_context.data.version)
    )
    args = (["2013-02-01", "2013-06-30"], {"carrier": ["UA", "B6"]}, {"hour": [6, 20]})
    mine = build_overview(app_context, *args, "visib", missing=False)
    theirs = build_overview(duck_ctx, *args, "visib", missing=False)
    _same(mine.kpis, theirs.kpis, "kpis")
    assert mine.figures.keys() == theirs.figures.keys()
    assert mine.routes == theirs.routes
    link = "?start=2013-03-01&end=2013-03-31&carrier=UA"
    mine = overview_report(app_context, link, "http://x/" + link)
    theirs = overview_report(duck_ctx, link, "http://x/" + link)
    assert (theirs.facts, theirs.kpis) == (mine.facts, mine.kpis)
    assert [c["layout"]["title"] for c in theirs.charts] == [
        c["layout"]["title"] for c in mine.charts
    ]


def test_both_backends_implement_the_interface(flights):
    """Every member of DatasetView (data/backend.py) exists on both backends."""
    from data.backend import DatasetView

    members = {name for name in vars(DatasetView) if not name.startswith("_")}
    members |= set(DatasetView.__annotations__)
    assert {"filter", "parse_filters", "group_sums", "headline"} <= members
    for ds in flights:
        missing = sorted(m for m in members if not hasattr(ds, m))
        assert not missing, f"{type(ds).__name__} lacks {missing}"
