"""The JSON API's typed contract: pydantic models built from the serving model's feature
schema when the app is created, so the OpenAPI document and request validation agree.

Types, required fields and unknown fields are checked here (pydantic, `extra="forbid"`);
category membership and number parsing are ModelService.validate's, as on the pages.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    Tag,
    create_model,
)

from model.card import FeatureEntry
from model.service import ModelService

MAX_SHOWN_CATEGORIES = 40


class Problem(BaseModel):
    """One bad field: where (`records[3].temp`) and what is wrong with it."""

    field: str | None
    message: str


class ErrorBody(BaseModel):
    """Every error answer of the API (and of the door on /api/ paths) has this shape."""

    error: str = Field(description="The HTTP status phrase, e.g. 'Bad Request'")
    code: str = Field(
        description="Stable machine-readable code: invalid_input, unauthorized, "
        "forbidden, not_found, method_not_allowed, too_large, unsupported_media_type, "
        "idempotency_key_reused, rate_limited, not_ready, internal_error"
    )
    message: str = Field(description="What went wrong, in words")
    field: str | None = Field(
        None, description="The first offending field, e.g. records[3].temp"
    )
    request_id: str | None = Field(None, description="Quote it to the team")
    problems: list[Problem] | None = Field(
        None, description="Every offending field, when there are several"
    )


class PredictionOut(BaseModel):
    """One record's answer, logged under `request_id` before it was returned."""

    request_id: str
    value: float = Field(
        description="p(positive class), the predicted value, or the top class's p"
    )
    label: str | None = Field(
        description="The band (binary), the class (multi-class), null (regression)"
    )
    band: str | None = Field(description="The band's label (binary models only)")
    warnings: list[str] = Field(description="e.g. an input outside the training range")


class PredictResponse(BaseModel):
    """The answer to POST /api/v1/predict: one prediction per record, in order."""

    model_version: str
    predictions: list[PredictionOut]


class FeatureOut(BaseModel):
    """One input the model takes, as training saw it."""

    column: str
    label: str
    kind: Literal["category", "number"]
    unit: str
    required: bool
    categories: list[str] | None
    min: float | None
    max: float | None
    example: str | float


class ModelResponse(BaseModel):
    """The answer to GET /api/v1/model: the serving version's card summary."""

    version: str
    champion: str | None
    degraded: bool
    kind: Literal["binary", "multiclass", "regression"]
    task: str
    target: str
    outcome: str
    classes: list[str]
    created: str
    bands: list[str]
    max_records: int
    features: list[FeatureOut]


def required(entry: FeatureEntry) -> bool:
    """A number the model was fitted with gaps in may be left out (or null)."""
    return not (entry.kind == "number" and entry.missing_share)


def _field(entry: FeatureEntry) -> tuple[Any, Any]:
    """The pydantic (type, Field) of one feature: numbers as float, categories as str."""
    words = entry.label + (f" ({entry.unit})" if entry.unit else "")
    if entry.kind == "category":
        shown = entry.categories[:MAX_SHOWN_CATEGORIES]
        more = "…" if len(entry.categories) > len(shown) else ""
        words += f". One of: {', '.join(shown)}{more}"
        return str, Field(description=words, examples=[entry.reference])
    words += f". Seen in training: {entry.min}–{entry.max}"
    number = Annotated[float, Field(allow_inf_nan=False)]
    if required(entry):
        return number, Field(description=words, examples=[entry.reference])
    return number | None, Field(None, description=words, examples=[entry.reference])


def record_model(service: ModelService) -> type[BaseModel]:
    """The model of one input record, from the serving version's feature schema."""
    fields = {entry.column: _field(entry) for entry in service.card.features}
    return create_model(
        "Record",
        __config__=ConfigDict(extra="forbid"),
        __doc__="One row of inputs, feature by feature.",
        **fields,
    )


def _shape(body: Any) -> str:
    return "many" if isinstance(body, list) else "one"


def predict_request_model(record: type[BaseModel], max_records: int) -> type[RootModel]:
    """The body of POST /api/v1/predict: one record, or a list of 1..max_records."""
    many = Annotated[list[record], Field(min_length=1, max_length=max_records)]
    body = Annotated[
        Annotated[record, Tag("one")] | Annotated[many, Tag("many")],
        Discriminator(_shape),
    ]
    return create_model(
        "PredictRequest",
        __base__=RootModel[body],
        __doc__=f"One record, or a list of up to {max_records:,} records.",
    )


def feature_out(entry: FeatureEntry) -> FeatureOut:
    """One feature as GET /api/v1/model shows it."""
    number = entry.kind == "number"
    return FeatureOut(
        column=entry.column,
        label=entry.label,
        kind=entry.kind,
        unit=entry.unit,
        required=required(entry),
        categories=None if number else list(entry.categories),
        min=entry.min if number else None,
        max=entry.max if number else None,
        example=entry.reference,
    )


def field_path(location: tuple) -> str | None:
    """A pydantic error location as the API names fields: `records[3].temp`, `temp`."""
    parts, path = list(location), ""
    if parts[:1] in (["one"], ["many"]):  # the body's shape, as _shape tags it
        path = "records" if parts[0] == "many" else ""
        parts = parts[1:]
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or None


def validation_problems(errors: list[dict]) -> list[Problem]:
    """Pydantic's errors as the API's problems, one per field."""
    return [
        Problem(field=field_path(tuple(error.get("loc", ()))), message=error["msg"])
        for error in errors
    ]


def too_many_records(errors: list[dict]) -> bool:
    """Whether the body failed only for holding more records than the cap (413)."""
    return any(
        error.get("type") == "too_long" and tuple(error.get("loc", ())) == ("many",)
        for error in errors
    )
