"""The DuckDB Dataset: the Overview's filters and sums as SQL over the processed Parquet.

No rows are loaded into the worker: a view holds its validated Filters, and each group key's
sums come from one parameterised GROUP BY, kept in a small per-process cache so the page's
two requests for one view (and a cross-filter back to it) scan once.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from data.dataset import _mean
from data.duck_meta import DuckMeta, MetaMethods, read_meta
from data.duck_sql import (
    MISSING,
    QUIET,
    Where,
    bin_key,
    histogram_key,
    literal_path,
    quoted,
    view_sql,
    where_sql,
)
from data.filters import Filters
from data.spec import DatasetSpec

# DuckDB's own limit per worker (its hash tables and read buffers): RSS stays bounded.
MEMORY_LIMIT = "1GB"
N_HISTOGRAM_BINS = 66  # aggregates.measure_histogram's default
CACHED_SUMS = (
    512  # (view, key) pairs: small arrays, so the page's two requests scan once
)


class Connections:
    """One DuckDB database per process (never carried across a fork), a cursor per thread."""

    def __init__(self, create_view: str, threads: int | None = None):
        self.create_view, self.threads = create_view, threads
        self._pid, self._db, self._local = None, None, threading.local()
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._pid != os.getpid():
                config = {"memory_limit": MEMORY_LIMIT}
                config |= {"threads": self.threads} if self.threads else {}
                self._db = duckdb.connect(config=config)
                self._db.execute(self.create_view)
                self._pid, self._local = os.getpid(), threading.local()
        if getattr(self._local, "cursor", None) is None:
            self._local.cursor = self._db.cursor()
            self._local.cursor.execute(QUIET)
        return self._local.cursor

    def close(self) -> None:
        """Close this process's database (before gunicorn forks: workers open their own)."""
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._pid, self._db, self._local = None, None, threading.local()


@dataclass(frozen=True)
class Source:
    """The files a dataset reads, their connections, and the per-process cache of sums."""

    files: tuple[str, ...]
    connections: Connections
    scored: bool
    cache: OrderedDict
    work_dir: Path
    lock: threading.Lock = field(default_factory=threading.Lock)


