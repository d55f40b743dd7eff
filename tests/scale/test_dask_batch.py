"""python -m model.batch --dask and python -m model.replay --dask on a LocalCluster of 2
worker processes give what the in-process runs give: the same scores, the same rows
logged against the same version, bad rows refused with the same report."""

from __future__ import annotations

import argparse
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa

from data.db import Database
from data.tables import batches, predictions
from model import batch as batch_cli
from model import dask_batch, dask_cli
from model import replay as replay_cli
from model.replay import run as replay_in_process
from tests.integration.test_batch_run import flights_csv, home  # noqa: F401 (fixture)

pytest.importorskip("distributed")

ROWS = 12_000
FILES = 3


@pytest.fixture(autouse=True)
def _ports_of_our_own(monkeypatch):
    """The cluster listens on this workplace's ports, not on random ones."""
    monkeypatch.setattr(
        dask_batch,
        "LOCAL_CLUSTER_OPTIONS",
        {"scheduler_port": 8470, "worker_port": "8471:8479", "port": "8480:8489"},
    )


def _logged(settings, batch_id: str) -> pd.DataFrame:
    query = sa.select(
        predictions.c.output, predictions.c.model_version, predictions.c.user
    ).where(predictions.c.batch_id == batch_id)
    with Database(settings.database).engine.connect() as connection:
        return pd.DataFrame(connection.execute(query).mappings().all())


def _batch(settings, batch_id: str) -> dict:
    query = sa.select(batches).where(batches.c.id == batch_id)
    with Database(settings.database).engine.connect() as connection:
        return dict(connection.execute(query).mappings().one())


def _run_batch(settings, capsys, *argv) -> tuple[int, str, str]:
    code = batch_cli.run(batch_cli.parse_args(list(argv)), settings)
    out = capsys.readouterr()
    return code, out.out, out.err


def _files(settings, spec, folder) -> tuple[str, str]:
    """The same rows as one CSV and as FILES CSVs (a glob), bad cells included."""
    whole = folder / "flights.csv"
    whole.write_bytes(flights_csv(settings, spec, ROWS))
    frame = pd.read_csv(whole, dtype=object, keep_default_na=False)
    frame.loc[ROWS - 2, "carrier"] = "QQ"  # a bad row in the last file too
    frame.to_csv(whole, index=False)
    step = -(-ROWS // FILES)
    for n in range(FILES):
        part = frame.iloc[n * step : (n + 1) * step]
        part.to_csv(folder / f"part-{n}.csv", index=False)
    return str(whole), str(folder / "part-*.csv")


def test_dask_batch_equals_the_in_process_batch(home, flights_spec, tmp_path, capsys):  # noqa: F811
    settings = home[0]
    whole, glob = _files(settings, flights_spec, tmp_path)
    plain = tmp_path / "plain.parquet"
    code, out, plain_err = _run_batch(settings, capsys, whole, "-o", str(plain))
    assert code == 0, plain_err
    spread = tmp_path / "spread.parquet"
    code, out, dask_err = _run_batch(
        settings, capsys, glob, "-o", str(spread), "--dask", "--user", "batch"
    )
    assert code == 0, dask_err
    assert dask_err.splitlines() == plain_err.splitlines()  # the same report
    assert "row 8, Airline: unknown category ('ZZ')" in dask_err
    assert "unknown category: " in dask_err

    first, second = pd.read_parquet(plain), pd.read_parquet(spread)
    assert len(first) == len(second) < ROWS - 2  # ZZ, far and QQ at least
    same = [c for c in first.columns if c != "row_id"]
    pd.testing.assert_frame_equal(first[same], second[same])
    assert second["row_id"].is_unique

    plain_id, dask_id = (
        _batch_id(settings, name) for name in ("flights.csv", "part-*.csv")
    )
    plain_log, dask_log = _logged(settings, plain_id), _logged(settings, dask_id)
    assert len(plain_log) == len(dask_log) == len(first)
    assert sorted(plain_log["output"]) == sorted(dask_log["output"])
    assert set(dask_log["model_version"]) == set(first["model_version"])
    plain_record, dask_record = _batch(settings, plain_id), _batch(settings, dask_id)
    for key in ("status", "rows_in", "rows_scored", "rows_refused", "model_version"):
        assert plain_record[key] == dask_record[key], key
    assert dask_record["rows_scored"] + dask_record["rows_refused"] == ROWS


def _batch_id(settings, file_name: str) -> str:
    query = sa.select(batches.c.id).where(batches.c.file_name == file_name)
    with Database(settings.database).engine.connect() as connection:
        return connection.execute(query).scalar_one()


def test_a_source_missing_a_feature_is_refused_before_anything_is_logged(
    home,  # noqa: F811
    tmp_path,
    capsys,
):
    settings = home[0]
    pd.DataFrame({"carrier": ["UA", "B6"], "hour": ["6", "7"]}).to_csv(
        tmp_path / "thin.csv", index=False
    )
    code, _, err = _run_batch(
        settings, capsys, str(tmp_path / "thin.csv"), "-o", "x.csv", "--dask"
    )
    assert code == 1 and "cannot be scored" in err and "missing columns" in err
    with Database(settings.database).engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count(batches.c.id))).scalar() == 0


