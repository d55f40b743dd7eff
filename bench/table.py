"""The results as one table: what | measured | baseline | ratio | budget | verdict."""

from __future__ import annotations

# Budgets, from PRODUCT.md "Performance budget".
BUDGET = {
    "overview_p50_ms": 30.0,
    "overview_p95_ms": 80.0,
    "overview_10x_p95_ms": 300.0,
    "whatif_ratio": 1.5,
    "figure_kb": 200.0,
    "start_s": 5.0,
    "rss_mb": 600.0,
    "page_load_s": 1.0,
    "page_mib": 1.0,  # shared/PRODUCT.md: ≤ 1 MiB transferred by a first load
    "redraw_ms": 100.0,
}
HEADER = (
    "what",
    "measured",
    "baseline measured in same run",
    "ratio",
    "budget",
    "verdict",
)
NAMES = ("what", "measured", "baseline", "ratio", "budget", "verdict")
RIGHT = {1, 3}  # measured and ratio line up on the right


def fmt_ms(v: float | None) -> str:
    return "—" if v is None or v != v else f"{v:.1f} ms"


def ratio(a, b) -> str:
    if a is None or b is None or a != a or b != b or b == 0:
        return "—"
    return f"{a / b:.2f}×"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("PASS" if ok else "FAIL")


def row(what, measured, baseline="—", ratio="—", budget="—", verdict="—") -> tuple:
    return what, measured, baseline, ratio, budget, verdict


def render(rows: list[tuple]) -> str:
    table = [HEADER, *rows]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(HEADER))]

    def line(r):
        cells = [
            str(c).rjust(w) if i in RIGHT else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        return " | ".join(cells).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(HEADER), rule, *(line(r) for r in rows)])


def as_records(rows: list[tuple]) -> list[dict]:
    """The table for the JSON file."""
    return [dict(zip(NAMES, r, strict=True)) for r in rows]


def build_rows(res: dict, browser: list[tuple] = ()) -> list[tuple]:
    """Every row; `browser` (browser_rows.py) goes between the payload and serving rows."""
    return [
        *overview_rows(res),
        *tenx_rows(res),
        *whatif_rows(res),
        *payload_rows(res),
        *browser,
        *serve_rows(res),
        error_row(res),
    ]


def overview_rows(res: dict) -> list[tuple]:
    ov, base = res["overview"], "pandas filter + 3 group-bys"
    return [
        row(
            f"Overview refresh p50, HTTP, {res['rows']:,} rows (n={ov['n']})",
            fmt_ms(ov["p50"]),
            f"{base} p50 {fmt_ms(ov['baseline_p50'])}",
            ratio(ov["p50"], ov["baseline_p50"]),
            f"≤ {BUDGET['overview_p50_ms']:.0f} ms",
            verdict(ov["p50"] <= BUDGET["overview_p50_ms"]),
        ),
        row(
            "Overview refresh p95, HTTP",
            fmt_ms(ov["p95"]),
            f"{base} p95 {fmt_ms(ov['baseline_p95'])}",
            ratio(ov["p95"], ov["baseline_p95"]),
            f"≤ {BUDGET['overview_p95_ms']:.0f} ms",
            verdict(ov["p95"] <= BUDGET["overview_p95_ms"]),
        ),
    ]


def tenx_pair(what: str, n_rows: int, n: int, tenx: dict, one: dict, one_name: str):
    """The p50 (info) and p95 (budget) rows of a 10x measurement against its 1x."""
    budget = BUDGET["overview_10x_p95_ms"]
    return [
        row(
            f"Overview 10× p50, {what}, {n_rows:,} rows (n={n})",
            fmt_ms(tenx["p50"]),
            f"{one_name} p50 {fmt_ms(one['p50'])}",
            ratio(tenx["p50"], one["p50"]),
        ),
        row(
            f"Overview 10× p95, {what}",
            fmt_ms(tenx["p95"]),
            f"{one_name} p95 {fmt_ms(one['p95'])}",
            ratio(tenx["p95"], one["p95"]),
            f"≤ {budget:.0f} ms",
            verdict(tenx["p95"] <= budget),
        ),
    ]


def tenx_rows(res: dict) -> list[tuple]:
    rows = []
    if tx := res.get("tenx"):
        one = {"p50": tx["p50_1x"], "p95": tx["p95_1x"]}
        what = "IN-PROCESS build_overview+to_json"
        rows += tenx_pair(what, tx["rows"], tx["n"], tx, one, "same code at 1×")
    if th := res.get("tenx_http"):
        rows += tenx_pair("HTTP", th["rows"], th["n"], th, res["overview"], "1× HTTP")
    return rows


