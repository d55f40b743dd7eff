"""read_table and read_upload: a file is read strictly, or refused saying why."""

from __future__ import annotations

import base64
import io
import zipfile

import pandas as pd
import pytest

from data import uploads
from data.uploads import UploadError, read_table, read_upload

GOOD = "carrier,distance\nUA,1000\nAA,\n"


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("flights.csv", GOOD)
    return buffer.getvalue()


def test_csv_cells_stay_text_and_a_utf8_bom_is_dropped():
    frame = read_table(b"\xef\xbb\xbf" + GOOD.encode(), "flights.CSV")
    assert list(frame.columns) == ["carrier", "distance"]
    assert frame.to_dict("records") == [
        {"carrier": "UA", "distance": "1000"},
        {"carrier": "AA", "distance": ""},
    ]


def test_quoted_cells_may_hold_commas_and_newlines():
    frame = read_table(b'a,b\n"x, y","two\nlines"\n', "f.csv")
    assert frame.iloc[0].tolist() == ["x, y", "two\nlines"]


def test_parquet_keeps_its_types():
    frame = read_table(
        _parquet(pd.DataFrame({"a": [1.5, None], "b": ["x", "y"]})), "f.parquet"
    )
    assert frame["a"].dtype == "float64" and frame["b"].tolist() == ["x", "y"]


HOSTILE = [
    ("ragged.csv", b"a,b\n1,2\n3\n", "line 3 has 1 cell but the header has 2"),
    ("long.csv", b"a,b\n1,2,3\n", "line 2 has 3 cells"),
    ("quote.csv", b'a,b\n1,"2\n3,4\n', "is a quote left open"),
    ("bad-quote.csv", b'a,b\n1,"2"x\n', "not valid CSV near line 2"),
    ("numbers.csv", b"1,2\n3,4\n", "no header"),
    ("twice.csv", b"a,b,a\n1,2,3\n", "names 'a' twice"),
    ("blank.csv", b"a,,c\n1,2,3\n", "column 2 has no name"),
    ("utf16.csv", GOOD.encode("utf-16"), "UTF-16"),
    ("latin1.csv", "a,b\nZürich,1\n".encode("latin-1"), "not UTF-8"),
    ("empty.csv", b"", "the file is empty"),
    ("header.csv", b"a,b\n", "no rows"),
    ("zip.csv", _zip(), "zip archive"),
    ("fake.parquet", GOOD.encode(), "not a Parquet file"),
    ("cut.parquet", b"PAR1" + b"\x00" * 20 + b"PAR1", "not a readable Parquet"),
    ("parquet.csv", b"PAR1xxxxPAR1", "name it .parquet"),
    ("book.xlsx", b"x", "not a .csv or .parquet"),
]


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_hostile_files_are_refused_saying_why(name, content, message):
    with pytest.raises(UploadError, match=message.replace(".", r"\.")):
        read_table(content, name)


def test_caps_are_named_when_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 3)
    with pytest.raises(UploadError, match="more than 3 rows"):
        read_table(b"a\n1\n2\n3\n4\n", "f.csv")
    wide = ",".join(f"c{n}" for n in range(uploads.MAX_COLUMNS + 1))
    with pytest.raises(UploadError, match="more than 500.*500 columns"):
        read_table(f"{wide}\n".encode(), "f.csv")
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(UploadError, match="too large"):
        read_table(GOOD.encode(), "f.csv")


def test_parquet_rows_are_capped_before_reading(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 1)
    with pytest.raises(UploadError, match="2 rows, more than 1"):
        read_table(_parquet(pd.DataFrame({"a": [1, 2]})), "f.parquet")


def test_upload_is_decoded_after_its_size_is_checked(monkeypatch):
    encoded = base64.b64encode(GOOD.encode()).decode()
    frame = read_upload(f"data:text/csv;base64,{encoded}", "f.csv")
    assert len(frame) == 2
    with pytest.raises(UploadError, match="damaged"):
        read_upload("data:text/csv;base64,@@@@", "f.csv")
    with pytest.raises(UploadError, match="unexpected form"):
        read_upload("text/csv," + encoded, "f.csv")
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 6)
    monkeypatch.setattr(uploads.base64, "b64decode", _never)
    with pytest.raises(UploadError, match="too large"):
        read_upload(f"data:text/csv;base64,{encoded}", "f.csv")


def _never(*_args, **_kwargs):
    raise AssertionError("decoded before the size was checked")
