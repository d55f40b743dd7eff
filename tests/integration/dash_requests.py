"""Build real /_dash-update-component requests, the way the Dash renderer does.

The request shapes come from the bench's client (bench/dash_client.py), so the tests and the
bench speak to Flightdeck one way; this module drives the Flask test client with them.
"""

from __future__ import annotations

from bench.dash_client import callback_outputs, csrf_token
from components import ids


def find_output(client, contains: str) -> str:
    for dep in client.get("/_dash-dependencies").get_json():
        if contains in dep["output"]:
            return dep["output"]
    raise LookupError(contains)


def pattern_inputs(kind: str, values: dict, prop: str = "value") -> list[dict]:
    return [
        {"id": {"column": column, "type": kind}, "property": prop, "value": value}
        for column, value in values.items()
    ]


def post_callback(
    client, output: str, inputs: list, changed: list[str], state: list | None = None
):
    payload = {
        "output": output,
        "outputs": callback_outputs(output),
        "inputs": inputs,
        "changedPropIds": changed,
        "state": state or [],
    }
    return client.post("/_dash-update-component", json=payload)


def overview_inputs(
    ctx, categories=None, ranges=None, dates=None, bins_column=None, missing=True
) -> list:
    """Inputs of the Overview refresh, defaults filled in from the data (`missing`: the
    switch that keeps the rows with no value in a range filter, when the data has any)."""
    categories = {c: None for c in ctx.spec.category_filters} | (categories or {})
    ranges = {c: list(ctx.dataset.bounds(c)) for c in ctx.spec.range_filters} | (
        ranges or {}
    )
    span = ctx.dataset.date_span
    dates = dates or [str(span[0]), str(span[1])]
    return [
        pattern_inputs(ids.CATEGORY_FILTER, categories),
        pattern_inputs(ids.RANGE_FILTER, ranges),
        {"id": ids.DATE_RANGE, "property": "start_date", "value": dates[0]},
        {"id": ids.DATE_RANGE, "property": "end_date", "value": dates[1]},
        {
            "id": ids.BINS_COLUMN,
            "property": "value",
            "value": bins_column or ctx.spec.bin_columns[0],
        },
    ] + (
        [{"id": ids.MISSING_FILTER, "property": "value", "value": missing}]
        if ctx.dataset.missing_count
        else []
    )


def render_page(client, pathname: str, search: str = ""):
    """What the router returns for a URL, as the browser asks for it."""
    return post_callback(
        client,
        "page.children",
        [{"id": ids.PAGE_PATH, "property": "data", "value": pathname}],
        ["page-path.data"],
        [{"id": ids.URL, "property": "search", "value": search}],
    )


def sign_in(client, name: str, password: str | None = None):
    """Sign a Flask test client in through the login form, as a browser would."""
    from tests.conftest import PASSWORD

    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": name, "password": password or PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client
