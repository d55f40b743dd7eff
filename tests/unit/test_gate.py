"""The promotion gate's decision table: a candidate that loses is never promoted."""

from __future__ import annotations

import pytest

from data.spec_sections import Gate
from model.gate import KEPT, PROMOTED, decide, side_by_side

CHAMPION = {"auc": 0.690, "brier": 0.150, "log_loss": 0.49, "rows": 1000}
GATE = Gate(margin=0.002, tolerance=0.001)


@pytest.mark.parametrize(
    ("candidate", "promote", "words"),
    [
        ({"auc": 0.695, "brier": 0.150}, True, "auc better by +0.0050"),
        ({"auc": 0.695, "brier": 0.1509}, True, "calibration within 0.001"),
        ({"auc": 0.691, "brier": 0.140}, False, "not better by more than the margin"),
        ({"auc": 0.692, "brier": 0.140}, False, "not better by more than the margin"),
        ({"auc": 0.680, "brier": 0.140}, False, "(-0.0100)"),
        (
            {"auc": 0.700, "brier": 0.152},
            False,
            "brier 0.1520 vs the champion's 0.1500",
        ),
        ({"brier": 0.140}, False, "auc cannot be computed"),
    ],
)
def test_binary_decision_table(candidate, promote, words):
    verdict = decide("binary", CHAMPION, candidate, GATE)
    assert verdict.promote is promote and not verdict.forced
    assert words in verdict.summary()
    assert verdict.exit_code == (PROMOTED if promote else KEPT)


def test_both_failures_are_said():
    verdict = decide("binary", CHAMPION, {"auc": 0.6, "brier": 0.2}, GATE)
    assert len(verdict.reasons) == 2 and not verdict.promote


def test_without_a_champion_the_candidate_is_promoted():
    verdict = decide("binary", None, {"auc": 0.5}, GATE)
    assert verdict.promote and verdict.reasons == ["there is no champion to beat"]


def test_force_promotes_a_loser_and_says_so():
    verdict = decide("binary", CHAMPION, {"auc": 0.6, "brier": 0.2}, GATE, force=True)
    assert verdict.promote and verdict.forced and verdict.exit_code == PROMOTED
    assert verdict.summary().startswith("forced despite the gate: auc")


def test_force_on_a_winner_is_not_recorded_as_forced():
    verdict = decide("binary", CHAMPION, {"auc": 0.7, "brier": 0.15}, GATE, force=True)
    assert verdict.promote and not verdict.forced


def test_regression_judges_rmse_lower_is_better_without_calibration():
    champion = {"rmse": 50.0, "mae": 40.0, "r2": 0.4}
    better = decide(
        "regression", champion, {"rmse": 49.0, "mae": 41, "r2": 0.41}, Gate()
    )
    worse = decide(
        "regression", champion, {"rmse": 51.0, "mae": 39, "r2": 0.39}, Gate()
    )
    assert better.promote and not worse.promote
    assert [f.metric for f in better.figures] == ["rmse", "mae", "r2"]
    assert better.figures[0].gain == pytest.approx(1.0)


def test_multiclass_judges_macro_auc_and_log_loss():
    champion = {"auc_macro": 0.90, "log_loss": 0.40, "accuracy": 0.8}
    verdict = decide(
        "multiclass", champion, {"auc_macro": 0.95, "log_loss": 0.45}, Gate()
    )
    assert not verdict.promote and "log_loss" in verdict.summary()


def test_the_figures_read_side_by_side():
    verdict = decide("binary", CHAMPION, {"auc": 0.695, "brier": 0.149}, GATE)
    lines = side_by_side(verdict.figures, "v-old", "v-new")
    assert lines[2].split() == ["auc", "0.6900", "0.6950", "0.0050"]
    assert lines[3].split() == ["brier", "0.1500", "0.1490", "0.0010"]
