"""The Batch page's files: an upload staged between its report and its job, and scored
files served back to their owner at GET /batch/<id>/download.

Paths are built only from ids this module made or checked (32 hex characters), never
from what a client sends. A staged file is claimed by renaming it, so one upload is
scored once however often Score is pressed.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import time
from pathlib import Path

import pandas as pd
from flask import abort, request, send_file

from components import ids
from data.batches import BatchStore, is_batch_id, output_path
from data.uploads import MAX_UPLOAD_BYTES
from server.auth import require

STAGED_MAX_AGE_S = 6 * 3600
# A dcc.Upload value is base64 (4 bytes per 3) inside a JSON callback body.
UPLOAD_REQUEST_BYTES = math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 64 * 1024
UPLOAD_OUTPUT = f"{ids.BATCH_REPORT}.children"
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def staged_dir(home: Path) -> Path:
    return Path(home) / "batches" / "staged"


def _staged(home: Path, staged_id: str, suffix: str) -> Path:
    if not is_batch_id(staged_id):
        raise ValueError("not a staged file id")
    return staged_dir(home) / f"{staged_id}{suffix}"


def stage_frame(home: Path, frame: pd.DataFrame) -> str:
    """Write the parsed upload under the home (whole or not at all); return its id."""
    folder = staged_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    sweep_staged(home)
    staged_id = secrets.token_hex(16)
    partial = _staged(home, staged_id, ".partial")
    try:
        frame.to_parquet(partial, index=False)
        os.replace(partial, _staged(home, staged_id, ".parquet"))
    finally:
        partial.unlink(missing_ok=True)
    return staged_id


def claim_staged(home: Path, staged_id: str) -> Path | None:
    """Take the staged file for one job (an atomic rename); None if gone or taken."""
    claimed = _staged(home, staged_id, ".claimed")
    try:
        os.replace(_staged(home, staged_id, ".parquet"), claimed)
    except FileNotFoundError:
        return None
    return claimed


def discard_staged(home: Path, staged_id: str) -> None:
    """Remove every file of a staged upload: the file, its claim and a cancel request."""
    for suffix in (".parquet", ".claimed", ".cancel", ".partial"):
        _staged(home, staged_id, suffix).unlink(missing_ok=True)


def request_cancel(home: Path, staged_id: str) -> None:
    """Ask the job scoring this upload to stop after its current chunk."""
    _staged(home, staged_id, ".cancel").touch()


def cancel_requested(home: Path, staged_id: str) -> bool:
    return _staged(home, staged_id, ".cancel").exists()


def sweep_staged(home: Path, max_age_s: float = STAGED_MAX_AGE_S) -> int:
    """Remove staged files older than `max_age_s` (uploads never scored); how many."""
    folder, cutoff, removed = staged_dir(home), time.time() - max_age_s, 0
    for path in folder.glob("*") if folder.is_dir() else ():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def download_name(file_name: str, batch_id: str, fmt: str) -> str:
    """'flights-scored-1a2b3c4d.csv': the upload's stem, made safe, and the batch id."""
    stem = SAFE_NAME.sub("_", Path(str(file_name)).stem).strip("._")[:60] or "batch"
    return f"{stem}-scored-{batch_id[:8]}.{fmt}"


def upload_size_problem(identity, normal_limit: int) -> str | None:
    """Why a callback body is too large, or None; lifts the limit for the Batch upload.

    Every callback body is held to `normal_limit` except the Batch page's upload from an
    analyst or admin, which may carry a file of MAX_UPLOAD_BYTES as base64.
    """
    length = request.content_length
    if length is None or length <= normal_limit:
        return None
    refused = f"the request is too large: at most {normal_limit // 1024:,} KB"
    if length > UPLOAD_REQUEST_BYTES or not identity.can("analyst"):
        return refused
    request.max_content_length = UPLOAD_REQUEST_BYTES
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or UPLOAD_OUTPUT not in str(body.get("output")):
        return refused
    return None


def register(server, ctx) -> None:
    """GET /batch/<id>/download: a finished batch's file, for its owner or an admin."""
    store = BatchStore(ctx.database)

    @server.get("/batch/<batch_id>/download")
    def download_batch(batch_id: str):
        identity = require("analyst")
        owner = None if identity.can("admin") else identity.name
        record = store.get(batch_id, user=owner)  # None for an id it did not make
        if record is None:
            abort(404, description="no such batch of yours")
        if record.status != "done" or not record.output:
            abort(
                404, description=f"this batch is {record.status}: nothing to download"
            )
        fmt = Path(record.output).suffix.lstrip(".")
        try:
            path = output_path(ctx.settings.home, record.id, fmt)
        except ValueError:
            abort(404, description="the scored file is not one this app wrote")
        if not path.is_file():
            abort(404, description="the scored file is no longer kept")
        return send_file(
            path,
            as_attachment=True,
            download_name=download_name(record.file_name, record.id, fmt),
        )
