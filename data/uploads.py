"""A CSV or Parquet file a person hands in, read strictly into a frame of its own columns.

Nothing is guessed: CSV cells stay text (the model's schema decides what a number is), the
type is sniffed from the bytes as well as the name, and a file that is not what it says
(ragged rows, open quotes, no header, another encoding, a zip, too big) is refused with a
message in the user's words, before anything is scored or written.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import math
from pathlib import PurePath

import pandas as pd

from data.formats import plain
from data.inputs import shorten

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
FORMATS = ("csv", "parquet")

PARQUET_MAGIC = b"PAR1"
UTF8_BOM = b"\xef\xbb\xbf"
ARCHIVES = {  # magic bytes of files people export by mistake
    b"PK\x03\x04": "a zip archive (an .xlsx workbook is one too)",
    b"PK\x05\x06": "an empty zip archive",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook",
    b"%PDF": "a PDF document",
}
SAVE_AS = "save it as CSV (comma delimited, UTF-8) or Parquet"


class UploadError(ValueError):
    """The file cannot be read as a table; the message says why, in the user's words."""


def caps_line() -> str:
    """The limits, as a page or the CLI says them."""
    return (
        f"at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB, {plain(MAX_ROWS)} rows "
        f"and {plain(MAX_COLUMNS)} columns"
    )


def file_format(file_name: str) -> str:
    """'csv' or 'parquet' from the name's extension, else UploadError."""
    suffix = PurePath(str(file_name)).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UploadError(
            f"'{shorten(file_name)}' is not a .csv or .parquet file; {SAVE_AS}"
        )
    return suffix


def read_upload(contents: str, file_name: str) -> pd.DataFrame:
    """The table in a dcc.Upload value ('data:<type>;base64,<data>'), size checked first."""
    if not isinstance(contents, str) or "," not in contents:
        raise UploadError("the upload arrived incomplete; try again")
    head, _, data = contents.partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        raise UploadError("the upload arrived in an unexpected form; try again")
    if len(data) > math.ceil(MAX_UPLOAD_BYTES / 3) * 4:
        raise too_big()
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("the upload arrived damaged; try again") from None
    return read_table(content, file_name)


def too_big() -> UploadError:
    return UploadError(f"the file is too large: files can have {caps_line()}")


def read_table(content: bytes, file_name: str) -> pd.DataFrame:
    """The file's table: CSV as text cells, Parquet as stored; UploadError if unusable."""
    kind = file_format(file_name)
    if not content:
        raise UploadError("the file is empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise too_big()
    _refuse_archives(content)
    is_parquet = content[:4] == PARQUET_MAGIC
    if kind == "parquet":
        if not is_parquet or content[-4:] != PARQUET_MAGIC:
            raise UploadError(f"'{shorten(file_name)}' is not a Parquet file")
        return _read_parquet(content)
    if is_parquet:
        raise UploadError(
            f"'{shorten(file_name)}' is a Parquet file named .csv; name it .parquet"
        )
    return _read_csv(_text(content))


def _refuse_archives(content: bytes) -> None:
    for magic, what in ARCHIVES.items():
        if content.startswith(magic):
            raise UploadError(f"the file is {what}, not a table; {SAVE_AS}")


def _text(content: bytes) -> str:
    """UTF-8 text (a UTF-8 BOM is dropped); other encodings are named and refused."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content[:4096]:
        raise UploadError(f"the file is UTF-16 (or binary), not UTF-8 text; {SAVE_AS}")
    content = content.removeprefix(UTF8_BOM)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise UploadError(
            f"the file is not UTF-8 (byte 0x{content[exc.start]:02X} on line {line}; "
            "it looks like Latin-1 or Windows-1252); save it as CSV UTF-8"
        ) from None


def _read_csv(text: str) -> pd.DataFrame:
    """Every row must have the header's number of cells; quotes must close."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise UploadError("the file is empty")
        _check_header(header)
        rows = _rows(reader, len(header))
    except csv.Error as exc:
        raise UploadError(
            f"the file is not valid CSV near line {reader.line_num}: {exc} "
            "(is a quote left open?)"
        ) from None
    if not rows:
        raise UploadError("the file has a header but no rows")
    columns = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            name: pd.array(cells, dtype=object)
            for name, cells in zip(header, columns, strict=True)
        },
        columns=header,
    )


def _rows(reader, width: int) -> list[list[str]]:
    rows = []
    for row in reader:
        if not row:
            continue  # a blank line
        if len(row) != width:
            raise UploadError(
                f"line {reader.line_num} has {len(row)} cell{'s' * (len(row) != 1)} but "
                f"the header has "
                f"{width}; every row needs one cell per column"
            )
        if len(rows) == MAX_ROWS:
            raise UploadError(
                f"the file has more than {plain(MAX_ROWS)} rows; {_caps()}"
            )
        rows.append(row)
    return rows


def _caps() -> str:
    return f"files can have {caps_line()}"


def _check_header(names: list[str]) -> None:
    """Named, distinct columns, within the cap; a header of numbers is data, not names."""
    if len(names) > MAX_COLUMNS:
        raise UploadError(
            f"the file has {plain(len(names))} columns, more than {plain(MAX_COLUMNS)}; "
            + _caps()
        )
    blank = [n + 1 for n, name in enumerate(names) if not name.strip()]
    if blank:
        raise UploadError(f"column {blank[0]} has no name in the header")
    seen, twice = set(), []
    for name in names:
        key = name.strip()
        if key in seen:
            twice.append(name)
        seen.add(key)
    if twice:
        raise UploadError(f"the header names '{shorten(twice[0])}' twice")
    if all(_is_number(name) for name in names):
        raise UploadError(
            "the file has no header: its first line is numbers; add a first line "
            "naming the columns"
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_parquet(content: bytes) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(io.BytesIO(content))
        if file.metadata.num_columns > MAX_COLUMNS:
            _check_header(list(file.schema_arrow.names))
        if file.metadata.num_rows > MAX_ROWS:
            raise UploadError(
                f"the file has {plain(file.metadata.num_rows)} rows, more than "
                f"{plain(MAX_ROWS)}; {_caps()}"
            )
        frame = file.read().to_pandas()
        if not isinstance(frame.index, pd.RangeIndex):  # pandas kept its index
            frame = frame.reset_index()
        _check_header([str(name) for name in frame.columns])
    except UploadError:
        raise
    except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
        raise UploadError(
            f"the file is not a readable Parquet file: {shorten(str(exc), 120)}"
        ) from None
    if frame.empty:
        raise UploadError("the file has a header but no rows")
    return frame
