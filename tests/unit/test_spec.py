"""Dataset specs: the default loads, and every kind of mistake is named in the user's words.

Broken specs are written as TOML files, the way a user would, so each message is checked to
name the spec file as well as the field, the bad value and the nearest valid name.
"""

from __future__ import annotations

import json
import tomllib

import pytest

from config import DEFAULT_SPEC, ROOT
from data.spec import SpecError, json_schema, load_spec, parse_spec

SCHEMA_FILE = ROOT / "data" / "specs" / "spec.schema.json"

HEAD = 'name = "tiny"\ntitle = "Tiny"'
SOURCE = '[source]\npath = "tiny.csv"'
REGRESSION = '[target]\ncolumn = "y"\ntask = "regression"'
BINARY = '[target]\ncolumn = "y"\npositive = "yes"'
FEATURES = """
[[features]]
column = "x"
label = "X"

[[features]]
column = "c"
kind = "category"
"""
BANDS = """
[predict]
bands = [
  { label = "Low", below = 0.2, color = "success" },
  { label = "High", color = "danger" },
]
"""
FALLING_BANDS = """
[predict]
bands = [{ label = "Low", below = 0.5 }, { label = "Mid", below = 0.3 }, { label = "High" }]
"""


def spec_text(
    head=HEAD, source=SOURCE, target=REGRESSION, extra="", features=FEATURES
) -> str:
    """A spec's TOML: top-level keys first, then the sections, [[features]] last."""
    return "\n\n".join([head, source, target, extra, features]) + "\n"


def write_spec(folder, text: str, name: str = "tiny.toml"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path) -> list[str]:
    """The problems load_spec reports for `path`, after checking the message names the file."""
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    error = caught.value
    assert error.file == str(path)
    assert str(error).startswith(f"spec {path}: {len(error.problems)} problem(s)")
    for line in error.problems:
        assert f"  - {line}" in str(error)
    return error.problems


# --- good specs ---------------------------------------------------------------------------


def test_flights_spec_loads(flights_spec):
    assert flights_spec.name == "flights" and flights_spec.source_loader == "flights"
    assert flights_spec.target == "delayed" and flights_spec.is_classification
    assert flights_spec.target_.positive == 1
    assert flights_spec.positive_label == "Delayed 15+ min"
    assert flights_spec.missing_label == "Cancelled"
    bands = flights_spec.predict.bands
    assert [(b.label, b.below, b.color) for b in bands] == [
        ("Low", 0.15, "success"),
        ("Moderate", 0.30, "warning"),
        ("High", None, "danger"),
    ]
    assert (flights_spec.train_end, flights_spec.valid_end) == (
        "2013-09-30",
        "2013-10-31",
    )
    assert "carrier" in flights_spec.category_features
    assert "hour" in flights_spec.number_features
    assert flights_spec.geo is not None and flights_spec.whatif_feature == "hour"
    assert flights_spec.model.estimator == "hist_gradient_boosting"
    assert flights_spec.label("sched_dep") == "Scheduled departure"
    assert flights_spec.label("carrier") == "Airline"
    assert flights_spec.file == str(DEFAULT_SPEC)


def test_minimal_spec_resolves_its_path_next_to_the_spec(tmp_path, monkeypatch):
    path = write_spec(tmp_path / "team", spec_text(), "spec.toml")
    monkeypatch.chdir(tmp_path)  # a relative spec path, read from elsewhere
    spec = load_spec("team/spec.toml")
    assert spec.source_path == (tmp_path / "team" / "tiny.csv").resolve()
    assert spec.source_path.is_absolute()
    assert spec.task == "regression" and spec.geo is None and spec.time_column is None
    assert spec.number_features == ["x"] and spec.category_features == ["c"]
    assert spec.label("x") == "X" and spec.label("some_column") == "Some column"
    assert spec.file == "team/spec.toml"
    assert path.is_file()


def test_parse_spec_resolves_against_the_folder_it_is_given(tmp_path):
    raw = tomllib.loads(spec_text())
    spec = parse_spec(raw, tmp_path / "elsewhere")
    assert spec.source_path == (tmp_path / "elsewhere" / "tiny.csv").resolve()