def _replay_home(home_settings, folder):
    for part in ("data", "artifacts", "cache"):
        shutil.copytree(home_settings.home / part, folder / part)
    settings = home_settings.with_overrides(home=folder)
    from data.spec import load_spec
    from model.train import registry_for

    spec = load_spec(settings.spec_path)
    champion = registry_for(home_settings, spec).resolve("champion")
    registry_for(settings, spec).set_alias("champion", champion, "ada")
    return settings


def _replayed(settings) -> pd.DataFrame:
    query = sa.select(
        predictions.c.event_key, predictions.c.output, predictions.c.model_version
    ).where(predictions.c.source == "replay")
    with Database(settings.database).engine.connect() as connection:
        rows = pd.DataFrame(connection.execute(query).mappings().all())
    return rows.sort_values("event_key").reset_index(drop=True)


def test_dask_replay_equals_the_in_process_replay(home, tmp_path):  # noqa: F811
    window = ["--from", "2013-11-01", "--to", "2013-11-20"]
    one = _replay_home(home[0], tmp_path / "one")
    options, _ = replay_cli.parse_args(window)
    plain = replay_in_process(options, one)
    spread_home = _replay_home(home[0], tmp_path / "spread")
    options, args = replay_cli.parse_args([*window, "--dask"])
    spread = dask_cli.run_replay(options, spread_home, args)
    assert plain.sent == spread.sent > 0 and plain.logged == spread.logged
    assert plain.attached == spread.attached and plain.refused == spread.refused
    pd.testing.assert_frame_equal(_replayed(one), _replayed(spread_home))


def test_dask_replay_refuses_what_needs_one_stream(home):  # noqa: F811
    from monitor.replay import ReplayError

    for argv in (["--dask", "--rate", "10"], ["--dask", "--limit", "5"]):
        options, args = replay_cli.parse_args(argv)
        with pytest.raises(ReplayError, match="leave them out with --dask"):
            dask_cli.run_replay(options, home[0], args)
    assert isinstance(args, argparse.Namespace)


def test_a_glob_that_matches_nothing_is_refused_saying_so(home, tmp_path, capsys):  # noqa: F811
    code, _, err = _run_batch(
        home[0], capsys, str(tmp_path / "none-*.csv"), "-o", "x.csv", "--dask"
    )
    assert code == 1 and "cannot be read" in err and "resolved to no files" in err


def test_dask_reads_csv_cells_as_the_batch_page_does_and_parquet_as_stored(tmp_path):
    from data.uploads import read_table

    text = "carrier,hour,note\nUA,6,\nB6, 7 ,=1+1\n,,x\n"
    (tmp_path / "a.csv").write_text(text)
    spread = dask_batch.read_source(str(tmp_path / "*.csv")).compute()
    page = read_table(text.encode(), "a.csv")
    pd.testing.assert_frame_equal(spread.reset_index(drop=True), page)
    frame = pd.DataFrame({"hour": [6.0, None], "carrier": ["UA", None]})
    for n in range(2):
        frame.to_parquet(tmp_path / f"p{n}.parquet", index=False)
    stored = dask_batch.read_source(str(tmp_path / "p*.parquet")).compute()
    expected = pd.concat([frame, frame], ignore_index=True)
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), expected)
