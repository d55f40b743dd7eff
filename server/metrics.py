"""/metrics in Prometheus's text format, for a scraper with FLIGHTDECK_METRICS_TOKEN.

- flightdeck_request_seconds{endpoint, version}: latency of the API and of each Dash
  callback (endpoint `dash:<output>`), by the version serving when the request came;
- flightdeck_errors_total{code}: error answers by the error shape's code (or http_<status>);
- flightdeck_predictions_logged_total{source, version}: every logged prediction, counted
  from the log's own aggregates at scrape time (all sources, all processes);
- flightdeck_serving_version{version, champion}: 1 for the version this process serves.

Under gunicorn, gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR before the app loads, and
a scrape adds up every worker's files. Without a token, only loopback clients may scrape.
Metric objects live in a registry per app, so two apps in one process do not clash.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

import dash
import sqlalchemy as sa
from flask import Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from config import Settings
from data.tables import monitor_traffic
from server.api import bearer_token
from server.responses import json_error

PATH = "/metrics"
DISPATCH = "/_dash-update-component"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class LiveCollector:
    """What is read at scrape time: the serving version and the logged predictions."""

    def __init__(self, ctx):
        self.ctx = ctx

    def collect(self):
        serving = self.ctx.models.serving
        version = GaugeMetricFamily(
            "flightdeck_serving_version",
            "1 for the model version this process serves",
            labels=["version", "champion"],
        )
        version.add_metric([serving.service.version, serving.champion or ""], 1)
        yield version
        logged = self._logged()
        if logged is not None:
            yield logged

    def _logged(self) -> CounterMetricFamily | None:
        query = sa.select(
            monitor_traffic.c.source,
            monitor_traffic.c.version,
            sa.func.sum(monitor_traffic.c.n),
        ).group_by(monitor_traffic.c.source, monitor_traffic.c.version)
        try:
            with self.ctx.database.engine.connect() as connection:
                rows = connection.execute(query).all()
        except sa.exc.SQLAlchemyError:  # the database is away: scrape the rest
            return None
        family = CounterMetricFamily(
            "flightdeck_predictions_logged",
            "Predictions written to the log, by source and model version",
            labels=["source", "version"],
        )
        for source, version, count in rows:
            family.add_metric([source, version], float(count or 0))
        return family


class Metrics:
    """One app's metric objects and the hooks that feed them."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "flightdeck_request_seconds",
            "Request latency of the API and of Dash callbacks",
            ["endpoint", "version"],
            registry=self.registry,
        )
        self.errors = Counter(
            "flightdeck_errors",
            "Error answers by code",
            ["code"],
            registry=self.registry,
        )
        self.live = LiveCollector(ctx)
        self.registry.register(self.live)

    def endpoint(self) -> str | None:
        """The label of this request, for the API and callbacks only (bounded labels)."""
        if request.blueprint == "api" and request.url_rule is not None:
            return request.url_rule.rule
        if request.path == DISPATCH and request.method == "POST":
            # The door names the callback once it has checked the request's shape; a
            # refused body (too deep, too large, not JSON) is never parsed again here.
            return f"dash:{g.get('callback_output', 'unknown')}"
        return None

    def observe(self, response):
        started = g.pop("metrics_started", None)
        endpoint = self.endpoint()
        if started is not None and endpoint is not None:
            version = g.get("metrics_version", "-")
            elapsed = time.perf_counter() - started
            self.latency.labels(endpoint, version).observe(elapsed)
        if response.status_code >= 400:
            code = g.get("error_code") or f"http_{response.status_code}"
            self.errors.labels(code).inc()
        return response

    def exposition(self) -> bytes:
        """The text a scrape gets: every worker's files under gunicorn, else this app's."""
        if not os.environ.get(MULTIPROC_ENV):
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(self.live)
        return generate_latest(registry)


def scrape_refusal(settings: Settings):
    """None when this request may scrape, else the error to answer with."""
    if settings.metrics_token:
        token = bearer_token()
        if token is not None and hmac.compare_digest(
            token.encode(), settings.metrics_token.encode()
        ):
            return None
        return json_error(401, "send FLIGHTDECK_METRICS_TOKEN: Authorization: Bearer")
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return None
    return json_error(
        403, "set FLIGHTDECK_METRICS_TOKEN to scrape from another machine"
    )


def register(app: dash.Dash, ctx, settings: Settings) -> Metrics:
    """/metrics and the hooks timing the API and callback requests."""
    server = app.server
    metrics = Metrics(ctx)

    @server.before_request
    def start_clock():
        g.metrics_started = time.perf_counter()
        g.metrics_version = ctx.models.serving.service.version

    server.after_request(metrics.observe)

    @server.get(PATH)
    def scrape():
        refused = scrape_refusal(settings)
        if refused is not None:
            return refused
        return Response(metrics.exposition(), mimetype=CONTENT_TYPE_LATEST)

    return metrics
