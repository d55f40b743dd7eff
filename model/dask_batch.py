"""Batch scoring and the replay beyond one process: a path, glob or fsspec URL of Parquet or
CSV files read as a dask.dataframe, each partition checked, scored and logged on a
dask.distributed worker.

Each partition goes through the code the in-process batch runs (check_frame, then
batch_run.score_valid_rows through the worker's own ServingModels), so the verdicts, the
scores and the log rows are the same; each worker loads the serving model once and logs to
DATABASE_URL itself. The client keeps the batch's record and writes the scored file.
Workers on other machines need the same code, spec, DATABASE_URL (PostgreSQL) and
FLIGHTDECK_ARTIFACTS (a shared path or object storage) as the client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from config import Settings
from model.batch_check import SHOWN, ValidationReport, check_frame

# A LocalCluster of 2 single-threaded processes: on 2 quiet cores it scored 100k flights in
# 9.5 s against 18.3 s for 2 threads in one process (the GIL) and 13.6 s in-process.
WORKERS = 2
_MODELS: dict[
    Settings, tuple
] = {}  # per worker process: (ServingModels, PredictionLog)
_MODELS_LOCK = threading.Lock()
LOCAL_CLUSTER_OPTIONS: dict = {}  # more LocalCluster arguments (tests pin its ports)


class SourceError(ValueError):
    """The files cannot be read as a table (none match, not CSV or Parquet...)."""


def read_source(location: str, blocksize: str = "32MiB"):
    """The files as a dask.dataframe: CSV as text cells (as the Batch page reads them),
    Parquet as stored."""
    import dask
    import dask.dataframe as dd

    dask.config.set(
        {"dataframe.convert-string": False}
    )  # pandas' own dtypes, as stored
    try:
        if location.lower().rstrip("/").endswith((".csv", ".csv.gz")):
            return dd.read_csv(
                location,
                dtype="str",  # the text cells read_table gives the Batch page
                keep_default_na=False,
                na_filter=False,
                blocksize=blocksize,
            )
        return dd.read_parquet(location)
    except (OSError, ValueError) as exc:  # dask wraps the reader's own words
        cause = exc.__cause__ or exc
        raise SourceError(f"'{location}' cannot be read: {cause}") from None


@contextmanager
def cluster_client(scheduler: str | None = None, workers: int = WORKERS) -> Iterator:
    """A client of the scheduler at `scheduler`, else of a LocalCluster of `workers`
    single-threaded processes (closed on exit)."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            **LOCAL_CLUSTER_OPTIONS,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def worker_models(settings: Settings):
    """This process's (ServingModels, PredictionLog), loaded once per worker."""
    with _MODELS_LOCK:
        if settings not in _MODELS:
            from app import serving_models  # the app's own models and log
            from data.db import Database
            from data.spec import load_spec

            database = Database(settings.database)
            _MODELS[settings] = serving_models(
                settings, load_spec(settings.spec_path), database
            )
        return _MODELS[settings]


@dataclass
class PartitionCheck:
    """check_frame's verdicts on one partition, small enough to send back."""

    rows: int
    valid_rows: int
    missing_columns: list[str]
    extra_columns: list[str]
    suggestions: dict[str, str]
    problems: list
    warnings: list
    counts: dict[str, int]
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class PartitionedReport(ValidationReport):
    """The partitions' verdicts as one report, rows numbered across the whole source."""

    valid_count: int = 0

    @property
    def valid_rows(self) -> int:
        return self.valid_count


def check_partition(part: pd.DataFrame, settings: Settings) -> PartitionCheck:
    """One partition checked as the in-process batch checks a file."""
    models, _ = worker_models(settings)
    report = check_frame(models.current(), part.reset_index(drop=True))
    return PartitionCheck(
        report.rows,
        report.valid_rows,
        report.missing_columns,
        report.extra_columns,
        report.suggestions,
        report.problems,
        report.warnings,
        report.counts,
        report.labels,
    )


def merged_report(checks: list[PartitionCheck]) -> PartitionedReport:
    """One report from the partitions' checks, in order; rows count across partitions."""
    first, offset = checks[0], 0
    problems, warnings = [], []
    counts = dict.fromkeys(first.counts, 0)
    for check in checks:
        problems += [_shifted(p, offset) for p in check.problems]
        warnings += [_shifted(w, offset) for w in check.warnings]
        for kind, n in check.counts.items():
            counts[kind] += n
        offset += check.rows
    return PartitionedReport(
        rows=offset,
        missing_columns=first.missing_columns,
        extra_columns=first.extra_columns,
        suggestions=first.suggestions,
        problems=problems[:SHOWN],
        warnings=warnings[:SHOWN],
        counts=counts,
        valid=np.zeros(0, dtype=bool),
        clean=pd.DataFrame(),
        labels=first.labels,
        valid_count=sum(c.valid_rows for c in checks),
    )


def _shifted(problem, offset: int):
    return type(problem)(
        problem.row + offset, problem.column, problem.kind, problem.value
    )


@dataclass(frozen=True)
class ScoreJob:
    """What a worker needs to score its partition into the client's batch."""

    settings: Settings
    batch_id: str
    user: str
    chunk: int


def score_partition(part: pd.DataFrame, job: ScoreJob) -> pd.DataFrame:
    """One partition's valid rows scored and logged under the batch (source 'batch')."""
    from data.batches import BatchStore
    from data.db import Database
    from model.batch_run import score_valid_rows

    models, _ = worker_models(job.settings)
    part = part.reset_index(drop=True)
    report = check_frame(models.current(), part)
    if report.valid_rows == 0:
        return pd.DataFrame()
    store = BatchStore(Database(job.settings.database))
    scored, _ = score_valid_rows(
        models, part, report, job.batch_id, store, job.user, job.chunk
    )
    if models.shadow is not None:  # the challenger's answers, before the task ends
        models.shadow.flush(timeout_s=60.0)
    return scored


def run_partitions(
    client, source, task: Callable, arg, progress: Callable[[int, int], None] = None
) -> list:
    """`task(partition, arg)` on every partition, on the cluster; results in order."""
    from dask import delayed

    parts = source.to_delayed()
    futures = client.compute([delayed(task)(part, arg) for part in parts])
    if progress is not None:
        from distributed import as_completed

        for done, _ in enumerate(as_completed(futures), start=1):
            progress(done, len(futures))
    return client.gather(futures)
