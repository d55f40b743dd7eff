"""Overview refreshes through HTTP, each paired with a pandas baseline of the raw work."""

from __future__ import annotations

import json
import time
from collections import defaultdict

import numpy as np
import pandas as pd
import requests

from bench.dash_client import DashClient
from bench.measure import WARMUP, CappedLoop, largest_figure, ms_since, pct
from bench.overview_form import OverviewForm, short
from components import ids


class PandasBaseline:
    """The raw work: a pandas boolean filter and 3 group-bys over the processed frame."""

    def __init__(self, frame: pd.DataFrame, spec, form: OverviewForm):
        self.frame, self.spec, self.form = frame, spec, form
        self.stamps = frame[spec.time_column] if spec.time_column else None
        cats = list(spec.category_filters) or [spec.category_chart]
        self.pair = [spec.geo.origin, spec.geo.dest] if spec.geo else cats[:2]
        if "weekday" in frame and spec.hour_column:
            self.grid = ["weekday", spec.hour_column]
        else:
            self.grid = cats[:1]

    def mask(self, s: dict) -> np.ndarray:
        f = self.frame
        mask = np.ones(len(f), dtype=bool)
        if self.stamps is not None and s["dates"]:
            start = pd.Timestamp(s["dates"][0])
            end = pd.Timestamp(s["dates"][1]) + pd.Timedelta(days=1)
            mask &= ((self.stamps >= start) & (self.stamps < end)).to_numpy()
        for column, picks in s["categories"].items():
            if picks:
                mask &= f[column].isin(picks).to_numpy()
        keep = s.get("missing") is not False  # rows with no value in a range filter
        for column, (lo, hi) in s["ranges"].items():
            if (lo, hi) != tuple(self.form.ranges[column]):
                inside = f[column].between(lo, hi)
                mask &= (inside | f[column].isna() if keep else inside).to_numpy()
        if not keep:
            mask &= f[list(self.form.ranges)].notna().all(axis=1).to_numpy()
        return mask

    def rows_matching(self, s: dict) -> int:
        return int(self.mask(s).sum())

    def run(self, s: dict) -> float:
        """Filter, then group by the chart's category, origin→dest and weekday×hour (ms)."""
        target = self.spec.target
        measure = self.spec.measure or target
        started = time.perf_counter()
        view = self.frame[self.mask(s)]
        view.groupby(self.spec.category_chart, observed=True)[target].agg(
            ["size", "mean"]
        )
        view.groupby(self.pair, observed=True).agg(
            rows=(target, "size"), rate=(target, "mean"), delay=(measure, "mean")
        )
        view.groupby(self.grid, observed=True)[target].mean()
        return ms_since(started)


def check_overview_response(
    status: int, body: dict, s: dict, problems: list
) -> dict | None:
    """The outputs, or None (and a problem recorded) when the refresh was not an answer."""
    if status != 200:
        problems.append(f"overview HTTP {status} for {short(s)}")
        return None
    message = body.get(ids.FILTER_MESSAGE, {}).get("children")
    if message:
        alert = json.dumps(message)[:160]
        problems.append(f"overview filter alert {alert} for {short(s)}")
        return None
    return body


class OverviewRequests:
    """Posts Overview refreshes, each naming the filters changed since the last one: the
    first screen's request, then (as the browser does when it arrives) the rest's."""

    def __init__(self, client: DashClient, form: OverviewForm):
        self.client, self.form = client, form
        self.dep = client.callback(f"{ids.KPI_ROW}.children")
        drawn = (
            ids.OVERVIEW_FIRST_DRAWN
        )  # set in the browser once the first screen is drawn
        rest = [d for d in client.deps if any(i["id"] == drawn for i in d["inputs"])]
        self.rest = rest[0] if rest else None
        self.previous: dict | None = None

    def send(self, s: dict) -> tuple[float, requests.Response, dict]:
        """(ms for both steps, the first step's response, both steps' outputs)."""
        form = self.form
        elapsed, response = self.client.post(
            self.dep, form.inputs(s), form.changed(self.previous, s)
        )
        self.previous = s
        outputs = response.json().get("response", {}) if response.ok else {}
        trigger = outputs.get(ids.OVERVIEW_FIRST_SENT, {}).get("data")
        if self.rest is None or trigger is None:
            return elapsed, response, outputs
        trigger_input = [
            {"id": ids.OVERVIEW_FIRST_DRAWN, "property": "data", "value": trigger}
        ]
        more, second = self.client.post(
            self.rest,
            trigger_input,
            [f"{ids.OVERVIEW_FIRST_DRAWN}.data"],
            state=form.inputs(s),
        )
        if second.status_code == 200:
            outputs = outputs | second.json()["response"]
        return elapsed + more, response, outputs


def overview_http(
    client: DashClient,
    form: OverviewForm,
    scenarios: list,
    cap: float,
    baseline: PandasBaseline | None = None,
) -> dict:
    """Time each refresh; run the baseline (if any) right after it, under the same load."""
    sender = OverviewRequests(client, form)
    for s in scenarios[:WARMUP]:
        sender.send(s)
        if baseline:
            baseline.run(s)
    loop, times, sizes = CappedLoop(cap), defaultdict(list), []
    figure = (0.0, "")
    for s in loop.over(scenarios):
        elapsed, response, outputs = sender.send(s)
        base = baseline.run(s) if baseline else float("nan")
        body = check_overview_response(response.status_code, outputs, s, loop.problems)
        if body is None:  # failed requests are counted as errors, not timed
            continue
        times["http"].append(elapsed)
        times["baseline"].append(base)
        sizes.append(len(json.dumps(body, separators=(",", ":"))) / 1024)
        figure = largest_figure(body, figure)
    return summary(loop, times, sizes, figure)


def summary(loop: CappedLoop, times: dict, sizes: list, figure: tuple) -> dict:
    http, base = times["http"], times["baseline"]
    return {
        "n": len(http),
        "attempted": loop.attempted,
        "p50": pct(http, 50),
        "p95": pct(http, 95),
        "max": max(http, default=float("nan")),
        "baseline_p50": pct(base, 50),
        "baseline_p95": pct(base, 95),
        "response_kb_p50": pct(sizes, 50),
        "response_kb_max": max(sizes, default=0.0),
        "largest_figure_kb": figure[0],
        "largest_figure": figure[1],
        "problems": loop.problems,
    }
