"""The Overview's filters as a URL query, so a view can be shared as a link.

    ?start=2013-03-01&end=2013-08-31&carrier=UA&carrier=DL&hour=6~20&bins=visib&missing=out

Only what differs from the defaults is written (`missing=out`: the rows with no value in a
range filter are left out; kept by default). Decoding returns raw values; the Dataset
validates them like any other client input.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlencode

from data.filters import FilterError
from data.inputs import shorten

RANGE_SEP = "~"
MISSING_KEY = "missing"
MISSING_WORDS = {"in": True, "out": False}  # a link's words for the missing-rows choice


def to_query(
    dates,
    categories: dict,
    ranges: dict,
    bins: str | None,
    defaults: dict,
    missing: bool | None = None,
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
        if span and not _covers(span, defaults, column):
            pairs.append((column, f"{span[0]:g}{RANGE_SEP}{span[1]:g}"))
    if bins and bins != defaults.get("bins"):
        pairs.append(("bins", bins))
    if missing is False:
        pairs.append((MISSING_KEY, "out"))
    return "?" + urlencode(pairs) if pairs else ""


def _covers(span, defaults: dict, column: str) -> bool:
    """Whether a range keeps every row: it spans the data's bounds (or the default)."""
    bounds = defaults.get("bounds", {}).get(column) or defaults["ranges"].get(column)
    if not bounds:
        return False
    try:
        return float(span[0]) <= bounds[0] and float(span[1]) >= bounds[1]
    except (TypeError, ValueError, IndexError):
        return False


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
        "missing": _missing_choice(query.get(MISSING_KEY, [None])[0]),
    }


def _missing_choice(word: str | None):
    """True or False for a link's 'in' or 'out'; anything else as is, for validation."""
    return MISSING_WORDS.get(word, word) if word is not None else None


def slider_range(low: float, high: float) -> tuple[float, float, float | None]:
    """A slider's ends and step: the data's bounds rounded outwards to the coarsest step
    with 20+ positions, so its boxes read whole numbers (wind 0–42.57886 mph slides 0–43
    by 1; 4.3–7.9 by 0.1, 0–1.21 by 0.01). Ends that cover the data filter nothing."""
    if not high > low:
        return low, high, None
    for decimals in range(7):
        step = 10.0**-decimals
        start = math.floor(round(low / step, 6)) * step
        stop = math.ceil(round(high / step, 6)) * step
        if (stop - start) / step >= 20 - 1e-9:
            break
    start, stop = round(start, decimals), round(stop, decimals)
    return start, stop, (1 if decimals == 0 else step)


def defaults(ctx) -> dict:
    """The Overview's default filter values: full date span, the sliders' whole ranges,
    first bin column; and the data's own bounds, which any covering range matches."""
    columns = ctx.spec.range_filters
    return {
        "dates": ctx.dataset.date_span,
        "ranges": {c: list(slider_range(*ctx.dataset.bounds(c))[:2]) for c in columns},
        "bounds": {c: list(ctx.dataset.bounds(c)) for c in columns},
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
        "missing": True,
    }
    raw = from_query(search, ctx.spec.category_filters, ctx.spec.range_filters)
    try:
        filters = ctx.dataset.parse_filters(
            raw["dates"], raw["categories"], raw["ranges"], raw["missing"]
        )
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
        "missing": filters.keep_missing,
    }, None
