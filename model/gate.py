"""The promotion gate: a retrained candidate replaces the champion only when it is better.

Better means the primary metric (AUC for classification, RMSE for regression) improves by
more than the spec's `[model.gate] margin`, and calibration (Brier; log loss for
multi-class) is not worse by more than its `tolerance`. Both are measured on the same
holdout. The decision is a pure function of the figures, so its table is tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from data.spec_sections import Gate
from model.evaluate import FACTS, higher_is_better

# The metric the gate judges by, per kind, and whether higher is better.
PRIMARY = {
    "binary": ("auc", True),
    "multiclass": ("auc_macro", True),
    "regression": ("rmse", False),
}
CALIBRATION = {"binary": "brier", "multiclass": "log_loss"}  # lower is better
EPSILON = 1e-9
PROMOTED, KEPT = 0, 3  # exit codes of `python -m model.train` (1: it failed)


@dataclass(frozen=True)
class Figure:
    """One metric of the champion and the candidate on the same holdout."""

    metric: str
    champion: float | None
    candidate: float | None
    higher_is_better: bool

    @property
    def gain(self) -> float | None:
        """How much better the candidate is (negative: worse), in the metric's units."""
        if self.champion is None or self.candidate is None:
            return None
        change = self.candidate - self.champion
        return change if self.higher_is_better else -change


@dataclass(frozen=True)
class Verdict:
    """What the gate decided, why, and the figures it decided on."""

    promote: bool
    reasons: list[str]
    figures: list[Figure] = field(default_factory=list)
    forced: bool = False

    @property
    def exit_code(self) -> int:
        return PROMOTED if self.promote else KEPT

    def summary(self) -> str:
        """One line for the alias history and the job's status."""
        said = "; ".join(self.reasons)
        return f"forced despite the gate: {said}" if self.forced else said


def decide(
    kind: str,
    champion: dict[str, float] | None,
    candidate: dict[str, float],
    gate: Gate,
    force: bool = False,
) -> Verdict:
    """Promote the candidate, or keep it as challenger, by the gate's rules (or `force`)."""
    if champion is None:
        return Verdict(True, ["there is no champion to beat"], [], False)
    figures = _figures(kind, champion, candidate)
    failures = _failures(figures, gate, kind in CALIBRATION)
    if not failures:
        primary = figures[0]
        return Verdict(
            True,
            [
                f"{primary.metric} better by {primary.gain:+.4f} "
                f"(margin {gate.margin:g}), calibration within {gate.tolerance:g}"
            ],
            figures,
        )
    return Verdict(force, failures, figures, forced=force)


def _figures(kind: str, champion: dict, candidate: dict) -> list[Figure]:
    """The primary metric first, then calibration, then every other shared metric."""
    primary, higher = PRIMARY[kind]
    calibration = CALIBRATION.get(kind)
    figures = [Figure(primary, champion.get(primary), candidate.get(primary), higher)]
    if calibration:
        figures.append(
            Figure(
                calibration,
                champion.get(calibration),
                candidate.get(calibration),
                False,
            )
        )
    for metric in candidate:
        if metric not in (primary, calibration, *FACTS) and metric in champion:
            higher = higher_is_better(metric) is True
            figures.append(Figure(metric, champion[metric], candidate[metric], higher))
    return figures


def _failures(figures: list[Figure], gate: Gate, calibrated: bool) -> list[str]:
    """Why the candidate may not replace the champion (empty: it may). Gains within a
    rounding error of the margin or tolerance count as on it."""
    primary, failures = figures[0], []
    if primary.gain is None:
        return [f"{primary.metric} cannot be computed on this holdout for both models"]
    if primary.gain <= gate.margin + EPSILON:
        failures.append(
            f"{primary.metric} {primary.candidate:.4f} vs the champion's "
            f"{primary.champion:.4f} ({shown(primary.gain, sign=True)}) is not better by more "
            f"than the margin {gate.margin:g}"
        )
    calibration = figures[1] if calibrated else None
    if (
        calibration
        and calibration.gain is not None
        and -calibration.gain > gate.tolerance + EPSILON
    ):
        failures.append(
            f"{calibration.metric} {calibration.candidate:.4f} vs the champion's "
            f"{calibration.champion:.4f} is worse by more than the tolerance "
            f"{gate.tolerance:g}"
        )
    return failures


def shown(value: float | None, sign: bool = False) -> str:
    """A figure to 4 decimals, '—' when missing; no '-0.0000' for a change that rounds away."""
    if value is None:
        return "—"
    value = 0.0 if abs(value) < 5e-5 else value
    return f"{value:+.4f}" if sign else f"{value:.4f}"


def side_by_side(figures: list[Figure], champion: str, candidate: str) -> list[str]:
    """The figures as aligned text lines: metric, champion, candidate, gain."""
    lines = [
        f"  champion {champion}, candidate {candidate}, on the same holdout:",
        f"  {'metric':<14}{'champion':>12}{'candidate':>12}{'better by':>12}",
    ]
    for f in figures:
        cells = [shown(f.champion), shown(f.candidate), shown(f.gain)]
        lines.append(f"  {f.metric:<14}" + "".join(f"{c:>12}" for c in cells))
    return lines
