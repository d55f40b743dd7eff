"""The JSON API, /api/v1: predictions and the model card for programs, with an API key.

POST /api/v1/predict    one record or a list (up to Settings.api_max_records), analyst
GET  /api/v1/model      the serving version's card summary and feature schema, viewer
GET  /api/v1/openapi.json  the contract (public), generated from the validating models
GET  /api/v1/docs       Swagger UI over that contract, served from assets/api-docs

Every request but the last two needs `Authorization: Bearer <key>` (data/api_keys.py),
even when the pages run open. Errors have one shape (server/responses.py). A list with
any invalid record is refused whole (400, each bad field named): nothing scored or logged.
"""

from __future__ import annotations

import dash
from flask import Blueprint, abort, g, render_template_string, request
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from config import Settings
from data.api_keys import ApiKeyStore, key_hash
from server.api_answers import Answering, record_problems, refuse
from server.api_schema import (
    ErrorBody,
    ModelResponse,
    PredictResponse,
    feature_out,
    predict_request_model,
    record_model,
    too_many_records,
    validation_problems,
)
from server.auth import Identity
from server.responses import json_error, read_json_body

PREFIX = "/api/"
PUBLIC_PATHS = frozenset({"/api/v1/openapi.json", "/api/v1/docs"})
ROLES = {"api.predict": "analyst", "api.model": "viewer"}
ERRORS = {f"HTTP_{code}": ErrorBody for code in (401, 403, 413, 415, 429)}
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} API</title>
<link rel="stylesheet" href="{{ css }}">
<link rel="stylesheet" href="{{ contrast }}"></head>
<body><div id="swagger-ui" data-spec-url="/api/v1/openapi.json"></div>
<script src="{{ bundle }}"></script><script src="{{ init }}"></script></body></html>
"""


def is_api(path: str) -> bool:
    """A path of the JSON API, which answers to API keys rather than sessions."""
    return path.startswith(PREFIX)


def is_public_api(path: str) -> bool:
    """The contract and its docs page hold no data: anyone may read them."""
    return path in PUBLIC_PATHS


def bearer_token() -> str | None:
    """The credential of the request's `Authorization: Bearer <token>`, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def bearer_identity(api_keys: ApiKeyStore | None) -> Identity | None:
    """Who the request's `Authorization: Bearer <key>` belongs to, or None."""
    key = bearer_token()
    if api_keys is None or key is None:
        return None
    user = api_keys.authenticate(key)
    if user is None:
        return None
    g.api_key_digest = key_hash(key)
    return Identity(user.name, user.role)


def _rate_key() -> str:
    return "api-key:" + g.get("api_key_digest", "-")


def refusal_hook(ctx):
    """Spectree's hook: a body that fails the contract ends in our error shape, with the
    model's own checks of the same records added, so one answer names every bad field."""

    def refuse_invalid(_req, _resp, error, _instance, _adapter) -> None:
        if error is None:
            return
        errors = error.errors()
        if too_many_records(errors):
            _abort(json_error(413, "too many records in one request", field="records"))
        problems = [p.model_dump() for p in validation_problems(errors)]
        problems += model_problems(ctx.models.current(), request.get_json(silent=True))
        problems = list({p["field"]: p for p in reversed(problems)}.values())[::-1]
        _abort(refuse(problems, unnamed="body"))

    return refuse_invalid


def model_problems(service, body) -> list[dict]:
    """ModelService.validate's problems with the records of a raw body, where readable."""
    if isinstance(body, dict):
        return record_problems(service, [body], many=False)
    if isinstance(body, list) and all(isinstance(r, dict) for r in body):
        return record_problems(service, body, many=True)
    return []


def _json_body_problem():
    """415 unless the body is declared JSON; 400 unless it parses (not too deep)."""
    _, problem = read_json_body()
    if problem is None:
        return None
    if request.mimetype != "application/json":
        return json_error(415, problem)
    return json_error(400, problem, field="body")


def _abort(answer) -> None:
    """End the request with an error answer from json_error (a hook cannot return it)."""
    response, status = answer
    response.status_code = status
    abort(response)