@pytest.mark.parametrize(
    "time",
    [
        '[time]\ncolumn = "t"',
        '[time]\ncolumn = "t"\ntrain_end = 2020-06-30\nvalid_end = 2020-09-30',
        '[time]\ncolumn = "t"\ntrain_end = "2020-06-30"\nvalid_end = "2020-09-30"',
    ],
    ids=["neither end", "both ends as TOML dates", "both ends as text"],
)
def test_time_takes_both_ends_or_neither(tmp_path, time):
    spec = load_spec(write_spec(tmp_path, spec_text(extra=time)))
    assert spec.time_column == "t"
    assert (spec.train_end, spec.valid_end) in [
        (None, None),
        ("2020-06-30", "2020-09-30"),
    ]


def test_classification_may_use_bands_and_logistic_regression(tmp_path):
    extra = BANDS + '\n[model]\nestimator = "logistic_regression"\nparams = { C = 0.5 }'
    spec = load_spec(write_spec(tmp_path, spec_text(target=BINARY, extra=extra)))
    assert spec.is_classification and spec.target_.positive == "yes"
    assert spec.model.estimator == "logistic_regression" and spec.model.params == {
        "C": 0.5
    }
    assert [b.below for b in spec.predict.bands] == [0.2, None]


def test_a_spec_is_frozen_after_load(tmp_path):
    spec = load_spec(write_spec(tmp_path, spec_text()))
    with pytest.raises(ValueError):
        spec.title = "changed"


# --- every kind of mistake ----------------------------------------------------------------

