"""Serve Flightdeck on the default data resampled to 10x its rows (bench only).

    PORT=8051 python -m bench.serve10x          # what bench.run starts for the 10x HTTP rows
    gunicorn --no-control-socket bench.serve10x:server

The 10x frame is the processed frame concatenated 10 times (same dtypes and categories);
its model scores are the 1x scores tiled, which is exactly what scoring the 10x frame gives.
"""

from __future__ import annotations

import dataclasses
import logging
import time

import numpy as np
import pandas as pd

from config import Settings
from context import AppContext
from data.dataset import Dataset
from data.ingest import processed_path, read_processed
from model.live_scores import LiveDataset

FACTOR = 10


def resample(frame: pd.DataFrame, factor: int = FACTOR) -> pd.DataFrame:
    """The frame repeated `factor` times; dtypes (categories included) are kept."""
    out = pd.concat([frame] * factor, ignore_index=True)
    assert out.dtypes.equals(frame.dtypes), "resampling changed the dtypes"
    return out


def context_10x(settings: Settings, factor: int = FACTOR, progress=print) -> AppContext:
    """app.build_context's context with its dataset swapped for `factor` x the rows."""
    from app import build_context

    started = time.perf_counter()
    ctx = build_context(settings, progress)
    frame, info = read_processed(processed_path(settings, ctx.spec), ctx.spec)
    big = resample(frame, factor)
    scores = np.tile(ctx.dataset.columns.score, factor)
    dataset = Dataset.from_frame(big, ctx.spec, info.classes).with_scores(scores)
    progress(
        f"[bench] {ctx.spec.name} x{factor}: {len(big):,} rows ready in "
        f"{time.perf_counter() - started:.1f}s"
    )
    return dataclasses.replace(ctx, data=LiveDataset(dataset))


def __getattr__(name: str):
    """`bench.serve10x:server` for gunicorn, built on first access."""
    if name in ("server", "app"):
        from app import create_app

        settings = Settings.from_env()
        built = create_app(settings, context_10x(settings))
        globals().update(app=built, server=built.server)
        return globals()[name]
    raise AttributeError(name)


def main() -> None:
    from app import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = Settings.from_env()
    app = create_app(settings, context_10x(settings))
    app.run(host="127.0.0.1", port=settings.port, debug=False)


if __name__ == "__main__":
    main()
