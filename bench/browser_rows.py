"""The browser section's rows of the table (numbers from browser.py)."""

from __future__ import annotations

from bench.table import BUDGET, fmt_ms, ratio, row, verdict


def fmt_s(v: float) -> str:
    return "—" if v != v else f"{v:.2f} s"


def browser_rows(br: dict | None) -> list[tuple]:
    """First load of / and the what-if redraw, or one row saying why there are none."""
    what = "In the browser (headless Chromium)"
    if br is None:
        return [row(f"{what}: off", "—", "--no-browser")]
    if "skipped" in br:
        return [row(f"{what}: skipped", "—", br["skipped"])]
    if "failed" in br:
        return [row(f"{what}: failed", "—", br["failed"], verdict="FAIL")]
    return [
        *load_rows(br["loads"], "/"),
        *load_rows(br["predict_loads"], "/predict"),
        *redraw_rows(br["whatif"]),
    ]


# The peer's figures from issue 10: explainerdashboard 0.5.8 on this machine, cold cache.
PEER = "explainerdashboard 0.5.8: 2.82 s, 7.1 MiB"
SHOWN_EARLY = {"/": "KPI cards", "/predict": "the prediction"}


def load_rows(lo: dict, path: str) -> list[tuple]:
    if not lo["n"]:
        return [row(f"First page load of {path}: none rendered", "—", verdict="FAIL")]
    name, mib = lo["largest"]
    return [
        row(
            f"First page load of {path} p50, first screen drawn (KPIs or answer, and "
            f"every chart in the 1440×1000 window), headless Chromium, no cache "
            f"(n={lo['n']})",
            fmt_s(lo["first_p50_s"]),
            f"min {fmt_s(lo['first_min_s'])}, max {fmt_s(lo['first_max_s'])}; {PEER}",
            budget=f"≤ {BUDGET['page_load_s']:.1f} s",
            verdict=verdict(lo["first_p50_s"] <= BUDGET["page_load_s"]),
        ),
        row(
            "  info: every chart of the page drawn, p50",
            fmt_s(lo["ready_p50_s"]),
            f"min {fmt_s(lo['ready_min_s'])}, max {fmt_s(lo['ready_max_s'])}",
        ),
        row(
            f"Transferred by that load ({lo['requests_max']} requests, max of the n)",
            f"{lo['transfer_mib_max']:.2f} MiB",
            f"largest: {name} {mib:.2f} MiB",
            budget=f"≤ {BUDGET['page_mib']:.0f} MiB",
            verdict=verdict(lo["transfer_mib_max"] <= BUDGET["page_mib"]),
        ),
        row(
            "  info: DOMContentLoaded p50",
            fmt_s(lo["dcl_p50_s"]),
            f"{SHOWN_EARLY[path]} shown p50 {fmt_s(lo['early_p50_s'])}",
        ),
    ]


def redraw_row(wi: dict, q: int, what: str) -> tuple:
    """The redraw at percentile q against the /_dash-update-component request in it."""
    total, request = wi[f"total_p{q}"], wi[f"request_p{q}"]
    return row(
        what,
        fmt_ms(total),
        f"its /_dash-update-component request p{q} {fmt_ms(request)}",
        ratio(total, request),
        f"≤ {BUDGET['redraw_ms']:.0f} ms",
        verdict(total <= BUDGET["redraw_ms"]),
    )


def redraw_rows(wi: dict) -> list[tuple]:
    if "skipped" in wi:
        return [row(f"What-if redraw: skipped, {wi['skipped']}", "—")]
    if not wi["n"]:
        return [row("What-if redraw: none timed", "—", verdict="FAIL")]
    first = f"What-if redraw p50, headless Chromium ({wi['feature']}, n={wi['n']})"
    return [
        redraw_row(wi, 50, first),
        redraw_row(wi, 95, "What-if redraw p95"),
        row(
            "  info: server share p50 (request sent → first byte), of the redraw",
            fmt_ms(wi["first_byte_wait_p50"]),
            f"text shown p50 {fmt_ms(wi['text_p50'])}; "
            f"browser work after the response p50 {fmt_ms(wi['after_response_p50'])}",
            ratio(wi["first_byte_wait_p50"], wi["total_p50"]),
        ),
    ]
