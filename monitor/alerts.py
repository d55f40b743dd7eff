"""Alerts: which of the spec's thresholds a report breaches, and a JSON POST to a webhook."""

from __future__ import annotations

import json
import logging
import math
import urllib.request

from monitor.report_types import Alert

log = logging.getLogger("flightdeck.monitor")
WEBHOOK_TIMEOUT_S = 5.0


def _drift(report, thresholds) -> list[Alert]:
    drift = report.drift
    if drift.empty:
        return []
    hit = drift[drift["flagged"] & (drift["psi"] >= thresholds.psi)]
    return [
        Alert(
            "drift",
            f"{row.label} drifted: PSI {row.psi:.2f} ≥ {thresholds.psi:g} "
            f"({row.test}, adjusted p {row.p_adjusted:.2g}, n {int(row.n):,})",
            float(row.psi),
            thresholds.psi,
        )
        for row in hit.itertuples()
    ]


def _auc(report, thresholds, min_n: int) -> list[Alert]:
    """The window's AUC, estimated or realized, on at least min_n rows, below the holdout's."""
    held = report.holdout.get("auc")
    window = report.totals.get("window", {}).get("auc")
    if held is None or window is None:
        return []
    floor = held - thresholds.auc_drop
    alerts = []
    for which, value, rows in (
        ("estimated", window["estimated"], window["n"]),
        ("realized", window["realized"], window["labeled"]),
    ):
        if rows >= min_n and not math.isnan(value) and value < floor:
            alerts.append(
                Alert(
                    "auc_drop",
                    f"{which.capitalize()} AUC {value:.3f} is below the holdout's "
                    f"{held:.3f} minus {thresholds.auc_drop:g}",
                    float(value),
                    floor,
                )
            )
    return alerts


def _over(name: str, value, limit: float, words: str) -> list[Alert]:
    if value is None or math.isnan(value) or value <= limit:
        return []
    return [Alert(name, words, float(value), limit)]


def breaches(report, settings) -> list[Alert]:
    """Every threshold of the spec's [monitor] the window breaches, most telling first."""
    if report.empty:
        return []
    thresholds, totals = settings.alerts, report.totals
    p95, errors = totals.get("p95_ms"), totals.get("error_rate")
    return [
        *_auc(report, thresholds, settings.min_n),
        *_drift(report, thresholds),
        *_over(
            "latency_p95",
            p95,
            thresholds.latency_p95_ms,
            f"Latency p95 {p95:.0f} ms is above {thresholds.latency_p95_ms:g} ms",
        ),
        *_over(
            "error_rate",
            errors,
            thresholds.error_rate,
            f"{errors:.1%} of answers came from a fallback (threshold "
            f"{thresholds.error_rate:.1%})",
        ),
    ]


def payload(report, dataset: str) -> dict:
    """The JSON a webhook receives: what, where, and each breach with its figures."""
    return {
        "dataset": dataset,
        "version": report.version,
        "window": {
            "start": report.window.start.isoformat(),
            "end": report.window.end.isoformat(),
        },
        "alerts": [
            {
                "name": a.name,
                "message": a.message,
                "value": a.value,
                "threshold": a.threshold,
            }
            for a in report.alerts
        ],
    }


def post(url: str, body: dict, timeout_s: float = WEBHOOK_TIMEOUT_S) -> int:
    """POST the alert as JSON; returns the HTTP status (raises on a network failure)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError("the webhook URL must start with http:// or https://")
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "flightdeck"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
        return response.status