def _spectree(title: str, max_records: int, before) -> SpecTree:
    return SpecTree(
        "flask",
        mode="strict",
        title=f"Flightdeck API · {title}",
        version="1",
        description=(
            "Predictions and the model card for programs. Send an API key as "
            "`Authorization: Bearer <key>`. Every error has the shape ErrorBody. "
            f"POST /predict takes one record or a list of up to {max_records:,}; a "
            "list with any invalid record is refused whole (400), nothing logged."
        ),
        # Not registered (our own route serves the document, at /api/v1/openapi.json);
        # spectree leaves routes under this path out of the document.
        path="api/v1/_spectree",
        page_templates={},
        annotations=False,
        validation_error_status=400,
        validation_error_model=ErrorBody,
        before=before,
        naming_strategy=lambda model: model.__name__,  # ErrorBody, not ErrorBody.1a2b3c
        nested_naming_strategy=lambda _parent, child: child,
        security_schemes=[
            SecurityScheme(
                name="bearer",
                data=SecuritySchemeData(
                    type=SecureType.HTTP,
                    scheme="bearer",
                    bearer_format="fdk_…",
                    description="An API key, made on the Keys page",
                ),
            )
        ],
    )


def register(app: dash.Dash, ctx, settings: Settings) -> SpecTree:
    """The /api/v1 blueprint, its contract and docs page, on the app's Flask server."""
    server = app.server
    service = ctx.models.current()
    record = record_model(service)
    body_model = predict_request_model(record, settings.api_max_records)
    spec = _spectree(ctx.spec.title, settings.api_max_records, refusal_hook(ctx))
    limiter = next(iter(server.extensions["limiter"]))  # built by server/auth.py
    limit = limiter.shared_limit(settings.api_limit, scope="api", key_func=_rate_key)
    answering = Answering(ctx, settings)
    api = Blueprint("api", __name__, url_prefix="/api/v1")
    secured = {"bearer": []}

    @api.before_request
    def check_role_and_type():
        needed = ROLES.get(request.endpoint or "")
        identity = g.get("identity")
        if needed and (identity is None or not identity.can(needed)):
            role = identity.role if identity else "nobody"
            return json_error(
                403, f"this needs the {needed} role; the key is a {role}'s"
            )
        if request.method == "POST":
            return _json_body_problem()
        return None

    @api.post("/predict")
    @limit
    @spec.validate(
        json=body_model,
        resp=Response(
            HTTP_200=PredictResponse,
            HTTP_409=ErrorBody,
            HTTP_422=ErrorBody,
            HTTP_503=ErrorBody,
            **ERRORS,
        ),
        tags=["predict"],
        security=secured,
    )
    def predict():
        """Predict one record or a list; each answer is logged before it is returned."""
        body = request.context.json.root
        records = body if isinstance(body, list) else [body]
        rows = [r.model_dump() for r in records]
        return answering.answer(rows, isinstance(body, list), g.identity.name)

    @api.get("/model")
    @limit
    @spec.validate(
        resp=Response(HTTP_200=ModelResponse, **ERRORS),
        tags=["model"],
        security=secured,
    )
    def model():
        """The serving version's card summary and the features it takes."""
        return _model_summary(ctx, settings).model_dump()

    @api.get("/openapi.json")
    def openapi():
        """The contract, generated from the models that validate the requests."""
        return spec.spec

    @api.get("/docs")
    def docs():
        """Swagger UI over the contract, from assets/api-docs (no CDN)."""
        return render_template_string(
            DOCS_PAGE,
            title=ctx.spec.title,
            css=app.get_asset_url("api-docs/swagger-ui.css"),
            contrast=app.get_asset_url("api-docs/swagger-ui-contrast.css"),
            bundle=app.get_asset_url("api-docs/swagger-ui-bundle.js"),
            init=app.get_asset_url("api-docs/swagger-ui-init.js"),
        )

    # Keys, not cookies, sign these requests, so a cross-site form cannot forge one.
    server.extensions["csrf"].exempt(api)
    server.register_blueprint(api)
    return spec


def _model_summary(ctx, settings: Settings) -> ModelResponse:
    serving = ctx.models.serving
    service, card = serving.service, serving.service.card
    return ModelResponse(
        version=service.version,
        champion=serving.champion,
        degraded=serving.degraded,
        kind=service.kind,
        task=card.task,
        target=card.target,
        outcome=card.outcome,
        classes=list(card.classes),
        created=card.created,
        bands=[band.label for band in service.bands],
        max_records=settings.api_max_records,
        features=[feature_out(entry) for entry in card.features],
    )
