"""Two model versions side by side: holdout metrics with their difference, and what changed.

Pure functions of two typed cards (no Dash, no unpickling), so the Model page's compare view
and its tests read the same answers. A is the reference (usually the champion), B the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from data.inputs import shorten
from model.card import ModelCard
from model.evaluate import FACTS, PRIMARY, higher_is_better
from model.registry import ModelLoadError, Registry

SAME = 1e-9


class CompareError(ValueError):
    """The two picks cannot be compared; the message says why, in words."""


@dataclass(frozen=True)
class MetricChange:
    """One holdout metric of A and B, and B − A."""

    metric: str
    a: float | None
    b: float | None
    higher_is_better: bool | None
    headline: bool = False

    @property
    def difference(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def verdict(self) -> str | None:
        """'better', 'worse' or 'same' for B against A; None when it cannot be judged."""
        change = self.difference
        if change is None or self.higher_is_better is None:
            return None
        gain = change if self.higher_is_better else -change
        return "same" if abs(gain) <= SAME else "better" if gain > 0 else "worse"


@dataclass(frozen=True)
class Change:
    """One thing recorded differently in the two cards: where, what, A's and B's value."""

    area: str
    item: str
    a: str
    b: str


@dataclass(frozen=True)
class Comparison:
    """Everything the compare view shows about versions A and B."""

    a: ModelCard
    b: ModelCard
    metrics: list[MetricChange]
    changes: list[Change]
    notes: list[str] = field(default_factory=list)

    @property
    def same_kind(self) -> bool:
        return self.a.kind == self.b.kind


def compare_versions(a: ModelCard, b: ModelCard) -> Comparison:
    """Compare two cards: metrics (headline first), changes, and cautions in words."""
    return Comparison(a, b, metric_changes(a, b), changes(a, b), _notes(a, b))


def metric_changes(a: ModelCard, b: ModelCard) -> list[MetricChange]:
    """Every holdout metric either card has: the headline, the rest, then the facts."""
    scores_a, scores_b = a.metrics["model"].holdout, b.metrics["model"].holdout
    headline = PRIMARY[a.kind][0] if a.kind == b.kind else None
    names = list(dict.fromkeys([*scores_a, *scores_b]))
    ordered = sorted(
        names,
        key=lambda m: (m != headline, m in FACTS, FACTS.index(m) if m in FACTS else 0),
    )
    return [
        MetricChange(
            m, scores_a.get(m), scores_b.get(m), higher_is_better(m), m == headline
        )
        for m in ordered
    ]


def _shown(value) -> str:
    return "—" if value is None or value == "" else str(value)


def _pairs(area: str, a: dict, b: dict) -> list[Change]:
    """A Change for each key whose value differs (or is only on one side)."""
    return [
        Change(area, key, _shown(a.get(key)), _shown(b.get(key)))
        for key in dict.fromkeys([*a, *b])
        if a.get(key) != b.get(key)
    ]


def feature_changes(a: ModelCard, b: ModelCard) -> list[Change]:
    """Features added, removed, or of another kind (category or number)."""
    kinds_a = {f.column: f.kind for f in a.features}
    kinds_b = {f.column: f.kind for f in b.features}
    found = [
        Change("Features", c, kinds_a[c], "removed")
        for c in kinds_a
        if c not in kinds_b
    ]
    found += [
        Change("Features", c, "absent", kinds_b[c]) for c in kinds_b if c not in kinds_a
    ]
    found += [
        Change("Features", c, kinds_a[c], kinds_b[c])
        for c in kinds_a
        if c in kinds_b and kinds_a[c] != kinds_b[c]
    ]
    return found


def model_changes(a: ModelCard, b: ModelCard) -> list[Change]:
    """Task, target, classes, estimator, origin, parameters and baseline that differ."""
    return _pairs("Model", _model_facts(a), _model_facts(b))


def _model_facts(card: ModelCard) -> dict:
    facts = {
        "task": card.kind,
        "target": card.target,
        "classes": ", ".join(card.classes),
        "estimator": card.model.estimator,
        "origin": card.model.origin,
        "baseline": card.baseline.kind if card.baseline else None,
    }
    return facts | {f"param {k}": v for k, v in card.model.params.items()}


def _window(part) -> str | None:
    return f"{part.start} → {part.end}" if part.start else None


def data_changes(a: ModelCard, b: ModelCard) -> list[Change]:
    """Data fingerprint, spec and source fingerprints, rows and each split's window."""

    def facts(card: ModelCard) -> dict:
        found = {
            "data fingerprint": card.dataset.fingerprint[:12],
            "spec fingerprint": card.fingerprints.spec[:12],
            "source file fingerprint": card.fingerprints.source[:12],
            "rows": f"{card.dataset.rows:,}",
        }
        for name, part in card.dataset.split.items():
            found[f"{name} rows"] = f"{part.rows:,}"
            found[f"{name} window"] = _window(part)
        return found

    return _pairs("Data", facts(a), facts(b))