MISTAKES = {
    "unknown section": (
        {"extra": '[filter]\ncategories = ["c"]'},
        ["unknown section [filter]; did you mean [filters]?"],
    ),
    "unknown top-level key": (
        {"head": HEAD + '\ntitel = "x"'},
        ["unknown key `titel`; did you mean `title`?"],
    ),
    "a key placed under the wrong table": (
        {"extra": '[filters]\nrow_label = "people"'},
        [
            "unknown key `row_label` in [filters]",
            "(allowed: categories, ranges, missing_label)",
        ],
    ),
    "old positive_label key": (
        {"target": '[target]\ncolumn = "y"\npositive_label = "Yes"'},
        ["unknown key `positive_label` in [target]; did you mean `positive`?"],
    ),
    "unknown key in a feature": (
        {"features": '[[features]]\ncolumn = "x"\nlable = "X"'},
        ["unknown key `lable` in [[features]] #1; did you mean `label`?"],
    ),
    "text where a list is needed": (
        {"extra": '[filters]\ncategories = "plan"'},
        [
            '[filters] categories: must be a list such as ["plan"], not the text',
            "'plan'",
        ],
    ),
    "text where bin_columns list is needed": (
        {"extra": '[overview]\nbin_columns = "x"'},
        ['[overview] bin_columns: must be a list such as ["x"]'],
    ),
    "wrong feature kind": (
        {"features": '[[features]]\ncolumn = "x"\nkind = "text"'},
        [
            "[[features]] #1 kind:",
            "'category', 'number', 'month' or 'weekday'",
            "'text'",
        ],
    ),
    "wrong task": (
        {"target": '[target]\ncolumn = "y"\ntask = "ranking"'},
        ["[target] task:", "'classification' or 'regression'", "(got 'ranking')"],
    ),
    "wrong loader": (
        {"source": '[source]\nloader = "flight"'},
        ["[source] loader:", "'flights'", "(got 'flight')"],
    ),
    "wrong band color": (
        {"target": BINARY, "extra": BANDS.replace('"danger"', '"red"')},
        ["[predict] bands #2 color:", "'danger'", "(got 'red')"],
    ),
    "only train_end": (
        {"extra": '[time]\ncolumn = "t"\ntrain_end = 2020-01-31'},
        ["[time] needs both train_end and valid_end, or neither"],
    ),
    "only valid_end": (
        {"extra": '[time]\ncolumn = "t"\nvalid_end = 2020-01-31'},
        ["[time] needs both train_end and valid_end, or neither"],
    ),
    "valid_end before train_end": (
        {
            "extra": '[time]\ncolumn = "t"\ntrain_end = 2020-03-31\nvalid_end = 2020-01-31'
        },
        ["[time] valid_end must come after train_end"],
    ),
    "time without a column": (
        {"extra": "[time]\ntrain_end = 2020-01-31\nvalid_end = 2020-03-31"},
        ["[time] column: is required"],
    ),
    "source with neither loader nor path": (
        {"source": "[source]"},
        ["[source] needs 'path' (a CSV or Parquet file) or 'loader'"],
    ),
    "source with both loader and path": (
        {"source": '[source]\nloader = "flights"\npath = "tiny.csv"'},
        ["[source] takes 'path' or 'loader', not both"],
    ),
    "no features": (
        {"features": ""},
        ["at least one [[features]] entry is required"],
    ),
    "target also a feature": (
        {"features": FEATURES + '\n[[features]]\ncolumn = "y"'},
        ["the target 'y' cannot also be a feature"],
    ),
    "duplicate feature": (
        {"features": FEATURES + '\n[[features]]\ncolumn = "x"\nunit = "m"'},
        ["[[features]] lists ['x'] more than once"],
    ),
    "whatif a category feature": (
        {"extra": '[predict]\nwhatif = "c"'},
        ["[predict] whatif = 'c' must be a number feature (x)"],
    ),
    "whatif not a feature": (
        {"extra": '[predict]\nwhatif = "z"'},
        ["[predict] whatif = 'z' must be a number feature"],
    ),
    "bands not rising": (
        {"target": BINARY, "extra": FALLING_BANDS},
        ["[predict] bands need rising 'below' bounds; only the last may omit it"],
    ),
    "a band before the last without below": (
        {"target": BINARY, "extra": BANDS.replace(", below = 0.2", "")},
        ["[predict] bands need rising 'below' bounds; only the last may omit it"],
    ),
    "band bound over 1": (
        {"target": BINARY, "extra": BANDS.replace("0.2", "20")},
        ["[predict] bands #1 below:", "less than or equal to 1", "(got 20)"],
    ),
    "unknown band key": (
        {"target": BINARY, "extra": BANDS.replace("below = 0.2", "bellow = 0.2")},
        ["unknown key `bellow` in [predict] bands #1; did you mean `below`?"],
    ),
    "bands on regression": (
        {"extra": BANDS},
        ["[predict] bands are for classification targets"],
    ),
    "logistic_regression for regression": (
        {"extra": '[model]\nestimator = "logistic_regression"'},
        [
            "[model] estimator = 'logistic_regression' cannot predict a number",
            "use 'hist_gradient_boosting' for regression",
        ],
    ),
    "unknown estimator": (
        {"extra": '[model]\nestimator = "random_forest"'},
        [
            "[model] estimator:",
            "'hist_gradient_boosting' or 'logistic_regression'",
            "(got 'random_forest')",
        ],
    ),
    "unknown boosting param": (
        {"extra": "[model]\nparams = { max_iters = 50 }"},
        [
            "[model] params: hist_gradient_boosting takes no 'max_iters'; did you mean `max_iter`?"
        ],
    ),
    "unknown logistic param": (
        {
            "target": BINARY,
            "extra": '[model]\nestimator = "logistic_regression"\nparams = { c = 1.0 }',
        },
        ["[model] params: logistic_regression takes no 'c'; did you mean `C`?"],
    ),
    "random_state is fixed by the app": (
        {"extra": "[model]\nparams = { random_state = 3 }"},
        ["[model] params: hist_gradient_boosting takes no 'random_state'"],
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_is_one_line_naming_field_and_fix(tmp_path, mistake):
    parts, words = MISTAKES[mistake]
    problems = problems_of(write_spec(tmp_path, spec_text(**parts)))
    assert len(problems) == 1, problems
    for word in words:
        assert word in problems[0]


def test_a_name_that_cannot_be_a_file_name_is_refused(tmp_path):
    text = spec_text().replace('name = "tiny"', 'name = "my data/v2"')
    (problem,) = problems_of(write_spec(tmp_path, text))
    assert problem.startswith("name:") and "'my data/v2'" in problem


def test_missing_required_sections_are_named(tmp_path):
    text = "\n\n".join([HEAD, FEATURES])
    problems = problems_of(write_spec(tmp_path, text))
    assert sorted(problems) == ["source: is required", "target: is required"]


def test_all_field_mistakes_are_listed_together(tmp_path):
    text = spec_text(
        target='[target]\ncolumn = "y"\npositive_label = "Yes"',
        extra='[filter]\ncategories = ["c"]\n\n[overview]\nbin_columns = "x"',
    )
    problems = problems_of(write_spec(tmp_path, text))
    assert len(problems) == 3
    joined = "\n".join(problems)
    assert "did you mean `positive`?" in joined
    assert "did you mean [filters]?" in joined
    assert '[overview] bin_columns: must be a list such as ["x"]' in joined


def test_a_missing_file_is_named(tmp_path):
    missing = tmp_path / "nope.toml"
    assert problems_of(missing) == ["the spec file is not found"]


def test_a_folder_is_not_a_spec_file(tmp_path):
    assert problems_of(tmp_path) == ["the spec file is not found"]


def test_invalid_toml_is_named_with_its_line(tmp_path):
    broken = write_spec(
        tmp_path, 'name = "tiny"\n[source\npath = "x.csv"\n', "broken.toml"
    )
    (problem,) = problems_of(broken)
    assert problem.startswith("not valid TOML:") and "line 2" in problem


def test_parse_spec_names_the_file_it_is_given(tmp_path):
    raw = tomllib.loads(spec_text(extra='[filter]\ncategories = ["c"]'))
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, tmp_path, "team/spec.toml")
    assert caught.value.file == "team/spec.toml"
    assert str(caught.value).startswith("spec team/spec.toml: 1 problem(s)")


# --- the examples: what they show ---------------------------------------------------------


@pytest.mark.parametrize("name", ["diabetes", "breast_cancer", "iris"])
def test_example_specs_load_and_say_how_to_run_them(name):
    path = ROOT / "examples" / name / "spec.toml"
    spec = load_spec(path)
    assert (
        spec.name == name
        and spec.source_path == (path.parent / f"{name}.csv").resolve()
    )
    assert spec.time is None and spec.geo is None
    assert spec.whatif_feature in spec.number_features
    assert spec.category_filters and spec.category_chart and spec.bin_columns
    assert spec.baseline_columns and spec.labels
    assert any(f.unit for f in spec.features) or name == "breast_cancer"
    first = path.read_text(encoding="utf-8").splitlines()[:4]
    directive = first[0].removeprefix("#:schema ")
    assert (path.parent / directive).resolve() == SCHEMA_FILE.resolve()
    assert any(
        f"FLIGHTDECK_SPEC=examples/{name}/spec.toml python app.py" in x for x in first
    )


def test_example_targets():
    diabetes, cancer, iris = (
        load_spec(ROOT / "examples" / name / "spec.toml")
        for name in ("diabetes", "breast_cancer", "iris")
    )
    assert diabetes.task == "regression" and diabetes.target == "progression"
    assert cancer.target == "diagnosis" and cancer.target_.positive == "malignant"
    assert cancer.model.estimator == "logistic_regression" and cancer.predict.bands
    assert iris.target == "species" and iris.is_classification
    assert iris.target_.positive is None and not iris.predict.bands


def test_logistic_regression_is_for_classification_examples_only(tmp_path):
    """breast_cancer sets it; the same line in diabetes (regression) is refused."""
    text = (ROOT / "examples" / "diabetes" / "spec.toml").read_text(encoding="utf-8")
    assert 'estimator = "hist_gradient_boosting"' in text
    broken = text.replace(
        'estimator = "hist_gradient_boosting"', 'estimator = "logistic_regression"'
    )
    (problem,) = problems_of(write_spec(tmp_path, broken, "spec.toml"))
    assert "'logistic_regression' cannot predict a number" in problem


# --- the JSON Schema for editors ----------------------------------------------------------


def test_committed_schema_is_current():
    """Regenerate with: python -m data.spec schema --out data/specs/spec.schema.json"""
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json_schema()


def test_schema_refuses_unknown_keys_and_knows_the_sections():
    schema = json_schema()
    assert schema["title"] == "Flightdeck dataset spec"
    assert schema["additionalProperties"] is False
    assert {"source", "target", "features", "predict", "model"} <= set(
        schema["properties"]
    )
    assert "positive_label" not in schema["$defs"]["Target"]["properties"]
    assert "positive" in schema["$defs"]["Target"]["properties"]
    sections = [d for d in schema["$defs"].values() if d.get("type") == "object"]
    assert sections and all(d.get("additionalProperties") is False for d in sections)


# --- fingerprints: what rebuilds what ------------------------------------------------------


@pytest.fixture()
def flights_raw() -> dict:
    return tomllib.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))


