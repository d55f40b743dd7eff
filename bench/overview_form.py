"""The Overview filters as the live layout defines them, and random filter changes to send."""

from __future__ import annotations

import datetime as dt
import json
import random

from bench.dash_client import pattern_key
from components import ids

EMPTY_EVERY = 50  # one filter change in 50 matches no rows (see OverviewForm.scenarios)


def option_values(options: list) -> list:
    return [o if isinstance(o, str) else o["value"] for o in options]


def short(s: dict) -> str:
    """A scenario in one line, for error reports."""
    picks = {c: v for c, v in s["categories"].items() if v}
    brief = {"dates": s["dates"], "categories": picks, "ranges": s["ranges"]}
    if s.get("missing") is False:
        brief["missing"] = "left out"
    return json.dumps({**brief, "bins": s["bins"]}, separators=(",", ":"))


def build_args(s: dict) -> tuple:
    """The same scenario as build_overview's positional arguments."""
    return s["dates"], dict(s["categories"]), dict(s["ranges"]), s["bins"]


def build_kwargs(s: dict) -> dict:
    """... and its keyword arguments: the rows with no value kept or left out."""
    return {"missing": s.get("missing")}


class OverviewForm:
    """The Overview filters read from the rendered layout; scenarios are plain dicts."""

    def __init__(self, layout: list):
        self.categories: dict[str, list[str]] = {}
        self.ranges: dict[str, tuple[float, float]] = {}
        self.dates = None
        self.bins: list[str] = []
        self.bins_default = None
        self.missing: bool | None = None  # the keep-missing-rows switch, when shown
        for _kind, ident, props in layout:
            self._read(ident, props)
        if not self.categories or not self.ranges:
            raise RuntimeError(
                "the Overview layout has no category or range filters; did the ids change?"
            )
        self.first_category = next(iter(self.categories))
        self.first_range = next(iter(self.ranges))

    def _read(self, ident, props: dict) -> None:
        kind = ident.get("type") if isinstance(ident, dict) else None
        if kind == ids.CATEGORY_FILTER:
            self.categories[ident["column"]] = option_values(props["options"])
        elif kind == ids.RANGE_FILTER:
            self.ranges[ident["column"]] = (props["min"], props["max"])
        elif ident == ids.DATE_RANGE:
            self.dates = (props["min_date_allowed"], props["max_date_allowed"])
        elif ident == ids.BINS_COLUMN:
            self.bins = option_values(props["options"])
            self.bins_default = props.get("value")
        elif ident == ids.MISSING_FILTER:
            self.missing = bool(props.get("value", True))

    def default(self) -> dict:
        return {
            "categories": {c: None for c in self.categories},
            "ranges": {c: [lo, hi] for c, (lo, hi) in self.ranges.items()},
            "dates": list(self.dates) if self.dates else None,
            "bins": self.bins_default,
            "missing": self.missing,
        }

    def scenarios(
        self, n: int, rows_matching, empty_every: int = EMPTY_EVERY, seed: int = 7
    ) -> list[dict]:
        """n filter changes: the default view first, then random picks that match rows.

        Every `empty_every`-th (from the middle of the first block) matches none: users do
        pick combinations with no flights, and the page must answer those too.
        """
        rng = random.Random(seed)
        out = [self.default()]
        while len(out) < n:
            want_empty = len(out) % empty_every == empty_every // 2
            for _ in range(2000):
                s = self._random(rng, dense=not want_empty)
                if (rows_matching(s) == 0) == want_empty:
                    break
            out.append(s)
        return out

    def _random(self, rng: random.Random, dense: bool) -> dict:
        s = self.default()
        for column, options in self.categories.items():
            chance, most = self._category_odds(column, len(options), dense)
            if rng.random() < chance:
                s["categories"][column] = rng.sample(options, rng.randint(1, most))
        for column, (lo, hi) in self.ranges.items():
            if rng.random() < (0.6 if column == self.first_range else 0.15):
                s["ranges"][column] = random_range(rng, lo, hi)
        if self.dates and rng.random() < 0.6:
            s["dates"] = random_dates(rng, *self.dates)
        if self.bins:
            s["bins"] = rng.choice(self.bins)
        if self.missing is not None and rng.random() < 0.2:
            s["missing"] = not self.missing
        return s

    def _category_odds(self, column: str, options: int, dense: bool) -> tuple:
        """(chance the filter is set, most values picked) for one category filter."""
        if column == self.first_category:  # e.g. airlines: the filter used most
            return 0.65, 4
        if options <= 5:  # e.g. origin airports
            return 0.3, 1
        return (0.1 if dense else 0.6), 5  # e.g. destinations

    def inputs(self, s: dict) -> list:
        """The callback's inputs as the browser sends them (pattern inputs are lists)."""
        inputs = [
            [
                {"id": ids.category_filter(c), "property": "value", "value": v}
                for c, v in s["categories"].items()
            ],
            [
                {"id": ids.range_filter(c), "property": "value", "value": v}
                for c, v in s["ranges"].items()
            ],
        ]
        if self.dates:
            start, end = s["dates"]
            inputs += [
                {"id": ids.DATE_RANGE, "property": "start_date", "value": start},
                {"id": ids.DATE_RANGE, "property": "end_date", "value": end},
            ]
        if self.bins:
            inputs.append(
                {"id": ids.BINS_COLUMN, "property": "value", "value": s["bins"]}
            )
        if self.missing is not None:
            inputs.append(
                {"id": ids.MISSING_FILTER, "property": "value", "value": s["missing"]}
            )
        return inputs

    @staticmethod
    def changed(previous: dict | None, s: dict) -> list[str]:
        """changedPropIds: the filters that differ from the previous request's."""
        if previous is None:
            return []
        out = [
            pattern_key(ids.category_filter(c), "value")
            for c, v in s["categories"].items()
            if previous["categories"].get(c) != v
        ]
        out += [
            pattern_key(ids.range_filter(c), "value")
            for c, v in s["ranges"].items()
            if previous["ranges"].get(c) != v
        ]
        if s["dates"] and previous["dates"] != s["dates"]:
            out += [f"{ids.DATE_RANGE}.start_date", f"{ids.DATE_RANGE}.end_date"]
        if s["bins"] != previous["bins"]:
            out.append(f"{ids.BINS_COLUMN}.value")
        if s.get("missing") != previous.get("missing"):
            out.append(f"{ids.MISSING_FILTER}.value")
        return out


def random_range(rng: random.Random, lo: float, hi: float) -> list:
    """A random sub-range: whole numbers when the bounds are, else rounded to 0.01."""
    if float(lo).is_integer() and float(hi).is_integer() and hi - lo >= 2:
        a = rng.randint(int(lo), int(hi) - 1)
        return [a, rng.randint(a + 1, int(hi))]
    a = rng.uniform(lo, lo + (hi - lo) * 0.6)
    return [round(a, 2), round(rng.uniform(a, hi), 2)]


def random_dates(rng: random.Random, first: str, last: str) -> list[str]:
    """A random window of 7 to 200 days within [first, last] (ISO dates)."""
    day0 = dt.date.fromisoformat(first[:10])
    span = (dt.date.fromisoformat(last[:10]) - day0).days
    start = rng.randint(0, max(span - 1, 0))
    end = min(span, start + rng.randint(7, 200))
    return [(day0 + dt.timedelta(days=d)).isoformat() for d in (start, end)]
