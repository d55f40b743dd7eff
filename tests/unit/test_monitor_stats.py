"""Monitoring statistics on binned counts agree with scipy and scikit-learn on raw data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from monitor.stats import (
    DRIFT_COLUMNS,
    EXACT_KS_MAX_N,
    FeatureDrift,
    adjust,
    auc_interval,
    binned_auc,
    cbpe,
    chi2_binned,
    drift_table,
    ks_binned,
    psi,
    wilson,
)


def _counts(values: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(values, minlength=k).astype(float)


def test_psi_known_case():
    expected = 0.2 * math.log(0.7 / 0.5) + 0.2 * math.log(0.5 / 0.3)
    assert psi([0.5, 0.5], [30, 70]) == pytest.approx(expected)
    assert psi([0.25] * 4, [10, 10, 10, 10]) == pytest.approx(0.0)


def test_psi_floors_empty_bins_and_is_nan_without_live_rows():
    floored = 0.5 * math.log(0.5 / 1.0) * -1 + (0.5 - 1e-4) * math.log(0.5 / 1e-4)
    assert psi([1.0, 0.0], [50, 50]) == pytest.approx(floored)
    assert math.isfinite(psi([0.5, 0.5], [100, 0]))
    assert math.isnan(psi([0.5, 0.5], [0, 0]))


@pytest.mark.parametrize("shift", [0, 1])
def test_ks_binned_equals_ks_2samp_on_bin_values(shift):
    rng = np.random.default_rng(shift)
    reference = rng.binomial(9, 0.4, size=3000)
    live = np.clip(
        rng.binomial(9, 0.4, size=700) + shift * rng.integers(0, 2, 700), 0, 9
    )
    share = _counts(reference, 10) / reference.size
    statistic, p_value = ks_binned(share, reference.size, _counts(live, 10))
    expected = stats.ks_2samp(reference, live, method="asymp")
    assert statistic == pytest.approx(expected.statistic, abs=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
    assert (p_value < 1e-6) is bool(shift)


def test_ks_binned_p_value_stays_close_to_scipy_beyond_the_exact_range():
    reference_n, live_n = 60_000, 40_000  # effective n 24,000 > EXACT_KS_MAX_N
    effective_n = round(reference_n * live_n / (reference_n + live_n))
    assert effective_n > EXACT_KS_MAX_N
    for gap in (0.005, 0.01, 0.02):
        live = np.array([0.5 + gap, 0.5 - gap]) * live_n
        statistic, p_value = ks_binned([0.5, 0.5], reference_n, live)
        assert statistic == pytest.approx(gap)
        exact = stats.kstwo.sf(gap, effective_n)
        assert p_value == pytest.approx(exact, rel=0.05)


def test_ks_binned_without_live_rows_is_nan():
    assert all(math.isnan(x) for x in ks_binned([0.5, 0.5], 100, [0, 0]))


@pytest.mark.parametrize("k", [2, 5])
def test_chi2_binned_equals_chi2_contingency_on_raw_rows(k):
    rng = np.random.default_rng(k)
    reference = rng.choice(
        k, size=2000, p=np.linspace(1, 2, k) / np.linspace(1, 2, k).sum()
    )
    live = rng.choice(k, size=500)
    rows = pd.DataFrame(
        {
            "sample": ["ref"] * reference.size + ["live"] * live.size,
            "value": np.concatenate([reference, live]),
        }
    )
    expected = stats.chi2_contingency(pd.crosstab(rows["sample"], rows["value"]))
    share = _counts(reference, k) / reference.size
    statistic, p_value = chi2_binned(share, reference.size, _counts(live, k))
    assert statistic == pytest.approx(expected.statistic)
    assert p_value == pytest.approx(expected.pvalue)


def test_chi2_binned_drops_bins_empty_in_both():
    with_empty = chi2_binned([0.5, 0.0, 0.5], 400, [60, 0, 40])
    without = chi2_binned([0.5, 0.5], 400, [60, 40])
    assert with_empty == pytest.approx(without)
    assert chi2_binned([1.0, 0.0], 400, [50, 0]) == (0.0, 1.0)


def test_adjust_is_benjamini_hochberg_with_nans_left_out():
    p = np.array([0.001, np.nan, 0.04, 0.03, np.nan, 0.5, 0.011])
    adjusted = adjust(p)
    finite = ~np.isnan(p)
    assert np.isnan(adjusted[~finite]).all()
    np.testing.assert_allclose(
        adjusted[finite], stats.false_discovery_control(p[finite], method="bh")
    )
    assert adjusted[0] == pytest.approx(0.001 * 5 / 1)
    assert np.isnan(adjust([np.nan, np.nan])).all()


REFERENCE = np.array([0.1, 0.2, 0.4, 0.2, 0.1])


def _feature(
    column: str, live_share, n: int, kind: str = "number", reference_n: int = 50_000
) -> FeatureDrift:
    live = np.round(np.asarray(live_share) * n)
    bins = [f"bin {i}" for i in range(len(REFERENCE))]
    return FeatureDrift(
        column, column.title(), kind, bins, REFERENCE, reference_n, live
    )


def test_drift_table_flags_a_real_shift_but_not_small_n_or_tiny_shifts():
    shifted = [0.3, 0.3, 0.2, 0.1, 0.1]
    tiny = [0.105, 0.2, 0.395, 0.2, 0.1]
    table = drift_table(
        [
            _feature("small", shifted, 20),
            _feature("tiny", tiny, 2_000_000, reference_n=2_000_000),
            _feature("shift", shifted, 2000, kind="category"),
            _feature("borderline", [0.2, 0.25, 0.3, 0.15, 0.1], 40),
        ],
        min_n=30,
    )
    assert list(table.columns) == DRIFT_COLUMNS
    rows = table.set_index("feature")
    assert rows.loc["shift", ["severity", "test"]].tolist() == ["major", "χ²"]
    assert rows.loc["shift", "flagged"]
    assert rows.loc["small", "severity"] == "too few"
    assert math.isnan(rows.loc["small", "p_value"]) and not rows.loc["small", "flagged"]
    # huge n: significant, yet the PSI is too small to matter
    assert rows.loc["tiny", "p_adjusted"] < 0.01 and rows.loc["tiny", "psi"] < 0.1
    assert rows.loc["tiny", "severity"] == "stable"
    # a PSI above `moderate` that the test cannot tell from noise
    assert rows.loc["borderline", "psi"] >= 0.1
    assert rows.loc["borderline", "p_adjusted"] >= 0.01
    assert not rows.loc["borderline", "flagged"]
    assert table["feature"].tolist() == ["shift", "borderline", "tiny", "small"]


def test_drift_table_moderate_and_psi_order():
    mild = [0.2, 0.25, 0.3, 0.15, 0.1]
    strong = [0.22, 0.25, 0.3, 0.13, 0.1]
    table = drift_table(
        [_feature("mild", mild, 5000), _feature("strong", strong, 5000)], min_n=200
    )
    assert table["severity"].tolist() == ["moderate", "moderate"]
    assert table["psi"].is_monotonic_decreasing
    assert table["feature"].tolist() == ["strong", "mild"]
    assert table.loc[0, "test"] == "KS" and table["flagged"].all()
    assert drift_table([], min_n=10).columns.tolist() == DRIFT_COLUMNS


def test_binned_auc_equals_sklearn_on_binned_scores():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 5000)
    score = np.clip(rng.binomial(9, 0.3 + 0.2 * y), 0, 9)
    auc = binned_auc(_counts(score[y == 1], 10), _counts(score[y == 0], 10))
    assert auc == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    assert math.isnan(binned_auc([0, 0], [3, 4]))


def test_binned_auc_is_close_on_fine_bins_of_continuous_scores():
    rng = np.random.default_rng(4)
    p = rng.beta(2, 5, 20_000)
    y = rng.random(p.size) < p
    bins = np.minimum((p * 100).astype(int), 99)
    auc = binned_auc(_counts(bins[y], 100), _counts(bins[~y], 100))
    assert abs(auc - roc_auc_score(y, p)) < 0.005


def _calibrated_aggregates(seed: int, rows: int = 20_000):
    rng = np.random.default_rng(seed)
    p = rng.beta(2, 5, rows)
    y = (rng.random(rows) < p).astype(float)
    bins = np.minimum((p / 0.02).astype(int), 49)
    n = np.bincount(bins, minlength=50).astype(float)
    p_sum = np.bincount(bins, weights=p, minlength=50)
    p2_sum = np.bincount(bins, weights=p**2, minlength=50)
    return p, y, (n, p_sum, p2_sum, p_sum)


def test_cbpe_covers_the_realized_auc_on_calibrated_data():
    covered = {"auc": 0, "brier": 0, "positive_rate": 0}
    seeds = range(40)
    for seed in seeds:
        p, y, aggregates = _calibrated_aggregates(seed)
        estimate = cbpe(*aggregates, seed=seed)
        realized = {
            "auc": roc_auc_score(y, p),
            "brier": float(np.mean((p - y) ** 2)),
            "positive_rate": float(y.mean()),
        }
        assert abs(estimate["auc"].value - realized["auc"]) < 0.01
        for name, value in realized.items():
            covered[name] += estimate[name].low <= value <= estimate[name].high
    assert all(count >= 0.9 * len(seeds) for count in covered.values()), covered


def test_cbpe_interval_is_reproducible_and_narrows_with_more_rows():
    _, _, small = _calibrated_aggregates(0, rows=2_000)
    _, _, large = _calibrated_aggregates(0, rows=50_000)
    first, again = cbpe(*small, seed=7), cbpe(*small, seed=7)
    assert first == again
    width = {k: v.high - v.low for k, v in first.items()}
    assert all(v.low <= v.value <= v.high for v in first.values())
    assert all(v.high - v.low < width[k] / 3 for k, v in cbpe(*large, seed=7).items())
    empty = cbpe([0, 0], [0, 0], [0, 0], [0, 0])
    assert math.isnan(empty["auc"].value) and math.isnan(empty["brier"].high)


def test_wilson_known_values_and_edges():
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    low, high = wilson(0, 20)
    assert low == 0.0 and 0.0 < high < 0.2
    assert wilson(20, 20)[1] == 1.0
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_auc_interval_hanley_mcneil():
    auc, n_pos, n_neg = 0.8, 50, 100
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2)
    variance += (n_neg - 1) * (q2 - auc**2)
    half = 1.959964 * math.sqrt(variance / (n_pos * n_neg))
    assert auc_interval(auc, n_pos, n_neg) == pytest.approx(
        (auc - half, auc + half), abs=1e-6
    )
    assert auc_interval(0.99, 5, 5)[1] == 1.0
    assert all(math.isnan(x) for x in auc_interval(0.8, 0, 10))
    assert all(math.isnan(x) for x in auc_interval(float("nan"), 10, 10))
