"""Event keys: the replay (parquet dtypes) and the outcome matcher (CSV text) agree."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from monitor.keys import event_keys, value_text

KEYS = ["carrier", "flight", "sched_dep"]


def _processed() -> pd.DataFrame:
    """Rows typed as the processed flights parquet types them."""
    return pd.DataFrame(
        {
            "carrier": pd.Series(["UA", "AA", "B6"], dtype="category"),
            "flight": np.array([1545, 1141, 725], dtype="int32"),
            "sched_dep": pd.to_datetime(
                ["2013-01-01 05:15", "2013-01-01 05:29", "2013-01-01 05:40"]
            ),
        }
    )


def test_processed_rows_give_readable_keys():
    assert event_keys(_processed(), KEYS).tolist() == [
        "UA|1545|2013-01-01T05:15:00",
        "AA|1141|2013-01-01T05:29:00",
        "B6|725|2013-01-01T05:40:00",
    ]


def test_a_csv_read_any_way_gives_the_same_keys():
    text = (
        "carrier,flight,sched_dep\n"
        " UA ,1545,2013-01-01 05:15\n"
        "AA,1141.0,2013-01-01T05:29:00\n"
        "B6,725,2013-01-01 05:40:00\n"
    )
    expected = event_keys(_processed(), KEYS).tolist()
    assert event_keys(pd.read_csv(io.StringIO(text)), KEYS).tolist() == expected
    as_text = pd.read_csv(io.StringIO(text), dtype=str)
    assert event_keys(as_text, KEYS).tolist() == expected
    dated = pd.read_csv(io.StringIO(text), parse_dates=["sched_dep"])
    assert event_keys(dated, KEYS).tolist() == expected


@pytest.mark.parametrize(
    "values",
    [
        ["1545", 1545, 1545.0, np.int32(1545), np.float32(1545), " 1545 ", "1545.0"],
        ["2013-01-01 05:15", pd.Timestamp("2013-01-01 05:15"), "2013-01-01T05:15:00"],
        ["2013-01-01T10:15:00Z", pd.Timestamp("2013-01-01 05:15", tz="US/Eastern")],
        ["0.1", 0.1, np.float32(0.1)],
        [True, "true", "TRUE"],
    ],
)
def test_one_value_one_text_whatever_its_type(values):
    assert len({value_text(v) for v in values}) == 1


@pytest.mark.parametrize(
    "dtype", ["int64", "Int64", "float64", "float32", "object", "string", "category"]
)
def test_column_dtypes_agree_with_single_values(dtype):
    raw = pd.Series([1545, 7, 1545])
    column = raw.astype(dtype) if dtype != "object" else raw.astype(str)
    frame = pd.DataFrame({"flight": column})
    assert event_keys(frame, ["flight"]).tolist() == ["1545", "7", "1545"]


def test_a_missing_part_means_no_key():
    frame = pd.DataFrame(
        {
            "carrier": ["UA", None, "AA", "DL", "B6"],
            "flight": pd.array([1, 2, pd.NA, 4, 5], dtype="Int64"),
            "sched_dep": pd.to_datetime(
                ["2013-01-01", "2013-01-02", "2013-01-03", None, "2013-01-05"]
            ),
        }
    )
    frame.loc[4, "carrier"] = "  "
    keys = event_keys(frame, KEYS).tolist()
    assert keys == ["UA|1|2013-01-01T00:00:00", None, None, None, None]


def test_text_cannot_forge_another_key():
    frame = pd.DataFrame({"a": ["x|y", "x"], "b": ["z", "y|z"]})
    first, second = event_keys(frame, ["a", "b"]).tolist()
    assert first != second
    assert first == "x\\|y|z"


def test_no_key_columns_give_no_keys():
    assert event_keys(_processed(), []).tolist() == [None, None, None]


def test_keys_keep_the_frame_index():
    frame = _processed().set_index(pd.Index([10, 20, 30]))
    assert event_keys(frame, KEYS).index.tolist() == [10, 20, 30]
