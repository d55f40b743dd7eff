"""Model lifecycle figures: the retrain's wall time, the what-if with and without a
challenger in shadow, and the time from a promote until every gunicorn worker serves it.

`python -m bench.lifecycle` (bench.run runs it too). It works on a throwaway copy of the
home's data and artifacts with its own database, so the real aliases never move.
"""

from __future__ import annotations

import re
import secrets
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import requests

from app import service_maker
from bench.measure import log, pct, timed
from bench.server import HOST, Server, copy_aliases
from bench.table import ratio, render, row, verdict
from bench.whatif import whatif_cases
from config import Settings
from data.db import Database
from data.spec import load_spec
from data.stores import PredictionLog
from model.retrain import retrain
from model.serving import ServingModels
from model.shadow import ShadowScorer
from model.train import registry_for

SWAP_BUDGET_S = 2.0
WHATIF_BUDGET = 1.5  # the what-if may take 1.5x a bare predict_proba (PRODUCT.md)
SHADOW_SHARE = 0.20  # more than this share of that budget: score off the request path


def throwaway_home(real: Settings, folder: Path) -> Settings:
    """The real home's data, artifacts and row scores, with a fresh database and aliases."""
    for part in ("data", "artifacts", "cache"):
        if (real.home / part).is_dir():
            shutil.copytree(real.home / part, folder / part)
    settings = real.with_overrides(home=folder, database_url="", auto_build=False)
    copy_aliases(settings.database, real)
    return settings


def retrain_section(settings: Settings, spec) -> dict:
    """One retrain behind the gate on the default data, and its fit alone."""
    said: list[str] = []
    result = retrain(settings, spec, by="bench", note="bench", progress=said.append)
    fitted = [re.search(r"fitted in ([0-9.]+)s", m) for m in said]
    fit_s = next((float(m.group(1)) for m in fitted if m), None)
    return {
        "wall_s": result.seconds,
        "fit_s": fit_s,
        "outcome": result.outcome,
        "candidate": result.candidate,
        "champion": result.champion,
    }


def _serving(settings, spec, registry, mode: str | None) -> ServingModels:
    prediction_log = PredictionLog(Database(settings.database))
    scorer = ShadowScorer(prediction_log, mode) if mode else None
    return ServingModels(
        registry,
        service_maker(settings, spec, prediction_log),
        poll_s=3600,
        shadow=scorer,
    )


def shadow_section(settings: Settings, spec, other: str, n: int) -> dict:
    """The same what-ifs, interleaved: no challenger, one in the background, one inline."""
    registry = registry_for(settings, spec)
    registry.set_alias("challenger", None, "bench")
    models = {"none": _serving(settings, spec, registry, None)}
    registry.set_alias("challenger", other, "bench", "shadow cost")
    for mode in ("background", "inline"):
        models[mode] = _serving(settings, spec, registry, mode)
    service = models["none"].current()
    bare = getattr(service.pipeline, "predict_proba", None) or service.pipeline.predict
    cases, times = whatif_cases(service), defaultdict(list)
    warmup = 3
    for i in range(n + warmup):
        case = cases[i % len(cases)]
        pieces = {"bare": timed(bare, case.frame)}
        for mode, serving in models.items():
            pieces[mode] = timed(serving.predict, case.raw, source="bench")
        if i >= warmup:
            for piece, ms in pieces.items():
                times[piece].append(ms)
    drained = models["background"].shadow.flush(30)
    out = {piece: pct(values, 50) for piece, values in times.items()}
    out.update(
        n=n,
        answered=n + warmup,
        filled=models["background"].shadow.filled,
        drained=drained,
        inline_filled=models["inline"].shadow.filled,
    )
    return out


def _readyz(base: str) -> dict | None:
    try:
        reply = requests.get(
            base + "/readyz", timeout=2, headers={"Connection": "close"}
        )
        return reply.json()
    except (requests.RequestException, ValueError):
        return None


