"""A model that follows its spec: edits and new source data are noticed at start.

Auto-build rebuilds and says why; without it, a model whose features no longer match the
spec is refused, and a spec mistake stops everything before any work.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app import build_context
from config import Settings
from data.ingest import processed_path
from data.spec_errors import SpecError
from model.freshness import check_freshness
from model.registry import ModelLoadError

SPEC = """
name = "plans"
title = "Plans"
[source]
path = "plans.csv"
[target]
column = "churned"
positive = "yes"
[filters]
categories = ["plan"]
[[features]]
column = "plan"
kind = "category"
[[features]]
column = "tenure"
[[features]]
column = "leak"
"""


def _frame(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 60, rows)
    churned = rng.random(rows) < 1 / (1 + np.exp((tenure - 20) / 8))
    return pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro"], rows),
            "tenure": tenure,
            "leak": churned.astype(int),
            "churned": np.where(churned, "yes", "no"),
        }
    )


@pytest.fixture()
def project(tmp_path):
    _frame().to_csv(tmp_path / "plans.csv", index=False)
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    settings = Settings(spec_path=spec, home=tmp_path / "home", auto_build=True)
    messages: list[str] = []
    build_context(settings, progress=messages.append)
    return settings, spec, messages


def test_first_start_builds_and_states_the_positive_class(project):
    settings, _, messages = project
    text = "\n".join(messages)
    assert "first run, building the data and the model" in text
    assert "positive class: 'yes' (set in the spec)" in text


def test_removed_features_are_refused_without_auto_build(project):
    settings, spec, _ = project
    spec.write_text(SPEC.replace('[[features]]\ncolumn = "leak"\n', ""))
    with pytest.raises(ModelLoadError, match="removed leak"):
        build_context(settings.with_overrides(auto_build=False), progress=print)


def test_removed_features_retrain_with_auto_build(project):
    settings, spec, _ = project
    spec.write_text(SPEC.replace('[[features]]\ncolumn = "leak"\n', ""))
    messages: list[str] = []
    ctx = build_context(settings, progress=messages.append)
    assert any("removed leak" in m and "rebuilding" in m for m in messages)
    assert ctx.service.columns == ["plan", "tenure"]
    assert check_freshness(settings, ctx.spec).fresh


def test_a_new_source_file_is_noticed(project):
    settings, spec, _ = project
    _frame(seed=1).to_csv(spec.parent / "plans.csv", index=False)
    stale = check_freshness(
        settings,
        build_context(
            settings.with_overrides(auto_build=False), progress=lambda _: None
        ).spec,
    )
    assert "the source data changed" in stale.data
    assert not stale.refuse  # same features: served, with a warning in the log
    messages: list[str] = []
    build_context(settings, progress=messages.append)
    assert any("the source data changed" in m for m in messages)


def test_a_new_title_rebuilds_nothing(project):
    settings, spec, _ = project
    spec.write_text(SPEC.replace('title = "Plans"', 'title = "Plans and churn"'))
    messages: list[str] = []
    ctx = build_context(settings, progress=messages.append)
    assert not any("rebuilding" in m for m in messages)
    assert ctx.spec.title == "Plans and churn"


def test_spec_mistakes_stop_before_any_work(tmp_path):
    _frame().to_csv(tmp_path / "plans.csv", index=False)
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace('categories = ["plan"]', 'categories = ["plann"]'))
    settings = Settings(spec_path=spec, home=tmp_path / "home", auto_build=True)
    with pytest.raises(SpecError, match="did you mean `plan`"):
        build_context(settings, progress=print)
    assert not (tmp_path / "home").exists() or not any(
        (tmp_path / "home").rglob("*.joblib")
    )
    from data.spec import load_spec

    assert not processed_path(settings, load_spec(spec)).exists()