class DuckDataset(MetaMethods):
    """One view of the Parquet: the shared source and metadata plus validated filters."""

    def __init__(
        self,
        spec: DatasetSpec,
        source: Source,
        meta: DuckMeta,
        filters: Filters | None = None,
        memo: dict | None = None,
    ):
        self.spec, self.source, self.meta = spec, source, meta
        self.filters = filters
        self._memo = {} if memo is None else memo
        self._view_cache: dict = {}

    @classmethod
    def open(
        cls,
        spec: DatasetSpec,
        files: list[Path] | Path,
        classes=(),
        work_dir: Path | None = None,
        threads: int | None = None,
        scored: bool = False,
    ) -> DuckDataset:
        """A dataset over Parquet `files`; metadata (choices, bounds, bins) read once.
        `scored`: the files carry the model's score of each row as a `__score` column."""
        files = [files] if isinstance(files, Path | str) else list(files)
        paths = tuple(str(Path(f).resolve()) for f in files)
        work_dir = Path(work_dir or Path(paths[0]).parent)
        meta = read_meta(spec, paths, tuple(classes))
        return cls(spec, _source(spec, paths, meta, scored, work_dir, threads), meta)

    def _view(self, filters: Filters | None) -> DuckDataset:
        return DuckDataset(self.spec, self.source, self.meta, filters, self._memo)

    def with_scores(self, scores: np.ndarray) -> DuckDataset:
        """The same data with the model's score for every row: written once as a scored
        copy of the Parquet (named by the scores' hash), then read like the data."""
        scores = np.ascontiguousarray(scores, dtype=np.float32)
        digest = hashlib.sha256(scores.tobytes()).hexdigest()[:16]
        out = self.source.work_dir / f"{self.spec.name}.scored-{digest}.parquet"
        if not out.is_file():
            out.parent.mkdir(parents=True, exist_ok=True)
            _write_scored(self.meta.files, scores, out)
        threads = self.source.connections.threads
        source = _source(self.spec, (str(out),), self.meta, True, out.parent, threads)
        return DuckDataset(self.spec, source, self.meta)

    def precompute_full_view(self) -> int:
        """The unfiltered view's sums now (shared by every view of this process); the
        connection is then closed, so forked workers open their own."""
        full = self._view(None)
        for name in self._key_names():
            full._group(name)
        self.source.connections.close()
        return 0

    # -- the primitives data/aggregates.py reads (data/backend.py) ----------------------
    def headline(self) -> dict[str, float | int | None]:
        n, nl, sy, ss, nm, sm = self._group("all")[0]
        return {
            "rows": int(n),
            "labelled": int(nl),
            "missing_target": int(n - nl),
            "target_mean": float(sy / nl) if nl else None,
            "measure_mean": float(sm / nm) if nm else None,
            "score_mean": float(ss / nl) if nl and self.source.scored else None,
        }

    def group_sums(self, name: str, with_rows: bool = True) -> dict[str, np.ndarray]:
        sums = self._group(name)
        n_lab = sums[:, 1].astype(np.int64)
        out = {
            "rows": sums[:, 0].astype(np.int64) if with_rows else n_lab,
            "labelled": n_lab,
            "target_mean": _mean(sums[:, 2], n_lab),
        }
        if self.source.scored:
            out["score_mean"] = _mean(sums[:, 3], n_lab)
        return out

    def route_measure_means(self) -> np.ndarray:
        sums = self._group("route")
        return _mean(sums[:, 5], sums[:, 4])

    def measure_span(self) -> tuple[float, float]:
        return self.meta.measure_span

    def measure_counts(self, low: float, high: float, n_bins: int) -> np.ndarray:
        if (low, high, n_bins) == self._histogram_args():
            return self._group("histogram")[:, 0].astype(np.int64)
        return self._histogram(low, high, n_bins)

    def class_counts(self, name: str) -> np.ndarray:
        where = self._where()
        exprs = self._key_exprs(name, where)
        keys = "".join(f"{e} AS k{i}, " for i, e in enumerate(exprs))
        found = self._fetch(
            f"SELECT {keys}CAST(__y AS INTEGER), count(*) FROM rows "
            f"WHERE ({where.sql}) AND __y IS NOT NULL GROUP BY ALL",
            where,
        )
        out = np.zeros((self._key_size(name), len(self.classes)), dtype=np.int64)
        for row in found:
            out[self._code(name, row[: len(exprs)]), row[-2]] += row[-1]
        return out

    def class_totals(self) -> np.ndarray:
        return self.class_counts("all")[0]

    def coordinates(self, end: str) -> tuple[np.ndarray, np.ndarray]:
        lat, lon = self.meta.coordinates[end]
        return lat.copy(), lon.copy()

    # -- the grouped query --------------------------------------------------------------
    def _group(self, name: str) -> np.ndarray:
        """Sums per code of one group key: rows, labelled, target, score, measure count
        and measure sum (one row for "all"; counts only for "histogram")."""
        return self.per_view(f"sums:{name}", lambda: self._cached(name))

    def _cached(self, name: str) -> np.ndarray:
        key, source = (repr(self.filters), name), self.source
        with source.lock:
            if key in source.cache:
                source.cache.move_to_end(key)
                return source.cache[key]
        sums = self._key_query(name)
        with source.lock:
            source.cache[key] = sums
            while len(source.cache) > CACHED_SUMS:
                source.cache.popitem(last=False)
        return sums

    def _key_names(self) -> list[str]:
        """Every group key the aggregates read, with "all" (the KPIs)."""
        spec = self.spec
        names = ["all", *(f"cat:{c}" for c in spec.category_columns)]
        names += [f"bin:{c}" for c in spec.bin_columns]
        if spec.time_column:
            names.append("day")
            if spec.hour_column:
                names.append("hour_weekday")
        names += ["route"] if spec.geo else []
        return names + (["histogram"] if spec.measure else [])

    def _key_query(self, name: str) -> np.ndarray:
        """One GROUP BY for one key (separate queries beat one GROUPING SETS query here:
        each reads only its columns, and a request computes only the keys it shows)."""
        if name == "histogram":
            out = np.zeros((self._key_size(name), 6))
            out[:, 0] = self._histogram(*self._histogram_args())
            return out
        where = self._where()
        exprs = self._key_exprs(name, where)
        keys = "".join(f"{e} AS k{i}, " for i, e in enumerate(exprs))
        score = "sum(__s) FILTER (WHERE __y IS NOT NULL)" if self.source.scored else "0"
        found = self._fetch(
            f"SELECT {keys}count(*), count(__y), sum(__y), {score}, count(__m), "
            f"sum(__m) FROM rows WHERE {where.sql}"
            + (" GROUP BY ALL" if exprs else ""),
            where,
        )
        out = np.zeros((self._key_size(name), 6))
        for row in found:
            sums = [0 if v is None else v for v in row[len(exprs) :]]
            out[self._code(name, row[: len(exprs)])] += sums
        return out

    def _histogram_args(self) -> tuple[float, float, int]:
        low, high = self.spec.measure_clip or self.meta.measure_span
        return float(low), float(high), N_HISTOGRAM_BINS

    def _histogram(self, low: float, high: float, n_bins: int) -> np.ndarray:
        where = self._where()
        value, guess, corrected = histogram_key(low, high, n_bins, where)
        found = self._fetch(
            f"SELECT {corrected} AS kh, count(*) FROM (SELECT {value} AS __hx, "
            f"{guess} AS __hi FROM rows WHERE ({where.sql}) AND __m IS NOT NULL) "
            "GROUP BY kh",
            where,
        )
        out = np.zeros(n_bins, dtype=np.int64)
        for index, count in found:
            out[index] = count
        return out

    def _key_exprs(self, name: str, where: Where) -> list[str]:
        meta, spec = self.meta, self.spec
        if name == "all":
            return []
        if name.startswith("cat:"):
            return [quoted(name[4:])]
        if name.startswith("bin:"):
            return [bin_key(name[4:], meta.bin_edges[name[4:]], where)]
        if name == "route":
            return [quoted(spec.geo.origin), quoted(spec.geo.dest)]
        if name == "day":
            first = where.param(meta.first_day)
            return [f"datediff('day', CAST({first} AS DATE), CAST(__t AS DATE))"]
        low, high = (int(b) for b in meta.bounds[spec.hour_column])
        hour = (
            f"CAST(trunc(coalesce({quoted(spec.hour_column)}, {where.param(low)}) "
            f"- {where.param(low)}) AS INTEGER)"
        )
        return [f"(isodow(__t) - 1) * {high - low + 1} + {hour}"]

    def _key_size(self, name: str) -> int:
        meta = self.meta
        if name in ("all", "histogram"):
            return 1 if name == "all" else self._histogram_args()[2]
        if name.startswith("cat:"):
            return len(meta.categories[name[4:]])
        if name.startswith("bin:"):
            return meta.bin_edges[name[4:]].size
        if name == "route":
            geo = self.spec.geo
            return len(meta.categories[geo.origin]) * len(meta.categories[geo.dest])
        if name == "day":
            return meta.n_days
        low, high = (int(b) for b in meta.bounds[self.spec.hour_column])
        return 7 * (high - low + 1)

    def _code(self, name: str, values) -> int:
        """The key's code (as data/dataset.py numbers it) of one result row's key values."""
        if name == "all":
            return 0
        if name.startswith("cat:"):
            return self.meta.index[name[4:]][_text(values[0])]
        if name == "route":
            geo, index = self.spec.geo, self.meta.index
            n_dest = len(self.meta.categories[geo.dest])
            origin = index[geo.origin][_text(values[0])]
            return origin * n_dest + index[geo.dest][_text(values[1])]
        return int(values[0])

    def _where(self) -> Where:
        if self.filters is None:
            return Where()
        return where_sql(self.filters, self.meta.missing_columns)

    def _fetch(self, sql: str, where: Where) -> list[tuple]:
        return self.source.connections.cursor().execute(sql, where.params).fetchall()


def _text(value) -> str:
    return MISSING if value is None else value


def _source(spec, paths, meta: DuckMeta, scored: bool, work_dir, threads) -> Source:
    create = view_sql(spec, list(paths), meta.number_columns, meta.classes, scored)
    return Source(
        paths, Connections(create, threads), scored, OrderedDict(), Path(work_dir)
    )


def _write_scored(files: tuple[str, ...], scores: np.ndarray, out: Path) -> None:
    """The data files with a __score column, row for row (a positional join), atomically."""
    import pyarrow as pa

    partial = out.with_suffix(".parquet.partial")
    sources = ", ".join(literal_path(f) for f in files)
    with duckdb.connect() as con:
        con.execute(QUIET)
        con.register("scores", pa.table({"__score": scores}))
        con.execute(
            "COPY (SELECT * FROM (SELECT COLUMNS(lambda c: c != '__score') FROM "
            f"read_parquet([{sources}])) POSITIONAL JOIN scores) "
            f"TO {literal_path(str(partial))} (FORMAT parquet)"
        )
    os.replace(partial, out)
