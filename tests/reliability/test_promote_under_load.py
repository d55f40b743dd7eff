"""A promote and a rollback while 2 gunicorn workers are under load: no failed request,
every worker serves the new champion within 2 s, every row names the version that answered,
and every row the challenger shadows gets its answer (none lost).
"""

from __future__ import annotations

import datetime as dt
import time

from data.spec import load_spec
from model.train import registry_for
from tests.reliability.harness import Gunicorn, copy_home
from tests.reliability.load import run_clients

SWAP_S = 2.0  # the budget: every worker serves a promote within this


def test_promote_then_rollback_under_load(two_versions, tmp_path_factory, app_context):
    settings, old, new = two_versions
    home = copy_home(settings.home, tmp_path_factory.mktemp("promote-under-load"))
    served = settings.with_overrides(home=home, database_url="")
    registry = registry_for(served, load_spec(settings.spec_path))
    assert registry.resolve("champion") == new
    registry.set_alias("challenger", old, "ada", "shadow the champion")
    server = Gunicorn(home).start()
    moves: list[tuple[str, dt.datetime]] = []

    def promote_then_roll_back():
        time.sleep(4)
        registry.set_alias("champion", old, "ada", "under load")
        moves.append((old, dt.datetime.now(dt.UTC)))
        time.sleep(6)
        registry.set_alias("champion", new, "ada", "back", action="rollback")
        moves.append((new, dt.datetime.now(dt.UTC)))

    try:
        tally = run_clients(
            server.url, app_context.service.defaults(), 12, 16, promote_then_roll_back
        )
        rows = _shadowed(server.log)
    finally:
        server.stop()
    (_, promoted), (_, rolled_back) = moves
    late = dt.timedelta(seconds=SWAP_S)
    windows = {
        "before": [r for r in rows if _at(r) < promoted],
        "promoted": [r for r in rows if promoted + late < _at(r) < rolled_back],
        "rolled back": [r for r in rows if _at(r) > rolled_back + late],
    }
    print(
        f"\n[promote] {tally.requests} requests, {len(tally.acked)} answered, errors "
        f"{dict(tally.errors)}; rows per window "
        + ", ".join(f"{k} {len(v)}" for k, v in windows.items())
    )
    assert not tally.errors
    assert {r["request_id"] for r in rows} == set(tally.acked)
    assert {r["model_version"] for r in windows["before"]} == {new}
    assert {r["model_version"] for r in windows["promoted"]} == {old}
    assert {r["model_version"] for r in windows["rolled back"]} == {new}
    assert all(len(window) > 20 for window in windows.values())
    # The old version shadows the new champion; as champion itself it shadows nothing.
    assert {r["challenger_version"] for r in windows["before"]} == {old}
    assert {r["challenger_version"] for r in windows["promoted"]} == {None}
    assert all(
        r["challenger_output"] is not None for r in rows if r["challenger_version"]
    )


def _shadowed(log, wait_s: float = 5.0) -> list[dict]:
    """Every row, once the workers' shadow queues have drained (at most `wait_s`)."""
    deadline = time.monotonic() + wait_s
    while True:
        rows = log.recent(100_000)
        pending = [
            r
            for r in rows
            if r["challenger_version"] and r["challenger_output"] is None
        ]
        if not pending or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def _at(row: dict) -> dt.datetime:
    stamp = row["created_at"]
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
