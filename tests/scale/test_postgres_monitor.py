"""The Monitor page over a replayed log reads the same on PostgreSQL as on SQLite: the
held-out months replayed (`python -m model.replay`'s run, outcomes attached) into each."""

from __future__ import annotations

import re

from callbacks import monitor as monitor_callbacks
from components import monitor_view as view
from tests.replayed import replayed_home
from tests.unit.dash_tree import text_of

REPLAYED = 800


def _page(two_versions, spec, url: str, folder) -> dict:
    from app import build_context

    settings, old, new = two_versions
    folder.mkdir()
    served = (settings.with_overrides(database_url=url), old, new)
    ctx = build_context(
        replayed_home(served, spec, folder, limit=REPLAYED), progress=lambda _: None
    )
    start, end, granularity = view.default_window(ctx, ctx.service.version)
    controls = dict(
        start=start,
        end=end,
        granularity=granularity,
        version=ctx.service.version,
        source="all",
    )
    outputs = monitor_callbacks.refresh_outputs(ctx, controls, None)
    ctx.database.dispose()
    return outputs


def _read(component) -> str:
    """The card's words and numbers, but latencies (each run's own timing)."""
    return re.sub(r"[\d.]+ ms", "(time) ms", text_of(component))


def test_the_monitor_page_reads_the_same_on_both_databases(
    two_versions, flights_spec, database_url, tmp_path
):
    sqlite_url = f"sqlite:///{tmp_path / 'replayed.db'}"
    on_sqlite = _page(two_versions, flights_spec, sqlite_url, tmp_path / "sqlite")
    on_postgresql = _page(two_versions, flights_spec, database_url, tmp_path / "pg")
    assert on_postgresql["message"] is None and on_postgresql["shown"] == {}
    assert on_postgresql["query"] == on_sqlite["query"]
    assert on_postgresql["grid_filters"] == on_sqlite["grid_filters"]
    for name in ("kpis", "alerts", "feature"):
        assert _read(on_postgresql[name]) == _read(on_sqlite[name]), name
    assert re.search(
        r"Predictions [1-9][\d,]* .* Labeled [1-9]", _read(on_sqlite["kpis"])
    )
