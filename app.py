"""Flightdeck: create_app(settings) wires the tiers; `server` is for gunicorn.

python app.py                      # local: builds data + model on first run, then serves
gunicorn --preload app:server      # production (see Procfile)
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import secrets
import sys
import time

import dash
from flask import has_request_context
from flask_wtf.csrf import generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

import callbacks
from components.layout import PAGES, shell, validation_layout
from components.libraries import PLOTLY_BUNDLE, defer_libraries, preload_plotly
from config import Settings
from context import AppContext
from data.api_keys import ApiKeyStore
from data.db import Database, DatabaseError
from data.spec import SpecError, load_spec
from data.spec_check import check_spec
from data.stores import PredictionLog
from data.users import UserStore
from model.explain import Band
from model.freshness import ensure_fresh
from model.live_scores import live_dataset, load_data
from model.registry import ModelLoadError
from model.service import ModelService
from model.serving import ServingModels
from model.shadow import ShadowScorer
from model.train import registry_for
from server import (
    api,
    auth,
    batch_files,
    busy,
    door,
    headers,
    health,
    jobs,
    metrics,
    reports,
    static_compress,
)
from server.jobs import background_manager
from server.safety import UnsafeSettings, local_settings, refuse_unsafe

log = logging.getLogger("flightdeck")
# Not page scripts: the API docs' bundle (assets/api-docs/swagger-ui*) loads on
# /api/v1/docs only, and dcc.Graph loads the Plotly bundle (components/libraries.py).
PAGE_ASSETS_IGNORED = rf"^(swagger-ui|{re.escape(PLOTLY_BUNDLE)})"


def build_context(settings: Settings, progress=print) -> AppContext:
    """Load the spec, data and champion model once; build them first if allowed and missing."""
    started = time.perf_counter()
    spec = load_spec(settings.spec_path)
    check_spec(spec)
    ensure_fresh(settings, spec, progress)
    frame, info, rows = load_data(settings, spec, progress)
    database = Database(settings.database).migrate()
    models, prediction_log = serving_models(settings, spec, database)
    service = models.current()
    if models.serving.degraded:
        progress(f"[start] serving {service.version}: {models.serving.reason}")
    data = live_dataset(settings, spec, frame, info, service)
    # No connection is carried into forked workers: each opens its own on first use.
    database.dispose()
    progress(
        f"[start] {spec.name}: {rows:,} rows, model {service.version}, ready in "
        f"{time.perf_counter() - started:.1f}s"
    )
    return AppContext(
        settings=settings,
        spec=spec,
        data=data,
        models=models,
        log=prediction_log,
        database=database,
        users=UserStore(database),
        api_keys=ApiKeyStore(database),
    )


def trust_proxies(server, proxies: int) -> None:
    """Behind `proxies` reverse proxies (nginx: 1), the client's address, scheme and host
    come from their X-Forwarded-* headers, so the sign-in limit per address and /metrics'
    loopback check see the client, not the proxy. Never set it without
    a proxy in front: a client could then claim any address."""
    if proxies:
        server.wsgi_app = ProxyFix(
            server.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def serving_models(
    settings: Settings, spec, database: Database
) -> tuple[ServingModels, PredictionLog]:
    """The registry's versions as services logging to `database`: the app's and the replay's."""
    registry = registry_for(settings, spec, database)
    prediction_log = PredictionLog.of(database, spec, registry)
    models = ServingModels(
        registry,
        service_maker(settings, spec, prediction_log),
        poll_s=settings.alias_poll_s,
        shadow=ShadowScorer(prediction_log, settings.shadow),
    )
    return models, prediction_log


def service_maker(settings: Settings, spec, prediction_log):
    """How this app turns a loaded version into its service; refuses other features."""
    features = [f.column for f in spec.features]
    bands = [Band(b.label, b.below, b.color) for b in spec.predict.bands]

    def make(pipeline, card) -> ModelService:
        if card.feature_columns != features:
            raise ModelLoadError(
                f"model {card.version} takes other features than the spec's"
            )
        # A what-if scores ~100 rows: one OpenMP thread is faster than two, and keeps
        # gunicorn workers from oversubscribing the cores. Training keeps every thread.
        return ModelService(
            pipeline,
            card,
            spec.whatif_feature,
            prediction_log,
            settings.model_threads,
            bands,
        )

    return make


