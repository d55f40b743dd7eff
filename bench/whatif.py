"""The what-if (Predict) callback through HTTP, paired with a bare predict_proba of its row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import cycle, islice

import pandas as pd

from bench.dash_client import DashClient, pattern_key
from bench.measure import WARMUP, CappedLoop, largest_figure, pct, timed
from components import ids

SOURCE = "bench"  # the prediction log's `source` for rows the bench writes


@dataclass(frozen=True)
class WhatIfCase:
    """One form submission: the raw inputs, and the same row validated and as a frame."""

    raw: dict
    clean: dict
    frame: pd.DataFrame


def whatif_cases(service) -> list[WhatIfCase]:
    """The service's default inputs with the what-if feature swept over its values."""
    defaults = {
        c: (v.item() if hasattr(v, "item") else v)
        for c, v in service.defaults().items()
    }
    feature = service.whatif_feature
    values = [int(v) for v in service.whatif_values()] if feature else [None]
    cases = []
    for value in values:
        raw = dict(defaults, **({feature: value} if feature else {}))
        clean, _ = service.validate(raw)
        cases.append(WhatIfCase(raw, clean, service.frame([clean])))
    return cases


class PredictRequests:
    """Posts the Predict form as the browser does, inputs in layout order."""

    def __init__(self, client: DashClient, service):
        self.client = client
        self.dep = client.callback(f"{ids.PREDICT_RESULT}.children")
        self.columns = [
            ident["column"]
            for _, ident, _ in client.layout("/predict")
            if isinstance(ident, dict) and ident.get("type") == ids.PREDICT_INPUT
        ] or service.columns
        changed = service.whatif_feature or self.columns[0]
        self.changed = [pattern_key(ids.predict_input(changed), "value")]

    def inputs(self, raw: dict) -> list:
        return [
            [
                {"id": ids.predict_input(c), "property": "value", "value": raw[c]}
                for c in self.columns
            ]
        ]

    def body(self, raw: dict) -> dict:
        """The callback request's JSON body for these form values."""
        return self.client.body(self.dep, self.inputs(raw), self.changed)

    def send(self, raw: dict):
        return self.client.post(self.dep, self.inputs(raw), self.changed)


class InProcess:
    """What the server does for one what-if, timed in this process, in three pieces."""

    def __init__(self, ctx):
        self.ctx, self.service = ctx, ctx.service
        pipeline = self.service.pipeline
        self.bare = getattr(pipeline, "predict_proba", None) or pipeline.predict

    def bare_ms(self, case: WhatIfCase) -> float:
        """The baseline: predict_proba of the same single row."""
        return timed(self.bare, case.frame)

    def service_ms(self, case: WhatIfCase) -> float:
        """service.predict: the row, its effects and what-if rows, and the log write."""
        return timed(self.service.predict, case.raw, source=SOURCE)

    def log_write_ms(self, case: WhatIfCase) -> float:
        """The prediction log write alone, as service.predict makes it."""
        service = self.service
        return timed(
            self.ctx.log.record,
            source=SOURCE,
            model_version=service.version,
            model_sha256=service.card.sha256,
            inputs=case.clean,
            output=0.5,
            latency_ms=0.0,
        )

    def all_ms(self, case: WhatIfCase) -> dict[str, float]:
        return {
            "bare": self.bare_ms(case),
            "service": self.service_ms(case),
            "log": self.log_write_ms(case),
        }


def check_predict_response(response, case: WhatIfCase, problems: list) -> dict | None:
    """The response's outputs, or None (and a problem recorded) when it is not an answer."""
    if response.status_code != 200:
        problems.append(f"predict HTTP {response.status_code} for {case.raw}")
        return None
    body = response.json()["response"]
    if not body.get(ids.PREDICT_RESULT, {}).get("children"):
        problems.append(f"predict: no result for {case.raw}")
    return body


def predict_http(client: DashClient, ctx, n: int, cap: float) -> dict:
    """n what-ifs through HTTP, each followed by its in-process pieces (same load)."""
    sender, local = PredictRequests(client, ctx.service), InProcess(ctx)
    cases = whatif_cases(ctx.service)
    for case in cases[:WARMUP]:
        sender.send(case.raw)
        local.all_ms(case)
    loop, times, sizes, figure = CappedLoop(cap), defaultdict(list), [], (0.0, "")
    for case in loop.over(islice(cycle(cases), n)):
        elapsed, response = sender.send(case.raw)
        for piece, ms in local.all_ms(case).items():
            times[piece].append(ms)
        body = check_predict_response(response, case, loop.problems)
        if body is None:  # failed requests are counted as errors, not timed
            continue
        times["http"].append(elapsed)
        sizes.append(len(response.content) / 1024)
        figure = largest_figure(body, figure)
    return summary(loop, times, sizes, figure, rows_per_predict(ctx.service))


def rows_per_predict(service) -> int:
    """Rows one service.predict scores: the row, then its variations."""
    return 1 + sum(len(values) for _, values in service.variations()[0])


def summary(loop, times: dict, sizes: list, figure: tuple, rows: int) -> dict:
    return {
        "n": len(times["http"]),
        "attempted": loop.attempted,
        "p50": pct(times["http"], 50),
        "p95": pct(times["http"], 95),
        "bare_p50": pct(times["bare"], 50),
        "bare_p95": pct(times["bare"], 95),
        "service_predict_p50": pct(times["service"], 50),
        "log_write_p50": pct(times["log"], 50),
        "log_write_p95": pct(times["log"], 95),
        "rows_per_predict": rows,
        "response_kb_max": max(sizes, default=0.0),
        "largest_figure_kb": figure[0],
        "largest_figure": figure[1],
        "problems": loop.problems,
    }
