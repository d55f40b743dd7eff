"""Checking a spec against its data: every named column, the kinds, and the target's classes.

Each test writes its own small CSV (or Parquet) next to a spec, as a user would bring them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from config import ROOT, Settings
from data.examples import FRAMES, write_examples
from data.ingest import ingest, processed_path
from data.spec import load_spec, parse_spec
from data.spec_check import (
    check_columns,
    check_spec,
    check_values,
    source_header,
    source_sample,
)
from data.spec_errors import SpecError
from data.target import MAX_CLASSES, classes_of, label_text

PENGUINS = pd.DataFrame(
    {
        "bill_length_mm": [39.1, 46.5, 49.3, 38.6, 45.2, 50.0],
        "flipper_length_mm": [181, 210, 195, 190, 215, 196],
        "island": ["Torgersen", "Biscoe", "Dream", "Torgersen", "Biscoe", "Dream"],
        "species": ["Adelie", "Gentoo", "Chinstrap", "Adelie", "Gentoo", "Chinstrap"],
        "adopted": ["yes", "no", "no", "yes", "no", "no"],
        "seen": pd.date_range("2021-01-01", periods=6, freq="D").strftime("%Y-%m-%d"),
        "seen_hour": [8, 9, 10, 11, 12, 13],
    }
)


def base(**changes) -> dict:
    raw = {
        "name": "penguins",
        "source": {"path": "penguins.csv"},
        "target": {"column": "adopted"},
        "features": [
            {"column": "bill_length_mm", "unit": "mm"},
            {"column": "flipper_length_mm", "unit": "mm"},
            {"column": "island", "kind": "category"},
        ],
    }
    return {**raw, **changes}


@pytest.fixture()
def folder(tmp_path):
    PENGUINS.to_csv(tmp_path / "penguins.csv", index=False)
    return tmp_path


def spec_in(folder, **changes):
    return parse_spec(base(**changes), folder, str(folder / "penguins.toml"))


def problems_of(spec) -> list[str]:
    with pytest.raises(SpecError) as caught:
        check_spec(spec)
    assert caught.value.file == spec.file
    assert str(caught.value).startswith(f"spec {spec.file}:")
    return caught.value.problems


def test_a_good_spec_passes_and_reads_header_and_sample(folder):
    spec = spec_in(folder)
    check_spec(spec)
    assert source_header(spec) == list(PENGUINS.columns)
    assert len(source_sample(spec)) == len(PENGUINS)


# --- column names: a typo names the field and the real column --------------------------

TYPOS = [
    (
        "[filters] ranges",
        {"filters": {"ranges": ["bill_lenght_mm"]}},
        "bill_lenght_mm",
        "bill_length_mm",
    ),
    (
        "[filters] categories",
        {"filters": {"categories": ["Island"]}},
        "Island",
        "island",
    ),
    (
        "[overview] bin_columns",
        {"overview": {"bin_columns": ["bill_len_mm"]}},
        "bill_len_mm",
        "bill_length_mm",
    ),
    (
        "[overview] category_chart",
        {"overview": {"category_chart": "islands"}},
        "islands",
        "island",
    ),
    (
        "[baseline] columns",
        {"baseline": {"columns": ["bill_length"]}},
        "bill_length",
        "bill_length_mm",
    ),
    ("[time] column", {"time": {"column": "sen"}}, "sen", "seen"),
    (
        "[time] hour_column",
        {"time": {"column": "seen", "hour_column": "seen_hr"}},
        "seen_hr",
        "seen_hour",
    ),
    ("[target] column", {"target": {"column": "adopt"}}, "adopt", "adopted"),
    (
        "[measure] column",
        {"measure": {"column": "flipper_len"}},
        "flipper_len",
        "flipper_length_mm",
    ),
    ("[labels]", {"labels": {"specie": "Species"}}, "specie", "species"),
    (
        "[[features]] #1 column",
        {"features": [{"column": "bill_length"}]},
        "bill_length",
        "bill_length_mm",
    ),
]


@pytest.mark.parametrize("field, change, typo, real", TYPOS, ids=[t[0] for t in TYPOS])
def test_a_misspelt_column_names_the_field_and_the_real_column(
    folder, field, change, typo, real
):
    (problem,) = problems_of(spec_in(folder, **change))
    assert problem == (
        f"{field}: '{typo}' is not a column of penguins.csv; did you mean `{real}`?"
    )


def test_column_names_are_checked_from_the_header_alone(tmp_path):
    """check_columns needs only the header: here there is no data file at all."""
    header = list(PENGUINS.columns)
    spec = spec_in(tmp_path, filters={"ranges": ["bill_lenght_mm"]})
    (problem,) = check_columns(spec, header)
    assert problem.endswith("did you mean `bill_length_mm`?")
    assert (
        check_columns(spec_in(tmp_path, filters={"ranges": ["bill_length_mm"]}), header)
        == []
    )


def test_column_typos_are_reported_before_the_rows_are_read(folder):
    """Rows with text in a number column are not looked at while a column name is wrong."""
    broken = PENGUINS.assign(bill_length_mm=["n/a"] * len(PENGUINS))
    broken.to_csv(folder / "penguins.csv", index=False)
    problems = problems_of(spec_in(folder, baseline={"columns": ["bill_length"]}))
    assert problems == [
        "[baseline] columns: 'bill_length' is not a column of penguins.csv; "
        "did you mean `bill_length_mm`?"
    ]


def test_ingest_stops_at_a_column_typo_before_reading_the_data(folder):
    spec = spec_in(folder, overview={"bin_columns": ["bill_len_mm"]})
    settings = Settings(spec_path=folder / "penguins.toml", home=folder / "home")
    said: list[str] = []
    with pytest.raises(SpecError, match="did you mean `bill_length_mm`"):
        ingest(settings, spec, progress=said.append)
    assert not any("reading" in line for line in said)
    assert not processed_path(settings, spec).exists()


def test_every_misspelt_column_is_listed_at_once(folder):
    problems = problems_of(
        spec_in(
            folder,
            filters={"categories": ["islnd"], "ranges": ["flipper"]},
            baseline={"columns": ["island", "bill"]},
        )
    )
    assert len(problems) == 3
    assert [p.split(":")[0] for p in problems] == [
        "[filters] categories",
        "[filters] ranges",
        "[baseline] columns",
    ]


def test_no_suggestion_when_nothing_is_close(folder):
    (problem,) = problems_of(spec_in(folder, filters={"ranges": ["zzz"]}))
    assert problem == "[filters] ranges: 'zzz' is not a column of penguins.csv"


def test_parquet_sources_are_checked_the_same_way(tmp_path):
    PENGUINS.to_parquet(tmp_path / "penguins.parquet")
    source = {"path": "penguins.parquet"}
    check_spec(spec_in(tmp_path, source=source))
    bad = spec_in(tmp_path, source=source, overview={"bin_columns": ["bill_len_mm"]})
    (problem,) = problems_of(bad)
    assert "not a column of penguins.parquet; did you mean `bill_length_mm`?" in problem


def test_a_missing_data_file_is_named(tmp_path):
    (problem,) = problems_of(spec_in(tmp_path))
    assert (
        problem == f"[source] path: no file at {(tmp_path / 'penguins.csv').resolve()}"
    )


# --- kinds: text where numbers are needed ------------------------------------------------


def test_a_text_column_as_a_number_feature_says_add_kind_category(folder):
    features = [{"column": "bill_length_mm"}, {"column": "island"}]
    (problem,) = problems_of(spec_in(folder, features=features))
    assert problem == (
        "[[features]] 'island': column 'island' holds text such as 'Torgersen'; "
        'add kind = "category" to it'
    )


def test_a_text_column_as_a_range_filter_needs_numbers(folder):
    (problem,) = problems_of(spec_in(folder, filters={"ranges": ["species"]}))
    assert problem == (
        "[filters] ranges: column 'species' holds text such as 'Adelie'; it needs numbers"
    )


def test_a_text_target_for_regression_says_use_classification(folder):
    target = {"column": "species", "task": "regression"}
    (problem,) = problems_of(spec_in(folder, target=target))
    assert "[target] column: column 'species' holds text" in problem
    assert 'set task = "classification"' in problem


def test_a_time_column_that_is_not_dates_is_named(folder):
    (problem,) = problems_of(spec_in(folder, time={"column": "island"}))
    assert problem.startswith("[time] column 'island': not dates")


def test_check_values_reads_only_the_frame_it_is_given(folder):
    spec = spec_in(folder, features=[{"column": "island"}])
    assert check_values(spec, PENGUINS.assign(island=1.0)) == []
    assert len(check_values(spec, PENGUINS)) == 1


# --- the target's classes ----------------------------------------------------------------


def classes_in(folder, frame: pd.DataFrame, **target):
    frame.to_csv(folder / "penguins.csv", index=False)
    spec = spec_in(folder, target={"column": "adopted", **target})
    check_spec(spec)
    return classes_of(spec, label_text(source_sample(spec)["adopted"]))


def test_positive_is_matched_whatever_its_case(folder):
    assert classes_in(folder, PENGUINS, positive="Yes") == (
        ["no", "yes"],
        "yes",
        "set in the spec",
    )


def test_a_numeric_positive_matches_numbers_in_the_file(folder):
    frame = PENGUINS.assign(adopted=[1, 0, 0, 1, 0, 0])
    assert classes_in(folder, frame, positive=0) == (["1", "0"], "0", "set in the spec")


def test_a_boolean_positive_matches_true_false(folder):
    frame = PENGUINS.assign(adopted=[True, False, False, True, False, False])
    assert classes_in(folder, frame, positive=True)[1] == "True"


def test_a_positive_not_among_the_values_lists_them(folder):
    (problem,) = problems_of(
        spec_in(folder, target={"column": "adopted", "positive": "maybe"})
    )
    assert problem == (
        "[target] positive: 'maybe' is not a value of 'adopted' (its values: 'no', 'yes')"
    )


def test_a_misspelt_positive_suggests_the_value(folder):
    (problem,) = problems_of(
        spec_in(folder, target={"column": "adopted", "positive": "yse"})
    )
    assert "(its values: 'no', 'yes'); did you mean `yes`?" in problem


def test_a_target_with_one_class_is_refused(folder):
    frame = PENGUINS.assign(adopted="yes")
    frame.to_csv(folder / "penguins.csv", index=False)
    (problem,) = problems_of(spec_in(folder))
    assert (
        problem == "[target] column 'adopted' needs two or more classes; it has ['yes']"
    )


def test_too_many_classes_hint_at_regression(folder):
    rows = MAX_CLASSES + 10
    frame = pd.DataFrame(
        {
            "bill_length_mm": range(rows),
            "flipper_length_mm": range(rows),
            "island": ["Biscoe"] * rows,
            "adopted": [f"c{i:02d}" for i in range(rows)],
        }
    )
    frame.to_csv(folder / "penguins.csv", index=False)
    (problem,) = problems_of(spec_in(folder))
    assert f"has {rows} distinct values, too many classes (at most 50)" in problem
    assert 'set task = "regression"' in problem
    frame.head(MAX_CLASSES).to_csv(folder / "penguins.csv", index=False)
    check_spec(spec_in(folder))  # exactly 50 classes is still classification


def test_positive_on_three_classes_is_refused(folder):
    target = {"column": "species", "positive": "Adelie"}
    (problem,) = problems_of(spec_in(folder, target=target))
    assert problem == (
        "[target] positive is for two classes; 'species' has 3 "
        "(Adelie, Chinstrap, Gentoo); remove it"
    )


def test_three_classes_without_positive_are_multi_class(folder):
    spec = spec_in(folder, target={"column": "species"})
    check_spec(spec)
    labels = label_text(source_sample(spec)["species"])
    assert classes_of(spec, labels) == (
        ["Adelie", "Chinstrap", "Gentoo"],
        None,
        "3 classes",
    )


@pytest.mark.parametrize(
    "values, classes, positive, how",
    [
        (
            ["yes", "no", "no", "yes", "no", "no"],
            ["no", "yes"],
            "yes",
            "'yes' reads as yes",
        ),
        (
            ["No", "Yes", "Yes", "Yes", "Yes", "No"],
            ["No", "Yes"],
            "Yes",
            "'Yes' reads as yes",
        ),
        ([0, 1, 1, 1, 1, 0], ["0", "1"], "1", "'1' reads as yes"),
        (
            ["benign", "malignant", "benign", "benign", "malignant", "benign"],
            ["benign", "malignant"],
            "malignant",
            "'malignant' is the less common class",
        ),
        (
            ["cat", "dog", "dog", "dog", "dog", "cat"],
            ["dog", "cat"],
            "cat",
            "'cat' is the less common class",
        ),
    ],
    ids=["yes/no", "Yes/No mostly yes", "0/1", "less common", "less common first"],
)
def test_an_inferred_positive_says_how(folder, values, classes, positive, how):
    frame = PENGUINS.assign(adopted=values)
    assert classes_in(folder, frame) == (classes, positive, how)


# --- the bundled examples ----------------------------------------------------------------


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("examples")
    written = write_examples(folder)
    return folder, written


def test_examples_write_one_csv_each(examples):
    folder, written = examples
    assert written == [folder / name / f"{name}.csv" for name in FRAMES]
    assert all(path.stat().st_size > 0 for path in written)


@pytest.mark.parametrize(
    "name, column, classes, positive",
    [
        ("breast_cancer", "diagnosis", ["benign", "malignant"], "malignant"),
        ("iris", "species", ["setosa", "versicolor", "virginica"], None),
    ],
)
def test_example_targets_are_text_labels(examples, name, column, classes, positive):
    folder, _ = examples
    spec_path = folder / name / "spec.toml"
    spec_path.write_bytes((ROOT / "examples" / name / "spec.toml").read_bytes())
    spec = load_spec(spec_path)
    check_spec(spec)
    frame = pd.read_csv(folder / name / f"{name}.csv")
    assert pd.api.types.is_string_dtype(frame[column])
    assert sorted(frame[column].unique()) == classes
    model_order, found, _ = classes_of(spec, label_text(frame[column]))
    assert found == positive
    assert model_order == classes  # binary: negative first, the positive last
    assert "target" not in frame.columns


def test_example_frames_have_no_time_or_geo_and_a_banded_category():
    cancer, iris = FRAMES["breast_cancer"](), FRAMES["iris"]()
    assert list(cancer["size_band"].cat.categories) == ["small", "medium", "large"]
    assert list(iris["petal_size"].cat.categories) == ["short", "medium", "long"]
    assert iris["petal_size"].notna().all() and cancer["size_band"].notna().all()
    assert iris["species"].value_counts().to_dict() == {
        "setosa": 50,
        "versicolor": 50,
        "virginica": 50,
    }
    diabetes = FRAMES["diabetes"]()
    assert set(diabetes["sex"]) == {"female", "male"}
    assert pd.api.types.is_float_dtype(diabetes["progression"])
    for frame in (cancer, iris, diabetes):
        assert not any(pd.api.types.is_datetime64_any_dtype(t) for t in frame.dtypes)
        assert not {"lat", "lon", "latitude", "longitude"} & set(frame.columns)


# --- gaps found while writing these tests, now fixed ---


def test_a_file_sorted_by_its_target_is_not_refused(tmp_path):
    from data.spec_check import SAMPLE_ROWS

    rows = SAMPLE_ROWS + 1000
    frame = pd.DataFrame(
        {
            "bill_length_mm": range(rows),
            "flipper_length_mm": range(rows),
            "island": "Biscoe",
            "adopted": ["no"] * SAMPLE_ROWS + ["yes"] * 1000,
        }
    )
    frame.to_csv(tmp_path / "penguins.csv", index=False)
    check_spec(spec_in(tmp_path, target={"column": "adopted", "positive": "yes"}))