def changes(a: ModelCard, b: ModelCard) -> list[Change]:
    """What is recorded differently: features, model, data, then libraries."""
    return (
        feature_changes(a, b)
        + model_changes(a, b)
        + data_changes(a, b)
        + _pairs("Libraries", a.libraries, b.libraries)
    )


def _notes(a: ModelCard, b: ModelCard) -> list[str]:
    """Cautions for reading the metrics side by side."""
    notes = []
    if a.kind != b.kind:
        notes.append(
            f"A is a {a.kind} model and B a {b.kind} one: only the metrics both "
            "have are compared, and no curves."
        )
    holdout_a, holdout_b = (
        a.dataset.split.get("holdout"),
        b.dataset.split.get("holdout"),
    )
    same_rows = (
        holdout_a == holdout_b and a.dataset.fingerprint == b.dataset.fingerprint
    )
    if not same_rows:
        notes.append(
            "The two holdouts are not the same rows (other data or another split): "
            "the differences mix the models with the data."
        )
    return notes


def checked_pick(value, versions: Sequence[str], side: str) -> str:
    """The picked version if it is one of `versions`; else CompareError, in words."""
    if value is None or value == "":
        raise CompareError(f"Pick a version for {side}.")
    if not isinstance(value, str) or value not in versions:
        raise CompareError(
            f"{side}: there is no version {shorten(value, 60)!r}; pick one from the list."
        )
    return value


def compare_picks(registry: Registry, pick_a, pick_b) -> Comparison:
    """Check both picks against the registry, read both cards, and compare them."""
    versions = registry.versions()
    if len(versions) < 2:
        raise CompareError(
            "Only one version so far: train another (python -m model.train, or "
            "Retrain on this page) to compare two."
        )
    a = checked_pick(pick_a, versions, "A")
    b = checked_pick(pick_b, versions, "B")
    if a == b:
        raise CompareError(
            f"A and B are both {a}: pick two different versions to compare."
        )
    return compare_versions(_read_card(registry, a), _read_card(registry, b))


def _read_card(registry: Registry, version: str) -> ModelCard:
    """The version's card, or CompareError saying why it cannot be read."""
    try:
        return registry.card(version)
    except ModelLoadError as exc:
        raise CompareError(f"Cannot compare: {exc}.") from None
    except (OSError, ValueError) as exc:  # unreadable file, not UTF-8
        raise CompareError(
            f"Cannot compare: the card of {version} cannot be read "
            f"({type(exc).__name__})."
        ) from None


def default_pair(
    versions: Sequence[str], aliases: dict[str, str]
) -> tuple[str | None, str | None]:
    """A: the champion (else the newest); B: the challenger, else the newest other one."""
    newest_first = sorted(versions, reverse=True)
    a = aliases.get("champion")
    a = a if a in newest_first else (newest_first[0] if newest_first else None)
    b = aliases.get("challenger")
    if b not in newest_first or b == a:
        b = next((v for v in newest_first if v != a), None)
    return a, b