def _prints(raw: dict) -> tuple[str, str]:
    spec = parse_spec(raw, DEFAULT_SPEC.parent)
    return spec.fingerprint("data"), spec.fingerprint("model")


def _edit_title(raw):
    raw["title"] = "Something else"


def _edit_target_label(raw):
    raw["target"]["label"] = "Late"


def _edit_feature_label(raw):
    raw["features"][0]["label"] = "Carrier"
    raw["features"][1]["unit"] = "airport"


def _edit_labels(raw):
    raw["labels"]["sched_dep"] = "Departure"


def _edit_views(raw):
    raw["filters"]["ranges"] = ["hour"]
    raw["overview"]["category_chart"] = "origin"
    raw["predict"]["whatif"] = "distance"
    raw["predict"]["bands"] = [{"label": "All"}]


@pytest.mark.parametrize(
    "edit",
    [_edit_title, _edit_target_label, _edit_feature_label, _edit_labels, _edit_views],
)
def test_display_edits_change_no_fingerprint(flights_raw, edit):
    before = _prints(flights_raw)
    edit(flights_raw)
    assert _prints(flights_raw) == before


def _drop_feature(raw):
    raw["features"] = [f for f in raw["features"] if f["column"] != "pressure"]


def _change_kind(raw):
    raw["features"][3]["kind"] = "category"  # weekday


