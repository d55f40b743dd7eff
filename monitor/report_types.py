"""What a Monitor report holds: plain frames and figures, read by the page and by alerts.

Built by monitor/report.py from the maintained aggregates (never a scan of the log), so a
page refresh costs the same with a thousand logged predictions or a million.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

GRANULARITIES = ("day", "week")


@dataclass(frozen=True)
class Window:
    """Days of event time, both ends included, grouped by day or by week (Mondays)."""

    start: dt.date
    end: dt.date
    granularity: str = "day"

    def __post_init__(self):
        if self.granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be day or week, not {self.granularity}")
        if self.end < self.start:
            raise ValueError("the window ends before it starts")

    def period(self, day: dt.date) -> dt.date:
        """The first day of the period `day` falls in."""
        if self.granularity == "week":
            return day - dt.timedelta(days=day.weekday())
        return day


@dataclass(frozen=True)
class Alert:
    """One breached threshold, in words and figures."""

    name: str  # drift | auc_drop | latency_p95 | error_rate
    message: str
    value: float
    threshold: float


@dataclass(frozen=True)
class MonitorReport:
    """Everything the Monitor page shows for one version over one window.

    Frames and their columns:
    - traffic: period, source, n, p50_ms, p95_ms, out_of_range_share, fallback
    - predictions: period, p10, p50, p90, mean (of the predicted value; binary: p(positive))
    - score_bins: left, right, live_share, holdout_share (NaN when the card has none)
    - drift: monitor.stats.drift_table's columns, most severe first
    - performance: period, metric, estimated, low, high, realized, labeled, n
    - segments: segment, value, n, labeled, metric, realized, low, high, estimated, enough;
      worst first
    - challenger: period, challenger, n, agreement, mean_diff, mean_abs_diff
    """

    version: str
    kind: str  # binary | multiclass | regression
    outcome: str
    window: Window
    traffic: pd.DataFrame
    totals: dict
    predictions: pd.DataFrame
    score_bins: pd.DataFrame
    drift: pd.DataFrame
    performance: pd.DataFrame
    holdout: dict[str, float]
    segments: pd.DataFrame
    challenger: pd.DataFrame
    alerts: list[Alert] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return int(self.totals.get("n", 0)) == 0
