"""The DuckDB Dataset: the Overview's filters and sums as SQL over the processed Parquet.

No rows are loaded into the worker: a view holds its validated Filters, and its group sums
come from one GROUPING SETS query (every chart's keys and the KPIs in one scan), kept in a
small per-process cache so the page's two requests for one view scan once.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import numpy as np

from data.dataset import _mean
from data.duck_meta import DuckMeta, MetaMethods, read_meta
from data.duck_sql import (
    MISSING,
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

N_HISTOGRAM_BINS = 66  # aggregates.measure_histogram's default
CACHED_VIEWS = 64


class Connections:
    """One DuckDB database per process (never carried across a fork), a cursor per thread."""

    def __init__(self, create_view: str, threads: int | None = None):
        self.create_view, self.threads = create_view, threads
        self._pid, self._db, self._local = None, None, threading.local()
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._pid != os.getpid():
                config = {"threads": self.threads} if self.threads else {}
                self._db = duckdb.connect(config=config)
                self._db.execute(self.create_view)
                self._pid, self._local = os.getpid(), threading.local()
        if getattr(self._local, "cursor", None) is None:
            self._local.cursor = self._db.cursor()
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
        self._view(None).per_view("sums", self._sums)
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
        return self.per_view("sums", self._sums)[name]

    def _sums(self) -> dict[str, np.ndarray]:
        key = repr(self.filters)
        cache = self.source.cache
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        sums = self._grouped_query()
        cache[key] = sums
        while len(cache) > CACHED_VIEWS:
            cache.popitem(last=False)
        return sums

    def _key_names(self) -> list[str]:
        names = [f"cat:{c}" for c in self.spec.category_columns]
        names += [f"bin:{c}" for c in self.spec.bin_columns]
        if self.spec.time_column:
            names.append("day")
            if self.spec.hour_column:
                names.append("hour_weekday")
        return names

    def _grouped_query(self) -> dict[str, np.ndarray]:
        """Every group key's sums and the KPIs in one scan (GROUPING SETS)."""
        where = self._where()
        names, columns, sets = self._key_names(), [], []
        alias = {}
        for name in names:
            (expr,) = self._key_exprs(name, where)
            alias[name] = (f"k{len(columns)}",)
            columns.append(f"{expr} AS k{len(columns)}")
        if self.spec.geo:
            geo = self.spec.geo
            alias["route"] = (
                alias[f"cat:{geo.origin}"][0],
                alias[f"cat:{geo.dest}"][0],
            )
        hist = ""
        if self.spec.measure:
            value, guess, corrected = histogram_key(*self._histogram_args(), where)
            columns += [f"{value} AS __hx", f"{guess} AS __hi"]
            hist = f", {corrected} AS kh"
            alias["histogram"] = ("kh",)
        sets = [alias[n] for n in alias] + [()]
        keys = [a for a in dict.fromkeys(k for s in sets for k in s)]
        score = "sum(__s) FILTER (WHERE __y IS NOT NULL)" if self.source.scored else "0"
        inner = ", ".join(["__y", "__m", *(["__s"] if self.source.scored else [])])
        sql = (
            f"SELECT GROUPING({', '.join(keys)}) AS g, {', '.join(keys)}, count(*), "
            f"count(__y), sum(__y), {score}, count(__m), sum(__m) "
            f"FROM (SELECT *{hist} FROM (SELECT {inner}, {', '.join(columns)} "
            f"FROM rows WHERE {where.sql})) "
            f"GROUP BY GROUPING SETS ({', '.join('(' + ', '.join(s) + ')' for s in sets)})"
        )
        found = self._fetch(sql, where)
        masks = {
            name: sum(
                1 << (len(keys) - 1 - i) for i, k in enumerate(keys) if k not in s
            )
            for name, s in [*alias.items(), ("all", ())]
        }
        return self._arrays(found, keys, masks, alias)

    def _arrays(self, found, keys, masks, alias) -> dict[str, np.ndarray]:
        by_mask = {mask: name for name, mask in masks.items()}
        out = {name: np.zeros((self._key_size(name), 6)) for name in masks}
        position = {k: i + 1 for i, k in enumerate(keys)}
        for row in found:
            name = by_mask[row[0]]
            values = [row[position[k]] for k in alias.get(name, ())]
            if name == "histogram" and values[0] is None:
                continue
            sums = [0 if v is None else v for v in row[len(keys) + 1 :]]
            out[name][self._code(name, values)] += sums
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
        con.register("scores", pa.table({"__score": scores}))
        con.execute(
            "COPY (SELECT * FROM (SELECT COLUMNS(lambda c: c != '__score') FROM "
            f"read_parquet([{sources}])) POSITIONAL JOIN scores) "
            f"TO {literal_path(str(partial))} (FORMAT parquet)"
        )
    os.replace(partial, out)


def replace_meta(dataset: DuckDataset, **changes) -> DuckDataset:
    """The same dataset with some metadata changed (tests)."""
    return DuckDataset(dataset.spec, dataset.source, replace(dataset.meta, **changes))