def less_log(pr: dict, measured: float) -> str:
    """The ratio to bare predict_proba, raw and with the log write taken off."""
    raw = ratio(measured, pr["bare_p50"])
    return f"{raw} ({ratio(measured - pr['log_write_p50'], pr['bare_p50'])} w/o log)"


def whatif_rows(res: dict) -> list[tuple]:
    pr, hz, bare = res["predict"], res["healthz"], res["predict"]["bare_p50"]
    within = (pr["p50"] - pr["log_write_p50"]) / bare if bare else float("nan")
    return [
        row(
            f"What-if callback p50, HTTP (n={pr['n']})",
            fmt_ms(pr["p50"]),
            f"bare predict_proba, same 1 row, p50 {fmt_ms(bare)}",
            less_log(pr, pr["p50"]),
            f"≤ {BUDGET['whatif_ratio']:.1f}× (+ log write)",
            verdict(within <= BUDGET["whatif_ratio"]),
        ),
        row(
            "  info: prediction log write alone, ctx.log.record p50 (throwaway SQLite)",
            fmt_ms(pr["log_write_p50"]),
            f"p95 {fmt_ms(pr['log_write_p95'])}",
        ),
        row(
            f"  info: service.predict in-process p50 ({pr['rows_per_predict']} rows "
            "scored, log write included)",
            fmt_ms(pr["service_predict_p50"]),
            f"bare predict_proba p50 {fmt_ms(bare)}",
            less_log(pr, pr["service_predict_p50"]),
        ),
        row("  info: HTTP round trip of GET /healthz p50", fmt_ms(hz["p50"])),
    ]


def payload_rows(res: dict) -> list[tuple]:
    ov, pr = res["overview"], res["predict"]
    kb, name = max(
        (ov["largest_figure_kb"], ov["largest_figure"]),
        (pr["largest_figure_kb"], pr["largest_figure"]),
    )
    return [
        row(
            f"Largest figure JSON ({name})",
            f"{kb:.1f} KB",
            budget=f"≤ {BUDGET['figure_kb']:.0f} KB",
            verdict=verdict(kb <= BUDGET["figure_kb"]),
        ),
        row(
            "Overview response total (max / p50)",
            f"{ov['response_kb_max']:.1f} KB",
            f"p50 {ov['response_kb_p50']:.1f} KB",
        ),
        row("What-if response total (max)", f"{pr['response_kb_max']:.1f} KB"),
    ]


def serve_rows(res: dict) -> list[tuple]:
    build_s, rss = res["build_s"], res["rss"]
    rows = [
        row(
            "Time to serve: process start → first 200 /readyz",
            f"{res['ready_s']:.2f} s",
            "—"
            if build_s is None
            else f"data+model load, per server log {build_s:.2f} s",
            ratio(res["ready_s"], build_s),
            f"≤ {BUDGET['start_s']:.0f} s",
            verdict(res["ready_s"] <= BUDGET["start_s"]),
        ),
        row(
            f"Server RSS after the load ({res['server']}, largest process)",
            f"{rss['largest_process']:.0f} MB",
            f"all {rss['processes']} process(es): {rss['total']:.0f} MB",
            budget=f"≤ {BUDGET['rss_mb']:.0f} MB",
            verdict=verdict(rss["largest_process"] <= BUDGET["rss_mb"]),
        ),
    ]
    if th := res.get("tenx_http"):
        rows.append(
            row(
                "  info: 10× server: ready / RSS",
                f"{th['ready_s']:.1f} s",
                f"RSS {th['rss_mb']:.0f} MB",
            )
        )
    return rows


def error_row(res: dict) -> tuple:
    refreshes = [res["overview"], res.get("tenx") or {}, res.get("tenx_http") or {}]
    attempted = sum(part.get("attempted", 0) for part in refreshes)
    br = res.get("browser") or {}
    parts = [*refreshes, res["predict"], br.get("loads", {}), br.get("whatif", {})]
    problems = [p for part in parts for p in part.get("problems", [])]
    problems += [br["failed"]] if "failed" in br else []
    steps = sum(br.get(k, {}).get("attempted", 0) for k in ("loads", "whatif"))
    return row(
        "Errors: non-200 / filter alert / exception / cap hit / browser timeout "
        "(not timed)",
        str(len(problems)),
        f"of {attempted} refreshes + {res['predict']['attempted']} predictions"
        + (f" + {steps} browser loads/changes" if steps else ""),
        budget="0",
        verdict=verdict(not problems),
    )