def create_app(
    settings: Settings | None = None, context: AppContext | None = None
) -> dash.Dash:
    """A new Dash app with its own callbacks, login and checks; tests pass a small context.

    `settings` wins over the context's own (tests reuse one loaded context in several modes).
    """
    settings = settings or Settings.from_env()
    ctx = context or build_context(settings)
    if ctx.settings != settings:
        ctx = dataclasses.replace(ctx, settings=settings)
    if not settings.secret_key:  # tests and local runs; production refuses this earlier
        settings = settings.with_overrides(secret_key=secrets.token_hex(32))
    defer_libraries()  # before Dash lists the scripts of the page
    jobs_manager = background_manager(settings)  # disk cache, or Celery with REDIS_URL
    app = dash.Dash(
        __name__,
        title=f"Flightdeck · {ctx.spec.title}",
        external_stylesheets=[],
        # No validation layout in the page: it held every page's layout (80 KB of each
        # first load) and the browser resolved each component in it, the deferred AG
        # Grid's too. Every id is checked by tests/unit/test_components.py instead, and
        # every request by the door.
        suppress_callback_exceptions=True,
        update_title=None,
        serve_locally=True,
        compress=settings.compress,
        background_callback_manager=jobs_manager,
        assets_ignore=PAGE_ASSETS_IGNORED,
    )
    # Set first: Dash calls a layout function at once unless there is a validation layout
    # (kept for the server's checks; with suppressed exceptions it is not sent).
    # The page's language, for screen readers (Dash's own index has none).
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    # The Plotly bundle downloads with the page's scripts, and runs when a chart needs it.
    preload_plotly(app, {path for path, page in PAGES.items() if page.charts})
    app.validation_layout = validation_layout(ctx)
    app.layout = functools.partial(_layout_for_request, ctx)
    roles = callbacks.register_all(app, ctx)
    auth.register(app.server, settings, ctx.users, ctx.spec.title)
    door.register(app, settings, roles, ctx.api_keys)
    busy.register(app.server, settings.busy_limit)
    headers.register(app, tls=settings.cookie_secure)
    trust_proxies(app.server, settings.trusted_proxies)
    health.register(app.server, ctx)
    batch_files.register(app.server, ctx)
    reports.register(app.server, ctx)
    api.register(app, ctx, settings)
    metrics.register(app, ctx, settings)
    if settings.compress:
        static_compress.register(app.server)
    app.server.config["FLIGHTDECK_CONTEXT"] = ctx
    app.server.extensions[jobs.EXTENSION] = jobs_manager  # the Celery worker's app
    return app


def _layout_for_request(ctx: AppContext):
    """The shell for whoever asks (their pages, name and sign-out form)."""
    identity = auth.current_identity() if has_request_context() else None
    if identity is None or not identity.signed_in:
        return shell(ctx, identity)
    return shell(ctx, identity, generate_csrf())  # for the sign-out form


def production_app() -> dash.Dash:
    """The app a WSGI server runs: refuses unsafe settings before loading anything heavy."""
    settings = Settings.from_env()
    users = UserStore(Database(settings.database).migrate())
    refuse_unsafe(settings, users.count())
    return create_app(settings)


def __getattr__(name: str):
    """`app:server` for gunicorn, built on first access so importing this module stays inert."""
    if name in ("server", "app"):
        try:
            built = production_app()
        except STARTUP_ERRORS as exc:
            print(f"flightdeck: cannot start: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(1) from None
        globals().update(app=built, server=built.server)
        return globals()[name]
    raise AttributeError(name)


STARTUP_ERRORS = (
    ModelLoadError,
    SpecError,
    DatabaseError,
    UnsafeSettings,
    FileNotFoundError,
    ValueError,
)


def _show_our_log() -> None:
    """Print Flightdeck's own log lines (start-up warnings, schema changes, refusals).

    Only the `flightdeck` loggers: the root logger stays as Dash and Werkzeug set it up, so
    their lines are not printed twice, and Alembic's step-by-step lines stay quiet.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def main() -> None:
    """`python app.py`: open on loopback with no users (with a warning), else as production."""
    _show_our_log()
    try:
        settings = Settings.from_env()
        users = UserStore(Database(settings.database).migrate())
        settings = local_settings(settings, users.count())
        app = create_app(settings)
    except STARTUP_ERRORS as exc:
        print(f"flightdeck: cannot start: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    app.run(
        host=settings.host,
        port=settings.port,
        debug=settings.debug,
        request_handler=headers.QuietRequestHandler,
    )


if __name__ == "__main__":
    main()
