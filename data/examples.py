"""Write the example CSVs that the specs under examples/ read, from scikit-learn's bundled data.

python -m data.examples            # writes examples/*/*.csv (gitignored); no network needed

Each example shows one kind of target: diabetes a number (regression), breast_cancer a
two-class text label, iris three text classes (multi-class).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

from config import ROOT

EXAMPLES = ROOT / "examples"


def _snake(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names as snake_case without units: 'mean radius' -> 'mean_radius'."""
    names = {c: c.replace(" (cm)", "").replace(" ", "_") for c in frame.columns}
    return frame.rename(columns=names)


def _named_target(frame: pd.DataFrame, names, column: str) -> pd.DataFrame:
    """Replace the integer `target` column by its class names, in a column called `column`."""
    labels = frame.pop("target").map(dict(enumerate(names)))
    frame[column] = labels.astype(str)
    return frame


def diabetes_frame() -> pd.DataFrame:
    """442 patients; target `progression`: disease progression one year later (regression)."""
    frame = load_diabetes(as_frame=True, scaled=False).frame
    frame["sex"] = frame["sex"].map({1.0: "female", 2.0: "male"})
    return frame.rename(columns={"target": "progression"})


def breast_cancer_frame() -> pd.DataFrame:
    """569 tumours; target `diagnosis`: "malignant" or "benign" (binary classification)."""
    data = load_breast_cancer(as_frame=True)
    frame = _named_target(_snake(data.frame), data.target_names, "diagnosis")
    frame["size_band"] = pd.cut(
        frame["mean_radius"], [0, 12, 16, 100], labels=["small", "medium", "large"]
    )
    return frame


def iris_frame() -> pd.DataFrame:
    """150 flowers; target `species`: setosa, versicolor or virginica (3 classes)."""
    data = load_iris(as_frame=True)
    frame = _named_target(_snake(data.frame), data.target_names, "species")
    frame["petal_size"] = pd.cut(
        frame["petal_length"], [0, 2.5, 5.0, 10], labels=["short", "medium", "long"]
    )
    return frame


FRAMES: dict[str, Callable[[], pd.DataFrame]] = {
    "diabetes": diabetes_frame,
    "breast_cancer": breast_cancer_frame,
    "iris": iris_frame,
}


def write_examples(folder: Path = EXAMPLES) -> list[Path]:
    """Write <folder>/<name>/<name>.csv for every example; returns the paths written."""
    written = []
    for name, build in FRAMES.items():
        path = folder / name / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        build().to_csv(path, index=False)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the example CSVs.")
    parser.add_argument("--folder", type=Path, default=EXAMPLES)
    for path in write_examples(parser.parse_args(argv).folder):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