def swap_section(settings: Settings, spec, to_version: str, workers: int = 2) -> dict:
    """gunicorn with `workers` workers: seconds from a promote until each serves it."""
    argv = [
        *(sys.executable, "-m", "gunicorn", "app:server", "--bind"),
        *(f"{HOST}:{{port}}", "--workers", str(workers), "--no-control-socket"),
    ]
    env = {
        "FLIGHTDECK_HOME": str(settings.home),
        "SECRET_KEY": secrets.token_hex(32),
        "FLIGHTDECK_AUTH": "off",  # /readyz only; no user is needed
    }
    with Server("lifecycle", argv, env) as server:
        server.wait_ready(timeout=180)
        seen: dict[int, float | None] = {}
        deadline = time.monotonic() + 15
        while len(seen) < workers and time.monotonic() < deadline:
            body = _readyz(server.base) or {}
            seen.setdefault(body.get("worker"), None)
        seen.pop(None, None)
        registry_for(settings, spec).set_alias("champion", to_version, "bench")
        promoted = time.monotonic()
        while None in seen.values() and time.monotonic() < promoted + 10:
            body = _readyz(server.base) or {}
            pid = body.get("worker")
            if (
                pid in seen
                and seen[pid] is None
                and body.get("model_version") == to_version
            ):
                seen[pid] = time.monotonic() - promoted
    times = [t for t in seen.values() if t is not None]
    return {
        "workers": len(seen),
        "served": len(times),
        "max_s": max(times) if len(times) == len(seen) and times else None,
        "poll_s": settings.alias_poll_s,
    }


def lifecycle_rows(res: dict) -> list[tuple]:
    """The section's rows for the bench table."""
    rt, sh, sw = res["retrain"], res["shadow"], res["swap"]
    bare, budget = sh["bare"], WHATIF_BUDGET * sh["bare"]
    cost_bg, cost_inline = sh["background"] - sh["none"], sh["inline"] - sh["none"]
    share = f"≤ {SHADOW_SHARE:.0%} of budget ({SHADOW_SHARE * budget:.1f} ms)"
    return [
        row(
            f"Retrain behind the gate, wall time ({rt['outcome']})",
            f"{rt['wall_s']:.1f} s",
            f"its fit alone {rt['fit_s']:.1f} s" if rt["fit_s"] else "—",
            ratio(rt["wall_s"], rt["fit_s"]),
        ),
        row(
            f"What-if in process, no challenger p50 (n={sh['n']})",
            f"{sh['none']:.1f} ms",
            f"bare predict_proba p50 {bare:.1f} ms",
            ratio(sh["none"], bare),
        ),
        row(
            "What-if, challenger in shadow off the request p50",
            f"{sh['background']:.1f} ms",
            f"no challenger {sh['none']:.1f} ms",
            ratio(sh["background"], sh["none"]),
            share,
            verdict(cost_bg <= SHADOW_SHARE * budget),
        ),
        row(
            "What-if, challenger scored in the request p50 (not used)",
            f"{sh['inline']:.1f} ms",
            f"no challenger {sh['none']:.1f} ms",
            ratio(sh["inline"], sh["none"]),
            f"costs {cost_inline:.1f} ms: "
            + ("within" if cost_inline <= SHADOW_SHARE * budget else "over")
            + " 20%, so off the path",
        ),
        row(
            "Shadow answers written (background / inline)",
            f"{sh['filled']} / {sh['inline_filled']}",
            f"of {sh['answered']} each",
            "—",
            "all",
            verdict(sh["filled"] == sh["answered"] == sh["inline_filled"]),
        ),
        row(
            f"Promote → every gunicorn worker serves it ({sw['served']}/{sw['workers']})",
            "—" if sw["max_s"] is None else f"{sw['max_s']:.2f} s",
            f"alias poll interval {sw['poll_s']:.1f} s",
            ratio(sw["max_s"], sw["poll_s"]),
            f"≤ {SWAP_BUDGET_S:.0f} s",
            verdict(sw["max_s"] is not None and sw["max_s"] <= SWAP_BUDGET_S),
        ),
    ]


def run_lifecycle(real: Settings | None = None, n: int = 60) -> dict:
    """All three measurements on a throwaway copy of the home."""
    real = real or Settings.from_env()
    spec = load_spec(real.spec_path)
    with tempfile.TemporaryDirectory(prefix="flightdeck-lifecycle-") as folder:
        settings = throwaway_home(real, Path(folder))
        log("lifecycle: retraining behind the gate on the default data")
        res = {"retrain": retrain_section(settings, spec)}
        registry = registry_for(settings, spec)
        champion = registry.resolve("champion")
        other = res["retrain"]["candidate"]
        if other == champion:
            other = res["retrain"]["champion"]
        log(f"lifecycle: {n} what-ifs, with and without {other} in shadow")
        res["shadow"] = shadow_section(settings, spec, other, n)
        log("lifecycle: a promote under gunicorn with 2 workers")
        res["swap"] = swap_section(settings, spec, other)
    res["rows"] = lifecycle_rows(res)
    return res


if __name__ == "__main__":
    print(render(run_lifecycle()["rows"]))
