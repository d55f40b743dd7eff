"""The API's contract models, built from the model's feature schema, and the error shape."""

from __future__ import annotations

import flask
import pytest
from pydantic import ValidationError

from server.api_schema import (
    field_path,
    predict_request_model,
    record_model,
    required,
    too_many_records,
    validation_problems,
)
from server.responses import error_code, json_error


@pytest.fixture(scope="module")
def service(app_context):
    return app_context.service


@pytest.mark.parametrize(
    "location, path",
    [
        (("many", 3, "temp"), "records[3].temp"),
        (("one", "temp"), "temp"),
        (("many",), "records"),
        ((), None),
    ],
)
def test_error_locations_read_as_the_api_names_fields(location, path):
    assert field_path(location) == path


def test_a_record_takes_every_feature_with_the_training_types(service):
    record = record_model(service)
    clean = record.model_validate(service.defaults())
    assert set(clean.model_dump()) == set(service.columns)
    schema = record.model_json_schema()
    assert schema["additionalProperties"] is False
    must = {c for c, entry in service.schema.items() if required(entry)}
    assert set(schema["required"]) == must
    category = next(e for e in service.card.features if e.kind == "category")
    assert (
        category.categories[0] in schema["properties"][category.column]["description"]
    )


@pytest.mark.parametrize(
    "change", [{"colour": "red"}, {"hour": float("inf")}, {"carrier": 12}]
)
def test_unknown_fields_non_finite_numbers_and_wrong_types_are_refused(service, change):
    with pytest.raises(ValidationError):
        record_model(service).model_validate({**service.defaults(), **change})


def test_a_body_is_one_record_or_a_capped_list(service):
    body = predict_request_model(record_model(service), max_records=3)
    row = service.defaults()
    assert isinstance(body.model_validate([row, row]).root, list)
    assert not isinstance(body.model_validate(row).root, list)
    with pytest.raises(ValidationError) as too_many:
        body.model_validate([row] * 4)
    assert too_many_records(too_many.value.errors())
    with pytest.raises(ValidationError) as bad:
        body.model_validate([row, {**row, "hour": "soon"}])
    problems = validation_problems(bad.value.errors())
    assert [p.field for p in problems] == ["records[1].hour"]
    assert not too_many_records(bad.value.errors())


def test_every_error_has_a_code_a_field_and_the_request_id():
    app = flask.Flask(__name__)
    with app.test_request_context():
        flask.g.request_id = "r-1"
        response, status = json_error(400, "bad hour", field="records[0].hour")
        body = response.get_json()
    assert status == 400
    assert body == {
        "error": "Bad Request",
        "code": "invalid_input",
        "message": "bad hour",
        "field": "records[0].hour",
        "request_id": "r-1",
    }
    assert error_code(429) == "rate_limited" and error_code(503) == "not_ready"
