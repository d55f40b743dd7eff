"""The Monitor section's rows of the bench table (bench/monitor.py measures them)."""

from __future__ import annotations

from bench.monitor_log import BATCH
from bench.table import row, verdict

# Monitor page refresh p95 by logged predictions (PRODUCT.md "Performance budget").
BUDGET_MS = {100_000: 150.0, 1_000_000: 500.0}


def ms(value: float | None) -> str:
    """Milliseconds, or seconds with thousands once they are long."""
    if value is None or value != value:
        return "—"
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    return f"{value:,.1f} ms" if value >= 1 else f"{value:.3f} ms"


def us(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value * 1000:,.1f} µs"


def times(a: float | None, b: float | None) -> str:
    """a / b; two significant figures below 0.1 (the aggregates against the scan)."""
    if a is None or b is None or a != a or b != b or b == 0:
        return "—"
    return f"{a / b:.2f}×" if a / b >= 0.1 else f"{a / b:.2g}×"


def size_rows(found: dict) -> list[tuple]:
    """The build, each window's p50 and p95 against the naive scan, and the checks."""
    built, n = found["build"], found["build"]["logged"]
    reached = found["reached"]
    logged = f"{n:,} logged" + (
        "" if reached else f" (CAP HIT, not {found['target']:,})"
    )
    budget = BUDGET_MS.get(found["target"]) if reached else None
    rows = [
        row(
            f"Monitor log built to {n:,}: held-out rows via score_many "
            f"({BATCH:,}-row batches) + outcomes",
            f"{built['seconds']:,.0f} s",
            f"{built['rows_per_s']:,.0f} rows/s: scoring + logging "
            f"{built['score_s']:,.0f} s, outcomes {built['outcome_s']:,.0f} s",
        )
    ]
    for w in found["windows"]:
        rows += [
            row(
                f"Monitor refresh p50, build_report, {w['label']}, {logged} "
                f"(n={w['n']})",
                ms(w["p50"]),
                f"naive full scan p50 {ms(w['naive_p50'])} (n={w['naive_n']})",
                times(w["p50"], w["naive_p50"]),
            ),
            row(
                "Monitor refresh p95, same window",
                ms(w["p95"]),
                f"naive full scan p95 {ms(w['naive_p95'])}",
                times(w["p95"], w["naive_p95"]),
                f"≤ {budget:.0f} ms" if budget else "—",
                verdict(w["p95"] <= budget) if budget else "—",
            ),
        ]
    agree = all(w["agree"] for w in found["windows"])
    grid = found["grid"]
    return rows + [
        row(
            "  info: naive report has the same n, labeled, drift and performance",
            "yes" if agree else "NO",
        ),
        row(
            f"  info: log grid's first 100 rows + count, whole span (n={grid['n']})",
            ms(grid["p50"]),
            f"p95 {ms(grid['p95'])}",
        ),
    ]


def write_rows(w: dict) -> list[tuple]:
    """PredictionLog.write with the aggregates against the raw insert, per row."""
    extra = w["card"] - w["raw"]
    return [
        row(
            f"Log write, 1 what-if row, with aggregates p50 (n={w['single_n']}, "
            f"log of {w['log_rows']:,})",
            ms(w["card"]),
            f"raw insert (write card=None) p50 {ms(w['raw'])}; +{ms(extra)} a row",
            times(w["card"], w["raw"]),
        ),
        row(
            f"Log write per row in {w['batch']}-row batches, with aggregates p50 "
            f"(n={w['batches']})",
            us(w["batch_card"]),
            f"raw insert per row p50 {us(w['batch_raw'])}; "
            f"+{us(w['batch_card'] - w['batch_raw'])} a row",
            times(w["batch_card"], w["batch_raw"]),
        ),
        row(
            "  info: of that extra, counting alone (Logged.from_fields + "
            "prediction_deltas) per row",
            us(w["counting"]),
            f"the extra a row {us(w['batch_card'] - w['batch_raw'])} (rest: upsert)",
            times(w["counting"], w["batch_card"] - w["batch_raw"]),
        ),
    ]


def monitor_rows(res: dict) -> list[tuple]:
    """Every row of the section, smallest log first, then the write overhead."""
    rows = [r for found in res["sizes"] for r in size_rows(found)]
    if not res.get("calibrated", True):
        rows.append(
            row("  note: the champion's card has no calibration map: retrain", "—")
        )
    return [
        *rows,
        *write_rows(res["writes"]),
        row("  info: Monitor section wall time", f"{res['elapsed_s']:,.0f} s"),
    ]
