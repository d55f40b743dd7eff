"""The Overview's filters as a URL query, so a view can be shared as a link.

    ?start=2013-03-01&end=2013-08-31&carrier=UA&carrier=DL&hour=6~20&bins=visib

Only what differs from the defaults is written. Decoding returns raw values; the Dataset
validates them like any other client input.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from data.filters import FilterError
from data.inputs import shorten

RANGE_SEP = "~"


def to_query(
    dates, categories: dict, ranges: dict, bins: str | None, defaults: dict
) -> str:
    """A '?…' query for the filters that are set, or '' when everything is default."""
    pairs: list[tuple[str, str]] = []
    span = defaults.get("dates")
    if (
        dates
        and span
        and [str(d)[:10] if d else d for d in dates] != [str(s) for s in span]
    ):
        pairs += [("start", str(dates[0])[:10]), ("end", str(dates[1])[:10])]
    for column, picks in categories.items():
        pairs += [(column, value) for value in picks or []]
    for column, span in ranges.items():
        if span and list(span) != list(defaults["ranges"].get(column, [])):
            pairs.append((column, f"{span[0]:g}{RANGE_SEP}{span[1]:g}"))
    if bins and bins != defaults.get("bins"):
        pairs.append(("bins", bins))
    return "?" + urlencode(pairs) if pairs else ""


def _number_pair(text: str):
    try:
        low, high = (float(part) for part in text.split(RANGE_SEP))
    except ValueError:
        return text  # left as is: validation reports it
    return [low, high]


def from_query(search: str | None, category_columns, range_columns) -> dict:
    """Raw filter values from a query string; unknown keys are ignored."""
    query = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    dates = None
    if "start" in query or "end" in query:
        dates = [query.get("start", [None])[0], query.get("end", [None])[0]]
    return {
        "dates": dates,
        "categories": {c: query[c] for c in category_columns if c in query},
        "ranges": {c: _number_pair(query[c][0]) for c in range_columns if c in query},
        "bins": query.get("bins", [None])[0],
    }


def defaults(ctx) -> dict:
    """The Overview's default filter values: full date span, full ranges, first bin column."""
    return {
        "dates": ctx.dataset.date_span,
        "ranges": {c: list(ctx.dataset.bounds(c)) for c in ctx.spec.range_filters},
        "bins": ctx.spec.bin_columns[0] if ctx.spec.bin_columns else None,
    }


def view_from_link(ctx, search: str | None) -> tuple[dict, str | None]:
    """Initial control values for a shared link, and a message when the link was not valid."""
    base = defaults(ctx)
    start = {
        "dates": base["dates"],
        "categories": {},
        "ranges": base["ranges"],
        "bins": base["bins"],
    }
    raw = from_query(search, ctx.spec.category_filters, ctx.spec.range_filters)
    try:
        ctx.dataset.parse_filters(raw["dates"], raw["categories"], raw["ranges"])
        if raw["bins"] is not None and raw["bins"] not in ctx.spec.bin_columns:
            raise FilterError(
                f"'{shorten(raw['bins'])}' is not a column you can bin by"
            )
    except FilterError as exc:
        return start, f"This link's filters were not applied: {exc}"
    dates = raw["dates"] or base["dates"]
    if dates and base["dates"]:
        dates = [dates[0] or base["dates"][0], dates[1] or base["dates"][1]]
    return {
        "dates": dates,
        "categories": raw["categories"],
        "ranges": {**base["ranges"], **raw["ranges"]},
        "bins": raw["bins"] or base["bins"],
    }, None
