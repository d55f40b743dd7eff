"""`python -m data.spec`: check a spec against its data (exit 0 / 1, never a traceback)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from config import ROOT
from data.examples import FRAMES, write_examples
from data.spec import json_schema

EXAMPLE_NAMES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/spec.toml"))


def run_spec(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": "."}
    return subprocess.run(
        [sys.executable, "-m", "data.spec", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """The example CSVs in a tmp folder, each spec copied next to its CSV."""
    folder = tmp_path_factory.mktemp("examples")
    write_examples(folder)
    for name in EXAMPLE_NAMES:
        shutil.copy(ROOT / "examples" / name / "spec.toml", folder / name / "spec.toml")
    return folder


def test_every_example_has_a_spec_and_a_frame():
    assert EXAMPLE_NAMES == sorted(FRAMES) == ["breast_cancer", "diabetes", "iris"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_check_passes_for_each_example(examples, name):
    spec = examples / name / "spec.toml"
    result = run_spec("check", spec)
    assert result.returncode == 0, result.stderr
    task = "regression" if name == "diabetes" else "classification"
    assert result.stdout.startswith(f"spec {spec}: ok: {task}")
    assert f"source {name}.csv" in result.stdout
    assert result.stderr == ""


def _broken(examples, name: str, old: str, new: str):
    text = (examples / name / "spec.toml").read_text(encoding="utf-8")
    assert old in text
    path = examples / name / f"broken-{hashlib.sha1(new.encode()).hexdigest()[:8]}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name, old, new, words",
    [
        (
            "diabetes",
            'bin_columns = ["bmi", "bp", "age"]',
            'bin_columns = ["bmj", "bp", "age"]',
            "[overview] bin_columns: 'bmj' is not a column of diabetes.csv; "
            "did you mean `bmi`?",
        ),
        (
            "breast_cancer",
            'positive = "malignant"',
            'positive = "malignent"',
            "[target] positive: 'malignent' is not a value of 'diagnosis' "
            "(its values: 'benign', 'malignant'); did you mean `malignant`?",
        ),
        (
            "breast_cancer",
            'positive = "malignant"',
            'positive_label = "malignant"',
            "unknown key `positive_label` in [target]; did you mean `positive`?",
        ),
        (
            "iris",
            "[filters]",
            "[filter]",
            "unknown section [filter]; did you mean [filters]?",
        ),
        (
            "iris",
            'label = "Species"\n',
            'label = "Species"\npositive = "setosa"\n',
            "[target] positive is for two classes; 'species' has 3",
        ),
        (
            "diabetes",
            'estimator = "hist_gradient_boosting"',
            'estimator = "logistic_regression"',
            "'logistic_regression' cannot predict a number",
        ),
    ],
    ids=[
        "column typo",
        "positive typo",
        "old key",
        "section typo",
        "positive on 3",
        "logreg",
    ],
)
def test_check_fails_with_the_field_and_a_suggestion(examples, name, old, new, words):
    path = _broken(examples, name, old, new)
    result = run_spec("check", path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"spec {path}: 1 problem(s)")
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_check_of_a_missing_spec_file_exits_1_without_traceback(tmp_path):
    result = run_spec("check", tmp_path / "nope.toml")
    assert result.returncode == 1
    assert "the spec file is not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_of_invalid_toml_exits_1_without_traceback(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n[source\n', encoding="utf-8")
    result = run_spec("check", path)
    assert result.returncode == 1
    assert "not valid TOML" in result.stderr and "Traceback" not in result.stderr


def test_check_with_a_missing_data_file_exits_1(tmp_path):
    shutil.copy(ROOT / "examples" / "iris" / "spec.toml", tmp_path / "spec.toml")
    result = run_spec("check", tmp_path / "spec.toml")
    assert result.returncode == 1
    assert (
        f"[source] path: no file at {tmp_path.resolve() / 'iris.csv'}" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_schema_prints_the_json_schema():
    result = run_spec("schema")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == json_schema()
    assert printed["title"] == "Flightdeck dataset spec"
    assert "positive" in printed["$defs"]["Target"]["properties"]


def test_schema_out_writes_the_committed_file(tmp_path):
    out = tmp_path / "spec.schema.json"
    result = run_spec("schema", "--out", out)
    assert result.returncode == 0 and result.stdout == ""
    committed = ROOT / "data" / "specs" / "spec.schema.json"
    assert out.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")


def test_without_a_command_it_shows_usage_and_exits_2():
    result = run_spec()
    assert result.returncode == 2
    assert "usage: python -m data.spec" in result.stderr
    assert "Traceback" not in result.stderr