@pytest.mark.parametrize("edit", [_drop_feature, _change_kind])
def test_feature_edits_change_both_fingerprints(flights_raw, edit):
    data, model = _prints(flights_raw)
    edit(flights_raw)
    new_data, new_model = _prints(flights_raw)
    assert new_data != data and new_model != model


def _model_params(raw):
    raw["model"] = {"params": {"learning_rate": 0.05}}


def _model_estimator(raw):
    raw["model"] = {"estimator": "logistic_regression"}


def _baseline(raw):
    raw["baseline"]["columns"] = ["carrier"]


def _split(raw):
    raw["time"]["valid_end"] = "2013-11-30"


@pytest.mark.parametrize("edit", [_model_params, _model_estimator, _baseline, _split])
def test_model_edits_change_only_the_model_fingerprint(flights_raw, edit):
    data, model = _prints(flights_raw)
    edit(flights_raw)
    new_data, new_model = _prints(flights_raw)
    assert new_data == data and new_model != model


def test_changing_the_positive_class_rebuilds_the_data(flights_raw):
    data, model = _prints(flights_raw)
    flights_raw["target"]["positive"] = 0
    assert _prints(flights_raw)[0] != data


# --- gaps found while writing these tests, now fixed ---


def test_missing_label_text_changes_no_fingerprint(flights_raw):
    before = _prints(flights_raw)
    flights_raw["target"]["missing_label"] = "Did not fly"
    assert _prints(flights_raw) == before


def test_a_misspelt_kind_suggests_the_nearest(tmp_path):
    text = spec_text(features='[[features]]\ncolumn = "x"\nkind = "categroy"')
    (problem,) = problems_of(write_spec(tmp_path, text))
    assert "did you mean `category`?" in problem


def test_warm_start_is_refused_at_load_like_at_training(tmp_path):
    text = spec_text(extra="[model]\nparams = { warm_start = true }")
    (problem,) = problems_of(write_spec(tmp_path, text))
    assert "takes no 'warm_start'" in problem


def test_every_consistency_problem_is_listed(tmp_path):
    features = FEATURES + '\n[[features]]\ncolumn = "y"\n\n[[features]]\ncolumn = "x"'
    text = spec_text(extra='[predict]\nwhatif = "c"', features=features)
    assert len(problems_of(write_spec(tmp_path, text))) == 3


def test_a_bad_param_value_is_one_line(tmp_path):
    text = spec_text(extra="[model]\nparams = { max_iter = [50] }")
    (problem,) = problems_of(write_spec(tmp_path, text))
    assert problem.startswith("[model] params max_iter:")


def test_a_decimal_positive_value_is_accepted(tmp_path):
    target = '[target]\ncolumn = "y"\npositive = 2.5'
    spec = load_spec(write_spec(tmp_path, spec_text(target=target)))
    assert spec.target_.positive == 2.5
