"""The delivery section's rows for the bench table (bench/delivery.py measures them)."""

from __future__ import annotations

from bench.measure import WARMUP, pct
from bench.table import ratio, row, verdict

BATCH_TARGET = 0.7  # batch rows/s at least this share of a bare predict_proba's
API_THROUGHPUT_TARGET = 300.0  # single-record predictions per second, 2 workers


def batch_rows(b: dict) -> list[tuple]:
    """Batch rows/s end to end against a bare predict_proba, its stages, and its counts."""
    rate = b["rows"] / b["total_s"]
    bare_rate = b["rows"] / b["bare_s"]
    capped_rate = b["rows"] / b["bare_capped_s"]
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in b["stages"].items())
    return [
        row(
            f"Batch end to end, {b['rows']:,} rows ({b['mb']:.1f} MB CSV): "
            "parse, validate, score, log, write",
            f"{rate:,.0f} rows/s",
            f"bare predict_proba of the same frame {bare_rate:,.0f} rows/s",
            ratio(rate, bare_rate),
            f"≥ {BATCH_TARGET}×",
            verdict(rate >= BATCH_TARGET * bare_rate),
        ),
        row(
            f"info: batch stages ({b['total_s']:.2f} s in all)",
            stages,
            f"bare at the service's {b['threads']} thread(s) {capped_rate:,.0f} rows/s",
            ratio(rate, capped_rate),
        ),
        row(
            f"info: the log alone: {b['rows']:,} log rows inserted into an empty log, "
            "one transaction",
            f"{b['rows'] / b['log_floor_s']:,.0f} rows/s ({b['log_floor_s']:.2f} s)",
            f"bare predict_proba of the same frame {bare_rate:,.0f} rows/s",
            ratio(b["rows"] / b["log_floor_s"], bare_rate),
        ),
        row(
            "Batch rows: scored / written / logged with its batch id",
            f"{b['scored']:,} / {b['written']:,} / {b['logged']:,}",
            f"of {b['rows']:,}, the rest refused ({b['status']})",
            budget="all equal",
            verdict=verdict(b["scored"] == b["written"] == b["logged"] > 0),
        ),
    ]


def api_latency_rows(a: dict) -> list[tuple]:
    """API single-record p50/p95 against a one-row predict_proba and the what-if."""
    t, rows = a["times"], []
    for q in (50, 95):
        api, bare, whatif = pct(t["api"], q), pct(t["bare"], q), pct(t["whatif"], q)
        rows += [
            row(
                f"API single record p{q}, HTTP (n={len(t['api'])})",
                f"{api:.1f} ms",
                f"bare one-row predict_proba p{q} {bare:.1f} ms",
                ratio(api, bare),
            ),
            row(
                f"info: API single record p{q} against the what-if callback",
                f"{api:.1f} ms",
                f"what-if callback p{q}, HTTP {whatif:.1f} ms",
                ratio(api, whatif),
            ),
        ]
    sent = a["n"] + WARMUP
    rows.append(
        row(
            "API latency run: errors / logged with source api",
            f"{len(a['problems'])} / {a['logged']}",
            f"of {sent} sent",
            budget="0 errors, all logged",
            verdict=verdict(not a["problems"] and a["logged"] == sent),
        )
    )
    return rows


def throughput_rows(s: dict) -> list[tuple]:
    """API predictions/s with 2 gunicorn workers under locust, and every answer logged."""
    answered = s["requests"] - s["failures"]
    return [
        row(
            f"API throughput, 2 gunicorn workers, locust {s['users']} clients × "
            f"{s['seconds']} s",
            f"{s['rps']:,.0f} predictions/s",
            f"p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms",
            budget=f"≥ {API_THROUGHPUT_TARGET:.0f}/s",
            verdict=verdict(s["rps"] >= API_THROUGHPUT_TARGET),
        ),
        row(
            "API load: failures / logged with source api",
            f"{s['failures']} / {s['logged']:,}",
            f"of {s['requests']:,} sent ({answered:,} answered)",
            budget="0 failures, every answer logged",
            verdict=verdict(s["failures"] == 0 and s["logged"] >= answered),
        ),
    ]


SECTIONS = {
    "batch": batch_rows,
    "api_latency": api_latency_rows,
    "api_throughput": throughput_rows,
}


def delivery_rows(res: dict) -> list[tuple]:
    """The section's rows for the bench table, for each part that was measured."""
    return [
        line
        for key, rows in SECTIONS.items()
        if res.get(key)
        for line in rows(res[key])
    ]
