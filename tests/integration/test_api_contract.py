"""The API keeps its own contract: schemathesis generates requests from /api/v1/openapi.json
and checks that no answer is a 5xx and every answer matches the documented schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from data.api_keys import ApiKeyStore

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def analyst_key(app_context) -> str:
    return ApiKeyStore(app_context.database).create("ana", "contract tests")[1]


@pytest.fixture(scope="module")
def api_schema(small_settings, app_context):
    # Uncompressed: schemathesis's WSGI transport does not decode br/gzip bodies.
    app = create_app(small_settings.with_overrides(compress=False), context=app_context)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_answer_keeps_the_contract(case, analyst_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {analyst_key}"}, checks=CHECKS
    )


def test_the_contract_documents_the_error_shape_and_the_key(api_schema):
    document = api_schema.raw_schema
    error = document["components"]["schemas"]["ErrorBody"]
    assert {"error", "code", "message", "field", "request_id"} <= set(
        error["properties"]
    )
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    predict = document["paths"]["/api/v1/predict"]["post"]
    assert {"200", "400", "401", "403", "413", "415", "422", "429", "503"} <= set(
        predict["responses"]
    )
