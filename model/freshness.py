"""Is the processed data and the champion still what the spec and the source describe?

At start the app compares the fingerprints recorded at ingest and in the champion's card
with the spec's and the source's now. Auto-build rebuilds what is stale (one function,
`retrain`, so a later gate can stand in front of it); otherwise a model whose features no
longer match the spec is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from config import Settings
from data.ingest import ingest, processed_info, processed_path, source_fingerprint
from data.spec import DatasetSpec
from model.registry import ModelLoadError
from model.train import registry_for, train

log = logging.getLogger("flightdeck.freshness")


@dataclass
class Freshness:
    """Why the processed data and the champion model must be rebuilt (empty: they are fresh)."""

    data: list[str] = field(default_factory=list)
    model: list[str] = field(default_factory=list)
    # Nothing can serve this spec: no version at all, or a champion with other features.
    # (A champion that does not load is not refused here: another version may serve.)
    refuse: bool = False

    @property
    def fresh(self) -> bool:
        return not self.data and not self.model


def _feature_change(card_columns: list[str], spec: DatasetSpec) -> str | None:
    wanted = [f.column for f in spec.features]
    if card_columns == wanted:
        return None
    added = [c for c in wanted if c not in card_columns]
    removed = [c for c in card_columns if c not in wanted]
    words = [
        f"added {', '.join(added)}" if added else "",
        f"removed {', '.join(removed)}" if removed else "",
    ]
    change = "; ".join(w for w in words if w) or "their order changed"
    return f"the spec's features changed since the champion was trained ({change})"


def _model_reasons(settings: Settings, spec: DatasetSpec, source: str, out: Freshness):
    registry = registry_for(settings, spec)
    version = registry.resolve("champion")
    if version is None:
        out.model.append("there is no champion model yet")
        out.refuse = not registry.versions()
        return
    try:
        card = registry.card(version)
    except ModelLoadError as exc:
        out.model.append(str(exc))
        return
    change = _feature_change(card.feature_columns, spec)
    if change:
        out.model.append(change)
        out.refuse = True
    elif card.fingerprints.spec != spec.fingerprint("model"):
        out.model.append("the spec's target, split or [model] settings changed")
    if card.fingerprints.source != source:
        out.model.append("the source data changed since the champion was trained")


def check_freshness(settings: Settings, spec: DatasetSpec) -> Freshness:
    """Compare what was built with what the spec and the source say now."""
    out, path = Freshness(), processed_path(settings, spec)
    source = source_fingerprint(spec)
    info = processed_info(path) if path.is_file() else None
    if not path.is_file():
        out.data.append("there is no processed data yet")
    elif info is None:
        out.data.append("the processed data is from an older Flightdeck")
    elif info.spec_fingerprint != spec.fingerprint("data"):
        out.data.append("the spec's source, target or features changed")
    elif info.source_fingerprint != source:
        out.data.append("the source data changed")
    _model_reasons(settings, spec, source, out)
    return out


def retrain(
    settings: Settings, spec: DatasetSpec, freshness: Freshness, progress=print
) -> str:
    """Rebuild stale data, then train a new champion; returns its version."""
    if freshness.data:
        ingest(settings, spec, progress=progress)
    return train(settings, spec, progress=progress)


def ensure_fresh(settings: Settings, spec: DatasetSpec, progress=print) -> Freshness:
    """Rebuild what is stale when auto-build allows; else refuse a model that cannot serve."""
    freshness = check_freshness(settings, spec)
    if freshness.fresh:
        return freshness
    reasons = "; ".join(freshness.data + freshness.model)
    if settings.auto_build:
        first = not processed_path(settings, spec).is_file() and freshness.refuse
        why = "first run, building the data and the model" if first else reasons
        progress(f"[start] rebuilding '{spec.name}': {why}")
        retrain(settings, spec, freshness, progress)
        return freshness
    if freshness.refuse or not processed_path(settings, spec).is_file():
        raise ModelLoadError(
            f"cannot serve '{spec.name}': {reasons}. Rebuild with `python -m data.ingest` "
            "and `python -m model.train` (or start with FLIGHTDECK_AUTO_BUILD=1)"
        )
    log.warning(
        "serving a model built from other data: %s; retrain with "
        "`python -m model.train`",
        reasons,
    )
    return freshness
