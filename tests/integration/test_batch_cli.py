"""python -m model.batch as a team runs it: 100,000 rows in, every one scored, logged and
written out; hostile files and bad tables refused saying why, with nothing written."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from data.db import Database
from data.tables import batches, predictions
from model import batch as batch_cli
from tests.integration.cli import module_runner
from tests.integration.test_batch_run import flights_csv, home  # noqa: F401 (fixture)
from tests.unit.test_uploads import HOSTILE

ROWS = 100_000


def _count(settings, table, *where) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(*where)
    with Database(settings.database).engine.connect() as connection:
        return int(connection.execute(query).scalar())


def test_100k_rows_through_the_cli_then_to_a_table(home, flights_spec, tmp_path):  # noqa: F811
    settings = home[0]
    source, out = tmp_path / "flights.csv", tmp_path / "scored.parquet"
    source.write_bytes(flights_csv(settings, flights_spec, ROWS))
    run = module_runner("model.batch", settings.home, timeout=300)
    done = run(str(source), "-o", str(out), "--user", "nightly", "--to-db", "scored")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("batch ") and "refused" in done.stdout
    assert "row 8, Airline: unknown category ('ZZ')" in done.stderr
    scored = pd.read_parquet(out)
    logged = _count(settings, predictions, predictions.c.source == "batch")
    refused = ROWS - len(scored)
    assert 2 <= refused < ROWS * 0.05 and logged == len(scored)
    assert _count(settings, predictions, predictions.c.user == "nightly") == logged
    with Database(settings.database).engine.connect() as connection:
        table = pd.read_sql_table("scored", connection)
        record = connection.execute(sa.select(batches)).mappings().one()
    assert len(table) == len(scored) and table["row_id"].is_unique
    assert (record["status"], record["rows_scored"]) == ("done", logged)
    assert record["rows_refused"] == refused and record["user"] == "nightly"

    again = run(str(source), "--to-db", "scored")
    assert again.returncode == 1 and "table scored exists" in again.stderr
    assert _count(settings, batches) == 1  # refused before anything was scored


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE[:-1])
def test_hostile_files_are_refused_with_nothing_written(
    home,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
    name,
    content,
    message,
):
    settings = home[0]
    monkeypatch.setenv("FLIGHTDECK_HOME", str(settings.home))
    source, out = tmp_path / name, tmp_path / "out.csv"
    source.write_bytes(content)
    with pytest.raises(SystemExit) as exited:
        batch_cli.main([str(source), "-o", str(out)])
    assert exited.value.code == 1
    assert message in capsys.readouterr().err
    assert not out.exists() and not (settings.home / "batches").exists()
    assert _count(settings, batches) == 0 and _count(settings, predictions) == 0


def test_a_file_without_the_models_columns_prints_its_report(
    home,  # noqa: F811
    tmp_path,
    monkeypatch,
    capsys,
):
    settings = home[0]
    monkeypatch.setenv("FLIGHTDECK_HOME", str(settings.home))
    source = tmp_path / "other.csv"
    source.write_text("Carrier,x\nUA,1\n")
    with pytest.raises(SystemExit) as exited:
        batch_cli.main([str(source), "-o", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert exited.value.code == 1 and "did you mean 'Carrier'?" in err
    assert _count(settings, batches) == 0 and _count(settings, predictions) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to-db", "predictions"], "one of the app's own tables"),
        (["--to-db", "monitor_scores"], "one of the app's own tables"),
        (["--to-db", "x; drop table users"], "not a plain table name"),
        (["-o", "out.xlsx"], "not a .csv or .parquet"),
        ([], "-o FILE and/or --to-db TABLE"),
    ],
)
def test_bad_usage_exits_2(args, message, capsys):
    with pytest.raises(SystemExit) as exited:
        batch_cli.parse_args(["in.csv", *args])
    assert exited.value.code == 2 and message in capsys.readouterr().err
