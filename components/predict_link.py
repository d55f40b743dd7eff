"""A Predict form's inputs as a URL query, so an answer can be shared and reported:

    /predict?carrier=UA&origin=EWR&dest=ORD&weekday=4&hour=17&distance=719&...

Decoding returns raw values, defaults filling what the link leaves out; the model service
validates them like any other client input.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from data.inputs import BadInput, parse_number

SCENARIO = "scenario"  # not a feature: the saved scenario a link names
NAME_LIMIT = 80


def number_text(value) -> str:
    """A number as short exact text: 17.0 -> '17', 0.25 -> '0.25'."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def inputs_query(inputs: dict, schema) -> str:
    """'?col=value&…' for every feature, in the schema's order."""
    pairs = []
    for column, entry in schema.items():
        value = inputs.get(column)
        if value is None or value == "":
            continue
        text = value if entry.kind == "category" else number_text(value)
        pairs.append((column, str(text)))
    return "?" + urlencode(pairs) if pairs else ""


def inputs_from_query(search: str | None, schema, defaults: dict) -> dict:
    """Raw inputs from a query: the first value of each feature, defaults for the rest;
    other keys are ignored."""
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    return {
        column: query[column][0] if column in query else defaults[column]
        for column in schema
    }


def form_value(value, entry):
    """What a form control can show for a raw value: a known category, a number, or None
    (the callback then says what is wrong)."""
    if entry.kind == "category":
        return value if value in entry.categories else None
    try:
        number = parse_number(value, entry.label)
    except BadInput:
        return None
    return round(number) if entry.integer and number.is_integer() else number


def scenario_id(search: str | None) -> str | None:
    """The saved scenario a link names, if any (checked by the store, not here)."""
    values = parse_qs((search or "").lstrip("?")).get(SCENARIO)
    return values[0] if values else None
