"""The Overview at 10x rows: in-process against 1x, and through a second server."""

from __future__ import annotations

import time

import plotly.io as pio

from bench.dash_client import DashClient
from bench.measure import WARMUP, CappedLoop, ms_since, pct
from bench.overview import overview_http
from bench.overview_form import OverviewForm, build_args, build_kwargs, short
from bench.serve10x import context_10x
from bench.server import Server
from components.overview_view import build_overview


def time_build_overview(ctx, s: dict) -> float:
    """build_overview + to_json of every figure: the refresh callback's work minus Dash."""
    started = time.perf_counter()
    result = build_overview(ctx, *build_args(s), **build_kwargs(s))
    for fig in result.figures.values():
        pio.to_json(fig, validate=False)
    return ms_since(started)


def tenx_inprocess(ctx1, settings, scenarios: list, cap: float, progress) -> dict:
    """build_overview + to_json at 10x rows vs the same at 1x, interleaved, in this process."""
    started = time.perf_counter()
    ctx10 = context_10x(settings, progress=progress)
    build_s = time.perf_counter() - started
    loop = CappedLoop(cap, "runs")
    t10, t1 = interleaved(ctx10, ctx1, scenarios, loop)
    return {
        "n": len(t10),
        "attempted": loop.attempted,
        "rows": ctx10.dataset.total_rows,
        "rows_1x": ctx1.dataset.total_rows,
        "build_s": build_s,
        "p50": pct(t10, 50),
        "p95": pct(t10, 95),
        "p50_1x": pct(t1, 50),
        "p95_1x": pct(t1, 95),
        "problems": loop.problems,
    }


def interleaved(ctx_a, ctx_b, scenarios: list, loop: CappedLoop) -> tuple[list, list]:
    """Each scenario timed on ctx_a then ctx_b, after a warm-up on both."""
    for s in scenarios[:WARMUP]:
        try:
            time_build_overview(ctx_a, s)
            time_build_overview(ctx_b, s)
        except Exception:  # counted in the measured loop
            pass
    times_a, times_b = [], []
    for s in loop.over(scenarios):
        try:
            a, b = time_build_overview(ctx_a, s), time_build_overview(ctx_b, s)
        except Exception as exc:  # an app bug: record it, keep measuring the others
            loop.problems.append(
                f"in-process build_overview raised {type(exc).__name__}: {exc} "
                f"for {short(s)}"
            )
            continue
        times_a.append(a)
        times_b.append(b)
    return times_a, times_b


def tenx_http(
    server: Server, scenarios: list, cap: float, credentials: tuple[str, str] | None
) -> dict:
    """The same refreshes against a server of the 10x data (no baseline: see the 1x row)."""
    with server:
        ready_s = server.wait_ready(timeout=180)
        rows = server.readyz().get("rows")
        client = DashClient(server.base, credentials)
        form = OverviewForm(client.layout("/"))
        measured = overview_http(client, form, scenarios, cap)
        rss = server.rss_mb()
        client.close()
    return {
        "n": measured["n"],
        "attempted": measured["attempted"],
        "rows": rows,
        "ready_s": ready_s,
        "p50": measured["p50"],
        "p95": measured["p95"],
        "rss_mb": rss["largest_process"],
        "problems": measured["problems"],
    }
